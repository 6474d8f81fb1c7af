"""Check the emulator's HTTP server against the API contract (openapi.yaml) with schemathesis.

Starts ``Emulator(...).serve()`` in this process on 127.0.0.1 (a free port), runs the schemathesis
CLI against it (every operation of the contract, ``--checks all``, the examples, coverage, fuzzing
and stateful phases, a fixed seed), prints schemathesis's own report, then one last line with the
number of test cases that ran and the number of failures. Exits 0 only when there are none.

    PYTHONPATH=facade:generated python scripts/harness/conformance.py [--max-examples N] [--seed S] [--workers 1]

The schema given to schemathesis is openapi.yaml plus OpenAPI links, and the error answers the emulator
documents for the inference operations of an endpoint that does not serve (see ``contract_with_links``).
What is configured away, and why, is in ``schemathesis_config``, one comment per exclusion: only
checks that cannot apply to this API by design. When the emulator breaks the contract, the emulator
is fixed. Needs the ``conformance`` dependency group (schemathesis) and pyyaml.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "openapi.yaml"
if importlib.util.find_spec("friendli_dedicated") is None:  # not installed: use the source tree
    sys.path[:0] = [str(ROOT / "facade"), str(ROOT / "generated")]

from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator


class _QuietProbe(logging.Filter):
    """Drops uvicorn's warning about schemathesis's NUL-in-header probe (rightly refused by h11)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Invalid HTTP request received" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietProbe())

__all__ = ["Outcome", "main", "run", "schemathesis_config"]

PHASES = ("examples", "coverage", "fuzzing", "stateful")
WANDB_CREATE = "dedicatedEndpointWandbArtifactCreate"
INFERENCE = (
    "dedicatedChatComplete",
    "dedicatedCompletionsComplete",
    "dedicatedTokenization",
    "dedicatedDetokenization",
)
BEYOND_SCHEMA = (
    "dedicatedCreateEndpoint",
    "dedicatedUpdateEndpoint",
    WANDB_CREATE,
    "dedicatedListEndpoints",
    "dedicatedGetEndpointVersionHistory",
    *INFERENCE,
    "getCost",
)
STATE_DEPENDENT = ("dedicatedSleepEndpoint", "dedicatedWakeEndpoint", "dedicatedRestartEndpoint")
POSITIVE_STATUSES = ("2xx", "3xx", "401", "403", "404", "409", "429", "5xx")  # schemathesis's default
DEFAULT_MAX_EXAMPLES = 200  # about 40 s on 2 cores
DEFAULT_SEED = 20260101
DEFAULT_TIME_SCALE = 0.001  # a deployment takes 90 ms, so the stateful phase sees endpoints RUNNING


@attrs.frozen
class Outcome:
    """What a run did: schemathesis's exit code, its counts, and the test cases per operation."""

    exit_code: int
    test_cases: int
    failures: int
    errors: int
    operations_selected: int
    operations_tested: int
    cases_by_operation: dict[str, int]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.failures == 0 and self.errors == 0

    def summary(self) -> str:
        return (
            f"conformance: {self.operations_tested}/{self.operations_selected} operations, "
            f"{self.test_cases} test cases, {self.failures} failures, {self.errors} errors, {self.seconds:.1f}s"
        )


def _toml(value: Any) -> str:
    """A TOML value for the few shapes used here (JSON strings are valid TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(key)} = {_toml(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def schemathesis_config(emulator: Emulator, serving: str) -> str:
    """The schemathesis.toml of the run: authentication, test data that can exist, and exclusions.

    ``serving`` is the id of an endpoint that is RUNNING: the inference operations' ``model``.
    """
    options = emulator.contract.instance_options
    option_ids = [option_id for option_id, _, _ in options]
    gpus = sorted({gpu for _, gpu, _ in options})
    counts = sorted({count for _, _, count in options})
    lines = [
        # The emulator's token for the contract's one security scheme (bearer "token").
        "[auth.openapi.token]",
        f"bearer = {_toml(DEFAULT_TOKEN)}",
        "",
        "[generation]",
        # Excluded: mutating Authorization; a tokenless request gets 401 (by design), which the contract omits.
        "with-security-parameters = false",  # (ignored_auth still checks that 401)
        "",
        "[parameters]",
        # Excluded: arbitrary teams; acting for a team the token is not in is 403 (by design); the contract omits 403.
        f'"header.X-Friendli-Team" = {_toml(DEFAULT_TEAM)}',
        # Positive data that can exist: x-instance-options ids, their GPU types and counts (negative data is unchanged).
        f'"body.instanceOptionId" = {_toml({"dictionary": "instance-option-ids"})}',
        f'"body.accelerator.type" = {_toml({"dictionary": "gpu-types"})}',
        f'"body.accelerator.count" = {_toml({"dictionary": "gpu-counts"})}',
        # The inference operations' model: an endpoint that serves (any other is 404, which the contract omits).
        f'"body.model" = {_toml(serving)}',
        # Positive data that can exist: a week of cost, between midnights UTC (the emulator's clock is the real one).
        f'"query.start_time" = {_toml(_midnight(emulator, days_ago=7))}',
        f'"query.end_time" = {_toml(_midnight(emulator, days_ago=0))}',
        # Excluded: streamed answers (text/event-stream); upstream documents them on a "#stream" twin of the
        # path, which the contract leaves out, so the contract lists JSON only (tests/emulator/ check streams).
        '"body.stream" = false',
        "",
        "[dictionaries.instance-option-ids]",
        f"values = {_toml(option_ids)}",
        "[dictionaries.gpu-types]",
        f"values = {_toml(gpus)}",
        "[dictionaries.gpu-counts]",
        f"values = {_toml(counts)}",
        "",
        # Excluded: positive_data_acceptance's 400/422 where inputs are checked beyond the schema (option exists,
        # simplescale xor autoscalingPolicy, minReplica <= maxReplica, idempotencyKey needs projectId, cursor issued;
        # max_tokens >= 1, 1 to 16 choices, token ids 0-255; cost dates at midnight within a year, page issued).
        # (As expected statuses: `enabled = false` per operation would lose to `--checks all`.)
        "[[operations]]",
        f"include-operation-id = {_toml(list(BEYOND_SCHEMA))}",
        f"checks.positive_data_acceptance.expected-statuses = {_toml([*POSITIVE_STATUSES, '400', '422'])}",
        "",
        # Excluded: positive_data_acceptance's 400 for actions the endpoint's state forbids (wake a TERMINATED one).
        "[[operations]]",
        f"include-operation-id = {_toml(list(STATE_DEPENDENT))}",
        f"checks.positive_data_acceptance.expected-statuses = {_toml([*POSITIVE_STATUSES, '400'])}",
    ]
    return "\n".join(lines) + "\n"


# What the emulator answers an inference request for an endpoint that does not serve (docs/emulator.md):
# upstream documents only 200 and 422 for these operations, and the coverage phase's boundary values
# (``"model": ""``) are not the configured endpoint.
NOT_SERVING = {
    "400": "Bad Request",  # SLEEPING (not scaling to zero), FAILED, TERMINATING, TERMINATED
    "404": "Not Found",  # no such endpoint for the team
    "503": "Service Unavailable",  # INITIALIZING, UPDATING, AWAKING, or woken from zero
}
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


def contract_with_links(contract: Path = CONTRACT) -> dict[str, Any]:
    """openapi.yaml plus OpenAPI links from the W&B create's ``endpointId`` to every operation on
    ``{endpoint_id}``, so the stateful phase can chain calls on endpoints it created (the contract
    has no links, and the plain create returns no id). Links change no schema and no status.

    The inference operations also get the emulator's documented answers for an endpoint that does not
    serve (``NOT_SERVING``, each a ``{"detail": string}``), which upstream leaves out: schemathesis then
    checks their shape instead of flagging them."""
    import yaml

    document: dict[str, Any] = yaml.safe_load(contract.read_text(encoding="utf-8"))
    for item in document["paths"].values():
        spec = item.get("post") or {}
        if spec.get("operationId") in INFERENCE:
            for code, reason in NOT_SERVING.items():
                spec["responses"].setdefault(
                    code, {"description": reason, "content": {"application/json": {"schema": _DETAIL}}}
                )
    targets = [
        spec["operationId"]
        for path, item in document["paths"].items()
        if "{endpoint_id}" in path
        for method, spec in item.items()
        if isinstance(spec, dict) and "operationId" in spec
    ]
    for item in document["paths"].values():
        spec = item.get("post") or {}
        if spec.get("operationId") == WANDB_CREATE:
            spec["responses"]["200"]["links"] = {
                target: {"operationId": target, "parameters": {"endpoint_id": "$response.body#/endpointId"}}
                for target in targets
            }
    return document


def _midnight(emulator: Emulator, *, days_ago: int) -> str:
    today = dt.datetime.fromtimestamp(emulator.clock(), dt.UTC).date()
    return f"{today - dt.timedelta(days=days_ago)}T00:00:00Z"


def _serving_endpoint(emulator: Emulator) -> str:
    """An endpoint of the run's team, RUNNING (a fixed replica: it never sleeps), for the inference operations."""
    with emulator.client() as client:
        endpoint = client.endpoints.create(
            "conformance", "serving", "org/model", emulator.contract.instance_options[0][0]
        )
        return endpoint.wait_until_running(timeout=60).id


def _cases_by_operation(ndjson: Path) -> Counter[str]:
    """Test cases per operation label, from schemathesis's NDJSON event stream."""
    cases: Counter[str] = Counter()
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        for case in (finished.get("recorder") or {}).get("cases", {}).values():
            value = case.get("value", {})
            cases[f"{value.get('method', '?')} {value.get('path', '?')}"] += 1
    return cases


def run(
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    max_time: float | None = None,
    phases: Sequence[str] = PHASES,
    time_scale: float = DEFAULT_TIME_SCALE,
    extra_args: Sequence[str] = (),
    report_dir: Path | None = None,
    stream: Any = None,
) -> Outcome:
    """Serve a fresh emulator, run schemathesis against it, and return what happened.

    schemathesis's output goes to ``stream`` (default: this process's stdout); its reports (JSON,
    NDJSON events) go to ``report_dir`` if given, else to a temporary directory removed afterwards.
    """
    out = sys.stdout if stream is None else stream
    emulator = Emulator(time_scale=time_scale, seed=seed)
    started = time.monotonic()
    serving = _serving_endpoint(emulator)
    with tempfile.TemporaryDirectory(prefix="conformance-") as scratch:
        work = Path(scratch) if report_dir is None else Path(report_dir)
        work.mkdir(parents=True, exist_ok=True)
        config = work / "schemathesis.toml"
        config.write_text(schemathesis_config(emulator, serving), encoding="utf-8")
        schema = work / "openapi-with-links.json"
        schema.write_text(json.dumps(contract_with_links(), indent=1), encoding="utf-8")
        json_report, ndjson_report = work / "report.json", work / "events.ndjson"
        with emulator.serve(host="127.0.0.1", port=0) as base_url:
            command = [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(config),
                "run",
                str(schema),
                "--url",
                base_url,
                "--checks",
                "all",
                "--phases",
                ",".join(phases),
                "--max-examples",
                str(max_examples),
                "--seed",
                str(seed),
                "--generation-database",
                "none",
                "--workers",
                str(workers),
                "--no-color",
                "--report",
                "json,ndjson",
                "--report-dir",
                str(work),
                "--report-json-path",
                str(json_report),
                "--report-ndjson-path",
                str(ndjson_report),
                *(["--max-time", f"{max_time:g}"] if max_time else []),
                *extra_args,
            ]
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=scratch
            )
            assert process.stdout is not None
            for line in process.stdout:
                out.write(line)
            exit_code = process.wait()
        seconds = time.monotonic() - started
        if not json_report.exists():
            return Outcome(exit_code or 1, 0, 0, 1, 0, 0, {}, seconds)
        report = json.loads(json_report.read_text(encoding="utf-8"))
        by_operation = dict(_cases_by_operation(ndjson_report)) if ndjson_report.exists() else {}
    test_cases = report["test_cases"]
    return Outcome(
        exit_code=exit_code,
        test_cases=int(test_cases["generated"]),
        failures=max(int(test_cases["unique_failures"]), sum(int(f.get("count", 0)) for f in report["failures"])),
        errors=int(test_cases["errored"]) + int(report["operations"]["errored"]),
        operations_selected=int(report["operations"]["selected"]),
        operations_tested=int(report["operations"]["tested"]),
        cases_by_operation=by_operation,
        seconds=seconds,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Check the emulator's HTTP server against openapi.yaml.")
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES, help="test cases per operation")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="schemathesis and emulator seed")
    parser.add_argument("--workers", type=int, default=1, help="schemathesis workers (default 1)")
    parser.add_argument("--max-time", type=float, default=None, help="time budget of the run, in seconds")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated schemathesis phases")
    parser.add_argument("--time-scale", type=float, default=DEFAULT_TIME_SCALE, help="the emulator's time scale")
    parser.add_argument("--report-dir", type=Path, default=None, help="keep schemathesis's reports here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    outcome = run(
        max_examples=args.max_examples,
        seed=args.seed,
        workers=args.workers,
        max_time=args.max_time,
        phases=[phase.strip() for phase in args.phases.split(",") if phase.strip()],
        time_scale=args.time_scale,
        report_dir=args.report_dir,
    )
    print(outcome.summary(), flush=True)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
