"""The emulator serves the inference surface of the endpoints it runs, to the official ``openai`` package.

Chat completions (plain and streamed as server-sent events), completions, tokenization: deterministic
answers, usage counted by the byte tokenizer, the contract's shapes, and the answers for an endpoint
that is not RUNNING (docs/emulator.md's table), in-process and over a loopback socket. Every client
here has ``max_retries=0``: openai's own retries would sleep in real time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock, Timings
from friendli_dedicated.emulator._contract import load_contract

CONTRACT = load_contract()
TIMINGS = Timings()  # deploy 90 s, update 30 s, wake 20 s, terminate 10 s
SCALES_TO_ZERO = fd.Autoscaling(min_replicas=0, max_replicas=1, cooldown=60)
HELLO = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]


def chat_client(emu: Emulator, *, token: str = DEFAULT_TOKEN, team: str | None = DEFAULT_TEAM) -> openai.OpenAI:
    """openai pointed at the emulator in-process, as the SDK's bridge will build it."""
    headers = {"X-Friendli-Team": team} if team is not None else {}
    return openai.OpenAI(
        base_url="http://emulator.invalid/dedicated/v1",
        api_key=token,
        default_headers=headers,
        http_client=httpx.Client(transport=emu.transport()),
        max_retries=0,
    )


def running(emu: Emulator, **create: Any) -> str:
    with emu.client() as client:
        endpoint = client.endpoints.create("proj", "chat", create.pop("model", "org/model"), "H100", **create)
        return endpoint.wait_until_running(timeout=600).id


def status(emu: Emulator, endpoint_id: str) -> str:
    with emu.client() as client:
        return client.endpoints.status(endpoint_id).status.value


def conforms(operation_id: str, body: Any) -> None:
    """``body`` is what the contract says the operation answers."""
    schema = CONTRACT.operation(operation_id).response_schema(200)
    assert schema is not None
    assert CONTRACT.validate(schema, body, []) == [], body


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=ManualClock(), timings=TIMINGS, seed=7)


@pytest.fixture
def endpoint_id(emu: Emulator) -> str:
    return running(emu)


# -- chat completions ---------------------------------------------------------------------------------
def test_openai_completes_a_chat(emu: Emulator, endpoint_id: str) -> None:
    raw = chat_client(emu).chat.completions.with_raw_response.create(model=endpoint_id, messages=HELLO)
    completion = raw.parse()

    assert completion.model == endpoint_id
    assert completion.object == "chat.completion"
    (choice,) = completion.choices
    assert (choice.message.role, choice.message.content, choice.finish_reason) == (
        "assistant",
        "Echo: Hello there",
        "stop",
    )
    assert completion.usage is not None
    prompt = "Be brief.\nHello there"
    assert completion.usage.prompt_tokens == len(prompt.encode())
    assert completion.usage.completion_tokens == len(b"Echo: Hello there")
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    assert completion.created == int(emu.clock())
    conforms("dedicatedChatComplete", raw.http_response.json())
    (logged,) = emu.requests_for("dedicatedChatComplete")
    assert (logged.method, logged.path, logged.status, logged.body["model"]) == (
        "POST",
        "/dedicated/v1/chat/completions",
        200,
        endpoint_id,
    )


def test_the_same_request_gets_the_same_answer_but_a_new_id(emu: Emulator, endpoint_id: str) -> None:
    client = chat_client(emu)
    first, second = (client.chat.completions.create(model=endpoint_id, messages=HELLO) for _ in range(2))
    assert first.choices == second.choices
    assert first.usage == second.usage
    assert first.id != second.id
    again = Emulator(clock=ManualClock(), timings=TIMINGS, seed=7)  # the same seed: the same ids
    assert chat_client(again).chat.completions.create(model=running(again), messages=HELLO).id == first.id


def test_max_tokens_cuts_the_reply_at_a_character_and_n_repeats_it(emu: Emulator, endpoint_id: str) -> None:
    client = chat_client(emu)
    one = client.chat.completions.create(model=endpoint_id, messages=HELLO, max_tokens=1)
    assert (one.choices[0].message.content, one.choices[0].finish_reason) == ("E", "length")
    assert one.usage is not None
    assert one.usage.completion_tokens == 1
    # "Echo: é" is 8 bytes, é two of them: 7 tokens would cut it in half, so the reply stops before it.
    accent = client.chat.completions.create(
        model=endpoint_id, messages=[{"role": "user", "content": "é"}], max_tokens=7
    )
    assert (accent.choices[0].message.content, accent.choices[0].finish_reason) == ("Echo: ", "length")
    three = client.chat.completions.create(model=endpoint_id, messages=HELLO, n=3, max_tokens=4)
    assert [(c.index, c.message.content) for c in three.choices] == [(0, "Echo"), (1, "Echo"), (2, "Echo")]
    assert three.usage is not None
    assert three.usage.completion_tokens == 12


def test_text_parts_and_other_roles(emu: Emulator, endpoint_id: str) -> None:
    """The reply echoes the last message's text parts; an image counts no token."""
    messages: Any = [
        {"role": "user", "content": "Describe it"},
        {"role": "assistant", "content": None},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is "},
                {"type": "image_url", "image_url": {"url": "https://example.test/cat.png"}},
                {"type": "text", "text": "this?"},
            ],
        },
    ]
    completion = chat_client(emu).chat.completions.create(model=endpoint_id, messages=messages)
    assert completion.choices[0].message.content == "Echo: What is this?"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == len(b"Describe it\n\nWhat is this?")


def test_openai_streams_a_chat(emu: Emulator, endpoint_id: str) -> None:
    stream = chat_client(emu).chat.completions.create(
        model=endpoint_id, messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)

    assert {chunk.id for chunk in chunks} == {chunks[0].id}
    assert all(chunk.object == "chat.completion.chunk" and chunk.model == endpoint_id for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "Echo: Hello there"
    assert len([chunk for chunk in chunks if chunk.choices and chunk.choices[0].delta.content]) == 3  # a word each
    finishes = [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices]
    assert finishes[-1] == "stop"
    assert set(finishes[:-1]) == {None}
    *_, usage_chunk = chunks
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert (usage_chunk.usage.prompt_tokens, usage_chunk.usage.completion_tokens) == (21, 17)


def test_a_stream_is_server_sent_events_ending_with_done(emu: Emulator, endpoint_id: str) -> None:
    with httpx.Client(transport=emu.transport(), base_url="http://emulator.invalid") as http:
        response = http.post(
            "/dedicated/v1/chat/completions",
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
            json={"model": endpoint_id, "messages": HELLO, "stream": True, "max_tokens": 4},
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = response.text.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    chunks = [json.loads(event.removeprefix("data: ")) for event in events[:-2]]
    assert all(event.startswith("data: ") for event in events[:-2])
    assert "usage" not in chunks[0]  # only with stream_options.include_usage, as OpenAI does
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks) == "Echo"


# -- completions and tokenization --------------------------------------------------------------------
def test_openai_completions_of_a_prompt_prompts_and_tokens(emu: Emulator, endpoint_id: str) -> None:
    client = chat_client(emu)
    raw = client.completions.with_raw_response.create(model=endpoint_id, prompt="Say hi", max_tokens=3, seed=5)
    one = raw.parse()
    assert (one.object, one.model) == ("text_completion", endpoint_id)
    assert [(c.text, c.finish_reason) for c in one.choices] == [("Ech", "length")]
    body = raw.http_response.json()
    assert body["choices"][0]["tokens"] == list(b"Ech")
    assert body["choices"][0]["seed"] == 5
    conforms("dedicatedCompletionsComplete", body)

    batch = client.completions.create(model=endpoint_id, prompt=["a", "bc"], n=2)
    assert [(c.index, c.text) for c in batch.choices] == [
        (0, "Echo: a"),
        (1, "Echo: a"),
        (2, "Echo: bc"),
        (3, "Echo: bc"),
    ]
    assert batch.usage is not None
    assert (batch.usage.prompt_tokens, batch.usage.completion_tokens) == (3, 7 + 7 + 8 + 8)

    tokens = client.post(
        "/completions", body={"model": endpoint_id, "tokens": list(b"Hi")}, cast_to=httpx.Response
    ).json()
    assert tokens["choices"][0]["text"] == "Echo: Hi"
    conforms("dedicatedCompletionsComplete", tokens)


def test_openai_streams_a_completion(emu: Emulator, endpoint_id: str) -> None:
    stream = chat_client(emu).completions.create(
        model=endpoint_id, prompt="one two", stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert "".join(chunk.choices[0].text for chunk in chunks if chunk.choices) == "Echo: one two"
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-1] == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == len(b"one two") + len(b"Echo: one two")


def test_tokenization_and_back(emu: Emulator, endpoint_id: str) -> None:
    client = chat_client(emu)
    tokens = client.post("/tokenize", body={"model": endpoint_id, "prompt": "Hé!"}, cast_to=httpx.Response).json()
    assert tokens == {"tokens": list("Hé!".encode())}
    conforms("dedicatedTokenization", tokens)
    text = client.post("/detokenize", body={"model": endpoint_id, **tokens}, cast_to=httpx.Response).json()
    assert text == {"text": "Hé!"}
    conforms("dedicatedDetokenization", text)
    # A prompt's token count is what a chat's usage counts for it.
    chat = client.chat.completions.create(model=endpoint_id, messages=[{"role": "user", "content": "Hé!"}])
    assert chat.usage is not None
    assert chat.usage.prompt_tokens == len(tokens["tokens"])


# -- what the contract and the emulator refuse ---------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/chat/completions", {"messages": HELLO}, ["body", "model"]),  # the contract's check
        ("/chat/completions", {"messages": HELLO, "max_tokens": 0}, ["body", "max_tokens"]),
        ("/chat/completions", {"messages": HELLO, "n": 17}, ["body", "n"]),
        ("/completions", {"prompt": ["x"] * 9, "n": 2}, ["body", "n"]),
        ("/completions", {"prompt": []}, ["body", "prompt"]),
        ("/detokenize", {"tokens": [72, 256]}, ["body", "tokens", 1]),
        ("/completions", {"tokens": [-1]}, ["body", "tokens", 0]),
    ],
)
def test_bad_requests_are_422_naming_the_field(
    emu: Emulator, endpoint_id: str, path: str, body: dict[str, Any], loc: list[Any]
) -> None:
    if loc != ["body", "model"]:
        body = {"model": endpoint_id, **body}
    with pytest.raises(openai.UnprocessableEntityError) as refused:
        chat_client(emu).post(path, body=body, cast_to=httpx.Response)
    detail = refused.value.response.json()["detail"]
    assert [issue["loc"] for issue in detail] == [loc]
    assert CONTRACT.validate(CONTRACT.schemas["HTTPValidationError"], {"detail": detail}, []) == []


# -- an endpoint that is not RUNNING -----------------------------------------------------------------
def _initializing(emu: Emulator) -> str:
    with emu.client() as client:
        return client.endpoints.create("proj", "new", "org/model", "H100").id


def _updating(emu: Emulator) -> str:
    endpoint_id = running(emu)
    with emu.client() as client:
        client.endpoints.update(endpoint_id, name="renamed")
    return endpoint_id


def _awaking(emu: Emulator) -> str:
    endpoint_id = running(emu)
    with emu.client() as client:
        client.endpoints.sleep(endpoint_id)
        client.endpoints.wake(endpoint_id)
    return endpoint_id


def _slept(emu: Emulator) -> str:
    endpoint_id = running(emu)
    with emu.client() as client:
        client.endpoints.sleep(endpoint_id)
    return endpoint_id


def _failed(emu: Emulator) -> str:
    with emu.client() as client:
        endpoint = client.endpoints.create("proj", "bad", "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "H100")
    emu.advance(90)
    return endpoint.id


def _terminated(emu: Emulator, then: float) -> str:
    endpoint_id = running(emu)
    with emu.client() as client:
        client.endpoints.terminate(endpoint_id)
    emu.advance(then)
    return endpoint_id


def _deleted(emu: Emulator) -> str:
    endpoint_id = running(emu)
    with emu.client() as client:
        client.endpoints.delete(endpoint_id)
    return endpoint_id


NOT_RUNNING: dict[str, tuple[Callable[[Emulator], str], int, str | None, str]] = {
    # state: (how to get there, status, Retry-After, what the detail says)
    "INITIALIZING": (_initializing, 503, "90", "is INITIALIZING, not serving yet"),
    "UPDATING": (_updating, 503, "30", "is UPDATING, not serving yet"),
    "AWAKING": (_awaking, 503, "20", "is AWAKING, not serving yet"),
    "SLEEPING": (_slept, 400, None, "is SLEEPING: wake it before sending requests"),
    "FAILED": (_failed, 400, None, "is FAILED (INFERENCE_ENGINE_MEMORY_ERROR): restart it"),
    "TERMINATING": (lambda emu: _terminated(emu, 0), 400, None, "is TERMINATING: restart it"),
    "TERMINATED": (lambda emu: _terminated(emu, 10), 400, None, "is TERMINATED: restart it"),
    "deleted": (_deleted, 404, None, "not found"),
    "unknown": (lambda emu: "ep-000000000000", 404, None, "Endpoint 'ep-000000000000' not found"),
}
ERRORS = {400: openai.BadRequestError, 404: openai.NotFoundError, 503: openai.InternalServerError}


@pytest.mark.parametrize("state", list(NOT_RUNNING))
def test_an_endpoint_that_is_not_running_answers_as_documented(emu: Emulator, state: str) -> None:
    setup, code, retry_after, says = NOT_RUNNING[state]
    endpoint_id = setup(emu)
    before = None if code == 404 else status(emu, endpoint_id)
    assert before in (None, state)
    client = chat_client(emu)
    calls: list[Callable[[], Any]] = [
        lambda: client.chat.completions.create(model=endpoint_id, messages=HELLO, max_tokens=1),
        lambda: client.completions.create(model=endpoint_id, prompt="x"),
        lambda: client.post("/tokenize", body={"model": endpoint_id, "prompt": "x"}, cast_to=httpx.Response),
        lambda: client.post("/detokenize", body={"model": endpoint_id, "tokens": [1]}, cast_to=httpx.Response),
    ]
    for call in calls:
        with pytest.raises(ERRORS[code]) as refused:
            call()
        response = refused.value.response
        assert response.status_code == code
        assert response.headers.get("retry-after") == retry_after
        body = response.json()
        assert list(body) == ["detail"]
        assert says in body["detail"]
    assert before is None or status(emu, endpoint_id) == state  # asking changes nothing


def test_another_teams_endpoint_is_not_found(emu: Emulator) -> None:
    emu = Emulator(clock=ManualClock(), tokens={"token-a": ["team-a"], "token-b": ["team-b", "team-c"]})
    with emu.client(token="token-b", team_id="team-c") as client:
        theirs = client.endpoints.create("proj", "chat", "org/model", "H100").wait_until_running(timeout=600).id
    with pytest.raises(openai.NotFoundError):
        chat_client(emu, token="token-a", team="team-a").chat.completions.create(model=theirs, messages=HELLO)
    with pytest.raises(openai.NotFoundError):  # the token's default team is team-b, not the endpoint's
        chat_client(emu, token="token-b", team=None).chat.completions.create(model=theirs, messages=HELLO)
    with pytest.raises(openai.PermissionDeniedError):  # a team the token is not in
        chat_client(emu, token="token-a", team="team-c").chat.completions.create(model=theirs, messages=HELLO)
    with pytest.raises(openai.AuthenticationError):
        chat_client(emu, token="wrong").chat.completions.create(model=theirs, messages=HELLO)
    answer = chat_client(emu, token="token-b", team="team-c").chat.completions.create(model=theirs, messages=HELLO)
    assert answer.choices[0].message.content == "Echo: Hello there"


# -- scale to zero ----------------------------------------------------------------------------------
def test_a_request_wakes_an_endpoint_that_scaled_to_zero(emu: Emulator) -> None:
    endpoint_id = running(emu, autoscaling=SCALES_TO_ZERO)
    emu.advance(60)
    assert status(emu, endpoint_id) == "SLEEPING"
    client = chat_client(emu)

    with pytest.raises(openai.InternalServerError) as waking:
        client.chat.completions.create(model=endpoint_id, messages=HELLO)
    assert waking.value.response.status_code == 503
    assert waking.value.response.headers["retry-after"] == "20"
    assert "was SLEEPING (scaled to zero) and is waking up" in waking.value.response.json()["detail"]
    assert status(emu, endpoint_id) == "AWAKING"
    emu.advance(5)
    with pytest.raises(openai.InternalServerError) as still:  # still waking: no second wake, the time left
        client.chat.completions.create(model=endpoint_id, messages=HELLO)
    assert still.value.response.headers["retry-after"] == "15"
    assert "is AWAKING, not serving yet" in still.value.response.json()["detail"]
    emu.advance(15)
    assert client.chat.completions.create(model=endpoint_id, messages=HELLO).choices[0].finish_reason == "stop"
    assert [r.facade_name for r in emu.requests if r.operation and "Wake" in r.operation] == []  # no wake sent


def test_each_answer_restarts_the_cooldown(emu: Emulator) -> None:
    endpoint_id = running(emu, autoscaling=SCALES_TO_ZERO)
    client = chat_client(emu)
    for _ in range(3):
        emu.advance(50)
        client.post("/tokenize", body={"model": endpoint_id, "prompt": "keep me up"}, cast_to=httpx.Response)
    assert status(emu, endpoint_id) == "RUNNING"  # 150 s RUNNING with a 60 s cooldown
    emu.advance(59)
    assert status(emu, endpoint_id) == "RUNNING"
    emu.advance(1)
    assert status(emu, endpoint_id) == "SLEEPING"


def test_an_endpoint_asleep_by_request_is_not_woken_unless_it_scales_to_zero(emu: Emulator) -> None:
    fixed = _slept(emu)
    with pytest.raises(openai.BadRequestError):
        chat_client(emu).chat.completions.create(model=fixed, messages=HELLO)
    assert status(emu, fixed) == "SLEEPING"
    scaling = running(emu, autoscaling=SCALES_TO_ZERO)
    with emu.client() as sdk:
        sdk.endpoints.sleep(scaling)
    with pytest.raises(openai.InternalServerError):
        chat_client(emu).chat.completions.create(model=scaling, messages=HELLO)
    assert status(emu, scaling) == "AWAKING"


# -- faults, and the loopback server -------------------------------------------------------------
def test_injected_faults_reach_inference_requests(emu: Emulator, endpoint_id: str) -> None:
    emu.inject("dedicatedChatComplete", 429, retry_after=2)
    with pytest.raises(openai.RateLimitError) as limited:
        chat_client(emu).chat.completions.create(model=endpoint_id, messages=HELLO)
    assert limited.value.response.headers["retry-after"] == "2"
    assert chat_client(emu).chat.completions.create(model=endpoint_id, messages=HELLO).choices


@pytest.fixture
def served(emu: Emulator, endpoint_id: str) -> Iterator[openai.OpenAI]:
    with emu.serve() as base_url:
        yield openai.OpenAI(base_url=f"{base_url}/dedicated/v1", api_key=DEFAULT_TOKEN, max_retries=0)


def test_the_loopback_server_serves_chats_plain_and_streamed(served: openai.OpenAI, endpoint_id: str) -> None:
    plain = served.chat.completions.create(model=endpoint_id, messages=HELLO)
    assert plain.choices[0].message.content == "Echo: Hello there"
    streamed = served.chat.completions.create(model=endpoint_id, messages=HELLO, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in streamed if chunk.choices) == "Echo: Hello there"
    tokens = served.post("/tokenize", body={"model": endpoint_id, "prompt": "Hi"}, cast_to=httpx.Response).json()
    assert tokens == {"tokens": [72, 105]}
    with pytest.raises(openai.NotFoundError):
        served.chat.completions.create(model="ep-000000000000", messages=HELLO)


def test_the_documented_table_is_what_the_emulator_answers() -> None:
    """docs/emulator.md's table of answers for an endpoint that is not RUNNING, row by row, is NOT_RUNNING's
    (and the scale-to-zero row is the wake test's 503 with Retry-After)."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "emulator.md").read_text(encoding="utf-8")
    table = guide[guide.index("| The endpoint (`model`) |") :].split("\n\n", 1)[0].splitlines()[2:]
    rows = {
        row.strip("|").split("|")[0].strip(): [cell.strip() for cell in row.strip("|").split("|")[1:]] for row in table
    }

    def row(state: str) -> list[str]:
        (found,) = [
            cells
            for first, cells in rows.items()
            if (first.startswith("SLEEPING otherwise") if state == "SLEEPING" else state in first.split(", "))
        ]
        return found

    expected = {state: (code, retry_after is not None) for state, (_, code, retry_after, _) in NOT_RUNNING.items()}
    expected["SLEEPING, scaling to zero (autoscaling minimum 0)"] = (503, True)
    expected["RUNNING"] = (200, False)
    for state, (code, retries) in expected.items():
        cells = rows[state] if state in rows else row(state)
        assert cells[0] == str(code), (state, cells)
        assert ("Retry-After" in cells[1]) == retries, (state, cells)
