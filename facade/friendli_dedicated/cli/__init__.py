"""``friendli-dedicated``: the command line for people, built on the facade (``friendli_dedicated.Client``).

Needs the ``cli`` extra (typer and rich): ``pip install 'friendli-dedicated[cli]'``. Nothing in
the library imports this package, and this package imports typer and rich only when ``main`` runs
or ``app`` is read, so ``import friendli_dedicated`` never pulls them in.

    friendli-dedicated endpoints create --project demo --name chat --model org/model --instance "1x H100" --wait
    friendli-dedicated endpoints list --json
    friendli-dedicated plan endpoints.yaml --detailed-exitcode

Exit codes: 0 success, 1 API or network error, 2 bad usage or invalid input, 3 endpoint failed
(or stopped) while waiting, 4 wait timed out (see ``_exit``).

Modules, one job each:

- ``_app``: the app: global options, the commands that need no endpoint, ``run``;
- ``_endpoints``: the ``endpoints`` commands;
- ``_as_code``: endpoints as code: ``validate``, ``plan``, ``apply`` and ``export`` of a desired-state file;
- ``_as_code_output``: what those print: a refused file, an apply's progress, its table, its Ctrl-C;
- ``_costs``: the ``costs`` command: what the endpoints cost, per endpoint and per project;
- ``_session``: running one command: its settings, its client (``client_factory``), its errors;
- ``_options``: the options the commands share, declared once (``JsonOpt``, ...), and how a command shows its arguments;
- ``_engine_flags``: one flag per engine option of the contract;
- ``_signatures``: the decorators that put generated flags in a command's signature;
- ``_translate``: the deployment flags' values as the facade's values;
- ``_output``: what commands print, tables or JSON;
- ``_progress``: showing a wait;
- ``_exit``: exit codes, and each error as one line and a code, in the command line's words (flags, not keywords);
- ``__main__``: ``python -m friendli_dedicated.cli``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["app", "main"]

_EXTRA_HINT = "the friendli-dedicated command line needs the 'cli' extra: pip install 'friendli-dedicated[cli]'"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (the ``friendli-dedicated`` console script); exits with its exit code."""
    try:
        from friendli_dedicated.cli._app import run
    except ImportError as exc:  # typer or rich missing: one clear line, not a traceback
        # click too: typer before 0.29 imports it (typer 0.29 vendors it; the CLI itself never does).
        if exc.name in ("typer", "rich", "click"):
            print(f"Error: {_EXTRA_HINT} ({exc.name} is not installed)", file=sys.stderr)
            sys.exit(1)
        raise
    run(argv)


def __getattr__(name: str) -> Any:
    if name == "app":
        from friendli_dedicated.cli._app import app

        return app
    raise AttributeError(f"module 'friendli_dedicated.cli' has no attribute {name!r}")
