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
import re
from collections.abc import Mapping

import attrs
import httpx

from friendli_dedicated._excerpt import excerpt
from friendli_dedicated._pin import CONTRACT_PIN
from friendli_dedicated._version import __version__
from friendli_dedicated.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.friendli.ai"
# Explicit, always: httpx's own default is 5 s, and the generated client's default is no timeout.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
TOKEN_ENV, TEAM_ENV, BASE_URL_ENV = "FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"
USER_AGENT = (
    f"friendli-dedicated/{__version__} (contract {CONTRACT_PIN.short()}; "
    f"python {platform.python_version()}; httpx {httpx.__version__})"
)


@attrs.frozen
class ClientConfig:
    """What both clients need to send requests: resolved from arguments and the environment."""

    team_id: str | None
    base_url: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    """Sent with every request; ``Authorization`` carries the token, so they are never shown."""

    @property
    def token(self) -> str:
        """The API token (kept only in ``Authorization``): for the OpenAI clients of ``_openai``."""
        return self.headers["Authorization"].removeprefix("Bearer ")

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
        """Arguments first, then the environment; every value checked (``ConfigurationError`` names it)."""
        env = os.environ if environ is None else environ
        if not isinstance(allow_insecure, bool):
            raise ConfigurationError(
                f"allow_insecure: must be True or False, got {type(allow_insecure).__name__}", field="allow_insecure"
            )
        token = _checked_token(token if token is not None else env.get(TOKEN_ENV))
        team_id = _checked_team(team_id if team_id is not None else (env.get(TEAM_ENV) or None))
        base_url = base_url if base_url is not None else (env.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
        base_url = _checked_base_url(base_url, allow_insecure=allow_insecure)
        headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, "Accept": "application/json"}
        return cls(team_id=team_id, base_url=base_url, headers=headers)


# Header values must be visible ASCII: anything else cannot be sent (httpx refuses non-ASCII when
# the request is built, by which time the token would sit in the exception), so it is refused here.
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_TEAM = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


def _checked_token(token: object) -> str:
    if token is None or token == "":
        raise ConfigurationError(
            f"no API token: pass token=... or set the {TOKEN_ENV} environment variable", field="token"
        )
    # Never echo the value, or even its length: it is a credential even when malformed.
    if not isinstance(token, str):
        raise ConfigurationError(f"token: must be a string, got {type(token).__name__}", field="token")
    if not _VISIBLE_ASCII.fullmatch(token):
        raise ConfigurationError(
            "token: must be printable ASCII without spaces or control characters (was it pasted with an invisible "
            "character?)",
            field="token",
        )
    return token


def _checked_team(team_id: object) -> str | None:
    if team_id is None:
        return None
    if not isinstance(team_id, str):
        raise ConfigurationError(f"team_id: must be a string, got {type(team_id).__name__}", field="team_id")
    if not _TEAM.fullmatch(team_id):
        raise ConfigurationError(
            f"team_id: must be 1-256 printable ASCII characters (argument or {TEAM_ENV}), got {_shown(team_id)}",
            field="team_id",
        )
    return team_id


def _checked_base_url(base_url: object, *, allow_insecure: bool) -> str:
    def refuse(reason: str) -> ConfigurationError:
        return ConfigurationError(f"base_url: {_shown(base_url)} {reason}", field="base_url")

    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url: must be a string, got {type(base_url).__name__}", field="base_url")
    if any(ch in base_url for ch in "?#") or not base_url.isprintable() or any(ch.isspace() for ch in base_url):
        # A query or fragment would swallow the API paths appended to the base URL.
        raise refuse("must be a plain URL: no query (?), fragment (#), spaces or control characters")
    try:
        url = httpx.URL(base_url)
        host = url.host
    except (httpx.InvalidURL, ValueError) as exc:  # idna's errors are ValueErrors (UnicodeError)
        raise refuse(f"is not a URL ({type(exc).__name__})") from None
    if url.scheme not in ("http", "https") or not host:
        raise refuse("must be an http:// or https:// URL with a host")
    if url.userinfo:
        # Not echoed: the part before "@" is a credential.
        raise ConfigurationError(
            "base_url: must not carry a user name or password (the token is sent as a header)", field="base_url"
        )
    if url.port is not None and not 0 < url.port < 65536:
        raise refuse("has a port outside 1-65535")
    if not _valid_host(host, url.raw_host):
        raise refuse("has no valid host name")
    if url.scheme == "http" and not allow_insecure and not is_loopback(host):
        raise refuse(
            "is plain http to a non-loopback host, which would send the token in clear text; use https:// or pass "
            "allow_insecure=True"
        )
    return base_url.rstrip("/")


def _valid_host(host: str, raw_host: bytes) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        ascii_host = raw_host.decode("ascii").rstrip(".")
    except UnicodeDecodeError:
        return False
    labels = ascii_host.split(".")
    return 0 < len(ascii_host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return repr(excerpt(text, 80))


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 and ::1."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
