"""The emulator's core under abuse (through ``Emulator.handle``, no sockets): what it refuses, in
which order, and that no client input makes it answer 500 or anything but JSON (a property test)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from friendli_dedicated.emulator import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_TOKEN,
    MAX_JSON_DEPTH,
    MAX_STRING_LENGTH,
    Emulator,
    ManualClock,
    Response,
)
from friendli_dedicated.emulator._contract import load_contract
from friendli_dedicated.emulator._http import RequestHead

BASE = "/dedicated/beta/endpoint"
WANDB = "/dedicated/endpoint/wandb-artifact-create"
H100 = "TwD5AqnBSVN0"
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
CREATE: dict[str, Any] = {
    "projectId": "p",
    "name": "n",
    "instanceOptionId": H100,
    "hfModelRepo": "org/model",
    "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": True},
}
NOT_AN_OBJECT = {
    "loc": ["body"],
    "msg": "Input should be a valid dictionary or object to extract fields from",
    "type": "model_attributes_type",
}


def new_emulator(**kwargs: Any) -> Emulator:
    return Emulator(clock=ManualClock(), seed=1, **kwargs)


def post(emu: Emulator, body: bytes, path: str = BASE, **headers: str) -> Response:
    return emu.handle("POST", path, [], {**AUTH, **headers}, body)


def created(emu: Emulator) -> str:
    assert post(emu, json.dumps(CREATE).encode()).status == 200
    return emu.endpoint_ids()[-1]


# -- order: token, route, team and declared size before the body ----------------------------------
def test_what_is_checked_before_the_body_comes_first() -> None:
    emu = new_emulator(max_body_size=100)
    big = b"x" * 101
    assert emu.handle("POST", BASE, [], {}, big).status == 401
    assert emu.handle("POST", "/nowhere", [], AUTH, big).status == 404
    assert emu.handle("PATCH", BASE, [], AUTH, big).status == 405
    assert emu.handle("POST", BASE, [], {**AUTH, "X-Friendli-Team": "not-mine"}, big).status == 403
    too_large = post(emu, big)
    assert too_large.status == 413
    assert too_large.json() == {"detail": "Request body too large: the emulator reads at most 100 bytes"}
    assert post(emu, b"x" * 100).status == 422  # at the limit it is read (and is not JSON)
    assert emu.stats.requests == 6
    assert emu.stats.responses == {401: 1, 404: 1, 405: 1, 403: 1, 413: 1, 422: 1}


def test_handle_head_answers_without_a_body_and_bounds_what_is_read() -> None:
    emu = new_emulator(max_body_size=1000)
    unauthenticated = emu.handle_head("POST", BASE, [], {}, content_length=10**11)
    assert isinstance(unauthenticated, Response)
    assert unauthenticated.status == 401
    declared_too_large = emu.handle_head("POST", BASE, [], AUTH, content_length=1001)
    assert isinstance(declared_too_large, Response)
    assert declared_too_large.status == 413
    head = emu.handle_head("POST", BASE, [], AUTH)  # chunked: no declared size
    assert isinstance(head, RequestHead)
    assert head.body_limit == 1001
    assert emu.handle_body(head, b" " * 1001).status == 413
    head = emu.handle_head("POST", BASE, [], AUTH, content_length=len(json.dumps(CREATE)))
    assert isinstance(head, RequestHead)
    assert emu.handle_body(head, json.dumps(CREATE).encode()).status == 200
    assert emu.stats.requests == 4
    assert emu.stats.responses == {401: 1, 413: 2, 200: 1}


def test_the_default_body_limit_is_a_mebibyte_and_a_huge_name_is_never_stored() -> None:
    emu = new_emulator()
    assert DEFAULT_MAX_BODY_SIZE == emu.max_body_size == 1 << 20
    huge_name = json.dumps({**CREATE, "name": "x" * DEFAULT_MAX_BODY_SIZE}).encode()
    assert post(emu, huge_name).status == 413
    assert emu.endpoint_ids() == []


# -- Content-Type: JSON is read as JSON only when it says so (or says nothing), as FastAPI does ------
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "json"],
)
def test_json_sent_as_another_content_type_is_not_an_object(content_type: str) -> None:
    emu = new_emulator()
    response = post(emu, json.dumps(CREATE).encode(), **{"Content-Type": content_type})
    assert response.status == 422
    assert response.json() == {"detail": [NOT_AN_OBJECT]}
    assert emu.endpoint_ids() == []


@pytest.mark.parametrize(
    "content_type",
    [None, "", "application/json", "application/json; charset=utf-8", "Application/JSON", "application/merge+json"],
)
def test_json_content_types_and_none_are_read_as_json(content_type: str | None) -> None:
    emu = new_emulator()
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert post(emu, json.dumps(CREATE).encode(), **headers).status == 200


def test_an_empty_body_is_missing_whatever_its_content_type() -> None:
    emu = new_emulator()
    response = post(emu, b"", **{"Content-Type": "text/plain"})
    assert response.json() == {"detail": [{"loc": ["body"], "msg": "Field required", "type": "missing"}]}


# -- JSON the parser must not choke on -------------------------------------------------------------
def _json_invalid(response: Response) -> dict[str, Any]:
    assert response.status == 422
    (issue,) = response.json()["detail"]
    assert (issue["msg"], issue["type"]) == ("JSON decode error", "json_invalid")
    return dict(issue)


@pytest.mark.parametrize("brackets", [MAX_JSON_DEPTH, 1000, 200_000])
def test_json_nested_too_deeply_is_422_never_a_recursion_error(brackets: int) -> None:
    # The object is level 1, so `brackets` arrays inside it make brackets + 1 levels.
    body = b'{"name": ' + b"[" * brackets + b"]" * brackets + b"}"
    issue = _json_invalid(post(new_emulator(), body))
    assert issue["loc"] == ["body", 9 + MAX_JSON_DEPTH - 1]  # the first bracket past the limit
    assert issue["ctx"] == {"error": f"nested deeper than {MAX_JSON_DEPTH} levels"}


def test_json_nested_to_the_limit_is_parsed() -> None:
    brackets = MAX_JSON_DEPTH - 1
    body = b'{"name": ' + b"[" * brackets + b"]" * brackets + b"}"
    response = post(new_emulator(), body)
    assert response.status == 422
    assert {"loc": ["body", "name"], "msg": "Input should be a valid string", "type": "string_type"} in response.json()[
        "detail"
    ]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_constants_json_does_not_have_are_invalid(constant: str) -> None:
    body = ('{"name": "NaN", "projectId": ' + constant + "}").encode()
    issue = _json_invalid(post(new_emulator(), body))
    assert issue["loc"] == ["body", 29]
    assert issue["ctx"] == {"error": f"{constant} is not JSON"}


def test_other_undecodable_bodies_are_json_invalid() -> None:
    emu = new_emulator()
    assert _json_invalid(post(emu, b"{not json"))["loc"] == ["body", 1]
    assert _json_invalid(post(emu, b'{"name": "\xff\xfe"}'))["ctx"] == {"error": "not UTF-8 (nor UTF-16 or UTF-32)"}
    long_integer = b'{"name": "9999", "projectId": ' + b"9" * 5000 + b"}"
    issue = _json_invalid(post(emu, long_integer))
    assert issue["loc"] == ["body", 30]


# -- bounds the contract leaves to the emulator ----------------------------------------------------
TOO_LONG = {"msg": f"String should have at most {MAX_STRING_LENGTH} characters", "type": "string_too_long"}


@pytest.mark.parametrize("field", ["projectId", "name", "hfModelRepo", "hfModelRepoRevision", "initialVersionComment"])
def test_create_refuses_strings_over_the_bound_and_stores_nothing(field: str) -> None:
    emu = new_emulator()
    response = post(emu, json.dumps({**CREATE, field: "x" * (MAX_STRING_LENGTH + 1)}).encode())
    assert response.status == 422
    assert response.json() == {"detail": [{"loc": ["body", field], **TOO_LONG}]}
    assert emu.endpoint_ids() == []
    assert post(emu, json.dumps({**CREATE, field: "x" * MAX_STRING_LENGTH}).encode()).status == 200


@pytest.mark.parametrize("field", ["name", "hfModelRepo", "hfModelRepoRevision", "newVersionComment"])
def test_update_refuses_strings_over_the_bound(field: str) -> None:
    emu = new_emulator()
    endpoint_id = created(emu)
    body = json.dumps({field: "y" * (MAX_STRING_LENGTH + 1)}).encode()
    response = emu.handle("PUT", f"{BASE}/{endpoint_id}", [], AUTH, body)
    assert response.json() == {"detail": [{"loc": ["body", field], **TOO_LONG}]}
    versions = emu.handle("GET", f"{BASE}/{endpoint_id}/version", [], AUTH, b"").json()["data"]
    assert list(versions) == ["v1"]


@pytest.mark.parametrize("field", ["wandbArtifactVersionName", "name", "projectId", "idempotencyKey"])
def test_wandb_create_refuses_strings_over_the_bound(field: str) -> None:
    emu = new_emulator()
    body = {"wandbArtifactVersionName": "e/p/m:v1", "projectId": "p", field: "z" * (MAX_STRING_LENGTH + 1)}
    response = post(emu, json.dumps(body).encode(), path=WANDB)
    assert response.json() == {"detail": [{"loc": ["body", field], **TOO_LONG}]}
    assert emu.endpoint_ids() == []


@pytest.mark.parametrize(
    ("query", "header", "loc"),
    [
        ([("project_id", "p" * (MAX_STRING_LENGTH + 1))], {}, ["query", "project_id"]),
        ([("cursor", "c" * (MAX_STRING_LENGTH + 1))], {}, ["query", "cursor"]),
        ([], {"X-Friendli-Team": "t" * (MAX_STRING_LENGTH + 1)}, ["header", "X-Friendli-Team"]),
    ],
)
def test_queries_and_headers_are_bounded_too(
    query: list[tuple[str, str]], header: dict[str, str], loc: list[str]
) -> None:
    response = new_emulator().handle("GET", BASE, query, {**AUTH, **header}, b"")
    assert response.json() == {"detail": [{"loc": loc, **TOO_LONG}]}


@pytest.mark.parametrize(
    ("body", "loc", "bound"),
    [
        (
            {"autoscalingPolicy": {"minReplica": 0, "maxReplica": 1, "cooldownPeriod": 10**400}},
            "cooldownPeriod",
            2**63 - 1,
        ),
        (
            {"autoscalingPolicy": {"minReplica": 0, "maxReplica": 1, "cooldownPeriod": -(2**64)}},
            "cooldownPeriod",
            -(2**63),
        ),
        ({"advanced": {**CREATE["advanced"], "max_batch_size": 2**63}}, "max_batch_size", 2**63 - 1),
    ],
)
def test_integers_the_contract_leaves_unbounded_fit_in_64_bits(body: dict[str, Any], loc: str, bound: int) -> None:
    response = post(new_emulator(), json.dumps({**CREATE, **body}).encode())
    assert response.status == 422
    (issue,) = response.json()["detail"]
    assert issue["loc"][-1] == loc
    assert issue["msg"].endswith(f" {bound}")


def test_engine_options_the_contract_does_not_know_are_not_kept() -> None:
    emu = new_emulator()
    advanced = {**CREATE["advanced"], "max_batch_size": 8, "not_an_option": "x" * 100_000}
    assert post(emu, json.dumps({**CREATE, "advanced": advanced}).encode()).status == 200
    (record,) = emu._operations.endpoints.values()  # what is stored is not visible through the API: look inside
    assert record.advanced == {**CREATE["advanced"], "max_batch_size": 8}


def test_messages_never_echo_a_long_input_in_full() -> None:
    emu = new_emulator(tokens={DEFAULT_TOKEN: ["team"]})
    unknown = "e" * 5000
    not_found = emu.handle("GET", f"{BASE}/{unknown}", [], AUTH, b"")
    assert not_found.status == 404
    assert len(not_found.body) < 200
    forbidden = emu.handle("GET", BASE, [], {**AUTH, "X-Friendli-Team": "f" * MAX_STRING_LENGTH}, b"")
    assert forbidden.status == 403
    assert len(forbidden.body) < 200


# -- property: whatever a client sends, never a 5xx, always JSON ---------------------------------------
TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(max_size=5).map(lambda t: t * 400)
SUFFIXES = ["", "/status", "/version", "/sleep", "/wake", "/terminate", "/restart"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
CONTRACT = load_contract()
EDGES = [0, 1, 2, 10, 11, -1, 2**63 - 1, 2**63, -(2**63) - 1, 10**400, 1e308, -1e308, 0.5, 1.0]
NUMBERS = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=-3, max_value=12),
    st.integers(),
    st.integers(min_value=0, max_value=1000).map(lambda exponent: 10**exponent),
    st.floats(allow_nan=False),
)
STRINGS = st.one_of(
    st.text(max_size=20), TEXT, st.sampled_from(["emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "emulator/fail-NOPE"])
)
ONE_IN_16 = st.sampled_from(range(16))  # uniform draws (st.integers leans to its bounds)
FUZZ_SEED = 3
# The endpoint the fuzz test creates first: ids depend only on the seed and the order of creation.
FUZZED_ENDPOINT = created(Emulator(clock=ManualClock(), seed=FUZZ_SEED))
# Values that exist, by property name, from the contract: most bodies then get past the checks to the operations.
EXISTING: dict[str, st.SearchStrategy[Any]] = {
    "instanceOptionId": st.sampled_from([option_id for option_id, _, _ in CONTRACT.instance_options]),
    "type": st.sampled_from(sorted({gpu for _, gpu, _ in CONTRACT.instance_options})),
    "count": st.sampled_from(sorted({count for _, _, count in CONTRACT.instance_options})),
    "model": st.just(FUZZED_ENDPOINT),  # the inference operations' endpoint
}


def from_schema(schema: Any, name: str = "") -> st.SearchStrategy[Any]:
    """Values shaped by a contract schema, each part now and then replaced by any JSON value."""
    if "$ref" in schema:
        target = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(CONTRACT.schemas[target], name))
    if "anyOf" in schema:
        shaped: st.SearchStrategy[Any] = st.one_of([from_schema(branch, name) for branch in schema["anyOf"]])
    elif "enum" in schema:
        shaped = st.sampled_from(schema["enum"])
    elif schema.get("type") == "object" and "properties" in schema:
        required = set(schema.get("required", ()))
        properties = {key: from_schema(sub, key) for key, sub in schema["properties"].items()}
        shaped = st.fixed_dictionaries(
            {key: value for key, value in properties.items() if key in required},
            optional={key: value for key, value in properties.items() if key not in required},
        )
    else:
        simple = {"integer": NUMBERS, "number": NUMBERS, "string": STRINGS, "boolean": st.booleans(), "null": st.none()}
        shaped = simple.get(schema.get("type", ""), JSON_VALUES)
        if name in EXISTING and schema.get("type") != "null":
            shaped = ONE_IN_16.flatmap(lambda n, known=EXISTING[name], any_=shaped: any_ if n < 4 else known)
    return ONE_IN_16.flatmap(lambda n: JSON_VALUES if n == 1 else shaped)  # now and then, anything at all


BODY_SCHEMAS = [operation.body_schema for operation in CONTRACT.operations if operation.body_schema is not None]
CONTRACT_BODIES = st.sampled_from(BODY_SCHEMAS).flatmap(from_schema).map(lambda value: json.dumps(value).encode())


DEPTHS = st.sampled_from([1, 63, 64, 65, 999, 1000, 5000, 20_000])
BODIES = st.one_of(
    CONTRACT_BODIES,
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=64),
    DEPTHS.map(lambda depth: b"[" * depth + b"]" * depth),
    DEPTHS.map(lambda depth: b'{"advanced":' * depth + b"1" + b"}" * depth),
    st.sampled_from([b"NaN", b'{"name": Infinity}', b"1" * 5000, b'"\\ud800"', b"\xef\xbb\xbf{}", b"{" * 10]),
)
HEADER_VALUES = st.text(st.characters(codec="latin-1"), max_size=30)


# The operations that take a body come three times: they are where most of the checks are.
OPERATIONS = [operation for operation in CONTRACT.operations for _ in range(3 if operation.body_schema else 1)]
QUERIES = st.lists(
    st.tuples(
        st.sampled_from(["limit", "cursor", "project_id"]) | TEXT,
        st.sampled_from(["1", "20", "100", "0", "101", "-1", "1e3", " 5 ", "٣"]) | TEXT | st.integers().map(str),
    ),
    max_size=3,
)


@st.composite
def requests(draw: st.DrawFn, endpoint_id: str) -> tuple[str, str, list[tuple[str, str]], dict[str, str], bytes]:
    """Three in four: an operation of the contract, with the token, on the endpoint that exists
    (mostly), with a body mostly shaped by the operation's schema. Else anything at all."""
    if draw(ONE_IN_16) >= 4:
        operation = draw(st.sampled_from(OPERATIONS))
        ident = draw(ONE_IN_16.flatmap(lambda n: TEXT if n < 3 else st.just(endpoint_id)))
        path = operation.path.replace("{endpoint_id}", ident)
        schema = operation.body_schema
        if schema is None:
            body = draw(BODIES) if draw(ONE_IN_16) < 2 else b""
        elif draw(st.booleans()):
            body = draw(BODIES)
        else:
            body = draw(from_schema(schema).map(lambda value: json.dumps(value).encode()))
        headers = dict(AUTH)
        if draw(ONE_IN_16) < 2:
            headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/plain"]) | HEADER_VALUES)
        return operation.method, path, draw(QUERIES), headers, body
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) | st.text(max_size=8))
    ident = draw(st.sampled_from([endpoint_id, "ep-000000000000", "", "..", "%2F"]) | TEXT)
    path = draw(
        st.sampled_from([BASE, WANDB, *(f"{BASE}/{ident}{suffix}" for suffix in SUFFIXES)])
        | TEXT.map(lambda text: "/" + text)
    )
    headers: dict[str, str] = {}
    authorization = draw(
        st.sampled_from([f"Bearer {DEFAULT_TOKEN}", f"bearer   {DEFAULT_TOKEN}  ", "Bearer", "Basic x", ""])
        | HEADER_VALUES
    )
    headers["Authorization"] = authorization
    for name in draw(st.lists(st.sampled_from(["X-Friendli-Team", "Content-Type", "X-Other"]), max_size=2)):
        headers[name] = draw(st.sampled_from(["emulator-team", "application/json", "text/plain"]) | HEADER_VALUES)
    return method, path, draw(QUERIES), headers, draw(BODIES)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), steps=st.integers(min_value=1, max_value=4))
def test_no_client_input_gets_a_5xx_or_anything_but_json(data: st.DataObject, steps: int) -> None:
    clock = ManualClock()
    emu = Emulator(clock=clock, seed=FUZZ_SEED, max_body_size=64 * 1024)
    endpoint_id = created(emu)
    assert endpoint_id == FUZZED_ENDPOINT
    for _ in range(steps):
        method, path, query, headers, body = data.draw(requests(endpoint_id))
        response = emu.handle(method, path, query, headers, body)
        if response.status == 503:  # the one 5xx: an endpoint deploying (or waking) does not serve yet
            assert path.startswith("/dedicated/v1/"), (path, response.body[:300])
            assert "retry-after" in response.headers
        else:
            assert 200 <= response.status < 500, (response.status, response.body[:300])
        if response.headers["content-type"].startswith("text/event-stream"):  # a streamed answer
            assert response.status == 200
            *events, done, end = response.body.decode().split("\n\n")
            assert (done, end) == ("data: [DONE]", "")
            for event in events:
                json.loads(event.removeprefix("data: "))
            continue
        assert response.headers["content-type"] == "application/json"
        json.loads(response.body)
        clock.advance(data.draw(st.sampled_from([0, 1, 30, 90, 1000])))
    assert sum(emu.stats.responses.values()) == emu.stats.requests == steps + 1
