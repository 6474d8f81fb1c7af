"""Serving the emulator from a shell: the one launcher behind both of its command lines.

``python -m friendli_dedicated.emulator`` (argparse, the ``emulator`` extra alone) and
``friendli-dedicated emulator`` (the CLI) take the same options (``LaunchOptions``), print the same
lines (``export_lines``, or ``connection`` as JSON) and stop the same way (``serve_until_stopped``).

Stopping is race-free: SIGINT (Ctrl-C) and SIGTERM are taken over before the server starts and
before anything is printed, and from then on a signal only asks the loop to stop, so an interrupt
that arrives while the server starts, while the lines are printed or while it serves always ends
in the same clean shutdown (exit status 0), never in a ``KeyboardInterrupt`` from the middle of
the code. The handler only sets a flag: a signal handler runs between two bytecodes of the main
thread, possibly while that thread holds a ``threading`` lock, so it must not take one.

>>> export_lines("http://127.0.0.1:8080")[1]
'  export FRIENDLI_BASE_URL=http://127.0.0.1:8080'
>>> LaunchOptions(port=70000)
Traceback (most recent call last):
friendli_dedicated.errors.InvalidInputError: port: must be a port number from 0 to 65535 (0: a free one), got 70000
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

import attrs

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator import _checks as checks
from friendli_dedicated.emulator._core import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator
from friendli_dedicated.emulator._faults import Faults
from friendli_dedicated.errors import InvalidInputError, TransportError

__all__ = [
    "STOP_SIGNALS",
    "LaunchOptions",
    "connection",
    "export_lines",
    "local_url",
    "serve_until_stopped",
    "stop_on_signals",
]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""The signals that stop a served emulator cleanly (Ctrl-C, and what ``kill`` and supervisors send)."""

_POLL_SECONDS = 0.1  # how soon the loop notices a signal's flag; shutdown itself takes longer


def _host(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    # The emulator's own rule (an IP address or "localhost": no name lookups), named as the option.
    checks.host(value, "host")


def _port(_instance: object, _attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 65535:
        raise InvalidInputError("port", f"must be a port number from 0 to 65535 (0: a free one), got {shown(value)}")


def _time_scale(_instance: object, _attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not (math.isfinite(value) and value >= 0):
        raise InvalidInputError("time_scale", f"must be a finite number >= 0, got {shown(value)}")


def _fault_rate(_instance: object, _attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise InvalidInputError("fault_rate", f"must be a number from 0 to 1, got {shown(value)}")


def _rate_limit(_instance: object, _attribute: attrs.Attribute[float | None], value: float | None) -> None:
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool) or not (math.isfinite(value) and value > 0):
        raise InvalidInputError("rate_limit", f"must be a number of requests per second > 0, got {shown(value)}")


def _seed(_instance: object, _attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError("seed", f"must be an integer, got {shown(value)}")


@attrs.frozen
class LaunchOptions:
    """The options of both command lines, checked when built (``InvalidInputError`` names the field).

    >>> LaunchOptions(time_scale=0.1, fault_rate=0.2, seed=1).emulator().faults.rate
    0.2
    """

    host: str = attrs.field(default="127.0.0.1", validator=_host)
    """Address to bind: loopback unless told otherwise."""
    port: int = attrs.field(default=8080, validator=_port)
    """Port to bind; 0 picks a free one (the printed URL says which)."""
    time_scale: float = attrs.field(default=1.0, validator=_time_scale)
    """Multiplies every lifecycle duration (0.1: a deployment takes seconds instead of minutes)."""
    fault_rate: float = attrs.field(default=0.0, validator=_fault_rate)
    """Share of requests answered by a fault (429, 503 or a dropped connection)."""
    seed: int = attrs.field(default=1234, validator=_seed)
    """Seed of the fault sequence and of the endpoint ids."""
    rate_limit: float | None = attrs.field(default=None, validator=_rate_limit)
    """Requests per second per token beyond which the emulator answers 429 (None: no limit)."""

    def emulator(self) -> Emulator:
        """A new emulator with these options (faults only when ``fault_rate`` is above 0)."""
        faults = Faults(rate=self.fault_rate, seed=self.seed) if self.fault_rate > 0 else None
        return Emulator(time_scale=self.time_scale, faults=faults, seed=self.seed, rate_limit=self.rate_limit)


def local_url(base_url: str) -> str:
    """The URL a client on this machine uses: for a server bound to every interface (``0.0.0.0``,
    ``::``), its loopback address, which clients take over plain http (the bound one they refuse).

    >>> local_url("http://0.0.0.0:8080"), local_url("http://[::]:8080"), local_url("http://127.0.0.1:8080")
    ('http://127.0.0.1:8080', 'http://[::1]:8080', 'http://127.0.0.1:8080')
    """
    scheme, _, rest = base_url.partition("://")
    host, _, port = rest.rpartition(":")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return base_url
    if not address.is_unspecified:
        return base_url
    loopback = "[::1]" if address.version == 6 else "127.0.0.1"
    return f"{scheme}://{loopback}:{port}"


def export_lines(base_url: str) -> list[str]:
    """What a served emulator prints: where it is, and the variables that point a client at it.

    Bound to every interface, it says so, and the URL to export is the loopback one (``local_url``).
    """
    url = local_url(base_url)
    lines = [f"Friendli Dedicated emulator at {url} (Ctrl-C to stop)"]
    if url != base_url:
        bound = base_url.partition("://")[2].rpartition(":")[0]
        lines.append(f"  (bound to {bound}, every interface: from another machine, use this machine's address)")
    return [
        *lines,
        f"  export FRIENDLI_BASE_URL={url}",
        f"  export FRIENDLI_TOKEN={DEFAULT_TOKEN}",
        f"  export FRIENDLI_TEAM={DEFAULT_TEAM}",
    ]


def connection(base_url: str) -> dict[str, str]:
    """The same facts as one JSON object (``friendli-dedicated emulator --json``), the URL as
    ``export_lines`` gives it.

    >>> connection("http://127.0.0.1:8080")["token"]
    'emulator-token'
    """
    return {"baseUrl": local_url(base_url), "token": DEFAULT_TOKEN, "team": DEFAULT_TEAM}


@contextlib.contextmanager
def stop_on_signals(stop: Callable[[str], None]) -> Iterator[bool]:
    """While the block runs, SIGINT and SIGTERM call ``stop(signal name)`` instead of interrupting.

    Yields whether the handlers were installed: only the main thread can install them (elsewhere,
    as in a test that serves from a thread, signals keep their handlers and the caller's own stop
    event is the way to stop). The previous handlers are restored when the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield False
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop(signal.Signals(signum).name)

    previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
    try:
        yield True
    finally:
        for number, old in previous.items():
            # None: a handler not installed from Python; the default is the closest we can restore.
            signal.signal(number, signal.SIG_DFL if old is None else old)


def serve_until_stopped(
    options: LaunchOptions,
    on_ready: Callable[[str], None],
    *,
    stop: threading.Event | None = None,
    on_stopping: Callable[[str], None] | None = None,
) -> str:
    """Serve an emulator on ``options.host:port`` until SIGINT, SIGTERM or ``stop``; return why it stopped.

    ``on_ready(base_url)`` runs once the server answers (it prints what to export). A signal that
    arrives at any point from the call on stops the server cleanly; so does setting ``stop`` from
    another thread. ``on_stopping(reason)`` runs before the shutdown ("SIGINT", "SIGTERM" or
    "stop"); the default writes "stopping (REASON)" to stderr. A socket that cannot be bound raises
    ``InvalidInputError`` for a host that does not resolve and ``TransportError`` otherwise (the
    port is taken, or not ours to bind).
    """
    # A list, not an Event: appending takes no lock, so the signal handler may do it.
    reasons: list[str] = []
    external = stop if stop is not None else threading.Event()
    with stop_on_signals(reasons.append), contextlib.ExitStack() as stack:
        where = f"{options.host}:{options.port}"
        try:
            base_url = stack.enter_context(options.emulator().serve(host=options.host, port=options.port))
        except socket.gaierror as exc:  # the name does not resolve
            raise InvalidInputError("host", f"cannot bind {where}: {exc.strerror or exc}") from None
        except OSError as exc:
            raise TransportError(f"cannot serve on {where}: {exc.strerror or exc}") from None
        on_ready(base_url)
        while not reasons and not external.wait(_POLL_SECONDS):
            pass
        reason = reasons[0] if reasons else "stop"
        (on_stopping or _say_stopping)(reason)
    return reason


def _say_stopping(reason: str) -> None:
    print(f"stopping ({reason})", file=sys.stderr, flush=True)
