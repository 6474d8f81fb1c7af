"""The bridge to the official ``openai`` package (the ``openai`` extra): clients for an endpoint's
inference surface.

A dedicated endpoint answers the OpenAI-compatible operations of the contract under
``inference_base_url`` (the client's base URL and ``_calls.INFERENCE_PATH``), with the endpoint's id
as the ``model``, the token as the bearer and the team as ``X-Friendli-Team``: the settings these
functions give ``openai.OpenAI`` and ``openai.AsyncOpenAI``. The caller's options win over them.
openai has no default model, and this SDK does not wrap or patch openai to give it one: requests
pass ``model=endpoint.id``.

Where the SDK's client talks to the emulator in-process (the testing kit's ``mock_friendli``,
``Emulator.client()``), the OpenAI client gets an httpx client of its own on the emulator's transport
(``_ClientBase._inference_transport``), so it talks to the same emulator, in-process too. Anywhere
else openai makes its own connections (with its own timeouts and retries); an ``http_client`` given to
the SDK's client is not reused (pass openai one with ``http_client=``). While ``mock_friendli`` is
active, an SDK client that would reach the real API gets no OpenAI client (``UnmockedClientError``).

This is the only module that imports openai, when a client is asked for: ``import friendli_dedicated``
works without it, and the error without it names the extra.

>>> with fd.Client() as sdk:  # inside mock_friendli: the emulator, in-process
...     endpoint = sdk.endpoints.create("proj", "chat", "org/model", "H100").wait_until_running(serving=True)
...     chat = endpoint.openai_client(max_retries=0)
...     answer = chat.chat.completions.create(model=endpoint.id, messages=[{"role": "user", "content": "Hi"}])
...     streamed = chat.chat.completions.create(model=endpoint.id, messages=[{"role": "user", "content": "Hi"}],
...                                             stream=True)
...     answer.choices[0].message.content, "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
('Echo: Hi', 'Echo: Hi')
>>> str(chat.base_url)
'http://emulator.invalid/dedicated/v1/'
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import httpx

from friendli_dedicated import _redirect
from friendli_dedicated._calls import INFERENCE_PATH

if TYPE_CHECKING:
    import openai

    from friendli_dedicated._client import AsyncClient, Client

__all__ = ["EXTRA", "TEAM_HEADER", "async_openai_client", "inference_base_url", "openai_client"]

EXTRA = "friendli-dedicated[openai]"
"""What to install for these clients (the message of the ImportError without it)."""
TEAM_HEADER = "X-Friendli-Team"


def inference_base_url(client: Client | AsyncClient) -> str:
    """The base URL of the inference operations of ``client``'s API.

    >>> inference_base_url(fd.Client(token="t", base_url="https://api.friendli.ai"))
    'https://api.friendli.ai/dedicated/v1'
    """
    return client.base_url + INFERENCE_PATH


def _openai(what: str) -> ModuleType:
    try:
        import openai
    except ImportError as exc:
        raise ImportError(
            f"{what} needs the openai package: pip install '{EXTRA}' (or pip install openai)", name="openai"
        ) from exc
    return openai


def _settings(client: Client | AsyncClient, options: dict[str, Any], http_type: type[Any]) -> dict[str, Any]:
    """The arguments of ``openai.OpenAI`` (or ``AsyncOpenAI``) for ``client``, ``options`` over them."""
    if client._exposed and _redirect.active:  # the testing kit is active: nothing may reach the real API
        raise _redirect.refused(client, "inference requests (an OpenAI client)")
    settings: dict[str, Any] = {"base_url": inference_base_url(client), "api_key": client._sender.config.token}
    headers = {TEAM_HEADER: client.team_id} if client.team_id is not None else {}
    settings["default_headers"] = {**headers, **(options.pop("default_headers", None) or {})}
    transport = client._inference_transport
    if transport is not None and "http_client" not in options:
        # openai 3 types http_client as httpx2's client and accepts httpx's at run time (openai 1 and 2
        # are httpx-based): openai owns this one and closes it with itself.
        settings["http_client"] = http_type(transport=transport(), follow_redirects=False)
    settings.update(options)
    return settings


def openai_client(client: Client | AsyncClient, options: dict[str, Any]) -> openai.OpenAI:
    """An ``openai.OpenAI`` on ``client``'s inference surface; ``options`` go to it (and win)."""
    module = _openai("endpoint.openai_client()")
    client_type: type[openai.OpenAI] = module.OpenAI
    return client_type(**_settings(client, dict(options), httpx.Client))


def async_openai_client(client: Client | AsyncClient, options: dict[str, Any]) -> openai.AsyncOpenAI:
    """An ``openai.AsyncOpenAI`` on ``client``'s inference surface; ``options`` go to it (and win)."""
    module = _openai("endpoint.async_openai_client()")
    client_type: type[openai.AsyncOpenAI] = module.AsyncOpenAI
    return client_type(**_settings(client, dict(options), httpx.AsyncClient))
