"""The weekly and brief flows end to end: Prefect's harness, loopback feeds, the fake LLM.

They reuse the daily's loopback day (``tests/fixtures/e2e``) and add a feed of four more
articles spread over the same ISO week, plus one from the week after.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import PROJECT_DIR
from pipeline.flows import digest as flows
from pipeline.markdown.document import BRIEF_SPAN
from pipeline.models import DEGRADED_MARK
from pipeline.store.archive import Archive
from pipeline.write.brief import BRIEF_CATEGORIES
from tests.day import page_html, rss, serve_day, write_config
from tests.fake_openai import FakeOpenAI
from tests.formats.test_periodic import (
    BRIEF_DAY,
    OPUS,
    ROBOT,
    WAYMO,
    WEEK_ARTICLES,
    WEEK_DAY,
    WEEK_STEM,
    errors,
)
from tests.servers import Reply, TestServer

e2e = pytest.mark.usefixtures("prefect_harness")


def week_config(tmp_path: Path, server: TestServer) -> Path:
    """The daily's loopback day plus a feed of articles from the rest of the week."""
    serve_day(server)
    for a in WEEK_ARTICLES:
        server.route(a["path"], Reply(body=page_html(a["title"], a["paras"])))
    server.route(
        "/wk/feed.xml",
        Reply(body=rss(WEEK_ARTICLES, server.base, "wk"), content_type="application/rss+xml"),
    )
    config = write_config(tmp_path, server)
    with config.open("a", encoding="utf-8") as f:
        f.write(
            f'[[sources]]\nname = "周刊源"\nurl = "{server.url("/wk/feed.xml")}"\nlang = "zh"\n'
        )
        # the seeds' publication, whose weekly carries its tags, sign-off and archive link
        f.write(f'[publication]\nprofile = "{PROJECT_DIR / "profiles" / "aicode.toml"}"\n')
    return config


def run_weekly(config: Path, out: Path, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = flows.weekly_digest(
        date=WEEK_DAY, config=str(config), output_dir=str(out), **kwargs
    )
    return result


def run_brief(config: Path, out: Path, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = flows.brief_digest(
        date=BRIEF_DAY, config=str(config), output_dir=str(out), **kwargs
    )
    return result


def record_urls(record: dict[str, Any]) -> set[str]:
    return {a["url"] for s in record["stories"] for a in s["articles"]}


@e2e
def test_weekly_flow_end_to_end(tmp_path: Path, server: TestServer, llm: FakeOpenAI) -> None:
    config, out = week_config(tmp_path, server), tmp_path / "output"
    summary = run_weekly(config, out)

    md_path = out / "weekly" / f"{WEEK_STEM}.md"
    md = md_path.read_text(encoding="utf-8")
    record = json.loads((out / "weekly" / f"{WEEK_STEM}.json").read_text(encoding="utf-8"))
    assert summary["draft"] == str(md_path)
    front = md.split("\n---\n", 1)[0]
    keys = re.findall(r"^(\w+):", front, flags=re.M)
    assert keys == ["title", "description", "date", "scheduled", "tags", "layout"]
    assert "title: 2026年第6周AI与科技动态周报\ndescription:\n" in md
    assert f"\ndate: {WEEK_DAY}\nscheduled: {WEEK_DAY}\ntags:\n  - AI\n  - Jeremy\n" in md
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == ["Highlights", "Detailed Coverage", "其他重要资讯", "总结", "相关阅读链接"]
    assert re.search(r"^- \*\*[^*]+\*\*，\S", md, flags=re.M)
    assert re.search(r"^来源：\[.+\]\(http://127\.0\.0\.1:\d+/", md, flags=re.M)
    assert re.search(r"^- \*\*[^*]+\*\*  \n  \S", md, flags=re.M)  # 其他重要资讯 hard break
    assert md.endswith("\n---\n\n- [AI news summary — 2026-06](../weekly_news/news_2026_06)\n")
    # every link points at a source article of the week, and the week is the right one
    urls = record_urls(record)
    assert set(re.findall(r"\]\((http[^)]+)\)", md)) <= urls
    assert {
        server.url("/wk/kimi.html"),
        server.url("/wk/robot.html"),
        server.url("/en/old"),
    } <= urls
    assert server.url("/wk/late.html") not in urls | {d["url"] for d in record["dropped"]}
    assert (record["format"], record["date"]) == ("weekly", WEEK_DAY)
    assert errors(md) == []
    # one relevance call for the articles the rules do not accept, one for the weekly's text
    kinds = [c.get("response_format", {}).get("json_schema", {}).get("name") for c in llm.calls]
    assert sorted(kinds) == ["relevance", "weekly"] and record["stats"]["llm_calls"] == 2
    assert summary["exit_code"] == 1  # the dead feed and the broken page


@e2e
def test_brief_flow_end_to_end(tmp_path: Path, server: TestServer, llm: FakeOpenAI) -> None:
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    summary = run_brief(config, out)

    md = (out / "brief" / f"{BRIEF_DAY}.md").read_text(encoding="utf-8")
    record = json.loads((out / "brief" / f"{BRIEF_DAY}.json").read_text(encoding="utf-8"))
    lines = md.splitlines()
    assert lines[:3] == ["# 2026年2月7日 AI行业动态", "", BRIEF_SPAN]
    categories = re.findall(r"^\*\*(.+)\*\*$", md, flags=re.M)
    assert "投融资与并购" in categories and set(categories) <= set(BRIEF_CATEGORIES)
    sources = re.findall(r"^来源出处:\[.+\]\((.+)\)$", md, flags=re.M)
    assert len(sources) == len(re.findall(r"^说明:", md, flags=re.M)) == 3
    assert set(sources) <= record_urls(record) and "\n要点:\n- " in md
    assert (record["format"], record["date"]) == ("brief", BRIEF_DAY)
    assert errors(md) == []
    assert summary["exit_code"] == 1  # the dead feed and the broken page


@e2e
@pytest.mark.parametrize("fmt", ["weekly", "brief"])
def test_no_llm_writes_a_marked_extractive_draft(
    fmt: str, tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    config, out = week_config(tmp_path, server), tmp_path / "output"
    summary = (run_weekly if fmt == "weekly" else run_brief)(config, out, no_llm=True)
    md = Path(summary["draft"]).read_text(encoding="utf-8")
    record = json.loads(Path(summary["record"]).read_text(encoding="utf-8"))
    assert llm.calls == [] and DEGRADED_MARK in md
    assert all("marker" in e for e in errors(md))
    assert any(s["degraded"] for s in record["stories"])
    assert summary["exit_code"] == 1


@e2e
def test_edited_weekly_survives_an_offline_rerun(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    config, out = week_config(tmp_path, server), tmp_path / "output"
    run_weekly(config, out)
    draft = out / "weekly" / f"{WEEK_STEM}.md"
    edited = draft.read_text(encoding="utf-8").replace("## 总结", "## 总结（编辑）")
    draft.write_text(edited, encoding="utf-8")
    before = len(server.log)
    summary = run_weekly(config, out, offline=True)
    assert len(server.log) == before
    assert draft.read_text(encoding="utf-8") == edited
    assert summary["draft"].endswith(f"{WEEK_STEM}.rerun-1.md")


@e2e
def test_cli_accepts_format_weekly_and_builds_from_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "digest.toml").write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    with Archive(tmp_path / "data" / flows.ARCHIVE_FILE) as archive:
        for article in (OPUS, WAYMO, ROBOT):
            archive.put_article(article)
    result = CliRunner().invoke(
        app, ["run", "--format", "weekly", "--date", WEEK_DAY, "--offline", "--no-llm"]
    )
    assert result.exit_code == 1, result.output  # a draft, marked for the editor
    md = (tmp_path / "output" / "weekly" / f"{WEEK_STEM}.md").read_text(encoding="utf-8")
    assert "Waymo完成160亿美元融资" in md and "weekly" in result.output
