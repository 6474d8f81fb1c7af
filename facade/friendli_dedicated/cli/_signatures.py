"""Decorators that rewrite a command's signature, since typer reads a command's options from it.

``with_engine_flags`` gives a command a signature (``__signature__``, which ``inspect.signature``
honours) in which its ``engine`` parameter is replaced by one parameter per engine flag
(``_engine_flags``); when typer calls it, the given values are gathered into one ``{name: value}``
mapping, passed on as ``engine``. ``with_deployment_flags`` does the same for the flags create and
update share, gathered into one ``DeploymentFlags`` (which translates them, ``_translate``, when the
command asks).

>>> def command(engine: EngineValues = NO_ENGINE_OPTIONS) -> None:
...     print(dict(engine))
>>> with_engine_flags(command, [])()
{}
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, get_type_hints

import attrs

import friendli_dedicated as fd
from friendli_dedicated.cli._engine_flags import NO_ENGINE_OPTIONS, EngineValues, engine_flags
from friendli_dedicated.cli._options import (
    RESERVED_FLAGS,
    AutoscalingOpt,
    CooldownOpt,
    CountOpt,
    EngineOptionOpt,
    GpuOpt,
    InstanceOpt,
    MaxReplicasOpt,
    MinReplicasOpt,
    ReplicasOpt,
    UnlistedInstanceOpt,
    flags_of,
)
from friendli_dedicated.cli._translate import to_autoscaling, to_extra_engine_options, to_instance
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

__all__ = ["DeploymentFlags", "with_deployment_flags", "with_engine_flags"]

_ENGINE_PARAMETER = "engine"


def with_engine_flags(
    command: Callable[..., None], options: Iterable[EngineOption] = ENGINE_OPTIONS
) -> Callable[..., None]:
    """``command``, whose ``engine`` parameter typer sees as one option per engine option of ``options``.

    The command keeps its own parameters (in their order, keyword-only); ``engine`` is replaced, in
    place, by the generated ones. Called by typer, the wrapper passes the options given (not None)
    as ``engine={name: value}``, with the contract's names, and everything else unchanged.

    >>> def command(engine: EngineValues = NO_ENGINE_OPTIONS) -> None:
    ...     print(dict(engine))
    >>> wrapped = with_engine_flags(command, [ENGINE_OPTIONS[0]._replace(name="new", kind="integer", enum=())])
    >>> [parameter.name for parameter in inspect.signature(wrapped).parameters.values()]
    ['engine__0_new']
    >>> wrapped(engine__0_new=3)
    {'new': 3}
    """
    flags = engine_flags(options)
    signature = inspect.signature(command, eval_str=True)
    own = list(signature.parameters.values())
    if _ENGINE_PARAMETER not in signature.parameters:
        raise TypeError(f"{command.__name__} has no {_ENGINE_PARAMETER!r} parameter for the engine options")
    # The engine flags avoid RESERVED_FLAGS only: a flag declared elsewhere could clash with one
    # that a new contract brings, so it is refused now, whatever the contract.
    undeclared = set().union(*(flags_of(parameter.annotation) for parameter in own)) - RESERVED_FLAGS
    if undeclared:
        raise TypeError(f"{command.__name__}: declare {sorted(undeclared)} in _options (see RESERVED_FLAGS)")
    parameters: list[inspect.Parameter] = []
    for parameter in own:
        if parameter.name == _ENGINE_PARAMETER:
            parameters += [flag.declaration() for flag in flags]
        else:
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(command)
    def run(**given: Any) -> None:
        engine = {}
        for flag in flags:
            value = given.pop(flag.parameter, None)
            if value is not None:
                engine[flag.option.name] = flag.value(value)
        command(**given, engine=engine)

    return _presented(run, signature.replace(parameters=parameters))


@attrs.frozen(kw_only=True)
class DeploymentFlags:
    """The flags ``create`` and ``update`` share, as given: where the endpoint runs, how it scales,
    its engine. A command declares one ``deployment: DeploymentFlags`` parameter (see
    ``with_deployment_flags``); the translation happens when the command asks, inside its error
    handling, so a bad value is reported like any other input.

    >>> DeploymentFlags(gpu="H100", count=2).instance_option().count
    2
    >>> DeploymentFlags().instance_option() is None, DeploymentFlags().scaling() is None
    (True, True)
    """

    instance: InstanceOpt = None
    gpu: GpuOpt = None
    count: CountOpt = None
    unlisted_instance: UnlistedInstanceOpt = None
    autoscaling: AutoscalingOpt = None
    replicas: ReplicasOpt = None
    min_replicas: MinReplicasOpt = None
    max_replicas: MaxReplicasOpt = None
    cooldown: CooldownOpt = None
    engine: EngineValues = NO_ENGINE_OPTIONS
    engine_option: EngineOptionOpt = None

    def instance_option(self) -> fd.InstanceOption | fd.UnlistedInstanceOption | None:
        """``--instance``, ``--gpu``/``--count`` or ``--unlisted-instance`` (see ``to_instance``)."""
        return to_instance(self.instance, self.gpu, self.count, self.unlisted_instance)

    def scaling(self) -> fd.Autoscaling | None:
        """``--autoscaling`` and its replica flags (see ``to_autoscaling``)."""
        return to_autoscaling(self.autoscaling, self.replicas, self.min_replicas, self.max_replicas, self.cooldown)

    def extra_engine_options(self) -> dict[str, Any] | None:
        """``--engine-option NAME=JSON`` pairs (see ``to_extra_engine_options``)."""
        return to_extra_engine_options(self.engine_option, self.engine)


_DEPLOYMENT_PARAMETER = "deployment"


def with_deployment_flags(
    command: Callable[..., None], options: Iterable[EngineOption] = ENGINE_OPTIONS
) -> Callable[..., None]:
    """``command``, whose ``deployment`` parameter typer sees as the flags of ``DeploymentFlags``, the
    engine options of ``options`` among them (``with_engine_flags``); called by typer, it gathers
    them into one ``DeploymentFlags``.

    >>> def command(deployment: DeploymentFlags) -> None:
    ...     print(deployment.instance_option())
    >>> wrapped = with_deployment_flags(command, [])
    >>> [parameter.name for parameter in inspect.signature(wrapped).parameters.values()][:3]
    ['instance', 'gpu', 'count']
    >>> wrapped(instance="2x H100")
    2x NVIDIA H100
    """
    signature = inspect.signature(command, eval_str=True)
    if _DEPLOYMENT_PARAMETER not in signature.parameters:
        raise TypeError(f"{command.__name__} has no {_DEPLOYMENT_PARAMETER!r} parameter for the deployment flags")
    hints = get_type_hints(DeploymentFlags, include_extras=True)
    fields = [field.name for field in attrs.fields(DeploymentFlags)]
    flags = [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=getattr(DeploymentFlags(), name), annotation=hints[name]
        )
        for name in fields
    ]
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():  # keyword-only: typer passes everything by name
        parameters += flags if parameter.name == _DEPLOYMENT_PARAMETER else [parameter.replace(kind=flags[0].kind)]

    @functools.wraps(command)
    def run(**given: Any) -> None:
        deployment = DeploymentFlags(**{name: given.pop(name) for name in fields if name in given})
        command(**given, deployment=deployment)

    return with_engine_flags(_presented(run, signature.replace(parameters=parameters)), options)


def _presented(run: Callable[..., None], signature: inspect.Signature) -> Callable[..., None]:
    """``run``, which typer (and ``inspect.signature``) now sees as taking ``signature``."""
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {
        p.name: p.annotation for p in signature.parameters.values() if p.annotation is not inspect.Parameter.empty
    }
    return run
