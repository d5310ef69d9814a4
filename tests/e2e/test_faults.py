"""Fault injection through the real flow: every way the web breaks is recorded, the run goes on.

A loopback server serves good feeds and pages next to slow, failing, resetting,
looping, huge, binary and malformed ones; the flow must write a draft, list each
fault in the record's ``failures`` with a readable reason, keep every good article,
refuse unsafe links without any traffic leaving the machine, rerun with conditional
requests, and stay within the deadline when a server hangs.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipeline.flows import digest as flows
from pipeline.store.archive import Archive
from tests.servers import Handler, Reply, Request, TestServer, serve

FAULTS = Path(__file__).resolve().parents[1] / "fixtures" / "faults"
DAY = "2026-02-07"
ETAG = '"zh-feed-v1"'
LAST_MODIFIED = "Fri, 06 Feb 2026 16:00:00 GMT"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
HUGE = 50_000_000
RSS_TYPE = "application/rss+xml"

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Good pages: path → (fixture, Content-Type). The GBK pages give no HTTP charset.
GOOD_PAGES = {
    "/zh/deepseek-v4.html": ("deepseek_v4.html", "text/html; charset=utf-8"),
    "/zh/gbk-wenxin.html": ("gbk_wenxin_undeclared.html", "text/html"),
    "/zh/gbk-qwen.html": ("gbk_qwen_meta.html", "text/html"),
    "/broken/nvidia-rubin.html": ("nvidia_rubin.html", "text/html; charset=utf-8"),
    "/en/gemini-3-flash": ("gemini_3_flash.html", "text/html; charset=utf-8"),
}

# Broken pages linked from zh_feed.xml: path → (reply, a word the failure must say).
BAD_PAGES: dict[str, tuple[Reply, str]] = {
    "/zh/slow.html": (Reply(body="<p>late</p>", delay=8), "timed out"),
    "/zh/error-500.html": (Reply(status=500, body="oops"), "HTTP 500"),
    "/zh/gone-404.html": (Reply(status=404, body="gone"), "HTTP 404"),
    "/zh/reset.html": (Reply(body="<p>" + "断" * 2000 + "</p>", fault="reset"), "connection"),
    "/zh/loop-a.html": (Reply(status=302, headers={"Location": "/zh/loop-b.html"}), "redirect"),
    "/zh/huge.html": (Reply(stream_bytes=HUGE), "larger than 5 MB"),
    "/zh/chart.png": (Reply(body=PNG, content_type="image/png"), "not HTML"),
}

# Links the URL policy refuses (no request may leave the machine): url → stage, word.
REFUSED_LINKS = {
    "file:///etc/passwd": ("feed", "scheme 'file' not allowed"),
    "http://10.0.0.1/x": ("page", "not allowed"),
    "http://localhost.invalid/news/1.html": ("page", "not allowed"),
}

# Broken feeds: path → (reply, word); and sources that are refused before any request.
BAD_FEEDS: dict[str, tuple[Reply, str]] = {
    "/feeds/error-500.xml": (Reply(status=500, body="oops"), "HTTP 500"),
    "/feeds/gone-404.xml": (Reply(status=404, body="gone"), "HTTP 404"),
    "/feeds/slow.xml": (Reply(body="<rss>" + " " * 200, fault="trickle"), "timed out"),
    "/feeds/reset.xml": (Reply(body="<rss>" + " " * 4000, fault="reset"), "connection"),
    "/feeds/loop.xml": (Reply(status=301, headers={"Location": "/feeds/loop.xml"}), "redirect"),
    "/feeds/huge.xml": (Reply(stream_bytes=HUGE, content_type=RSS_TYPE), "larger than 5 MB"),
    "/feeds/logo.png": (Reply(body=PNG, content_type="image/png"), "not a feed"),
}
# (a source whose URL is not http(s), e.g. file:///etc/hosts, is refused by the config
# itself: tests/test_config.py)
REFUSED_FEEDS = {
    "http://10.0.0.1/feed.xml": "not allowed",
    "http://localhost.invalid/feed.xml": "not allowed",
}


@dataclass
class NetLog:
    """Every name lookup and socket connect made in this process while it is active."""

    lookups: list[str] = field(default_factory=list)
    connects: list[str] = field(default_factory=list)


@dataclass
class Run:
    """One flow run: its summary, its record and how long it took."""

    summary: dict[str, Any]
    record: dict[str, Any]
    seconds: float


@dataclass
class FaultDay:
    """The first run of the fault day, shared by the tests that look at it."""

    server: TestServer
    config: Path
    out: Path
    data: Path
    run: Run
    net: NetLog
    not_modified: list[str] = field(default_factory=list)  # feed paths answered with 304


def fixture_text(name: str, base: str) -> str:
    """A text fixture with the server's base URL filled in."""
    return (FAULTS / name).read_text(encoding="utf-8").replace("{base}", base)


def conditional(
    body: str, *, etag: str | None, answered_304: list[str], content_type: str = RSS_TYPE
) -> Handler:
    """A feed that sends validators and answers 304 to a request that presents them."""
    headers = {"Last-Modified": LAST_MODIFIED} | ({"ETag": etag} if etag else {})

    def answer(request: Request) -> Reply:
        sent = {key.lower(): value for key, value in request.headers.items()}
        fresh = (
            sent.get("if-none-match") == etag
            if etag
            else (sent.get("if-modified-since") == LAST_MODIFIED)
        )
        if fresh:
            answered_304.append(request.path)
            return Reply(status=304, headers=headers, content_type=None)
        return Reply(body=body, headers=headers, content_type=content_type)

    return answer


def serve_faults(server: TestServer, answered_304: list[str]) -> list[tuple[str, str, str]]:
    """Route the fault day on the server; return the sources as (name, url, lang)."""
    base = server.base
    for path, (name, content_type) in GOOD_PAGES.items():
        server.route(path, Reply(body=(FAULTS / name).read_bytes(), content_type=content_type))
    for path, (reply, _) in {**BAD_PAGES, **BAD_FEEDS}.items():
        server.route(path, reply)
    server.route("/zh/loop-b.html", Reply(status=302, headers={"Location": "/zh/loop-a.html"}))
    zh = fixture_text("zh_feed.xml", base)
    en = fixture_text("en_feed.xml", base)
    server.route("/zh/feed.xml", conditional(zh, etag=ETAG, answered_304=answered_304))
    server.route(
        "/en/feed.xml",
        conditional(en, etag=None, answered_304=answered_304, content_type="application/atom+xml"),
    )
    server.route(
        "/feeds/malformed.xml",
        Reply(body=fixture_text("malformed_feed.xml", base), content_type=RSS_TYPE),
    )
    server.route(
        "/feeds/home.html", Reply(body=fixture_text("homepage_instead_of_feed.html", base))
    )
    sources = [
        ("科技前沿", server.url("/zh/feed.xml"), "zh"),
        ("AI Wire", server.url("/en/feed.xml"), "en"),
        ("Broken Wire", server.url("/feeds/malformed.xml"), "zh"),
        ("Moved Feed", server.url("/feeds/home.html"), "zh"),
    ]
    sources += [(f"Bad {path}", server.url(path), "en") for path in BAD_FEEDS]
    sources += [(f"Refused {url}", url, "en") for url in REFUSED_FEEDS]
    return sources


def write_config(tmp_path: Path, sources: list[tuple[str, str, str]], **network: Any) -> Path:
    """A digest.toml with the given sources, loopback allowed, short timeouts."""
    net = {
        "allow_hosts": ["127.0.0.1"],
        "politeness_delay": 0,
        "connect_timeout": 2,
        "deadline": 3,
        "retries": 1,
    } | network
    lines = [f"data_dir = {json.dumps(str(tmp_path / 'data'))}", "[network]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in net.items()]
    lines += ["[digest]", "main_stories = 8"]
    for name, url, lang in sources:
        lines += [
            "[[sources]]",
            f"name = {json.dumps(name, ensure_ascii=False)}",
            f"url = {json.dumps(url)}",
            f'lang = "{lang}"',
        ]
    config = tmp_path / "digest.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def run_flow(config: Path, out: Path) -> Run:
    """Run the daily flow (extractive, no LLM) and read its record."""
    started = time.monotonic()
    summary = flows.daily_digest(date=DAY, config=str(config), output_dir=str(out), no_llm=True)
    seconds = time.monotonic() - started
    record = json.loads((out / "daily" / f"{DAY}.json").read_text(encoding="utf-8"))
    return Run(summary=summary, record=record, seconds=seconds)


@pytest.fixture(scope="module")
def net_watch() -> Iterator[NetLog]:
    """Record name lookups and connects (the flow's tasks run in this process's threads)."""
    log = NetLog()
    real_lookup, real_connect = socket.getaddrinfo, socket.socket.connect

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        log.lookups.append(str(host))
        return real_lookup(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            log.connects.append(str(address[0]))
        real_connect(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", lookup)
        patch.setattr(socket.socket, "connect", connect)
        yield log


@pytest.fixture(scope="module")
def fault_day(
    prefect_harness: None, net_watch: NetLog, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultDay]:
    """Serve the fault day and run the flow over it once."""
    tmp_path = tmp_path_factory.mktemp("faults")
    for server in serve():
        answered_304: list[str] = []
        config = write_config(tmp_path, serve_faults(server, answered_304))
        out = tmp_path / "output"
        run = run_flow(config, out)
        yield FaultDay(server, config, out, tmp_path / "data", run, net_watch, answered_304)


def failures_by_url(record: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The run's failures by URL; ``file:`` URLs without their slashes (feedparser drops one)."""
    return {loose(f["url"]): f for f in record["failures"]}


def loose(url: str) -> str:
    return re.sub(r"^file:/*", "file:", url)


def test_run_completes_and_writes_a_draft(fault_day: FaultDay) -> None:
    draft = fault_day.out / "daily" / f"{DAY}.md"
    assert fault_day.run.summary["draft"] == str(draft)
    assert draft.read_text(encoding="utf-8").startswith("---\ntitle: ")
    assert fault_day.run.summary["exit_code"] == 1  # a draft, with failures to look at


@pytest.mark.parametrize(("path", "word"), [(p, w) for p, (_, w) in BAD_PAGES.items()])
def test_every_broken_page_is_a_failure_with_its_reason(
    fault_day: FaultDay, path: str, word: str
) -> None:
    failure = failures_by_url(fault_day.run.record)[fault_day.server.url(path)]
    assert failure["stage"] == "page" and word in failure["error"], failure


@pytest.mark.parametrize(
    ("path", "word"),
    [
        *((p, w) for p, (_, w) in BAD_FEEDS.items()),
        ("/feeds/malformed.xml", "malformed XML"),
        ("/feeds/home.html", "not a feed"),
    ],
)
def test_every_broken_feed_is_a_failure_with_its_reason(
    fault_day: FaultDay, path: str, word: str
) -> None:
    failure = failures_by_url(fault_day.run.record)[fault_day.server.url(path)]
    assert failure["stage"] == "feed" and word in failure["error"], failure


@pytest.mark.parametrize(
    ("url", "stage", "word"),
    [
        *((u, s, w) for u, (s, w) in REFUSED_LINKS.items()),
        *((u, "feed", w) for u, w in REFUSED_FEEDS.items()),
    ],
)
def test_unsafe_links_are_refused_by_policy(
    fault_day: FaultDay, url: str, stage: str, word: str
) -> None:
    failure = failures_by_url(fault_day.run.record)[loose(url)]
    assert failure["stage"] == stage and word in failure["error"], failure


def test_refused_links_send_nothing_off_the_machine(fault_day: FaultDay) -> None:
    assert fault_day.net.connects, "the connect watch saw nothing: it is not working"
    assert all(ipaddress.ip_address(host).is_loopback for host in fault_day.net.connects)
    assert not any(host.endswith(".invalid") for host in fault_day.net.lookups)
    record = fault_day.run.record
    published = {a["url"] for s in record["stories"] for a in s["articles"]}
    assert not published & set(REFUSED_LINKS)  # not even with the feed's text


def test_every_good_article_is_in_a_story_or_dropped(fault_day: FaultDay) -> None:
    record = fault_day.run.record
    accounted = {a["url"] for s in record["stories"] for a in s["articles"]}
    accounted |= {d["url"] for d in record["dropped"]}
    for path in GOOD_PAGES:
        assert fault_day.server.url(path) in accounted, path
    failed = {f["url"] for f in record["failures"]}
    assert not failed & {fault_day.server.url(path) for path in GOOD_PAGES}


@pytest.mark.parametrize(
    ("path", "title", "sentence"),
    [
        (
            "/zh/gbk-wenxin.html",
            "百度发布文心大模型5.0：原生全模态架构",
            "百度表示，新模型在多项中文理解与生成评测中领先，推理成本较上一代下降约六成",
        ),
        (
            "/zh/gbk-qwen.html",
            "阿里开源通义千问Qwen3.5：多项评测超越同级模型",
            "Qwen3.5旗舰模型在MMLU-Pro、LiveCodeBench等评测中超越同级别开源模型",
        ),
    ],
)
def test_gbk_pages_decode_correctly(
    fault_day: FaultDay, path: str, title: str, sentence: str
) -> None:
    url = fault_day.server.url(path)
    with Archive(fault_day.data / "archive.sqlite3") as archive:
        article = archive.get_article(url)
    assert article is not None and article.text_source == "page"
    assert sentence in article.text and "\ufffd" not in article.text
    md = (fault_day.out / "daily" / f"{DAY}.md").read_text(encoding="utf-8")
    assert title in md


def test_rerun_is_conditional_and_fetches_no_archived_article(fault_day: FaultDay) -> None:
    server = fault_day.server
    first_requests = len(server.log)
    with Archive(fault_day.data / "archive.sqlite3") as archive:
        archived = archive.known_urls(server.url(r.path) for r in server.log)

    rerun = run_flow(fault_day.config, fault_day.out)

    zh_feed, en_feed = server.requests_to("/zh/feed.xml"), server.requests_to("/en/feed.xml")
    assert header(zh_feed[-1], "If-None-Match") == ETAG
    assert header(en_feed[-1], "If-Modified-Since") == LAST_MODIFIED
    assert sorted(fault_day.not_modified) == ["/en/feed.xml", "/zh/feed.xml"]
    assert rerun.record["stats"]["feeds_not_modified"] == 2
    again = [r.path for r in server.log[first_requests:] if server.url(r.path) in archived]
    assert again == []
    assert all(len(server.requests_to(path)) == 1 for path in GOOD_PAGES)
    assert rerun.summary["draft"] == str(fault_day.out / "daily" / f"{DAY}.md")


def header(request: Request, name: str) -> str | None:
    """A request header, whatever case the client sent it in."""
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


# --- hanging servers -------------------------------------------------------------------

HANGING_PAGES = 6


def test_hanging_feed_and_pages_stay_within_the_deadline(
    tmp_path: Path, server: TestServer
) -> None:
    deadline, retries = 3.0, 1
    for hanging in serve():  # a second server: the one that hangs, on its own port
        hanging.route("/feed.xml", Reply(fault="hang"))
        items = "".join(
            f"<item><title>OpenAI 发布第 {i} 个 AI 智能体大模型</title>"
            f"<link>{hanging.url(f'/p/{i}.html')}</link>"
            f"<pubDate>Fri, 06 Feb 2026 1{i}:00:00 +0800</pubDate>"
            f"<description>OpenAI 发布新的 AI 大模型智能体，服务器不回应。</description></item>"
            for i in range(HANGING_PAGES)
        )
        for i in range(HANGING_PAGES):
            hanging.route(f"/p/{i}.html", Reply(fault="hang"))
        server.route(
            "/zh/feed.xml",
            Reply(
                body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>挂起</title>'
                f"<link>{server.base}/</link>{items}</channel></rss>",
                content_type=RSS_TYPE,
            ),
        )
        sources = [
            ("Hanging pages", server.url("/zh/feed.xml"), "zh"),
            ("Hanging feed", hanging.url("/feed.xml"), "zh"),
        ]
        config = write_config(tmp_path, sources, deadline=deadline, retries=retries)
        run = run_flow(config, tmp_path / "output")

        failures = failures_by_url(run.record)
        assert "timed out after 3 s" in failures[hanging.url("/feed.xml")]["error"]
        for i in range(HANGING_PAGES):
            assert "timed out" in failures[hanging.url(f"/p/{i}.html")]["error"]
        # One round of timeouts per stage, not one per page: a hung server is given up on.
        # The deadline covers a URL's retries too: the first attempt spent all of it.
        assert len(hanging.requests_to("/feed.xml")) == 1
        assert len([r for r in hanging.log if r.path.startswith("/p/")]) <= 2 * (retries + 1)
        # feeds, then pages: each bounded by about one deadline
        assert run.seconds < 2 * deadline + 25, run.seconds
