"""``python -m friendli_dedicated.emulator``: serve the emulator over HTTP until interrupted.

Binds 127.0.0.1 unless ``--host`` says otherwise, and prints the base URL, the token and the team
to use, so a developer can point any client (``FRIENDLI_BASE_URL``, ``FRIENDLI_TOKEN``) at it.

    python -m friendli_dedicated.emulator --port 8080 --time-scale 0.1 --fault-rate 0.2 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from friendli_dedicated.emulator._core import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator
from friendli_dedicated.emulator._faults import Faults


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m friendli_dedicated.emulator", description="Serve a local Friendli Dedicated Endpoints emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind (0: a free one; default 8080)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply every duration (default 1.0)")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests answered by a fault")
    parser.add_argument("--seed", type=int, default=1234, help="seed of the fault sequence and ids")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set, for tests)."""
    args = parse_args(argv)
    faults = Faults(rate=args.fault_rate, seed=args.seed) if args.fault_rate > 0 else None
    emulator = Emulator(time_scale=args.time_scale, faults=faults, seed=args.seed)
    with emulator.serve(host=args.host, port=args.port) as base_url:
        print(f"Friendli Dedicated emulator at {base_url}", flush=True)
        print(f"  FRIENDLI_BASE_URL={base_url}", flush=True)
        print(f"  FRIENDLI_TOKEN={DEFAULT_TOKEN}", flush=True)
        print(f"  FRIENDLI_TEAM={DEFAULT_TEAM}", flush=True)
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
