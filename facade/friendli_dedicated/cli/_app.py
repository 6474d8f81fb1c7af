"""The ``friendli-dedicated`` app: its global options, the commands that need no endpoint, and ``run``.

The ``endpoints`` commands are in ``_endpoints``, ``costs`` in ``_costs``, those of endpoints as code
(validate, plan, apply, export) in ``_as_code``; running a command (its client, its errors) is
``_session``'s job; the options are declared in ``_options``. Every command registered here shows its
arguments plainly (``_options.ReadableCommand``); typer's shell completion is on
(``--install-completion``, ``--show-completion``).
"""

import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from typer.core import TyperCommand

import friendli_dedicated as fd
from friendli_dedicated.cli import _as_code, _output
from friendli_dedicated.cli._costs import costs
from friendli_dedicated.cli._endpoints import endpoints_app
from friendli_dedicated.cli._exit import EXIT_CODES_HELP, ExitCode, Failure, Refusal
from friendli_dedicated.cli._options import JsonOpt, ReadableCommand
from friendli_dedicated.cli._session import Settings, command

__all__ = ["app", "run"]


# The exit codes are the epilog (below the options), as on every command; not repeated here.
_HELP = """Manage Friendli Dedicated Endpoints from the terminal.

Configuration: FRIENDLI_TOKEN (required), FRIENDLI_TEAM and FRIENDLI_BASE_URL, or --token, --team
and --base-url before the command; FRIENDLI_PROJECT, or --project, for the commands that take a
project. Every command takes --json for scripts: one JSON document on stdout, nothing else. Shell
completion: --install-completion (or --show-completion to see the script)."""

app = typer.Typer(
    name="friendli-dedicated",
    help=_HELP,
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    # Rich tracebacks show local variables, and a local variable may hold the token.
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(endpoints_app, name="endpoints")
_as_code.register(app)  # validate, plan, apply, export
app.command("costs", epilog=EXIT_CODES_HELP)(costs)


def _sdk_version() -> str:
    return str(fd.__version__)


def _print_version(value: bool) -> None:
    if value:
        pin = fd.CONTRACT_PIN
        typer.echo(f"friendli-dedicated {_sdk_version()} (API contract {pin.short()}, pinned {pin.retrieved})")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="API token (default: $FRIENDLI_TOKEN; prefer the variable, a command line is visible to others).",
            show_default=False,
        ),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option("--team", help="Team id, sent as X-Friendli-Team (default: $FRIENDLI_TEAM).", show_default=False),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="API base URL (default: $FRIENDLI_BASE_URL, else https://api.friendli.ai).",
            show_default=False,
        ),
    ] = None,
    max_retries: Annotated[
        int, typer.Option("--max-retries", min=0, help="Retries of idempotent requests on transient errors.")
    ] = 2,
    allow_insecure: Annotated[
        bool, typer.Option("--allow-insecure", help="Permit plain http:// to a non-loopback host.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback with errors.")] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Show the SDK's log on stderr: each request (method, path, status, request id) and each "
            "change of state a wait sees.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_print_version, help="Show the version and exit."),
    ] = False,
) -> None:
    """Manage Friendli Dedicated Endpoints from the terminal."""
    ctx.obj = Settings(
        token=token,
        team=team,
        base_url=base_url,
        max_retries=max_retries,
        allow_insecure=allow_insecure,
        debug=debug,
        verbose=verbose,
    )


@app.command("instance-options", epilog=EXIT_CODES_HELP)
def instance_options(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List the GPU kinds and counts an endpoint can run on (from the pinned API contract)."""
    with command(ctx, json_) as session:
        rows = _output.instance_options_json()
        session.out.rows(("INSTANCE", "GPU", "COUNT", "ID"), ("instance", "gpu", "count", "id"), rows)


@app.command("contract", epilog=EXIT_CODES_HELP)
def contract(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Show the API contract this SDK was generated from (upstream and surface sha256, date) and its version."""
    with command(ctx, json_) as session:
        session.out.fields(_output.contract_pin_json(_sdk_version()))


# The command's name before 1.0.0 ("spec" now means only an endpoint's specification).
app.command("spec", epilog=EXIT_CODES_HELP, hidden=True, deprecated=True)(contract)


@app.command("emulator", epilog=EXIT_CODES_HELP)
def emulator(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to bind (loopback by default; 0.0.0.0: every interface, exports still loopback)."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to bind (0: a free one).")] = 8080,
    time_scale: Annotated[float, typer.Option("--time-scale", help="Multiply every lifecycle duration.")] = 1.0,
    fault_rate: Annotated[float, typer.Option("--fault-rate", help="Share of requests answered by a fault.")] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the fault sequence and the endpoint ids.")] = 1234,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit", help="Requests per second per token; beyond it, 429 with Retry-After.", show_default=False
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Serve a local emulator of the API until Ctrl-C (needs the 'emulator' extra).

    The same launcher and options as `python -m friendli_dedicated.emulator`. It prints the base URL,
    token and team to export, so that other terminals can point this CLI (or any client) at it.
    Ctrl-C (or SIGTERM) stops it cleanly, with exit code 0.
    """
    with command(ctx, json_) as session:
        try:
            from friendli_dedicated.emulator import _launcher
        except ImportError as exc:  # jsonschema, starlette or uvicorn
            missing = f"{exc.name} is missing" if exc.name else str(exc)
            raise fd.ConfigurationError(
                f"the emulator needs the 'emulator' extra: pip install 'friendli-dedicated[emulator]' ({missing})"
            ) from None
        options = _launcher.LaunchOptions(
            host=host, port=port, time_scale=time_scale, fault_rate=fault_rate, seed=seed, rate_limit=rate_limit
        )

        def announce(base_url: str) -> None:
            if session.out.json_mode:
                session.out.emit(_launcher.connection(base_url))
            else:
                for line in _launcher.export_lines(base_url):
                    session.out.note(line)
            sys.stdout.flush()

        try:
            _launcher.serve_until_stopped(options, announce)
        except fd.TransportError as exc:  # the socket could not be bound: the port is taken, or not ours
            raise Refusal(
                Failure(
                    ExitCode.USAGE,
                    str(exc),
                    "pick another --port (--port 0 takes a free one, and the first line says which), or another --host",
                    {"type": type(exc).__name__, "option": "--port"},
                )
            ) from None


def _readable(typer_app: typer.Typer) -> None:
    """Every command of ``typer_app`` (and of its groups) shows its arguments plainly (``ReadableCommand``)."""
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):  # typer's default, not a class a command chose
            info.cls = ReadableCommand
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _readable(group.typer_instance)


_readable(app)


def run(argv: Sequence[str] | None = None) -> None:
    """Run the app as ``friendli-dedicated`` and exit with its code."""
    app(args=None if argv is None else list(argv), prog_name="friendli-dedicated")
