"""Bring the SDK in step with an upstream document: contract, generated client, version, changelog.

1. Read the upstream (URL or file), extract its contract and compare it with the pinned one (the
   drift check's comparison).
2. No change on the wire (the pinned bytes again; prose, ``info``, operations outside the SDK's
   surface): nothing is released, and the pin is kept, so that a version always names the upstream
   document its contract was first extracted from, and a weekly re-pin of moving prose makes no release.
   The pinned bytes give another contract only when the extraction itself changed (the operations it
   selects, a normalisation): that is released, and the pin keeps the URL, sha256 and retrieval date
   of those bytes, with the new surface sha256.
3. A change: ``openapi.yaml`` is rewritten with the new pin, the version moves (MAJOR when any change
   is breaking, else MINOR; the first contract is a MAJOR), a CHANGELOG.md entry lists every change,
   ``docs/versions.md`` is rendered again, the summary in pyproject.toml names the new pin,
   ``generated/friendli_dedicated_api`` is regenerated, and the desired-state file's JSON Schema
   (``facade/friendli_dedicated/desired.schema.json``) is rendered from it again. The new client is
   generated before any file is written, so a failure leaves every file as it was.

When nothing is released, ``generated/`` is still checked against a fresh generation of the unchanged
``openapi.yaml`` and rewritten only if it differs: that happens only after a change of the templates or
the generator configuration, a change of the hand-written layer (release it with ``nox -s bump``).

Command line::

    python scripts/pipeline/regenerate.py [--upstream URL_OR_PATH] [--url URL] [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.pipeline import codegen, contract, desired_schema, release
from scripts.pipeline.contract import ContractFormatError
from scripts.pipeline.drift import Change, compare
from scripts.pipeline.extract import ExtractionError, extract, pin_url
from scripts.pipeline.release import ReleaseError
from scripts.pipeline.upstream import UpstreamUnreadableError, read
from scripts.pipeline.versioning import Level, Version, VersionError, current_version

ROOT = Path(__file__).resolve().parents[2]
SAME_BYTES = "same upstream bytes"
SAME_SURFACE = "the upstream changed only outside the SDK's surface or in prose"


class RegenerateError(RuntimeError):
    """Raised when the project files cannot be updated (the message names the file)."""


@dataclass
class Outcome:
    """What a regeneration did."""

    released: bool
    """A new version was written (contract, generated/, pyproject.toml, CHANGELOG.md, docs/versions.md)."""
    version: str
    """The version after the run (the old one when nothing was released)."""
    level: Level | None = None
    reason: str = ""
    """Why the version moved (the entry's "Release:" words), or why it did not."""
    changes: list[Change] = field(default_factory=list)
    generated_refreshed: bool = False
    """Nothing released, but generated/ differed from a fresh generation and was rewritten."""


def regenerate(source: str, *, root: Path = ROOT, url: str | None = None, today: dt.date | None = None) -> Outcome:
    """Regenerate the project under ``root`` from the upstream ``source`` (URL or file path)."""
    raw = read(source)
    contract_path = root / "openapi.yaml"
    pinned = contract.load(contract_path) if contract_path.exists() else None
    try:
        version = Version.parse(current_version((root / "pyproject.toml").read_text(encoding="utf-8")))
    except VersionError as exc:
        raise RegenerateError(f"pyproject.toml: {exc}") from exc

    old_pin = contract.pin(pinned) if pinned is not None else {}
    same_bytes = old_pin.get("sha256") == hashlib.sha256(raw).hexdigest()
    released_on = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    if same_bytes:
        # The bytes retrieved then: where and when they came from stands, only their contract may differ.
        fresh = extract(raw, url=old_pin.get("url") or pin_url(source, url), retrieved=old_pin.get("retrieved", ""))
    else:
        fresh = extract(raw, url=pin_url(source, url), retrieved=released_on)
    retrieved = contract.pin(fresh)["retrieved"]
    if pinned is None:
        changes: list[Change] = []
        level, reason, bullets = Level.MAJOR, release.FIRST_CONTRACT, [release.first_contract_bullet(fresh)]
    else:
        changes = compare(contract.surface(pinned), contract.surface(fresh))
        if not changes:
            return _unreleased(root, version, SAME_BYTES if same_bytes else SAME_SURFACE)
        pinned_date = old_pin.get("retrieved", "")
        if retrieved < pinned_date:
            raise RegenerateError(f"retrieval date {retrieved} is before the pinned one ({pinned_date})")
        breaking = any(change.breaking for change in changes)
        level = Level.MAJOR if breaking else Level.MINOR
        reason = release.BREAKING_CONTRACT if breaking else release.ADDITIVE_CONTRACT
        bullets = [change.line() for change in changes]

    new_version = version.bump(level)
    pin = contract.pin(fresh)
    entry = release.render_entry(new_version, released_on, level, reason, pin, bullets)
    # Every new text, and the new client, before the first write: a failure leaves the project as it was.
    try:
        texts = release.prepare(root, new_version, entry, pin)
    except ReleaseError as exc:
        raise RegenerateError(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="friendli-regenerate-") as tmp:
        staged_contract = Path(tmp) / "openapi.yaml"
        contract.dump(fresh, staged_contract)
        staged_package = codegen.generate(staged_contract, Path(tmp) / "generated")
        shutil.copyfile(staged_contract, contract_path)
        release.write(root, texts)
        _replace_tree(staged_package, root / "generated" / codegen.PACKAGE)
    desired_schema.write(root)  # the desired-state file's schema follows the new engine options and GPUs
    return Outcome(released=True, version=str(new_version), level=level, reason=reason, changes=changes)


def _unreleased(root: Path, version: Version, reason: str) -> Outcome:
    """No release; generated/ rewritten only if it is not what the unchanged contract generates."""
    refreshed = bool(codegen.stale_files(root / "openapi.yaml", root / "generated"))
    if refreshed:
        codegen.generate(root / "openapi.yaml", root / "generated")
    desired_schema.write(root)
    return Outcome(released=False, version=str(version), reason=reason, generated_refreshed=refreshed)


def _replace_tree(source: Path, destination: Path) -> None:
    if destination.exists():
        shutil.rmtree(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, destination)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the contract, the client, the version and the changelog.")
    parser.add_argument("--upstream", default=contract.DEFAULT_UPSTREAM_URL, help="URL or file path")
    parser.add_argument(
        "--url", help="the URL to record in the pin when --upstream is a file (default: the upstream URL)"
    )
    parser.add_argument("--date", type=dt.date.fromisoformat, help="retrieval date to record (default: today, UTC)")
    args = parser.parse_args(argv)
    try:
        outcome = regenerate(args.upstream, root=ROOT, url=args.url, today=args.date)
    except (UpstreamUnreadableError, ContractFormatError, ExtractionError) as exc:
        print(f"regenerate: cannot use upstream {args.upstream}: {exc}", file=sys.stderr)
        return 2
    except (RegenerateError, codegen.CodegenError) as exc:
        print(f"regenerate: {exc}", file=sys.stderr)
        return 1
    if not outcome.released:
        print(f"nothing to release ({outcome.reason}): contract, pin and version {outcome.version} kept")
        if outcome.generated_refreshed:
            print(
                "generated/ differed from a fresh generation of openapi.yaml and was rewritten: the templates or "
                "the generator configuration changed; release that with nox -s bump -- patch"
            )
        return 0
    assert outcome.level is not None
    print(f"version {outcome.version} ({outcome.level.name}: {outcome.reason}), {len(outcome.changes)} change(s)")
    for change in outcome.changes:
        print(f"  {change.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
