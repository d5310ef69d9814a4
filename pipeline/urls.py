"""URL identity and policy: the canonical form of a link, and which URLs may be fetched."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from pipeline.errors import FetchError, UnsafeURLError

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Names that never resolve to a public host (RFC 6761, RFC 6762, RFC 8375, ICANN .internal).
SPECIAL_USE_NAMES = ("localhost", "invalid", "local", "internal", "home.arpa", "onion")

# Query keys that only say where a click came from; every other key is kept (sorted).
TRACKING_KEYS = frozenset(
    {
        "spm",
        "from",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "ref",
        "ref_src",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmkt",
        "amp",
    }
)
TRACKING_PREFIXES = ("utm_", "share")
# Mobile / AMP mirrors of a site's www host: the path is the same, so the link stays
# valid and two feeds linking both copies dedupe. Hosts listed as exceptions are
# separate sites, not mirrors.
MIRROR_PREFIXES = ("amp.", "m.", "mobile.")
NOT_MIRRORS = frozenset({"m.weibo.cn"})
PATH_SAFE = "/%:@!$&'()*+,;=-._~"


# --- identity ----------------------------------------------------------------------


def canonicalize_url(url: str) -> str:
    """The canonical form of a link, used as its identity and as the link we publish.

    Lowercases scheme and host, drops userinfo, the default port, the fragment,
    tracking parameters and AMP markers, maps ``amp.``/``m.``/``mobile.`` hosts to
    ``www.``, and sorts the query. ``http`` is not upgraded to ``https``: some
    sources still serve plain HTTP only, and a canonical link must keep working.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # not a valid URL: nothing to canonicalise
        return url.strip()
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES or not parts.hostname:
        return url.strip()
    netloc = _canonical_host(parts.hostname)
    if port and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = re.sub(r"/amp/?$", "", quote(parts.path, safe=PATH_SAFE)) or "/"
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host in NOT_MIRRORS:
        return host
    for prefix in MIRROR_PREFIXES:
        rest = host.removeprefix(prefix)
        if rest != host and rest.count(".") >= 1:
            return "www." + rest
    return host


def _canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = sorted(
        (key, value)
        for key, value in pairs
        if key.lower() not in TRACKING_KEYS and not key.lower().startswith(TRACKING_PREFIXES)
    )
    return urlencode(kept, quote_via=quote)


# --- policy ------------------------------------------------------------------------


async def check_url(url: str, allow_hosts: Sequence[str] = ()) -> None:
    """Raise UnsafeURLError unless url is http(s) and its host resolves only to public addresses."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"invalid URL: {url}") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURLError(f"scheme '{parts.scheme or 'none'}' not allowed: {url}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURLError(f"no host in URL: {url}")
    if host in {h.lower() for h in allow_hosts}:
        return
    refused = _refused_name(host)
    if refused:  # refused before any lookup: not even a DNS query leaves the machine
        raise UnsafeURLError(f"host '{host}' not allowed: {refused}")
    for address in await _resolve(host, port):
        if not _is_public(address):
            raise UnsafeURLError(
                f"host '{host}' not allowed: resolves to non-public address {address}"
            )


def _refused_name(host: str) -> str | None:
    """Why a host name cannot be public, known without resolving it; None if it may be."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None  # an address literal is judged as an address
    name = host.lower()
    if "." not in name:
        return "single-label name"
    if any(name == s or name.endswith("." + s) for s in SPECIAL_USE_NAMES):
        return "special-use name"
    return None


async def _resolve(host: str, port: int | None) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host '{host}'", retryable=True) from exc
    return sorted({str(info[4][0]).split("%", 1)[0] for info in infos})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )
