"""The installed distribution's version (it names the API contract: see README, "Pinned per spec")."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("friendli-dedicated")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
