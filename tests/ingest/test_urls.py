"""Tests of ingest.urls: canonical links, and the URL policy with DNS faked where needed."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from pipeline.errors import FetchError, UnsafeURLError
from pipeline.ingest.urls import (
    canonicalize_url,
    check_url,
    is_allowed,
    is_public,
    parse_allowed,
    wire_host,
)

# --- identity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?a=1&b=2"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        ("http://example.com/x", "http://example.com/x"),  # scheme kept: https may not exist
        ("https://user:pw@example.com/x", "https://example.com/x"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
        (
            "https://example.com/a?spm=a2c4.1&from=timeline&isappinstalled=0",
            "https://example.com/a?isappinstalled=0",
        ),
        (
            "https://example.com/a?fbclid=x&gclid=y&ref=z&share_token=t&shareId=9",
            "https://example.com/a",
        ),
        ("https://example.com/a?UTM_Campaign=x&page=2", "https://example.com/a?page=2"),
        ("https://example.com/a?q=a+b&empty=", "https://example.com/a?empty=&q=a%20b"),
        ("https://example.com/news/1/amp", "https://example.com/news/1"),
        ("https://example.com/news/1/amp/", "https://example.com/news/1"),
        ("https://example.com/news/1?amp", "https://example.com/news/1"),
        ("https://example.com/news/1?amp=1", "https://example.com/news/1"),
        ("https://example.com/ampere", "https://example.com/ampere"),
        ("https://m.example.com/news/1", "https://www.example.com/news/1"),
        ("https://mobile.example.com/news/1", "https://www.example.com/news/1"),
        ("https://amp.example.co.uk/a", "https://www.example.co.uk/a"),
        ("https://m.weibo.cn/status/1", "https://m.weibo.cn/status/1"),  # a site, not a mirror
        ("https://m.com/a", "https://m.com/a"),
        ("https://mx.example.com/a", "https://mx.example.com/a"),
        (
            "https://example.com/路径/文章",
            "https://example.com/%E8%B7%AF%E5%BE%84/%E6%96%87%E7%AB%A0",
        ),
        ("https://example.com/%E8%B7%AF", "https://example.com/%E8%B7%AF"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("mailto:x@example.com", "mailto:x@example.com"),
        ("not a url", "not a url"),
        ("http://[::1", "http://[::1"),
        ("http://example.com:99999/a", "http://example.com:99999/a"),
    ],
)
def test_canonicalize_url(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical  # idempotent


# --- policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "data:text/html,x",
        "//no-scheme.example.com/",
        "http://",
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",
        "http://[::1/",
        "http://example.com:99999/",
    ],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        asyncio.run(check_url(url, []))


@pytest.mark.parametrize(
    ("url", "allow"),
    [
        ("http://8.8.8.8/", []),
        ("https://[2606:4700:4700::1111]/x", []),
        ("http://127.0.0.1:8080/", ["127.0.0.1"]),
        ("http://LOCALHOST/", ["localhost"]),
    ],
)
def test_check_url_accepts(url: str, allow: list[str]) -> None:
    asyncio.run(check_url(url, allow))


def test_check_url_checks_every_address(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_getaddrinfo(self: Any, host: str, port: int, **kw: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in ("93.184.216.34", "10.0.0.5")
        ]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(UnsafeURLError, match=r"10\.0\.0\.5"):
        asyncio.run(check_url("https://rebind.example.com/", []))


def test_check_url_unresolvable(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_getaddrinfo(self: Any, host: str, port: int, **kw: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchError, match=r"cannot resolve host 'nowhere\.example'") as info:
        asyncio.run(check_url("https://nowhere.example/", []))
    assert info.value.retryable and not isinstance(info.value, UnsafeURLError)


# --- host names, allow list, addresses ----------------------------------------------


@pytest.mark.parametrize(
    ("entries", "host", "port", "allowed"),
    [
        (["127.0.0.1"], "127.0.0.1", 8080, True),
        (["127.0.0.1:8080"], "127.0.0.1", 8080, True),
        (["127.0.0.1:8080"], "127.0.0.1", 8081, False),
        (["[::1]:9000"], "::1", 9000, True),
        (["::1"], "::1", 1, True),
        (["Straße.example"], "xn--strae-oqa.example", 443, True),
        (["LOCALHOST"], "localhost", 80, True),
    ],
)
def test_allow_hosts_entries(entries: list[str], host: str, port: int, allowed: bool) -> None:
    assert is_allowed(host, port, parse_allowed(entries)) is allowed


def test_invalid_international_name_is_refused() -> None:
    with pytest.raises(UnsafeURLError, match="not a valid international name"):
        wire_host("a\u200db.example")  # a joiner IDNA-2008 does not allow here


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),
        ("2002:808:808::1", True),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a00:1", False),
        ("2002:c0a8:1::1", False),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),
        ("100.64.0.1", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public
