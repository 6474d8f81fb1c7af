"""A small stateful fake of the Dedicated Endpoints API on a loopback HTTP server, for tests that
run user-facing code unchanged (the README's examples): ``fd.Client()`` pointed at it by
FRIENDLI_BASE_URL. It follows the contract's JSON shapes; deployments advance one step per status
poll (ENGINE_INITIALIZING, then RUNNING) so that waiting takes one poll interval.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/dedicated/beta/endpoint"
NOW = "2026-01-01T00:00:00Z"


class FakeAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.ids = (f"ep-{n}" for n in itertools.count(1))
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any]:
        url = urlsplit(target)
        self.requests.append((method, url.path))
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"detail": "invalid token"}
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        payload = json.loads(body) if body else None
        with self.lock:
            return self._route(method, url.path, query, payload)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if path == PREFIX and method == "POST":
            endpoint_id = next(self.ids)
            self.endpoints[endpoint_id] = {
                "spec": body,
                "status": "INITIALIZING",
                "phase": "REQUESTING_VIRTUAL_MACHINE",
                "versions": [body],
            }
            return 200, self._status(endpoint_id)
        if path == PREFIX and method == "GET":
            project = query.get("project_id")
            ids = [i for i, e in self.endpoints.items() if not project or e["spec"]["projectId"] == project]
            return 200, self._page(ids, query, lambda i: self._status(i))
        parts = path[len(PREFIX) + 1 :].split("/") if path.startswith(PREFIX + "/") else []
        if not parts or parts[0] not in self.endpoints:
            return 404, {"detail": "endpoint not found"}
        endpoint_id, action = parts[0], (parts[1] if len(parts) > 1 else "")
        endpoint = self.endpoints[endpoint_id]
        if (method, action) == ("GET", "status"):
            self._advance(endpoint)
            return 200, self._status(endpoint_id)
        if (method, action) == ("GET", ""):
            return 200, self._spec(endpoint_id, endpoint["spec"])
        if (method, action) == ("PUT", ""):
            endpoint["spec"] = {**endpoint["spec"], **{k: v for k, v in body.items() if v is not None}}
            endpoint["versions"].append(endpoint["spec"])
            return 200, self._spec(endpoint_id, endpoint["spec"])
        if (method, action) == ("DELETE", ""):
            del self.endpoints[endpoint_id]
            return 200, {}
        if (method, action) == ("GET", "version"):
            versions = {f"v{n}": self._spec(endpoint_id, spec) for n, spec in enumerate(endpoint["versions"], 1)}
            return 200, self._page(list(versions), query, lambda key: versions[key])
        transitions = {"sleep": ("SLEEPING", None), "wake": ("AWAKING", None), "terminate": ("TERMINATED", None)}
        if method == "PUT" and action in transitions:
            endpoint["status"], endpoint["phase"] = transitions[action]
            return 200, self._status(endpoint_id)
        return 405, {"detail": f"{method} {path} is not part of the fake"}

    @staticmethod
    def _advance(endpoint: dict[str, Any]) -> None:
        if endpoint["status"] == "INITIALIZING" and endpoint["phase"] != "ENGINE_INITIALIZING":
            endpoint["phase"] = "ENGINE_INITIALIZING"
        elif endpoint["status"] in ("INITIALIZING", "AWAKING"):
            endpoint["status"], endpoint["phase"] = "RUNNING", None

    def _status(self, endpoint_id: str) -> dict[str, Any]:
        endpoint = self.endpoints[endpoint_id]
        return {"status": endpoint["status"], "phase": endpoint["phase"], "createdAt": NOW, "updatedAt": NOW}

    @staticmethod
    def _spec(endpoint_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        policy = spec.get("autoscalingPolicy") or {}
        return {
            "name": spec["name"],
            "gpuType": "NVIDIA H100",
            "numGpu": 2,
            "instanceId": endpoint_id,
            "projectId": spec["projectId"],
            "creatorId": "creator",
            "teamId": "team",
            "autoscalingMin": policy.get("minReplica", 0),
            "autoscalingMax": policy.get("maxReplica", 1),
            "autoscalingCooldown": policy.get("cooldownPeriod", 300),
            "maxBatchSize": (spec.get("advanced") or {}).get("max_batch_size") or 8,
            "tokenizerSkipSpecialTokens": True,
            "tokenizerAddSpecialTokens": True,
        }

    @staticmethod
    def _page(keys: list[str], query: dict[str, str], render: Any) -> dict[str, Any]:
        limit = int(query.get("limit", 20))
        start = int(query.get("cursor") or 0)
        chunk = keys[start : start + limit]
        more = start + limit < len(keys)
        return {"data": {key: render(key) for key in chunk}, "nextCursor": str(start + limit) if more else None}


@contextmanager
def serve(token: str) -> Iterator[tuple[str, FakeAPI]]:
    """Run the fake on 127.0.0.1 (a free port) for the duration of the block: yields (base_url, api)."""
    api = FakeAPI(token)

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = api.handle(self.command, self.path, self.headers, self.rfile.read(length))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", api
    finally:
        server.shutdown()
        server.server_close()
