"""Read an upstream OpenAPI document from a URL or a file path.

>>> read("https://example.invalid/openapi.yaml")  # doctest: +SKIP
b'openapi: 3.1.0 ...'
"""

from __future__ import annotations

from pathlib import Path

import httpx

TIMEOUT_SECONDS = 30.0


class UpstreamUnreadableError(Exception):
    """Raised when the upstream document cannot be fetched or read; the message says which and why."""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read(source: str) -> bytes:
    """Return the upstream document's bytes, from ``http(s)://`` URLs or file paths."""
    if is_url(source):
        return _fetch(source)
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise UpstreamUnreadableError(f"cannot read upstream file {source}: {exc.strerror or exc}") from exc


def _fetch(url: str) -> bytes:
    try:
        response = httpx.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise UpstreamUnreadableError(f"cannot fetch upstream {url}: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise UpstreamUnreadableError(f"cannot fetch upstream {url}: HTTP {response.status_code}")
    return response.content
