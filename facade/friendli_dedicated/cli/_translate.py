"""The translators: what the deployment flags say, as the facade's values.

``to_instance`` (``--instance``, ``--gpu``/``--count``, ``--unlisted-instance``), ``to_autoscaling``
(``--autoscaling`` and its replica flags) and ``to_extra_engine_options`` (``--engine-option
NAME=JSON``); like the facade, they refuse bad input with ``InvalidInputError`` naming the field,
before anything is sent (``_exit`` then names the flag).

>>> to_instance("2x H100", None, None).count
2
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import friendli_dedicated as fd
from friendli_dedicated._validate import shown
from friendli_dedicated.cli._engine_flags import EngineValues, flag_for
from friendli_dedicated.cli._options import ScalingMode
from friendli_dedicated.errors import InvalidInputError

__all__ = ["to_autoscaling", "to_extra_engine_options", "to_instance"]


def to_instance(
    instance: str | None, gpu: str | None, count: int | None, unlisted: str | None = None
) -> fd.InstanceOption | fd.UnlistedInstanceOption | None:
    """``--instance``, ``--gpu``/``--count`` or ``--unlisted-instance`` as an instance option (None: none given).

    >>> option = fd.InstanceOption.all()[-1]
    >>> to_instance(None, option.gpu.value, option.count) == option
    True
    """
    if unlisted is not None:
        if instance is not None or gpu is not None or count is not None:
            raise InvalidInputError(
                "unlisted_instance", "give either --unlisted-instance or --instance/--gpu, not both"
            )
        try:
            return fd.InstanceOption.unlisted(unlisted)
        except InvalidInputError as exc:
            raise InvalidInputError("unlisted_instance", exc.message) from None
    if instance is not None:
        if gpu is not None or count is not None:
            raise InvalidInputError("instance", "give either --instance or --gpu/--count, not both")
        return fd.InstanceOption.coerce(instance, field="instance")
    if gpu is None:
        if count is not None:
            raise InvalidInputError("count", "needs --gpu, the GPU kind to count")
        return None
    option = fd.InstanceOption.parse(gpu, field="gpu")
    if count is None or count == option.count:
        return option
    if option.count != 1:
        raise InvalidInputError("count", f"--gpu {gpu!r} already says {option.count} GPUs")
    try:
        return fd.InstanceOption(option.gpu, count)
    except InvalidInputError as exc:
        raise InvalidInputError("count", exc.message) from None


def to_autoscaling(
    mode: ScalingMode | None,
    replicas: int | None,
    min_replicas: int | None,
    max_replicas: int | None,
    cooldown: int | None,
) -> fd.Autoscaling | None:
    """The ``--autoscaling`` options as an ``fd.Autoscaling`` (None when none is given).

    >>> to_autoscaling(ScalingMode.FIXED, 3, None, None, None) == fd.Autoscaling.fixed(3)
    True
    """
    given = {
        "replicas": replicas,
        "min_replicas": min_replicas,
        "max_replicas": max_replicas,
        "cooldown": cooldown,
    }

    def refuse(*names: str) -> None:
        for name in names:
            if given[name] is not None:
                if mode is None:  # --replicas alone means --autoscaling fixed, which has no range
                    raise InvalidInputError(
                        name,
                        "does not go with --replicas (a fixed count of replicas); for a range give "
                        "--min-replicas and --max-replicas without --replicas",
                    )
                raise InvalidInputError(name, f"does not apply to --autoscaling {mode.value}")

    if mode is None:
        if replicas is not None:
            refuse("min_replicas", "max_replicas", "cooldown")
            return fd.Autoscaling.fixed(replicas)
        if min_replicas is None and max_replicas is None and cooldown is None:
            return None
        return fd.Autoscaling(
            min_replicas=0 if min_replicas is None else min_replicas,
            max_replicas=max(1, min_replicas or 0) if max_replicas is None else max_replicas,
            cooldown=300 if cooldown is None else cooldown,
        )
    if mode is ScalingMode.FIXED:
        refuse("min_replicas", "max_replicas", "cooldown")
        return fd.Autoscaling.fixed(1 if replicas is None else replicas)
    if mode is ScalingMode.SCALE_TO_ZERO:
        refuse("replicas", "min_replicas")
        return fd.Autoscaling.scale_to_zero(
            max_replicas=1 if max_replicas is None else max_replicas, cooldown=300 if cooldown is None else cooldown
        )
    refuse("replicas")
    return fd.Autoscaling.always_on(
        min_replicas=1 if min_replicas is None else min_replicas,
        max_replicas=max_replicas,
        cooldown=300 if cooldown is None else cooldown,
    )


def _no_constant(text: str) -> object:
    raise ValueError(f"{text} is not JSON")  # NaN, Infinity: Python's json reads them, JSON has none


def to_extra_engine_options(pairs: Sequence[str] | None, given: EngineValues) -> dict[str, Any] | None:
    """``--engine-option NAME=JSON`` (repeated) as ``extra_engine_options`` (None when not given).

    A name also given as its own flag (``given``) is refused: one value per option.

    >>> to_extra_engine_options(["new_flag=true", 'new_kind="FAST"'], {})
    {'new_flag': True, 'new_kind': 'FAST'}
    """
    if not pairs:
        return None
    extra: dict[str, Any] = {}
    for pair in pairs:
        name, equals, text = pair.partition("=")
        if not equals or not name.strip():
            raise InvalidInputError("engine_option", f"expected NAME=JSON, got {shown(pair)}")
        if name in extra:
            raise InvalidInputError("engine_option", f"{shown(name)} is given twice")
        if name in given:
            raise InvalidInputError(
                "engine_option", f"{shown(name)} is also given as {flag_for(name) or 'a flag'}: give one of them"
            )
        try:
            extra[name] = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            raise InvalidInputError(
                "engine_option",
                f"the value of {shown(name)} is not JSON: {shown(text)} (a string is quoted: NAME='\"TEXT\"')",
            ) from None
    return extra
