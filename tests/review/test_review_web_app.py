"""The review page over HTTP (Starlette's test client): pages, safety, saves, actions."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from pipeline.config import PROJECT_DIR
from pipeline.markdown.parse import parse
from pipeline.models import Article, article_id
from pipeline.publish.drafts import draft_state, generated_path
from pipeline.review.web.app import CSP, create_app
from pipeline.review.web.pages import Site
from pipeline.review.web.saving import lock_key
from pipeline.review.web.sources import story_sources
from pipeline.review.web.view import build_view
from pipeline.store.archive import Archive, archive_path
from pipeline.store.files import run_lock, sha256_text
from tests.conftest import SEEDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "review"
FLAGGED = (FIXTURES / "flagged_daily.md").read_text(encoding="utf-8")
HOSTILE = (FIXTURES / "hostile_daily.md").read_text(encoding="utf-8")
DAY = "2026-02-07"
TOKEN = "test-token-123"
WAYMO = "https://example.com/zh/waymo.html"
OPUS = "https://example.com/en/opus46"


def article(url: str, title: str, text: str, source: str = "科技新闻") -> Article:
    moment = datetime(2026, 2, 6, 3, 5, tzinfo=UTC)
    return Article(
        id=article_id(url),
        url=url,
        source=source,
        lang="zh",
        title=title,
        published=moment,
        text=text,
        first_seen=moment,
    )


ARTICLES = [
    article(
        WAYMO,
        "Waymo完成160亿美元融资",
        "自动驾驶公司Waymo宣布完成160亿美元融资，估值达到1260亿美元。"
        "Waymo计划2026年进入十多个美国城市。<script>window.pwned=1</script>无关的一句话。",
    ),
    article(
        OPUS,
        "Claude Opus 4.6 <img src=x onerror=alert(1)>",
        "Anthropic released Claude Opus 4.6 on February 5. On MRCR v2 it scored 76%, "
        "compared with 18.5% for its predecessor.",
        source="Tech Daily",
    ),
]


def record_for(markdown: str) -> dict[str, object]:
    return {
        "date": DAY,
        "format": "daily",
        "stories": [
            {
                "id": "w",
                "title": "Waymo 完成 160 亿美元融资，估值达 1260 亿美元",
                "section": "capital",
                "placement": "main",
                "articles": [
                    {"url": WAYMO, "title": "Waymo完成160亿美元融资", "source": "科技新闻"}
                ],
                "unsupported": ["数字 3900 亿美元 不见于来源"],
                "degraded": False,
                "facts": [{"label": "融资规模", "sources": [WAYMO]}],
            },
            {
                "id": "o",
                "title": "Anthropic 发布 Claude Opus 4.6",
                "section": "models",
                "placement": "main",
                "articles": [
                    {
                        "url": OPUS,
                        "title": "Claude Opus 4.6 <img src=x onerror=alert(1)>",
                        "source": "Tech Daily",
                    },
                    {"url": "javascript:alert(9)", "title": "bad link", "source": "x"},
                ],
            },
        ],
        "dropped": [{"url": "https://example.com/oil", "reason": "off-topic", "title": "油价上涨"}],
        "failures": [{"url": "https://example.com/broken", "stage": "page", "error": "HTTP 500"}],
        "notes": {WAYMO: "extraction empty; used the feed's content"},
        "stats": {"llm_calls": 3},
        "markdown_sha256": sha256_text(markdown),
    }


@pytest.fixture
def site(tmp_path: Path) -> Site:
    folder = tmp_path / "output" / "daily"
    folder.mkdir(parents=True)
    (folder / f"{DAY}.md").write_text(FLAGGED, encoding="utf-8")
    generated_path(folder / f"{DAY}.md").parent.mkdir()
    generated_path(folder / f"{DAY}.md").write_text(FLAGGED, encoding="utf-8")
    (folder / f"{DAY}.json").write_text(json.dumps(record_for(FLAGGED)), encoding="utf-8")
    (folder / "2026-02-08.md").write_text(HOSTILE, encoding="utf-8")
    empty = {
        "date": "2026-02-05",
        "format": "daily",
        "stories": [],
        "dropped": [{"url": "u1", "reason": "off-topic"}, {"url": "u2", "reason": "duplicate"}],
        "failures": [{"url": "f", "stage": "feed", "error": "404"}],
    }
    (folder / "2026-02-05.json").write_text(json.dumps(empty), encoding="utf-8")
    data = tmp_path / "data"
    with Archive(archive_path(data)) as archive:
        for item in ARTICLES:
            archive.put_article(item)
    return Site(
        output_dir=tmp_path / "output", data_dir=data, templates_dir=PROJECT_DIR / "templates"
    )


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    app = create_app(site, TOKEN, start="/daily/", port=8788)
    with TestClient(app, base_url="http://127.0.0.1:8788", follow_redirects=False) as c:
        assert c.get(f"/daily/?token={TOKEN}").status_code == 303
        yield c


def draft_file(site: Site, stem: str = DAY) -> Path:
    return site.output_dir / "daily" / f"{stem}.md"


def form_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(token|base)" value="([^"]*)"', html))


def post(
    client: TestClient, path: str, data: dict[str, str], **headers: str
) -> Any:  # starlette's client answers with httpx2's or httpx's Response
    return client.post(path, data=data, headers=headers)


# --- access ------------------------------------------------------------------------------


def test_every_page_needs_the_token(site: Site) -> None:
    app = create_app(site, TOKEN, port=8788)
    with TestClient(app, base_url="http://127.0.0.1:8788", follow_redirects=False) as c:
        assert c.get(f"/daily/{DAY}").status_code == 403
        assert c.get("/static/review.js").status_code == 403
        assert c.get(f"/daily/{DAY}?token=wrong").status_code == 403
        entry = c.get(f"/daily/{DAY}?token={TOKEN}&story=s0.0")
        assert entry.status_code == 303
        assert entry.headers["location"] == f"/daily/{DAY}?story=s0.0"  # token leaves the URL
        cookie = entry.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get(f"/daily/{DAY}").status_code == 200


def test_other_host_headers_are_refused(client: TestClient) -> None:
    response = client.get(f"/daily/{DAY}", headers={"host": "evil.example:8788"})
    assert response.status_code == 400
    assert client.get(f"/daily/{DAY}", headers={"host": "localhost:8788"}).status_code == 200


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in (f"/daily/{DAY}", "/daily/", "/static/review.css", "/daily/nope"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CSP
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP


@pytest.mark.parametrize(
    "path", ["/daily/..%2F..%2Fetc%2Fpasswd", "/daily/2026-02-07.md", "/x/2026-02-07"]
)
def test_no_path_outside_the_drafts(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


# --- pages -------------------------------------------------------------------------------


def test_dates_list_states_and_why_there_is_no_draft(client: TestClient, site: Site) -> None:
    html = client.get("/daily/").text
    assert f'href="/daily/{DAY}"' in html and "已生成" in html and "需处理" in html
    assert "2026-02-05" in html and "无草稿" in html
    assert "no story in the window; 1 off-topic, 1 duplicate; 1 failed feed(s) or page(s)" in html
    assert "2026-02-06" in html and "no run recorded for this date" in html


def test_draft_lists_the_flags_with_jumps(client: TestClient) -> None:
    html = client.get(f"/daily/{DAY}").text
    assert '<mark class="flag unsupported" id="flag-1">【待核实：3900 亿美元】</mark>' in html
    assert 'href="?story=s0.0#flag-1"' in html
    assert html.count('class="flag-item unsupported"') == 2
    assert html.count('class="flag-item degraded"') == 1
    assert 'class="unit unit-story degraded flagged"' in html  # the 待编辑 story
    assert "第 16 行" not in html  # marker errors of lint are the flags: not listed twice


def test_sources_show_the_archived_text_with_cited_sentences(client: TestClient) -> None:
    html = client.get(f"/daily/{DAY}/sources/s0.0").text
    assert "科技新闻 · 2026-02-06 11:05" in html  # outlet and time in the configured zone
    assert '<span class="anchor" id="src-s0.0-1"></span><mark class="cited"' in html
    assert "自动驾驶公司Waymo宣布完成160亿美元融资，估值达到1260亿美元。</mark>" in html
    assert "extraction empty; used the feed&#39;s content" in html
    assert "数字 3900 亿美元 不见于来源" in html  # the grounding check's finding
    assert "<script>window.pwned" not in html and "&lt;script&gt;window.pwned=1" in html


def test_sources_for_an_english_article(client: TestClient) -> None:
    html = client.get(f"/daily/{DAY}/sources/s1.0").text
    assert "Claude Opus 4.6 &lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html and "<h3>bad link</h3>" in html
    assert re.search(r'<mark class="cited"[^>]*>On MRCR v2 it scored 76%', html)


def test_record_page_lists_failures_and_drops(client: TestClient) -> None:
    html = client.get(f"/daily/{DAY}/record").text
    assert "https://example.com/broken" in html and "HTTP 500" in html
    assert "off-topic" in html and "油价上涨" in html


def test_hostile_draft_is_escaped(client: TestClient) -> None:
    html = client.get("/daily/2026-02-08").text
    body = html.split("<body", 1)[1]
    assert "<script>" not in body.replace('<script src="/static/review.js" defer></script>', "")
    assert not re.search(r'href="(?:javascript|data):', body)
    assert "<img" not in body and "<iframe" not in body and "onerror=alert(2)>" not in body
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in body
    assert 'href="/daily/2026-02-08/edit#L14">第 14 行</a> non-http(s) link' in body  # lint, listed
    edit = client.get("/daily/2026-02-08/edit").text
    assert "&lt;/textarea&gt;&lt;script&gt;window.pwned=3" in edit
    assert edit.count("</textarea>") == 1


# --- saving ------------------------------------------------------------------------------


def test_save_writes_atomically_marks_edited_and_lints(client: TestClient, site: Site) -> None:
    page = form_values(client.get(f"/daily/{DAY}/edit").text)
    assert page["base"] == sha256_text(FLAGGED)
    text = FLAGGED.replace("Waymo 完成融资", "Waymo 融资完成").replace("\n", "\r\n")
    response = post(client, f"/daily/{DAY}/save", {**page, "text": text})
    assert response.status_code == 303
    saved = draft_file(site).read_text(encoding="utf-8")
    assert saved == FLAGGED.replace("Waymo 完成融资", "Waymo 融资完成")  # \r\n normalised
    record = site.output_dir / "daily" / f"{DAY}.json"
    assert draft_state(draft_file(site), record) == "edited"
    after = client.get(f"/daily/{DAY}/edit?saved=1").text
    assert "已保存" in after and "第 16 行" in after and "an editor must resolve it" in after
    kept = list((site.output_dir / "daily" / ".backup").glob(f"{DAY}.*.review.md"))
    assert [p.read_text(encoding="utf-8") for p in kept] == [FLAGGED]


def test_a_save_over_a_changed_file_is_refused(client: TestClient, site: Site) -> None:
    page = form_values(client.get(f"/daily/{DAY}/edit").text)
    draft_file(site).write_text(FLAGGED + "\n", encoding="utf-8")  # someone else saved
    response = post(client, f"/daily/{DAY}/save", {**page, "text": "我的版本"})
    assert response.status_code == 409
    assert draft_file(site).read_text(encoding="utf-8") == FLAGGED + "\n"
    html = response.text
    assert "没有保存" in html and "我的版本</textarea>" in html  # the editor's text is kept
    assert (
        f'name="base" value="{sha256_text(FLAGGED + chr(10))}"' in html
    )  # saving again is a choice


def test_a_save_while_a_run_writes_the_date_is_refused(client: TestClient, site: Site) -> None:
    page = form_values(client.get(f"/daily/{DAY}/edit").text)
    with run_lock(site.data_dir, lock_key("daily", f"{DAY}.rerun-1")):
        response = post(client, f"/daily/{DAY}/save", {**page, "text": "改过的"})
    assert response.status_code == 409
    assert "流水线正在写" in response.text
    assert draft_file(site).read_text(encoding="utf-8") == FLAGGED


@pytest.mark.parametrize(
    ("data", "headers", "status"),
    [
        ({"token": "wrong", "text": "x"}, {}, 400),
        ({"text": "x"}, {}, 400),
        ({"token": TOKEN, "text": "x"}, {"origin": "http://evil.example"}, 400),
    ],
)
def test_writes_need_the_form_token_and_the_page_origin(
    client: TestClient, site: Site, data: dict[str, str], headers: dict[str, str], status: int
) -> None:
    data = {"base": sha256_text(FLAGGED), **data}
    response = post(client, f"/daily/{DAY}/save", data, **headers)
    assert response.status_code == status
    assert draft_file(site).read_text(encoding="utf-8") == FLAGGED


def test_oversized_and_non_form_bodies_are_refused(client: TestClient, site: Site) -> None:
    big = client.post(
        f"/daily/{DAY}/save",
        content=b"text=" + b"a" * 8_100_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 400 and "over 8 MB" in big.text
    as_json = client.post(f"/daily/{DAY}/save", json={"token": TOKEN})
    assert as_json.status_code == 400
    assert draft_file(site).read_text(encoding="utf-8") == FLAGGED


# --- actions -----------------------------------------------------------------------------


def act(
    client: TestClient, **fields: str
) -> Any:  # starlette's client answers with httpx2's or httpx's Response
    page = form_values(client.get(f"/daily/{DAY}").text)
    return post(client, f"/daily/{DAY}/action", {**page, **fields})


def test_move_to_more_then_undo(client: TestClient, site: Site) -> None:
    response = act(client, action="to_more", address="s1.0", next="s1.0")
    assert response.status_code == 303
    moved = draft_file(site).read_text(encoding="utf-8")
    assert "- [Anthropic 发布 Claude Opus 4.6](https://example.com/en/opus46)：" in moved
    assert "### [Anthropic 发布 Claude Opus 4.6]" not in moved
    assert act(client, action="undo").status_code == 303
    assert draft_file(site).read_text(encoding="utf-8") == FLAGGED


def test_resolve_marker_from_the_flag_list(client: TestClient, site: Site) -> None:
    html = client.get(f"/daily/{DAY}").text
    path = re.search(r'name="path" value="([^"]+)"', html)
    assert path is not None
    act(client, action="delete", path=path.group(1), occurrence="0", next="s0.0")
    text = draft_file(site).read_text(encoding="utf-8")
    assert "3900" not in text and "估值达到 1260 亿美元。" in text


def test_an_action_on_a_stale_page_is_refused(client: TestClient, site: Site) -> None:
    page = form_values(client.get(f"/daily/{DAY}").text)
    act(client, action="drop", address="s0.0")
    response = post(client, f"/daily/{DAY}/action", {**page, "action": "drop", "address": "s0.0"})
    assert response.status_code == 409
    assert "changed on disk" in response.text


def test_a_bad_action_changes_nothing(client: TestClient, site: Site) -> None:
    response = act(client, action="drop", address="s7.3")
    assert response.status_code == 400
    assert draft_file(site).read_text(encoding="utf-8") == FLAGGED


@pytest.mark.parametrize(
    ("fmt", "name", "stem"),
    [("weekly", "golden_weekly.md", "2026-W06"), ("brief", "golden_brief.md", "2026-02-07")],
)
def test_weekly_and_brief_drafts_open(tmp_path: Path, fmt: str, name: str, stem: str) -> None:
    folder = tmp_path / "output" / fmt
    folder.mkdir(parents=True)
    text = (FIXTURES.parent / "formats" / name).read_text(encoding="utf-8")
    (folder / f"{stem}.md").write_text(text, encoding="utf-8")
    site = Site(
        output_dir=tmp_path / "output",
        data_dir=tmp_path / "data",
        templates_dir=PROJECT_DIR / "templates",
    )
    with TestClient(create_app(site, TOKEN, port=8788), base_url="http://127.0.0.1:8788") as c:
        c.get(f"/{fmt}/?token={TOKEN}")
        html = c.get(f"/{fmt}/{stem}").text
        units = re.findall(r'data-address="([^"]+)" data-src', html)
        assert units, "every story of the draft is a unit of the page"
        pane = c.get(f"/{fmt}/{stem}/sources/{units[0]}")
        assert pane.status_code == 200 and "正文不在存档中" in pane.text
        assert c.get(f"/{fmt}/").status_code == 200


def test_cli_serve_refuses_a_busy_port_and_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    monkeypatch.chdir(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["review", "--serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "--port 0" in result.output
    both = CliRunner().invoke(app, ["review", "--serve", "--diff"])
    assert both.exit_code == 2 and "use one of them" in both.output


@pytest.mark.parametrize(
    ("fmt", "day", "path"),
    [
        ("daily", None, "/daily/"),
        ("daily", DAY, f"/daily/{DAY}"),
        ("weekly", "2026-02-09", "/weekly/2026-W06"),
    ],
)
def test_the_printed_link_opens_the_date_asked_for(fmt: str, day: str | None, path: str) -> None:
    from pipeline.cli.review import start_path

    assert start_path(fmt, day) == path


LAYOUTS = [
    p for p in sorted((FIXTURES.parent / "formats").glob("*.md")) if p.name != "README.md"
] + SEEDS  # the published seeds, when they are beside the clone


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.name[:24])
def test_every_known_layout_opens_with_its_stories(path: Path) -> None:
    doc = parse(path.read_text(encoding="utf-8"))
    view = build_view(doc)
    units = view.units()
    assert units, "each layout has stories the pane can show"
    assert all(u.claims or u.kind == "more" for u in units if u.kind != "brief")
    for unit in units:  # no archive, no record: the pane still opens
        pane = story_sources(unit, None, path.parent / "no-data", ZoneInfo("Asia/Shanghai"))
        assert all(not a.archived for a in pane.articles)


def test_a_save_to_a_vanished_draft_shows_the_text_back(client: TestClient, site: Site) -> None:
    page = form_values(client.get(f"/daily/{DAY}/edit").text)
    draft_file(site).unlink()  # moved away while the editor typed
    response = post(client, f"/daily/{DAY}/save", {**page, "text": "编辑写了很久的稿子"})
    assert response.status_code == 400
    assert "there is no" in response.text
    assert "编辑写了很久的稿子</textarea>" in response.text
    assert not draft_file(site).exists()
