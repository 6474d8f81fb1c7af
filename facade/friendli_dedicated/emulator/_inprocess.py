"""The in-process runner: an httpx transport that calls the emulator's core, and SDK clients on it.

No sockets, no threads, no real time: a test builds ``emu.client()`` and every request goes
through ``Emulator.handle``. A dropped request (a fault) raises ``httpx.RemoteProtocolError``, as
a server closing the connection would. Needs httpx and, for the core's contract checks, jsonschema
(from the ``emulator`` extra); not the HTTP server's starlette and uvicorn.

>>> from friendli_dedicated.emulator import Emulator, ManualClock
>>> emu = Emulator(clock=ManualClock())
>>> with emu.client() as client:
...     list(client.endpoints.list())
[]
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from friendli_dedicated._config import DEFAULT_TIMEOUT
from friendli_dedicated.emulator._clock import ManualClock

if TYPE_CHECKING:
    from friendli_dedicated import AsyncClient, Client
    from friendli_dedicated.emulator._core import Emulator

__all__ = ["BASE_URL", "async_client", "client", "transport"]

C = TypeVar("C", "Client", "AsyncClient")

BASE_URL = "http://emulator.invalid"
"""The base URL of in-process clients (``.invalid`` can never resolve: nothing leaves the process)."""


def transport(emulator: Emulator) -> httpx.MockTransport:
    """An ``httpx.MockTransport`` (sync and async) answering from ``emulator``."""

    def handler(request: httpx.Request) -> httpx.Response:
        response = emulator.handle(
            request.method,
            request.url.path,
            request.url.params.multi_items(),
            request.headers,
            request.content,
        )
        if response.dropped:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return httpx.Response(response.status, headers=dict(response.headers), content=response.body)

    return httpx.MockTransport(handler)


def _defaults(emulator: Emulator, kwargs: dict[str, Any]) -> dict[str, Any]:
    # Token, team and base URL are always passed, so the FRIENDLI_* variables of the machine are not
    # read (an exported team would make every call a 403). An argument passed as None is the
    # caller's "as Client does": the CLI's tests drive the environment through it.
    settings = dict(kwargs)
    token, team = emulator.default_credentials()
    token = settings.setdefault("token", token)
    if "team_id" not in settings:  # the token's first team: what the emulator assumes without the header
        teams = emulator._tokens.get(token) if isinstance(token, str) else None
        settings["team_id"] = teams[0] if teams else team  # an unknown token: a 401 whatever the team
    if "base_url" not in settings:
        settings["base_url"] = BASE_URL
        settings.setdefault("allow_insecure", True)  # plain http to a host that is never reached
    # The httpx client below is the kit's, not the caller's: its timeouts (httpx's 5 s) must not
    # become the SDK client's deadline, which is the SDK's own default, as for ``fd.Client()``.
    settings.setdefault("timeout", DEFAULT_TIMEOUT)
    return settings


def client(emulator: Emulator, **kwargs: Any) -> Client:
    """A ``friendli_dedicated.Client`` on ``emulator``; ``kwargs`` go to ``Client``.

    Defaults: the emulator's first token (``DEFAULT_TOKEN`` unless it was given others) and that
    token's first team, ``base_url="http://emulator.invalid"`` (with ``allow_insecure``), so the
    ``FRIENDLI_*`` environment variables are not read (unless one of these is passed as None,
    which means "as ``Client`` does"). When the emulator's clock is a
    ``ManualClock`` and no ``sleep``/``clock`` is given, the client sleeps with ``Emulator.sleep``
    (which advances that clock, never past an endpoint's next transition) and reads time from it,
    so waiting for a deployment takes no real time and sees every state on the way.
    """
    from friendli_dedicated import Client

    settings = _defaults(emulator, kwargs)
    if isinstance(emulator.clock, ManualClock):
        settings.setdefault("sleep", emulator.sleep)
        settings.setdefault("clock", emulator.clock)
    http = httpx.Client(transport=transport(emulator), follow_redirects=False)
    return _routed(Client(http_client=http, **settings), emulator)


def async_client(emulator: Emulator, **kwargs: Any) -> AsyncClient:
    """A ``friendli_dedicated.AsyncClient`` on ``emulator``; the same defaults as ``client``
    (its sleep is ``Emulator.async_sleep``)."""
    from friendli_dedicated import AsyncClient

    settings = _defaults(emulator, kwargs)
    if isinstance(emulator.clock, ManualClock):
        settings.setdefault("sleep", emulator.async_sleep)
        settings.setdefault("clock", emulator.clock)
    http = httpx.AsyncClient(transport=transport(emulator), follow_redirects=False)
    return _routed(AsyncClient(http_client=http, **settings), emulator)


def _routed(client: C, emulator: Emulator) -> C:
    """``client``, whose OpenAI clients (``endpoint.openai_client()``) talk to ``emulator`` in-process too
    (the client's private seam, as the testing kit's redirect sets it)."""
    client._inference_transport = functools.partial(transport, emulator)
    return client
