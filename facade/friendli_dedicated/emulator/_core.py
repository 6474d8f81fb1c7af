"""The ``Emulator``: its configuration, checked, and the parts it is made of, behind its public methods.

An ``Emulator`` is a thin composition. ``Admission`` (``_admission``) takes every request through
faults, token, rate limit, route, team, size and the contract's checks, and logs it;
``Operations`` (``_operations``) holds the endpoints and answers every operation of the contract
(the endpoints' own, the inference surface of ``_inference`` and the cost of ``_cost``); the
controls for tests are in ``_controls`` (faults and failures on demand), ``_clock`` (time) and
``_log`` (what it saw); the runners are ``_inprocess`` (httpx, no sockets) and ``_server`` (HTTP).
Each public method here checks its arguments and hands over to one of them.

>>> from friendli_dedicated.emulator import ManualClock
>>> emu = Emulator(clock=ManualClock())
>>> auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
>>> emu.handle("GET", "/dedicated/beta/endpoint", [("limit", "5")], auth, b"").json()
{'data': {}, 'nextCursor': None}
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator import _checks as checks, _controls as controls, _lifecycle as life
from friendli_dedicated.emulator._admission import Admission, Request
from friendli_dedicated.emulator._clock import ManualClock, given_clock
from friendli_dedicated.emulator._contract import MAX_STRING_LENGTH, Contract, load_contract
from friendli_dedicated.emulator._faults import SEED_MAX, SEED_MIN, Faults, Stats
from friendli_dedicated.emulator._http import RequestHead, Response
from friendli_dedicated.emulator._log import DEFAULT_REQUEST_LOG, LoggedRequest, checked_limit
from friendli_dedicated.emulator._operations import Operations
from friendli_dedicated.emulator._ratelimit import checked_rate
from friendli_dedicated.errors import InvalidInputError

if TYPE_CHECKING:
    import contextlib

    import httpx

    from friendli_dedicated import AsyncClient, Client

__all__ = ["DEFAULT_MAX_BODY_SIZE", "DEFAULT_TEAM", "DEFAULT_TOKEN", "Emulator"]

DEFAULT_TOKEN = "emulator-token"  # noqa: S105 (a well-known dummy token for a local emulator)
"""The token the emulator accepts unless given ``tokens``."""
DEFAULT_TEAM = "emulator-team"
"""The team of ``DEFAULT_TOKEN``."""

DEFAULT_MAX_BODY_SIZE = 1 << 20
"""The largest request body the emulator reads (1 MiB; the contract's bodies take well under 10 KiB)."""


class Emulator:
    """A stateful, in-memory emulator of the Dedicated Endpoints API.

    - ``clock``: seconds since the epoch (default the real time; a ``ManualClock`` makes tests
      instant);
    - ``timings`` and ``time_scale``: how long transitions take (``Timings`` x ``time_scale``,
      which also scales the autoscaling cooldown);
    - ``tokens``: token -> its teams, the first being its default (default
      ``{DEFAULT_TOKEN: [DEFAULT_TEAM]}``); a token is visible ASCII (it travels in a header), a
      team a printable string of at most ``MAX_STRING_LENGTH`` characters;
    - ``faults``: a ``Faults`` to inject 429, 503 and dropped connections (default none);
    - ``expose_endpoint_id``: add ``endpointId`` to the create response (the contract has none);
    - ``seed``: a 64-bit integer that makes endpoint ids and cursors the same from run to run
      (default: random);
    - ``max_body_size``: the largest request body, in bytes, the emulator reads (default 1 MiB);
      a larger one is answered 413 without being read;
    - ``rate_limit``: requests per second per token (a token bucket on the emulator's clock, see
      ``_ratelimit``); beyond it, 429 with ``Retry-After``. None (default): no limit;
    - ``request_log``: how many requests ``requests`` keeps, the last ones (default 10 000;
      None: all; 0: none).

    The clock is read once here, to check that it gives seconds since the epoch. Any bad value or
    wrong type raises ``InvalidInputError`` naming the argument (a token is never shown).

    Controls for tests, their parts each in a module of its own:

    - time: ``sleep``/``async_sleep`` wait, on a ``ManualClock`` (``_clock``) by advancing it, but
      never past ``next_transition()`` of any endpoint (``_lifecycle``), so a poller sees every
      state (the in-process clients sleep with them); ``advance`` moves a manual clock by hand;
    - faults and failures on demand (``_controls``): ``inject`` answers the next requests of one
      operation with a fault, ``pending_faults`` lists those not used yet; ``fail`` makes an
      endpoint's next transition end FAILED (``_lifecycle.fail_transition``);
    - what it saw: ``requests`` and ``requests_for`` (``_log``), and ``stats`` (``_faults``);
    - its rate limit (``_ratelimit``).

    >>> from friendli_dedicated.emulator import ManualClock
    >>> emu = Emulator(clock=ManualClock(), time_scale=0.1)
    >>> with emu.client() as client:
    ...     ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    ...     ep.wait_until_running(timeout=60).state.status.value
    'RUNNING'
    >>> [r.facade_name for r in emu.requests][:4]
    ['list', 'create', 'list', 'get']
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        timings: life.Timings | None = None,
        time_scale: float = 1.0,
        tokens: Mapping[str, Sequence[str]] | None = None,
        faults: Faults | None = None,
        expose_endpoint_id: bool = False,
        seed: int | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        rate_limit: float | None = None,
        request_log: int | None = DEFAULT_REQUEST_LOG,
    ) -> None:
        self.clock: Callable[[], float] = given_clock(clock, "Emulator.clock")
        if timings is not None and not isinstance(timings, life.Timings):
            raise InvalidInputError("Emulator.timings", f"must be a Timings or None, got {shown(timings)}")
        self.timings = timings if timings is not None else life.Timings()
        self.time_scale = checks.number(time_scale, "Emulator.time_scale", minimum=0.0)
        given_tokens = {DEFAULT_TOKEN: [DEFAULT_TEAM]} if tokens is None else tokens
        self._tokens = checks.tokens(given_tokens, "Emulator.tokens", max_team_length=MAX_STRING_LENGTH)
        if faults is not None and not isinstance(faults, Faults):
            raise InvalidInputError("Emulator.faults", f"must be a Faults or None, got {shown(faults)}")
        self.faults = faults
        self.expose_endpoint_id = checks.boolean(expose_endpoint_id, "Emulator.expose_endpoint_id")
        if seed is not None:
            checks.integer(seed, "Emulator.seed", minimum=SEED_MIN, maximum=SEED_MAX)
        self.max_body_size = checks.integer(max_body_size, "Emulator.max_body_size", minimum=1, maximum=SEED_MAX)
        self.rate_limit = checked_rate(rate_limit)
        self.request_log = checked_limit(request_log)
        self.contract: Contract = load_contract()
        self.stats = Stats()
        self._lock = threading.RLock()
        salt = secrets.token_bytes(16) if seed is None else hashlib.sha256(f"emulator-{seed}".encode()).digest()
        self._operations = Operations(
            self.contract,
            timings=self.timings,
            time_scale=self.time_scale,
            expose_endpoint_id=self.expose_endpoint_id,
            salt=salt,
            stats=self.stats,
        )
        self._admission = Admission(
            contract=self.contract,
            operations=self._operations,
            clock=self.clock,
            tokens=self._tokens,
            faults=faults,
            rate_limit=self.rate_limit,
            max_body_size=self.max_body_size,
            request_log=self.request_log,
            stats=self.stats,
            lock=self._lock,
        )

    def __repr__(self) -> str:
        endpoints = len(self._operations.endpoints)
        return f"Emulator(endpoints={endpoints}, time_scale={self.time_scale}, faults={self.faults!r})"

    # -- the entry points (see _admission) --------------------------------------------------------
    def handle(
        self, method: str, path: str, query: Sequence[tuple[str, str]], headers: Mapping[str, str], body: bytes
    ) -> Response:
        """Answer one whole request (no I/O): ``Response.dropped`` means "close without answering".

        ``headers`` match in any case; ``query`` is the query string's (name, value) pairs.
        """
        return self._admission.handle(Request(method, path, query, headers, content_length=len(body)), body)

    def handle_head(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        content_length: int | None = None,
    ) -> Response | RequestHead:
        """The checks made before a body is read: a ``Response`` if they answer the request, else the
        ``RequestHead`` to finish with ``handle_body``. ``content_length``: the declared size, if any.
        """
        return self._admission.head(Request(method, path, query, headers, content_length))

    def handle_body(self, head: RequestHead, body: bytes) -> Response:
        """Finish a request that ``handle_head`` let through, with its body (at most ``head.body_limit`` bytes)."""
        return self._admission.body(head, body)

    # -- runners (imported when used) -------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers from this emulator, without sockets."""
        from friendli_dedicated.emulator._inprocess import transport

        return transport(self)

    def client(self, **kwargs: Any) -> Client:
        """A ``friendli_dedicated.Client`` wired to this emulator in-process (see ``_inprocess``)."""
        from friendli_dedicated.emulator._inprocess import client

        return client(self, **kwargs)

    def async_client(self, **kwargs: Any) -> AsyncClient:
        """A ``friendli_dedicated.AsyncClient`` wired to this emulator in-process."""
        from friendli_dedicated.emulator._inprocess import async_client

        return async_client(self, **kwargs)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> contextlib.AbstractContextManager[str]:
        """Serve over HTTP on ``host:port`` in a background thread: ``with emu.serve() as base_url:``.

        ``host`` is an IP address or ``localhost``; port 0 picks a free port. Bad values raise
        ``InvalidInputError`` at once; a missing starlette or uvicorn (the ``emulator`` extra) an
        ``ImportError`` that says what to install; the socket is bound when the block is entered.
        """
        checked_host = checks.host(host, "Emulator.serve.host")
        checked_port = checks.port(port, "Emulator.serve.port")
        from friendli_dedicated.emulator._server import serve

        return serve(self, host=checked_host, port=checked_port)

    def endpoint_ids(self) -> list[str]:
        """Every endpoint's id, of every team, in creation order (for tests)."""
        with self._lock:
            return [record.endpoint_id for record in sorted(self._operations.endpoints.values(), key=lambda r: r.seq)]

    # -- controls for tests -----------------------------------------------------------------------
    def default_credentials(self) -> tuple[str, str]:
        """(token, team) a client uses by default: the first token given, and its first team.

        >>> Emulator(tokens={"t-1": ["team-a", "team-b"]}).default_credentials()
        ('t-1', 'team-a')
        """
        token, teams = next(iter(self._tokens.items()))
        return token, teams[0]

    def next_transition(self) -> float | None:
        """When (clock seconds) the next planned change of any endpoint's state happens; None if none is planned.

        >>> emu = Emulator(clock=ManualClock())
        >>> emu.next_transition() is None
        True
        """
        with self._lock:
            return controls.next_transition(self._operations.endpoints.values(), self.clock())

    def _sleep_step(self, seconds: Any, field: str) -> float:
        """Advance a manual clock by the sleep's step and return 0, or return the real seconds to sleep."""
        wanted = checks.duration(seconds, field)
        with self._lock:  # one sleeper at a time: two could otherwise both step over the same transition
            upcoming = self.next_transition()
            step = wanted if upcoming is None else min(wanted, max(upcoming - self.clock(), 0.0))
            if isinstance(self.clock, ManualClock):
                self.clock.advance(step)
                return 0.0
        return step

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or only until the next planned transition of any endpoint, whichever comes first.

        On a ``ManualClock`` it advances the clock and returns at once; on any other clock it sleeps
        for real. Stopping at a transition means a poller never jumps over a state: an endpoint that
        scales to zero five seconds after it is RUNNING is seen RUNNING even by a wait that polls
        every ten. It may return early, then: a caller that needs the whole time checks the clock.
        The in-process clients (``client()``, ``async_client()``) sleep with it on a ``ManualClock``.
        ``seconds`` is a finite number >= 0 (else ``InvalidInputError``).

        >>> import friendli_dedicated as fd
        >>> emu = Emulator(clock=ManualClock())
        >>> with emu.client() as client:
        ...     ep = client.endpoints.create("proj", "chat", "org/model", fd.GPU.H100)
        >>> start = emu.clock()
        >>> emu.sleep(3600)  # the deployment moves to DOWNLOADING_MODEL 15 s in
        >>> emu.clock() - start
        15.0
        """
        step = self._sleep_step(seconds, "Emulator.sleep.seconds")
        if step > 0:
            time.sleep(step)

    async def async_sleep(self, seconds: float) -> None:
        """The async twin of ``sleep``: the same step, and on a ``ManualClock`` it still yields to the event loop.

        >>> emu = Emulator(clock=ManualClock())
        >>> asyncio.run(emu.async_sleep(5)); emu.clock() - 1_767_225_600.0
        5.0
        """
        await asyncio.sleep(self._sleep_step(seconds, "Emulator.async_sleep.seconds"))

    def advance(self, seconds: float) -> None:
        """Move the emulator's ``ManualClock`` forward by ``seconds`` (over any transitions on the way).

        ``InvalidInputError`` if the clock is not a ``ManualClock`` (``Emulator.clock``) or ``seconds``
        is not a finite number >= 0 (``Emulator.advance.seconds``).

        >>> emu = Emulator(clock=ManualClock())
        >>> emu.advance(90); emu.clock() - 1_767_225_600.0
        90.0
        >>> Emulator().advance(1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        friendli_dedicated.errors.InvalidInputError: Emulator.clock: advance needs a ManualClock ... a SystemClock
        """
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise InvalidInputError(
                "Emulator.clock",
                f"advance needs a ManualClock (Emulator(clock=ManualClock())), this one is a {type(clock).__name__}",
            )
        step = checks.duration(seconds, "Emulator.advance.seconds")
        with self._lock:
            clock.advance(step)

    def inject(self, operation: str, status: int | str = 503, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests of ``operation`` with a fault instead of handling them.

        - ``operation``: an operationId of the contract (``dedicatedCreateEndpoint``, ...) or the SDK's
          name for it (``create``, ``create_from_wandb``, ``get``, ``status``, ``list``, ``versions``,
          ``update``, ``delete``, ``sleep``, ``wake``, ``terminate``, ``restart``);
        - ``status``: 429 or a 5xx, or ``"drop"`` (the connection is closed without a response);
        - ``times``: how many requests (a whole number >= 1);
        - ``retry_after``: seconds (at most an hour) sent as ``Retry-After`` and ``retry-after-ms``.

        A request is matched by its route (method and path), whatever its token or body; it changes
        nothing. Injected faults come before random ones (``Faults``, whose draws they leave in
        place), in the order they were asked for, and are counted in ``stats.faults``. A bad value
        raises ``InvalidInputError`` naming it (``Emulator.inject.operation``, ...), and nothing is
        injected.

        >>> import friendli_dedicated as fd
        >>> emu = Emulator(clock=ManualClock())
        >>> emu.inject("status", 503, times=3)
        >>> with emu.client(max_retries=1) as client:
        ...     client.endpoints.status("ep-1")
        Traceback (most recent call last):
        friendli_dedicated.errors.ServerError: ...
        >>> emu.pending_faults(), [r.status for r in emu.requests_for("status")]
        ({'dedicatedGetEndpointStatus': 1}, [503, 503])
        """
        operation_id = controls.operation_id(self.contract, operation, "Emulator.inject.operation")
        fault = controls.checked_fault(status, retry_after)
        count = controls.checked_times(times)
        self._admission.injections.add(operation_id, fault, times=count)

    def pending_faults(self) -> dict[str, int]:
        """The injected faults not used yet, as operationId -> how many (an empty dict: all used)."""
        return self._admission.injections.pending()

    def fail(self, endpoint_id: str, error_code: str, phase: str | None = None) -> None:
        """Make the endpoint's next transition end FAILED with ``error_code`` (reported in ``phase``).

        A transition toward RUNNING under way (deploying, updating, waking) ends FAILED: at the end
        of ``phase`` if it still has that phase to go through, else at the end of its current step
        (see ``_lifecycle.fail_transition``). ``phase`` defaults to the phase the code belongs to
        (``WORKLOAD_INIT_*`` codes while downloading the model, others while the engine
        initialises), or the phase the endpoint is in if that one is past. With none under way (the
        endpoint is RUNNING, say), the failure is armed and ends the next one: an update, a wake, a
        restart (only the last armed failure counts).

        ``error_code`` is an ``InferenceDeploymentErrorCode`` of the contract and ``phase`` one of
        its phases or None; an unknown ``endpoint_id`` (of any team) raises ``InvalidInputError``
        too, each naming the field (``Emulator.fail.endpoint_id``, ...).

        >>> import friendli_dedicated as fd
        >>> emu = Emulator(clock=ManualClock())
        >>> with emu.client() as client:
        ...     ep = client.endpoints.create("proj", "chat", "org/model", fd.GPU.H100)
        ...     emu.fail(ep.id, "INFERENCE_ENGINE_MEMORY_ERROR")
        ...     ep.wait_until_running(timeout=600)
        Traceback (most recent call last):
        friendli_dedicated.errors.EndpointFailedError: endpoint ep-... (error_code=INFERENCE_ENGINE_MEMORY_ERROR, ...
        """
        error_code, phase = controls.checked_failure(self.contract, error_code, phase)
        with self._lock:
            controls.fail_endpoint(self._operations.endpoints, endpoint_id, error_code, phase, self.clock())

    @property
    def requests(self) -> list[LoggedRequest]:
        """The requests this emulator saw, oldest first: the last ``request_log`` of them (see ``_log``).

        >>> emu = Emulator(clock=ManualClock())
        >>> with emu.client() as client:
        ...     _ = list(client.endpoints.list("proj"))
        >>> [(r.method, r.path, r.facade_name, r.status) for r in emu.requests]
        [('GET', '/dedicated/beta/endpoint', 'list', 200)]
        """
        return self._admission.log.entries()

    def requests_for(self, operation: str) -> list[LoggedRequest]:
        """The logged requests of ``operation`` (an operationId or the SDK's name, as for ``inject``), oldest first.

        >>> emu = Emulator(clock=ManualClock())
        >>> emu.requests_for("create")
        []
        """
        operation_id = controls.operation_id(self.contract, operation, "Emulator.requests_for.operation")
        return [entry for entry in self._admission.log.entries() if entry.operation == operation_id]
