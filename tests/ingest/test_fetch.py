"""Tests of ingest.fetch against a real HTTP server on 127.0.0.1, plus Retry-After parsing."""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, TypeVar

import httpx
import pytest

from pipeline.config import NetworkSettings, Settings
from pipeline.errors import FetchError, ResponseTooLargeError, UnsafeURLError
from pipeline.ingest.fetch import Fetcher, FetchResult, _retry_after
from tests.servers import Reply, Request, TestServer

T = TypeVar("T")

GBK_PAGE = "<html><head><title>人工智能</title></head><body><p>{}</p></body></html>".format(
    "英伟达发布新一代人工智能芯片，朱镕基谈产业发展。国产算力池正式上线，规模国内最大。" * 8
)
BIG5_PAGE = (
    '<html><head><meta charset="big5"><title>輝達</title></head><body><p>'
    "輝達週四宣佈，新一代人工智慧晶片將於明年量產，這款處理器專為資料中心設計。</p></body></html>"
)


DEADLINE_PASSED = "timed out after {:g} s (the deadline of one URL, retries included)"


def network(settings: Settings, **changes: Any) -> NetworkSettings:
    """The test network settings (loopback allowed, short timeouts) with changes."""
    return settings.network.model_copy(update=changes)


def run_with(net: NetworkSettings, call: Callable[[Fetcher], Awaitable[T]]) -> T:
    """Run one call against a fresh Fetcher (fast backoff) in a new event loop."""

    async def main() -> T:
        async with Fetcher(net, backoff=0.01) as fetcher:
            return await call(fetcher)

    return asyncio.run(main())


def page(net: NetworkSettings, url: str) -> FetchResult:
    return run_with(net, lambda f: f.fetch_page(url))


def fetch_error(net: NetworkSettings, url: str) -> FetchError:
    """The FetchError that fetching url as a page raises."""
    with pytest.raises(FetchError) as info:
        page(net, url)
    return info.value


# --- success -------------------------------------------------------------------------


def test_fetch_page_ok(server: TestServer, settings: Settings) -> None:
    url = server.route("/a", Reply(body="<html><p>你好</p></html>", headers={"ETag": '"x"'}))
    result = page(settings.network, url)
    assert result.status == 200 and result.url == url
    assert result.text == "<html><p>你好</p></html>" and result.encoding == "utf-8"
    assert result.etag == '"x"' and not result.not_modified
    sent = server.requests_to("/a")[0].headers
    assert sent["User-Agent"] == settings.network.user_agent


def test_injected_client_is_used_and_left_open(server: TestServer, settings: Settings) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", Reply(body="<p>ok</p>"))
    evil = server.route("/evil", Reply(status=302, headers={"Location": "file:///etc/passwd"}))

    async def main() -> tuple[str, bool]:
        injected = httpx.AsyncClient(headers={"User-Agent": "injected"}, follow_redirects=True)
        async with injected as client:
            async with Fetcher(settings.network, client) as fetcher:
                result = await fetcher.fetch_page(server.url("/a"))
                with pytest.raises(UnsafeURLError):  # its follow_redirects cannot skip the policy
                    await fetcher.fetch_page(evil)
            return result.url, client.is_closed

    assert asyncio.run(main()) == (server.url("/b"), False)
    assert server.requests_to("/b")[0].headers["User-Agent"] == "injected"


def test_fetch_feed_returns_bytes_untouched(server: TestServer, settings: Settings) -> None:
    body = '<?xml version="1.0" encoding="gbk"?><rss/>'.encode("gbk")
    url = server.route(
        "/feed",
        Reply(
            body=body,
            content_type="application/rss+xml",
            headers={"Last-Modified": "Fri, 06 Feb 2026 10:00:00 GMT"},
        ),
    )
    result = run_with(settings.network, lambda f: f.fetch_feed(url))
    assert result.content == body and result.text is None
    assert result.last_modified == "Fri, 06 Feb 2026 10:00:00 GMT"


def test_conditional_get(server: TestServer, settings: Settings) -> None:
    def handler(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(status=304, content_type=None)
        return Reply(body="<rss/>", headers={"ETag": '"v1"'})

    url = server.route("/feed", handler)
    first = run_with(settings.network, lambda f: f.fetch_feed(url))
    since = "Fri, 06 Feb 2026 10:00:00 GMT"
    second = run_with(
        settings.network, lambda f: f.fetch_feed(url, etag=first.etag, last_modified=since)
    )
    assert first.etag == '"v1"' and not first.not_modified
    assert second.not_modified and second.status == 304 and second.content == b""
    sent = server.requests_to("/feed")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Fri, 06 Feb 2026 10:00:00 GMT"


def test_relative_redirect_followed(server: TestServer, settings: Settings) -> None:
    server.route("/old", Reply(status=301, headers={"Location": "/new"}))
    url = server.route("/new", Reply(body="<p>moved</p>"))
    assert page(settings.network, server.url("/old")).url == url


# --- errors and retries --------------------------------------------------------------


def test_500_retried_then_error(server: TestServer, settings: Settings) -> None:
    url = server.route("/e", Reply(status=500, body="oops"))
    error = fetch_error(network(settings, retries=2), url)
    assert str(error) == "HTTP 500 Internal Server Error after 3 attempts"
    assert error.retryable
    assert len(server.requests_to("/e")) == 3


def test_404_not_retried(server: TestServer, settings: Settings) -> None:
    url = server.route("/missing", Reply(status=404, body="no"))
    error = fetch_error(network(settings, retries=3), url)
    assert str(error) == "HTTP 404 Not Found" and not error.retryable
    assert len(server.requests_to("/missing")) == 1


def test_429_retry_after_honoured(server: TestServer, settings: Settings) -> None:
    def handler(request: Request) -> Reply:
        if len(server.requests_to("/busy")) == 1:
            return Reply(status=429, headers={"Retry-After": "1"})
        return Reply(body="<p>ok</p>")

    url = server.route("/busy", handler)
    assert page(settings.network, url).text == "<p>ok</p>"
    first, second = server.requests_to("/busy")
    assert second.time - first.time >= 0.95  # backoff alone would be ~0.01 s


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), (" 0 ", 0.0), (timedelta(seconds=20), 20.0), (timedelta(seconds=-20), 0.0)],
)
def test_retry_after_values(value: str | timedelta, expected: float) -> None:
    if isinstance(value, timedelta):  # an HTTP-date, made when the test runs
        value = format_datetime(datetime.now(UTC) + value, usegmt=True)
    seconds = _retry_after(value)
    assert seconds is not None and expected - 2 <= seconds <= expected


@pytest.mark.parametrize("value", [None, "", "soon", "-5"])
def test_retry_after_unusable(value: str | None) -> None:
    assert _retry_after(value) is None


def test_slow_server_hits_read_timeout(server: TestServer, settings: Settings) -> None:
    url = server.route("/slow", Reply(body="<p>late</p>", delay=2))
    error = fetch_error(network(settings, read_timeout=0.5, retries=0), url)
    assert str(error) == "no data for 0.5 s (read timeout)" and error.retryable


def test_trickle_cut_at_deadline(server: TestServer, settings: Settings) -> None:
    url = server.route("/trickle", Reply(body="<p>" + "x" * 40 + "</p>", fault="trickle"))
    started = time.monotonic()
    error = fetch_error(network(settings, read_timeout=2, deadline=1, retries=0), url)
    assert str(error) == f"{DEADLINE_PASSED.format(1)}" and not error.retryable
    assert time.monotonic() - started < 2.5


def test_hanging_server_cut_at_deadline(server: TestServer, settings: Settings) -> None:
    url = server.route("/hang", Reply(fault="hang"))
    error = fetch_error(network(settings, read_timeout=5, deadline=1, retries=0), url)
    assert str(error) == DEADLINE_PASSED.format(1)


def test_deadline_bounds_the_whole_fetch_retries_included(
    server: TestServer, settings: Settings
) -> None:
    """Three read timeouts of 1 s would cost 3 s and more; a 2 s deadline stops it at 2 s."""
    url = server.route("/hang-long", Reply(fault="hang"))
    started = time.monotonic()
    error = fetch_error(network(settings, read_timeout=1, deadline=2, retries=2), url)
    elapsed = time.monotonic() - started
    assert str(error) == DEADLINE_PASSED.format(2) + " after 2 attempts"
    assert len(server.requests_to("/hang-long")) == 2  # retried within the deadline
    assert 1.9 < elapsed < 2.95, elapsed  # the 2 s deadline (plus load), not 3 read timeouts


def test_deadline_clock_starts_with_the_request_not_the_queue(
    server: TestServer, settings: Settings
) -> None:
    """URLs queued behind a slow one on the same host get their own full deadline."""
    slow = server.route("/slow-first", Reply(body="<p>" + "x" * 300 + "</p>", delay=1.2))
    quick = server.route("/quick-after", Reply(body="<p>" + "y" * 300 + "</p>", delay=0.5))
    net = network(settings, per_host=1, deadline=1.5, read_timeout=2, retries=0)

    async def both(fetcher: Fetcher) -> list[FetchResult]:
        return list(await asyncio.gather(fetcher.fetch_page(slow), fetcher.fetch_page(quick)))

    results = run_with(net, both)
    assert [r.status for r in results] == [200, 200]


def test_reset_mid_response_retried(server: TestServer, settings: Settings) -> None:
    url = server.route("/reset", Reply(body="<p>" + "y" * 200 + "</p>", fault="reset"))
    error = fetch_error(network(settings, retries=1), url)
    assert str(error).startswith("connection failed: ") and error.retryable
    assert str(error).endswith("after 2 attempts")
    assert len(server.requests_to("/reset")) == 2


def test_connection_refused(settings: Settings) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fetch_error(network(settings, retries=0), f"http://127.0.0.1:{port}/")
    assert str(error).startswith("connection failed") and error.retryable


def test_corrupt_gzip_is_permanent(server: TestServer, settings: Settings) -> None:
    url = server.route("/gz", Reply(body=b"not gzip", headers={"Content-Encoding": "gzip"}))
    error = fetch_error(network(settings, retries=2), url)
    assert str(error).startswith("bad response: ") and not error.retryable
    assert len(server.requests_to("/gz")) == 1


def test_redirect_loop(server: TestServer, settings: Settings) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", Reply(status=302, headers={"Location": "/a"}))
    error = fetch_error(network(settings, retries=2), server.url("/a"))
    assert str(error) == f"redirect loop at {server.url('/a')}" and not error.retryable
    assert len(server.requests_to("/a")) == 1


def test_too_many_redirects(server: TestServer, settings: Settings) -> None:
    for i in range(4):
        server.route(f"/r{i}", Reply(status=307, headers={"Location": f"/r{i + 1}"}))
    error = fetch_error(network(settings, max_redirects=2), server.url("/r0"))
    assert str(error) == "too many redirects (more than 2)"


def test_redirect_to_file_refused(server: TestServer, settings: Settings) -> None:
    url = server.route("/evil", Reply(status=302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(UnsafeURLError, match="scheme 'file' not allowed"):
        page(settings.network, url)


def test_stream_aborted_at_size_cap(server: TestServer, settings: Settings) -> None:
    url = server.route("/huge", Reply(stream_bytes=50_000_000))
    started = time.monotonic()
    with pytest.raises(ResponseTooLargeError, match=r"^response larger than 5 MB$") as info:
        page(network(settings, retries=2), url)
    assert not info.value.retryable and len(server.requests_to("/huge")) == 1
    assert time.monotonic() - started < 3


def test_declared_length_over_cap(server: TestServer, settings: Settings) -> None:
    url = server.route("/big", Reply(body=b"z" * 20_001))
    with pytest.raises(ResponseTooLargeError, match=r"larger than 0\.02 MB"):
        page(network(settings, max_bytes=20_000), url)


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [
        ("application/octet-stream", "application/octet-stream"),
        ("image/png", "image/png"),
        ("application/pdf; name=x.pdf", "application/pdf"),
        ("text/plain", "text/plain"),
    ],
)
def test_non_html_page_refused(
    server: TestServer, settings: Settings, content_type: str, shown: str
) -> None:
    url = server.route("/bin", Reply(body=b"\x89PNG\x00\x01", content_type=content_type))
    error = fetch_error(network(settings, retries=2), url)
    assert str(error) == f"not HTML ({shown})" and not error.retryable
    assert len(server.requests_to("/bin")) == 1


# --- decoding over HTTP --------------------------------------------------------------


def test_gbk_page_without_http_charset(server: TestServer, settings: Settings) -> None:
    url = server.route("/gbk", Reply(body=GBK_PAGE.encode("gbk"), content_type="text/html"))
    result = page(settings.network, url)
    assert result.text == GBK_PAGE and result.encoding == "gb18030"


def test_big5_page_decodes_and_stays_as_written(server: TestServer, settings: Settings) -> None:
    url = server.route("/big5", Reply(body=BIG5_PAGE.encode("big5"), content_type="text/html"))
    result = page(settings.network, url)
    assert result.encoding == "big5hkscs"  # conversion to simplified is extraction's job
    assert result.text is not None and "輝達週四宣佈，新一代人工智慧晶片將於明年量產" in result.text


# --- URL policy ----------------------------------------------------------------------


def test_file_scheme_refused(settings: Settings) -> None:
    with pytest.raises(UnsafeURLError, match="scheme 'file' not allowed") as info:
        page(settings.network, "file:///etc/passwd")
    assert not info.value.retryable


def test_loopback_refused_unless_allowed(server: TestServer, settings: Settings) -> None:
    url = server.route("/a", Reply(body="<p>ok</p>"))
    with pytest.raises(UnsafeURLError, match=r"non-public address 127\.0\.0\.1"):
        page(network(settings, allow_hosts=[]), url)
    assert server.log == []
    assert page(network(settings, allow_hosts=["127.0.0.1"]), url).status == 200


# --- concurrency and politeness ------------------------------------------------------


class Tracker:
    """A route handler that holds each request a while and records the peak concurrency."""

    def __init__(self, hold: float = 0.15) -> None:
        self.hold, self.active, self.peak = hold, 0, 0
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.hold)
        with self.lock:
            self.active -= 1
        return Reply(body="<p>ok</p>")


def fetch_many(net: NetworkSettings, urls: list[str]) -> list[FetchResult]:
    async def all_of(fetcher: Fetcher) -> list[FetchResult]:
        return list(await asyncio.gather(*(fetcher.fetch_page(u) for u in urls)))

    return run_with(net, all_of)


@pytest.mark.parametrize(("per_host", "concurrency", "peak"), [(2, 16, 2), (4, 1, 1)])
def test_concurrency_limits(
    server: TestServer, settings: Settings, per_host: int, concurrency: int, peak: int
) -> None:
    tracker = Tracker()
    server.route("/t", tracker)
    urls = [server.url(f"/t?n={i}") for i in range(6)]
    fetch_many(network(settings, per_host=per_host, concurrency=concurrency), urls)
    assert tracker.peak == peak and len(server.log) == 6


def test_politeness_delay_between_requests_to_a_host(
    server: TestServer, settings: Settings
) -> None:
    server.route("/p", Reply(body="<p>ok</p>"))
    urls = [server.url(f"/p?n={i}") for i in range(3)]
    fetch_many(network(settings, per_host=4, politeness_delay=0.3), urls)
    times = sorted(r.time for r in server.log)
    # spaced by the 0.3 s delay; connection set-up on a loaded machine eats into the gap
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(times))


def test_environment_proxy_is_used_and_the_policy_still_applies(
    server: TestServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTP_PROXY set the proxy connects; the policy refuses private hosts before it."""
    monkeypatch.setenv("HTTP_PROXY", server.base)
    target = "http://127.0.0.1:9/p"  # nobody listens there: only the proxy can answer
    server.route(target, Reply(body="<p>via the proxy</p>"))
    assert page(network(settings, retries=0), target).text == "<p>via the proxy</p>"
    with pytest.raises(UnsafeURLError, match=r"non-public address 10\.0\.0\.1"):
        page(network(settings, retries=0), "http://10.0.0.1/x")
    assert [r.path for r in server.log] == [target]
