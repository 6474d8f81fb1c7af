"""The inference surface of the endpoints the emulator runs: who is answered, and with what.

Four operations of the contract, each with ``model`` set to an endpoint's id: chat completions
(``dedicatedChatComplete``; with ``stream: true`` the answer is ``text/event-stream``), completions
(``dedicatedCompletionsComplete``, streamed alike), tokenization and detokenization. What the model
says is in ``_replies``; here is whether the endpoint answers at all, by its status when the
request arrives:

==================================================  ======  =====================================
The endpoint (``model``)                            Status  Body and headers
==================================================  ======  =====================================
RUNNING                                             200     the answer
INITIALIZING, UPDATING, AWAKING                     503     ``detail`` names the status;
                                                            ``Retry-After`` until it is RUNNING
SLEEPING, scaling to zero (autoscaling minimum 0)   503     the request wakes it (AWAKING, as
                                                            ``wake`` does); ``Retry-After`` until
                                                            RUNNING
SLEEPING otherwise (a minimum above 0)              400     ``detail``: wake it first
FAILED                                              400     ``detail``: its error code; restart it
TERMINATING, TERMINATED                             400     ``detail``: restart it first
unknown, deleted, or another team's                 404     ``detail``: not found
==================================================  ======  =====================================

Every error body is ``{"detail": "..."}``, the shape of the API's other errors. The real API's
answers to a request for an endpoint that is not RUNNING are not documented upstream (its inference
operations list only 200 and 422): this table is the emulator's choice, a temporary state being a
503 a client may retry after the time it is told, and a state that needs an action a 400 that says
which. Whether a request wakes a SLEEPING endpoint is its autoscaling policy's to say (a minimum of 0
scales to zero and back on traffic, whatever put it to sleep), and an answer to a RUNNING endpoint
that scales to zero restarts its cooldown: it falls asleep ``cooldownPeriod`` seconds after the last
request it answered.

Beyond the contract's schemas, a request is refused with 422 (loc in the body) when ``max_tokens``
is below 1, when it asks for more than ``MAX_CHOICES`` choices (``n``, times the prompts of a
completion) or none, or when a token id is not one of the tokenizer's (0 to 255).

>>> from friendli_dedicated.emulator._operations import Context
>>> answers = Inference(endpoints={}, wake=lambda record, now: None, cooldown=lambda record: None, salt=b"s")
>>> context = Context("team", "user", 0.0, {}, {"model": "ep-1", "prompt": "Hi"})
>>> answers.handlers["dedicatedTokenization"](context, None).json()
{'detail': "Endpoint 'ep-1' not found"}
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator import _lifecycle as life, _replies as replies
from friendli_dedicated.emulator._http import Response, retry_after_headers
from friendli_dedicated.emulator._records import EndpointRecord

if TYPE_CHECKING:
    from friendli_dedicated.emulator._operations import Context

__all__ = ["INFERENCE_OPERATIONS", "MAX_CHOICES", "Inference"]

MAX_CHOICES = 16
"""The most choices one request may ask for (``n``, times the prompts of a completion)."""
INFERENCE_OPERATIONS = (
    "dedicatedChatComplete",
    "dedicatedCompletionsComplete",
    "dedicatedTokenization",
    "dedicatedDetokenization",
)
"""The operationIds of the inference surface, as the contract names them."""
_TRANSIENT = frozenset({"INITIALIZING", "UPDATING", "AWAKING"})
_EVENT_STREAM = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _invalid(loc: Sequence[str | int], message: str) -> _Refused:
    return _Refused(Response.invalid([{"loc": ["body", *loc], "msg": message, "type": "value_error"}]))


class Inference:
    """The inference operations (``handlers``, by operationId) on the emulator's ``endpoints``.

    ``wake(record, now)`` starts an endpoint's wake (as the wake operation does); ``cooldown(record)``
    is how long it stays RUNNING without requests before it sleeps (None: it does not scale to zero);
    ``salt`` makes completion ids this emulator's own. Not thread-safe: called under the emulator's lock.
    """

    def __init__(
        self,
        *,
        endpoints: Mapping[str, EndpointRecord],
        wake: Callable[[EndpointRecord, float], None],
        cooldown: Callable[[EndpointRecord], float | None],
        salt: bytes,
    ) -> None:
        self._endpoints = endpoints
        self._wake = wake
        self._cooldown = cooldown
        self._salt = salt
        self._numbers = itertools.count(1)
        self.handlers: dict[str, Callable[[Context, str | None], Response]] = {
            operation: self._answering(handler)
            for operation, handler in zip(
                INFERENCE_OPERATIONS, (self._chat, self._completions, self._tokenize, self._detokenize), strict=True
            )
        }

    def _answering(
        self, handler: Callable[[Context, EndpointRecord], Response]
    ) -> Callable[[Context, str | None], Response]:
        def answer(context: Context, _endpoint_id: str | None) -> Response:
            try:
                record = self._serving(context)
                response = handler(context, record)
            except _Refused as refused:
                return refused.response
            self._keep_awake(record, context.now)
            return response

        return answer

    # -- who is answered ----------------------------------------------------------------------------
    def _serving(self, context: Context) -> EndpointRecord:
        """The endpoint ``model`` names, if it serves now; else the refusal of the module's table."""
        model = str(context.body["model"])
        record = self._endpoints.get(model)
        if record is None or record.team != context.team:
            raise _Refused(Response.detail(404, f"Endpoint {shown(model)} not found"))
        segment = record.current(context.now)
        status = segment.status
        if status == "RUNNING":
            return record
        if status == "SLEEPING" and self._cooldown(record) is not None:
            self._wake(record, context.now)
            raise self._unavailable(record, context.now, "was SLEEPING (scaled to zero) and is waking up")
        if status in _TRANSIENT:
            raise self._unavailable(record, context.now, f"is {status}, not serving yet")
        shown_id = shown(record.endpoint_id)
        if status == "SLEEPING":
            message = f"Endpoint {shown_id} is SLEEPING: wake it before sending requests"
        elif status == "FAILED":
            message = f"Endpoint {shown_id} is FAILED ({segment.error_code}): restart it before sending requests"
        else:
            message = f"Endpoint {shown_id} is {status}: restart it before sending requests"
        raise _Refused(Response.detail(400, message))

    @staticmethod
    def _unavailable(record: EndpointRecord, now: float, why: str) -> _Refused:
        running = next((s.start for s in record.timeline if s.start > now and s.status == "RUNNING"), None)
        until = running if running is not None else life.next_change(record.timeline, now)
        headers = retry_after_headers(until - now) if until is not None else {}
        return _Refused(Response.detail(503, f"Endpoint {shown(record.endpoint_id)} {why}", headers))

    def _keep_awake(self, record: EndpointRecord, now: float) -> None:
        """A request answered: an endpoint that scales to zero sleeps ``cooldown`` after it, not before."""
        cooldown = self._cooldown(record)
        if cooldown is not None:
            current = record.current(now)
            record.replan(now, [current, life.Segment(now + cooldown, "SLEEPING")])

    # -- the answers --------------------------------------------------------------------------------
    def _completion_id(self, prefix: str) -> str:
        number = next(self._numbers).to_bytes(8, "big")
        return f"{prefix}-{hashlib.sha256(self._salt + b'completion' + number).hexdigest()[:32]}"

    def _chat(self, context: Context, record: EndpointRecord) -> Response:
        body: Mapping[str, Any] = context.body
        n = _choices(body.get("n"), 1)
        max_tokens = _max_tokens(body.get("max_tokens"))
        messages = body["messages"]
        prompt = replies.chat_prompt(messages)
        text, finish = replies.reply(replies.last_message_text(messages), max_tokens=max_tokens)
        answer = replies.ChatAnswer(
            completion_id=self._completion_id("chatcmpl"),
            created=int(context.now),
            model=record.endpoint_id,
            prompt=prompt,
            text=text,
            finish=finish,
            n=n,
        )
        if body.get("stream"):
            events = replies.chat_events(answer, include_usage=_include_usage(body))
            return Response(200, dict(_EVENT_STREAM), replies.sse(events))
        return Response.json_body(200, replies.chat_body(answer))

    def _completions(self, context: Context, record: EndpointRecord) -> Response:
        body: Mapping[str, Any] = context.body
        if "tokens" in body and "prompt" not in body:
            prompts = [replies.detokenize(_token_ids(body["tokens"], ["tokens"]))]
        else:
            prompt = body["prompt"]
            prompts = [prompt] if isinstance(prompt, str) else list(prompt)
            if not prompts:
                raise _invalid(["prompt"], "Value error, at least one prompt is needed")
        n = _choices(body.get("n"), len(prompts))
        seed = body.get("seed")
        seeds = [] if seed is None else [seed] if isinstance(seed, int) else list(seed)
        completion = replies.completion_body(
            completion_id=self._completion_id("cmpl"),
            created=int(context.now),
            model=record.endpoint_id,
            prompts=prompts,
            max_tokens=_max_tokens(body.get("max_tokens")),
            n=n,
            seeds=seeds,
        )
        if body.get("stream"):
            events = replies.completion_events(completion, include_usage=_include_usage(body))
            return Response(200, dict(_EVENT_STREAM), replies.sse(events))
        return Response.json_body(200, completion)

    def _tokenize(self, context: Context, _record: EndpointRecord) -> Response:
        return Response.json_body(200, {"tokens": replies.tokenize(context.body["prompt"])})

    def _detokenize(self, context: Context, _record: EndpointRecord) -> Response:
        tokens = _token_ids(context.body["tokens"], ["tokens"])
        return Response.json_body(200, {"text": replies.detokenize(tokens)})


def _choices(n: Any, prompts: int) -> int:
    """``n`` (default 1), checked with the number of prompts against ``MAX_CHOICES``."""
    count = 1 if n is None else int(n)
    if count < 1 or count * prompts > MAX_CHOICES:
        raise _invalid(["n"], f"Value error, the emulator answers 1 to {MAX_CHOICES} choices per request")
    return count


def _max_tokens(value: Any) -> int | None:
    if value is not None and int(value) < 1:
        raise _invalid(["max_tokens"], "Value error, max_tokens must be at least 1")
    return None if value is None else int(value)


def _include_usage(body: Mapping[str, Any]) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _token_ids(tokens: Sequence[int], loc: list[str | int]) -> list[int]:
    for index, token in enumerate(tokens):
        if not 0 <= token <= 255:
            raise _invalid([*loc, index], f"Value error, {token} is not a token id of the emulator's tokenizer (0-255)")
    return list(tokens)
