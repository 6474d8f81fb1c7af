"""One rule for bad input, over every public callable: refused with InvalidInputError (or
ConfigurationError for a client's configuration) naming the field, before any request; never any
other exception. The fuzz itself is ``scripts/harness/fuzz_inputs.py`` (run it for a much larger budget).
"""

from __future__ import annotations

import inspect

import pytest

import friendli_dedicated as fd
from scripts.harness import fuzz_inputs

EXAMPLES = 60


@pytest.mark.parametrize("target", fuzz_inputs.TARGETS, ids=[t.name for t in fuzz_inputs.TARGETS])
def test_every_public_callable_keeps_the_input_rule(target: fuzz_inputs.Target) -> None:
    tally = fuzz_inputs.Tally()
    fuzz_inputs._fuzz_one(target, EXAMPLES, tally)
    assert tally.findings == []
    assert tally.sent_before_refusal == 0
    assert tally.calls >= (1 if not target.params else EXAMPLES // 2)  # no parameters: one example


def test_the_fuzz_reaches_every_method_of_the_resources_and_handles() -> None:
    names = {target.name for target in fuzz_inputs.TARGETS}
    for method in (name for name in dir(fd.Endpoints) if not name.startswith("_")):
        assert f"endpoints.{method}" in names
        assert f"async endpoints.{method}" in names
    for method in ("wait_until_running", "update", "rollout", "sleep", "wake", "terminate", "restart", "delete"):
        assert f"Endpoint.{method}" in names


def test_the_fuzz_reports_what_breaks_the_rule() -> None:
    """Guards the test above: a callable that raises TypeError, or refuses after sending, is caught."""

    def sloppy(client: fd.Client, _async: fd.AsyncClient) -> object:
        def call(**kwargs: object) -> None:
            client.endpoints.status("ep-1")  # a request...
            raise fd.InvalidInputError("x", "refused too late")  # ...then a refusal

        return call

    def crashing(client: fd.Client, _async: fd.AsyncClient) -> object:
        def call(**kwargs: object) -> None:
            raise TypeError("unsupported operand")

        return call

    tally = fuzz_inputs.Tally()
    fuzz_inputs.run_target(fuzz_inputs.Target("sloppy", sloppy, ()), {}, tally)
    fuzz_inputs.run_target(fuzz_inputs.Target("crashing", crashing, ()), {}, tally)
    assert tally.sent_before_refusal == 1
    assert len(tally.findings) == 2
    assert "TypeError" in tally.findings[1]


def test_wrong_types_are_invalid_input_not_type_errors() -> None:
    """The choice the error tree documents, spot-checked where a TypeError would be natural."""
    with fd.Client(token="t") as client:
        cases = [
            lambda: client.endpoints.status(42),  # type: ignore[arg-type]
            lambda: client.endpoints.wait_until_running("ep-1", poll=5),  # type: ignore[arg-type]
            lambda: client.endpoints.wait_until_running("ep-1", on_progress="print"),  # type: ignore[arg-type]
            lambda: fd.Autoscaling(min_replicas="1"),  # type: ignore[arg-type]
            lambda: fd.InstanceOption.parse(b"2x H100"),  # type: ignore[arg-type]
            lambda: fd.RetryPolicy(backoff=1.0),  # type: ignore[arg-type]
        ]
        for case in cases:
            with pytest.raises(fd.InvalidInputError) as refused:
                case()
            assert refused.value.field
    assert "InvalidInputError" in inspect.getdoc(fd.errors)  # type: ignore[operator]
