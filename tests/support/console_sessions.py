"""The terminal sessions of the docs: ```` ```console ```` blocks whose ``$`` lines run the command line.

Each block that runs ``friendli-dedicated`` is parsed into (command, shown output lines) steps:
``$ export ...`` sets variables, ``$ friendli-dedicated ...`` runs the command (a line ending in ``\\``
goes on on the next), ``$ echo $?`` shows the exit code of the command before it, which is otherwise 0,
and a command ending in ``> /dev/null`` shows only what it writes on stderr. ``run_sessions`` runs them
in order with typer's CliRunner; each output line must match the doc's, except for durations,
timestamps and the contract pin's sha256 and date, which the doc writes as ``...``.

>>> sessions("```console\\n$ friendli-dedicated contract\\nfoo\\n$ echo $?\\n0\\n```\\n")
[[('friendli-dedicated contract', ['foo']), ('echo $?', ['0'])]]
"""

from __future__ import annotations

import re
import shlex

from typer.testing import CliRunner

from friendli_dedicated.cli import _app

_DURATION = re.compile(r"\b(\d+h\d\dm|\d+m\d\ds|\d+s)\b")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
_RULE = re.compile(r"^[─-]+$")
_PIN = re.compile(r"upstream sha256 [0-9a-f]+, retrieved \d{4}-\d\d-\d\d")
_TO_NULL = " > /dev/null"

Step = tuple[str, list[str]]


def sessions(text: str) -> list[list[Step]]:
    """The (command, shown output lines) pairs of each ``console`` block that runs the CLI."""
    blocks = [b for b in re.findall(r"```console\n(.*?)```", text, re.DOTALL) if "$ friendli-dedicated " in b]
    assert blocks, "no ```console session that runs friendli-dedicated"
    found = []
    for block in blocks:
        steps: list[Step] = []
        continued = False
        for line in block.splitlines():
            if continued:  # the command's line ended in a backslash: this line goes on with it
                steps[-1] = (steps[-1][0] + " " + line.strip(), [])
            elif line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"output before the first command: {line!r}"
                steps[-1][1].append(line)
            continued = line.endswith("\\") and not steps[-1][1]
            if continued:
                steps[-1] = (steps[-1][0].removesuffix("\\").rstrip(), [])
        found.append(steps)
    return found


def normalized(lines: list[str]) -> list[str]:
    """Lines as compared: spaces collapsed, rules, durations, timestamps and the pin made alike."""
    result = []
    for line in lines:
        line = _PIN.sub("upstream sha256 ..., retrieved ...", " ".join(line.split()))
        if not line:
            continue
        if _RULE.match(line):
            line = "<rule>"
        result.append(_TIMESTAMP.sub("<time>", _DURATION.sub("<t>", line)))
    return result


def run_sessions(text: str, env: dict[str, str | None]) -> int:
    """Run every session of ``text`` in order (the CLI's client is the caller's to set up); each command's
    output must be what the doc shows, and its exit code 0 unless an ``echo $?`` shows another. ``env``
    is updated by ``export`` lines. Returns how many commands ran."""
    runner = CliRunner()
    ran = 0
    for steps in sessions(text):
        exit_codes: list[tuple[str, int]] = []  # each command's, until an `echo $?` shows it
        for command, shown in steps:
            words = shlex.split(command.removesuffix(_TO_NULL))
            if words[0] == "export":
                env.update(word.split("=", 1) for word in words[1:])  # type: ignore[misc]
                continue
            if words == ["echo", "$?"]:
                assert exit_codes, "`echo $?` before any command"
                assert shown == [str(exit_codes.pop()[1])], exit_codes
                continue
            assert words[0] == "friendli-dedicated", f"the session may only run the CLI: {command!r}"
            result = runner.invoke(_app.app, words[1:], env=dict(env), catch_exceptions=False)
            assert all(code == 0 for _, code in exit_codes), exit_codes  # shown by no `echo $?`: 0
            exit_codes = [(command, result.exit_code)]
            output = result.stderr if command.endswith(_TO_NULL) else result.output
            assert normalized(output.splitlines()) == normalized(shown), command
            ran += 1
        assert all(code == 0 for _, code in exit_codes), exit_codes
    return ran
