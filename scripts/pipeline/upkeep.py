"""The logic of the weekly upkeep workflow (``.github/workflows/upstream.yml``), testable off GitHub.

Two steps, each writing files into a work folder and its outputs to ``$GITHUB_OUTPUT`` (``name=value``
lines; printed when that variable is not set):

``check``
    Reads the upstream once and keeps its bytes (``upstream.yaml``), so that the document compared is
    the document regenerated. Compares its contract with ``openapi.yaml`` as the drift check does and
    writes the report (``drift.md``, ``drift.json``). Outputs: ``drift`` (``true`` when the contract
    changed on the wire), ``label`` (``breaking`` or ``additive``), ``upstream-file``. Exit 0 whether or
    not it drifted; 2 when the upstream or the contract cannot be read (the workflow run fails, which
    notifies).

``pr``
    After ``nox -s regenerate`` and ``nox``: writes the pull request's body (``pr-body.md``: the drift
    report, the CHANGELOG.md entry regenerate wrote, what ``nox`` said) and outputs ``title``,
    ``label``, ``branch``, ``draft`` (``true`` unless ``nox`` passed) and ``body-path``. Refuses (exit 1)
    when CHANGELOG.md's newest entry is not the release of the upstream that was checked.

Command line::

    python scripts/pipeline/upkeep.py check [--upstream URL_OR_PATH] [--contract openapi.yaml] [--work .upkeep]
    python scripts/pipeline/upkeep.py pr [--work .upkeep] [--nox-outcome success|failure|...] [--run-url URL]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.pipeline import contract, release
from scripts.pipeline.contract import ContractFormatError
from scripts.pipeline.drift import Change, compare
from scripts.pipeline.extract import ExtractionError, build_surface
from scripts.pipeline.release import ReleaseError
from scripts.pipeline.upstream import UpstreamUnreadableError, read
from scripts.pipeline.versioning import current_version

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(".upkeep")
BRANCH = "upkeep/upstream-contract"
NOX_OUTCOMES = ("success", "failure", "cancelled", "skipped")
CHECK_OUTPUTS = ("drift", "label", "upstream-file")
PR_OUTPUTS = ("title", "label", "branch", "draft", "body-path")


class UpkeepError(RuntimeError):
    """Raised when the work folder or the project is not what the previous step left (the message says how)."""


# -- check ------------------------------------------------------------------------------------------
def check(source: str, *, contract_path: Path, work: Path) -> dict[str, str]:
    """Compare the upstream ``source`` with the pinned contract; write the report; return the outputs."""
    raw = read(source)
    pinned = contract.load(contract_path)
    fresh = build_surface(contract.loads(raw, source=source))
    changes = compare(contract.surface(pinned), fresh)
    work.mkdir(parents=True, exist_ok=True)
    upstream_file = work / "upstream.yaml"
    upstream_file.write_bytes(raw)
    sha256 = hashlib.sha256(raw).hexdigest()
    record = {
        "upstream": source,
        "sha256": sha256,
        "pinned_sha256": contract.pin(pinned).get("sha256", ""),
        "changes": [asdict(change) for change in changes],
    }
    (work / "drift.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (work / "drift.md").write_text(drift_report(changes, source=source, sha256=sha256), encoding="utf-8")
    return {"drift": "true" if changes else "false", "label": label(changes), "upstream-file": str(upstream_file)}


def label(changes: list[Change]) -> str:
    """``breaking`` when any change is, ``additive`` when all are, empty when there is none."""
    if not changes:
        return ""
    return "breaking" if any(change.breaking for change in changes) else "additive"


def drift_report(changes: list[Change], *, source: str, sha256: str) -> str:
    """What the drift check prints, with the upstream it read."""
    if not changes:
        return f"No drift: the contract of {source} (sha256 `{sha256}`) is the pinned one.\n"
    breaking = sum(change.breaking for change in changes)
    lines = "\n".join(change.line() for change in changes)
    return (
        f"The contract of {source} (sha256 `{sha256}`) differs from the pinned one:\n\n"
        f"```text\n{lines}\n```\n\n{len(changes)} contract change(s), {breaking} breaking.\n"
    )


# -- pr ---------------------------------------------------------------------------------------------
def pull_request(*, root: Path, work: Path, nox_outcome: str, run_url: str = "") -> dict[str, str]:
    """Write the pull request's body after regenerate and nox; return the outputs."""
    try:
        record: dict[str, Any] = json.loads((work / "drift.json").read_text(encoding="utf-8"))
        report = (work / "drift.md").read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise UpkeepError(f"the check step's report is missing or unreadable in {work}: {exc}") from exc
    changes = [Change(**change) for change in record["changes"]]
    if not changes:
        raise UpkeepError("the check step found no drift: there is nothing to propose")
    newest = release.entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))[0]
    version = current_version((root / "pyproject.toml").read_text(encoding="utf-8"))
    if newest.pin["sha256"] != record["sha256"] or newest.version != version:
        raise UpkeepError(
            f"CHANGELOG.md's newest entry ({newest.version}, upstream sha256 {newest.pin['sha256']}) is not the "
            f"release of the upstream checked (sha256 {record['sha256']}): did nox -s regenerate run?"
        )
    breaking = sum(change.breaking for change in changes)
    passed = nox_outcome == "success"
    title = (
        f"Upstream API contract: {breaking} breaking, {len(changes) - breaking} additive change(s): "
        f"{newest.level.name} release {newest.version}"
    )
    body = render_body(
        report=report,
        entry=newest.text,
        version=newest.version,
        level=newest.level.name,
        passed=passed,
        run_url=run_url,
    )
    body_path = work / "pr-body.md"
    body_path.write_text(body, encoding="utf-8")
    return {
        "title": title,
        "label": label(changes),
        "branch": BRANCH,
        "draft": "false" if passed else "true",
        "body-path": str(body_path),
    }


def render_body(*, report: str, entry: str, version: str, level: str, passed: bool, run_url: str) -> str:
    run = f" ([the run]({run_url}))" if run_url else ""
    if passed:
        checks = f"`nox` (tests, lint, typecheck, installed, api) passed on the regenerated SDK{run}."
    else:
        checks = (
            f"**`nox` failed on the regenerated SDK**{run}: this pull request stays a draft. Push the fixes of "
            "the hand-written layer to this branch (a break of the facade's public API needs a MAJOR: "
            "`nox -s api` finds it, `nox -s bump -- major` releases it)."
        )
    return (
        "## The upstream API contract changed\n\n"
        f"The weekly upkeep found drift and ran `nox -s regenerate`, which releases it as **{version}** ({level}).\n\n"
        f"### Drift report\n\n{report}\n"
        f"### CHANGELOG.md entry\n\n{_demoted(entry)}\n"
        f"### Checks\n\n{checks}\n\n"
        "### Review\n\n"
        "- Each BREAKING line is a change users' code may notice: check the facade and the docs name it.\n"
        "- Add bullets to the entry for anything users must change in their code; after merging, release "
        'the version (docs/upkeep.md, "The steps", 4 to 7).\n\n'
        "---\n"
        "Opened by `.github/workflows/upstream.yml` (`scripts/pipeline/upkeep.py`). A later run updates this pull "
        "request while it is open.\n"
    )


def _demoted(entry: str) -> str:
    """The entry with its ``## `` heading made a ``#### `` heading, below the body's own headings."""
    return entry.replace("## ", "#### ", 1) if entry.startswith("## ") else entry


# -- command line -----------------------------------------------------------------------------------
def write_outputs(outputs: dict[str, str], github_output: str | None) -> None:
    """``name=value`` lines appended to ``$GITHUB_OUTPUT`` (the workflow's step outputs), or printed."""
    for name, value in outputs.items():
        if "\n" in value:
            raise UpkeepError(f"output {name} must be one line")
    lines = "".join(f"{name}={value}\n" for name, value in outputs.items())
    if github_output:
        with open(github_output, "a", encoding="utf-8") as handle:
            handle.write(lines)
    else:
        print(lines, end="")


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description="The weekly upkeep workflow's steps.")
    steps = parse.add_subparsers(dest="step", required=True)
    check_step = steps.add_parser("check", help="compare the upstream with the pinned contract")
    check_step.add_argument("--upstream", default=contract.DEFAULT_UPSTREAM_URL, help="URL or file path")
    check_step.add_argument("--contract", type=Path, default=ROOT / "openapi.yaml", help="the pinned contract")
    check_step.add_argument("--work", type=Path, default=WORK, help="the folder for the report and the upstream")
    pr_step = steps.add_parser("pr", help="write the pull request's body after regenerate and nox")
    pr_step.add_argument("--work", type=Path, default=WORK, help="the check step's folder")
    pr_step.add_argument("--root", type=Path, default=ROOT, help="the regenerated project")
    pr_step.add_argument("--nox-outcome", choices=NOX_OUTCOMES, default="skipped", help="steps.<id>.outcome of nox")
    pr_step.add_argument("--run-url", default="", help="the workflow run's address, linked from the body")
    return parse


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    github_output = os.environ.get("GITHUB_OUTPUT")
    try:
        if args.step == "check":
            outputs = check(args.upstream, contract_path=args.contract, work=args.work)
            print((args.work / "drift.md").read_text(encoding="utf-8"))
        else:
            outputs = pull_request(root=args.root, work=args.work, nox_outcome=args.nox_outcome, run_url=args.run_url)
    except (UpstreamUnreadableError, ContractFormatError, ExtractionError) as exc:
        print(f"upkeep: cannot compare the upstream with the contract: {exc}", file=sys.stderr)
        return 2
    except (UpkeepError, ReleaseError) as exc:
        print(f"upkeep: {exc}", file=sys.stderr)
        return 1
    write_outputs(outputs, github_output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
