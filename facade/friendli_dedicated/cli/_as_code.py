"""Endpoints as code: ``validate``, ``plan``, ``apply`` and ``export``, over ``client.plan``/``apply``/``export``.

A desired-state file (YAML or JSON, docs/endpoints-as-code.md) says which endpoints each project
should have. ``validate FILE`` checks it and sends nothing; ``plan FILE`` prints what ``apply`` would
do (``--json``: the list of actions; ``--detailed-exitcode``: 0 no change, 2 changes, 1 errors;
``--out PLAN``: saved for later); ``apply FILE`` (or ``apply PLAN``) plans, shows the plan, asks on a
terminal (``--yes`` elsewhere), makes the changes at most ``--parallelism`` at once, waits for them,
and ends with a table of what was done (exit 1 if anything failed); ``export PROJECT_ID...`` writes
the file of what exists. The state record (``--state``) is the SDK's: ``friendli-dedicated.state.json``
in the current folder unless named.

A refused file names the place in it (``projects.p.endpoints.chat.engine.max_batch_size``) and its
line; the ``manage`` extra missing (YAML, the record's lock) is named with its install command.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

import friendli_dedicated as fd
from friendli_dedicated._desired import read_text
from friendli_dedicated._manage import need_lock
from friendli_dedicated._plan import FORMAT as PLAN_FORMAT
from friendli_dedicated._state import DEFAULT_STATE_PATH as _STATE
from friendli_dedicated._validate import path_text, seconds
from friendli_dedicated.cli._as_code_output import (
    ApplyDisplay,
    count,
    extra_failure,
    failed_line,
    file_failure,
    interrupted_apply,
    result_rows,
    result_table,
    stale_failure,
)
from friendli_dedicated.cli._exit import EXIT_CODES_HELP, ExitCode, Failure, Interrupted
from friendli_dedicated.cli._options import JsonOpt, ReadableCommand
from friendli_dedicated.cli._output import duration
from friendli_dedicated.cli._session import Session, command
from friendli_dedicated.errors import InvalidInputError

__all__ = ["register", "stdin_is_terminal"]

_EXTRA_MODULES = frozenset({"yaml", "filelock"})
_DETAILED_HELP = (
    "Exit codes with --detailed-exitcode: 0 nothing would change; 2 something would change; "
    "1 any error (a refused file, the API, an endpoint that cannot be planned); 130 interrupted."
)

FileArg = Annotated[
    str, typer.Argument(metavar="FILE", help="The desired-state file (YAML, or JSON).", show_default=False)
]
StateOpt = Annotated[
    str | None,
    typer.Option(
        "--state",
        metavar="PATH",
        help="The state record: what the last apply sent, which the API cannot read back "
        "(default: friendli-dedicated.state.json in the current folder).",
        show_default=False,
    ),
]
PruneOpt = Annotated[
    bool,
    typer.Option(
        "--prune",
        help="Also terminate the endpoints of the file's projects that the file does not name (listed in the "
        "plan first; delete_protection in the file spares one).",
    ),
]
ParallelismOpt = Annotated[
    int, typer.Option("--parallelism", metavar="N", help="Requests, or changes, at most at once (1 to 256).")
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Apply without asking (required when stdin is not a terminal).")
]
ApplyTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds to wait for the endpoints created or updated to be RUNNING; those that are not by then "
        "are reported as timed out (exit code 1). 0: do not wait (nothing is verified or rolled back).",
    ),
]
NoRollbackOpt = Annotated[
    bool,
    typer.Option(
        "--no-rollback",
        help="Leave an update in place when its new version fails, times out or does not read back as "
        "requested, instead of rolling back to the previous version.",
    ),
]


class _PlanCommand(ReadableCommand):
    """``plan``'s command: with ``--detailed-exitcode``, where 2 means "changes", the parser's refusals
    (an unknown option, a bad --parallelism, FILE missing) exit 1 like every other error, so that a
    drift check never reads a typo as drift."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        detailed = "--detailed-exitcode" in args  # before the parser, which consumes ``args``
        try:
            return super().parse_args(ctx, args)
        except Exception as error:  # click's UsageError (typer may vendor click: not imported here)
            if detailed and getattr(error, "exit_code", None) == int(ExitCode.USAGE):
                error.exit_code = int(ExitCode.API_ERROR)  # type: ignore[attr-defined]
            raise


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question on stdin (tests replace it)."""
    return sys.stdin.isatty()


def _fail(session: Session, failure: Failure) -> NoReturn:
    session.out.failure(failure)
    raise typer.Exit(int(failure.code))


def _load(session: Session, path: str, text: str | None = None) -> fd.Desired:
    """The desired state of ``path`` (whose ``text`` was read, if given: a pipe is read once), or exit 2
    naming the place in the file (nothing is sent)."""
    if path == "-":  # the usual "stdin", which a file the plan is compared with (and saved) cannot be
        refusal = InvalidInputError("path", "- (stdin) is not read: give the file's path (or <(command))")
        _fail(session, file_failure(path, refusal))
    try:
        return fd.Desired._parse(text, path) if text is not None else fd.Desired.load(path)
    except InvalidInputError as error:
        refusal = error
        if _plan_data(text if text is not None else _text_or_none(path)) is not None:  # plan.json for endpoints.yaml
            what = "is a saved plan (plan --out), not a desired-state file"
            refusal = InvalidInputError(path, f"{what}: apply it with friendli-dedicated apply {path}")
        _fail(session, file_failure(path, refusal))
    except ImportError as error:
        _extra_missing(session, error)


def _extra_missing(session: Session, error: ImportError) -> NoReturn:
    if error.name not in _EXTRA_MODULES:
        raise error
    _fail(session, extra_failure(error))


def _text_or_none(path: str) -> str | None:
    try:
        return read_text(path)
    except (InvalidInputError, ValueError):  # ValueError: a NUL in the path
        return None  # not a file we can read: loading it as a desired-state file says why


def _plan_data(text: str | None) -> dict[str, Any] | None:
    """What ``text`` holds if it is a plan saved by ``plan --out`` (its format says so), else None."""
    if text is None or not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        return None
    return data


def _saved_plan(session: Session, path: str, text: str | None) -> fd.Plan | None:
    """The plan saved at ``path`` (``plan --out``) whose ``text`` was read, or None when it is not one."""
    data = _plan_data(text)
    if data is None:
        return None
    try:
        return fd.Plan.from_dict(data, source=path)
    except InvalidInputError as error:
        _fail(session, file_failure(path, error))


def _check_out(out: str | None, *, replace: bool) -> None:
    """Refuse an ``--out`` path that cannot be written, before any request (an existing file too,
    unless ``replace``)."""
    if out is None:
        return
    path = Path(path_text(out, "out"))
    if not path.name or not path.parent.is_dir():
        raise InvalidInputError("out", f"{out}: its folder does not exist")
    if path.is_dir():
        raise InvalidInputError("out", f"{out} is a folder")
    if path.exists() and not replace:
        raise InvalidInputError("out", f"{out} exists: export writes a new file (remove it first to replace it)")


def _check_out_spares(out: str | None, kept: dict[str, str]) -> None:
    """Refuse an ``--out`` that is one of the files the command reads (``kept``: what each is -> its
    path): the plan written over the desired-state file or the state record would destroy it."""
    if out is None:
        return
    target = Path(out)
    for what, path in kept.items():
        other = Path(path)
        try:
            same = target.resolve() == other.resolve() or (other.exists() and target.samefile(other))
        except (OSError, ValueError):  # unreadable: not one we can tell apart; the write says why
            same = False
        if same:
            raise InvalidInputError("out", f"{out} is {what}: the plan would replace it (save it to another file)")


def _write(session: Session, out: str, write: Callable[[], object]) -> None:
    """Write ``--out`` (checked before the requests); a failure now is exit 1, naming the file."""
    try:
        write()
    except OSError as error:
        _fail(session, Failure(ExitCode.API_ERROR, f"--out {out} could not be written: {error.strerror or error}"))


def _check_lock_extra(session: Session) -> None:
    """Apply holds the state record's lock (filelock, the ``manage`` extra): checked before planning."""
    try:
        need_lock()
    except ImportError as error:
        _extra_missing(session, error)


def _check_timeout(timeout: float) -> None:
    if not timeout >= 0 or timeout == float("inf"):
        raise InvalidInputError("timeout", f"must be a finite number of seconds >= 0, got {timeout}")
    seconds(timeout, "timeout")


def _rollout_options(no_rollback: bool) -> dict[str, Any]:
    """The keywords of ``client.apply`` that ``--no-rollback`` sets."""
    return {"rollback": not no_rollback}


# -- validate ----------------------------------------------------------------------------------------
def validate(ctx: typer.Context, file: FileArg, json_: JsonOpt = False) -> None:
    """Check a desired-state file as plan and apply would, and send nothing.

    A refusal names the place in the file (projects.P.endpoints.NAME.engine.max_batch_size) and, in
    YAML, its line; exit code 2.
    """
    with command(ctx, json_) as session:
        desired = _load(session, file)
        projects = {project: list(endpoints) for project, endpoints in desired.projects.items()}
        total = sum(len(names) for names in projects.values())
        if session.out.json_mode:
            session.out.emit({"file": file, "valid": True, "endpoints": total, "projects": projects})
            return
        each = ", ".join(f"{project}: {len(names)}" for project, names in projects.items())
        session.out.note(f"{file} is valid: {count(total, 'endpoint')} in {count(len(projects), 'project')} ({each}).")


# -- plan --------------------------------------------------------------------------------------------
def plan(
    ctx: typer.Context,
    file: FileArg,
    state: StateOpt = None,
    prune: PruneOpt = False,
    parallelism: ParallelismOpt = 10,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="PLAN",
            help="Save the plan to PLAN, to apply exactly it later (friendli-dedicated apply PLAN), or "
            "never if what it was made against changes.",
            show_default=False,
        ),
    ] = None,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help="Exit 0 when nothing would change, 2 when something would, 1 on errors."
        ),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Show what apply would do to bring the endpoints to the file; nothing is changed.

    Each endpoint of the file is created, updated (each field old -> new) or left as it is; an
    existing one is adopted by its name. Fields that cannot be read back (the model, the revision)
    are compared with the state record, and shown as unknown when it does not know them. With
    --prune, the endpoints of the file's projects that it does not name are to be terminated.
    --json prints the list of actions (project, name, action, changes: field -> [old, new]).
    """
    code = 0
    try:
        with command(ctx, json_) as session:
            desired = _load(session, file)
            _check_out(out, replace=True)
            _check_out_spares(out, {"the desired-state file": file, "the state record (--state)": state or _STATE})
            try:
                made = session.client.plan(desired, state=state, prune=prune, parallelism=parallelism)
            except KeyboardInterrupt:
                raise Interrupted("interrupted while planning; nothing was changed", "plan again", {}) from None
            _show_plan(session, made, as_result=True)
            if out is not None:
                _write(session, out, lambda: made.save(out))
                session.out.note(f"Saved the plan to {out}: apply it with friendli-dedicated apply {out}")
            if made.has_errors:
                _error_line(_errors_line(made))
            code = made.exit_code(detailed=detailed_exitcode)
    except typer.Exit as ended:
        code = ended.exit_code
        if detailed_exitcode and code not in (0, int(ExitCode.INTERRUPTED)):
            code = 1  # 2 means "changes" here: an error of any kind is 1
    if code:
        raise typer.Exit(code)


def _show_plan(session: Session, made: fd.Plan, *, as_result: bool) -> None:
    """The plan: its actions as JSON when it is the command's result with ``--json``, else the diff
    (on stderr when another document is the result)."""
    if session.out.json_mode and as_result:
        session.out.emit(made.to_json())
        return
    text = made.render().rstrip("\n")
    if session.out.json_mode:
        typer.echo(text, err=True)
    else:
        typer.echo(text)


def _errors_line(made: fd.Plan) -> str:
    errors = [a for a in made.actions if a.action == "error"]
    first = errors[0]
    return (
        f"{count(len(errors), 'endpoint')} cannot be planned (marked !); the first: {first.project_id}/{first.name}: "
        f"{first.reason}"
    )


def _error_line(text: str) -> None:
    """An ``Error:`` line on stderr that leaves stdout (the command's result) alone."""
    typer.echo(typer.style("Error:", fg="red", bold=True) + " " + text, err=True)


# -- apply -------------------------------------------------------------------------------------------
def apply(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="FILE|PLAN",
            help="A desired-state file (planned now), or a plan saved by plan --out.",
            show_default=False,
        ),
    ],
    state: StateOpt = None,
    prune: PruneOpt = False,
    parallelism: ParallelismOpt = 10,
    timeout: ApplyTimeoutOpt = 1800.0,
    yes: YesOpt = False,
    no_rollback: NoRollbackOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Bring the endpoints to the file: plan, show the plan, confirm, change, wait, and report.

    Asks before changing anything on a terminal; elsewhere needs --yes. Creates, updates and
    terminates run at most --parallelism at once, through the client's shared listings and rate-limit
    gate; one that fails does not stop the others. The endpoints created or updated are waited for
    (--timeout). Ends with a table of what was done to each endpoint (--json: the list), and exit
    code 1 if anything failed. A saved plan (plan --out) is refused, and nothing changed, if what it
    was made against has changed since. Ctrl-C starts nothing more, says what is in flight, records
    what completed, and exits 130: run the same apply again and it converges.
    """
    code = 0
    with command(ctx, json_) as session:
        _check_timeout(timeout)
        _check_lock_extra(session)
        text = _text_or_none(target) if target != "-" else None  # read once: FILE may be a pipe, <(command)
        saved = _saved_plan(session, target, text)
        if saved is not None and prune:
            raise InvalidInputError(
                "prune", f"is decided when planning: friendli-dedicated plan FILE --prune --out {target}"
            )
        if not yes and not stdin_is_terminal():
            raise InvalidInputError(
                "yes", "is required to apply when stdin is not a terminal: no one can confirm (nothing was sent)"
            )
        if saved is None:
            desired = _load(session, target, text)
            try:
                made = session.client.plan(desired, state=state, prune=prune, parallelism=parallelism)
            except KeyboardInterrupt:
                raise Interrupted("interrupted while planning; nothing was changed", "apply again", {}) from None
        else:
            made = saved
        _show_plan(session, made, as_result=False)
        if made.has_changes and not yes and not typer.confirm("Apply these changes?", err=session.out.json_mode):
            _fail(session, Failure(ExitCode.API_ERROR, "apply cancelled: nothing was changed"))
        result = _run(session, made, target, state, parallelism, timeout, no_rollback)
        rows = result_rows(result, with_unchanged=session.out.json_mode)
        if session.out.json_mode:
            session.out.emit(rows)
        elif rows:
            typer.echo(result_table(rows))
        session.out.note(f"Apply: {result.summary()}.")
        line = failed_line(result)
        if line is not None:
            _error_line(line)
        code = result.exit_code
    if code:
        raise typer.Exit(code)


def _run(
    session: Session, made: fd.Plan, target: str, state: str | None, parallelism: int, timeout: float, no_rollback: bool
) -> fd.ApplyResult:
    """Carry out ``made``, its progress shown; a Ctrl-C ends as ``Interrupted`` (exit 130), with the table."""
    plural = "s" if parallelism > 1 else ""
    # --timeout 0 is "do not wait": waiting 0 s would time every update out, and roll it back at once.
    waits = timeout > 0
    then = (
        f"then waiting up to {duration(timeout)} for the endpoints created or updated to be RUNNING"
        if waits
        else "not waiting for them (--timeout 0)"
    )
    display = ApplyDisplay(session.out.note, f"Applying: at most {parallelism} change{plural} at once, {then}...")
    try:
        with display.on_sigint():
            return session.client.apply(
                made,
                state=state,
                parallelism=parallelism,
                wait=waits,
                timeout=timeout,
                on_progress=display,
                **_rollout_options(no_rollback),
            )
    except fd.ApplyInterrupted as interrupted:
        rows = result_rows(interrupted.result, with_unchanged=session.out.json_mode)
        if rows and not session.out.json_mode:
            typer.echo(result_table(rows))
        raise interrupted_apply(interrupted.result, rows) from None
    except fd.PlanStaleError as stale:
        _fail(session, stale_failure(target, stale))
    except InvalidInputError as error:
        if error.field != "plan" or made.team_id == session.client.team_id:  # refused: another team's plan
            raise
        made_for, acting = (_team(team) for team in (made.team_id, session.client.team_id))
        message = f"was made for {made_for}; this command acts for {acting} (--team or FRIENDLI_TEAM)"
        _fail(session, file_failure(target, InvalidInputError(target, message)))
    except ImportError as error:
        _extra_missing(session, error)


def _team(team_id: str | None) -> str:
    return "the token's default team" if team_id is None else f"team {team_id}"


# -- export ------------------------------------------------------------------------------------------
def export(
    ctx: typer.Context,
    project_ids: Annotated[
        list[str],
        typer.Argument(metavar="PROJECT_ID...", help="The projects whose endpoints to write.", show_default=False),
    ],
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the file there (JSON for a .json name or with --json, else YAML) instead of on stdout; "
            "an existing file is not replaced.",
            show_default=False,
        ),
    ] = None,
    state: StateOpt = None,
    parallelism: ParallelismOpt = 10,
    json_: JsonOpt = False,
) -> None:
    """Write the desired-state file of what exists in the projects, to adopt their endpoints in one step.

    Each endpoint's instance, autoscaling and the engine options its specification reports are
    written as they are; the model comes from the state record where it knows it, else it is
    written as null (unknown: the API cannot say it; plan and apply leave it alone until the file
    names one). YAML by default (the manage extra), JSON with --json.
    """
    with command(ctx, json_) as session:
        as_json = json_ or (out is not None and Path(out).suffix.lower() == ".json")
        _check_out(out, replace=False)
        if not as_json:
            try:
                fd.Desired.from_mapping({"projects": {}}).to_yaml()  # PyYAML is there before any request
            except ImportError as error:
                _extra_missing(session, error)
        desired = session.client.export(project_ids, state=state, parallelism=parallelism)
        text = desired.to_json() if as_json else desired.to_yaml()
        total = sum(1 for _ in desired.endpoints())
        unknown = sorted(f"{ep.project_id}/{ep.name}" for ep in desired.endpoints() if ep.model is None)
        if out is None:
            typer.echo(text, nl=False)
        else:
            _write(session, out, lambda: Path(out).write_text(text, encoding="utf-8"))
            if session.out.json_mode:
                session.out.emit({"file": out, "endpoints": total, "unknownModel": unknown})
            else:
                session.out.note(f"Wrote {count(total, 'endpoint')} of {', '.join(desired.projects)} to {out}.")
        if unknown:
            # On stderr when stdout is the file itself.
            note = f"model: null for {count(len(unknown), 'endpoint')}: the API cannot say which model they run. "
            note += "Set it in the file to manage the model; until then plan and apply leave it alone."
            if out is None:
                typer.echo(f"Note: {note}", err=True)
            else:
                session.out.note(note)


def register(app: typer.Typer) -> None:
    """Add ``validate``, ``plan``, ``apply`` and ``export`` to ``app``."""
    app.command("validate", epilog=EXIT_CODES_HELP)(validate)
    app.command("plan", cls=_PlanCommand, epilog=f"{_DETAILED_HELP} Otherwise: {EXIT_CODES_HELP}")(plan)
    app.command("apply", epilog=EXIT_CODES_HELP)(apply)
    app.command("export", epilog=EXIT_CODES_HELP)(export)
