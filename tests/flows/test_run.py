"""The one flow body without Prefect: the loopback news day through every stage in-process.

``run_digest`` with :class:`PlainStages` is what a script or a test calls; the Prefect
flows (``tests/e2e/``) pass the same body their task-submitting stages.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from pipeline.config import load_settings
from pipeline.flows.run import PlainStages, run_digest
from pipeline.formats import FORMATS
from pipeline.models import EXIT_PROBLEMS
from tests.day import DAY, serve_day, write_config
from tests.fake_openai import FakeOpenAI
from tests.servers import TestServer


def test_the_plain_pipeline_writes_the_days_draft(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    serve_day(server)
    out = tmp_path / "out"
    config = write_config(tmp_path, server)
    settings = load_settings(config, env=os.environ, overrides={"output_dir": str(out)})
    day = date.fromisoformat(DAY)

    summary = run_digest(FORMATS["daily"], settings, day, PlainStages())
    draft = out / "daily" / f"{DAY}.md"
    assert summary.draft == str(draft) and summary.exit_code == EXIT_PROBLEMS
    failed = {f.url: f.stage for f in summary.failures}  # the fixture day's dead feed and page
    assert failed == {server.url("/dead/feed.xml"): "feed", server.url("/zh/broken.html"): "page"}
    text = draft.read_text(encoding="utf-8")
    record = json.loads((out / "daily" / f"{DAY}.json").read_text(encoding="utf-8"))
    assert record["format"] == "daily" and record["stories"]
    assert all(f"({s['articles'][0]['url']})" in text for s in record["stories"][:1])
    assert summary.stats["llm_calls"] == len(llm.calls) > 0
    assert summary.stats["articles_new"] and "seconds_write" in summary.stats

    again = run_digest(FORMATS["daily"], settings, day, PlainStages(), offline=True)
    assert again.stats["cache_hits"] and len(llm.calls) == summary.stats["llm_calls"]
    assert draft.read_text(encoding="utf-8") == text  # the same draft, from archive and cache
