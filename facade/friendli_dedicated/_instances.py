"""Instance options as values: "2x NVIDIA H100" instead of the opaque id ``zfTutSiLn0Hq``.

The API takes an ``instanceOptionId`` whose meaning upstream only gives as prose. The codegen lifts
that prose into ``_contract.INSTANCE_OPTIONS`` and the ``GPU`` enum, and everything here is built
from those two, never from a table of our own: a new GPU or count upstream arrives by regeneration,
and an option upstream drops stops being accepted, without anyone editing this file.

>>> option = InstanceOption.parse("2x H100")
>>> str(option), option.id
('2x NVIDIA H100', 'zfTutSiLn0Hq')
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from friendli_dedicated._unlisted import warn_unlisted
from friendli_dedicated._validate import shown
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api import _contract
from friendli_dedicated_api._contract import GPU

__all__ = ["GPU", "InstanceOption", "UnlistedInstanceOption"]

# (gpu, count) -> id and back, in contract order (dicts keep insertion order).
_ID_BY_COMBINATION: Mapping[tuple[GPU, int], str] = {
    (GPU(gpu), count): option_id for option_id, gpu, count in _contract.INSTANCE_OPTIONS
}
_COMBINATION_BY_ID: Mapping[str, tuple[GPU, int]] = {
    option_id: combination for combination, option_id in _ID_BY_COMBINATION.items()
}

# Parsing ignores case, spaces, underscores and hyphens, so "A100_80GB", "a100-80gb" and
# "A100 80GB" all become one key.
_SEPARATORS = re.compile(r"[\s_\-]+")
# The count is ASCII digits only: int() would accept other scripts' digits, but nobody means those.
# "x" or U+00D7 MULTIPLICATION SIGN, which people paste from spec sheets.
_COUNT_PREFIX = re.compile("([0-9]+)[x\u00d7](.*)", re.DOTALL)
_VENDOR = "nvidia"
# Longer than any real count; keeps int() away from pathological digit strings.
_MAX_COUNT_DIGITS = 9


_NEGATIVE_COUNT = re.compile(r"\s*-\s*\d")


def _squash(text: str) -> str:
    return _SEPARATORS.sub("", text.lower())


def _short_name(gpu: GPU) -> str:
    return gpu.value.removeprefix("NVIDIA ")


def _full_key(gpu: GPU) -> str:
    return _squash(gpu.value).removeprefix(_VENDOR)


def _token_prefixes(gpu: GPU) -> frozenset[str]:
    # "A100 80GB" may be written "A100": a leading run of whole words, not any leading characters,
    # so "H1" does not quietly mean H100.
    words = _SEPARATORS.split(_short_name(gpu).lower().strip())
    return frozenset("".join(words[:n]) for n in range(1, len(words) + 1))


def _spelling(gpu: GPU, count: int) -> str:
    return f"{count}x {_short_name(gpu)}"


def _field_name(field: object) -> str:
    # ``field`` only names the input in error messages, so a wrong one would surface as a broken
    # error (``InvalidInputError.field`` not a str) far from the call that passed it.
    if not isinstance(field, str) or not field:
        raise InvalidInputError("field", f"must be the name of the input, a non-empty str, got {shown(field)}")
    return field


def _all_spellings() -> str:
    return ", ".join(_spelling(gpu, count) for gpu, count in _ID_BY_COMBINATION)


def _spellings_for(gpu: GPU) -> str:
    spellings = [_spelling(g, count) for g, count in _ID_BY_COMBINATION if g is gpu]
    return ", ".join(spellings) if spellings else _all_spellings()


@attrs.frozen
class InstanceOption:
    """One GPU kind and count the API offers, e.g. two H100s; ``id`` is what the API takes.

    Only combinations the contract lists can be built; anything else is refused with
    ``InvalidInputError`` before a request is sent.

    >>> InstanceOption(GPU.H100, 2).id
    'zfTutSiLn0Hq'
    >>> try:
    ...     InstanceOption(GPU.H100, 3)
    ... except InvalidInputError as error:
    ...     print(error.message)
    no 3x NVIDIA H100 option; valid: 1x H100, 2x H100, 4x H100, 8x H100
    """

    gpu: GPU = attrs.field()
    """The GPU kind."""
    count: int = attrs.field()
    """How many GPUs of that kind."""

    @gpu.validator
    def _check_gpu(self, _attribute: attrs.Attribute[GPU], value: object) -> None:
        # GPU is a StrEnum, so a plain "NVIDIA H100" would pass for one in most places; refuse it
        # here so that the loose spellings go through parse() and its error messages.
        if not isinstance(value, GPU):
            raise InvalidInputError("instance.gpu", f"expected a GPU, got {type(value).__name__} {shown(value)}")

    @count.validator
    def _check_count(self, _attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInputError("instance.count", f"expected an int, got {type(value).__name__} {shown(value)}")

    def __attrs_post_init__(self) -> None:
        if (self.gpu, self.count) not in _ID_BY_COMBINATION:
            raise InvalidInputError(
                "instance",
                f"no {shown(self.count)}x {self.gpu.value} option; valid: {_spellings_for(self.gpu)}",
            )

    @property
    def id(self) -> str:
        """The contract's instance option id, as sent in ``instanceOptionId``.

        >>> InstanceOption(GPU.B200, 8).id
        'drbc6G9FxJWZ'
        """
        return _ID_BY_COMBINATION[(self.gpu, self.count)]

    def __str__(self) -> str:
        return f"{self.count}x {self.gpu.value}"

    @classmethod
    def all(cls) -> tuple[InstanceOption, ...]:
        """Every option the contract lists, in the contract's order.

        >>> [str(option) for option in InstanceOption.all()][:2]
        ['1x NVIDIA A100 80GB', '2x NVIDIA A100 80GB']
        """
        return _ALL

    @classmethod
    def from_id(cls, option_id: str, *, field: str = "instance") -> InstanceOption:
        """The option with contract id ``option_id``; an unknown id is refused, naming ``field``.

        >>> str(InstanceOption.from_id("zfTutSiLn0Hq"))
        '2x NVIDIA H100'
        """
        field = _field_name(field)
        if not isinstance(option_id, str):
            raise InvalidInputError(field, f"expected an instance option id (str), got {type(option_id).__name__}")
        combination = _COMBINATION_BY_ID.get(option_id)
        if combination is None:
            valid = ", ".join(f"{oid} ({_spelling(gpu, count)})" for oid, (gpu, count) in _COMBINATION_BY_ID.items())
            raise InvalidInputError(field, f"unknown instance option id {shown(option_id)}; valid ids: {valid}")
        return cls(*combination)

    @classmethod
    def parse(cls, text: str, *, field: str = "instance") -> InstanceOption:
        """Read a human spelling: ``"2x H100"``, ``"2 x h100"``, ``"2\u00d7H100"``, ``"H200"`` (one GPU),
        ``"8x NVIDIA B200"``, ``"1x A100"`` (the leading words of "A100 80GB"), ``"a100-80gb"``.

        Case, a leading "NVIDIA", spaces, underscores and hyphens are ignored. Unknown, ambiguous
        or impossible text is refused with ``InvalidInputError`` naming ``field`` and listing the
        valid spellings.

        >>> InstanceOption.parse("4 x nvidia h200").id
        'OhTzYtZuomzI'
        """
        field = _field_name(field)
        if not isinstance(text, str):
            raise InvalidInputError(field, f"expected text such as '2x H100', got {type(text).__name__}")
        if _NEGATIVE_COUNT.match(text):  # "-1x H100": hyphens are separators elsewhere, but not a sign
            raise InvalidInputError(field, f"a GPU count cannot be negative: {shown(text)}; valid: {_all_spellings()}")
        squashed = _squash(text)
        count = 1
        match = _COUNT_PREFIX.fullmatch(squashed)
        if match is not None:
            digits, squashed = match.groups()
            # An absurd count still reaches the "no such option" message, just without int().
            count = int(digits) if len(digits) <= _MAX_COUNT_DIGITS else -1
        gpu = _find_gpu(squashed.removeprefix(_VENDOR), text, field)
        if (gpu, count) not in _ID_BY_COMBINATION:
            raise InvalidInputError(field, f"{shown(text)} is not an option; valid: {_spellings_for(gpu)}")
        return cls(gpu, count)

    @classmethod
    def unlisted(cls, option_id: str) -> UnlistedInstanceOption:
        """An instance option id the pinned contract does not list yet (a GPU added upstream since).

        The escape hatch for the day a new GPU ships: ``create(..., InstanceOption.unlisted("id"))``
        sends the id as given, with an ``UnlistedWarning`` that names the pin. An id the pin does
        list is not unlisted: use it as a string, or ``from_id``.

        >>> InstanceOption.unlisted("b300PreviewId").id
        'b300PreviewId'
        """
        return UnlistedInstanceOption(option_id)

    @classmethod
    def coerce(
        cls, value: InstanceOption | UnlistedInstanceOption | GPU | str, *, field: str = "instance"
    ) -> InstanceOption | UnlistedInstanceOption:
        """Accept what users pass for an instance: an option as is, a ``GPU`` (one of it), a string
        that is either a contract id or a spelling ``parse`` reads, or ``InstanceOption.unlisted(id)``.

        >>> str(InstanceOption.coerce(GPU.H200)) == "1x NVIDIA H200"
        True
        """
        field = _field_name(field)
        if isinstance(value, InstanceOption):
            return value
        if isinstance(value, UnlistedInstanceOption):
            if value.id in _COMBINATION_BY_ID:  # listed after all: the checked option
                return cls.from_id(value.id, field=field)
            warn_unlisted(f"instance option id {value.id!r}")
            return value
        # Before str: a GPU is a str too, and means one GPU of that kind.
        if isinstance(value, GPU):
            return cls(value, 1)
        if isinstance(value, str):
            if value in _COMBINATION_BY_ID:
                return cls.from_id(value, field=field)
            return cls.parse(value, field=field)
        raise InvalidInputError(field, f"expected InstanceOption, GPU or str, got {type(value).__name__}")


@attrs.frozen
class UnlistedInstanceOption:
    """An instance option id sent as given: the pinned contract does not list it (see ``InstanceOption.unlisted``)."""

    id: str = attrs.field()
    """The instance option id, as the API takes it."""

    @id.validator
    def _check_id(self, _attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not _OPTION_ID.fullmatch(value):
            raise InvalidInputError(
                "instance", f"an unlisted instance option id is 1-64 letters, digits, '-' or '_', got {shown(value)}"
            )

    def __str__(self) -> str:
        return f"unlisted instance option {self.id}"


_OPTION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _find_gpu(key: str, text: str, field: str) -> GPU:
    # An exact name wins over a shortened one, so a future "H100 NVL" cannot make "H100" ambiguous.
    exact = [gpu for gpu in GPU if _full_key(gpu) == key]
    if exact:
        return exact[0]
    candidates = [gpu for gpu in GPU if key in _token_prefixes(gpu)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates and key:
        # A bare start of a name ("H", "A10") is refused, not guessed: an A10 is a different GPU
        # from an A100. Naming what it could have meant makes the refusal quick to fix.
        candidates = [gpu for gpu in GPU if _full_key(gpu).startswith(key)]
        if len(candidates) == 1:
            raise InvalidInputError(
                field, f"{shown(text)} is incomplete: did you mean {candidates[0].value}? valid: {_all_spellings()}"
            )
    if len(candidates) > 1:
        names = ", ".join(gpu.value for gpu in candidates)
        raise InvalidInputError(field, f"{shown(text)} is ambiguous ({names}); valid: {_all_spellings()}")
    raise InvalidInputError(field, f"unknown instance option {shown(text)}; valid: {_all_spellings()}")


_ALL: tuple[InstanceOption, ...] = tuple(InstanceOption(gpu, count) for gpu, count in _ID_BY_COMBINATION)
