"""Hostile LLM endpoints (issue 14, item 7): a hanging model costs bounded time."""

from __future__ import annotations

import time

from pipeline.write.daily import Writer, write_digest
from tests.fake_openai import Fault, fake_openai
from tests.write.test_write import DAY, SECTIONS, capital_story, make_story, model_story, run


def test_a_hanging_llm_costs_two_deadlines_not_one_per_story() -> None:
    """Story calls to a hanging LLM run side by side, and three unanswered calls end them."""
    stories = [
        capital_story(),
        model_story(),
        make_story("s-3", "2b3c4d5e6f70"),
        make_story("s-4", "4d5e6f708192"),
    ]
    with fake_openai() as fake:
        fake.add_faults(*[Fault("slow", delay=5.0)] * 8)
        writer = Writer(fake.settings(timeout=1.0, max_retries=0, concurrency=4))
        started = time.monotonic()
        result = run(write_digest(stories, SECTIONS, date=DAY, writer=writer))
        elapsed = time.monotonic() - started
    # the first call finds out what the endpoint supports, the other three then run together;
    # after three calls in a row got nothing, the digest call is not made
    assert elapsed < 2.8, elapsed  # one after another: five deadlines
    assert all(d.degraded for d in result.drafts.values()) and len(fake.calls) == 4
    assert any("answered none of the last 3 calls" in f.error for f in result.failures)
