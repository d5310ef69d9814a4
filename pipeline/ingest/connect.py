"""Pinned connections: a host is resolved once, every address is vetted, and the
connection goes to a vetted address.

httpx hands the connection pool a host name; :class:`PinnedBackend` (an httpcore
network backend) resolves it, refuses it unless every address is public (or the
operator allows the host), and opens the TCP connection to the vetted address
itself. The HTTP ``Host`` header and the TLS SNI/certificate check still use the
name, so HTTPS keeps verifying the site. There is no second lookup that DNS
rebinding could answer differently.
"""

from __future__ import annotations

import logging
import ssl
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Sequence

import anyio
import httpcore
import httpx

from pipeline.errors import FetchError
from pipeline.ingest.urls import (
    ip_literal,
    is_allowed,
    parse_allowed,
    resolve_host,
    vet_address,
    wire_host,
)

logger = logging.getLogger(__name__)

Resolver = Callable[[str, int], Awaitable[list[str]]]
PROXY_SCHEMES = ("http", "https", "all")


def environment_proxy() -> bool:
    """Whether the environment names an HTTP(S) proxy (then the proxy connects, not we)."""
    return any(urllib.request.getproxies().get(scheme) for scheme in PROXY_SCHEMES)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to vetted addresses: one resolution per connection, pinned."""

    def __init__(
        self,
        allow_hosts: Sequence[str] = (),
        resolver: Resolver = resolve_host,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allowed = parse_allowed(allow_hosts)
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve host once, vet every address, connect to the first that answers."""
        addresses = await self.addresses(host, port, timeout)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # addresses is never empty
        raise error

    async def addresses(self, host: str, port: int, timeout: float | None) -> list[str]:
        """The vetted addresses to try, in order (the name itself for an allowed host)."""
        name = wire_host(host)
        if is_allowed(name, port, self._allowed):
            return [host]
        literal = ip_literal(name)
        if literal is not None:
            vet_address(name, literal)
            return [literal]
        found = await self._lookup(name, port, timeout)
        for address in found:
            vet_address(name, address)
        return found

    async def _lookup(self, name: str, port: int, timeout: float | None) -> list[str]:
        """One lookup under the connect timeout; httpcore errors so httpx reports them."""
        try:
            with anyio.fail_after(timeout):
                found = await self._resolve(name, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"cannot resolve host '{name}' in time") from exc
        except FetchError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        if not found:
            raise httpcore.ConnectError(f"cannot resolve host '{name}'")
        return found

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never used: the fetch client has no Unix-socket transport."""
        raise httpcore.ConnectError("Unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """Sleep on the inner backend's clock."""
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with a connection pool that connects through PinnedBackend."""

    def __init__(
        self,
        limits: httpx.Limits,
        allow_hosts: Sequence[str] = (),
        resolver: Resolver = resolve_host,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        super().__init__(limits=limits)
        # httpx takes no network backend, so the pool it built is replaced by an equal one.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(allow_hosts, resolver, inner),
        )


def _ssl_context() -> ssl.SSLContext:
    """The SSL context httpx itself would use (certifi, or SSL_CERT_FILE/SSL_CERT_DIR)."""
    return httpx.create_ssl_context()
