"""The ``endpoints`` commands: list, get, status, create, update, delete, sleep, wake, terminate,
restart, wait and versions, each a thin layer of options over ``client.endpoints``.

Inputs are checked by the facade (``InstanceOption``, ``Autoscaling``, the engine options), so the
CLI refuses exactly what the library refuses, with the option named; a wait shows its progress
(``_progress``) and ends with exit code 3 or 4 when it does not end in the status waited for
(``_exit``). Every action that starts a change takes ``--wait``: until RUNNING (create, update,
wake, restart), SLEEPING (sleep) or TERMINATED (terminate). Ctrl-C during a wait exits 130 and says
that the endpoint goes on, and how to resume the wait or stop it (``_interrupted_wait``).
``--project`` reads ``FRIENDLI_PROJECT`` wherever it is taken; ``delete`` asks first on a terminal
and takes ``--yes`` (without a terminal it refuses to delete unasked).
"""

import sys
from typing import Annotated, Any

import typer

import friendli_dedicated as fd
from friendli_dedicated._validate import seconds
from friendli_dedicated._waiter import wait_target
from friendli_dedicated.cli._exit import EXIT_CODES_HELP, ExitCode, Failure, Interrupted, Refusal
from friendli_dedicated.cli._options import (
    PROJECT_VARIABLE,
    AllProjectsOpt,
    CommentOpt,
    EndpointArg,
    JsonOpt,
    ModelOpt,
    NameOpt,
    NewModelOpt,
    NewNameOpt,
    ProjectFilterOpt,
    ProjectOpt,
    RevisionOpt,
    TimeoutOpt,
    WaitOpt,
    instance_examples,
)
from friendli_dedicated.cli._output import duration, state_json, version_json
from friendli_dedicated.cli._progress import WaitDisplay
from friendli_dedicated.cli._session import Session, command
from friendli_dedicated.cli._signatures import DeploymentFlags, with_deployment_flags
from friendli_dedicated.errors import InvalidInputError

__all__ = ["endpoints_app"]

endpoints_app = typer.Typer(
    help="Create, inspect, change and wait for endpoints.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    rich_markup_mode=None,
)


_RUNNING = fd.Status.RUNNING

# What an endpoint goes on doing when a wait for the status is interrupted.
_GOES_ON = {
    fd.Status.RUNNING: "keeps deploying (and billing for its GPUs)",
    fd.Status.SLEEPING: "keeps going to sleep",
    fd.Status.TERMINATED: "keeps terminating",
    fd.Status.FAILED: "keeps going",
}

UntilOpt = Annotated[
    str,
    typer.Option(
        "--until",
        metavar="STATUS",
        help="The status to wait for: RUNNING, SLEEPING, TERMINATED or FAILED.",
        show_default=True,
    ),
]


def _wait_opt(until: fd.Status) -> Any:
    """``--wait``, saying which status it waits for."""
    return Annotated[
        bool, typer.Option("--wait", help=f"Then wait until the endpoint is {until.value}, showing progress.")
    ]


def _until_flag(until: fd.Status) -> str:
    return "" if until is _RUNNING else f" --until {until.value}"


def _interrupted_wait(endpoint_ids: list[str], until: fd.Status) -> Interrupted:
    """Ctrl-C during a wait: the endpoints go on without the command; how to resume the wait or stop them."""
    ids = " ".join(endpoint_ids)
    if len(endpoint_ids) == 1:
        goes_on, stop = f"endpoint {ids} {_GOES_ON[until]}", f"stop it: friendli-dedicated endpoints terminate {ids}"
    else:
        keep = _GOES_ON[until].replace("keeps", "keep", 1).replace(" its ", " their ")
        goes_on, stop = f"endpoints {keep}", "stop one: friendli-dedicated endpoints terminate ID"
    message = f"interrupted while waiting for {ids} to be {until.value}; the {goes_on} without this command"
    hint = f"resume the wait: friendli-dedicated endpoints wait {ids}{_until_flag(until)}"
    if until is not fd.Status.TERMINATED:  # already on its way out
        hint += f"; {stop}"
    return Interrupted(message, hint, {"endpointIds": endpoint_ids, "waitingFor": until.value})


def _wait(
    session: Session, endpoint_id: str, timeout: float, *, wake: bool = False, until: fd.Status = _RUNNING
) -> fd.EndpointState:
    """Wait until ``endpoint_id`` is ``until``, showing progress; notes say what is happening."""
    # Everything that can be refused is refused before the first note: a bad option or configuration
    # must not print "Waiting for ..." and then an error.
    _check_timeout(timeout)
    endpoints = session.client.endpoints
    endpoints.get_handle(endpoint_id)  # builds the client and checks the id, sends nothing
    out = session.out
    out.note(f"Waiting for {endpoint_id} to be {until.value} (timeout {duration(timeout)})...")
    console = out.notes
    try:
        with WaitDisplay(console, endpoint_id, live=console.is_terminal) as display:
            if until is _RUNNING:
                state = endpoints.wait_until_running(endpoint_id, timeout=timeout, on_progress=display, wake=wake)
            else:
                state = endpoints.wait_until(endpoint_id, until, timeout=timeout, on_progress=display)
    except KeyboardInterrupt:
        raise _interrupted_wait([endpoint_id], until) from None
    out.note(f"{endpoint_id} is {state.status.value} after {duration(display.elapsed)}.")
    return state


def _show_state(session: Session, endpoint_id: str, state: fd.EndpointState) -> None:
    session.out.state(state_json(endpoint_id, state))


@endpoints_app.command("list", epilog=EXIT_CODES_HELP)
def list_endpoints(
    ctx: typer.Context,
    project: ProjectFilterOpt = None,
    all_projects: AllProjectsOpt = False,
    limit: Annotated[int | None, typer.Option("--limit", help="Show at most this many.", show_default=False)] = None,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            "-w",
            help="Add name, project, instance and replicas: one more request per endpoint listed (its "
            "specification; the listing has none of them).",
        ),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """List endpoints (of --project or $FRIENDLI_PROJECT, else of the whole team) with their status.

    The API lists a project id it does not know as it lists an empty project (no error), so "No
    endpoints in project P" may also mean that P is not a project of the team.
    """
    with command(ctx, json_) as session:
        if all_projects:
            if project is not None and not _from_environment(ctx, "project"):
                raise InvalidInputError("project_id", "give either --project or --all-projects, not both")
            project = None
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
        session.out.states(rows, wide=wide, empty=_no_endpoints(ctx, project))


def _from_environment(ctx: typer.Context, parameter: str) -> bool:
    """Whether ``parameter``'s value came from its environment variable (not the command line)."""
    source = ctx.get_parameter_source(parameter)
    return source is not None and source.name == "ENVIRONMENT"  # click's ParameterSource, by name


def _no_endpoints(ctx: typer.Context, project: str | None) -> str:
    """What an empty listing says: where it looked, and that the API lists an unknown project as empty."""
    if project is None:
        return "No endpoints."
    source = f" (from {PROJECT_VARIABLE})" if _from_environment(ctx, "project") else ""
    return (
        f"No endpoints in project {project}{source}. The API lists a project id it does not know as empty too: "
        "check the id in Friendli Suite, or list the whole team with --all-projects."
    )


def _replicas(current: object, desired: object) -> str:
    shown = [value if isinstance(value, int) else "-" for value in (current, desired)]
    return f"{shown[0]}/{shown[1]}"


@endpoints_app.command("get", epilog=EXIT_CODES_HELP)
def get(ctx: typer.Context, endpoint_id: EndpointArg, json_: JsonOpt = False) -> None:
    """Show an endpoint's specification (instance, replicas, engine options)."""
    with command(ctx, json_) as session:
        session.out.spec(endpoint_id, session.client.endpoints.get(endpoint_id))


@endpoints_app.command("status", epilog=EXIT_CODES_HELP)
def status(ctx: typer.Context, endpoint_id: EndpointArg, json_: JsonOpt = False) -> None:
    """Show an endpoint's status, phase and error code (with a hint when it FAILED)."""
    with command(ctx, json_) as session:
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
    with command(ctx, json_) as session:
        option = deployment.instance_option()
        if option is None:
            raise InvalidInputError(
                "instance", f"is required: --instance {instance_examples()} (or a raw option id), or --gpu and --count"
            )
        scaling = deployment.scaling()
        extra = deployment.extra_engine_options()
        if wait:  # checked now: a bad --timeout must not be found after GPUs were requested
            _check_timeout(timeout)
        try:
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
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted while creating {name!r} in project {project}; the endpoint may have been created, "
                "and bill for its GPUs",
                f"look for it: friendli-dedicated endpoints list --project {project} --wide",
                {"projectId": project, "name": name},
            ) from None
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
    wait: WaitOpt = False,
    timeout: TimeoutOpt = 1800.0,
    json_: JsonOpt = False,
) -> None:
    """Change an endpoint (a new version in its history); only the given options change; --wait for it to roll out."""
    with command(ctx, json_) as session:
        if wait:  # checked now: a bad --timeout must not be found after the update was sent
            _check_timeout(timeout)
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
        if wait:
            _wait(session, endpoint_id, timeout)
        session.out.spec(endpoint_id, updated)


YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Delete without asking (needed when stdin is not a terminal).")
]


def _interactive() -> bool:
    """Whether someone can answer a question: stdin is a terminal (replaced in tests)."""
    return sys.stdin.isatty()


@endpoints_app.command("delete", epilog=EXIT_CODES_HELP)
def delete(ctx: typer.Context, endpoint_id: EndpointArg, yes: YesOpt = False, json_: JsonOpt = False) -> None:
    """Delete an endpoint (it is gone afterwards: get/status answer 404).

    On a terminal it asks first, naming the endpoint (one request, its specification); --yes does not
    ask. Elsewhere (a script, a pipe) it deletes only with --yes, and refuses (exit code 2) without.
    """
    with command(ctx, json_) as session:
        if not yes:
            if not _interactive():
                raise Refusal(
                    Failure(
                        ExitCode.USAGE,
                        f"not deleting {endpoint_id} without a confirmation, and stdin is not a terminal to ask on",
                        "give --yes to delete without asking",
                        {"type": "Refusal", "option": "--yes"},
                    )
                )
            spec = session.client.endpoints.get(endpoint_id)
            question = f"Delete endpoint {endpoint_id} ({spec.name} in project {spec.project_id})? It cannot be undone."
            try:
                confirmed = typer.confirm(question, default=False, err=True)
            except typer.Abort:  # Ctrl-C or the end of input at the question
                raise KeyboardInterrupt from None
            if not confirmed:
                session.out.note(f"Not deleted: {endpoint_id}.")
                if session.out.json_mode:
                    session.out.emit({"id": endpoint_id, "deleted": False})
                return
        session.client.endpoints.delete(endpoint_id)
        if session.out.json_mode:
            session.out.emit({"id": endpoint_id, "deleted": True})
        else:
            session.out.note(f"Deleted endpoint {endpoint_id}.")


def _act(
    ctx: typer.Context, endpoint_id: str, action: str, json_mode: bool, wait: bool, timeout: float, until: fd.Status
) -> None:
    with command(ctx, json_mode) as session:
        if wait:
            _check_timeout(timeout)
        state: fd.EndpointState = getattr(session.client.endpoints, action)(endpoint_id)
        if wait:
            session.out.note(f"{endpoint_id}: {state.status.value}")
            state = _wait(session, endpoint_id, timeout, until=until)
            if session.out.json_mode:
                _show_state(session, endpoint_id, state)
            return
        _show_state(session, endpoint_id, state)


def _action_command(action: str, help_text: str, *, until: fd.Status) -> None:
    """Register ``endpoints ACTION ENDPOINT_ID [--wait]``: --wait waits until the status the action leads to."""

    def act(
        ctx: typer.Context,
        endpoint_id: EndpointArg,
        wait: _wait_opt(until) = False,  # type: ignore[valid-type]
        timeout: TimeoutOpt = 1800.0,
        json_: JsonOpt = False,
    ) -> None:
        _act(ctx, endpoint_id, action, json_, wait, timeout, until)

    endpoints_app.command(action, help=help_text, epilog=EXIT_CODES_HELP)(act)


_action_command(
    "sleep",
    "Put an endpoint to sleep: no replicas, no GPU bill (wake brings it back; --wait: until it is SLEEPING).",
    until=fd.Status.SLEEPING,
)
_action_command("wake", "Wake a sleeping endpoint (--wait: until it is RUNNING).", until=_RUNNING)
_action_command(
    "terminate",
    "Terminate an endpoint (TERMINATING, then TERMINATED; restart brings it back; --wait: until it is TERMINATED).",
    until=fd.Status.TERMINATED,
)
_action_command("restart", "Restart a FAILED or TERMINATED endpoint (--wait: until it is RUNNING).", until=_RUNNING)


@endpoints_app.command("wait", epilog=EXIT_CODES_HELP)
def wait_command(
    ctx: typer.Context,
    endpoint_ids: Annotated[
        list[str], typer.Argument(metavar="ENDPOINT_ID", help="The endpoints' ids.", show_default=False)
    ],
    timeout: TimeoutOpt = 1800.0,
    wake_: Annotated[bool, typer.Option("--wake", help="Wake the endpoints that are SLEEPING.")] = False,
    until_: UntilOpt = "RUNNING",
    json_: JsonOpt = False,
) -> None:
    """Wait until endpoints are RUNNING (or --until another status), showing status, phase and elapsed time.

    One id: a live display of its progress. Several: they are watched together through their
    projects' listings (one line per change), and a table of every endpoint ends the wait.
    An id given twice is waited for, and shown, once; one that does not exist shows as NOT FOUND.
    Exit code 3 if any FAILED (error code and hint shown), stopped or was not found, else 4 if
    --timeout passed first for any. --until SLEEPING exits 3 on FAILED or TERMINATED; --until
    TERMINATED waits until it is TERMINATED (or the timeout).
    """
    endpoint_ids = list(dict.fromkeys(endpoint_ids))  # the order given, each id once
    with command(ctx, json_) as session:
        until = wait_target(until_, "until")
        if wake_ and until is not _RUNNING:
            raise InvalidInputError("wake", f"wakes endpoints on the way to RUNNING; not with --until {until.value}")
        if len(endpoint_ids) == 1:
            (endpoint_id,) = endpoint_ids
            state = _wait(session, endpoint_id, timeout, wake=wake_, until=until)
            if session.out.json_mode:
                _show_state(session, endpoint_id, state)
            return
        _wait_fleet(session, endpoint_ids, timeout, wake=wake_, until=until)


def _wait_fleet(session: Session, endpoint_ids: list[str], timeout: float, *, wake: bool, until: fd.Status) -> None:
    """Wait for several endpoints with ``wait_all``: a line per change, then every endpoint's state."""
    _check_timeout(timeout)
    endpoints = session.client.endpoints
    for endpoint_id in endpoint_ids:
        endpoints.get_handle(endpoint_id)  # checks each id before anything is printed or sent
    out = session.out
    out.note(f"Waiting for {len(endpoint_ids)} endpoints to be {until.value} (timeout {duration(timeout)})...")

    def progress(endpoint_id: str, state: fd.EndpointState, elapsed: float) -> None:
        phase = state.phase.value if state.phase is not None else ""
        out.note(f"{duration(elapsed):>6}  {endpoint_id}  {state.status.value}  {phase}".rstrip())

    try:
        result = endpoints.wait_all(endpoint_ids, timeout=timeout, on_progress=progress, wake=wake, until=until)
    except KeyboardInterrupt:
        raise _interrupted_wait(endpoint_ids, until) from None
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
        f"{len(result.running)} of {len(endpoint_ids)} {until.value}; {len(result.failed)} failed, "
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
    with command(ctx, json_) as session:
        found = list(session.client.endpoints.versions(endpoint_id, limit=limit))
        session.out.versions([version_json(version) for version in found])
