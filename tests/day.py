"""The loopback news day of the end-to-end tests: its feeds, pages and a config for them.

Shared by the Prefect flow tests (``tests/e2e/``) and the plain pipeline's
(``tests/flows/``); the articles are ``tests/fixtures/e2e/articles.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.servers import Reply, TestServer

E2E = Path(__file__).resolve().parent / "fixtures" / "e2e"
PROFILES = Path(__file__).resolve().parent / "fixtures" / "profiles"
DAY = "2026-02-07"


def page_html(title: str, paras: list[str]) -> str:
    """A realistic article page: navigation, the article, related links, a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title} - 科技新闻</title><meta property="og:title" content="{title}"></head>
<body><nav><a href="/">首页</a> <a href="/ai">AI</a> <a href="/phone">手机</a></nav>
<main><article><h1>{title}</h1>{body}</article></main>
<aside><h3>相关文章</h3><ul><li><a href="/x">另一篇无关文章的标题</a></li></ul></aside>
<footer>© 2026 科技新闻 版权所有</footer></body></html>"""


def rss(items: list[dict[str, Any]], base: str, title: str) -> str:
    """An RSS 2.0 feed of the given fixture articles."""
    entries = "".join(
        f"<item><title>{a['title']}</title><link>{base}{a['path']}</link>"
        f"<pubDate>{a['pub']}</pubDate><description>{''.join(a['paras'][:1])}</description></item>"
        for a in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    )


def serve_day(server: TestServer, extra: list[dict[str, Any]] | None = None) -> None:
    """Route the fixture day's feeds and pages (plus extra articles) on the loopback server."""
    articles = json.loads((E2E / "articles.json").read_text(encoding="utf-8")) + (extra or [])
    for a in articles:
        html = page_html(a["title"], a["paras"])
        server.route(a["path"], Reply(status=a.get("status", 200), body=html))
    for feed in ("zh", "en"):
        items = [a for a in articles if a["feed"] == feed]
        server.route(
            f"/{feed}/feed.xml",
            Reply(body=rss(items, server.base, feed), content_type="application/rss+xml"),
        )
    server.route("/dead/feed.xml", Reply(status=404, body="gone"))


def write_config(tmp_path: Path, server: TestServer) -> Path:
    """A digest.toml with the loopback sources, loopback allowed."""
    config = tmp_path / "digest.toml"
    config.write_text(
        f"""
data_dir = "{tmp_path / "data"}"
[network]
allow_hosts = ["127.0.0.1"]
politeness_delay = 0
deadline = 10
retries = 1
[digest]
main_stories = 3
[[sources]]
name = "科技新闻"
url = "{server.url("/zh/feed.xml")}"
lang = "zh"
[[sources]]
name = "Tech Daily"
url = "{server.url("/en/feed.xml")}"
lang = "en"
[[sources]]
name = "Dead Feed"
url = "{server.url("/dead/feed.xml")}"
lang = "en"
""",
        encoding="utf-8",
    )
    return config
