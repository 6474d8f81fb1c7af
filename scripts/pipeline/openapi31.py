"""Validation of a contract as OpenAPI 3.1, with openapi-spec-validator, failing in one line.

Every extraction is validated (``scripts/pipeline/extract.py``), so ``regenerate`` never pins, and ``drift``
never compares, a contract that the generator or the comparison would misread.

>>> validate({"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}})
>>> validate({"openapi": "3.1.0", "info": {"title": "T"}, "paths": {}})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
scripts.pipeline.openapi31.InvalidContractError: not valid OpenAPI 3.1: ...version... is a required property (at info)
"""

from __future__ import annotations

from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing.exceptions import Unresolvable

from scripts.pipeline.contract import ContractFormatError, Document

_MESSAGE_LIMIT = 300


class InvalidContractError(ContractFormatError):
    """Raised when a contract is not valid OpenAPI 3.1; the message names the first problem and where."""


def validate(document: Document) -> None:
    """Raise ``InvalidContractError`` unless ``document`` is valid OpenAPI 3.1.

    Only local references are followed: extraction refuses any other before validating.
    """
    try:
        error = next(iter(OpenAPIV31SpecValidator(document).iter_errors()), None)
    except Unresolvable as exc:  # raised, not yielded, by the validator for a $ref to nothing
        ref = str(exc.ref)
        ref = f"#{ref}" if ref.startswith("/") else ref  # a pointer within the document
        raise InvalidContractError(f"not valid OpenAPI 3.1: $ref {ref!r} points at nothing") from None
    if error is None:
        return
    where = ".".join(str(part) for part in error.absolute_path)
    # The first line: the validator's backends (jsonschema, jsonschema-rs) add context on later lines.
    message = " ".join(str(error.message).strip().split("\n", 1)[0].split())
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 3] + "..."
    raise InvalidContractError(f"not valid OpenAPI 3.1: {message}" + (f" (at {where})" if where else ""))
