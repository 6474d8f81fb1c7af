"""The bridge to the official ``openai`` package: ``endpoint.inference_base_url``, ``openai_client()`` and
``async_openai_client()``.

What a client is built with (base URL from the contract, the token, the team header, the caller's
options over them), and that it completes chats, plain and streamed, against the emulator: in-process
wherever the SDK's client is (``Emulator.client()``, the testing kit's ``mock_friendli``), and over
loopback. Every openai client here has ``max_retries=0``: openai's own retries sleep in real time.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import openai
import pytest
import yaml
from openai.types.chat import ChatCompletionMessageParam

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock
from friendli_dedicated.testing import UnmockedClientError, mock_friendli

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "flp_bridge-TOKEN-7c1e"
HELLO: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello there"}]


def recorded(seen: list[httpx.Request]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"tokens": [1]})

    return httpx.Client(transport=httpx.MockTransport(answer))


def serving(emu: Emulator) -> fd.Endpoint:
    with emu.client() as client:
        return client.endpoints.create("proj", "chat", "org/model", "H100").wait_until_running(serving=True)


# -- what the client is built with ------------------------------------------------------------------------
def test_the_inference_base_url_is_the_client_s_base_url_and_the_contract_s_inference_path() -> None:
    with fd.Client(token=TOKEN, base_url="https://api.example.test") as client:
        endpoint = client.endpoints.get_handle("ep-1")
        assert endpoint.inference_base_url == "https://api.example.test/dedicated/v1"
        assert str(endpoint.openai_client().base_url) == "https://api.example.test/dedicated/v1/"
    paths = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))["paths"]
    # What openai appends to it, and what check_serving sends, are the contract's paths.
    for tail in ("/chat/completions", "/completions", "/tokenize"):
        assert "/dedicated/v1" + tail in paths, tail


def test_the_token_is_the_api_key_and_the_team_goes_in_its_header() -> None:
    seen: list[httpx.Request] = []
    with fd.Client(token=TOKEN, team_id="team-7", base_url="https://api.example.test") as client:
        chat = client.endpoints.get_handle("ep-1").openai_client(http_client=recorded(seen), max_retries=0)
        assert chat.api_key == TOKEN
        chat.post("/tokenize", body={"model": "ep-1", "prompt": "Hi"}, cast_to=httpx.Response)
    (request,) = seen
    assert str(request.url) == "https://api.example.test/dedicated/v1/tokenize"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-friendli-team"] == "team-7"


def test_without_a_team_no_team_header_is_sent() -> None:
    seen: list[httpx.Request] = []
    with fd.Client(token=TOKEN, base_url="https://api.example.test") as client:
        chat = client.endpoints.get_handle("ep-1").openai_client(http_client=recorded(seen), max_retries=0)
        chat.post("/tokenize", body={"model": "ep-1", "prompt": "Hi"}, cast_to=httpx.Response)
    assert "x-friendli-team" not in seen[0].headers


def test_the_caller_s_options_win_and_headers_merge() -> None:
    with fd.Client(token=TOKEN, team_id="team-7", base_url="https://api.example.test") as client:
        endpoint = client.endpoints.get_handle("ep-1")
        chat = endpoint.openai_client(
            max_retries=5, timeout=12.5, default_headers={"X-Trace": "t-1"}, base_url="https://proxy.test/v1"
        )
        assert (chat.max_retries, chat.timeout, str(chat.base_url)) == (5, 12.5, "https://proxy.test/v1/")
        assert chat.default_headers["X-Trace"] == "t-1"
        assert chat.default_headers["X-Friendli-Team"] == "team-7"
        overridden = endpoint.openai_client(default_headers={"X-Friendli-Team": "other"})
        assert overridden.default_headers["X-Friendli-Team"] == "other"


def test_the_token_is_in_no_repr_of_ours() -> None:
    with fd.Client(token=TOKEN, base_url="https://api.example.test") as client:
        endpoint = client.endpoints.get_handle("ep-1")
        endpoint.openai_client()
        shown = repr(endpoint) + repr(client) + repr(client.endpoints) + endpoint.inference_base_url
    assert TOKEN not in shown


# -- against the emulator ---------------------------------------------------------------------------------
def test_in_process_on_emulator_client_plain_and_streamed() -> None:
    emu = Emulator(clock=ManualClock())
    endpoint = serving(emu)
    chat = endpoint.openai_client(max_retries=0)
    answer = chat.chat.completions.create(model=endpoint.id, messages=HELLO)
    assert answer.choices[0].message.content == "Echo: Hello there"
    assert answer.model == endpoint.id
    stream = chat.chat.completions.create(model=endpoint.id, messages=HELLO, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "Echo: Hello there"
    assert [r.operation for r in emu.requests][-2:] == ["dedicatedChatComplete", "dedicatedChatComplete"]


def test_in_process_inside_the_testing_kit(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    emu = Emulator(clock=ManualClock())
    with mock_friendli(emu), fd.Client() as client:
        endpoint = client.endpoints.create("proj", "chat", "org/model", "H100").wait_until_running(serving=True)
        completion = endpoint.openai_client(max_retries=0).completions.create(model=endpoint.id, prompt="Hi")
    assert completion.choices[0].text == "Echo: Hi"
    assert emu.requests_for("dedicatedCompletionsComplete")[0].status == 200


def test_async_openai_client_from_an_async_and_a_sync_handle() -> None:
    emu = Emulator(clock=ManualClock())
    endpoint = serving(emu)

    async def main() -> list[str | None]:
        answers = []
        sync_handle_chat = endpoint.async_openai_client(max_retries=0)
        answer = await sync_handle_chat.chat.completions.create(model=endpoint.id, messages=HELLO)
        answers.append(answer.choices[0].message.content)
        async with emu.async_client() as client:
            handle = client.endpoints.get_handle(endpoint.id)
            async with handle.async_openai_client(max_retries=0) as chat:
                stream = await chat.chat.completions.create(model=handle.id, messages=HELLO, stream=True)
                answers.append("".join([c.choices[0].delta.content or "" async for c in stream if c.choices]))
            plain = handle.openai_client(max_retries=0).chat.completions.create(model=handle.id, messages=HELLO)
            answers.append(plain.choices[0].message.content)
        return answers

    assert asyncio.run(main()) == ["Echo: Hello there"] * 3


def test_over_loopback_openai_makes_its_own_connections() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.serve() as base_url, fd.Client(token=DEFAULT_TOKEN, team_id=DEFAULT_TEAM, base_url=base_url) as client:
        endpoint = client.endpoints.get_handle(serving(emu).id)
        assert client._inference_transport is None  # nothing in-process: openai's own httpx client
        with endpoint.openai_client(max_retries=0) as chat:
            answer = chat.chat.completions.create(model=endpoint.id, messages=HELLO)
    assert answer.choices[0].message.content == "Echo: Hello there"


def test_an_unknown_endpoint_is_openai_s_not_found() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client, pytest.raises(openai.NotFoundError):
        client.endpoints.get_handle("ep-nope").openai_client(max_retries=0).chat.completions.create(
            model="ep-nope", messages=HELLO
        )


# -- refusals -----------------------------------------------------------------------------------------------
def test_inside_the_testing_kit_a_client_bound_for_the_real_api_gets_no_openai_client() -> None:
    with mock_friendli(Emulator(clock=ManualClock())):
        client = fd.Client(token=TOKEN, base_url="https://api.friendli.ai")
        with pytest.raises(UnmockedClientError, match="OpenAI client"):
            client.endpoints.get_handle("ep-1").openai_client()
        client.close()


def test_without_openai_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)  # import openai raises ImportError
    with fd.Client(token=TOKEN, base_url="https://api.example.test") as client:
        endpoint = client.endpoints.get_handle("ep-1")
        for build in (endpoint.openai_client, endpoint.async_openai_client):
            with pytest.raises(ImportError, match=r"friendli-dedicated\[openai\]") as caught:
                build()
            assert caught.value.name == "openai"
            assert TOKEN not in str(caught.value)


def test_the_emulator_s_defaults_carry_over() -> None:
    """The emulator's client has its team: the openai client sends it, and the emulator serves that team."""
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        chat = client.endpoints.get_handle("ep-1").openai_client()
    assert chat.api_key == DEFAULT_TOKEN
    assert chat.default_headers["X-Friendli-Team"] == DEFAULT_TEAM
