"""The installed distribution's version (its changelog entry names the API contract: docs/versions.md)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("friendli-dedicated")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
