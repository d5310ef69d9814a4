"""Attacks on the URL policy (issue 14, items 1 and 3), reproduced on 127.0.0.1.

DNS is a stub resolver handed to the pinned transport (the real one would ask the
network); the connections themselves are real, to the loopback test server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import pytest

from pipeline.config import NetworkSettings, Settings
from pipeline.errors import FetchError, UnsafeURLError
from pipeline.ingest.connect import PinnedTransport, Resolver
from pipeline.ingest.fetch import Fetcher, FetchResult
from pipeline.ingest.urls import canonicalize_url, check_url, is_public
from tests.servers import Reply, TestServer

PUBLIC_IP = "93.184.215.14"  # what a rebinding resolver answers first: a public address
PAGE = "<html><body><p>内部页面：只有本机能看到的文字。</p></body></html>"


def closed_network(settings: Settings, **changes: Any) -> NetworkSettings:
    """The test network with loopback NOT allowed: what a real run has."""
    return settings.network.model_copy(update={"allow_hosts": [], "retries": 0, **changes})


def stub_resolver(answers: dict[str, list[str]], asked: list[str]) -> Resolver:
    """A resolver that answers from a table and records every name it is asked."""

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        if host not in answers:
            raise FetchError(f"cannot resolve host '{host}'", retryable=True)
        return answers[host]

    return resolve


def fetch_with(net: NetworkSettings, transport: PinnedTransport, url: str) -> FetchResult:
    """Fetch url as a page through a Fetcher using the given pinned transport."""

    async def main() -> FetchResult:
        async with Fetcher(net, transport=transport, backoff=0.01) as fetcher:
            return await fetcher.fetch_page(url)

    return asyncio.run(main())


def pinned(net: NetworkSettings, resolver: Resolver, inner: Any = None) -> PinnedTransport:
    return PinnedTransport(httpx.Limits(max_connections=4), net.allow_hosts, resolver, inner)


class Internet(httpcore.AsyncNetworkBackend):
    """The network as the test sees it: every public address is routed to the loopback server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connected: list[str] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append(host)
        return await self._real.connect_tcp("127.0.0.1", self.port, timeout)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


def test_idna_2008_name_pointing_at_loopback_is_refused(
    server: TestServer, settings: Settings
) -> None:
    """straße.example is judged as xn--strae-oqa.example, the name connected to, not strasse."""
    server.route("/internal", Reply(body=PAGE))
    asked: list[str] = []
    answers = {"xn--strae-oqa.example": ["127.0.0.1"], "strasse.example": [PUBLIC_IP]}
    net = closed_network(settings)
    url = f"http://straße.example:{server.port}/internal"
    with pytest.raises(UnsafeURLError, match=r"xn--strae-oqa\.example.*127\.0\.0\.1"):
        fetch_with(net, pinned(net, stub_resolver(answers, asked)), url)
    assert asked == ["xn--strae-oqa.example"] and server.requests_to("/internal") == []


def test_dns_rebinding_cannot_swap_the_address(server: TestServer, settings: Settings) -> None:
    """One lookup per connection, and the connection goes to the address that lookup vetted."""
    server.route("/news", Reply(body=PAGE))
    answers = [[PUBLIC_IP], ["127.0.0.1"]]  # a rebinding server: public first, loopback after
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), 2) - 1]

    internet = Internet(server.port)
    net = closed_network(settings)
    result = fetch_with(net, pinned(net, rebinding, internet), "http://rebind.example/news")
    assert "内部页面" in (result.text or "")
    assert asked == ["rebind.example"] and internet.connected == [PUBLIC_IP]
    assert server.requests_to("/news")[0].headers["Host"] == "rebind.example"


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::1",  # 6to4 embedding 127.0.0.1
        "2002:a00:1::1",  # 6to4 embedding 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 embedding 127.0.0.1
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 embedding 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo (client 127.0.0.1)
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",  # IPv4-mapped cloud metadata
        "::127.0.0.1",  # IPv4-compatible (deprecated) loopback
    ],
)
def test_addresses_embedding_private_ones_are_refused(
    server: TestServer, settings: Settings, address: str
) -> None:
    """A name resolving to an IPv6 address that embeds a private IPv4 one never gets a request."""
    server.route("/x", Reply(body=PAGE))
    asked: list[str] = []
    net = closed_network(settings)
    transport = pinned(net, stub_resolver({"tunnel.example": [address]}, asked))
    with pytest.raises(UnsafeURLError, match="non-public address"):
        fetch_with(net, transport, f"http://tunnel.example:{server.port}/x")
    with pytest.raises(UnsafeURLError):
        asyncio.run(check_url(f"http://[{address}]/x", []))
    assert not is_public(address) and server.requests_to("/x") == []


def test_public_embedded_addresses_stay_fetchable() -> None:
    """6to4, NAT64 and mapped forms of a public address are public (IPv6-only networks work)."""
    assert all(is_public(a) for a in ("2002:808:808::1", "64:ff9b::808:808", "::ffff:8.8.8.8"))


def test_allow_hosts_honours_ports(settings: Settings) -> None:
    """allow_hosts = ["127.0.0.1:<a>"] lets port a through and refuses every other port."""
    servers = [TestServer().start(), TestServer().start()]
    try:
        allowed, other = servers
        for s in servers:
            s.route("/p", Reply(body=PAGE))
        net = closed_network(settings, allow_hosts=[f"127.0.0.1:{allowed.port}"])
        transport = pinned(net, stub_resolver({}, []))
        assert "内部页面" in (fetch_with(net, transport, allowed.url("/p")).text or "")
        with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1"):
            fetch_with(net, pinned(net, stub_resolver({}, [])), other.url("/p"))
        assert other.requests_to("/p") == []
    finally:
        for s in servers:
            s.stop()


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        (
            "https://[2606:4700:4700::1111]/dns?b=1&a=2#x",
            "https://[2606:4700:4700::1111]/dns?a=2&b=1",
        ),
        ("http://[FE80::1]/", "http://[fe80::1]/"),
        ("https://Straße.Example/a", "https://xn--strae-oqa.example/a"),
    ],
)
def test_ipv6_literals_keep_their_brackets(url: str, canonical: str) -> None:
    """canonicalize_url keeps IPv6 literals fetchable ([::1]) and writes IDNs as A-labels."""
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical
    assert httpx.URL(canonical).host  # still a URL httpx can connect to
