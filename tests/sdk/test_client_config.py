"""Client configuration: token, team and base URL from arguments and environment variables
(arguments win), the insecure-URL check, timeout/max_retries/http_client validation, who closes
the HTTP client, the headers every request carries, and redirects that are never followed.
"""

from __future__ import annotations

import asyncio
import inspect
import threading

import httpx
import pytest
from fakes import COLLECTION, EP, TOKEN, FakeAPI, reply, status_json

import friendli_dedicated as fd
from friendli_dedicated._validate import TIMEOUT_MAX
from friendli_dedicated.emulator import DEFAULT_TOKEN, Emulator, ManualClock

STATUS_PATH = f"{COLLECTION}/{EP}/status"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def first_request(client_kwargs: dict[str, object], api: FakeAPI | None = None) -> httpx.Request:
    """Build a Client over a fake API, call ``status`` once, and return the request it sent."""
    api = api or FakeAPI()
    api.routes.setdefault(("GET", STATUS_PATH), [reply(200, status_json())])
    with fd.Client(http_client=api.sync_client(), **client_kwargs) as client:  # type: ignore[arg-type]
        client.endpoints.status(EP)
    return api.requests[-1]


# -- token, team, base URL ------------------------------------------------------------------------
def test_token_team_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "env-token")
    monkeypatch.setenv("FRIENDLI_TEAM", "env-team")
    monkeypatch.setenv("FRIENDLI_BASE_URL", "https://env.test/")
    request = first_request({})
    assert request.headers["Authorization"] == "Bearer env-token"
    assert request.headers["X-Friendli-Team"] == "env-team"
    assert str(request.url) == f"https://env.test{STATUS_PATH}"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "env-token")
    monkeypatch.setenv("FRIENDLI_TEAM", "env-team")
    monkeypatch.setenv("FRIENDLI_BASE_URL", "https://env.test")
    request = first_request({"token": "arg-token", "team_id": "arg-team", "base_url": "https://arg.test"})
    assert request.headers["Authorization"] == "Bearer arg-token"
    assert request.headers["X-Friendli-Team"] == "arg-team"
    assert request.url.host == "arg.test"


def test_the_environment_is_read_when_the_client_is_built_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "first")
    first = fd.Client(http_client=FakeAPI().sync_client())
    monkeypatch.setenv("FRIENDLI_TOKEN", "second")
    assert first_request({}).headers["Authorization"] == "Bearer second"
    first.close()


def test_default_base_url_is_the_public_api() -> None:
    client = fd.Client(token="t", http_client=FakeAPI().sync_client())
    assert client.base_url == "https://api.friendli.ai"


@pytest.mark.parametrize("env_token", [None, ""])
def test_a_missing_token_names_both_the_argument_and_the_variable(
    monkeypatch: pytest.MonkeyPatch, env_token: str | None
) -> None:
    if env_token is not None:
        monkeypatch.setenv("FRIENDLI_TOKEN", env_token)
    for build in (fd.Client, fd.AsyncClient):
        with pytest.raises(fd.ConfigurationError) as info:
            build()
        assert "token=" in str(info.value)
        assert "FRIENDLI_TOKEN" in str(info.value)


def test_the_team_header_is_sent_only_when_a_team_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "X-Friendli-Team" not in first_request({"token": "t"}).headers
    monkeypatch.setenv("FRIENDLI_TEAM", "")
    assert "X-Friendli-Team" not in first_request({"token": "t"}).headers
    assert first_request({"token": "t", "team_id": "t-1"}).headers["X-Friendli-Team"] == "t-1"


@pytest.mark.parametrize("base_url", ["http://api.friendli.ai", "http://10.0.0.5:8080", "http://example.test/v1"])
def test_plain_http_to_a_remote_host_is_refused_unless_allowed(base_url: str) -> None:
    with pytest.raises(fd.ConfigurationError, match="allow_insecure"):
        fd.Client(token="t", base_url=base_url)
    client = fd.Client(token="t", base_url=base_url, allow_insecure=True, http_client=FakeAPI().sync_client())
    assert client.base_url == base_url


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8080", "http://localhost:8000", "http://[::1]:9000", "http://127.1.2.3"]
)
def test_plain_http_to_loopback_is_allowed(base_url: str) -> None:
    request = first_request({"token": "t", "base_url": base_url})
    assert str(request.url) == f"{base_url}{STATUS_PATH}"


@pytest.mark.parametrize("base_url", ["ftp://api.test", "api.friendli.ai", "https://", "not a url"])
def test_a_base_url_that_is_not_http_is_refused(base_url: str) -> None:
    with pytest.raises(fd.ConfigurationError, match="base_url"):
        fd.Client(token="t", base_url=base_url)


# -- timeout, retries, http_client ----------------------------------------------------------------
@pytest.mark.parametrize("timeout", [None, -1, 0, True, False, float("nan"), float("inf"), "30"])
def test_a_bad_timeout_is_refused_naming_timeout(timeout: object) -> None:
    for build in (fd.Client, fd.AsyncClient):
        with pytest.raises(fd.InvalidInputError) as info:
            build(token="t", timeout=timeout)  # type: ignore[arg-type]
        assert info.value.field == "timeout"
        assert "timeout" in str(info.value)


@pytest.mark.parametrize(
    "timeout",
    [1e10, TIMEOUT_MAX * 1.01, 2**62, httpx.Timeout(1e10), httpx.Timeout(5.0, connect=1e10)],
    ids=["1e10", "past-the-maximum", "huge-int", "httpx-timeout", "httpx-connect"],
)
def test_a_timeout_longer_than_the_documented_maximum_is_refused_up_front(timeout: object) -> None:
    # 1e10 s was accepted, then every call raised a bare OverflowError from socket.settimeout.
    client = fd.Client(token="t")
    builders = (fd.Client, fd.AsyncClient, lambda **kwargs: client.with_options(timeout=kwargs["timeout"]))
    for build in builders:
        with pytest.raises(fd.InvalidInputError, match="30 days") as info:
            build(token="t", timeout=timeout)
        assert info.value.field == "timeout"


def test_the_maximum_timeout_is_one_every_platform_accepts_end_to_end() -> None:
    assert TIMEOUT_MAX <= 4294967.0  # Windows's threading.TIMEOUT_MAX, the smallest of any platform's
    assert TIMEOUT_MAX <= threading.TIMEOUT_MAX
    emulator = Emulator(clock=ManualClock())
    with emulator.serve() as url:
        endpoint = emulator.client().endpoints.create("proj", "chat", "org/model", "H100")
        with fd.Client(token=DEFAULT_TOKEN, base_url=url, timeout=TIMEOUT_MAX) as client:  # a real socket
            assert isinstance(client.endpoints.status(endpoint.id), fd.EndpointState)

        async def status() -> fd.EndpointState:
            async with fd.AsyncClient(token=DEFAULT_TOKEN, base_url=url, timeout=TIMEOUT_MAX) as client:
                return await client.endpoints.status(endpoint.id)

        assert isinstance(asyncio.run(status()), fd.EndpointState)
        # An injected client's own limits, however long, are capped by the same maximum.
        http = httpx.Client(timeout=1e10)
        with fd.Client(token=DEFAULT_TOKEN, base_url=url, http_client=http) as client:
            assert client.timeout == TIMEOUT_MAX
            assert isinstance(client.endpoints.status(endpoint.id), fd.EndpointState)


def test_the_timeout_given_is_the_one_each_request_uses() -> None:
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=status_json())

    http = httpx.Client(transport=httpx.MockTransport(handler))
    frozen = {"clock": lambda: 100.0}  # no time passes, so nothing is cut by the call's deadline
    fd.Client(token="t", timeout=7.5, http_client=http, **frozen).endpoints.status(EP)
    fd.Client(token="t", timeout=httpx.Timeout(3.0, connect=1.0), http_client=http, **frozen).endpoints.status(EP)
    assert seen[0] == {"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}
    assert seen[1] == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0}


def test_each_operation_timeout_is_capped_by_the_time_left_in_the_call() -> None:
    seen: list[dict[str, float | None]] = []
    now = [100.0]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        now[0] += 4.0  # each attempt takes 4 s of the call's 10
        return httpx.Response(503)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = fd.Client(
        token="t", timeout=10, http_client=http, clock=lambda: now[0], sleep=lambda s: None, random=lambda: 0.0
    )
    with pytest.raises(fd.ServerError):
        client.with_options(max_retries=5).endpoints.status(EP)
    assert [t["read"] for t in seen] == [10.0, 6.0, 2.0]


def test_max_retries_none_is_refused_with_a_hint_to_pass_zero() -> None:
    for build in (fd.Client, fd.AsyncClient):
        with pytest.raises(fd.InvalidInputError, match="pass 0") as info:
            build(token="t", max_retries=None)  # type: ignore[arg-type]
        assert info.value.field == "max_retries"


@pytest.mark.parametrize("max_retries", [-1, True, 1.5, "2"])
def test_other_bad_max_retries_are_refused(max_retries: object) -> None:
    with pytest.raises(fd.InvalidInputError) as info:
        fd.Client(token="t", max_retries=max_retries)  # type: ignore[arg-type]
    assert info.value.field == "max_retries"


@pytest.mark.parametrize("http_client", [httpx.AsyncClient(), object(), "http://proxy"])
def test_an_http_client_of_the_wrong_type_is_refused(http_client: object) -> None:
    with pytest.raises(fd.ConfigurationError, match="http_client"):
        fd.Client(token="t", http_client=http_client)  # type: ignore[arg-type]


def test_an_injected_http_client_is_used_and_not_closed() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply(200, status_json()))
    http = api.sync_client()
    with fd.Client(token="t", http_client=http) as client:
        client.endpoints.status(EP)
    assert len(api.requests) == 1
    assert not http.is_closed
    http.close()


def test_an_owned_http_client_is_closed() -> None:
    client = fd.Client(token="t")
    client.close()
    assert client._http.is_closed
    with fd.Client(token="t") as other:
        pass
    assert other._http.is_closed


# -- headers and redirects ------------------------------------------------------------------------
def test_user_agent_names_the_sdk_and_the_contract_pin() -> None:
    user_agent = first_request({"token": "t"}).headers["User-Agent"]
    assert user_agent.startswith(f"friendli-dedicated/{fd.__version__}")
    assert fd.CONTRACT_PIN.short() in user_agent


def test_the_token_is_sent_as_a_bearer_authorization_header() -> None:
    request = first_request({"token": TOKEN})
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("follow", [False, True], ids=["plain-client", "following-client"])
def test_redirects_are_never_followed_so_the_token_never_reaches_another_host(status: int, follow: bool) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.host == "api.test":
            return httpx.Response(status, headers={"Location": "https://evil.test/steal"})
        return httpx.Response(200, json=status_json())

    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=follow)
    with pytest.raises(fd.APIError) as info:
        fd.Client(token="t", base_url="https://api.test", http_client=http, sleep=lambda s: None).endpoints.status(EP)
    assert type(info.value) is fd.APIError
    assert info.value.status_code == status
    assert "evil.test" in str(info.value)
    assert "not followed" in str(info.value)
    assert hosts == ["api.test"]


def test_repr_shows_base_url_and_team() -> None:
    client = fd.Client(token="t", team_id="tm", base_url="https://api.test", http_client=FakeAPI().sync_client())
    assert repr(client) == "Client(base_url='https://api.test', team_id='tm')"
    assert client.team_id == "tm"


@pytest.mark.parametrize("client_class", [fd.Client, fd.AsyncClient])
@pytest.mark.parametrize("sleep", [lambda: None, "time.sleep", lambda seconds, extra: None])
def test_an_injected_sleep_of_the_wrong_shape_is_refused_at_construction(client_class: type, sleep: object) -> None:
    with pytest.raises(fd.InvalidInputError) as refused:
        client_class(token="t", sleep=sleep)
    assert refused.value.field == "sleep"


# -- arguments by name ----------------------------------------------------------------------------
@pytest.mark.parametrize("client_class", [fd.Client, fd.AsyncClient])
def test_every_argument_is_keyword_only(client_class: type) -> None:
    parameters = list(inspect.signature(client_class).parameters.values())
    assert parameters[0].name == "token"
    assert {parameter.kind for parameter in parameters} == {inspect.Parameter.KEYWORD_ONLY}


@pytest.mark.parametrize("client_class", [fd.Client, fd.AsyncClient])
@pytest.mark.parametrize(
    ("values", "meant"),
    [
        ((TOKEN,), "token=..."),
        ((TOKEN, "team-1"), "token=..., team_id=..."),
        ((TOKEN, None, "https://api.test", 30), "base_url=..., timeout=..."),
    ],
)
def test_a_value_given_by_position_is_refused_naming_the_keyword_it_was_meant_for(
    client_class: type, values: tuple[object, ...], meant: str
) -> None:
    with pytest.raises(TypeError, match="no positional arguments") as refused:
        client_class(*values)
    message = str(refused.value)
    assert f"{client_class.__name__}(" in message
    assert meant in message
    assert TOKEN not in message  # the first value would be the token: never shown


@pytest.mark.parametrize("client_class", [fd.Client, fd.AsyncClient])
def test_a_variant_from_with_options_is_of_the_same_class_and_shares_the_connections(client_class: type) -> None:
    client = client_class(token="t", timeout=20)
    variant = client.with_options(timeout=5, max_retries=0)
    assert type(variant) is client_class
    assert variant._http is client._http
    assert (variant.timeout, variant.retry.max_retries, client.timeout) == (5.0, 0, 20.0)
    assert variant.endpoints._client is variant


def test_a_subclass_with_an_init_of_its_own_takes_what_its_init_takes() -> None:
    class Regional(fd.Client):
        def __init__(self, region: str) -> None:
            super().__init__(token="t", base_url=f"https://{region}.api.test")

    assert Regional("eu").base_url == "https://eu.api.test"
    with pytest.raises(TypeError, match="no positional arguments"):
        type("Plain", (fd.Client,), {})("t")
