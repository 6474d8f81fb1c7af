"""The options of ``endpoints create`` and ``endpoints update``, and their translation into the facade's values.

Nothing here restates what the contract knows. The GPU names in the help come from ``fd.GPU``, and
the engine options are built at import time from the contract's table
(``_contract.ENGINE_OPTIONS``): one option per engine option, named after it
(``max_batch_size`` is ``--max-batch-size``), typed by its JSON kind (a boolean is
``--flag/--no-flag``, an enum offers its values as choices), with its title, bounds and default in
the help. A regeneration that adds an engine option adds its flag, with no edit here.

typer reads a command's options from its signature, so ``with_engine_flags`` gives a command a
signature (``__signature__``, which ``inspect.signature`` honours) in which its ``engine``
parameter is replaced by one parameter per engine option; when typer calls it, the given values are
gathered into one ``{name: value}`` mapping, passed on as ``engine``. The values are not checked
here: the facade checks them, so the command line refuses exactly what the library refuses, and
``_exit`` names the flag (``--max-context-length``) from the facade's field.

The translators (``to_instance``, ``to_autoscaling``, ``to_extra_engine_options``) turn the other
options into the facade's values; like the facade, they refuse bad input with
``InvalidInputError`` naming the field, before anything is sent.

>>> flag = engine_flags([EngineOption("max_batch_size", "integer", True, False, None, (), None,
...                                   "Max Batch Size", 1, None, None, None, None, None)])[0]
>>> flag.flag, flag.help
('--max-batch-size', 'Engine: Max Batch Size (at least 1).')
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Annotated, Any, Final, get_args, get_type_hints

import attrs
import typer
from typer.models import OptionInfo

import friendli_dedicated as fd
from friendli_dedicated._validate import shown
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

__all__ = [
    "ENGINE_FLAGS",
    "NO_ENGINE_OPTIONS",
    "RESERVED_FLAGS",
    "AutoscalingOpt",
    "CommentOpt",
    "CooldownOpt",
    "CountOpt",
    "DeploymentFlags",
    "EndpointArg",
    "EngineFlag",
    "EngineOptionOpt",
    "EngineValues",
    "GpuOpt",
    "InstanceOpt",
    "JsonOpt",
    "MaxReplicasOpt",
    "MinReplicasOpt",
    "ModelOpt",
    "NameOpt",
    "NewModelOpt",
    "NewNameOpt",
    "ProjectOpt",
    "ReplicasOpt",
    "RevisionOpt",
    "ScalingMode",
    "TimeoutOpt",
    "UnlistedInstanceOpt",
    "WaitOpt",
    "engine_flags",
    "flag_for",
    "gpu_spellings",
    "instance_examples",
    "to_autoscaling",
    "to_extra_engine_options",
    "to_instance",
    "with_deployment_flags",
    "with_engine_flags",
]


# -- from the contract's data ----------------------------------------------------------------------
def gpu_spellings() -> list[str]:
    """The GPU kinds as ``--gpu`` takes them, from the contract's ``GPU`` enum (no space to quote).

    >>> all(fd.InstanceOption.parse(name).gpu in fd.GPU for name in gpu_spellings())
    True
    """
    return [gpu.value.removeprefix("NVIDIA ").replace(" ", "-") for gpu in fd.GPU]


def instance_examples() -> str:
    """Two spellings ``--instance`` reads, from the contract's instance options: several GPUs, and one.

    >>> all(fd.InstanceOption.parse(example.strip("'")) for example in instance_examples().split(" or "))
    True
    """
    spelled = dict(zip(fd.GPU, gpu_spellings(), strict=True))
    options = fd.InstanceOption.all()
    several = [f"'{option.count}x {spelled[option.gpu]}'" for option in options if option.count > 1]
    return " or ".join([*several[:1], *(f"'{spelled[option.gpu]}'" for option in options[-1:])])


# -- the options of create and update (and of other commands) --------------------------------------
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else (notes go to stderr).")
]
EndpointArg = Annotated[str, typer.Argument(metavar="ENDPOINT_ID", help="The endpoint's id.", show_default=False)]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Then wait until the endpoint is RUNNING, showing progress.")]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", help="Seconds to wait for RUNNING before giving up (exit code 4).")
]
ProjectOpt = Annotated[str, typer.Option("--project", "-p", help="Project id.", show_default=False)]
NameOpt = Annotated[str, typer.Option("--name", "-n", help="Endpoint name.", show_default=False)]
ModelOpt = Annotated[
    str, typer.Option("--model", "-m", help="Hugging Face model repo, e.g. org/model.", show_default=False)
]
NewNameOpt = Annotated[str | None, typer.Option("--name", "-n", help="New name.", show_default=False)]
NewModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="New model repo.", show_default=False)]
InstanceOpt = Annotated[
    str | None,
    typer.Option(
        "--instance",
        "-i",
        help=f"GPU kind and count, e.g. {instance_examples()}, or a raw instance option id (see instance-options).",
        show_default=False,
    ),
]
GpuOpt = Annotated[
    str | None,
    typer.Option("--gpu", help=f"GPU kind ({', '.join(gpu_spellings())}); with --count.", show_default=False),
]
CountOpt = Annotated[
    int | None, typer.Option("--count", help="How many GPUs of --gpu (default 1).", show_default=False)
]
UnlistedInstanceOpt = Annotated[
    str | None,
    typer.Option(
        "--unlisted-instance",
        metavar="ID",
        help="An instance option id the pinned contract does not list (a GPU added upstream since): "
        "sent as given, with a warning. Instead of --instance or --gpu.",
        show_default=False,
    ),
]


class ScalingMode(enum.StrEnum):
    """``--autoscaling``: the three shapes of ``fd.Autoscaling``."""

    FIXED = "fixed"
    SCALE_TO_ZERO = "scale-to-zero"
    ALWAYS_ON = "always-on"


AutoscalingOpt = Annotated[
    ScalingMode | None,
    typer.Option(
        "--autoscaling",
        help="fixed (--replicas), scale-to-zero (--max-replicas, --cooldown) or always-on "
        "(--min-replicas, --max-replicas, --cooldown).",
        show_default=False,
    ),
]
ReplicasOpt = Annotated[
    int | None, typer.Option("--replicas", help="Replica count of --autoscaling fixed (default 1).", show_default=False)
]
MinReplicasOpt = Annotated[
    int | None, typer.Option("--min-replicas", help="Fewest replicas (always-on: default 1).", show_default=False)
]
MaxReplicasOpt = Annotated[int | None, typer.Option("--max-replicas", help="Most replicas.", show_default=False)]
CooldownOpt = Annotated[
    int | None, typer.Option("--cooldown", help="Seconds idle before scaling down (default 300).", show_default=False)
]
RevisionOpt = Annotated[
    str | None, typer.Option("--revision", help="Model revision (branch, tag or commit).", show_default=False)
]
CommentOpt = Annotated[
    str | None, typer.Option("--comment", help="A note for the version history.", show_default=False)
]
EngineOptionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--engine-option",
        metavar="NAME=JSON",
        help="An engine option the pinned contract does not list (or a value of one it does not list), "
        "e.g. NAME=true, NAME=512 or NAME='\"TEXT\"'; repeatable. Sent as given, with a warning.",
        show_default=False,
    ),
]

_COMMAND_OPTIONS: Final = (
    JsonOpt,
    WaitOpt,
    TimeoutOpt,
    ProjectOpt,
    NameOpt,
    ModelOpt,
    NewNameOpt,
    NewModelOpt,
    InstanceOpt,
    GpuOpt,
    CountOpt,
    UnlistedInstanceOpt,
    AutoscalingOpt,
    ReplicasOpt,
    MinReplicasOpt,
    MaxReplicasOpt,
    CooldownOpt,
    RevisionOpt,
    CommentOpt,
    EngineOptionOpt,
)


def _flags_of(annotation: object) -> set[str]:
    """The flags an ``Annotated[..., typer.Option(...)]`` declares (both sides of ``--a/--no-a``)."""
    flags: set[str] = set()
    for info in get_args(annotation)[1:]:
        if isinstance(info, OptionInfo):
            # In Annotated, typer.Option's first positional argument lands in ``default``.
            declared = [info.default, *(info.param_decls or ())]
            for declaration in declared:
                if isinstance(declaration, str):
                    flags.update(part.strip() for part in declaration.split("/") if part.strip())
    return flags


# Old spellings of engine flags, kept so that no script breaks (the generated name is the primary one).
_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {"enable_content_logging": ("--content-logging",)}

RESERVED_FLAGS: Final[frozenset[str]] = frozenset(
    {"--help", "-h"}.union(*(_flags_of(option) for option in _COMMAND_OPTIONS))
)
"""The flags of create and update that are not engine options: an engine option never takes one."""


# -- engine options as flags -----------------------------------------------------------------------
EngineValues = Mapping[str, Any]
"""The engine options given on the command line, by the contract's name."""

NO_ENGINE_OPTIONS: Final[EngineValues] = MappingProxyType({})
"""The ``engine`` of a command called without ``with_engine_flags`` (none given)."""

_ENGINE_PARAMETER = "engine"
_PYTHON_TYPES: Final[Mapping[str, type]] = {"integer": int, "number": float, "boolean": bool, "string": str}


def _dashed(name: str) -> str:
    """``max_batch_size`` and ``maxBatchSize`` are both ``max-batch-size``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-") or "option"


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _help(option: EngineOption, flag: str) -> str:
    """``Engine: <title> (<bounds>; default <default>).``, all from the contract."""
    title = option.title
    if " " not in title:  # a schema's name (``QueueBackpressureMetricKind``): spaced for people
        title = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", title)
    notes = []
    for bound, words in (
        (option.minimum, "at least"),
        (option.exclusive_minimum, "more than"),
        (option.maximum, "at most"),
        (option.exclusive_maximum, "less than"),
    ):
        if bound is not None:
            notes.append(f"{words} {_number(bound)}")
    for length, words in ((option.min_length, "at least"), (option.max_length, "at most")):
        if length is not None:
            notes.append(f"{words} {_number(length)} characters")
    if isinstance(option.default, bool):
        notes.append(f"default {'on' if option.default else 'off'}")
    elif option.default is not None:
        notes.append(f"default {option.default}")
    elif option.required and option.kind == "boolean":
        # The facade's rule for a required flag without a default (see _engine).
        notes.append(f"create sends on unless --no-{flag[2:]}")
    return f"Engine: {title}" + (f" ({'; '.join(notes)})" if notes else "") + "."


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
    undeclared = set().union(*(_flags_of(parameter.annotation) for parameter in own)) - RESERVED_FLAGS
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

    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty}
    return run


# -- the flags create and update share ---------------------------------------------------------------
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

    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty}
    return with_engine_flags(run, options)


# -- translators -----------------------------------------------------------------------------------
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
                shown_mode = "none" if mode is None else mode.value
                raise InvalidInputError(name, f"does not apply to --autoscaling {shown_mode}")

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
