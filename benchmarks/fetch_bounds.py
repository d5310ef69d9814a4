"""Benchmark: what a decompression bomb costs, with the pipeline's decoder and with httpx's.

A ``Content-Encoding: gzip, gzip`` body is served from 127.0.0.1 (a few KB on the wire):
the attack of issue 14 item 4.
The Fetcher (bounded decoder, 5 MB cap) is measured on a 2 GB bomb; the baseline, the
previous read loop (httpx's own decoder, the cap checked after each decoded chunk), on a
smaller bomb, since on a shared machine it really allocates what the bomb says.
Prints wire size, wall time and the peak of Python allocations (tracemalloc).

    python -m benchmarks.fetch_bounds [BASELINE_MB]
"""

from __future__ import annotations

import asyncio
import gzip
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from pipeline.config import NetworkSettings
from pipeline.errors import FetchError
from pipeline.ingest.fetch import Fetcher
from tests.servers import Reply, TestServer

MB = 1_000_000
CAP = 5 * MB


def bomb(total_mb: int) -> bytes:
    """gzip(gzip(zeros)): total_mb decoded megabytes in one gzip member, gzipped again."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * MB
    parts = [inner.compress(chunk) for _ in range(total_mb)] + [inner.flush()]
    return gzip.compress(b"".join(parts), compresslevel=9)


async def with_fetcher(url: str) -> str:
    """The pipeline's read: bounded decoding under the cap."""
    net = NetworkSettings(allow_hosts=["127.0.0.1"], max_bytes=CAP, deadline=60, retries=0)
    async with Fetcher(net) as fetcher:
        try:
            await fetcher.fetch_page(url)
        except FetchError as exc:
            return str(exc)
    return "decoded"


async def with_httpx(url: str) -> str:
    """The previous read loop: httpx decodes, the cap is checked after each decoded chunk."""
    size = 0
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > CAP:
                return f"cap passed at {size / MB:.0f} MB"
    return "decoded"


def measure(read: Callable[[str], Coroutine[Any, Any, str]], url: str) -> tuple[str, float, float]:
    """Outcome, wall seconds and peak traced megabytes of one read."""
    tracemalloc.start()
    started = time.monotonic()
    outcome = asyncio.run(read(url))
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return outcome, seconds, peak


def main() -> None:
    """Serve both bombs, measure both readers, print a Markdown table."""
    baseline_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    server = TestServer().start()
    try:
        rows = []
        for name, read, size in (
            ("pipeline (bounded decoder)", with_fetcher, 2000),
            ("baseline (httpx decoder)", with_httpx, baseline_mb),
        ):
            body = bomb(size)
            url = server.route(f"/bomb-{size}", Reply(body=body, headers=HEADERS))
            outcome, seconds, peak = measure(read, url)
            rows.append((name, size, len(body), outcome, seconds, peak))
    finally:
        server.stop()
    print("| reader | bomb (decoded) | on the wire | outcome | time | peak memory |")
    print("|---|---|---|---|---|---|")
    for name, size, wire, outcome, seconds, peak in rows:
        print(
            f"| {name} | {size} MB | {wire / 1000:.1f} KB | {outcome} | {seconds:.2f} s "
            f"| {peak:.0f} MB |"
        )


HEADERS = {"Content-Encoding": "gzip, gzip"}

if __name__ == "__main__":
    main()
