"""The engine options of the contract as flags: one ``EngineFlag`` per option, none written by hand.

The flags are built at import time from the contract's table (``_contract.ENGINE_OPTIONS``): one
per engine option, named after it (``max_batch_size`` is ``--max-batch-size``), typed by its JSON
kind (a boolean is ``--flag/--no-flag``, an enum offers its values as choices), with its title,
type, bounds and default in the help, and a word when the contract gives no bounds or default. A
regeneration that adds an engine option adds its flag, with no edit here. The values are not
checked here: the facade checks them, so the command line refuses exactly what the library
refuses, and ``_exit`` names the flag (``flag_for``) from the facade's field.
``_signatures.with_engine_flags`` puts them in a command's signature.

>>> flag = engine_flags([EngineOption("max_batch_size", "integer", True, False, None, (), None,
...                                   "Max Batch Size", 1, None, None, None, None, None)])[0]
>>> flag.flag, flag.help
('--max-batch-size', 'Max batch size (engine): integer, at least 1; no default in the contract.')
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Annotated, Any, Final

import attrs
import typer

from friendli_dedicated.cli._options import RESERVED_FLAGS
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

__all__ = ["ENGINE_FLAGS", "NO_ENGINE_OPTIONS", "EngineFlag", "EngineValues", "engine_flags", "flag_for"]


# Old spellings of engine flags, kept so that no script breaks (the generated name is the primary one).
_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {"enable_content_logging": ("--content-logging",)}


EngineValues = Mapping[str, Any]
"""The engine options given on the command line, by the contract's name."""

NO_ENGINE_OPTIONS: Final[EngineValues] = MappingProxyType({})
"""The ``engine`` of a command called without ``with_engine_flags`` (none given)."""

_PYTHON_TYPES: Final[Mapping[str, type]] = {"integer": int, "number": float, "boolean": bool, "string": str}


def _dashed(name: str) -> str:
    """``max_batch_size`` and ``maxBatchSize`` are both ``max-batch-size``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-") or "option"


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


_KINDS: Final[Mapping[str, str]] = {"integer": "integer", "number": "number", "boolean": "on or off", "string": "text"}


def _title(option: EngineOption) -> str:
    """The contract's title in sentence case (``Max Batch Size``: ``Max batch size``), acronyms kept."""
    title = option.title
    if " " not in title:  # a schema's name (``QueueBackpressureMetricKind``): spaced for people
        title = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", title)
    first, *rest = title.split()
    return " ".join([first, *(word if word.isupper() and len(word) > 1 else word.lower() for word in rest)])


def _range(low: str | None, high: str | None, unit: str = "") -> str | None:
    if low is not None and high is not None:
        return f"{low} to {high}{unit}"
    return f"at least {low}{unit}" if low is not None else f"at most {high}{unit}" if high is not None else None


def _bounds(option: EngineOption) -> str | None:
    """``1 to 4096``, ``at least 1``, ``more than 0 and less than 1``; None when the contract sets none."""
    if option.kind in ("integer", "number"):
        low, high = option.minimum, option.maximum
        if option.exclusive_minimum is None and option.exclusive_maximum is None:
            return _range(None if low is None else _number(low), None if high is None else _number(high))
        parts = [
            f"{words} {_number(bound)}"
            for bound, words in (
                (low, "at least"),
                (option.exclusive_minimum, "more than"),
                (high, "at most"),
                (option.exclusive_maximum, "less than"),
            )
            if bound is not None
        ]
        return " and ".join(parts)
    low_length, high_length = option.min_length, option.max_length
    return _range(
        None if low_length is None else _number(low_length),
        None if high_length is None else _number(high_length),
        " characters",
    )


def _help(option: EngineOption, flag: str) -> str:
    """``<Title> (engine): <type>, <bounds>; <default>.``, all from the contract, saying what it leaves out.

    >>> _help(ENGINE_OPTIONS[0]._replace(title="Max Batch Size", kind="integer", minimum=1, maximum=4096,
    ...       exclusive_minimum=None, exclusive_maximum=None, default=256, enum=()), "--max-batch-size")
    'Max batch size (engine): integer, 1 to 4096; default 256.'
    """
    kind = "one of the values shown" if option.enum else _KINDS.get(option.kind, option.kind)
    bounds = None if option.enum else _bounds(option)
    numeric = option.kind in ("integer", "number") and not option.enum
    if isinstance(option.default, bool):
        default = f"default {'on' if option.default else 'off'}"
    elif option.default is not None:
        default = f"default {option.default}"
    elif option.required and option.kind == "boolean":
        default = f"create sends on unless --no-{flag[2:]}"  # the facade's rule for a required flag (see _engine)
    elif numeric and bounds is None:
        return f"{_title(option)} (engine): {kind}; the contract gives no bounds or default."
    else:
        default = "no default in the contract"
    if bounds is not None:
        kind += f", {bounds}"
    elif numeric:
        kind += ", no bounds in the contract"
    return f"{_title(option)} (engine): {kind}; {default}."


@attrs.frozen
class EngineFlag:
    """One engine option as a command-line option: its flag, help, and how typer declares it."""

    option: EngineOption
    """The contract's entry."""
    flag: str
    """``--max-batch-size``; a boolean also takes ``--no-`` + the rest."""
    parameter: str
    """The keyword typer passes the value as (never one of the command's own parameters)."""
    aliases: tuple[str, ...] = ()
    """Older spellings that still work."""

    @property
    def help(self) -> str:
        """The help text: the contract's title, bounds and default."""
        return _help(self.option, self.flag)

    def _choices(self) -> type[enum.Enum]:
        # typer offers an Enum's values as choices (click's Choice) and passes the member.
        members = [(f"V{index}", str(value)) for index, value in enumerate(self.option.enum)]
        return enum.Enum(self.option.enum_name or _dashed(self.option.name), members)  # type: ignore[return-value]

    def declaration(self) -> inspect.Parameter:
        """The keyword-only parameter typer reads: ``Annotated[<type> | None, typer.Option(...)]``."""
        python_type: Any = self._choices() if self.option.enum else _PYTHON_TYPES[self.option.kind]
        if self.option.kind == "boolean" and not self.option.enum:
            spellings = [f"{flag}/--no-{flag[2:]}" for flag in (self.flag, *self.aliases)]
        else:
            spellings = [self.flag, *self.aliases]
        info = typer.Option(*spellings, help=self.help, show_default=False)
        return inspect.Parameter(
            self.parameter,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[python_type | None, info],
        )

    def value(self, given: object) -> object:
        """The value to send, from what typer passed: a choice becomes the contract's enum value."""
        if isinstance(given, enum.Enum):
            by_text = {str(value): value for value in self.option.enum}
            return by_text[given.value]
        return given


def engine_flags(options: Iterable[EngineOption] = ENGINE_OPTIONS) -> tuple[EngineFlag, ...]:
    """One ``EngineFlag`` per engine option, in the contract's order.

    The flag is the option's name with dashes; one that would clash with a flag of the commands
    (``RESERVED_FLAGS``) or of an earlier option is ``--engine-`` + the name instead.

    >>> [flag.flag for flag in engine_flags([ENGINE_OPTIONS[0]._replace(name="comment")])]
    ['--engine-comment']
    """
    taken = set(RESERVED_FLAGS)
    flags = []
    for index, option in enumerate(options):
        dashed = _dashed(option.name)
        candidates = [f"--{dashed}", f"--engine-{dashed}", f"--engine-{dashed}-{index}"]
        flag = next(c for c in candidates if c not in taken and f"--no-{c[2:]}" not in taken)
        aliases = tuple(
            alias
            for alias in _ALIASES.get(option.name, ())
            if alias not in taken and f"--no-{alias[2:]}" not in taken and alias != flag
        )
        for spelling in (flag, *aliases):
            taken.update({spelling, f"--no-{spelling[2:]}"})
        parameter = f"engine__{index}_{re.sub(r'[^0-9a-zA-Z_]', '_', option.name)}"
        flags.append(EngineFlag(option, flag, parameter, aliases))
    return tuple(flags)


ENGINE_FLAGS: Final[tuple[EngineFlag, ...]] = engine_flags()
"""The engine options of the pinned contract as flags."""

_FLAG_BY_NAME: Final[Mapping[str, str]] = {flag.option.name: flag.flag for flag in ENGINE_FLAGS}


def flag_for(name: str) -> str | None:
    """The flag of the pinned contract's engine option ``name`` (None if it has none).

    >>> all(flag_for(option.name) for option in ENGINE_OPTIONS), flag_for("no such option")
    (True, None)
    """
    return _FLAG_BY_NAME.get(name)
