"""scripts/drift.py command line: exit 0 (no drift), 1 (drift), 2 (unreadable), and the --json shape.

Upstreams given as URLs are served on loopback (127.0.0.1, an ephemeral port) by a thread in the
test; nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from upstream_factory import dump

from scripts import contract, drift, extract

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
def same_surface(make_upstream, tmp_path: Path) -> Path:
    """An upstream file whose surface is the pinned one (other bytes: more prose, other tags)."""
    path = tmp_path / "upstream.yaml"
    path.write_bytes(dump(make_upstream()))
    return path


@pytest.fixture
def drifted(pinned, make_upstream, tmp_path: Path) -> Path:
    """An upstream file with one additive and one breaking change in the surface."""
    upstream = make_upstream()
    upstream["components"]["schemas"]["InferenceDeploymentStatus"]["enum"].append("SCALING")
    del upstream["paths"]["/dedicated/beta/endpoint/{endpoint_id}/restart"]
    path = tmp_path / "drifted.yaml"
    path.write_bytes(dump(upstream))
    return path


EXPECTED_DRIFT = [
    {
        "location": "PUT /dedicated/beta/endpoint/{endpoint_id}/restart",
        "change": "operation removed",
        "breaking": True,
    },
    {
        "location": "components.schemas.InferenceDeploymentStatus",
        "change": "enum value 'SCALING' added",
        "breaking": False,
    },
]


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = drift.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- exit 0 and 1, files ------------------------------------------------------------------------------
def test_same_surface_exits_0(same_surface, capsys):
    code, out, err = run_main(capsys, "--upstream", str(same_surface))
    assert code == 0
    assert out.startswith("no drift: the upstream's surface matches openapi.yaml")
    assert "differs only outside the surface or in prose" in out
    assert err == ""


def test_same_surface_json_is_an_empty_list(same_surface, capsys):
    code, out, _ = run_main(capsys, "--upstream", str(same_surface), "--json")
    assert code == 0
    assert json.loads(out) == []


def test_same_bytes_say_so(tmp_path, capsys, make_upstream):
    """When the upstream's bytes are the pinned ones, the message says so."""
    raw = dump(make_upstream())
    upstream = tmp_path / "upstream.yaml"
    upstream.write_bytes(raw)
    pinned = tmp_path / "openapi.yaml"
    assert extract.main(["--upstream", str(upstream), "--output", str(pinned)]) == 0
    capsys.readouterr()
    code, out, _ = run_main(capsys, "--upstream", str(upstream), "--contract", str(pinned))
    assert code == 0
    assert "(same upstream bytes)" in out


def test_drift_exits_1_and_prints_each_change(drifted, capsys):
    code, out, _ = run_main(capsys, "--upstream", str(drifted))
    assert code == 1
    lines = out.splitlines()
    assert lines[:2] == [
        "BREAKING  PUT /dedicated/beta/endpoint/{endpoint_id}/restart: operation removed",
        "additive  components.schemas.InferenceDeploymentStatus: enum value 'SCALING' added",
    ]
    assert "2 contract change(s), 1 breaking." in lines
    assert f"To bring the SDK in step: nox -s regenerate -- --upstream {drifted}" in lines


def test_drift_json_shape(drifted, capsys):
    code, out, _ = run_main(capsys, "--upstream", str(drifted), "--json")
    assert code == 1
    changes = json.loads(out)
    assert changes == EXPECTED_DRIFT
    for change in changes:
        assert set(change) == {"location", "change", "breaking"}
        assert isinstance(change["location"], str)
        assert isinstance(change["change"], str)
        assert isinstance(change["breaking"], bool)


# -- URLs on loopback -----------------------------------------------------------------------------
def test_url_upstream_without_drift_exits_0(loopback, same_surface, capsys):
    url = loopback.serve("/same/openapi.yaml", same_surface.read_bytes())
    code, out, _ = run_main(capsys, "--upstream", url, "--json")
    assert (code, json.loads(out)) == (0, [])


def test_url_upstream_with_drift_exits_1(loopback, drifted, capsys):
    url = loopback.serve("/drifted/openapi.yaml", drifted.read_bytes())
    code, out, _ = run_main(capsys, "--upstream", url, "--json")
    assert (code, json.loads(out)) == (1, EXPECTED_DRIFT)


def test_url_404_exits_2(loopback, capsys):
    url = loopback.url("/missing/openapi.yaml")
    code, out, err = run_main(capsys, "--upstream", url)
    assert code == 2
    assert out == ""
    assert err == f"drift: cannot use upstream {url}: cannot fetch upstream {url}: HTTP 404\n"


def test_refused_connection_exits_2(capsys):
    """A port bound on loopback with nobody listening: the connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/openapi.yaml"
        code, out, err = run_main(capsys, "--upstream", url)
    assert code == 2
    assert out == ""
    assert err.startswith(f"drift: cannot use upstream {url}: cannot fetch upstream {url}: ConnectError")
    assert err.count("\n") == 1


def test_html_page_at_url_exits_2(loopback, capsys):
    html = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><p>Hello</p></body></html>\n"
    url = loopback.serve("/login", html, content_type="text/html")
    code, _, err = run_main(capsys, "--upstream", url)
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
def test_unusable_upstream_file_exits_2(tmp_path, capsys, name, content, reason):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run_main(capsys, "--upstream", str(path), "--json")
    assert code == 2
    assert out == ""
    assert err.startswith(f"drift: cannot use upstream {path}: ")
    assert reason in err
    assert err.count("\n") == 1


def test_unreadable_pinned_contract_exits_2(same_surface, tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    code, _, err = run_main(capsys, "--upstream", str(same_surface), "--contract", str(missing))
    assert code == 2
    assert err.startswith(f"drift: cannot read the pinned contract {missing}: ")


# -- the real command line ------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    return {**env, "NO_PROXY": "127.0.0.1,localhost"}


def test_command_line_exit_codes(root, same_surface, drifted, loopback):
    """`python scripts/drift.py` as a maintainer runs it: 0, 1 with JSON on stdout, 2."""

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "scripts/drift.py", *argv],
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


def test_pinned_contract_default_is_the_committed_one(root):
    assert root / "openapi.yaml" == drift.ROOT / "openapi.yaml"
    assert contract.load(drift.ROOT / "openapi.yaml")["openapi"] == "3.1.0"
