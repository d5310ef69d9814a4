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


# one event in two reports that share one rare name (the real split of 2026-04-04)
OPENCLAW_BAN = [
    {
        "path": "/zh/ban1.html",
        "feed": "zh",
        "pub": "Fri, 06 Feb 2026 15:00:00 +0800",
        "title": "一夜翻脸，Anthropic正式封杀OpenClaw！全球开发者24小时血崩",
        "paras": [
            "Anthropic 宣布，订阅用户不能再通过第三方工具调用模型，开发者需要改用按量计费。",
            "社区开发者对此反应强烈，不少项目连夜迁移到其他模型。",
        ],
    },
    {
        "path": "/zh/ban2.html",
        "feed": "zh",
        "pub": "Fri, 06 Feb 2026 16:00:00 +0800",
        "title": "全网开骂！Claude订阅「封杀」OpenClaw，想用龙虾？得加钱！",
        "paras": [
            "从本周起，想用龙虾跑大模型的用户得另外付费，原来的包月额度不再适用。",
            "许多用户在社交平台上表达不满，认为这是变相涨价。",
        ],
    },
]


def test_with_check_pairs_the_llm_decides_undecided_pairs_and_a_rerun_asks_nothing(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    serve_day(server, extra=OPENCLAW_BAN)
    out = tmp_path / "out"
    settings = load_settings(
        write_config(tmp_path, server), env=os.environ, overrides={"output_dir": str(out)}
    )
    assert settings.llm.check_pairs is False  # off unless asked for
    settings = settings.model_copy(
        update={"llm": settings.llm.model_copy(update={"check_pairs": True})}
    )
    day = date.fromisoformat(DAY)
    summary = run_digest(FORMATS["daily"], settings, day, PlainStages())
    kinds = [c.get("response_format", {}).get("json_schema", {}).get("name") for c in llm.calls]
    record = json.loads((out / "daily" / f"{DAY}.json").read_text(encoding="utf-8"))
    stats = record["stats"]
    assert stats["pairs_asked"] >= 1 and kinds.count("same_event") >= 1
    # the fake reads the two OpenClaw reports as one event: they are one story now
    paths = [{a["url"].rsplit("/", 1)[-1] for a in st["articles"]} for st in record["stories"]]
    assert {"ban1.html", "ban2.html"} in paths
    assert (
        stats["pairs_same"] + stats["pairs_different"] + stats["pairs_unanswered"]
        == (stats["pairs_asked"])
    )
    assert summary.stats["llm_calls"] == len(llm.calls)  # the pair calls are counted
    calls = len(llm.calls)
    run_digest(FORMATS["daily"], settings, day, PlainStages(), offline=True)
    assert len(llm.calls) == calls
