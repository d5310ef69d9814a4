"""Benchmark: one day's window through the stages after ingestion, timed, with peak memory.

A window of N articles (default 800; a busy real day across the default feeds is a few
hundred) is built from the labelled evaluation set, then: cluster → write (the real
``Writer`` and openai client against the fake OpenAI server on 127.0.0.1) → grounding
checks → rendering. Prints wall time per stage and the process's peak RSS.

    python -m benchmarks.pipeline_run [N]
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from benchmarks.cluster_eval import load, settings, synthesise
from pipeline.config import load_settings
from pipeline.formats.daily import checked_drafts, checked_more, daily_draft
from pipeline.markdown.render import render_daily
from pipeline.models import Article
from pipeline.stories.cluster import build_stories
from pipeline.write.daily import Writer, write_digest
from tests.fake_openai import fake_openai

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 2, 14)
WINDOW_START = datetime(2026, 2, 13, tzinfo=TZ)
# targets for the stages after ingestion on the 2-core machine (LLM latency excluded:
# the fake answers at once)
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 1024.0


def window_articles(n: int) -> list[Article]:
    """n distinct articles, all published inside one day's window."""
    articles, _ = load()
    spread = timedelta(seconds=86_399 / max(n, 1))
    return [
        a.model_copy(
            update={"published": WINDOW_START + k * spread, "first_seen": WINDOW_START + k * spread}
        )
        for k, a in enumerate(synthesise(articles, n))
    ]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    digest, weights = settings()
    config = load_settings(env={})
    articles = window_articles(n)
    times: dict[str, float] = {}

    started = time.perf_counter()
    clusters = build_stories(
        articles, digest, source_weights=weights, window_end=WINDOW_START + timedelta(days=1)
    )
    times["cluster"] = time.perf_counter() - started

    with fake_openai() as fake:
        writer = Writer(fake.settings(concurrency=4, timeout=30))
        started = time.perf_counter()
        written = asyncio.run(
            write_digest(clusters.stories, digest.sections, date=DAY, writer=writer)
        )
        times["write (fake LLM)"] = time.perf_counter() - started
        calls = len(fake.calls)

    started = time.perf_counter()
    main_stories = [s for s in clusters.stories if s.placement == "main"]
    drafts, findings = checked_drafts(main_stories, written)
    more, _ = checked_more(clusters.stories, written.more)
    times["check"] = time.perf_counter() - started

    started = time.perf_counter()
    draft = daily_draft(DAY, config, main_stories, drafts, written, more)
    markdown = render_daily(draft, config.publication, config.templates_dir)
    times["render"] = time.perf_counter() - started

    total, rss = sum(times.values()), peak_rss_mb()
    print(
        f"window: {n} articles → {len(clusters.stories)} stories "
        f"({len(main_stories)} main), {len(clusters.dropped)} dropped; {calls} LLM calls"
    )
    for stage, seconds in times.items():
        print(f"  {stage:<18} {seconds:6.2f} s")
    print(f"  {'total':<18} {total:6.2f} s   (target < {TARGET_SECONDS:.0f} s)")
    print(
        f"peak RSS: {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB); "
        f"draft: {len(markdown)} characters, "
        f"{sum(len(v) for v in findings.values())} unsupported findings"
    )
    ok = total < TARGET_SECONDS and rss < TARGET_RSS_MB
    print("targets:", "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
