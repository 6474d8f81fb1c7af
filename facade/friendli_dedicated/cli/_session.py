"""Running one command: its settings, its client (built in one place) and what becomes of its errors.

Every command that talks to the API gets its client from ``client_factory(settings)``, the one
place a client is built: tests replace it (``monkeypatch.setattr(_session, "client_factory", ...)``)
with one wired to the in-process emulator, so the commands run end to end without sockets. A
command's body runs inside ``command(ctx, json_mode)``: every error becomes one line (and a hint) on
stderr and its exit code (``_exit``), Ctrl-C exit code 130 with what goes on without the command
(``_exit.Interrupted``), and a warning one ``Warning:`` line.
"""

import contextlib
import logging
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator

import attrs
import typer

import friendli_dedicated as fd
from friendli_dedicated.cli._exit import ExitCode, describe, interrupted
from friendli_dedicated.cli._output import Output

__all__ = ["Session", "Settings", "client_factory", "command", "default_client_factory"]


@attrs.frozen
class Settings:
    """The global options: how to reach the API. None means "the facade's default" (environment)."""

    token: str | None = attrs.field(default=None, repr=False)
    team: str | None = None
    base_url: str | None = None
    max_retries: int = 2
    allow_insecure: bool = False
    debug: bool = False
    verbose: bool = False


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
def command(ctx: typer.Context, json_mode: bool) -> Iterator[Session]:
    """Run a command's body: every error becomes one line (and a hint) and its exit code."""
    settings = _settings(ctx)
    session = Session(settings, Output(json_mode=json_mode))
    try:
        with _warnings_as_lines(session.out), _log_lines(settings.verbose):
            yield session
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except KeyboardInterrupt as interrupt:
        session.out.failure(interrupted(interrupt))
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Exception as exc:
        if settings.debug:
            traceback.print_exception(exc, file=sys.stderr)
        failure = describe(exc)
        session.out.failure(failure)
        raise typer.Exit(int(failure.code)) from None
    finally:
        session.close()


class _LogLine(logging.Formatter):
    """A record of the SDK as one line: its level, message and the fields it carries (``extra``)."""

    _FIELDS = ("operation", "http_status", "error_type", "request_id", "endpoint_id", "endpoint_status", "phase")

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(
            f"{name}={value}" for name in self._FIELDS if (value := getattr(record, name, None)) is not None
        )
        return f"{record.levelname.lower()}: {record.getMessage()}" + (f" [{fields}]" if fields else "")


@contextlib.contextmanager
def _log_lines(verbose: bool) -> Iterator[None]:
    """With ``--verbose``: the SDK's log records (DEBUG and up), one line each, on stderr. They never
    hold the token (the SDK logs no header)."""
    if not verbose:
        yield
        return
    logger = logging.getLogger("friendli_dedicated")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogLine())
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


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
