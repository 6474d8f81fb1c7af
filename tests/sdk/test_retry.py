"""Tests for the pure retry core: backoff bounds, policy validation, Retry-After parsing, and the
retry decision matrix (above all: a non-idempotent request is never sent twice once it may have
reached the server)."""

from __future__ import annotations

import doctest
import math
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given, strategies as st

from friendli_dedicated import _retry
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._retry import (
    RETRYABLE_STATUSES,
    RetryPolicy,
    may_have_reached_server,
    parse_retry_after,
    retry_delay,
    should_retry,
    transient,
)
from friendli_dedicated._status_errors import make_status_error
from friendli_dedicated.errors import (
    InvalidInputError,
    RequestTimeoutError,
    ResponseFormatError,
    TransportError,
    WaitTimeoutError,
)

# --- Backoff properties ---------------------------------------------------------------------------

initials = st.floats(min_value=1e-3, max_value=100.0)
multipliers = st.floats(min_value=1.0, max_value=10.0)
jitters = st.floats(min_value=0.0, max_value=1.0)
# random() returns [0, 1); exclude_max keeps the property honest to that contract.
unit_randoms = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


@st.composite
def backoffs(draw: st.DrawFn) -> Backoff:
    initial = draw(initials)
    maximum = draw(st.floats(min_value=initial, max_value=1e4))
    return Backoff(initial=initial, multiplier=draw(multipliers), maximum=maximum, jitter=draw(jitters))


@given(backoff=backoffs(), attempt=st.integers(min_value=0, max_value=2000), r=unit_randoms)
def test_delay_is_within_the_jitter_band_below_base(backoff: Backoff, attempt: int, r: float) -> None:
    base = backoff.base(attempt)
    delay = backoff.delay(attempt, random=lambda: r)
    assert base * (1 - backoff.jitter) <= delay <= base


@given(backoff=backoffs(), attempt=st.integers(min_value=0, max_value=2000))
def test_base_never_shrinks_and_never_exceeds_maximum(backoff: Backoff, attempt: int) -> None:
    here, after = backoff.base(attempt), backoff.base(attempt + 1)
    assert backoff.initial <= here <= after <= backoff.maximum


@given(backoff=backoffs(), attempt=st.integers(min_value=10**3, max_value=10**100), r=unit_randoms)
def test_huge_attempt_numbers_give_a_finite_capped_delay(backoff: Backoff, attempt: int, r: float) -> None:
    delay = backoff.delay(attempt, random=lambda: r)
    assert math.isfinite(delay)
    assert 0 <= delay <= backoff.maximum


def test_huge_attempt_with_steep_growth_reaches_the_maximum_exactly() -> None:
    # 1e300 * 10**1000 overflows a float; the cap must win instead of an OverflowError.
    backoff = Backoff(initial=1e300, multiplier=10.0, maximum=1e308, jitter=0.0)
    assert backoff.delay(10**18) == 1e308


def test_full_jitter_can_reach_near_zero_and_no_jitter_is_exact() -> None:
    full = Backoff(initial=1.0, multiplier=2.0, maximum=8.0, jitter=1.0)
    none = Backoff(initial=1.0, multiplier=2.0, maximum=8.0, jitter=0.0)
    assert full.delay(2, random=lambda: 0.75) == 1.0
    assert none.delay(2, random=lambda: 0.75) == 4.0


# --- Validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"initial": 0}, "initial"),
        ({"initial": -1.0}, "initial"),
        ({"initial": math.nan}, "initial"),
        ({"initial": math.inf}, "initial"),
        ({"initial": True}, "initial"),
        ({"initial": "1"}, "initial"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"multiplier": math.nan}, "multiplier"),
        ({"multiplier": math.inf}, "multiplier"),
        ({"multiplier": True}, "multiplier"),
        ({"maximum": 0.0}, "maximum"),
        ({"maximum": math.inf}, "maximum"),
        ({"initial": 5.0, "maximum": 1.0}, "maximum"),
        ({"jitter": -0.1}, "jitter"),
        ({"jitter": 1.5}, "jitter"),
        ({"jitter": math.nan}, "jitter"),
        ({"jitter": False}, "jitter"),
    ],
)
def test_backoff_refuses_bad_fields_naming_them(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Backoff(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.0}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"max_retries": "2"}, "max_retries"),
        ({"backoff": None}, "backoff"),
        ({"backoff": 1.0}, "backoff"),
        ({"retry_after_cap": 0}, "retry_after_cap"),
        ({"retry_after_cap": -5.0}, "retry_after_cap"),
        ({"retry_after_cap": math.nan}, "retry_after_cap"),
        ({"retry_after_cap": math.inf}, "retry_after_cap"),
        ({"retry_after_cap": True}, "retry_after_cap"),
        ({"retry_after_cap": None}, "retry_after_cap"),
        ({"max_rate_limited_retries": -1}, "max_rate_limited_retries"),
        ({"max_rate_limited_retries": 2.0}, "max_rate_limited_retries"),
        ({"max_rate_limited_retries": True}, "max_rate_limited_retries"),
        ({"max_rate_limited_retries": None}, "max_rate_limited_retries"),
    ],
)
def test_retry_policy_refuses_bad_fields_naming_them(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_none_max_retries_says_how_to_disable_retries() -> None:
    with pytest.raises(InvalidInputError, match="pass 0") as caught:
        RetryPolicy(max_retries=None)  # type: ignore[arg-type]
    assert caught.value.field == "max_retries"


def test_retry_policy_defaults() -> None:
    policy = RetryPolicy()
    assert policy.max_retries == 2
    assert policy.backoff == Backoff(initial=0.5, multiplier=2.0, maximum=8.0, jitter=1.0)
    assert policy.retry_after_cap == 60.0
    assert RetryPolicy(max_retries=0, retry_after_cap=1).max_retries == 0
    assert policy.max_rate_limited_retries == 20


def test_429s_are_not_retried_when_retries_are_off_unless_asked() -> None:
    assert RetryPolicy(max_retries=0).max_rate_limited_retries == 0  # "pass 0 to disable retries" holds
    assert RetryPolicy(max_retries=1).max_rate_limited_retries == 20
    only_429s = RetryPolicy(max_retries=0, max_rate_limited_retries=5)
    assert should_retry(idempotent=True, retries_done=4, policy=only_429s, status=429) is True
    assert should_retry(idempotent=True, retries_done=0, policy=only_429s, status=503) is False


def test_retry_policy_is_frozen() -> None:
    policy = RetryPolicy()
    with pytest.raises(AttributeError):
        policy.max_retries = 5  # type: ignore[misc]


# --- parse_retry_after ----------------------------------------------------------------------------

NOW = 1_700_000_000.0


def http_date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, tz=UTC), usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250.5"}, 0.2505),
        ({"retry-after-ms": "0"}, 0.0),
        ({"retry-after": "120"}, 120.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after": " 7 "}, 7.0),
        ({"retry-after": "1e2"}, 100.0),
        ({"retry-after": "-0"}, 0.0),
        ({"retry-after-ms": "-0"}, 0.0),
        ({"retry-after": http_date(NOW + 90)}, 90.0),
        ({"retry-after": http_date(NOW - 90)}, 0.0),
        # "-0000" and a missing zone give naive datetimes; HTTP-dates are GMT, not local time.
        ({"retry-after": "Tue, 14 Nov 2023 22:12:20 -0000"}, 0.0),
        ({"retry-after": "Tue, 14 Nov 2023 22:14:20 -0000"}, 60.0),
        ({"retry-after": "Tue, 14 Nov 2023 22:14:20"}, 60.0),
        ({"retry-after": "Tue, 14 Nov 2023 23:14:20 +0100"}, 60.0),
    ],
)
def test_parse_retry_after_values(headers: dict[str, str], expected: float) -> None:
    result = parse_retry_after(headers, now=lambda: NOW)
    assert result == pytest.approx(expected)
    assert result is not None
    assert math.copysign(1.0, result) == 1.0  # never -0.0


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "soon",
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        "1_000",
        "١٢",  # Arabic-Indic digits: float() would take them, HTTP does not
        "0x10",
        "12 seconds",
        "120, 120",
        "Tue, 14 Nov 99999 22:15:20 GMT",
        "Tue, 31 Feb 2023 22:15:20 GMT",
        "9" * 400,  # parses to float infinity
        "1e309",  # so does this
        "-3",  # a negative wait is no wait a server can mean
        "-0.5",
    ],
)
def test_parse_retry_after_unparseable_is_none(value: str) -> None:
    assert parse_retry_after({"retry-after": value}, now=lambda: NOW) is None
    assert parse_retry_after({"retry-after-ms": value}, now=lambda: NOW) is None


def test_parse_retry_after_absent_is_none() -> None:
    assert parse_retry_after({}) is None
    assert parse_retry_after({"content-type": "application/json"}) is None
    assert parse_retry_after(httpx.Headers()) is None


@pytest.mark.parametrize("name", ["Retry-After", "RETRY-AFTER", "retry-after", "rEtRy-AfTeR"])
@pytest.mark.parametrize("make", [dict, httpx.Headers], ids=["dict", "httpx.Headers"])
def test_parse_retry_after_header_names_ignore_case(name: str, make: type) -> None:
    assert parse_retry_after(make({name: "4"})) == 4.0
    assert parse_retry_after(make({name + "-Ms": "4000"})) == 4.0
    assert parse_retry_after(make({name.upper() + "-MS": "4000"})) == 4.0


@pytest.mark.parametrize("make", [dict, httpx.Headers], ids=["dict", "httpx.Headers"])
def test_parse_retry_after_prefers_milliseconds(make: type) -> None:
    assert parse_retry_after(make({"Retry-After": "10", "Retry-After-Ms": "250"})) == 0.25
    assert parse_retry_after(make({"Retry-After-Ms": "250", "Retry-After": "10"})) == 0.25


@pytest.mark.parametrize("milliseconds", ["oops", "", "1e309", "inf", "nan", "-100", "-1e-3", "9" * 400])
def test_parse_retry_after_falls_back_to_seconds_when_milliseconds_is_unusable(milliseconds: str) -> None:
    # Found by a hostile review: a retry-after-ms of 1e309 (infinite once parsed) discarded a valid
    # Retry-After instead of giving way to it.
    assert parse_retry_after({"retry-after-ms": milliseconds, "retry-after": "3"}) == 3.0
    date = http_date(NOW + 30)
    assert parse_retry_after({"retry-after": date, "retry-after-ms": milliseconds}, now=lambda: NOW) == 30.0


# What a header may hold: a usable wait (with the seconds it means), or something unusable.
_usable_waits = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(lambda n: (str(n), float(n))),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: (repr(x), x)),
)
_unusable_waits = st.one_of(
    st.sampled_from(["", " ", "soon", "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1_0", "0x1"]),
    st.floats(max_value=-1e-9, allow_infinity=False, allow_nan=False).map(repr),  # negative
    st.integers(min_value=309, max_value=10**4).map(lambda e: f"1e{e}"),  # finite text, infinite float
    st.text(alphabet="abcxyz;,-. ", max_size=8),
)


@given(
    milliseconds=st.one_of(st.none(), _usable_waits, _unusable_waits.map(lambda text: (text, None))),
    seconds=st.one_of(st.none(), _usable_waits, _unusable_waits.map(lambda text: (text, None))),
    milliseconds_first=st.booleans(),
)
def test_parse_retry_after_pair_of_headers(
    milliseconds: tuple[str, float | None] | None, seconds: tuple[str, float | None] | None, milliseconds_first: bool
) -> None:
    """The usable retry-after-ms wins; else the usable Retry-After; else None. Whatever the order."""
    headers = {}
    pairs = [("retry-after-ms", milliseconds), ("Retry-After", seconds)]
    for name, value in pairs if milliseconds_first else reversed(pairs):
        if value is not None:
            headers[name] = value[0]
    if milliseconds is not None and milliseconds[1] is not None:
        expected: float | None = milliseconds[1] / 1000.0
    elif seconds is not None and seconds[1] is not None:
        expected = seconds[1]
    else:
        expected = None
    result = parse_retry_after(headers, now=lambda: NOW)
    assert result == (pytest.approx(expected) if expected is not None else None)
    assert result is None or (math.isfinite(result) and math.copysign(1.0, result) == 1.0)


def test_parse_retry_after_http_date_uses_injected_clock() -> None:
    date = http_date(NOW + 30)
    assert parse_retry_after({"retry-after": date}, now=lambda: NOW) == 30.0
    assert parse_retry_after({"retry-after": date}, now=lambda: NOW + 10) == 20.0
    assert parse_retry_after({"retry-after": date}, now=lambda: NOW + 1000) == 0.0


def test_parse_retry_after_does_not_consult_clock_for_delta_seconds() -> None:
    def exploding_clock() -> float:
        raise AssertionError("the clock is only for HTTP-dates")

    assert parse_retry_after({"retry-after": "5"}, now=exploding_clock) == 5.0


# --- retry_delay ----------------------------------------------------------------------------------


def test_retry_delay_honours_server_wait_below_cap() -> None:
    policy = RetryPolicy(retry_after_cap=60.0)
    assert retry_delay(policy, 0, retry_after=12.5, random=lambda: 0.0) == 12.5
    # The server's wait wins even over a longer backoff.
    assert retry_delay(policy, 5, retry_after=0.0, random=lambda: 0.0) == 0.0


def test_retry_delay_caps_server_wait() -> None:
    policy = RetryPolicy(retry_after_cap=30.0)
    assert retry_delay(policy, 0, retry_after=3600.0) == 30.0
    assert retry_delay(policy, 0, retry_after=math.inf) == 30.0
    assert retry_delay(policy, 0, retry_after=30.0) == 30.0


def test_retry_delay_clamps_negative_server_wait_to_zero() -> None:
    assert retry_delay(RetryPolicy(), 0, retry_after=-5.0) == 0.0


def test_retry_delay_without_server_wait_uses_backoff() -> None:
    backoff = Backoff(initial=1.0, multiplier=3.0, maximum=100.0, jitter=0.5)
    policy = RetryPolicy(backoff=backoff)
    for attempt in range(6):
        assert retry_delay(policy, attempt, retry_after=None, random=lambda: 0.5) == backoff.delay(
            attempt, random=lambda: 0.5
        )
    assert retry_delay(policy, 2, retry_after=None, random=lambda: 0.0) == 9.0
    assert retry_delay(policy, 2, retry_after=None, random=lambda: 0.5) == 6.75


def test_retry_delay_treats_nan_server_wait_as_unsaid() -> None:
    policy = RetryPolicy(backoff=Backoff(initial=2.0, multiplier=2.0, maximum=8.0, jitter=0.0))
    assert retry_delay(policy, 1, retry_after=math.nan) == 4.0


@given(
    backoff=backoffs(),
    attempt=st.integers(min_value=0, max_value=10**6),
    retry_after=st.none() | st.floats(allow_nan=True),
    cap=st.floats(min_value=1e-3, max_value=1e6),
    r=unit_randoms,
)
def test_retry_delay_is_always_finite_nonnegative_and_bounded(
    backoff: Backoff, attempt: int, retry_after: float | None, cap: float, r: float
) -> None:
    policy = RetryPolicy(backoff=backoff, retry_after_cap=cap)
    delay = retry_delay(policy, attempt, retry_after=retry_after, random=lambda: r)
    assert math.isfinite(delay)
    assert 0.0 <= delay <= max(cap, backoff.maximum)


# --- may_have_reached_server and should_retry -----------------------------------------------------

REQUEST = httpx.Request("POST", "https://example.invalid/dedicated/beta/endpoint")

NEVER_SENT = [
    httpx.ConnectError("refused", request=REQUEST),
    httpx.ConnectTimeout("connect timed out", request=REQUEST),
    httpx.PoolTimeout("no free connection", request=REQUEST),
]
MAYBE_SENT = [
    httpx.ReadTimeout("read timed out", request=REQUEST),
    httpx.WriteTimeout("write timed out", request=REQUEST),
    httpx.WriteError("broken pipe", request=REQUEST),
    httpx.ReadError("connection reset", request=REQUEST),
    httpx.RemoteProtocolError("server disconnected", request=REQUEST),
]


def _name(exc: BaseException) -> str:
    return type(exc).__name__


@pytest.mark.parametrize("exc", NEVER_SENT, ids=_name)
def test_connect_phase_errors_cannot_have_reached_server(exc: Exception) -> None:
    assert may_have_reached_server(exc) is False


@pytest.mark.parametrize("exc", [*MAYBE_SENT, httpx.TransportError("?"), ValueError("?")], ids=_name)
def test_other_errors_may_have_reached_server(exc: Exception) -> None:
    assert may_have_reached_server(exc) is True


POLICY = RetryPolicy(max_retries=2)


@pytest.mark.parametrize("exc", NEVER_SENT + MAYBE_SENT, ids=_name)
@pytest.mark.parametrize("idempotent", [True, False], ids=["idempotent", "not-idempotent"])
def test_should_retry_transport_errors(exc: Exception, idempotent: bool) -> None:
    expected = idempotent or exc in NEVER_SENT
    assert should_retry(idempotent=idempotent, retries_done=0, policy=POLICY, exc=exc) is expected
    assert should_retry(idempotent=idempotent, retries_done=1, policy=POLICY, exc=exc) is expected


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 404, 400, 409, 200, 501])
@pytest.mark.parametrize("idempotent", [True, False], ids=["idempotent", "not-idempotent"])
def test_should_retry_statuses(status: int, idempotent: bool) -> None:
    # 429 is a refusal before any processing: even a create may be sent again.
    expected = status == 429 or (idempotent and status in {502, 503, 504})
    assert should_retry(idempotent=idempotent, retries_done=0, policy=POLICY, status=status) is expected


def test_retryable_statuses_are_exactly_the_transient_ones() -> None:
    assert frozenset({429, 502, 503, 504}) == RETRYABLE_STATUSES


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500, 501, 502, 503, 504, 505])
def test_a_wait_polls_through_exactly_the_statuses_a_request_retries(status: int) -> None:
    # One set: what an idempotent request retries is what a poll that still gets it polls through.
    error = make_status_error(httpx.Response(status, request=httpx.Request("GET", "https://api.test/status")))
    assert transient(error) is should_retry(idempotent=True, retries_done=0, policy=POLICY, status=status)
    assert transient(error) is (status in RETRYABLE_STATUSES)


def test_no_response_is_transient_and_a_body_that_does_not_fit_is_not() -> None:
    assert transient(TransportError("connection reset"))
    assert transient(RequestTimeoutError("read timed out"))
    assert not transient(ResponseFormatError("an HTML page", status_code=503))  # the same again, if asked again
    assert not transient(WaitTimeoutError("a wait's own end", endpoint_id="ep-1", state=None))
    assert not transient(ValueError("a bug"))


@pytest.mark.parametrize(
    "outcome",
    [{"status": 503}, {"exc": httpx.ConnectError("refused")}, {"exc": httpx.ReadTimeout("slow")}],
    ids=["503", "ConnectError", "ReadTimeout"],
)
@pytest.mark.parametrize("idempotent", [True, False], ids=["idempotent", "not-idempotent"])
def test_should_retry_stops_when_retries_are_used_up(outcome: dict[str, object], idempotent: bool) -> None:
    for retries_done in (2, 3, 100):
        assert should_retry(idempotent=idempotent, retries_done=retries_done, policy=POLICY, **outcome) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("idempotent", [True, False], ids=["idempotent", "not-idempotent"])
def test_429s_have_a_count_of_their_own(idempotent: bool) -> None:
    # A burst of N requests against a limit of R a second needs N/R seconds of pacing, not N/R tries
    # of max_retries: a 429 is a refusal before any processing, and the deadline bounds the wait.
    policy = RetryPolicy(max_retries=2)
    decisions = [should_retry(idempotent=idempotent, retries_done=n, policy=policy, status=429) for n in range(22)]
    assert decisions == [True] * 20 + [False] * 2
    three = RetryPolicy(max_retries=2, max_rate_limited_retries=3)
    assert [should_retry(idempotent=idempotent, retries_done=n, policy=three, status=429) for n in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_should_retry_counts_retries_against_the_policy() -> None:
    exc = httpx.ConnectError("refused")
    three = RetryPolicy(max_retries=3)
    decisions = [should_retry(idempotent=False, retries_done=n, policy=three, exc=exc) for n in range(5)]
    assert decisions == [True, True, True, False, False]


def test_max_retries_zero_disables_retries() -> None:
    never = RetryPolicy(max_retries=0)
    assert should_retry(idempotent=True, retries_done=0, policy=never, status=503) is False
    assert should_retry(idempotent=True, retries_done=0, policy=never, exc=httpx.ConnectError("refused")) is False


@pytest.mark.parametrize(
    "exc",
    [httpx.DecodingError("bad gzip"), httpx.TooManyRedirects("loop"), ValueError("bug"), KeyboardInterrupt()],
    ids=_name,
)
@pytest.mark.parametrize("idempotent", [True, False], ids=["idempotent", "not-idempotent"])
def test_should_retry_ignores_non_transport_errors(exc: BaseException, idempotent: bool) -> None:
    assert should_retry(idempotent=idempotent, retries_done=0, policy=POLICY, exc=exc) is False


def test_should_retry_needs_exactly_one_outcome() -> None:
    with pytest.raises(TypeError):
        should_retry(idempotent=True, retries_done=0, policy=POLICY)
    with pytest.raises(TypeError):
        should_retry(idempotent=True, retries_done=0, policy=POLICY, status=503, exc=httpx.ConnectError("refused"))


# --- the examples in the docstrings ---------------------------------------------------------------


def test_docstring_examples_run() -> None:
    results = doctest.testmod(_retry, optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0
    assert results.failed == 0
