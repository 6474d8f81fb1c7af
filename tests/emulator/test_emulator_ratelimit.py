"""The emulator's rate limit (``Emulator(rate_limit=R)``): a token bucket per token on the emulator's
clock; beyond it, 429 with ``Retry-After`` saying when the next request is admitted."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import example, given, settings, strategies as st

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TOKEN, Emulator, ManualClock
from friendli_dedicated.emulator._http import retry_after_headers
from friendli_dedicated.emulator._ratelimit import RateLimiter
from friendli_dedicated.errors import InvalidInputError

BASE = "/dedicated/beta/endpoint"
OTHER = "other-token"


def get(emu: Emulator, token: str = DEFAULT_TOKEN) -> Any:
    return emu.handle("GET", BASE, [], {"Authorization": f"Bearer {token}"}, b"")


def test_beyond_the_rate_requests_get_429_saying_when_to_come_back() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=2)
    assert [get(emu).status for _ in range(2)] == [200, 200]  # a full bucket: a burst of R
    refused = get(emu)
    assert refused.status == 429
    assert (refused.headers["retry-after"], refused.headers["retry-after-ms"]) == ("0.5", "500")
    assert "2 requests per second" in refused.json()["detail"]
    emu.advance(0.499)
    assert get(emu).headers["retry-after-ms"] == "1"
    emu.advance(0.001)  # waited exactly as told: admitted
    assert get(emu).status == 200
    assert emu.stats.rate_limited == 2
    assert emu.stats.responses[429] == 2
    assert [r.status for r in emu.requests_for("list")] == [200, 200, 429, 429, 200]


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(min_value=0.01, max_value=1000))
@example(rate=50.0)  # the round rates (10, 20, 25, 50, 100, 125 a second) were the ones refused
def test_waiting_exactly_as_told_is_enough_at_any_rate(rate: float) -> None:
    # The manual clock reads seconds since 1970 (about 1.8e9), where a float step is 2.4e-7 s: the
    # refill after exactly the advertised wait may fall short of a whole admission by that much.
    emu = Emulator(clock=ManualClock(), rate_limit=rate)
    refused = get(emu)
    while refused.status != 429:
        refused = get(emu)
    emu.advance(int(refused.headers["retry-after-ms"]) / 1000)
    assert get(emu).status == 200


def test_the_bucket_refills_at_the_rate_up_to_its_capacity() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=3)
    emu.advance(1000)  # idle for long: still only a burst of 3
    assert [get(emu).status for _ in range(4)] == [200, 200, 200, 429]
    emu.advance(1)
    assert [get(emu).status for _ in range(4)] == [200, 200, 200, 429]


def test_a_rate_below_one_admits_one_request_then_spaces_them() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=0.5)
    assert get(emu).status == 200
    assert get(emu).headers["retry-after"] == "2"
    emu.advance(2)
    assert get(emu).status == 200


def test_each_token_has_its_own_bucket() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=1, tokens={DEFAULT_TOKEN: ["a"], OTHER: ["b"]})
    assert get(emu).status == 200
    assert get(emu).status == 429
    assert get(emu, OTHER).status == 200


def test_unauthenticated_and_faulted_requests_are_not_charged() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=1)
    assert get(emu, "wrong").status == 401
    emu.inject("list", 503)
    assert get(emu).status == 503
    assert get(emu).status == 200  # the bucket was still full
    assert get(emu, "wrong").status == 401  # a bad token is refused as such, not as over the limit


def test_the_sdk_waits_as_told_and_gets_through() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=1)
    with emu.client() as client:
        for _ in range(4):
            assert list(client.endpoints.list()) == []
    # The second listing is refused; from then on the client paces itself (probing a little
    # faster after each success, so at most one more refusal), instead of one 429 per listing.
    assert emu.stats.rate_limited <= 2
    admitted = [r.time for r in emu.requests if r.status == 200]
    assert len(admitted) == 4
    assert all(later - earlier >= 1 for earlier, later in itertools.pairwise(admitted))


def test_a_create_over_the_limit_is_sent_again_once_admitted_and_made_once() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=1)
    with emu.client() as client:
        endpoint = client.endpoints.create("p", "n", "m", "H100")  # its listing took the one admission
    # A 429 is a refusal before any processing: the SDK sends the create again when admitted.
    assert [r.status for r in emu.requests_for("create")] == [429, 200]
    assert emu.endpoint_ids() == [endpoint.id]


def test_the_sdk_reports_the_wait_when_it_may_not_retry() -> None:
    emu = Emulator(clock=ManualClock(), rate_limit=4)
    with emu.client(max_retries=0) as client:
        for _ in range(4):
            list(client.endpoints.list())
        with pytest.raises(fd.RateLimitError) as limited:
            list(client.endpoints.list())
    assert limited.value.retry_after == 0.25


def test_the_rate_limit_works_on_the_real_clock() -> None:
    emu = Emulator(rate_limit=0.001)  # one request, then one every 1000 s: no test waits that long
    assert get(emu).status == 200
    refused = get(emu)
    assert refused.status == 429
    assert 0 < int(refused.headers["retry-after-ms"]) <= 1_000_000


def test_the_rate_limit_over_http() -> None:
    pytest.importorskip("uvicorn")
    import httpx

    emu = Emulator(rate_limit=0.001)
    with emu.serve() as base_url:
        auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        assert httpx.get(base_url + BASE, headers=auth).status_code == 200
        refused = httpx.get(base_url + BASE, headers=auth)
    assert refused.status_code == 429
    assert 0 < float(refused.headers["retry-after"]) <= 1000
    assert emu.stats.rate_limited == 1


@pytest.mark.parametrize("rate", [0, -1, float("nan"), float("inf"), True, "5", 10**400])
def test_rate_limit_refuses_bad_values(rate: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        Emulator(clock=ManualClock(), rate_limit=rate)
    assert info.value.field == "Emulator.rate_limit"


def test_no_rate_limit_by_default() -> None:
    emu = Emulator(clock=ManualClock())
    assert emu.rate_limit is None
    assert {get(emu).status for _ in range(50)} == {200}


def test_a_clock_that_steps_back_refills_nothing() -> None:
    limiter = RateLimiter(1.0)
    assert limiter.admit("k", 100.0) is None
    assert limiter.admit("k", 50.0) == 1.0  # back in time: nothing refilled, and no debt either
    assert limiter.admit("k", 50.5) == 0.5
    assert limiter.admit("k", 51.0) is None
    assert "k" not in repr(limiter)


@pytest.mark.parametrize(
    ("seconds", "header", "milliseconds"),
    [
        (0.05, "0.05", "50"),
        (1 / 3, "0.334", "334"),
        (0.0, "0", "0"),
        (2.0, "2", "2000"),
        (1234.5641, "1234.565", "1234565"),
    ],
)
def test_retry_after_headers_round_up_to_a_millisecond(seconds: float, header: str, milliseconds: str) -> None:
    assert retry_after_headers(seconds) == {"retry-after": header, "retry-after-ms": milliseconds}
