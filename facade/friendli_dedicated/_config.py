"""Client configuration: arguments first, then environment variables, validated once at construction.

Environment variables are read when a client is built, never at import time:

- ``FRIENDLI_TOKEN``: the API token (required unless ``token=`` is passed);
- ``FRIENDLI_TEAM``: the team to act as (sent as ``X-Friendli-Team``);
- ``FRIENDLI_BASE_URL``: the API's base URL (default ``https://api.friendli.ai``).
"""

from __future__ import annotations

import ipaddress
import os
import platform
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from friendli_dedicated._spec import SPEC_PIN
from friendli_dedicated._version import __version__
from friendli_dedicated.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.friendli.ai"
# Explicit, always: httpx's own default is 5 s, and the generated client's default is no timeout.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
TOKEN_ENV, TEAM_ENV, BASE_URL_ENV = "FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"
USER_AGENT = (
    f"friendli-dedicated/{__version__} (spec {SPEC_PIN.short()}; "
    f"python {platform.python_version()}; httpx {httpx.__version__})"
)


class Secret:
    """A string that never shows itself in ``repr`` or ``str`` (tokens travel in these)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[Any, ...]:  # pickling would carry the token out of the process
        raise TypeError("a Secret cannot be pickled")


@attrs.frozen
class ClientConfig:
    """What both clients need to send requests: resolved from arguments and the environment."""

    token: Secret = attrs.field(repr=False)
    team_id: str | None
    base_url: str
    headers: Mapping[str, str] = attrs.field(repr=False)

    @classmethod
    def resolve(
        cls,
        *,
        token: str | None,
        team_id: str | None,
        base_url: str | None,
        allow_insecure: bool,
        environ: Mapping[str, str] | None = None,
    ) -> ClientConfig:
        env = os.environ if environ is None else environ
        token = token if token is not None else env.get(TOKEN_ENV)
        if token is None or token == "":
            raise ConfigurationError(f"no API token: pass token=... or set the {TOKEN_ENV} environment variable")
        if not isinstance(token, str) or any(ch.isspace() or ord(ch) < 32 for ch in token):
            # Never echo the value: it is a credential even when malformed.
            raise ConfigurationError("token: must be a string without whitespace or control characters")
        team_id = team_id if team_id is not None else (env.get(TEAM_ENV) or None)
        if team_id is not None and (not isinstance(team_id, str) or not team_id.strip() or "\n" in team_id):
            raise ConfigurationError(f"team_id: must be a non-empty string (argument or {TEAM_ENV}), got {team_id!r}")
        base_url = base_url if base_url is not None else (env.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
        base_url = _checked_base_url(base_url, allow_insecure=allow_insecure)
        headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, "Accept": "application/json"}
        return cls(token=Secret(token), team_id=team_id, base_url=base_url, headers=headers)


def _checked_base_url(base_url: str, *, allow_insecure: bool) -> str:
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url: must be a string, got {type(base_url).__name__}")
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"base_url: {base_url!r} is not a URL ({exc})") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url: {base_url!r} must be an http:// or https:// URL with a host")
    if url.scheme == "http" and not allow_insecure and not is_loopback(url.host):
        raise ConfigurationError(
            f"base_url: {base_url!r} is plain http to a non-loopback host, which would send the token in clear "
            "text; use https:// or pass allow_insecure=True"
        )
    return base_url.rstrip("/")


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 and ::1."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
