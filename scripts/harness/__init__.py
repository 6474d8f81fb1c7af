"""Harnesses: programs that exercise the installed SDK (benchmarks, loads, fuzzers, hostile servers, checks).

None of them is part of the SDK, and none is a test: the test suite imports a few of them to run
them on a small budget, and the nox sessions run them at full size.

- ``bench``: benchmarks as ratios against same-run baselines; writes BENCHMARKS.md (``nox -s bench``).
- ``load``: a fleet created and awaited in one project on the loopback emulator.
- ``chaos``: endpoint lifecycles under injected faults (``nox -s chaos``).
- ``conformance``: schemathesis against the emulator (``nox -s conformance``).
- ``hostile``: hostile HTTP servers, and how far past its deadline a wait returns.
- ``fuzz_inputs``: the input rule, fuzzed over every public callable.
- ``emulator_memory``: the emulator's peak memory under oversized requests.
- ``check_installed``: what ``nox -s installed`` runs in each fresh environment.
- ``typecheck_examples``: mypy --strict over the documentation's examples.
"""
