"""What one hanging URL costs the fetch stage, with and without the per-URL deadline.

A loopback server (``tests.servers``) accepts the request and never answers. The real
``Fetcher`` fetches it twice with the same timeouts and retries: once with a deadline so
large that only the per-attempt read timeouts act (the baseline: what every attempt cost
before the deadline covered retries), once with the configured deadline. Seconds are
wall-clock; the server only sleeps, so the machine's load barely matters.

Run: ``.venv/bin/python -m benchmarks.fetch_deadline [--read-timeout 20] [--deadline 40]
[--retries 2]`` (prints a Markdown table; no files written).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from pipeline.config import NetworkSettings
from pipeline.errors import FetchError
from pipeline.ingest.fetch import Fetcher
from tests.servers import Reply, serve

UNBOUNDED = 1e6  # s: a deadline that never acts


async def hang_cost(url: str, net: NetworkSettings) -> tuple[float, str]:
    """Seconds until fetching url gives up, and the error it gives."""
    async with Fetcher(net) as fetcher:
        started = time.monotonic()
        try:
            await fetcher.fetch_feed(url)
        except FetchError as exc:
            return time.monotonic() - started, str(exc)
    raise AssertionError("a hanging URL answered")


def main() -> None:
    """Measure the baseline and the deadline on one hanging URL; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--read-timeout", type=float, default=20.0)
    parser.add_argument("--deadline", type=float, default=40.0)
    parser.add_argument("--retries", type=int, default=2)
    args = parser.parse_args()
    base = NetworkSettings(
        allow_hosts=["127.0.0.1"],
        read_timeout=args.read_timeout,
        retries=args.retries,
        politeness_delay=0,
    )
    print("| deadline | read timeout | retries | seconds | error |")
    print("|---|---|---|---|---|")
    for server in serve():
        url = server.route("/hang", Reply(fault="hang"))
        for label, deadline in (
            ("none (baseline)", UNBOUNDED),
            (f"{args.deadline:g} s", args.deadline),
        ):
            net = base.model_copy(update={"deadline": deadline})
            seconds, error = asyncio.run(hang_cost(url, net))
            print(
                f"| {label} | {args.read_timeout:g} s | {args.retries} | {seconds:.1f} | {error} |"
            )


if __name__ == "__main__":
    main()
