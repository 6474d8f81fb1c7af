"""Bring the SDK in step with an upstream document: contract, generated client, changelog, version.

1. Read the upstream (URL or file). If its bytes are the pinned ones (same sha256), the contract,
   CHANGELOG.md and the version are left exactly as they are.
2. Otherwise extract the new contract, compare it with the pinned one (the same comparison as the
   drift check), write ``openapi.yaml``, prepend a dated CHANGELOG.md entry listing every change, and
   move the package version to ``MAJOR.MINOR.<retrieval date>`` (``.N`` added for a second pin on the
   same day), with the pin in the distribution's summary.
3. Regenerate ``generated/friendli_dedicated_api`` from ``openapi.yaml`` (also when the contract is
   unchanged, so that a change of templates or generator configuration lands the same way).

Command line::

    python scripts/regenerate.py [--upstream URL_OR_PATH] [--url URL] [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import codegen, contract
from scripts.contract import ContractFormatError, Document
from scripts.drift import Change, compare
from scripts.extract import ExtractionError, extract, pin_url
from scripts.upstream import UpstreamUnreadableError, read

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG_TITLE = "# Changelog\n"
_VERSION_LINE = re.compile(r'^version = "(?P<version>[^"]+)"$', re.MULTILINE)
_DESCRIPTION_LINE = re.compile(r'^description = "[^"]*"$', re.MULTILINE)
SUMMARY = "Python SDK for Friendli Dedicated Endpoints"


class RegenerateError(RuntimeError):
    """Raised when the project files cannot be updated (the message names the file)."""


@dataclass
class Outcome:
    """What a regeneration did."""

    contract_changed: bool
    version: str
    changes: list[Change] = field(default_factory=list)


def regenerate(source: str, *, root: Path = ROOT, url: str | None = None, today: dt.date | None = None) -> Outcome:
    """Regenerate the project under ``root`` from the upstream ``source`` (URL or file path)."""
    raw = read(source)
    contract_path = root / "openapi.yaml"
    pinned = contract.load(contract_path) if contract_path.exists() else None
    pyproject = root / "pyproject.toml"
    version = current_version(pyproject.read_text(encoding="utf-8"))

    if pinned is not None and contract.pin(pinned).get("sha256") == hashlib.sha256(raw).hexdigest():
        codegen.generate(contract_path, root / "generated")
        return Outcome(contract_changed=False, version=version)

    retrieved = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    fresh = extract(raw, url=pin_url(source, url), retrieved=retrieved)
    changes = compare(contract.surface(pinned), contract.surface(fresh)) if pinned is not None else []
    new_version = next_version(version, retrieved)

    # Every new text is computed (and every check made) before the first write: nothing half-done.
    changelog = root / "CHANGELOG.md"
    pyproject_text = versioned(pyproject.read_text(encoding="utf-8"), new_version, fresh)
    changelog_text = with_entry(
        changelog.read_text(encoding="utf-8") if changelog.exists() else CHANGELOG_TITLE,
        changelog_entry(new_version, fresh, changes, initial=pinned is None),
    )
    contract.dump(fresh, contract_path)
    pyproject.write_text(pyproject_text, encoding="utf-8")
    changelog.write_text(changelog_text, encoding="utf-8")
    codegen.generate(contract_path, root / "generated")
    return Outcome(contract_changed=True, version=new_version, changes=changes)


def current_version(pyproject_text: str) -> str:
    match = _VERSION_LINE.search(pyproject_text)
    if match is None:
        raise RegenerateError('pyproject.toml has no `version = "..."` line in [project]')
    return match["version"]


def next_version(version: str, retrieved: str) -> str:
    """``MAJOR.MINOR`` kept, then the retrieval date; a second pin on one day adds ``.1``, ``.2`` ...

    >>> next_version("0.1.20261123", "2026-12-01")
    '0.1.20261201'
    >>> next_version("0.1.20261201", "2026-12-01")
    '0.1.20261201.1'
    """
    parts = version.split(".")
    if not 2 <= len(parts) <= 4 or not all(part.isdigit() for part in parts):
        raise RegenerateError(f"version {version!r} is not MAJOR.MINOR[.SPEC[.N]]")
    date = retrieved.replace("-", "")
    if len(parts) >= 3 and len(parts[2]) == len(date) and date < parts[2]:
        raise RegenerateError(f"retrieval date {retrieved} is before the pinned one in version {version}")
    if len(parts) >= 3 and parts[2] == date:
        serial = int(parts[3]) + 1 if len(parts) == 4 else 1
        return f"{parts[0]}.{parts[1]}.{date}.{serial}"
    return f"{parts[0]}.{parts[1]}.{date}"


def summary(document: Document) -> str:
    """The distribution's one-line summary, which carries the pin into the installed metadata."""
    pin = contract.pin(document)
    return (
        f"{SUMMARY} (API contract: upstream sha256 {pin['sha256']}, "
        f"surface sha256 {pin['surface_sha256']}, retrieved {pin['retrieved']})"
    )


def versioned(pyproject_text: str, version: str, document: Document) -> str:
    """pyproject.toml's text with the new version and the pin in the summary."""
    if _DESCRIPTION_LINE.search(pyproject_text) is None:
        raise RegenerateError('pyproject.toml has no `description = "..."` line in [project]')
    text = _VERSION_LINE.sub(f'version = "{version}"', pyproject_text, count=1)
    return _DESCRIPTION_LINE.sub(f'description = "{summary(document)}"', text, count=1)


def changelog_entry(version: str, document: Document, changes: list[Change], *, initial: bool) -> str:
    pin = contract.pin(document)
    lines = [
        f"## {version} - {pin['retrieved']}",
        "",
        f"API contract pinned to {pin['url']} (sha256 `{pin['sha256']}`, surface sha256 `{pin['surface_sha256']}`).",
        "",
    ]
    if initial:
        operations = sum(len(item) for item in document["paths"].values())
        schemas = len(document["components"].get("schemas", {}))
        options = len(document.get(contract.INSTANCE_OPTIONS_KEY) or [])
        lines.append(f"- First contract: {operations} operations, {schemas} schemas, {options} instance options.")
    elif changes:
        lines += [f"- {change.line()}" for change in changes]
    else:
        lines.append("- No contract change: the upstream changed outside the SDK's surface or in prose only.")
    return "\n".join(lines) + "\n"


def with_entry(changelog_text: str, entry: str) -> str:
    """CHANGELOG.md's text with ``entry`` below the title, newest first."""
    if not changelog_text.startswith(CHANGELOG_TITLE):
        raise RegenerateError(f"CHANGELOG.md does not start with {CHANGELOG_TITLE.strip()!r}")
    rest = changelog_text[len(CHANGELOG_TITLE) :].lstrip("\n")
    return f"{CHANGELOG_TITLE}\n{entry}" + (f"\n{rest}" if rest else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the contract, the client, CHANGELOG.md and the version.")
    parser.add_argument("--upstream", default=contract.DEFAULT_UPSTREAM_URL, help="URL or file path")
    parser.add_argument(
        "--url", help="the URL to record in the pin when --upstream is a file (default: the upstream URL)"
    )
    parser.add_argument("--date", type=dt.date.fromisoformat, help="retrieval date to record (default: today, UTC)")
    args = parser.parse_args(argv)
    try:
        outcome = regenerate(args.upstream, url=args.url, today=args.date)
    except (UpstreamUnreadableError, ContractFormatError, ExtractionError) as exc:
        print(f"regenerate: cannot use upstream {args.upstream}: {exc}", file=sys.stderr)
        return 2
    except (RegenerateError, codegen.CodegenError) as exc:
        print(f"regenerate: {exc}", file=sys.stderr)
        return 1
    if not outcome.contract_changed:
        print(f"upstream unchanged (same sha256): contract and version {outcome.version} kept; generated/ refreshed")
        return 0
    print(f"contract updated: version {outcome.version}, {len(outcome.changes)} change(s)")
    for change in outcome.changes:
        print(f"  {change.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
