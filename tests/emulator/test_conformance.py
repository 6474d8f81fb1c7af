"""The emulator's HTTP server conforms to openapi.yaml: a small, fast run of scripts/harness/conformance.py.

schemathesis is a test dependency (the ``conformance`` group): when it is missing this test fails at
import, loudly; it is never skipped. The full run is ``python scripts/harness/conformance.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import schemathesis  # noqa: F401 (a test dependency: fail, do not skip, when it is missing)
import yaml

from scripts.harness import conformance

ROOT = Path(__file__).resolve().parents[2]


def _contract_operations() -> set[str]:
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if isinstance(spec, dict) and "operationId" in spec
    }


def test_emulator_conforms_to_the_contract() -> None:
    output = io.StringIO()
    outcome = conformance.run(max_examples=8, seed=conformance.DEFAULT_SEED, workers=1, stream=output)
    report = output.getvalue()

    assert outcome.failures == 0, report
    assert outcome.errors == 0, report
    assert outcome.exit_code == 0, report
    operations = _contract_operations()
    assert outcome.operations_selected == outcome.operations_tested == len(operations), report
    exercised = {label for label, count in outcome.cases_by_operation.items() if count > 0}
    assert operations <= exercised, f"never exercised: {sorted(operations - exercised)}\n{report}"
    assert outcome.test_cases >= len(operations), report
