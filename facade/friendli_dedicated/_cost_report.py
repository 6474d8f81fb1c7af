"""What a team's cost is made of: ``CostEntry`` (one line item of one day), ``CostReport`` (a period's
entries and their totals per endpoint, project and day), and reading them from the API's daily buckets.

The API answers ``getCost`` with daily buckets, each a list of results: a ``total`` (a decimal number,
as text), a ``quantity`` and ``unit_price``, and a ``line_item`` that says what was billed. A GPU's time
reads ``"{endpoint_id}, {gpu_type}, gpu time cost"``; that kind is a ``"gpu_time"`` entry with its
endpoint and GPU. Any other line item is kept as it came, a ``"other"`` entry, so a kind of cost added
upstream is counted in the totals, never dropped. Amounts are ``Decimal`` (read from the text, or
from a JSON number without passing through a float), so they add up to the cent.

>>> entry = entry_of({"total": "0.10", "line_item": "ep-1, NVIDIA H100, gpu time cost"}, dt.date(2026, 1, 1))
>>> entry.kind, entry.endpoint_id, entry.gpu_type, entry.amount + Decimal("0.2")
('gpu_time', 'ep-1', 'NVIDIA H100', Decimal('0.30'))
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal, TypeVar

import attrs

from friendli_dedicated._parsing import Malformed
from friendli_dedicated._validate import identifier
from friendli_dedicated.errors import InvalidInputError

__all__ = ["CostEntry", "CostKind", "CostReport", "bucket_of", "entry_of", "sum_amounts"]

CostKind = Literal["gpu_time", "other"]
K = TypeVar("K", bound=Hashable)

# "{endpoint_id}, {gpu_type}, gpu time cost": the endpoint id has no comma; the GPU's name is what is
# left between it and the suffix (commas included, should a name ever hold one).
_GPU_TIME = re.compile(r"\s*(?P<endpoint>[^,]+?)\s*,\s*(?P<gpu>.+?)\s*,\s*gpu time cost\s*", re.IGNORECASE)
# Amounts the SDK reads exactly: at most 18 digits on either side of the point, so that totals of
# any number of them stay exact in ``sum_amounts``'s precision.
_PLACES = 18


@attrs.frozen
class CostEntry:
    """One line item of the team's cost on one day (UTC).

    ``kind`` is ``"gpu_time"`` for an endpoint's GPU time (``endpoint_id`` and ``gpu_type`` are then
    set) and ``"other"`` for any other line item, kept as it came in ``line_item``. ``amount`` is
    what it cost, in the team's billing currency (the API names none); ``quantity`` and
    ``unit_price`` are as the API gave them (None if it did not). ``project_id`` and
    ``endpoint_name`` are the endpoint's, read from its specification, while it still exists (None
    once it is deleted, or when ``costs`` was asked not to join).

    >>> ep = client.endpoints.create("entries", "chat", "org/model", "H100").wait_until_running()
    >>> entry = client.costs(dt.date(2026, 1, 1), dt.date(2026, 1, 2)).entries[0]
    >>> entry.kind, entry.endpoint_id == ep.id, entry.endpoint_name, entry.day, type(entry.amount).__name__
    ('gpu_time', True, 'chat', datetime.date(2026, 1, 1), 'Decimal')
    """

    day: dt.date
    amount: Decimal
    kind: CostKind
    line_item: str | None
    endpoint_id: str | None = None
    gpu_type: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    project_id: str | None = None
    endpoint_name: str | None = None


def sum_amounts(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``amounts`` (the default decimal context would round past 28 digits).

    >>> sum_amounts([Decimal("0.1"), Decimal("0.2")])
    Decimal('0.3')
    """
    with decimal.localcontext() as context:
        context.prec = 4 * _PLACES + 20  # room for the digits of both sides, and for many terms
        return sum(amounts, Decimal(0))


def _totals(entries: Iterable[CostEntry], key: Callable[[CostEntry], K]) -> dict[K, Decimal]:
    grouped: dict[K, list[Decimal]] = {}
    for entry in entries:
        grouped.setdefault(key(entry), []).append(entry.amount)
    return {group: sum_amounts(amounts) for group, amounts in grouped.items()}


@attrs.frozen
class CostReport:
    """The team's cost from ``start`` to ``end`` (exclusive), as ``client.costs`` returns it.

    ``entries`` are the line items of each day, in the order of the days; ``total`` and the
    ``by_*`` methods add them up exactly. ``project_id`` is the project the report was limited to
    (None: the whole team). ``unjoined`` lists the endpoints with a cost whose specification could
    not be read (deleted since, or ``join=False``): their entries carry no project or name, and a
    report limited to a project leaves them out, since their project is not known.

    >>> report = client.costs(dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    >>> report.total == sum(report.by_endpoint().values()) == sum(report.by_day().values())
    True
    """

    start: dt.date
    end: dt.date
    entries: tuple[CostEntry, ...]
    unjoined: frozenset[str] = frozenset()
    project_id: str | None = None

    @property
    def total(self) -> Decimal:
        """What every entry cost together."""
        return sum_amounts(entry.amount for entry in self.entries)

    def by_endpoint(self) -> dict[str, Decimal]:
        """Endpoint id -> what its GPU time cost over the period (entries of another kind belong to none)."""
        gpu_time = (entry for entry in self.entries if entry.endpoint_id is not None)
        return dict(sorted(_totals(gpu_time, lambda entry: str(entry.endpoint_id)).items()))

    def by_project(self) -> dict[str | None, Decimal]:
        """Project id -> what its endpoints cost; None gathers what no project is known for (the
        entries of ``unjoined`` endpoints, and those of another kind than GPU time)."""
        totals = _totals(self.entries, lambda entry: entry.project_id)
        return dict(sorted(totals.items(), key=lambda item: (item[0] is None, item[0] or "")))

    def by_day(self) -> dict[dt.date, Decimal]:
        """Day -> what that day cost, for the days with a cost."""
        return dict(sorted(_totals(self.entries, lambda entry: entry.day).items()))


# -- reading the API's buckets ---------------------------------------------------------------------
def _amount(value: object, field: str) -> Decimal:
    """A decimal amount: text (the contract's type) or a JSON number read as ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise Malformed(f"'{field}' is {type(value).__name__}, not a decimal number")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (decimal.InvalidOperation, ValueError):
        raise Malformed(f"'{field}' is not a decimal number: {str(value)[:40]!r}") from None
    if not amount.is_finite():
        raise Malformed(f"'{field}' is not a finite number: {str(value)[:40]!r}")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite Decimal's exponent is an int
    if exponent < -_PLACES or amount.adjusted() >= _PLACES:
        raise Malformed(f"'{field}' is out of range (at most {_PLACES} digits on either side of the point)")
    return amount


def _optional_amount(data: Mapping[str, Any], field: str) -> Decimal | None:
    value = data.get(field)
    return None if value is None else _amount(value, field)


def _gpu_time(line_item: str) -> tuple[str, str] | None:
    """(endpoint id, GPU type) of a GPU-time line item; None for any other kind."""
    match = _GPU_TIME.fullmatch(line_item)
    if match is None:
        return None
    try:
        endpoint_id = identifier(match["endpoint"], "line_item")  # it goes into a URL when joined
    except InvalidInputError:
        return None
    return endpoint_id, match["gpu"]


def entry_of(data: object, day: dt.date) -> CostEntry:
    """One result of a bucket as a ``CostEntry`` (not joined); ``Malformed`` if it is not one."""
    if not isinstance(data, Mapping):
        raise Malformed(f"a cost result is {type(data).__name__}, not an object")
    if "total" not in data:
        raise Malformed("a cost result has no 'total'")
    line_item = data.get("line_item")
    if line_item is not None and not isinstance(line_item, str):
        raise Malformed(f"'line_item' is {type(line_item).__name__}, not a string")
    entry = CostEntry(
        day=day,
        amount=_amount(data["total"], "total"),
        kind="other",
        line_item=line_item,
        quantity=_optional_amount(data, "quantity"),
        unit_price=_optional_amount(data, "unit_price"),
    )
    gpu_time = None if line_item is None else _gpu_time(line_item)
    if gpu_time is None:
        return entry
    endpoint_id, gpu_type = gpu_time
    return attrs.evolve(entry, kind="gpu_time", endpoint_id=endpoint_id, gpu_type=gpu_type)


def _day(value: object) -> dt.date:
    if not isinstance(value, str):
        raise Malformed(f"a bucket's 'start_time' is {type(value).__name__}, not a date-time")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Malformed(f"a bucket's 'start_time' is not a date-time: {value[:40]!r}") from None
    return (moment if moment.tzinfo is None else moment.astimezone(dt.UTC)).date()


def bucket_of(data: object) -> tuple[str, list[CostEntry]]:
    """A daily bucket: its day (ISO, the key that pagination tells buckets apart by) and its entries.

    >>> bucket_of({"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-02T00:00:00Z", "results": []})
    ('2026-01-01', [])
    """
    if not isinstance(data, Mapping):
        raise Malformed(f"a cost bucket is {type(data).__name__}, not an object")
    day = _day(data.get("start_time"))
    results = data.get("results")
    if not isinstance(results, list):
        raise Malformed(f"a bucket's 'results' is {type(results).__name__}, not a list")
    return day.isoformat(), [entry_of(result, day) for result in results]
