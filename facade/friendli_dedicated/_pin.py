"""The API contract this build of the SDK was generated from (its pin)."""

from __future__ import annotations

import attrs

from friendli_dedicated_api import _contract

__all__ = ["CONTRACT_PIN", "ContractPin"]


@attrs.frozen
class ContractPin:
    """The upstream OpenAPI document the SDK's contract was extracted from.

    "Spec" in this SDK means an endpoint's specification (``Endpoint.spec()``); the document the
    SDK is generated from is the contract, and this is its pin.

    >>> import friendli_dedicated as fd
    >>> len(fd.CONTRACT_PIN.sha256)
    64
    """

    url: str
    """Where the upstream document was read from."""
    sha256: str
    """sha256 of the whole upstream document's bytes."""
    surface_sha256: str
    """Canonical hash of the extracted contract (what the SDK is generated from)."""
    retrieved: str
    """ISO date on which the upstream document was pinned."""

    def short(self) -> str:
        """A compact form for headers and logs: ``<upstream sha256[:12]>/<surface sha256[:12]>``."""
        return f"{self.sha256[:12]}/{self.surface_sha256[:12]}"


CONTRACT_PIN = ContractPin(
    url=_contract.UPSTREAM_URL,
    sha256=_contract.UPSTREAM_SHA256,
    surface_sha256=_contract.SURFACE_SHA256,
    retrieved=_contract.RETRIEVED,
)
