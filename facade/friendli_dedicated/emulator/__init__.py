"""A stateful local emulator of the Friendli Dedicated Endpoints API, for tests and demos.

The same core answers in-process (through an httpx transport, no sockets) or over HTTP on
loopback; it follows the API contract shipped with the SDK (routes, JSON shapes, validation),
keeps endpoints in memory, moves them through their lifecycle by an injectable clock, and can
inject faults (429, 503, dropped connections) reproducibly. Endpoints cost what their GPUs ran, on
its clock, at the prices of ``GPU_PRICES`` (the team's cost, ``client.costs``).

For the tests of a service that uses the SDK, an ``Emulator`` also has controls: emulated time
that waits follow without skipping a state (``sleep``, ``advance``), faults and failures on demand
(``inject("create", 503)``, ``fail(endpoint_id, error_code)``), a log of the requests it saw
(``requests``, ``requests_for("create")``, ``LoggedRequest``) and a rate limit (``rate_limit=``).

>>> import friendli_dedicated as fd
>>> from friendli_dedicated.emulator import Emulator, ManualClock
>>> emu = Emulator(clock=ManualClock())
>>> with emu.client() as client:
...     ep = client.endpoints.create("proj", "chat", "org/model", fd.GPU.H100)
...     ep.wait_until_running(timeout=600).state.status.value
'RUNNING'
>>> len(emu.requests_for("create"))
1

The endpoints it runs answer the OpenAI-compatible inference surface (``model`` is the endpoint's
id) deterministically (see ``_inference``), so the official ``openai`` package works against it with
``base_url=".../dedicated/v1"`` (in-process: ``http_client=httpx.Client(transport=emu.transport())``):

>>> import httpx
>>> from friendli_dedicated.emulator import DEFAULT_TOKEN
>>> with httpx.Client(transport=emu.transport(), base_url="http://emulator.invalid") as http:
...     answer = http.post("/dedicated/v1/chat/completions", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
...                        json={"model": ep.id, "messages": [{"role": "user", "content": "Hi"}]})
>>> answer.json()["choices"][0]["message"]["content"], answer.json()["usage"]["total_tokens"]
('Echo: Hi', 10)

From a shell: ``python -m friendli_dedicated.emulator --port 8080``.
Models named ``emulator/fail-<ERROR_CODE>`` fail on purpose (see ``_lifecycle``).

Needs the ``emulator`` extra (``pip install "friendli-dedicated[emulator]"``): jsonschema for the
core, which checks every request against the contract (so even the in-process runner needs it),
and starlette and uvicorn for the HTTP server. Without jsonschema, importing this package raises
an ``ImportError`` that says so (its ``name`` is the missing module); without starlette or uvicorn,
``Emulator.serve`` does.

What a client cannot do to it: bodies over ``max_body_size`` (1 MiB) are refused with 413 before
they are read, and nothing is read before the token is checked; strings the contract leaves
unbounded are bounded (``MAX_STRING_LENGTH``); JSON nested deeper than ``MAX_JSON_DEPTH``, or sent
as another Content-Type, is refused with 422 as FastAPI would; no input makes it answer 500.

Modules, one job each:

- ``_core``: ``Emulator``, its configuration checked and composed of the parts below;
- ``_admission``: a request's way in (faults, token, rate limit, route, team, size, contract
  checks), then its operation, and the request log;
- ``_operations``: the endpoints' operations of the API, on the endpoints kept in memory;
- ``_inference``: the inference surface of the endpoints it runs (chat, completions, tokenization),
  and what it answers for an endpoint that is not RUNNING;
- ``_replies``: what an emulated model says: a byte tokenizer, deterministic replies, their JSON and
  server-sent events;
- ``_cost``: the team's cost (daily buckets of line items, from the price table ``GPU_PRICES``);
- ``_metering``: what an endpoint is billed for: its GPUs' time while it holds replicas;
- ``_records``: an endpoint as it is kept, and its JSON as the contract spells it;
- ``_lifecycle``: lifecycles as timelines (``Timings``), and failures on purpose;
- ``_pagination``: the cursors of listings;
- ``_contract``: the API contract: routes, parameters and schemas, and the checks of requests;
- ``_http``: ``Response`` and ``RequestHead``, free of any HTTP library;
- ``_controls``: the logic of the test controls (faults injected, failures, where time stops);
- ``_faults``: random faults (``Faults``) and the counters of what happened (``Stats``);
- ``_ratelimit``: the rate limit, a token bucket per API token;
- ``_log``: the request log (``LoggedRequest``);
- ``_clock``: clocks (``ManualClock``, ``SystemClock``) and the check of a given one;
- ``_checks``: checks of configuration values, each naming its field;
- ``_inprocess``: the in-process runner, an httpx transport, and SDK clients on it;
- ``_server``: the HTTP runner (starlette and uvicorn) on loopback;
- ``_launcher``: serving from a shell, behind both command lines;
- ``_extra``: what to say when the ``emulator`` extra is missing;
- ``__main__``: ``python -m friendli_dedicated.emulator``.
"""

from __future__ import annotations

from friendli_dedicated.emulator._clock import Clock, ManualClock, SystemClock
from friendli_dedicated.emulator._contract import MAX_JSON_DEPTH, MAX_STRING_LENGTH
from friendli_dedicated.emulator._controls import OPERATION_NAMES
from friendli_dedicated.emulator._core import DEFAULT_MAX_BODY_SIZE, DEFAULT_TEAM, DEFAULT_TOKEN, Emulator
from friendli_dedicated.emulator._cost import GPU_PRICES, UNLISTED_GPU_PRICE
from friendli_dedicated.emulator._faults import FAULT_KINDS, Faults, Stats
from friendli_dedicated.emulator._http import Response
from friendli_dedicated.emulator._lifecycle import FAIL_PREFIX, Timings
from friendli_dedicated.emulator._log import DEFAULT_REQUEST_LOG, LoggedRequest
from friendli_dedicated.emulator._operations import DEFAULT_PROJECT

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_PROJECT",
    "DEFAULT_REQUEST_LOG",
    "DEFAULT_TEAM",
    "DEFAULT_TOKEN",
    "FAIL_PREFIX",
    "FAULT_KINDS",
    "GPU_PRICES",
    "MAX_JSON_DEPTH",
    "MAX_STRING_LENGTH",
    "OPERATION_NAMES",
    "UNLISTED_GPU_PRICE",
    "Clock",
    "Emulator",
    "Faults",
    "LoggedRequest",
    "ManualClock",
    "Response",
    "Stats",
    "SystemClock",
    "Timings",
]
