"""What no output of the command line may show: the Python spelling of what it says.

``python_forms(text)`` lists every Python form found in ``text``: a keyword argument (``wake=True``,
``token=...``), a call or a name of the library (``endpoints.list('p')``, ``fd.Status``), a Python
constant (``True``, ``None``), or a keyword name of the library (``max_replicas``, ``team_id``,
``allow_insecure``). The names are read from the library itself: the parameters of every call the
command line makes, the fields it translates (``_exit.FIELDS``) and the engine options. What stands
in quotes is someone's input shown as given, and is not looked at.

>>> python_forms("invalid --max-replicas: does not go with --replicas; got 'max_replicas'")
[]
>>> python_forms("no API token: pass token=... or set FRIENDLI_TOKEN")
['token=...']
"""

from __future__ import annotations

import functools
import inspect
import re

import attrs

import friendli_dedicated as fd
from friendli_dedicated.cli._exit import FIELDS
from friendli_dedicated.emulator._launcher import LaunchOptions
from friendli_dedicated_api._contract import ENGINE_OPTIONS

# The library's calls the command line makes (their parameters are keywords it must not show).
CALLS = (
    fd.Client.__init__,
    fd.Endpoints.list,
    fd.Endpoints.get,
    fd.Endpoints.get_handle,
    fd.Endpoints.status,
    fd.Endpoints.create,
    fd.Endpoints.update,
    fd.Endpoints.delete,
    fd.Endpoints.sleep,
    fd.Endpoints.wake,
    fd.Endpoints.terminate,
    fd.Endpoints.restart,
    fd.Endpoints.versions,
    fd.Endpoints.wait_until_running,
    fd.Endpoints.wait_until,
    fd.Endpoints.wait_all,
)

_QUOTED = re.compile(r"(?<![\w])'[^'\n]*'(?![\w])|\"[^\"\n]*\"")
_FORMS = (
    re.compile(r"\b[A-Za-z_][\w.]*=(?:True|False|None|\.\.\.)"),  # a keyword argument
    re.compile(r"`[^`]*`"),  # code
    re.compile(r"\b[a-z_]+\.[a-z_]+\("),  # a method call: endpoints.list(
    re.compile(r"\bfd\.\w+"),  # the library's names
    re.compile(r"\b(?:True|False|None)\b"),  # Python's constants (JSON's are lower case)
    re.compile(r"\bkeyword\b"),
)


def keyword_names() -> frozenset[str]:
    """The library's names for the inputs of the command line that are not words of it (they have
    an underscore or a dot: ``max_replicas``, ``autoscaling.cooldown``)."""
    return _keyword_names()


@functools.cache
def _keyword_names() -> frozenset[str]:
    names = set(FIELDS)
    names.update(option.name for option in ENGINE_OPTIONS)
    names.update(field.name for field in attrs.fields(LaunchOptions))
    for call in CALLS:
        names.update(inspect.signature(call).parameters)
    return frozenset(name for name in names if "_" in name or "." in name)


def python_forms(text: str) -> list[str]:
    """Every Python form in ``text`` (outside quotes), in order of kind."""
    unquoted = _QUOTED.sub("''", text)
    found = [match[0] for pattern in _FORMS for match in pattern.finditer(unquoted)]
    names = "|".join(re.escape(name) for name in sorted(keyword_names(), key=len, reverse=True))
    found += re.findall(rf"(?<![\w.-])(?:{names})(?![\w-])", unquoted)  # not the API's: body.advanced.x
    return found
