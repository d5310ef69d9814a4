"""A fake OpenAI-compatible chat endpoint on 127.0.0.1 that answers like a careful model.

Built on :class:`tests.servers.TestServer`, so the real ``openai`` client talks to it
over loopback. It records every request body (``fake.calls``), behaves like a
provider with a given structured-output capability (``mode``), plays a queue of
faults on the next calls, and by default answers every prompt kind of
``pipeline.write.daily`` with valid JSON grounded in the request's own article blocks::

    with fake_openai(mode="json_object") as fake:
        fake.add_faults("rate_limit", "truncated")
        writer = Writer(fake.settings(timeout=2))
        ...
        assert len(fake.calls) == 3

Modes: ``json_schema`` accepts everything; ``json_object`` answers 400 to a
``json_schema`` response_format (and to json_object without the word "json" in the
prompt, as DeepSeek does); ``text`` answers 400 to any response_format.
A request with ``"stream": true`` is answered as server-sent events, ``chunk_chars``
characters per event and ``chunk_delay`` seconds apart, with a usage event when
``stream_options.include_usage`` asks for one; ``reject_stream`` and
``reject_stream_options`` answer 400 to those parameters, as some providers do.
Faults: rate_limit (429 + Retry-After), server_error (500), slow (sleeps ``delay``),
truncated (JSON cut at ``keep`` of its length, finish_reason=length), invalid
(schema-violating JSON), empty (no content), not_json (prose), quota (429
insufficient_quota), payment (402), disconnect (connection reset mid-body), loop (the
answer starts well, then repeats one sentence ``repeats`` times until the token cap,
streamed ``chunk_delay`` seconds per event).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from pipeline.config import LLMSettings
from tests.servers import Reply, Request, TestServer

Mode = Literal["json_schema", "json_object", "text"]
Responder = Callable[[dict[str, Any]], str]
FAULT_KINDS = frozenset(
    {
        "rate_limit",
        "server_error",
        "slow",
        "truncated",
        "invalid",
        "empty",
        "not_json",
        "quota",
        "payment",
        "disconnect",
        "loop",
    }
)
MODEL = "fake-model"

BLOCK_RE = re.compile(
    r'<(article|story|item|pair) id="([^"]+)" token="([^"]+)">\n?(.*?)</\1-\3>', re.S
)
FIELD_RE = re.compile(r"^(来源|标题|链接|栏目|导语|摘录|开头|[AB] 标题|[AB] 开头)：(.*)$", re.M)
SECTION_RE = re.compile(r"^- key=(\S+?)；默认栏目名=(.+?)；要闻：(.*)$", re.M)
SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
CJK_RE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
AI_RE = re.compile(
    r"AI|人工智能|大模型|模型|GPT|LLM|机器人|智能体|芯片|算力|OpenAI|Anthropic", re.I
)
CATEGORIES = (
    ("具身智能与机器人", re.compile(r"机器人|具身|robot", re.I)),
    ("大模型发布与开源", re.compile(r"模型|开源|model", re.I)),
    ("AI 应用与商业化", re.compile(r"应用|上线|接入|融资|app", re.I)),
)


@dataclass
class Fault:
    """One misbehaviour for the next call."""

    kind: str
    retry_after: float = 0.1  # rate_limit: seconds in the Retry-After header
    delay: float = 5.0  # slow: seconds before answering
    keep: float = 0.5  # truncated: the share of the answer that is sent
    repeats: int = 400  # loop: how often the looping sentence is said
    chunk_delay: float = 0.02  # loop: seconds between two streamed events

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {sorted(FAULT_KINDS)}")


class FakeOpenAI:
    """The fake endpoint: ``/v1/chat/completions`` and ``/v1/models``."""

    def __init__(
        self,
        mode: Mode = "json_schema",
        responder: Responder | None = None,
        *,
        reject_temperature: bool = False,
        reject_stream: bool = False,
        reject_stream_options: bool = False,
        chunk_chars: int = 16,
        chunk_delay: float = 0.0,
    ) -> None:
        self.mode = mode
        self.responder = responder or default_responder
        self.reject_temperature = reject_temperature
        self.reject_stream = reject_stream
        self.reject_stream_options = reject_stream_options
        self.chunk_chars = chunk_chars
        self.chunk_delay = chunk_delay
        self.calls: list[dict[str, Any]] = []  # every chat request body, answered or not
        self.statuses: list[int] = []  # the status each call got, in order
        self.faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.server = TestServer()
        self.server.route("/v1/chat/completions", self._chat)
        self.server.route(
            "/v1/models",
            Reply(
                body=json.dumps(
                    {
                        "object": "list",
                        "data": [{"id": MODEL, "object": "model", "owned_by": "fake"}],
                    }
                ),
                content_type="application/json",
            ),
        )

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ending in /v1."""
        return self.server.base + "/v1"

    def settings(self, **overrides: Any) -> LLMSettings:
        """LLMSettings pointing at this fake, with short deadlines for tests."""
        values: dict[str, Any] = {
            "provider": "custom",
            "base_url": self.base_url,
            "model": MODEL,
            "timeout": 2.0,
            "max_retries": 2,
        }
        return LLMSettings(**{**values, **overrides})

    def add_faults(self, *faults: str | Fault) -> None:
        """Queue faults, applied one per call to the next calls."""
        with self._lock:
            self.faults.extend(f if isinstance(f, Fault) else Fault(f) for f in faults)

    def user_messages(self, call: int = -1) -> list[str]:
        """The user messages of one recorded call."""
        return [m["content"] for m in self.calls[call]["messages"] if m["role"] == "user"]

    def system_message(self, call: int = -1) -> str:
        """The system message of one recorded call."""
        return str(self.calls[call]["messages"][0]["content"])

    def start(self) -> FakeOpenAI:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def _chat(self, request: Request) -> Reply:
        body = json.loads(request.body or b"{}")
        with self._lock:
            self.calls.append(body)
        reply = self._refusal(body) or self._answer(body, self._next_fault())
        with self._lock:
            self.statuses.append(reply.status)
        return reply

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def _refusal(self, body: dict[str, Any]) -> Reply | None:
        """A 400 like a real provider's when a parameter is not supported."""
        kind = (body.get("response_format") or {}).get("type")
        if self.reject_stream_options and "stream_options" in body:
            return _error(
                400, "Unrecognized request argument: stream_options", "invalid_request_error"
            )
        if self.reject_stream and body.get("stream"):
            return _error(400, "Streaming is not supported by this model", "invalid_request_error")
        if self.reject_temperature and "temperature" in body:
            return _error(
                400,
                "Unsupported parameter: 'temperature' is not supported with this model.",
                "invalid_request_error",
                param="temperature",
            )
        if kind and self.mode == "text":
            return _error(
                400,
                "response_format is not supported by this model",
                "invalid_request_error",
                param="response_format",
            )
        if kind == "json_schema" and self.mode == "json_object":
            return _error(
                400,
                "This response_format type is unavailable now",
                "invalid_request_error",
                param="response_format",
            )
        if kind == "json_object" and "json" not in json.dumps(body["messages"]).lower():
            return _error(
                400,
                "Prompt must contain the word 'json' in some form to use "
                "'response_format' of type 'json_object'.",
                "invalid_request_error",
            )
        return None

    def _answer(self, body: dict[str, Any], fault: Fault | None) -> Reply:
        if fault is not None and (reply := _fault_reply(fault)) is not None:
            return reply
        content, finish = self.responder(body), "stop"
        if self.mode == "text" and content.startswith("{"):
            content = f"好的，以下是结果：\n```json\n{content}\n```"
        kind = fault.kind if fault else ""
        if kind == "truncated":
            content, finish = (
                content[: int(len(content) * (fault.keep if fault else 0.5))],
                "length",
            )
        elif kind == "loop":
            content, finish = _looping(content, fault.repeats if fault else 400), "length"
        elif kind == "invalid":
            content = _violate(content)
        elif kind == "empty":
            content = ""
        elif kind == "not_json":
            content = "抱歉，我无法按要求的格式回答这个问题。"
        if body.get("stream"):
            delay = fault.chunk_delay if fault and kind == "loop" else self.chunk_delay
            reply = self._events(body, content, finish, delay)
        else:
            reply = Reply(
                body=json.dumps(_completion(body, content, finish), ensure_ascii=False),
                content_type="application/json",
            )
        if kind == "slow":
            reply.delay = fault.delay if fault else 0.0
        return reply

    def _events(self, body: dict[str, Any], content: str, finish: str, delay: float) -> Reply:
        """The answer as server-sent events, as a streaming provider sends it."""
        done = _completion(body, content, finish)
        base = {k: done[k] for k in ("id", "created", "model")} | {
            "object": "chat.completion.chunk"
        }
        pieces = [
            content[i : i + self.chunk_chars] for i in range(0, len(content), self.chunk_chars)
        ]
        events = [{"index": 0, "delta": {"role": "assistant", "content": ""}}]
        events += [{"index": 0, "delta": {"content": piece}} for piece in pieces]
        events.append({"index": 0, "delta": {}, "finish_reason": finish})
        chunks = [_sse(base | {"choices": [event]}) for event in events]
        if (body.get("stream_options") or {}).get("include_usage"):
            chunks.append(_sse(base | {"choices": [], "usage": done["usage"]}))
        chunks.append(b"data: [DONE]\n\n")
        return Reply(chunks=chunks, chunk_delay=delay, content_type="text/event-stream")


def _sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


LOOP_SENTENCE = "这一进展值得业界持续关注。"


def _looping(content: str, repeats: int) -> str:
    """The answer up to its analysis (or its last text), then one sentence again and again."""
    marker = '"analysis": ["'
    at = content.find(marker)
    at = at + len(marker) if at >= 0 else content.rfind('": "') + 4
    return content[:at] + LOOP_SENTENCE * repeats


def _fault_reply(fault: Fault) -> Reply | None:
    if fault.kind == "rate_limit":
        reply = _error(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded")
        reply.headers["Retry-After"] = f"{fault.retry_after:g}"
        return reply
    if fault.kind == "server_error":
        return _error(500, "The server had an error while processing your request.", "server_error")
    if fault.kind == "quota":
        return _error(
            429,
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
        )
    if fault.kind == "payment":
        return _error(402, "Insufficient Balance", "unknown_error", "invalid_request_error")
    if fault.kind == "disconnect":
        return Reply(
            body=b'{"id": "chatcmpl-cut", "choices": [' + b" " * 64,
            content_type="application/json",
            fault="reset",
        )
    return None


def _error(
    status: int, message: str, type_: str, code: str | None = None, param: str | None = None
) -> Reply:
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return Reply(status=status, body=json.dumps(body), content_type="application/json")


def _violate(content: str) -> str:
    """The same answer with its first field removed: valid JSON, invalid for the schema."""
    try:
        data = json.loads(content[content.find("{") : content.rfind("}") + 1])
        data.pop(next(iter(data)))
        return json.dumps(data, ensure_ascii=False)
    except (ValueError, StopIteration):
        return "{}"


def estimate_tokens(text: str) -> int:
    """About one token per CJK character, one per four other characters."""
    cjk = len(CJK_RE.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def _completion(body: dict[str, Any], content: str, finish: str) -> dict[str, Any]:
    prompt = sum(estimate_tokens(str(m.get("content") or "")) + 4 for m in body["messages"])
    completion = estimate_tokens(content)
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", MODEL),
        "choices": [
            {
                "index": 0,
                "finish_reason": finish,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


# ---------------------------------------------------------------- the default responder


def first_user_message(body: dict[str, Any]) -> str:
    """The first user message of a request: the one that carries the data."""
    return next(str(m["content"]) for m in body["messages"] if m["role"] == "user")


def data_blocks(text: str) -> list[dict[str, str]]:
    """The delimited data blocks of a user message: id, tag and their 字段：值 lines."""
    blocks = []
    for tag, block_id, _token, inner in BLOCK_RE.findall(text):
        head, _, text = inner.partition("正文摘录：")
        fields = {"tag": tag, "id": block_id, **dict(reversed(FIELD_RE.findall(head)))}
        fields["body"] = text.strip()
        blocks.append(fields)
    return blocks


def default_responder(body: dict[str, Any]) -> str:
    """A valid, grounded answer for the story, digest, relevance, brief or weekly prompt."""
    user = first_user_message(body)
    blocks = data_blocks(user)
    if "格式：行业简报" in user:
        answer = brief_answer(blocks)
    elif "格式：周报" in user:
        answer = weekly_answer(blocks)
    elif any(b["tag"] == "article" for b in blocks):
        answer = story_answer(blocks, market="资本市场相关：是" in user)
    elif any(b["tag"] == "item" for b in blocks):
        answer = {
            "items": [
                {
                    "id": b["id"],
                    "category": "notice"
                    if b.get("开头", "").startswith("Learn how to")
                    else "ai"
                    if AI_RE.search(b.get("标题", "") + b.get("开头", ""))
                    else "other",
                }
                for b in blocks
            ]
        }
    elif any(b["tag"] == "pair" for b in blocks):
        answer = {"pairs": [same_event_answer(b) for b in blocks]}
    else:
        answer = digest_answer(blocks, SECTION_RE.findall(user))
    return json.dumps(answer, ensure_ascii=False)


def same_event_answer(block: dict[str, str]) -> dict[str, Any]:
    """A stand-in for a model's reading of two reports: "same" when the titles are one,
    share a capitalised name of four letters or more and a Chinese word, or share most of
    their Chinese character pairs or of their names."""
    a, b = block.get("A 标题", ""), block.get("B 标题", "")

    def names(text: str) -> set[str]:
        return {w.lower() for w in re.findall(r"(?<![A-Za-z])[A-Z][A-Za-z]{3,}", text)}

    def pairs(text: str) -> set[str]:
        runs = re.findall(r"[\u4e00-\u9fff]+", text)
        return {r[i : i + 2] for r in runs for i in range(len(r) - 1)}

    def jaccard(x: set[str], y: set[str]) -> float:
        return len(x & y) / max(len(x | y), 1)

    same = (
        a == b
        or bool(names(a) & names(b) and pairs(a) & pairs(b))
        or jaccard(pairs(a), pairs(b)) >= 0.3
        or jaccard(names(a), names(b)) >= 0.5
    )
    return {"id": block["id"], "event": a[:15], "same": same}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_RE.findall(text) if len(s.strip()) > 3]


def _clip(text: str, limit: int) -> str:
    """Cut at a word boundary, as a writer would, not mid-word."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def story_answer(blocks: list[dict[str, str]], *, market: bool) -> dict[str, Any]:
    """Headline, lead and facts built from the article blocks, citing their ids."""
    first = blocks[0]
    title, source = first.get("标题", "新闻"), first.get("来源", "来源")
    headline = title[:70] if HAN_RE.search(title) else f"{_clip(title, 50)}（{source}报道）"
    sentences = _sentences(first["body"]) or [title]
    facts: list[dict[str, Any]] = []
    seen: set[str] = set()
    for block in blocks:
        for sentence in _sentences(block["body"]):
            if re.search(r"\d", sentence) and sentence not in seen and len(facts) < 4:
                seen.add(sentence)
                facts.append(
                    {
                        "label": block.get("来源", "要点")[:12],
                        "text": sentence,
                        "sources": [block["id"]],
                    }
                )
    facts = facts or [{"label": source[:12], "text": title, "sources": [first["id"]]}]
    answer: dict[str, Any] = {
        "headline": headline,
        "lead": f"据{source}报道，{sentences[0]}",
        "facts": facts,
        "url": first.get("链接", ""),
        # the editor's judgement, not the facts again (the writer drops repeated sentences)
        "analysis": [f"从{source}的报道看，这一动向说明相关领域的竞争正在加快，后续进展值得关注。"],
        "impact": [],
    }
    if market:
        answer["impact"] = [
            {"label": "对 AI 概念股", "text": f"中性。{sentences[0]}", "sources": [first["id"]]}
        ]
    return answer


def _category(text: str) -> str:
    return next((name for name, pattern in CATEGORIES if pattern.search(text)), "行业动态")


def digest_answer(
    blocks: list[dict[str, str]], sections: list[tuple[str, str, str]]
) -> dict[str, Any]:
    """Title, summary, section titles and 更多动态 lines from the listed stories."""
    main = [b for b in blocks if "导语" in b]
    more = [b for b in blocks if "导语" not in b]
    headlines = [b.get("标题", "") for b in main] or [b.get("标题", "") for b in more]
    title = f"AI 日报：{headlines[0]}" if headlines else "AI 日报：今日要闻"
    return {
        "title": title,
        "summary": headlines[:8] or ["今日暂无要闻"],
        "section_titles": [
            # no count in the title: a number no source states would be flagged as unsupported
            {"key": key, "title": f"{default}：{_clip(heads.split('｜')[0], 16)}"}
            for key, default, heads in sections
        ],
        "more": [
            {
                "id": b["id"],
                "title": _clip(b.get("标题", "动态"), 40),
                "text": (_sentences(b.get("摘录", "")) or [b.get("标题", "动态")])[0],
                "category": _category(b.get("标题", "") + b.get("摘录", "")),
            }
            for b in more
        ],
    }


BRIEF_CATEGORIES = (
    ("投融资与并购", re.compile(r"融资|估值|收购|funding|raises|valuation", re.I)),
    ("模型与技术进展", re.compile(r"模型|开源|model|benchmark", re.I)),
    ("政策与监管", re.compile(r"政策|监管|规划|regulat", re.I)),
)


def _zh_title(block: dict[str, str], limit: int = 40) -> str:
    """A Chinese title: the block's own if Chinese, else the English one marked as such."""
    title = block.get("标题", "新闻")
    return title[:limit] if HAN_RE.search(title) else f"{_clip(title, limit - 8)}（外媒报道）"


def brief_answer(blocks: list[dict[str, str]]) -> dict[str, Any]:
    """A brief item built from the article blocks: 说明, 背景, 要点 and a source id."""
    first = blocks[0]
    source = first.get("来源", "来源")
    sentences = _sentences(first["body"]) or [first.get("标题", "新闻")]
    points = [s.rstrip("。") for b in blocks for s in _sentences(b["body"]) if re.search(r"\d", s)]
    text = first.get("标题", "") + first["body"]
    return {
        "title": _zh_title(first),
        "category": next((n for n, p in BRIEF_CATEGORIES if p.search(text)), "产品与应用发布"),
        "explanation": f"据{source}报道，{sentences[0]}",
        "background": sentences[1] if len(sentences) > 1 else "",
        "points": list(dict.fromkeys(points))[:3],
        "source": first["id"],
    }


def _first_sentence(block: dict[str, str]) -> str:
    return (_sentences(block.get("摘录", "")) or [block.get("标题", "动态")])[0]


def weekly_answer(blocks: list[dict[str, str]]) -> dict[str, Any]:
    """A weekly from the story blocks: a highlight per main story, topics for the top half."""
    main = [b for b in blocks if b["id"].startswith("s")]
    covered = main[: max(1, (len(main) + 1) // 2)]  # the rest goes to other_news, as asked
    rest = main[len(covered) :] + [b for b in blocks if b["id"].startswith("m")]
    groups: dict[str, list[dict[str, str]]] = {}
    for block in rest:
        groups.setdefault(_category(block.get("标题", "")), []).append(block)
    titles = "；".join(_zh_title(b) for b in main[:2])
    return {
        "intro": f"本周AI领域要闻不断，值得关注的动向包括：{titles}。",
        "highlights": [
            {"title": _zh_title(b), "text": _first_sentence(b), "stories": [b["id"]]}
            for b in main[:10]
        ],
        "topics": [
            {
                "title": _zh_title(b),
                "paragraphs": ["".join(_sentences(b.get("摘录", ""))[:3]) or _zh_title(b)],
                "bullets": [],
                "stories": [b["id"]],
            }
            for b in covered[:8]
        ],
        "other_news": [
            {
                "label": label,
                "text": "；".join(b.get("标题", "") for b in members) + "。",
                "stories": [b["id"] for b in members],
            }
            for label, members in groups.items()
        ],
        "summary": "综合本周报道来看，AI行业继续快速演进。"
        + (_first_sentence(main[0]) if main else ""),
        "reading": [{"id": b["id"], "title": _zh_title(b)} for b in main[:8]],
    }


@contextmanager
def fake_openai(
    mode: Mode = "json_schema",
    responder: Responder | None = None,
    **options: Any,
) -> Iterator[FakeOpenAI]:
    """A started fake endpoint for a with-block (or a pytest fixture), stopped afterwards."""
    fake = FakeOpenAI(mode, responder, **options).start()
    try:
        yield fake
    finally:
        fake.stop()


class InFlight:
    """A slow fake answer that counts how many calls the endpoint holds at once."""

    def __init__(self, seconds: float = 0.3) -> None:
        self.seconds, self.now, self.peak = seconds, 0, 0
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> str:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.seconds)
        with self.lock:
            self.now -= 1
        return default_responder(body)
