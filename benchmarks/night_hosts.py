"""Serve a synthetic world (``night_world``) on loopback: one HTTP server per outlet.

Each outlet gets its own address in 127.0.0.0/8, so the pipeline sees separate hosts
(per-host politeness, one page task per host) as on the real web. Feeds answer
conditional requests (ETag → 304); pages misbehave as their item says: slow, flaky
(503 once), gone (404) or hanging. Every request is logged by the server, so the
benchmark counts page fetches from the servers' side, not from the pipeline's report.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from benchmarks.night_world import Item, Site, WorldSpec, page_bytes, rss
from tests.servers import Handler, Reply, Request, TestServer

DOWN_PORT = 9  # nothing listens there: a refused connection
FEED_PATH = "/feed.xml"


@dataclass
class Hosts:
    """The running servers of a world, by site index."""

    sites: list[Site]
    servers: dict[int, TestServer]

    def feed_url(self, site: Site) -> str:
        """Where the site's feed is (a refusing port for a host that is down)."""
        server = self.servers.get(site.index)
        base = server.base if server else f"http://{site.host}:{DOWN_PORT}"
        return base + FEED_PATH

    def page_requests(self) -> int:
        """Page requests answered or attempted so far, over every host."""
        return sum(
            sum(1 for r in s.log if r.path.startswith("/news/")) for s in self.servers.values()
        )

    def feed_requests(self) -> int:
        """Feed requests so far, over every host."""
        return sum(len(s.requests_to(FEED_PATH)) for s in self.servers.values())

    def allow_hosts(self) -> list[str]:
        """The hosts the pipeline must be allowed to fetch (all loopback)."""
        return [site.host for site in self.sites]


def feed_handler(body: str) -> Handler:
    """A feed route that answers 304 to a request carrying its ETag."""
    etag = '"' + hashlib.sha1(body.encode("utf-8")).hexdigest()[:16] + '"'
    data = body.encode("utf-8")

    def handle(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == etag:
            return Reply(status=304, content_type=None)
        return Reply(body=data, content_type="application/rss+xml", headers={"ETag": etag})

    return handle


def page_reply(site: Site, item: Item, spec: WorldSpec) -> Reply | Handler:
    """The route of one page: its bytes, with the item's fault."""
    charset = "gbk" if site.gbk else "utf-8"
    reply = Reply(body=page_bytes(site, item), content_type=f"text/html; charset={charset}")
    if item.fault == "slow":
        reply.delay = spec.slow_host_delay
    elif item.fault == "gone":
        return Reply(status=404, body=b"not found", content_type="text/plain")
    elif item.fault == "hang":
        reply.fault = "hang"
    elif item.fault == "flaky":
        return flaky(reply)
    return reply


def flaky(reply: Reply) -> Handler:
    """A route that answers 503 to its first request and the reply afterwards."""
    lock, seen = threading.Lock(), [0]

    def handle(request: Request) -> Reply:
        with lock:
            seen[0] += 1
            first = seen[0] == 1
        return Reply(status=503, body=b"busy", content_type="text/plain") if first else reply

    return handle


def start_site(site: Site, spec: WorldSpec) -> TestServer | None:
    """Start one outlet's server with its feed and pages (None for a host that is down)."""
    if site.feed_fault == "down":
        return None
    server = TestServer(site.host)
    if site.feed_fault == "error":
        server.route(FEED_PATH, Reply(status=503, body=b"maintenance", content_type="text/plain"))
    else:
        server.route(FEED_PATH, feed_handler(rss(site, server.base)))
    for item in site.items:
        server.route(f"/news/{item.slug}.html", page_reply(site, item, spec))
    return server.start()


@contextmanager
def serve_world(sites: list[Site], spec: WorldSpec) -> Iterator[Hosts]:
    """Every outlet's server, started; all stopped afterwards."""
    servers: dict[int, TestServer] = {}
    try:
        for site in sites:
            server = start_site(site, spec)
            if server is not None:
                servers[site.index] = server
        yield Hosts(sites, servers)
    finally:
        for server in servers.values():
            server.stop()
