"""Sending one API call: its deadline, retries, error mapping and response parsing, for both clients.

A ``Call`` is what the generated client would send (its ``_get_kwargs``: method, path, params,
JSON body, headers), whether it may be retried once it may have reached the server, and how to
parse a successful body. ``send_sync`` and ``send_async`` differ only in I/O and sleeping; every
decision (how long an attempt may take, retry or not, how long to wait, which exception) is made by
``Attempts``, which does no I/O.

Deadlines are promises. Every call has one: the client's ``timeout`` from the moment the call
starts, or sooner when the caller has one of its own (a wait's deadline). It bounds everything:

- each attempt's httpx timeouts (connect, write, read, pool) are capped by the time left;
- the body is read chunk by chunk and abandoned once the deadline passes, so a server that
  trickles its answer cannot hold the caller (async: the whole attempt runs under
  ``asyncio.timeout``);
- a retry, or a server's ``Retry-After``, that would end after the deadline is not waited for:
  the last error is raised at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import attrs
import httpx

from friendli_dedicated import _observe
from friendli_dedicated._config import ClientConfig
from friendli_dedicated._excerpt import excerpt
from friendli_dedicated._gate import RateLimitGate
from friendli_dedicated._parsing import Malformed
from friendli_dedicated._retry import (
    RATE_LIMITED,
    RetryPolicy,
    may_have_reached_server,
    parse_retry_after,
    retry_delay,
    should_retry,
)
from friendli_dedicated._status_errors import make_status_error, request_id_of
from friendli_dedicated.errors import RequestTimeoutError, ResponseFormatError, TransportError

__all__ = ["MAX_RESPONSE_BYTES", "Attempts", "Call", "Sender", "send_async", "send_sync"]

T = TypeVar("T")
logger = logging.getLogger("friendli_dedicated")

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""A response body larger than this is refused (a page of 100 endpoints is about 50 KB)."""
_MAX_URLS = 4096


@attrs.frozen
class Call(Generic[T]):
    """One request of the contract, ready to send; ``parse`` reads a 2xx body (raising ``Malformed``).

    ``deadline`` (on the client's clock), when set, is one the request must be sent within, besides
    the client's and the driver's: a flow caps the calls of a part of it so (``_flows.capped``).
    """

    kwargs: dict[str, Any]
    idempotent: bool
    parse: Callable[[bytes], T]
    operation: str = ""
    """The contract's operationId (``dedicatedGetEndpointStatus``), for telemetry."""
    endpoint_id: str | None = None
    """The endpoint the request is about, if one (for telemetry)."""
    project_id: str | None = None
    """The project the request is about, if one (for telemetry)."""
    deadline: float | None = None

    @property
    def label(self) -> str:
        return f"{self.kwargs['method'].upper()} {self.kwargs['url']}"


@attrs.frozen
class Reply:
    """A response whose body was read in full, within the deadline."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    request: httpx.Request
    reason_phrase: str

    def as_response(self) -> httpx.Response:
        """An ``httpx.Response`` with this (already decoded) body, for ``make_status_error``."""
        headers = [(k, v) for k, v in self.headers.multi_items() if k.lower() != "content-encoding"]
        response = httpx.Response(self.status_code, headers=headers, content=self.content, request=self.request)
        response.extensions["reason_phrase"] = self.reason_phrase.encode("ascii", "replace")
        return response


@attrs.frozen
class Sender:
    """What a client sends with: configuration, retry policy, timeouts, clock and randomness.

    ``timeout`` limits each network operation (httpx's connect, read, write and pool timeouts);
    ``total`` is the deadline of a whole call, retries included.
    """

    config: ClientConfig
    policy: RetryPolicy
    timeout: httpx.Timeout
    total: float
    random: Callable[[], float]
    clock: Callable[[], float]
    gate: RateLimitGate = attrs.field(factory=RateLimitGate, repr=False)
    """Shared by the client and its ``with_options`` copies: a 429 pauses them all."""
    longest_limit: float = attrs.field(init=False, repr=False)
    """The longest of ``timeout``'s limits (inf if one is unlimited): below it, an attempt's are capped."""
    # Parsing a URL costs httpx about 8 us, a tenth of an in-process call; a poller sends the same few
    # paths again and again. Kept because `nox -s bench` shows the per-call goal missed without it.
    _urls: dict[str, httpx.URL] = attrs.field(factory=dict, repr=False)

    @longest_limit.default
    def _longest_limit(self) -> float:
        limits = (self.timeout.connect, self.timeout.read, self.timeout.write, self.timeout.pool)
        return math.inf if None in limits else max(float(limit) for limit in limits if limit is not None)

    def url(self, path: str) -> httpx.URL:
        """The parsed URL of ``path`` under the base URL (parsed once per path)."""
        url = self._urls.get(path)
        if url is None:
            if len(self._urls) >= _MAX_URLS:
                self._urls.clear()
            url = self._urls[path] = httpx.URL(self.config.base_url + path)
        return url

    def request_args(self, call: Call[Any]) -> dict[str, Any]:
        """The arguments of ``httpx.Client.build_request`` for ``call`` (timeout added per attempt)."""
        kwargs = call.kwargs
        args: dict[str, Any] = {
            "method": kwargs["method"].upper(),
            "url": self.url(kwargs["url"]),
            "headers": {**self.config.headers, **(kwargs.get("headers") or {})},
        }
        if kwargs.get("params"):
            args["params"] = kwargs["params"]
        if "json" in kwargs:
            args["content"] = json.dumps(kwargs["json"], separators=(",", ":")).encode()
        return args

    def attempts(self, call: Call[T], deadline: float | None) -> Attempts[T]:
        """The bookkeeping of one call: its deadline is ``total`` from now, or ``deadline`` (or the
        call's own) if sooner."""
        limits = [self.clock() + self.total] + [d for d in (deadline, call.deadline) if d is not None]
        return Attempts(self, call, min(limits))


@attrs.define
class Attempts(Generic[T]):
    """One call's attempts: what each may take, and what to do after it. No I/O.

    The drivers ask ``timeout()`` before an attempt (it raises ``RequestTimeoutError`` when no
    time is left), then hand the outcome to ``after_error`` or ``after_reply``, which return the
    seconds to sleep before the next attempt or raise the call's error.
    """

    sender: Sender
    call: Call[T]
    deadline: float
    retries: int = 0
    """Retries after failures (``policy.max_retries``)."""
    rate_limited: int = 0
    """Retries after 429s, counted apart (``policy.max_rate_limited_retries``): a refusal is not a failure."""
    reached: bool = False
    """Whether an attempt so far may have reached the server."""
    epoch: int = 0
    """The gate's epoch when the current attempt went: a 429 slows the client only if it answers a
    request sent at the pace set by the last slowdown (turns are re-timed when the pace changes)."""
    ticket: int = -1
    """The number of the current attempt's turn at the gate (-1: unpaced, it went at once)."""
    paced: bool = False
    """Whether the current attempt waited for its turn (its success then tells the gate the pace held)."""
    sent_at: float = -math.inf
    """When the gate let the current attempt go (client clock): with the reply's time, its round trip."""

    def remaining(self) -> float:
        return self.deadline - self.sender.clock()

    def timeout(self) -> httpx.Timeout:
        """This attempt's httpx timeouts: the client's, each capped by the time left."""
        left = self.remaining()
        if left <= 0:
            raise self._timed_out("before it could be sent", sent=self.reached)
        limits = self.sender.timeout
        # A call's deadline is its longest limit: at its first attempt a few microseconds have gone.
        # Capping them would build a Timeout per call (a few percent of an in-process call); a limit
        # left as it is overruns the deadline by at most _CAP_SLACK, a fraction of a second.
        if left >= self.sender.longest_limit - _CAP_SLACK:
            return limits  # nothing to cap: the same object every time (most calls, at their start)
        return httpx.Timeout(
            connect=_capped(limits.connect, left),
            read=_capped(limits.read, left),
            write=_capped(limits.write, left),
            pool=_capped(limits.pool, left),
        )

    def gate_pause(self) -> float:
        """Seconds to wait at the client's rate-limit gate before this attempt (0.0: send now), then
        ``gate_recheck``. Raises ``RequestTimeoutError`` when the turn comes after the call's deadline.
        """
        gate = self.sender.gate
        self.epoch = gate.epoch  # read first: a slowdown racing with this turn must not count it twice
        self.sent_at = now = self.sender.clock()
        turn = gate.take(now=now, deadline=self.deadline)
        if turn is None:
            raise self._turn_too_late()
        pause, self.ticket = turn
        self.paced = pause > 0
        return pause

    def gate_recheck(self) -> float:
        """After the gate's pause: 0.0 when this attempt's turn has come, else the seconds to wait
        before looking again (the client's pace may change meanwhile). Raises ``RequestTimeoutError``
        when the turn now comes after the call's deadline."""
        gate = self.sender.gate
        self.epoch = gate.epoch
        self.sent_at = now = self.sender.clock()
        pause = gate.recheck(self.ticket, now=now, deadline=self.deadline)
        if pause is None:
            raise self._turn_too_late()
        return pause

    def _turn_too_late(self) -> RequestTimeoutError:
        return RequestTimeoutError(
            f"{self.call.label}: the client is pacing its requests after a 429, and this one's turn comes "
            "after its deadline",
            may_have_reached_server=self.reached,
        )

    def timed_out_reading(self) -> RequestTimeoutError:
        return self._timed_out("while the response was arriving", sent=True)

    def after_error(self, exc: httpx.RequestError, request: httpx.Request | None) -> float:
        """Seconds to wait before retrying after ``exc``; raises the call's TransportError otherwise."""
        call = self.call
        self.reached = self.reached or may_have_reached_server(exc)
        if should_retry(idempotent=call.idempotent, retries_done=self.retries, policy=self.sender.policy, exc=exc):
            delay = retry_delay(self.sender.policy, self.retries, retry_after=None, random=self.sender.random)
            if self._fits(delay):
                logger.info(
                    "retrying %s after %s in %.2fs (retry %d)", call.label, type(exc).__name__, delay, self.retries + 1
                )
                self.retries += 1
                return delay
        # The httpx exception is not chained (`from None` would still keep it as __context__, so the
        # drivers raise this outside their except blocks): its request carries the real headers.
        message = f"{call.label}: {type(exc).__name__}: {exc}"
        if isinstance(exc, httpx.TimeoutException):
            raise RequestTimeoutError(message, request=request, may_have_reached_server=self.reached)
        raise TransportError(message, request=request, may_have_reached_server=self.reached)

    def after_reply(self, reply: Reply) -> float | None:
        """None when the reply is a success; else seconds before a retry; else raises its APIError."""
        status = reply.status_code
        gate = self.sender.gate
        if status != RATE_LIMITED:
            self.reached = True
            gate.accepted(now=self.sender.clock(), paced=self.paced)
            if 200 <= status < 300:
                return None
        call = self.call
        policy = self.sender.policy
        # A 429 is a refusal before any processing: the request has not been acted on, and it is
        # retried on a count of its own (the deadline is what bounds a paced burst).
        limited = status == RATE_LIMITED
        done = self.rate_limited if limited else self.retries
        retry_after = parse_retry_after(reply.headers)
        delay = retry_delay(policy, done, retry_after=retry_after, random=self.sender.random)
        if limited:
            # The whole client pauses, not only this call: the retry below waits at the gate.
            gate.refused(now=self.sender.clock(), pause=delay, epoch=self.epoch, sent_at=self.sent_at)
        retry = should_retry(idempotent=call.idempotent, retries_done=done, policy=policy, status=status)
        if retry and self._fits(delay):
            logger.info("retrying %s after %d in %.2fs (retry %d)", call.label, status, delay, done + 1)
            if limited:
                self.rate_limited += 1
                return 0.0
            self.retries += 1
            return delay
        raise make_status_error(reply.as_response())

    def parse(self, reply: Reply) -> T:
        """The parsed body of a 2xx reply; a body that does not fit the contract is a ResponseFormatError."""
        try:
            return self.call.parse(reply.content)
        except Malformed as exc:
            reason = str(exc)
        raise self.malformed(reply, reason)

    def malformed(self, reply: Reply, reason: str) -> ResponseFormatError:
        body = excerpt(" ".join(reply.content[:1000].decode("utf-8", errors="replace").split()), 200)
        request_id = request_id_of(reply.headers)
        return ResponseFormatError(
            f"{self.call.label}: {reply.status_code} response does not match the API contract ({reason}); "
            f"body: {body}{_id_suffix(request_id)}",
            status_code=reply.status_code,
            body=body,
            request=reply.request,
            request_id=request_id,
        )

    def _fits(self, delay: float) -> bool:
        # A retry that could only start after the deadline is not worth the wait.
        return delay < self.remaining()

    def _timed_out(self, when: str, *, sent: bool) -> RequestTimeoutError:
        return RequestTimeoutError(f"{self.call.label}: deadline passed {when}", may_have_reached_server=sent)


def _id_suffix(request_id: str | None) -> str:
    return f" (request id {request_id})" if request_id else ""


_CAP_SLACK = 0.05
"""Seconds an attempt's httpx limits may reach past the call's deadline rather than be capped."""


def _capped(limit: float | None, left: float) -> float:
    return left if limit is None else min(limit, left)


class _TooLarge(Exception):
    """The body passed MAX_RESPONSE_BYTES."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.status_code = response.status_code
        self.request_id = request_id_of(response.headers)


# -- the two drivers: the same steps, with their own I/O ----------------------------------------------
def send_sync(
    http: httpx.Client, sender: Sender, call: Call[T], sleep: Callable[[float], None], *, deadline: float | None = None
) -> T:
    """Send ``call`` (retrying as the policy allows, within the deadline) and parse the reply."""
    attempts = sender.attempts(call, deadline)
    args = sender.request_args(call)
    watch = _observe.watch(sender, call)  # None unless the call is reported (logs, telemetry)
    while True:
        pause = attempts.gate_pause()  # this attempt's turn is taken: after the pause, it goes
        if watch is not None:
            watch.gate(pause)
        while pause > 0:
            sleep(pause)
            pause = attempts.gate_recheck()
        request = http.build_request(**args, timeout=attempts.timeout())
        if watch is not None:
            watch.sending(request)
        failure: httpx.RequestError | None = None
        reply: Reply | None = None
        try:
            reply = _exchange_sync(http, request, attempts)
        except httpx.RequestError as exc:
            failure = exc
        except _TooLarge as exc:
            raise _too_large(call, request, exc) from None
        finally:
            if watch is not None:  # the error on its way out, if any (a failure was caught)
                watch.done(request, reply, failure or sys.exc_info()[1])
        if reply is None:
            assert failure is not None
            sleep(attempts.after_error(failure, request))
            continue
        delay = attempts.after_reply(reply)
        if delay is None:
            return attempts.parse(reply)
        if delay > 0:  # 0.0: a 429, whose pause is the gate's, at the top of the loop
            sleep(delay)


def _exchange_sync(http: httpx.Client, request: httpx.Request, attempts: Attempts[Any]) -> Reply:
    response = http.send(request, stream=True, follow_redirects=False)
    try:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise _TooLarge(response)
            if attempts.remaining() <= 0:
                raise attempts.timed_out_reading()
        return Reply(response.status_code, response.headers, b"".join(chunks), request, response.reason_phrase)
    finally:
        response.close()


async def send_async(
    http: httpx.AsyncClient,
    sender: Sender,
    call: Call[T],
    sleep: Callable[[float], Awaitable[None]],
    *,
    deadline: float | None = None,
) -> T:
    """The async twin of ``send_sync``; each attempt also runs under ``asyncio.timeout``."""
    attempts = sender.attempts(call, deadline)
    args = sender.request_args(call)
    watch = _observe.watch(sender, call)
    while True:
        pause = attempts.gate_pause()  # this attempt's turn is taken: after the pause, it goes
        if watch is not None:
            watch.gate(pause)
        while pause > 0:
            await sleep(pause)
            pause = attempts.gate_recheck()
        request = http.build_request(**args, timeout=attempts.timeout())
        if watch is not None:
            watch.sending(request)
        failure: httpx.RequestError | None = None
        reply: Reply | None = None
        timed_out = False
        try:
            async with asyncio.timeout(max(0.0, attempts.remaining())):
                reply = await _exchange_async(http, request, attempts)
        except httpx.RequestError as exc:
            failure = exc
        except _TooLarge as exc:
            raise _too_large(call, request, exc) from None
        except TimeoutError:  # asyncio.timeout's: the deadline passed mid-attempt
            timed_out = True
        finally:
            if watch is not None:  # timed out: neither a reply nor an error
                watch.done(request, reply, failure or (None if timed_out else sys.exc_info()[1]))
        if timed_out:
            raise attempts.timed_out_reading()
        if reply is None:
            assert failure is not None
            await sleep(attempts.after_error(failure, request))
            continue
        delay = attempts.after_reply(reply)
        if delay is None:
            return attempts.parse(reply)
        if delay > 0:  # 0.0: a 429, whose pause is the gate's, at the top of the loop
            await sleep(delay)


async def _exchange_async(http: httpx.AsyncClient, request: httpx.Request, attempts: Attempts[Any]) -> Reply:
    response = await http.send(request, stream=True, follow_redirects=False)
    try:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise _TooLarge(response)
            if attempts.remaining() <= 0:
                raise attempts.timed_out_reading()
        return Reply(response.status_code, response.headers, b"".join(chunks), request, response.reason_phrase)
    finally:
        await response.aclose()


def _too_large(call: Call[Any], request: httpx.Request, exc: _TooLarge) -> ResponseFormatError:
    return ResponseFormatError(
        f"{call.label}: the {exc.status_code} response is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB; "
        f"stopped reading it{_id_suffix(exc.request_id)}",
        status_code=exc.status_code,
        request=request,
        request_id=exc.request_id,
    )
