"""Measure the writer's LLM tokens for a seeds-sized day against the fake OpenAI server.

The day is clustered from ``benchmarks/data/cluster_eval.jsonl`` (13 main stories and 12
更多动态 items, as a published digest has), and the real ``Writer.write_digest`` talks to
``tests.fake_openai`` through the real ``openai`` client over loopback. Input tokens are
what the fake counts from the request bodies it received (CJK character ≈ 1 token, four
other characters ≈ 1 token, plus 4 per message). The completion tokens are counted from
the fake's answers. Those answers are built from the input, so they only show the shape
of the output, not how long a real model's answer would be. The same inputs are then
written again with the same cache, and that run must make no calls.

The eval articles are short (about 75 tokens each), far shorter than extracted news pages,
so the day is also written with every article lengthened to about ``FULL_TOKENS`` tokens
with sentences from other articles of its language. Their content is meaningless; only
the length matters, and it shows what the ``story_input_tokens`` budget lets through.

Run: ``.venv/bin/python -m benchmarks.llm_tokens [--story-input-tokens N]`` (prints a
report; no files written).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.cluster_eval import load, settings
from pipeline.config import Section
from pipeline.models import Article, Story
from pipeline.stories.cluster import build_stories
from pipeline.write.daily import Writer
from tests.fake_openai import Mode, default_responder, estimate_tokens, fake_openai

MAIN_STORIES, MORE_ITEMS = 13, 12  # a seeds-sized day: ~25 stories
TARGET = 2500  # input tokens per main story, on average
MESSAGE_OVERHEAD = 4  # tokens per message, as the fake (and OpenAI's own rule of thumb) count
FULL_TOKENS = 1000  # a typical extracted news article
SPLIT_RE = re.compile(r"[^。！？.!?]+[。！？.!?]?")
O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


class MemoryCache:
    """The writer's cache in a dict: enough to show that a second run makes no calls."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def cache_get(self, key: str) -> str | None:
        return self.data.get(key)

    def cache_put(self, key: str, value: str) -> None:
        self.data[key] = value


@dataclass(frozen=True)
class Call:
    """One request the fake answered: its kind and its token counts."""

    kind: str
    prompt: int  # as the fake reports it in ``usage``
    system: int
    user: int
    schema: int  # the response_format schema, which the fake does not count
    completion: int
    texts: tuple[str, ...]  # the message contents, for an optional tiktoken count


def seeds_day() -> tuple[list[Story], list[Section], Date]:
    """About 25 stories clustered from the eval set, with the shipped sections."""
    articles, _ = load()
    digest, weights = settings()
    digest = digest.model_copy(update={"main_stories": MAIN_STORIES, "more_items": MORE_ITEMS})
    window_end = max(a.published for a in articles) + timedelta(hours=1)
    result = build_stories(articles, digest, source_weights=weights, window_end=window_end)
    return result.stories, list(digest.sections), window_end.date() + timedelta(days=1)


def lengthen(stories: Sequence[Story], tokens: int = FULL_TOKENS, seed: int = 7) -> list[Story]:
    """The same stories with each article's text padded to about ``tokens`` tokens."""
    rng = random.Random(seed)
    pool: dict[str, list[str]] = {}
    for article in (a for s in stories for a in s.articles):
        pool.setdefault(article.lang, []).extend(SPLIT_RE.findall(article.text))

    def pad(article: Article) -> Article:
        text = article.text
        while estimate_tokens(text) < tokens:
            gap = "" if article.lang == "zh" else " "
            text += gap + rng.choice(pool[article.lang]).strip()
        return article.model_copy(update={"text": text})

    return [s.model_copy(update={"articles": [pad(a) for a in s.articles]}) for s in stories]


def _kind(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return str(fmt["json_schema"]["name"])
    system = str(body["messages"][0]["content"])
    return "story" if "一条要闻" in system else "digest"


def _tokens(content: Any) -> int:
    return estimate_tokens(str(content or ""))


def recording_responder(calls: list[Call]) -> Callable[[dict[str, Any]], str]:
    """The fake's default answers, with every request's token counts appended to ``calls``."""
    lock = threading.Lock()

    def respond(body: dict[str, Any]) -> str:
        answer = default_responder(body)
        messages = body["messages"]
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
        call = Call(
            kind=_kind(body),
            prompt=sum(_tokens(m.get("content")) + MESSAGE_OVERHEAD for m in messages),
            system=sum(_tokens(m["content"]) for m in messages if m["role"] == "system"),
            user=sum(_tokens(m["content"]) for m in messages if m["role"] == "user"),
            schema=_tokens(json.dumps(schema, ensure_ascii=False)) if schema else 0,
            completion=_tokens(answer),
            texts=tuple(str(m.get("content") or "") for m in messages),
        )
        with lock:
            calls.append(call)
        return answer

    return respond


@dataclass
class Run:
    """What one measured write of the day produced."""

    label: str
    mode: Mode
    calls: list[Call]
    stats_prompt: int
    stats_completion: int
    repeat_calls: int
    repeat_hits: int


def measure(
    label: str,
    stories: Sequence[Story],
    sections: Sequence[Section],
    day: Date,
    mode: Mode,
    **llm: Any,
) -> Run:
    """Write the day twice with one cache; record the first run's calls and the second's count."""
    calls: list[Call] = []
    # json_object as DeepSeek-style providers are asked from the start, without a probe
    provider = "deepseek" if mode == "json_object" else "custom"
    with fake_openai(mode, recording_responder(calls)) as fake:
        cache = MemoryCache()
        first = Writer(fake.settings(timeout=60, provider=provider, **llm), cache=cache)
        result = asyncio.run(first.write_digest(stories, sections, date=day))
        if result.failures or len(fake.calls) != len(calls):
            raise RuntimeError(f"the fake run failed or was refused: {result.failures}")
        made = len(fake.calls)
        second = Writer(fake.settings(timeout=60, provider=provider, **llm), cache=cache)
        asyncio.run(second.write_digest(stories, sections, date=day))
    return Run(
        label,
        mode,
        calls,
        result.stats.prompt_tokens,
        result.stats.completion_tokens,
        len(fake.calls) - made,
        second.stats.cache_hits,
    )


def o200k_counter() -> Callable[[str], int] | None:
    """tiktoken's o200k counter if tiktoken is installed and its file is cached; never fetched."""
    try:
        tiktoken: Any = importlib.import_module("tiktoken")
    except ImportError:
        return None
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    cache_dir = cache_dir or str(Path(tempfile.gettempdir()) / "data-gym-cache")
    if not (Path(cache_dir) / hashlib.sha1(O200K_URL.encode()).hexdigest()).is_file():
        return None  # get_encoding would download the BPE file
    encoding = tiktoken.get_encoding("o200k_base")
    return lambda text: len(encoding.encode(text, disallowed_special=()))


def _o200k(call: Call, count: Callable[[str], int]) -> int:
    return sum(count(t) + MESSAGE_OVERHEAD for t in call.texts)


def report(run: Run, stories: Sequence[Story], count: Callable[[str], int] | None) -> None:
    """Print the token table of one run."""
    story = [c for c in run.calls if c.kind == "story"]
    digest = [c for c in run.calls if c.kind == "digest"]
    prompt = [c.prompt for c in story]
    members = [len(s.articles) for s in stories if s.placement == "main"]
    print(
        f"\n== {run.label}, mode {run.mode}: {len(run.calls)} calls "
        f"({len(story)} story, {len(digest)} digest)"
    )
    print(
        f"main stories: {len(members)} (articles each: mean {statistics.mean(members):.1f}, "
        f"max {max(members)}); more items: {len(stories) - len(members)}"
    )
    print(
        f"story input   mean {statistics.mean(prompt):,.0f}  max {max(prompt):,}  "
        f"min {min(prompt):,}  (system {story[0].system:,} + user mean "
        f"{statistics.mean(c.user for c in story):,.0f} + {2 * MESSAGE_OVERHEAD} overhead)"
    )
    if story[0].schema:
        print(
            f"  + response_format schema ≈ {story[0].schema:,} per story call (not counted "
            "by the fake; providers may bill it)"
        )
    print(
        f"story output  mean {statistics.mean(c.completion for c in story):,.0f}  "
        f"max {max(c.completion for c in story):,}"
    )
    for call in digest:
        print(f"digest call   input {call.prompt:,}  output {call.completion:,}")
    total_in, total_out = sum(c.prompt for c in run.calls), sum(c.completion for c in run.calls)
    print(
        f"day total     input {total_in:,}  output {total_out:,}  "
        f"(writer stats: {run.stats_prompt:,} / {run.stats_completion:,})"
    )
    if count is not None:
        o200k = [_o200k(c, count) for c in story]
        print(
            f"o200k (tiktoken) story input mean {statistics.mean(o200k):,.0f} "
            f"max {max(o200k):,}; total {sum(_o200k(c, count) for c in run.calls):,}"
        )
    verdict = "holds" if statistics.mean(prompt) <= TARGET else "MISSED"
    print(f"target ≤ {TARGET:,} input tokens per main story on average: {verdict}")
    print(f"second run, same inputs: {run.repeat_calls} calls, {run.repeat_hits} cache hits")


def _budget(argv: Sequence[str]) -> dict[str, Any]:
    if "--story-input-tokens" not in argv:
        return {}
    return {"story_input_tokens": int(argv[argv.index("--story-input-tokens") + 1])}


def main() -> None:
    stories, sections, day = seeds_day()
    count, llm = o200k_counter(), _budget(sys.argv)
    budget = f"; story_input_tokens={llm['story_input_tokens']}" if llm else ""
    print(f"day {day}: {len(stories)} stories from benchmarks/data/cluster_eval.jsonl{budget}")
    print("estimator: CJK character ≈ 1 token, 4 other characters ≈ 1 token, +4 per message")
    if count is None:
        print("tiktoken: not installed (or its o200k file is not cached): no o200k count")
    days = [
        ("eval articles as they are", stories),
        (f"articles ≈ {FULL_TOKENS} tokens", lengthen(stories)),
    ]
    for label, day_stories in days:
        for mode in ("json_schema", "json_object"):
            run = measure(label, day_stories, sections, day, mode, **llm)
            if run.stats_prompt != sum(c.prompt for c in run.calls):
                raise RuntimeError("the fake's usage and the recorded requests disagree")
            report(run, day_stories, count)


if __name__ == "__main__":
    main()
