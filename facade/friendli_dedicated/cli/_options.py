"""The options the commands share, declared once: typer's ``Annotated`` aliases (``JsonOpt``, ...).

A command declares an option by its alias (``project: ProjectOpt``), so each flag, its help and its
default are written once, here; ``RESERVED_FLAGS`` lists them all, so that no generated engine flag
(``_engine_flags``) ever takes one. Nothing here restates what the contract knows: the GPU names in
the help come from ``fd.GPU`` and the examples of ``--instance`` from ``fd.InstanceOption``.

>>> "--json" in RESERVED_FLAGS, "--max-batch-size" in RESERVED_FLAGS
(True, False)
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Final, get_args

import typer
from typer.core import TyperCommand
from typer.models import OptionInfo

import friendli_dedicated as fd

__all__ = [
    "PROJECT_VARIABLE",
    "RESERVED_FLAGS",
    "AllProjectsOpt",
    "AutoscalingOpt",
    "CommentOpt",
    "CooldownOpt",
    "CountOpt",
    "EndpointArg",
    "EngineOptionOpt",
    "GpuOpt",
    "InstanceOpt",
    "JsonOpt",
    "MaxReplicasOpt",
    "MinReplicasOpt",
    "ModelOpt",
    "NameOpt",
    "NewModelOpt",
    "NewNameOpt",
    "ProjectFilterOpt",
    "ProjectOpt",
    "ReadableCommand",
    "ReplicasOpt",
    "RevisionOpt",
    "ScalingMode",
    "TimeoutOpt",
    "UnlistedInstanceOpt",
    "WaitOpt",
    "flags_of",
    "gpu_spellings",
    "instance_examples",
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
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds to wait before giving up (exit code 4).")]
PROJECT_VARIABLE: Final = "FRIENDLI_PROJECT"
"""The environment variable every ``--project`` reads when the option is not given."""
ProjectOpt = Annotated[
    str,
    typer.Option("--project", "-p", envvar=PROJECT_VARIABLE, help="Project id.", show_default=False),
]
ProjectFilterOpt = Annotated[
    str | None,
    typer.Option(
        "--project",
        "-p",
        envvar=PROJECT_VARIABLE,
        help="Only this project's endpoints (neither this nor the variable: the whole team's).",
        show_default=False,
    ),
]
AllProjectsOpt = Annotated[
    bool,
    typer.Option("--all-projects", "-A", help="Every project of the team, even with FRIENDLI_PROJECT set."),
]
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


def flags_of(annotation: object) -> set[str]:
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


RESERVED_FLAGS: Final[frozenset[str]] = frozenset(
    {"--help", "-h"}.union(*(flags_of(option) for option in _COMMAND_OPTIONS))
)
"""The flags of create and update that are not engine options: an engine option never takes one."""


# -- how commands show their arguments -------------------------------------------------------------
def _argument_name(argument: Any) -> str:
    """``ENDPOINT_ID``, ``ENDPOINT_ID...`` for several: the metavar (or name) and nothing else."""
    name = str(argument.metavar or (argument.name or "").upper()).removesuffix("...")
    return f"{name}..." if argument.nargs != 1 else name  # several: the man pages' dots


class ReadableCommand(TyperCommand):
    """A command whose usage and help show its arguments as the man pages do: ``ENDPOINT_ID...``.

    typer shows a required argument in braces and, from 0.29, one that takes several with its Python
    type and dots twice (``{ENDPOINT_ID...}...``, ``<list[str]>``); these are drawn here instead,
    the same with every typer the CLI supports. ``_app`` makes it every command's class.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument" and not getattr(param, "hidden", False):
                help_text = getattr(param, "help", None) or ""
                arguments.append((_argument_name(param), f"{help_text}  [required]" if param.required else help_text))
            elif param.param_type_name == "option" and (record := param.get_help_record(ctx)) is not None:
                options.append(record)
        for title, records in (("Arguments", arguments), ("Options", options)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)
