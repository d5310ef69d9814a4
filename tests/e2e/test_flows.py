"""The Prefect flow end to end: loopback feeds and pages, the real openai client against a fake API.

One session-scoped Prefect test harness covers all flow runs (its temporary server
takes many seconds to start on a small machine).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pipeline.errors import NoDraft
from pipeline.flows import digest as flows
from pipeline.flows import run
from pipeline.flows.prefect_env import CONFIG_ENV
from pipeline.markdown.lint import lint_text
from pipeline.stories import cluster
from tests.day import DAY, E2E, PROFILES, page_html, serve_day, write_config
from tests.fake_openai import MODEL, FakeOpenAI, default_responder, fake_openai
from tests.markdown.test_fonts import needs_cjk_font
from tests.servers import Reply, TestServer

pytestmark = pytest.mark.usefixtures("prefect_harness")


def run_flow(config: Path, out: Path, **kwargs: Any) -> Any:
    summary: Any = flows.daily_digest(date=DAY, config=str(config), output_dir=str(out), **kwargs)
    return summary


def test_daily_flow_end_to_end(tmp_path: Path, server: TestServer, llm: FakeOpenAI) -> None:
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    summary = run_flow(config, out)

    md = (out / "daily" / f"{DAY}.md").read_text(encoding="utf-8")
    record = json.loads((out / "daily" / f"{DAY}.json").read_text(encoding="utf-8"))
    assert summary["draft"] == str(out / "daily" / f"{DAY}.md")
    # front matter exactly as the publication lays it out
    assert md.startswith("---\ntitle: ")
    keys = re.findall(r"^(\w+):", md.split("\n---\n", 1)[0], flags=re.M)
    assert keys == ["title", "date", "category", "tags", "seo", "coverImage", "summary"]
    assert f"\ndate: {DAY}\n" in md and "\ncategory: AI 日报\n" in md
    assert re.search(r"^### \[.+\]\(http://127\.0\.0\.1:\d+/", md, flags=re.M)
    assert "**深度解读 & 洞察：**" in md
    # a fresh install publishes no other publication's card: no footer, a final newline
    assert md.endswith("\n") and "<div" not in md and 'coverImage: ""' in md
    # the record accounts for every article of the window
    urls_in_stories = {a["url"] for s in record["stories"] for a in s["articles"]}
    dropped = {d["url"]: d for d in record["dropped"]}
    window_paths = [
        "/zh/opus46.html",
        "/en/opus46",
        "/zh/waymo.html",
        "/zh/waymo-2.html",
        "/zh/opus46-repost.html",
        "/zh/oil.html",
        "/en/codex",
    ]
    for path in window_paths:
        assert server.url(path) in urls_in_stories | set(dropped), path
    assert server.url("/en/old") not in urls_in_stories | set(dropped)
    assert dropped[server.url("/zh/oil.html")]["reason"] == "off-topic"
    repost = dropped[server.url("/zh/opus46-repost.html")]
    assert repost["reason"] == "duplicate" and repost["of"] == server.url("/zh/opus46.html")
    # the same news in Chinese and English is one story
    opus = [
        s
        for s in record["stories"]
        if server.url("/zh/opus46.html") in {a["url"] for a in s["articles"]}
    ]
    assert len(opus) == 1 and server.url("/en/opus46") in {a["url"] for a in opus[0]["articles"]}
    # failures: the dead feed and the broken page, with readable reasons
    failed = {(f["stage"], f["url"]) for f in record["failures"]}
    assert ("feed", server.url("/dead/feed.xml")) in failed
    assert ("page", server.url("/zh/broken.html")) in failed
    # articles whose text is not a full page extraction say so, by URL
    assert record["stats"]["extraction_notes"] == len(record["notes"]) > 0
    assert set(record["notes"]) <= urls_in_stories | set(dropped)
    assert record["stats"]["llm_calls"] == len(llm.calls) > 0
    assert record["stats"]["prompt_tokens"] > 0
    assert summary["exit_code"] == 1  # a draft, with failures to look at
    # the generated draft is publishable as far as format goes: digest lint finds no error
    assert summary["problems"] == []
    assert [p for p in lint_text(md) if p.severity == "error"] == []


def test_rerun_uses_archive_and_llm_cache(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    clusterings: list[int] = []
    build = cluster.build_stories

    def counted(*args: Any, **kwargs: Any) -> Any:
        clusterings.append(len(args[0]))
        return build(*args, **kwargs)

    monkeypatch.setattr(run, "build_stories", counted)
    run_flow(config, out)
    calls, page_hits = len(llm.calls), len(server.requests_to("/zh/waymo.html"))
    first = (out / "daily" / f"{DAY}.md").read_text(encoding="utf-8")
    clustered = len(clusterings)

    run_flow(config, out)
    assert clustered >= 1 and len(clusterings) == clustered  # the stored clusters are reused
    assert len(llm.calls) == calls  # zero LLM calls on an unchanged rerun
    assert len(server.requests_to("/zh/waymo.html")) == page_hits  # archived: not fetched again
    feed_requests = server.requests_to("/zh/feed.xml")
    assert len(feed_requests) == 2
    assert (out / "daily" / f"{DAY}.md").read_text(encoding="utf-8") == first


def test_offline_rerun_needs_no_network(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    run_flow(config, out)
    before = len(server.log)
    (out / "daily" / f"{DAY}.md").unlink()
    run_flow(config, out, offline=True)
    assert len(server.log) == before
    assert (out / "daily" / f"{DAY}.md").is_file()


def test_edited_draft_survives_rerun(tmp_path: Path, server: TestServer, llm: FakeOpenAI) -> None:
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    run_flow(config, out)
    draft = out / "daily" / f"{DAY}.md"
    edited = draft.read_text(encoding="utf-8").replace("# ", "# 编辑修改：", 1)
    draft.write_text(edited, encoding="utf-8")
    summary = run_flow(config, out)
    assert draft.read_text(encoding="utf-8") == edited
    assert summary["draft"].endswith(f"{DAY}.rerun-1.md")
    assert "editor changes" in summary["note"]


@needs_cjk_font
def test_a_publications_profile_gives_its_front_matter_footer_and_cover(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f'[publication]\nprofile = "{PROFILES / "other.toml"}"\n')
    summary = run_flow(config, out)
    md = (out / "daily" / f"{DAY}.md").read_text(encoding="utf-8")
    assert "\ncategory: AI 早报\n" in md and '\ntags: ["人工智能","早报"]\n' in md
    assert md.endswith("\n\n---\n\n*机器之眼 AI 早报 · 2026年2月7日 · 转载请注明出处*\n")
    assert f'\ncoverImage: "https://img.example.org/digest/daily/img/{DAY}.png"\n' in md
    with Image.open(out / "daily" / "img" / f"{DAY}.png") as cover:
        assert cover.size == (800, 420)
    assert summary["problems"] == []


def test_no_llm_writes_extractive_draft(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    summary = run_flow(config, out, no_llm=True)
    md = (out / "daily" / f"{DAY}.md").read_text(encoding="utf-8")
    assert llm.calls == []
    assert "【待编辑】" in md
    assert summary["exit_code"] == 1


CHIP_MARKET = {
    "path": "/zh/chips.html",
    "feed": "zh",
    "pub": "Fri, 06 Feb 2026 17:30:00 +0800",
    "title": "半导体行业景气度回升",
    "paras": [
        "多家半导体公司财报显示，芯片需求回暖，存储价格上涨。",
        "分析人士认为，消费电子库存去化接近尾声，行业有望在下半年继续复苏。",
    ],
}


def test_llm_judges_articles_the_rules_cannot_decide(
    tmp_path: Path, server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles the rules do not accept go to batched calls; a 'no' drops them as off-topic."""

    def responder(body: dict[str, Any]) -> str:
        answer = json.loads(default_responder(body))
        if "items" in answer:  # the relevance call: nothing here is AI news
            answer["items"] = [{**item, "category": "other"} for item in answer["items"]]
        return json.dumps(answer, ensure_ascii=False)

    serve_day(server, extra=[CHIP_MARKET])
    with fake_openai(responder=responder) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("DIGEST_MODEL", MODEL)
        config, out = write_config(tmp_path, server), tmp_path / "output"
        run_flow(config, out)
        judged = [
            json.dumps(c["messages"], ensure_ascii=False)
            for c in fake.calls
            if c.get("response_format", {}).get("json_schema", {}).get("name") == "relevance"
        ]
    record = json.loads((out / "daily" / f"{DAY}.json").read_text(encoding="utf-8"))
    dropped = {d["url"]: (d["reason"], d["by"]) for d in record["dropped"]}
    assert dropped[server.url("/zh/chips.html")] == ("off-topic", "llm")
    assert judged and all("<item id=" in j for j in judged)
    in_stories = {a["url"] for s in record["stories"] for a in s["articles"]}
    assert server.url("/zh/opus46.html") in in_stories  # the rules accepted it: never asked
    assert not any("Anthropic发布Claude Opus 4.6" in j for j in judged)
    assert record["stats"]["relevance_llm_off"] >= 1


def dead_feed_config(tmp_path: Path, server: TestServer) -> Path:
    """A config whose only source answers 404: a night with nothing to write."""
    server.route("/dead/feed.xml", Reply(status=404, body="gone"))
    config = tmp_path / "digest.toml"
    config.write_text(
        f"""
data_dir = "{tmp_path / "data"}"
[network]
allow_hosts = ["127.0.0.1"]
[[sources]]
name = "Dead Feed"
url = "{server.url("/dead/feed.xml")}"
lang = "en"
""",
        encoding="utf-8",
    )
    return config


def test_no_article_means_no_draft_and_exit_2(tmp_path: Path, server: TestServer) -> None:
    config = dead_feed_config(tmp_path, server)
    with pytest.raises(NoDraft) as raised:
        run_flow(config, tmp_path / "output", no_llm=True)
    summary = raised.value.summary
    assert summary["exit_code"] == 2 and summary["draft"] is None
    assert "no draft written" in summary["note"] and "every feed failed (1 of 1)" in summary["note"]
    assert [f["stage"] for f in summary["failures"]] == ["feed"]
    record = json.loads((tmp_path / "output" / "daily" / f"{DAY}.json").read_text("utf-8"))
    assert summary["record"].endswith(f"{DAY}.json") and record["stories"] == []
    assert [f["stage"] for f in record["failures"]] == ["feed"]
    assert not (tmp_path / "output" / "daily" / f"{DAY}.md").exists()


def test_run_summary_is_a_prefect_markdown_artifact(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    serve_day(server)
    run_flow(write_config(tmp_path, server), tmp_path / "output")
    key = f"daily-digest-{DAY}"
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(  # the newest: other tests of the session use the key too
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert found and found[0].type == "markdown"
    text = str(found[0].data)
    assert "| LLM |" in text and "## Failures" in text and "dead/feed.xml" in text


WAYMO_REPOST_NEXT_DAY = {
    "path": "/zh/waymo-repost.html",
    "feed": "zh",
    "pub": "Sat, 07 Feb 2026 10:00:00 +0800",
    "title": "Waymo完成160亿美元融资，估值1260亿美元",
    "paras": [
        "本文转载自科技新闻。",
        "自动驾驶公司Waymo宣布完成160亿美元融资，估值达到1260亿美元，较两年前的450亿美元增长近两倍。",
        "Waymo的无人驾驶出租车已在旧金山、菲尼克斯、洛杉矶、迈阿密运营。",
    ],
}


def test_next_day_repost_of_a_published_story_is_already_covered(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    serve_day(server, extra=[WAYMO_REPOST_NEXT_DAY])
    config, out = write_config(tmp_path, server), tmp_path / "output"
    run_flow(config, out)  # 2026-02-07: Waymo's round is a main story
    first = json.loads((out / "daily" / f"{DAY}.json").read_text(encoding="utf-8"))
    assert any("Waymo" in s["title"] for s in first["stories"])

    with pytest.raises(NoDraft) as raised:
        flows.daily_digest(date="2026-02-08", config=str(config), output_dir=str(out))
    summary = raised.value.summary
    second = json.loads((out / "daily" / "2026-02-08.json").read_text(encoding="utf-8"))
    dropped = {d["url"]: d["reason"] for d in second["dropped"]}
    assert dropped == {server.url("/zh/waymo-repost.html"): "already-covered"}
    assert summary["exit_code"] == 2 and summary["draft"] is None and second["stories"] == []


def test_backfill_runs_each_date_and_returns_the_worst_exit_code(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`digest run --from 2026-02-07 --to 2026-02-08`: the first day has news, the second none."""
    from datetime import date as Date

    from prefect.settings import PREFECT_API_URL
    from rich.console import Console

    from pipeline.config import load_settings
    from pipeline.flows.runner import run_days

    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))  # the harness's server
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    settings = load_settings(
        config, env={"OPENAI_API_KEY": "sk-test"}, overrides={"output_dir": str(out)}
    )
    console = Console(record=True, width=120)
    days = [Date(2026, 2, 7), Date(2026, 2, 8)]
    code = run_days(
        settings,
        days,
        "daily",
        offline=False,
        no_llm=True,
        force=False,
        config=config,
        console=console,
        debug=False,
    )
    assert code == 2  # the worst of the two runs: 1 (draft with failures) and 2 (no draft)
    assert (out / "daily" / "2026-02-07.md").is_file()
    assert not (out / "daily" / "2026-02-08.md").exists()
    assert (out / "daily" / "2026-02-08.json").is_file()
    text = console.export_text()
    assert "daily 2026-02-07" in text and "no draft written" in text


# --- what Prefect's API says about a night ---------------------------------------------


def final_state(state: Any) -> Any:
    """The flow run's state as the Prefect server stored it."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(state.state_details.flow_run_id).state


def clean_world(server: TestServer) -> None:
    """The fixture day without its broken page: a night with nothing to complain about."""
    serve_day(server)
    articles = json.loads((E2E / "articles.json").read_text(encoding="utf-8"))
    broken = next(a for a in articles if a.get("status", 200) != 200)
    text = [
        f"{broken['title']}：新一代AI推理芯片今日发布，单卡推理性能较上一代提升一倍，功耗下降三成。"
    ]
    server.route(broken["path"], Reply(body=page_html(broken["title"], text)))


def test_states_of_a_clean_a_problem_and_a_no_draft_night(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    """Through the API: Completed; CompletedWithProblems, with the artifact; Failed with why."""
    clean_world(server)
    clean_config = write_config(tmp_path, server)
    text = clean_config.read_text(encoding="utf-8")
    clean_config.write_text(text.split('[[sources]]\nname = "Dead Feed"')[0], encoding="utf-8")
    clean = final_state(run_flow(clean_config, tmp_path / "output", return_state=True))
    (tmp_path / "p").mkdir()
    problem_config = write_config(tmp_path / "p", server)
    problems = final_state(run_flow(problem_config, tmp_path / "p" / "out", return_state=True))
    (tmp_path / "n").mkdir()
    none_config = dead_feed_config(tmp_path / "n", server)
    none = final_state(run_flow(none_config, tmp_path / "n" / "out", return_state=True))
    record = (tmp_path / "output" / "daily" / f"{DAY}.json").read_text(encoding="utf-8")
    assert (clean.type.value, clean.name) == ("COMPLETED", "Completed"), record
    assert (problems.type.value, problems.name) == ("COMPLETED", flows.PROBLEMS_STATE)
    assert "needs a look: 1 failed feed or page" in (problems.message or "")
    assert (none.type.value, none.name) == ("FAILED", "Failed")
    assert (
        "no draft written" in (none.message or "") and "every feed failed (1 of 1)" in none.message
    )


def test_no_api_key_fails_before_any_fetch(tmp_path: Path, server: TestServer) -> None:
    serve_day(server)
    from pipeline.errors import MissingAPIKeyError

    with pytest.raises(MissingAPIKeyError):
        run_flow(write_config(tmp_path, server), tmp_path / "output")
    assert server.log == []


DEPLOYMENT_ENV = "PREFECT__RUNTIME__DEPLOYMENT__ID"  # Prefect's override: a run "from a deployment"


def test_a_deployment_run_without_an_explicit_config_fails_with_the_reason(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEPLOYMENT_ENV, "6f2b9c3e-0000-4000-8000-000000000000")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # a worker's directory without digest.toml
    state = final_state(flows.daily_digest(date=DAY, return_state=True))
    assert state.type.value == "FAILED"
    assert "a deployment run needs an explicit config" in (state.message or "")
    assert server.log == [] and llm.calls == []
