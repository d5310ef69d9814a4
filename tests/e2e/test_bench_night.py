"""Smoke test of the whole-night benchmark: 100 articles through the real ``digest run``.

It runs ``benchmarks.night`` as CI can afford (no Prefect cold start, no ``--help``
timing, an LLM without latency) and checks that the harness really drove the pipeline
end to end: a draft written from the loopback world, sane counts, and a rerun that
fetches no page and asks the LLM nothing. It asserts nothing about time.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from benchmarks.night import DAY, measure, parse_args
from benchmarks.night_report import report
from benchmarks.night_world import WorldSpec, build_world


def extra_loopback_addresses() -> bool:
    """Whether addresses beyond 127.0.0.1 can be bound (Linux: all of 127.0.0.0/8)."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.10", 0))
        except OSError:
            return False
    return True


pytestmark = pytest.mark.skipif(
    not extra_loopback_addresses(),
    reason="the benchmark world needs loopback addresses beyond 127.0.0.1 (127.0.0.10…)",
)


def test_a_small_night_runs_the_real_pipeline_end_to_end(tmp_path: Path) -> None:
    quick = ["--articles", "100", "--llm-latency", "0", "--hang", "0", "--skip-cold"]
    args = parse_args([*quick, "--skip-help", "--no-write", "--workdir", str(tmp_path)])
    spec = WorldSpec(articles=100, hang_pages=0, slow_host_delay=0.2)
    sites = build_world(spec)
    result = measure(args, spec, sites, tmp_path)
    night, rerun = result["night"], result["rerun"]

    draft = tmp_path / "output" / "daily" / f"{DAY}.md"
    assert night.run.code in (0, 1), (tmp_path / "night.log").read_text(encoding="utf-8")
    assert tmp_path / night.record["draft"] == draft  # relative to the run's directory
    assert draft.read_text(encoding="utf-8").startswith("---\ntitle: ")
    stats = night.stats
    # every page of the world was asked for; the 404s still give articles (feed text)
    assert night.page_requests >= 100
    assert stats["articles_new"] == 100 and stats["articles_in_window"] == 100
    assert stats["feeds_failed"] == 2  # the 503 feed and the host that is down
    assert stats["main_stories"] >= 5 and stats["llm_calls"] == len(night.llm_calls) >= 6
    # the rerun of the unchanged date: feeds answered 304, no page, no LLM call
    assert rerun.page_requests == 0 and rerun.llm_calls == []
    assert rerun.stats["feeds_not_modified"] == stats["feeds_ok"]
    # every story and digest answer came from the cache; relevance verdicts are remembered
    # per article, so the judge does not even look its calls up
    assert 0 < rerun.stats["cache_hits"] <= stats["llm_calls"]
    # the probes saw the flow and its tasks, and the tables were made from them
    assert result["shares"]["night"]["flow start-up"] > 0
    assert night.run.sampler.peak_rss > 0 and night.run.cpu_seconds > 0
    text = report(result)
    assert "| LLM stage |" in text and "| pages (fetch-pages tasks, per host) |" in text
