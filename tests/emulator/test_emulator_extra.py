"""Without the ``emulator`` extra, the emulator says what to install (each case in a fresh interpreter
where ``sys.modules[name] = None`` makes that module impossible to import)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

INSTALL = 'pip install "friendli-dedicated[emulator]"'


def run_without(module: str, code: str) -> dict[str, object]:
    """Run ``code`` where ``module`` cannot be imported; it prints one JSON line, returned here."""
    prelude = f"import json, sys\nsys.modules[{module!r}] = None\n"
    result = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


CATCH = """
def caught(error):
    return {{"type": type(error).__name__, "name": error.name, "message": str(error),
             "cause": type(error.__cause__).__name__, "cause_name": getattr(error.__cause__, "name", None)}}
try:
{body}
except ImportError as error:
    print(json.dumps(caught(error)))
else:
    print(json.dumps({{"type": None}}))
"""


def test_importing_the_emulator_without_jsonschema_names_the_extra() -> None:
    outcome = run_without("jsonschema", CATCH.format(body="    import friendli_dedicated.emulator"))
    assert outcome["type"] == "ImportError"
    assert outcome["name"] == "jsonschema"
    assert INSTALL in str(outcome["message"])
    assert "'emulator' extra" in str(outcome["message"])
    assert (outcome["cause"], outcome["cause_name"]) == ("ModuleNotFoundError", "jsonschema")


def test_the_sdk_itself_never_needs_the_extra() -> None:
    code = "import friendli_dedicated as fd\nprint(json.dumps({'client': fd.Client.__name__}))"
    assert run_without("jsonschema", code) == {"client": "Client"}


@pytest.mark.parametrize("module", ["starlette", "uvicorn"])
def test_without_the_server_libraries_the_core_works_and_serve_names_the_extra(module: str) -> None:
    body = (
        "    from friendli_dedicated.emulator import Emulator, ManualClock\n"
        "    emulator = Emulator(clock=ManualClock())\n"
        "    with emulator.client() as client:\n"
        "        assert list(client.endpoints.list()) == []\n"
        "    emulator.serve()\n"
    )
    outcome = run_without(module, CATCH.format(body=body))
    assert outcome["type"] == "ImportError"
    assert outcome["name"] == module
    assert INSTALL in str(outcome["message"])
    assert outcome["cause"] == "ModuleNotFoundError"
