"""URL identity and policy: the canonical form of a link, and which URLs may be fetched."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import idna

from pipeline.errors import FetchError, UnsafeURLError
from pipeline.text.redact import redact_url

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Names that never resolve to a public host (RFC 6761, RFC 6762, RFC 8375, ICANN .internal).
SPECIAL_USE_NAMES = ("localhost", "invalid", "local", "internal", "home.arpa", "onion")
# The NAT64 well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
# (The local-use 64:ff9b:1::/48 of RFC 8215 is not global and is refused as such.)
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")

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

    Lowercases scheme and host (international names as IDNA-2008 A-labels, IPv6
    literals in brackets), drops userinfo, the default port, the fragment,
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
    netloc = _bracketed(_canonical_host(parts.hostname))
    if port and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = re.sub(r"/amp/?$", "", quote(parts.path, safe=PATH_SAFE)) or "/"
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def _canonical_host(host: str) -> str:
    try:
        host = wire_host(host)
    except UnsafeURLError:  # not a valid IDNA name: kept as written, the policy refuses it
        host = host.lower().rstrip(".")
    if host in NOT_MIRRORS:
        return host
    for prefix in MIRROR_PREFIXES:
        rest = host.removeprefix(prefix)
        if rest != host and rest.count(".") >= 1:
            return "www." + rest
    return host


def _bracketed(host: str) -> str:
    """An IPv6 literal in brackets, as a URL needs it; other hosts unchanged."""
    return f"[{host}]" if ":" in host else host


def _canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = sorted(
        (key, value)
        for key, value in pairs
        if key.lower() not in TRACKING_KEYS and not key.lower().startswith(TRACKING_PREFIXES)
    )
    return urlencode(kept, quote_via=quote)


# --- host names ----------------------------------------------------------------------


def wire_host(host: str) -> str:
    """The host as it goes on the wire: lower case, IDNA-2008 A-labels (UTS-46), no final dot.

    httpx encodes international names with IDNA-2008 too, so the name the policy
    judges is the name that is connected to (``straße`` is ``xn--strae-oqa``, never
    the IDNA-2003 ``strasse``). Raise UnsafeURLError for a name IDNA-2008 refuses.
    """
    host = host.strip().rstrip(".")
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii").lower()
    except idna.IDNAError as exc:
        raise UnsafeURLError(f"host '{host}' is not a valid international name: {exc}") from exc


def parse_allowed(allow_hosts: Sequence[str]) -> frozenset[tuple[str, int | None]]:
    """``allow_hosts`` entries as (wire host, port or None for any port)."""
    allowed: set[tuple[str, int | None]] = set()
    for entry in allow_hosts:
        host, port = _host_port(entry.strip())
        allowed.add((wire_host(host), port))
    return frozenset(allowed)


def _host_port(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]``, ``[v6]:port`` or a bare IPv6 literal."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, int(port) if port.isdigit() else None
    return entry, None


def is_allowed(host: str, port: int, allowed: frozenset[tuple[str, int | None]]) -> bool:
    """Whether the operator allows host (wire form) on this port."""
    return (host, None) in allowed or (host, port) in allowed


# --- policy ------------------------------------------------------------------------


async def check_url(url: str, allow_hosts: Sequence[str] = (), *, resolve: bool = True) -> None:
    """Raise UnsafeURLError unless url is http(s) and its host is public.

    Names that cannot be public and address literals are judged without a lookup.
    With ``resolve`` the name is also resolved and every address judged; without it
    the connection does that (see :mod:`pipeline.ingest.connect`), so the address checked
    is the address connected to.
    """
    host, port = url_target(url)
    if is_allowed(host, port, parse_allowed(allow_hosts)):
        return
    refused = _refused_name(host)
    if refused:  # refused before any lookup: not even a DNS query leaves the machine
        raise UnsafeURLError(f"host '{host}' not allowed: {refused}")
    literal = ip_literal(host)
    if literal is not None:
        vet_address(host, literal)
    elif resolve:
        for address in await resolve_host(host, port):
            vet_address(host, address)


def url_target(url: str) -> tuple[str, int]:
    """The wire host and port a URL connects to; UnsafeURLError for a URL we never fetch."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"invalid URL: {shown}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(f"scheme '{parts.scheme or 'none'}' not allowed: {shown}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURLError(f"no host in URL: {shown}")
    return wire_host(host), port or DEFAULT_PORTS[scheme]


def vet_address(host: str, address: str) -> None:
    """Raise UnsafeURLError unless address is public (the host is named in the message)."""
    if not is_public(address):
        raise UnsafeURLError(f"host '{host}' not allowed: resolves to non-public address {address}")


def ip_literal(host: str) -> str | None:
    """The address (normalised) when host is an IP literal, else None."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _refused_name(host: str) -> str | None:
    """Why a host name cannot be public, known without resolving it; None if it may be."""
    if ip_literal(host) is not None:
        return None  # an address literal is judged as an address
    name = host.lower()
    if "." not in name:
        return "single-label name"
    if any(name == s or name.endswith("." + s) for s in SPECIAL_USE_NAMES):
        return "special-use name"
    return None


async def resolve_host(host: str, port: int) -> list[str]:
    """The addresses of host, in the resolver's order of preference (one lookup)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host '{host}'", retryable=True) from exc
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def is_public(address: str) -> bool:
    """Whether an address is globally routable, and so is every IPv4 address it embeds.

    IPv4-mapped and NAT64 addresses are judged by the IPv4 address they carry;
    6to4 and Teredo addresses must be public themselves and carry public addresses.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return _public(ip)
    translated = _translated_v4(ip)
    if translated is not None:
        return _public(translated)
    embedded = [ip.sixtofour] if ip.sixtofour else list(ip.teredo or ())
    return _public(ip) and all(_public(v4) for v4 in embedded if v4 is not None)


def _translated_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped or NAT64 (RFC 6052) address stands for."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )
