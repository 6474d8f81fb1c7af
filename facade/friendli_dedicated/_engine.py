"""Engine options (the ``advanced`` block of create and update), checked against the contract's table.

Everything here is read from ``_contract.ENGINE_OPTIONS``, which the code generator lifts from the
contract: the options' names, JSON types, nullability, bounds, enum values and defaults. So an
option added upstream is accepted, checked and sent after ``nox -s regenerate``, with no edit here.

Two rules of the facade's own, both generic:

- a *required* boolean option the contract gives no default (the tokenizer flags today) is True
  when not given, as the API's own examples send it; any other required option without a default
  must be given (``InvalidInputError`` naming it);
- ``None`` for a nullable option means "not given": it is left out of the request.

The escape hatch for what the pinned contract does not know yet (an option, or an enum value added
upstream after the pin) is ``extra``: those entries are sent as given, after a ``UnlistedWarning``
that names the pin. It is no way around the checks: an entry whose name the contract lists is
checked as its keyword is (type, bounds; only a value outside its enum goes through, with the
warning), a name also given as a keyword is refused, and every text in it (names and values, nested
ones included) follows the SDK's rule for text (``_validate.unicode_text``).

>>> sorted(check({"max_token_count": 4096}).items())
[('max_token_count', 4096)]
>>> check({"max_token_count": "4096"})
Traceback (most recent call last):
friendli_dedicated.errors.InvalidInputError: max_token_count: must be a whole number, got '4096'
"""

from __future__ import annotations

from collections.abc import Mapping

from friendli_dedicated._unlisted import warn_unlisted
from friendli_dedicated._validate import optional_number, shown, unicode_text, whole
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption
from friendli_dedicated_api.models import DedicatedEndpointSpec, EndpointAdvancedConfig
from friendli_dedicated_api.types import Unset

__all__ = ["OPTIONS", "check", "check_extra", "create_block", "needs_current", "update_block"]

OPTIONS: Mapping[str, EngineOption] = {option.name: option for option in ENGINE_OPTIONS}
"""The engine options of the pinned contract, by name."""


def check_value(
    option: EngineOption, value: object, *, field: str | None = None, unlisted_enum: bool = False
) -> object:
    """``value`` checked against ``option`` (None only when the option is nullable); errors name
    ``field`` (the option's name by default). With ``unlisted_enum``, a string outside the option's
    enum is taken (the escape hatch's values added upstream); anything else outside it is refused."""
    name = option.name
    field = field or name
    if value is None:
        if option.nullable:
            return None
        raise InvalidInputError(field, f"cannot be None (the contract does not allow null for {name})")
    if option.enum:
        if isinstance(value, str) and (value in option.enum or unlisted_enum):
            return unicode_text(value, field)
        hint = "" if unlisted_enum else " (a value added upstream after the pin goes in extra_engine_options)"
        raise InvalidInputError(field, f"must be one of {', '.join(option.enum)}, got {shown(value)}{hint}")
    if option.kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidInputError(field, f"must be True or False, got {shown(value)}")
        return value
    if option.kind == "integer":
        return whole(value, field, minimum=_ceil(option), maximum=_floor(option))
    if option.kind == "number":
        number = optional_number(value, field)
        assert number is not None
        _check_bounds(option, number, field)
        return value if isinstance(value, int) else number
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a string, got {shown(value)}")
    if option.min_length is not None and len(value) < option.min_length:
        raise InvalidInputError(field, f"must be at least {option.min_length:g} characters")
    if option.max_length is not None and len(value) > option.max_length:
        raise InvalidInputError(field, f"must be at most {option.max_length:g} characters")
    return unicode_text(value, field)


def _ceil(option: EngineOption) -> int | None:
    bounds = [int(-(-b // 1)) for b in (option.minimum,) if b is not None]
    bounds += [int(b // 1) + 1 for b in (option.exclusive_minimum,) if b is not None]
    return max(bounds) if bounds else None


def _floor(option: EngineOption) -> int | None:
    bounds = [int(b // 1) for b in (option.maximum,) if b is not None]
    bounds += [int(-(-b // 1)) - 1 for b in (option.exclusive_maximum,) if b is not None]
    return min(bounds) if bounds else None


def _check_bounds(option: EngineOption, number: float, name: str) -> None:
    if option.minimum is not None and number < option.minimum:
        raise InvalidInputError(name, f"must be at least {option.minimum:g}, got {number:g}")
    if option.maximum is not None and number > option.maximum:
        raise InvalidInputError(name, f"must be at most {option.maximum:g}, got {number:g}")
    if option.exclusive_minimum is not None and number <= option.exclusive_minimum:
        raise InvalidInputError(name, f"must be more than {option.exclusive_minimum:g}, got {number:g}")
    if option.exclusive_maximum is not None and number >= option.exclusive_maximum:
        raise InvalidInputError(name, f"must be less than {option.exclusive_maximum:g}, got {number:g}")


def check(options: Mapping[str, object]) -> dict[str, object]:
    """The given options, each checked; a name the contract does not list is refused, naming it."""
    checked: dict[str, object] = {}
    for name, value in options.items():
        option = OPTIONS.get(name)
        if option is None:
            valid = ", ".join(OPTIONS)
            raise InvalidInputError(
                name, f"is not an engine option of the pinned contract (valid: {valid}; see extra_engine_options)"
            )
        checked[name] = check_value(option, value)
    return checked


def check_extra(extra: object, given: Mapping[str, object] | None = None) -> dict[str, object]:
    """``extra_engine_options``: a mapping of names to JSON values, sent as given.

    A name the contract lists is checked as its keyword is (``check_value``), but for a value outside
    its enum; a name also given (not None) in ``given``, the keyword options, is refused.

    >>> check_extra({"max_token_count": 64}, {"max_token_count": 128})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: extra_engine_options.max_token_count: is also given as a keyword ...
    """
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise InvalidInputError("extra_engine_options", f"must be a mapping of names to values, got {shown(extra)}")
    checked: dict[str, object] = {}
    for key, value in extra.items():
        if not isinstance(key, str) or not key.strip():
            raise InvalidInputError("extra_engine_options", f"keys must be non-empty strings, got {shown(key)}")
        try:  # before the name goes into a field name
            unicode_text(key, "extra_engine_options")
        except InvalidInputError as refused:
            raise InvalidInputError("extra_engine_options", f"a name {refused.message}") from None
        field = f"extra_engine_options.{key}"
        if given is not None and given.get(key) is not None:
            raise InvalidInputError(field, "is also given as a keyword argument: give one of them")
        option = OPTIONS.get(key)
        if option is not None:
            checked[key] = check_value(option, value, field=field, unlisted_enum=True)
        else:
            checked[key] = _json(value, field)
    return checked


def _json(value: object, field: str, depth: int = 0) -> object:
    """``value`` as plain JSON data (lists, dicts), refusing what JSON cannot carry or the API could not
    store, and holding every text to the SDK's rule."""
    if depth > 32:
        raise InvalidInputError(field, "must be a JSON value nested at most 32 deep")
    if isinstance(value, str):
        return unicode_text(value, field)
    if isinstance(value, list | tuple):
        return [_json(item, field, depth + 1) for item in value]
    if isinstance(value, Mapping):
        checked: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInputError(field, f"must be a JSON value (its keys strings), got a key {shown(key)}")
            checked[unicode_text(key, field)] = _json(item, field, depth + 1)
        return checked
    if value is None or isinstance(value, bool) or _is_json_number(value):
        return value
    raise InvalidInputError(field, f"must be a JSON value, got {shown(value)}")


def _is_json_number(value: object) -> bool:
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, float) and value == value and value not in (float("inf"), float("-inf"))


def _default(option: EngineOption) -> object:
    if option.default is not None:
        return option.default
    if option.required and option.kind == "boolean":
        return True
    if option.required:
        raise InvalidInputError(option.name, "is required by the API contract; pass it")
    return None


def _block(values: Mapping[str, object], extra: Mapping[str, object]) -> EndpointAdvancedConfig:
    for name, value in extra.items():
        option = OPTIONS.get(name)
        if option is None:
            warn_unlisted(f"engine option {name!r}")
        elif option.enum and value is not None and value not in option.enum:
            warn_unlisted(f"the value {shown(value)} of engine option {name!r}")
    sent = {name: value for name, value in values.items() if value is not None}
    # The generated model keeps names it does not know in additional_properties, and sends them.
    return EndpointAdvancedConfig.from_dict({**sent, **extra})


def create_block(options: Mapping[str, object], extra: object = None) -> EndpointAdvancedConfig:
    """The ``advanced`` block of a create: the given options, the contract's defaults for the rest."""
    given = check(options)
    extras = check_extra(extra, given)
    values = {
        name: given[name] if name in given else _default(option)
        for name, option in OPTIONS.items()
        if name not in extras
    }
    return _block(values, extras)


def update_block(
    options: Mapping[str, object], extra: object, current: DedicatedEndpointSpec | None
) -> EndpointAdvancedConfig:
    """The ``advanced`` block of an update: only the given options, plus those the contract requires in
    every block, taken from the endpoint's ``current`` specification where it reports them."""
    given = check(options)
    extras = check_extra(extra, given)
    values = dict(given)
    for name, option in OPTIONS.items():
        if option.required and name not in values and name not in extras:
            reported = getattr(current, name, None) if current is not None else None
            values[name] = _default(option) if reported is None or isinstance(reported, Unset) else reported
    return _block(values, extras)


def needs_current(options: Mapping[str, object], extra: Mapping[str, object] | None) -> bool:
    """Whether an update of these options must read the endpoint first (a required option not given)."""
    given = set(options) | set(extra or {})
    return any(option.required and name not in given for name, option in OPTIONS.items())
