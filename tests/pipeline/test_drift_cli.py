"""scripts/pipeline/drift.py command line: exit 0 (no drift), 1 (drift), 2 (unreadable or invalid), and --json.

The pinned contract is extracted, in the test, from a small upstream-like document
(``upstream_factory.small_upstream``); one test runs against the committed openapi.yaml, the
default. Upstreams given as URLs are served on loopback (127.0.0.1, an ephemeral port) by a thread
in the test; nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from upstream_factory import dump, small_upstream

from scripts.pipeline import contract, drift, extract

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


class Loopback:
    """An HTTP server on 127.0.0.1 serving ``routes``: path -> (status, content type, body); else 404."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, content_type, body = routes.get(self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, *, status: int = 200, content_type: str = "application/yaml") -> str:
        self.routes[path] = (status, content_type, body)
        return self.url(path)


@pytest.fixture(scope="module")
def loopback() -> Iterator[Loopback]:
    server = Loopback()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy variables: loopback requests must go straight to the loopback server."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def pinned_file(tmp_path: Path) -> Path:
    """The contract extracted from the small upstream, as `regenerate` would pin it."""
    upstream = tmp_path / "pinned-upstream.yaml"
    upstream.write_bytes(dump(small_upstream()))
    path = tmp_path / "openapi.yaml"
    path.write_text(contract.dumps(extract.extract(upstream.read_bytes(), retrieved="2026-01-01")), encoding="utf-8")
    return path


@pytest.fixture
def same_surface(tmp_path: Path) -> Path:
    """An upstream file whose surface is the pinned one (other bytes: reworded prose)."""
    upstream = small_upstream()
    upstream["info"]["description"] = "Reworded."
    upstream["paths"]["/things/{thing_id}"]["get"]["summary"] = "Reworded."
    path = tmp_path / "upstream.yaml"
    path.write_bytes(dump(upstream))
    return path


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """An upstream file with one additive and one breaking change in the surface."""
    upstream = small_upstream()
    upstream["components"]["schemas"]["ThingStatus"]["enum"].append("PAUSED")
    del upstream["paths"]["/things/{thing_id}"]["delete"]
    path = tmp_path / "drifted.yaml"
    path.write_bytes(dump(upstream))
    return path


EXPECTED_DRIFT = [
    {"location": "DELETE /things/{thing_id}", "change": "operation removed", "breaking": True},
    {"location": "components.schemas.ThingStatus", "change": "enum value 'PAUSED' added", "breaking": False},
]


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str], pinned_file: Path) -> Callable[..., tuple[int, str, str]]:
    """``run_main(*argv)``: drift.main against the small pinned contract; (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = drift.main(["--contract", str(pinned_file), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


# -- exit 0 and 1, files ------------------------------------------------------------------------------
def test_same_surface_exits_0(same_surface, run_main):
    code, out, err = run_main("--upstream", str(same_surface))
    assert code == 0
    assert out.startswith("no drift: the upstream's surface matches openapi.yaml")
    assert "differs only outside the surface or in prose" in out
    assert err == ""


def test_same_surface_json_is_an_empty_list(same_surface, run_main):
    code, out, _ = run_main("--upstream", str(same_surface), "--json")
    assert code == 0
    assert json.loads(out) == []


def test_same_bytes_say_so(tmp_path, capsys, run_main):
    """When the upstream's bytes are the pinned ones, the message says so."""
    raw = dump(small_upstream())
    upstream = tmp_path / "upstream.yaml"
    upstream.write_bytes(raw)
    pinned = tmp_path / "openapi.yaml"
    assert extract.main(["--upstream", str(upstream), "--output", str(pinned)]) == 0
    capsys.readouterr()
    code, out, _ = run_main("--upstream", str(upstream), "--contract", str(pinned))
    assert code == 0
    assert "(same upstream bytes)" in out


def test_drift_exits_1_and_prints_each_change(drifted, run_main):
    code, out, _ = run_main("--upstream", str(drifted))
    assert code == 1
    lines = out.splitlines()
    assert lines[:2] == [
        "BREAKING  DELETE /things/{thing_id}: operation removed",
        "additive  components.schemas.ThingStatus: enum value 'PAUSED' added",
    ]
    assert "2 contract change(s), 1 breaking." in lines
    assert f"To bring the SDK in step: nox -s regenerate -- --upstream {drifted}" in lines


def test_drift_json_shape(drifted, run_main):
    code, out, _ = run_main("--upstream", str(drifted), "--json")
    assert code == 1
    changes = json.loads(out)
    assert changes == EXPECTED_DRIFT
    for change in changes:
        assert set(change) == {"location", "change", "breaking"}
        assert isinstance(change["location"], str)
        assert isinstance(change["change"], str)
        assert isinstance(change["breaking"], bool)


# -- URLs on loopback -----------------------------------------------------------------------------
def test_url_upstream_without_drift_exits_0(loopback, same_surface, run_main):
    url = loopback.serve("/same/openapi.yaml", same_surface.read_bytes())
    code, out, _ = run_main("--upstream", url, "--json")
    assert (code, json.loads(out)) == (0, [])


def test_url_upstream_with_drift_exits_1(loopback, drifted, run_main):
    url = loopback.serve("/drifted/openapi.yaml", drifted.read_bytes())
    code, out, _ = run_main("--upstream", url, "--json")
    assert (code, json.loads(out)) == (1, EXPECTED_DRIFT)


def test_url_404_exits_2(loopback, run_main):
    url = loopback.url("/missing/openapi.yaml")
    code, out, err = run_main("--upstream", url)
    assert code == 2
    assert out == ""
    assert err == f"drift: cannot use upstream {url}: cannot fetch upstream {url}: HTTP 404\n"


def test_refused_connection_exits_2(run_main):
    """A port bound on loopback with nobody listening: the connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/openapi.yaml"
        code, out, err = run_main("--upstream", url)
    assert code == 2
    assert out == ""
    assert err.startswith(f"drift: cannot use upstream {url}: cannot fetch upstream {url}: ConnectError")
    assert err.count("\n") == 1


def test_html_page_at_url_exits_2(loopback, run_main):
    html = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><p>Hello</p></body></html>\n"
    url = loopback.serve("/login", html, content_type="text/html")
    code, _, err = run_main("--upstream", url)
    assert code == 2
    assert err.startswith(f"drift: cannot use upstream {url}: ")
    assert "not an OpenAPI document" in err or "not valid YAML" in err
    assert err.count("\n") == 1


# -- unreadable files -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.yaml", None, "cannot read upstream file"),
        ("page.html", b"<!DOCTYPE html>\n<html><body><h1>404: Not Found</h1></body></html>\n", ""),
        ("other.yaml", b"name: not-openapi\nversion: 1\nitems: [1, 2]\n", "is not an OpenAPI document"),
        ("broken.yaml", b"openapi: 3.1.0\npaths: {\n", "is not valid YAML or JSON"),
        ("untagged.yaml", b"openapi: 3.1.0\npaths:\n  /x:\n    get:\n      tags: [Other]\n", "no operation is tagged"),
    ],
)
def test_unusable_upstream_file_exits_2(tmp_path, run_main, name, content, reason):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run_main("--upstream", str(path), "--json")
    assert code == 2
    assert out == ""
    assert err.startswith(f"drift: cannot use upstream {path}: ")
    assert reason in err
    assert err.count("\n") == 1


def test_unreadable_pinned_contract_exits_2(same_surface, tmp_path, run_main):
    missing = tmp_path / "nope.yaml"
    code, _, err = run_main("--upstream", str(same_surface), "--contract", str(missing))
    assert code == 2
    assert err.startswith(f"drift: cannot read the pinned contract {missing}: ")


# -- the real command line ------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    return {**env, "NO_PROXY": "127.0.0.1,localhost"}


def test_command_line_exit_codes(root, pinned_file, same_surface, drifted, loopback):
    """`python scripts/pipeline/drift.py` as a maintainer runs it: 0, 1 with JSON on stdout, 2."""

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "scripts/pipeline/drift.py", "--contract", str(pinned_file), *argv],
            cwd=root,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    same = run("--upstream", str(same_surface))
    assert same.returncode == 0, same.stderr
    assert same.stdout.startswith("no drift")

    url = loopback.serve("/cli/drifted.yaml", drifted.read_bytes())
    changed = run("--upstream", url, "--json")
    assert changed.returncode == 1, changed.stderr
    assert json.loads(changed.stdout) == EXPECTED_DRIFT

    broken = run("--upstream", loopback.url("/cli/absent.yaml"))
    assert broken.returncode == 2
    assert broken.stderr.strip().endswith("HTTP 404")


def test_invalid_extraction_exits_2_in_one_line(tmp_path, run_main):
    """An upstream whose extraction is not valid OpenAPI 3.1 (here a Swagger 2 body parameter)."""
    upstream = small_upstream()
    upstream["paths"]["/things/{thing_id}"]["get"]["parameters"].append({"name": "b", "in": "body", "schema": {}})
    path = tmp_path / "invalid.yaml"
    path.write_bytes(dump(upstream))
    code, out, err = run_main("--upstream", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"drift: cannot use upstream {path}: not valid OpenAPI 3.1: ")
    assert err.endswith("(at paths./things/{thing_id}.get.parameters.1.in)\n")
    assert err.count("\n") == 1


def test_committed_contract_is_the_default(tmp_path, make_upstream, capsys):
    """Without --contract, the committed openapi.yaml is compared (an upstream built around it: no drift)."""
    path = tmp_path / "upstream.yaml"
    path.write_bytes(dump(make_upstream()))
    assert drift.main(["--upstream", str(path)]) == 0
    assert capsys.readouterr().out.startswith("no drift: the upstream's surface matches openapi.yaml")


def test_pinned_contract_default_is_the_committed_one(root):
    assert root / "openapi.yaml" == drift.ROOT / "openapi.yaml"
    assert contract.load(drift.ROOT / "openapi.yaml")["openapi"] == "3.1.0"
