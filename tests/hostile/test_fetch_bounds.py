"""Unbounded-cost attacks on fetching (issue 14, items 4 and 7a), reproduced on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

import pytest

from pipeline.config import NetworkSettings, Settings
from pipeline.errors import FetchError, ResponseTooLargeError
from pipeline.ingest.fetch import Fetcher, FetchResult
from tests.servers import Reply, TestServer

MB = 1_000_000


def net_of(settings: Settings, **changes: Any) -> NetworkSettings:
    return settings.network.model_copy(update={"retries": 0, **changes})


def fetch(net: NetworkSettings, url: str) -> FetchResult:
    async def main() -> FetchResult:
        async with Fetcher(net, backoff=0.01) as fetcher:
            return await fetcher.fetch_page(url)

    return asyncio.run(main())


def zeros_gzip(total: int, member: int = MB) -> bytes:
    """A gzip body of `total` zero bytes, as members of `member` bytes (cheap to build)."""
    one = gzip.compress(b"\0" * member, compresslevel=9)
    return one * (total // member)


def test_stacked_gzip_bomb_stops_at_the_cap(server: TestServer, settings: Settings) -> None:
    """`Content-Encoding: gzip, gzip`: a few KB on the wire stop at 5 decoded MB, not gigabytes."""
    body = gzip.compress(zeros_gzip(2_000 * MB), compresslevel=9)
    assert len(body) < 100_000  # what crosses the wire
    headers = {"Content-Encoding": "gzip, gzip"}
    url = server.route("/bomb", Reply(body=body, headers=headers))
    with pytest.raises(ResponseTooLargeError, match="larger than 5 MB"):
        fetch(net_of(settings), url)


def test_stacked_encoding_under_the_cap_still_decodes(
    server: TestServer, settings: Settings
) -> None:
    """A legitimate deflate-then-gzip page comes out whole."""
    page = "<html><body><p>英伟达发布新一代芯片。</p></body></html>".encode()
    body = gzip.compress(zlib.compress(page))
    url = server.route("/ok", Reply(body=body, headers={"Content-Encoding": "deflate, gzip"}))
    assert fetch(net_of(settings), url).text == page.decode()


@pytest.mark.parametrize(
    ("encoding", "message"),
    [("gzip, gzip, gzip", "3 stacked Content-Encodings"), ("br", "unsupported Content-Encoding")],
)
def test_deep_or_unknown_encodings_are_refused(
    server: TestServer, settings: Settings, encoding: str, message: str
) -> None:
    """Deeper stacks and encodings we cannot bound are refused, not handed to a decoder."""
    url = server.route("/enc", Reply(body=b"x", headers={"Content-Encoding": encoding}))
    with pytest.raises(FetchError, match=message) as info:
        fetch(net_of(settings), url)
    assert not info.value.retryable


def test_decompression_yields_to_the_deadline(server: TestServer, settings: Settings) -> None:
    """Inflating a bomb runs in small steps: other tasks keep running and the deadline fires."""
    body = gzip.compress(zeros_gzip(4_000 * MB), compresslevel=9)
    url = server.route("/slowbomb", Reply(body=body, headers={"Content-Encoding": "gzip, gzip"}))
    net = net_of(settings, max_bytes=10_000 * MB, deadline=1.0)
    beats = 0

    async def heartbeat() -> None:
        nonlocal beats
        while True:
            beats += 1
            await asyncio.sleep(0)

    async def main() -> FetchError:
        beat = asyncio.create_task(heartbeat())
        try:
            async with Fetcher(net, backoff=0.01) as fetcher:
                with pytest.raises(FetchError) as info:
                    await fetcher.fetch_page(url)
            return info.value
        finally:
            beat.cancel()

    error = asyncio.run(main())
    assert str(error).startswith("timed out after 1 s")
    assert beats > 100  # the event loop ran other tasks while the body was inflated


def test_slow_host_on_many_ports_gives_up_per_host(settings: Settings) -> None:
    """Eight hanging ports of one host cost two rounds of timeouts; the rest are skipped unasked."""
    servers = [TestServer().start() for _ in range(8)]
    try:
        urls = [s.route("/slow", Reply(fault="hang")) for s in servers]
        net = net_of(settings, read_timeout=0.3, deadline=0.5, per_host=2)

        async def main() -> list[BaseException | FetchResult]:
            async with Fetcher(net, backoff=0.01) as fetcher:
                return await asyncio.gather(
                    *(fetcher.fetch_page(u) for u in urls), return_exceptions=True
                )

        results = asyncio.run(main())
        skipped = [r for r in results if "skipped: 127.0.0.1 timed out" in str(r)]
        assert len(skipped) == 4 and all(isinstance(r, FetchError) for r in results)
        assert sum(1 for s in servers if not s.requests_to("/slow")) == 4
    finally:
        for s in servers:
            s.stop()
