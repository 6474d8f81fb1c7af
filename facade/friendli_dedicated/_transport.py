"""Sending one API call: retries, error mapping and response parsing, for both clients.

A ``Call`` is what the generated client would send (its ``_get_kwargs``: method, path, params,
JSON body, headers), whether it may be retried once it may have reached the server, and how to
parse a successful response. ``send_sync`` and ``send_async`` differ only in I/O and sleeping;
every decision (retry or not, how long to wait, which exception) is a pure function.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import attrs
import httpx

from friendli_dedicated._config import ClientConfig
from friendli_dedicated._retry import RetryPolicy, parse_retry_after, retry_delay, should_retry
from friendli_dedicated.errors import APIError, ResponseFormatError, TransportError, make_status_error

T = TypeVar("T")
logger = logging.getLogger("friendli_dedicated")

TimeoutArg = httpx.Timeout | httpx._client.UseClientDefault
_MAX_HEADER_SETS = 64


@attrs.frozen
class Call(Generic[T]):
    """One request of the contract, ready to send."""

    kwargs: dict[str, Any]
    idempotent: bool
    parse: Callable[[httpx.Response], T]

    @property
    def label(self) -> str:
        return f"{self.kwargs['method'].upper()} {self.kwargs['url']}"


@attrs.frozen
class Sender:
    """What a client sends with: its configuration, retry policy, timeout, and how it sleeps."""

    config: ClientConfig
    policy: RetryPolicy
    timeout: TimeoutArg
    random: Callable[[], float]
    # httpx normalises a plain dict of headers on every request but copies an httpx.Headers as it
    # is: the few header sets a client sends (its own, plus the team or content type) are built once.
    _header_sets: dict[tuple[tuple[str, str], ...], httpx.Headers] = attrs.field(factory=dict, repr=False)

    def headers(self, extra: dict[str, str]) -> httpx.Headers:
        key = tuple(extra.items())
        headers = self._header_sets.get(key)
        if headers is None:
            if len(self._header_sets) >= _MAX_HEADER_SETS:
                self._header_sets.clear()
            headers = self._header_sets[key] = httpx.Headers({**self.config.headers, **extra})
        return headers

    def request_args(self, call: Call[Any]) -> dict[str, Any]:
        kwargs = call.kwargs
        args: dict[str, Any] = {
            "method": kwargs["method"].upper(),
            "url": self.config.base_url + kwargs["url"],
            "headers": self.headers(kwargs.get("headers") or {}),
            "timeout": self.timeout,
            # Never follow a redirect: it would carry the Authorization header to another place.
            "follow_redirects": False,
        }
        if kwargs.get("params"):
            args["params"] = kwargs["params"]
        if "json" in kwargs:
            args["content"] = json.dumps(kwargs["json"], separators=(",", ":")).encode()
        return args

    def after_error(self, call: Call[Any], exc: httpx.TransportError, retries: int) -> float:
        """Seconds to wait before retrying after ``exc``; raises TransportError when not retrying."""
        if should_retry(idempotent=call.idempotent, retries_done=retries, policy=self.policy, exc=exc):
            delay = retry_delay(self.policy, retries, retry_after=None, random=self.random)
            logger.info("retrying %s after %s in %.2fs (retry %d)", call.label, type(exc).__name__, delay, retries + 1)
            return delay
        raise TransportError(f"{call.label}: {type(exc).__name__}: {exc}", request=_request_of(exc)) from exc

    def after_response(self, call: Call[T], response: httpx.Response, retries: int) -> float | None:
        """None when the response is a success; else seconds before a retry; else raises its APIError."""
        if response.is_success:
            return None
        if should_retry(
            idempotent=call.idempotent, retries_done=retries, policy=self.policy, status=response.status_code
        ):
            retry_after = parse_retry_after(response.headers)
            delay = retry_delay(self.policy, retries, retry_after=retry_after, random=self.random)
            logger.info(
                "retrying %s after %d in %.2fs (retry %d)", call.label, response.status_code, delay, retries + 1
            )
            return delay
        raise status_error(response)


def status_error(response: httpx.Response) -> APIError:
    if response.is_redirect:
        location = response.headers.get("location", "(no location)")
        request = response.request
        return APIError(
            f"{request.method} {request.url.path}: {response.status_code} redirect to {location} not followed "
            "(the SDK never forwards its token to another URL)",
            status_code=response.status_code,
            body=None,
            request=request,
        )
    return make_status_error(response)


def send_sync(http: httpx.Client, sender: Sender, call: Call[T], sleep: Callable[[float], None]) -> T:
    retries = 0
    args = sender.request_args(call)
    while True:
        try:
            response = http.request(**args)
        except httpx.TransportError as exc:
            sleep(sender.after_error(call, exc, retries))
            retries += 1
            continue
        delay = sender.after_response(call, response, retries)
        if delay is None:
            return parse(call, response)
        response.close()
        sleep(delay)
        retries += 1


async def send_async(
    http: httpx.AsyncClient, sender: Sender, call: Call[T], sleep: Callable[[float], Awaitable[None]]
) -> T:
    retries = 0
    args = sender.request_args(call)
    while True:
        try:
            response = await http.request(**args)
        except httpx.TransportError as exc:
            await sleep(sender.after_error(call, exc, retries))
            retries += 1
            continue
        delay = sender.after_response(call, response, retries)
        if delay is None:
            return parse(call, response)
        await response.aclose()
        await sleep(delay)
        retries += 1


def parse(call: Call[T], response: httpx.Response) -> T:
    """Parse a 2xx response; a body that is not what the contract says is a ResponseFormatError."""
    try:
        return call.parse(response)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        body = _body_excerpt(response)
        reason = f"missing field {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        raise ResponseFormatError(
            f"{call.label}: {response.status_code} response does not match the API contract ({reason}); body: {body}",
            status_code=response.status_code,
            body=body,
            request=response.request,
        ) from exc


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object (ValueError/TypeError when it is not one)."""
    data = json.loads(response.content)
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    return data


def _body_excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text if len(text) <= 200 else text[:199] + "…"


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None
