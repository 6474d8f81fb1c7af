"""``python -m friendli_dedicated.emulator``: serve the emulator over HTTP until interrupted.

Binds 127.0.0.1 unless ``--host`` says otherwise, and prints the base URL, the token and the team
to export, so a developer can point any client (``FRIENDLI_BASE_URL``, ``FRIENDLI_TOKEN``) at it.
Ctrl-C or SIGTERM stops it cleanly (exit status 0). ``friendli-dedicated emulator`` (the ``cli``
extra) is the same launcher (``_launcher``) with the same options; this one needs only the
``emulator`` extra.

    python -m friendli_dedicated.emulator --port 8080 --time-scale 0.1 --fault-rate 0.2 --seed 1 --rate-limit 50
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from friendli_dedicated.emulator._launcher import LaunchOptions, export_lines, serve_until_stopped
from friendli_dedicated.errors import InvalidInputError, TransportError

_DEFAULTS = LaunchOptions()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m friendli_dedicated.emulator",
        description="Serve a local Friendli Dedicated Endpoints emulator until Ctrl-C.",
    )
    parser.add_argument("--host", default=_DEFAULTS.host, help=f"address to bind (default {_DEFAULTS.host})")
    parser.add_argument(
        "--port", type=int, default=_DEFAULTS.port, help=f"port to bind (0: a free one; default {_DEFAULTS.port})"
    )
    parser.add_argument(
        "--time-scale", type=float, default=_DEFAULTS.time_scale, help="multiply every lifecycle duration (default 1.0)"
    )
    parser.add_argument(
        "--fault-rate", type=float, default=_DEFAULTS.fault_rate, help="share of requests answered by a fault (0 to 1)"
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=_DEFAULTS.rate_limit,
        help="requests per second per token; beyond it, 429 with Retry-After (default: no limit)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=_DEFAULTS.seed,
        help=f"seed of faults and ids (default {_DEFAULTS.seed})",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> LaunchOptions:
    """The command line's options, checked (a bad value exits 2 with a line naming the option)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return LaunchOptions(
            host=args.host,
            port=args.port,
            time_scale=args.time_scale,
            fault_rate=args.fault_rate,
            seed=args.seed,
            rate_limit=args.rate_limit,
        )
    except InvalidInputError as exc:
        parser.error(f"argument --{exc.field.replace('_', '-')}: {exc.message}")


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM (or until ``stop`` is set, for tests); the exit status."""
    options = parse_args(argv)

    def announce(base_url: str) -> None:
        for line in export_lines(base_url):
            print(line, flush=True)

    try:
        serve_until_stopped(options, announce, stop=stop)
    except (InvalidInputError, TransportError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2 if isinstance(exc, InvalidInputError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
