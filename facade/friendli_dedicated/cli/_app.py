"""The commands of ``friendli-dedicated``: a thin layer of options over ``friendli_dedicated.Client``.

The options and their translation into the facade's values are in ``_options`` (the engine options
of create and update are generated there from the contract); this module has the commands only.

Every command that talks to the API gets its client from ``client_factory(settings)``, the one
place a client is built: tests replace it (``monkeypatch.setattr(_app, "client_factory", ...)``)
with one wired to the in-process emulator, so the commands run end to end without sockets. Inputs
are checked by the facade (``InstanceOption``, ``Autoscaling``, the engine options), so the CLI
refuses exactly what the library refuses, with the option named.
"""

import contextlib
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any

import attrs
import typer

import friendli_dedicated as fd
from friendli_dedicated._validate import seconds
from friendli_dedicated.cli import _output
from friendli_dedicated.cli._exit import EXIT_CODES_HELP, ExitCode, Failure, describe
from friendli_dedicated.cli._options import (
    CommentOpt,
    DeploymentFlags,
    EndpointArg,
    JsonOpt,
    ModelOpt,
    NameOpt,
    NewModelOpt,
    NewNameOpt,
    ProjectOpt,
    RevisionOpt,
    TimeoutOpt,
    WaitOpt,
    instance_examples,
    with_deployment_flags,
)
from friendli_dedicated.cli._output import Output, duration, state_json, version_json
from friendli_dedicated.cli._progress import WaitDisplay
from friendli_dedicated.errors import InvalidInputError

__all__ = ["Settings", "app", "client_factory", "default_client_factory", "run"]


@attrs.frozen
class Settings:
    """The global options: how to reach the API. None means "the facade's default" (environment)."""

    token: str | None = attrs.field(default=None, repr=False)
    team: str | None = None
    base_url: str | None = None
    max_retries: int = 2
    allow_insecure: bool = False
    debug: bool = False


def default_client_factory(settings: Settings) -> fd.Client:
    """A ``friendli_dedicated.Client`` from the options; unset ones come from FRIENDLI_* variables."""
    return fd.Client(
        token=settings.token,
        team_id=settings.team,
        base_url=settings.base_url,
        max_retries=settings.max_retries,
        allow_insecure=settings.allow_insecure,
    )


client_factory: Callable[[Settings], fd.Client] = default_client_factory
"""Builds the client of every command (replace it in tests)."""


_HELP = f"""Manage Friendli Dedicated Endpoints from the terminal.

Configuration: FRIENDLI_TOKEN (required), FRIENDLI_TEAM and FRIENDLI_BASE_URL, or --token, --team
and --base-url before the command. Every command takes --json for scripts: one JSON document on
stdout, nothing else.

{EXIT_CODES_HELP}"""

app = typer.Typer(
    name="friendli-dedicated",
    help=_HELP,
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    # Rich tracebacks show local variables, and a local variable may hold the token.
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
endpoints_app = typer.Typer(
    help=f"Create, inspect, change and wait for endpoints.\n\n{EXIT_CODES_HELP}",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(endpoints_app, name="endpoints")


# -- running a command -----------------------------------------------------------------------------
class Session:
    """One command's settings, output and (built on first use) client."""

    def __init__(self, settings: Settings, output: Output) -> None:
        self.settings = settings
        self.out = output
        self._client: fd.Client | None = None

    @property
    def client(self) -> fd.Client:
        if self._client is None:
            self._client = client_factory(self.settings)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


@contextlib.contextmanager
def _command(ctx: typer.Context, json_mode: bool) -> Iterator[Session]:
    """Run a command's body: every error becomes one line (and a hint) and its exit code."""
    settings = _settings(ctx)
    session = Session(settings, Output(json_mode=json_mode))
    try:
        with _warnings_as_lines(session.out):
            yield session
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except KeyboardInterrupt:
        session.out.failure(Failure(ExitCode.INTERRUPTED, "interrupted"))
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Exception as exc:
        if settings.debug:
            traceback.print_exception(exc, file=sys.stderr)
        failure = describe(exc)
        session.out.failure(failure)
        raise typer.Exit(int(failure.code)) from None
    finally:
        session.close()


@contextlib.contextmanager
def _warnings_as_lines(out: Output) -> Iterator[None]:
    """Warnings (the escape hatches' ``UnlistedWarning``) as one ``Warning:`` line each on stderr, once."""
    seen: set[str] = set()

    def show(message: Warning | str, *_: object, **__: object) -> None:
        text = str(message)
        if text not in seen:
            seen.add(text)
            out.warning(text)

    with warnings.catch_warnings():
        warnings.simplefilter("always", fd.UnlistedWarning)  # shown once each by ``show``, not once per place
        warnings.showwarning = show
        yield


def _wait(session: Session, endpoint_id: str, timeout: float, *, wake: bool = False) -> fd.EndpointState:
    """Wait until ``endpoint_id`` is RUNNING, showing progress; notes say what is happening."""
    # Everything that can be refused is refused before the first note: a bad option or configuration
    # must not print "Waiting for ..." and then an error.
    _check_timeout(timeout)
    session.client.endpoints.get_handle(endpoint_id)  # builds the client and checks the id, sends nothing
    out = session.out
    out.note(f"Waiting for {endpoint_id} to be RUNNING (timeout {duration(timeout)})...")
    console = out.notes
    with WaitDisplay(console, endpoint_id, live=console.is_terminal) as display:
        state = session.client.endpoints.wait_until_running(
            endpoint_id, timeout=timeout, on_progress=display, wake=wake
        )
    out.note(f"{endpoint_id} is {state.status.value} after {duration(display.elapsed)}.")
    return state


def _show_state(session: Session, endpoint_id: str, state: fd.EndpointState) -> None:
    session.out.state(state_json(endpoint_id, state))


# -- root ------------------------------------------------------------------------------------------
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
    )


@app.command("instance-options", epilog=EXIT_CODES_HELP)
def instance_options(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List the GPU kinds and counts an endpoint can run on (from the pinned API contract)."""
    with _command(ctx, json_) as session:
        rows = _output.instance_options_json()
        session.out.rows(("INSTANCE", "GPU", "COUNT", "ID"), ("instance", "gpu", "count", "id"), rows)


@app.command("contract", epilog=EXIT_CODES_HELP)
def contract(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Show the API contract this SDK was generated from (upstream and surface sha256, date) and its version."""
    with _command(ctx, json_) as session:
        session.out.fields(_output.contract_pin_json(_sdk_version()))


# The command's name before 1.0.0 ("spec" now means only an endpoint's specification).
app.command("spec", epilog=EXIT_CODES_HELP, hidden=True, deprecated=True)(contract)


@app.command("emulator", epilog=EXIT_CODES_HELP)
def emulator(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback by default).")] = "127.0.0.1",
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
    with _command(ctx, json_) as session:
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

        _launcher.serve_until_stopped(options, announce)


# -- endpoints -------------------------------------------------------------------------------------
@endpoints_app.command("list", epilog=EXIT_CODES_HELP)
def list_endpoints(
    ctx: typer.Context,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Only this project's endpoints.", show_default=False)
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Show at most this many.", show_default=False)] = None,
    wide: Annotated[bool, typer.Option("--wide", "-w", help="Add name, project, instance and replicas.")] = False,
    json_: JsonOpt = False,
) -> None:
    """List endpoints (of the team, or of --project) with their status."""
    with _command(ctx, json_) as session:
        endpoints = session.client.endpoints
        found = list(endpoints.list(project, limit=limit))  # --limit and limit: at most this many
        rows = []
        for endpoint in found:
            row = state_json(endpoint.id, endpoint.state)
            if wide:
                details = endpoint.spec()
                row.update(
                    name=details.name,
                    projectId=details.project_id,
                    instance=f"{details.num_gpu}x {details.gpu_type}",
                    replicas=_replicas(details.curr_replica_cnt, details.desired_replica_cnt),
                )
            rows.append(row)
        session.out.states(rows, wide=wide)


def _replicas(current: object, desired: object) -> str:
    shown = [value if isinstance(value, int) else "-" for value in (current, desired)]
    return f"{shown[0]}/{shown[1]}"


@endpoints_app.command("get", epilog=EXIT_CODES_HELP)
def get(ctx: typer.Context, endpoint_id: EndpointArg, json_: JsonOpt = False) -> None:
    """Show an endpoint's specification (instance, replicas, engine options)."""
    with _command(ctx, json_) as session:
        session.out.spec(endpoint_id, session.client.endpoints.get(endpoint_id))


@endpoints_app.command("status", epilog=EXIT_CODES_HELP)
def status(ctx: typer.Context, endpoint_id: EndpointArg, json_: JsonOpt = False) -> None:
    """Show an endpoint's status, phase and error code (with a hint when it FAILED)."""
    with _command(ctx, json_) as session:
        _show_state(session, endpoint_id, session.client.endpoints.status(endpoint_id))


@endpoints_app.command("create", epilog=EXIT_CODES_HELP)
@with_deployment_flags
def create(
    ctx: typer.Context,
    project: ProjectOpt,
    name: NameOpt,
    model: ModelOpt,
    deployment: DeploymentFlags,
    revision: RevisionOpt = None,
    comment: CommentOpt = None,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = 1800.0,
    json_: JsonOpt = False,
) -> None:
    """Deploy a model on an instance (--instance, or --gpu and --count: see instance-options); --wait for it."""
    with _command(ctx, json_) as session:
        option = deployment.instance_option()
        if option is None:
            raise InvalidInputError(
                "instance", f"is required: --instance {instance_examples()} (or a raw option id), or --gpu and --count"
            )
        scaling = deployment.scaling()
        extra = deployment.extra_engine_options()
        if wait:  # checked now: a bad --timeout must not be found after GPUs were requested
            _check_timeout(timeout)
        endpoint = session.client.endpoints.create(
            project,
            name,
            model,
            option,
            autoscaling=scaling,
            revision=revision,
            comment=comment,
            extra_engine_options=extra,
            **deployment.engine,
        )
        session.out.note(f"Created endpoint {endpoint.id} ({name} in project {project}, {option}).")
        state = endpoint.state
        if wait:
            state = _wait(session, endpoint.id, timeout)
        elif not session.out.json_mode:
            session.out.note(f"Wait for it: friendli-dedicated endpoints wait {endpoint.id}")
        if session.out.json_mode or not wait:
            session.out.state(state_json(endpoint.id, state))


def _check_timeout(timeout: float) -> None:
    if not timeout >= 0 or timeout == float("inf"):
        raise InvalidInputError("timeout", f"must be a finite number of seconds >= 0, got {timeout}")
    seconds(timeout, "timeout")  # and no longer than the SDK's waits take (TIMEOUT_MAX)


@endpoints_app.command("update", epilog=EXIT_CODES_HELP)
@with_deployment_flags
def update(
    ctx: typer.Context,
    endpoint_id: EndpointArg,
    *,
    name: NewNameOpt = None,
    model: NewModelOpt = None,
    deployment: DeploymentFlags,
    revision: RevisionOpt = None,
    comment: CommentOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change an endpoint (a new version in its history); only the given options change."""
    with _command(ctx, json_) as session:
        updated = session.client.endpoints.update(
            endpoint_id,
            name=name,
            model=model,
            revision=revision,
            instance=deployment.instance_option(),
            autoscaling=deployment.scaling(),
            comment=comment,
            extra_engine_options=deployment.extra_engine_options(),
            **deployment.engine,
        )
        session.out.note(f"Updated endpoint {endpoint_id}; it rolls out the new version now.")
        session.out.spec(endpoint_id, updated)


@endpoints_app.command("delete", epilog=EXIT_CODES_HELP)
def delete(ctx: typer.Context, endpoint_id: EndpointArg, json_: JsonOpt = False) -> None:
    """Delete an endpoint (it is gone afterwards: get/status answer 404)."""
    with _command(ctx, json_) as session:
        session.client.endpoints.delete(endpoint_id)
        if session.out.json_mode:
            session.out.emit({"id": endpoint_id, "deleted": True})
        else:
            session.out.note(f"Deleted endpoint {endpoint_id}.")


def _lifecycle(
    ctx: typer.Context, endpoint_id: str, action: str, json_mode: bool, wait: bool = False, timeout: float = 1800.0
) -> None:
    with _command(ctx, json_mode) as session:
        if wait:
            _check_timeout(timeout)
        state: fd.EndpointState = getattr(session.client.endpoints, action)(endpoint_id)
        if wait:
            session.out.note(f"{endpoint_id}: {state.status.value}")
            state = _wait(session, endpoint_id, timeout)
            if session.out.json_mode:
                _show_state(session, endpoint_id, state)
            return
        _show_state(session, endpoint_id, state)


def _lifecycle_command(action: str, help_text: str, *, can_wait: bool) -> None:
    """Register ``endpoints ACTION ENDPOINT_ID``; the actions that end in RUNNING also take --wait."""
    if can_wait:

        def command(
            ctx: typer.Context,
            endpoint_id: EndpointArg,
            wait: WaitOpt = False,
            timeout: TimeoutOpt = 1800.0,
            json_: JsonOpt = False,
        ) -> None:
            _lifecycle(ctx, endpoint_id, action, json_, wait, timeout)

    else:

        def command(ctx: typer.Context, endpoint_id: EndpointArg, json_: JsonOpt = False) -> None:  # type: ignore[misc]
            _lifecycle(ctx, endpoint_id, action, json_)

    endpoints_app.command(action, help=help_text, epilog=EXIT_CODES_HELP)(command)


_lifecycle_command("sleep", "Put an endpoint to sleep: no replicas, no GPU bill (wake brings it back).", can_wait=False)
_lifecycle_command("wake", "Wake a sleeping endpoint (--wait: until it is RUNNING).", can_wait=True)
_lifecycle_command(
    "terminate", "Terminate an endpoint (TERMINATING, then TERMINATED; restart brings it back).", can_wait=False
)
_lifecycle_command("restart", "Restart a FAILED or TERMINATED endpoint (--wait: until it is RUNNING).", can_wait=True)


@endpoints_app.command("wait", epilog=EXIT_CODES_HELP)
def wait_command(
    ctx: typer.Context,
    endpoint_ids: Annotated[
        list[str], typer.Argument(metavar="ENDPOINT_ID...", help="The endpoints' ids.", show_default=False)
    ],
    timeout: TimeoutOpt = 1800.0,
    wake_: Annotated[bool, typer.Option("--wake", help="Wake the endpoints that are SLEEPING.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Wait until endpoints are RUNNING, showing status, phase and elapsed time.

    One id: a live display of its progress. Several: they are watched together through their
    projects' listings (one line per change), and a table of every endpoint ends the wait.
    An id given twice is waited for, and shown, once; one that does not exist shows as NOT FOUND.
    Exit code 3 if any FAILED (error code and hint shown), stopped or was not found, else 4 if
    --timeout passed first for any.
    """
    endpoint_ids = list(dict.fromkeys(endpoint_ids))  # the order given, each id once
    with _command(ctx, json_) as session:
        if len(endpoint_ids) == 1:
            (endpoint_id,) = endpoint_ids
            state = _wait(session, endpoint_id, timeout, wake=wake_)
            if session.out.json_mode:
                _show_state(session, endpoint_id, state)
            return
        _wait_fleet(session, endpoint_ids, timeout, wake=wake_)


def _wait_fleet(session: Session, endpoint_ids: list[str], timeout: float, *, wake: bool) -> None:
    """Wait for several endpoints with ``wait_all``: a line per change, then every endpoint's state."""
    _check_timeout(timeout)
    endpoints = session.client.endpoints
    for endpoint_id in endpoint_ids:
        endpoints.get_handle(endpoint_id)  # checks each id before anything is printed or sent
    out = session.out
    out.note(f"Waiting for {len(endpoint_ids)} endpoints to be RUNNING (timeout {duration(timeout)})...")

    def progress(endpoint_id: str, state: fd.EndpointState, elapsed: float) -> None:
        phase = state.phase.value if state.phase is not None else ""
        out.note(f"{duration(elapsed):>6}  {endpoint_id}  {state.status.value}  {phase}".rstrip())

    result = endpoints.wait_all(endpoint_ids, timeout=timeout, on_progress=progress, wake=wake)
    rows: list[dict[str, Any]] = []
    not_found = 0
    for endpoint_id in endpoint_ids:
        if endpoint_id in result.failed:
            failed = result.failed[endpoint_id]
            row = state_json(endpoint_id, failed.state)
            row["hint"] = failed.hint
        elif endpoint_id in result.stopped:
            stopped = result.stopped[endpoint_id]
            row = state_json(endpoint_id, stopped.state)
            if stopped.state is None:  # a 404: it never existed, or was deleted
                row["status"] = "NOT FOUND"
                not_found += 1
        elif endpoint_id in result.timed_out:
            row = state_json(endpoint_id, result.timed_out[endpoint_id])
            row["timedOut"] = True
        else:
            row = state_json(endpoint_id, result.running[endpoint_id])
        rows.append(row)
    out.states(rows)
    # Every id is in exactly one count, so the counts add up to the number of ids.
    missing = f", {not_found} not found" if not_found else ""
    out.note(
        f"{len(result.running)} of {len(endpoint_ids)} RUNNING; {len(result.failed)} failed, "
        f"{len(result.stopped) - not_found} stopped{missing}, {len(result.timed_out)} timed out."
    )
    if result.failed or result.stopped:
        raise typer.Exit(int(ExitCode.ENDPOINT_FAILED))
    if result.timed_out:
        raise typer.Exit(int(ExitCode.WAIT_TIMEOUT))


@endpoints_app.command("versions", epilog=EXIT_CODES_HELP)
def versions(
    ctx: typer.Context,
    endpoint_id: EndpointArg,
    limit: Annotated[int | None, typer.Option("--limit", help="Show at most this many.", show_default=False)] = None,
    json_: JsonOpt = False,
) -> None:
    """List an endpoint's version history (one version per create or update)."""
    with _command(ctx, json_) as session:
        found = list(session.client.endpoints.versions(endpoint_id, limit=limit))
        session.out.versions([version_json(version) for version in found])


def run(argv: Sequence[str] | None = None) -> None:
    """Run the app as ``friendli-dedicated`` and exit with its code."""
    app(args=None if argv is None else list(argv), prog_name="friendli-dedicated")
