"""What an emulated model says: a byte tokenizer, a deterministic reply, and the bodies that carry it.

Nothing here is random or reads a clock (the caller passes ``created`` and the completion's id), so
the same request always gets the same answer, and usage counts can be checked by hand:

- **tokenizer**: a token is one byte of the text's UTF-8 encoding, and its id is the byte's value
  (0 to 255). ``tokenize("Hi!")`` is ``[72, 105, 33]``; ``detokenize`` reverses it exactly (bytes
  that are not UTF-8 become U+FFFD). So a count of tokens is a count of UTF-8 bytes.
- **prompt**: a chat's prompt is the text of its messages joined by a newline (a message's text is
  its string content, or the ``text`` of its text parts; images, audio and video count nothing); a
  completion's prompt is its ``prompt``, or its ``tokens`` detokenized.
- **reply**: ``"Echo: "`` followed by the text of the chat's last message, or by the completion's
  prompt; cut to ``max_tokens`` tokens (never inside a character), and then its finish reason is
  ``"length"``, else ``"stop"``. Each of the ``n`` choices is the same reply.
- **streams**: the reply in pieces of one word (with the spaces after it), as OpenAI's server-sent
  events: one ``data: {json}`` event per chunk, a last chunk with the finish reason, a usage chunk
  (no choices) when ``stream_options.include_usage`` is true, then ``data: [DONE]``.

>>> tokenize("Hi!"), detokenize([72, 105, 33])
([72, 105, 33], 'Hi!')
>>> reply("Hello there", max_tokens=None), reply("Hello there", max_tokens=4)
(('Echo: Hello there', 'stop'), ('Echo', 'length'))
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "REPLY_PREFIX",
    "ChatAnswer",
    "chat_body",
    "chat_events",
    "chat_prompt",
    "completion_body",
    "completion_events",
    "detokenize",
    "last_message_text",
    "reply",
    "sse",
    "tokenize",
]

REPLY_PREFIX = "Echo: "
"""What every reply starts with, before the text it echoes."""
_PIECE = re.compile(r"\S+\s*|\s+")
_UTF8_CONTINUATION = 0b1100_0000


def tokenize(text: str) -> list[int]:
    """The token ids of ``text``: its UTF-8 bytes.

    >>> tokenize("é")
    [195, 169]
    """
    return list(text.encode("utf-8", "surrogatepass"))


def detokenize(tokens: Iterable[int]) -> str:
    """The text of token ids 0 to 255 (``ValueError`` for another id); bytes that are not UTF-8 become U+FFFD.

    >>> detokenize([195, 169]), detokenize([195])
    ('é', '�')
    """
    return bytes(tokens).decode("utf-8", "replace")


def _message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def chat_prompt(messages: Sequence[Mapping[str, Any]]) -> str:
    """The prompt a chat's ``messages`` make: their texts, one per line.

    >>> chat_prompt([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    'Be brief.\\nHi'
    """
    return "\n".join(_message_text(message) for message in messages)


def last_message_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text of the last message (what the reply echoes); empty without messages."""
    return _message_text(messages[-1]) if messages else ""


def reply(echoed: str, *, max_tokens: int | None) -> tuple[str, str]:
    """The reply to a prompt that ends with ``echoed``, and its finish reason (``"stop"`` or ``"length"``)."""
    whole = (REPLY_PREFIX + echoed).encode("utf-8", "surrogatepass")
    if max_tokens is None or len(whole) <= max_tokens:
        return whole.decode("utf-8", "surrogatepass"), "stop"
    end = max_tokens
    while 0 < end < len(whole) and whole[end] & _UTF8_CONTINUATION == 0b1000_0000:
        end -= 1  # never cut a character in two: stop before it
    return whole[:end].decode("utf-8", "surrogatepass"), "length"


def _pieces(text: str) -> list[str]:
    """``text`` in words, each with the spaces after it; joined, they are ``text`` again."""
    return _PIECE.findall(text)


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def sse(events: Iterable[Any]) -> bytes:
    """Server-sent events: each value as ``data: <compact JSON>``, then ``data: [DONE]``.

    >>> sse([{"a": 1}])
    b'data: {"a":1}\\n\\ndata: [DONE]\\n\\n'
    """
    lines = [f"data: {json.dumps(event, separators=(',', ':'))}\n\n" for event in events]
    return ("".join(lines) + "data: [DONE]\n\n").encode("utf-8")


# -- chat completions --------------------------------------------------------------------------------
@attrs.frozen
class ChatAnswer:
    """One chat's answer: ``n`` choices of the reply ``text`` (ending for ``finish``) to ``prompt``."""

    completion_id: str
    created: int
    model: str
    prompt: str
    text: str
    finish: str
    n: int

    def usage(self) -> dict[str, int]:
        return _usage(len(tokenize(self.prompt)), self.n * len(tokenize(self.text)))


def chat_body(answer: ChatAnswer) -> dict[str, Any]:
    """A ``ChatResult``: the choices, and usage counted by the tokenizer."""
    choices = [
        {"index": index, "message": {"role": "assistant", "content": answer.text}, "finish_reason": answer.finish}
        for index in range(answer.n)
    ]
    return {
        "id": answer.completion_id,
        "object": "chat.completion",
        "created": answer.created,
        "model": answer.model,
        "choices": choices,
        "usage": answer.usage(),
    }


def chat_events(answer: ChatAnswer, *, include_usage: bool) -> Iterator[dict[str, Any]]:
    """The chunks (``chat.completion.chunk``) of a streamed chat: the role, the words, the finish, the usage."""
    usage: dict[str, Any] = {"usage": None} if include_usage else {}
    head = {"id": answer.completion_id, "object": "chat.completion.chunk", "created": answer.created}

    def chunk(choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {**head, "model": answer.model, "choices": choices, **usage}

    def choice(index: int, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {"index": index, "delta": delta, "finish_reason": finish_reason, "logprobs": None}

    choices = range(answer.n)
    yield chunk([choice(index, {"role": "assistant", "content": ""}) for index in choices])
    for piece in _pieces(answer.text):
        yield chunk([choice(index, {"content": piece}) for index in choices])
    yield chunk([choice(index, {}, answer.finish) for index in choices])
    if include_usage:
        yield {**chunk([]), "usage": answer.usage()}


# -- completions ---------------------------------------------------------------------------------------
def _seed(seeds: Sequence[int], prompt: str, index: int) -> int:
    if seeds:
        return seeds[index % len(seeds)]
    return int.from_bytes(hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).digest()[:4], "big")


def completion_body(
    *,
    completion_id: str,
    created: int,
    model: str,
    prompts: Sequence[str],
    max_tokens: int | None,
    n: int,
    seeds: Sequence[int],
) -> dict[str, Any]:
    """A ``CompletionsResult``: ``n`` choices per prompt (indexed prompt by prompt), each with its tokens."""
    choices: list[dict[str, Any]] = []
    completion_tokens = 0
    for prompt in prompts:
        text, finish = reply(prompt, max_tokens=max_tokens)
        tokens = tokenize(text)
        for _ in range(n):
            index = len(choices)
            choice = {"index": index, "text": text, "seed": _seed(seeds, prompt, index), "tokens": tokens}
            choices.append({**choice, "finish_reason": finish, "logprobs": None})
            completion_tokens += len(tokens)
    prompt_tokens = sum(len(tokenize(prompt)) for prompt in prompts)
    return {
        "id": completion_id,
        "object": "text_completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": _usage(prompt_tokens, completion_tokens),
    }


def completion_events(body: Mapping[str, Any], *, include_usage: bool) -> Iterator[dict[str, Any]]:
    """The chunks of a streamed completion, from its whole ``completion_body``: the words, the finish, the usage."""
    head = {key: body[key] for key in ("id", "object", "created", "model")}
    usage: dict[str, Any] = {"usage": None} if include_usage else {}
    for choice in body["choices"]:
        for piece in _pieces(choice["text"]):
            piece_choice = {"index": choice["index"], "text": piece, "finish_reason": None, "logprobs": None}
            yield {**head, "choices": [piece_choice], **usage}
        last = {"index": choice["index"], "text": "", "finish_reason": choice["finish_reason"], "logprobs": None}
        yield {**head, "choices": [last], **usage}
    if include_usage:
        yield {**head, "choices": [], "usage": body["usage"]}
