"""Reading one chat completion as it is generated, and stopping a model that loops.

A small model sometimes says the same span again and again until the token cap; at a few
tokens a second that costs many minutes. The answer is streamed and watched: when its tail
repeats (:func:`pipeline.llm.repair.find_loop`) the stream is closed at once, the repeats are cut
off, and the reply is marked ``finish="loop"`` so the caller can complete what came before.
Endpoints that cannot stream are read whole and checked the same way right after.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from pipeline.llm.repair import find_loop

LOOP_CHECK_CHARS = 120  # look for a loop each time this much more text has arrived
CJK_RE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


@dataclass
class Reply:
    """What one completion produced so far (kept when a deadline interrupts it)."""

    content: str = ""
    finish: str | None = None  # stop | length | loop | None (interrupted)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False  # usage estimated: the stream was cut or the server sent none
    started: bool = False  # some of the answer arrived

    def reset(self) -> None:
        """Empty it for the next attempt of the same call."""
        self.content, self.finish, self.started = "", None, False
        self.prompt_tokens = self.completion_tokens = 0
        self.estimated = False


def estimate_tokens(text: str) -> int:
    """About one token per CJK character, one per four other characters."""
    cjk = len(CJK_RE.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def _cut_loop(reply: Reply) -> bool:
    cut = find_loop(reply.content)
    if cut is None:
        return False
    reply.content, reply.finish = reply.content[:cut], "loop"
    return True


async def read_stream(stream: Any, reply: Reply) -> None:
    """Fill ``reply`` from a chat-completion chunk stream; close it early on a loop."""
    checked = 0
    async for chunk in stream:
        if getattr(chunk, "usage", None):
            reply.prompt_tokens = chunk.usage.prompt_tokens or 0
            reply.completion_tokens = chunk.usage.completion_tokens or 0
        for choice in (chunk.choices or [])[:1]:
            delta = choice.delta.content if choice.delta else None
            if delta:
                reply.content += delta
                reply.started = True
            reply.finish = choice.finish_reason or reply.finish
        if len(reply.content) - checked >= LOOP_CHECK_CHARS:
            checked = len(reply.content)
            if _cut_loop(reply):
                await stream.close()
                return
    if reply.finish == "length":
        _cut_loop(reply)


def read_response(response: Any, reply: Reply) -> None:
    """Fill ``reply`` from a whole (non-streamed) chat completion; cut a loop it ran into."""
    choice = response.choices[0] if response.choices else None
    reply.content = (choice.message.content if choice else None) or ""
    reply.finish = choice.finish_reason if choice else None
    reply.started = True
    if response.usage:
        reply.prompt_tokens = response.usage.prompt_tokens or 0
        reply.completion_tokens = response.usage.completion_tokens or 0
    if reply.finish == "length":
        _cut_loop(reply)


def settle_usage(reply: Reply, messages: list[dict[str, str]]) -> None:
    """Estimate the token counts the server did not report (a cut stream reports none)."""
    if reply.completion_tokens or not reply.content:
        return
    reply.estimated = True
    reply.completion_tokens = estimate_tokens(reply.content)
    reply.prompt_tokens = reply.prompt_tokens or sum(
        estimate_tokens(m["content"]) + 4 for m in messages
    )
