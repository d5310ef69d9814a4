"""Fetch stage: all web I/O through one shared httpx client, with URL policy, limits and retries."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from pipeline.config import NetworkSettings
from pipeline.errors import FetchError
from pipeline.ingest.charset import decode_html
from pipeline.ingest.connect import PinnedTransport, environment_proxy
from pipeline.ingest.inflate import ACCEPT_ENCODING, BoundedDecoder, CappedBody, too_large
from pipeline.ingest.urls import check_url, wire_host
from pipeline.text.redact import redact_text, redact_url

logger = logging.getLogger(__name__)

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_RETRY_AFTER = 30.0  # s; a server asking for longer is treated as "not now"
# Timeouts after which a host's remaining requests in this fetcher fail at once.
HUNG_SERVER_TIMEOUTS = 3


class FetchResult(BaseModel):
    """A fetched feed or page: the final URL, the bytes, and what the headers said."""

    url: str  # final URL after redirects
    status: int
    content: bytes = b""
    text: str | None = None  # decoded text, for HTML pages
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    encoding: str | None = None


# --- the fetcher -------------------------------------------------------------------


@dataclass
class _HostGate:
    """Per-host limit and politeness clock."""

    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0


class _StatusError(FetchError):
    """An HTTP error status, with the server's Retry-After if it gave one."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message, retryable=retryable)
        self.retry_after = retry_after


def build_client(
    settings: NetworkSettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one HTTP client of a run: real User-Agent, timeouts, redirects handled by Fetcher.

    With a PinnedTransport it connects only to addresses the URL policy vetted in the
    same lookup; without a transport, httpx's own goes through the environment's proxy.
    """
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    limits = httpx.Limits(max_connections=settings.concurrency)
    headers = {
        "User-Agent": settings.user_agent,
        "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    return httpx.AsyncClient(
        timeout=timeout, limits=limits, headers=headers, follow_redirects=False, transport=transport
    )


def pinned_transport(settings: NetworkSettings) -> PinnedTransport:
    """The transport that resolves once, vets, and connects to the vetted address."""
    limits = httpx.Limits(max_connections=settings.concurrency)
    return PinnedTransport(limits, settings.allow_hosts)


class Fetcher:
    """Fetches feeds and pages politely: bounded concurrency, deadlines, retries, size cap."""

    def __init__(
        self,
        settings: NetworkSettings,
        client: httpx.AsyncClient | None = None,
        *,
        backoff: float = 0.5,
        transport: PinnedTransport | None = None,
    ) -> None:
        self.settings = settings
        self.backoff = backoff  # base of the exponential backoff between attempts, s
        # An injected client or a proxy connects on its own: then the policy resolves first.
        proxied = client is None and transport is None and environment_proxy()
        self._pinned = client is None and not proxied
        if proxied:
            logger.info("using the environment's HTTP proxy: hosts are vetted before the request")
        elif client is None and transport is None:
            transport = pinned_transport(settings)
        self._client = client or build_client(settings, transport)
        self._owns_client = client is None
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, _HostGate] = {}
        self._timeouts: Counter[str] = Counter()  # host → timeouts this run

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client if this fetcher built it."""
        if self._owns_client:
            await self._client.aclose()

    async def fetch_feed(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET a feed, conditionally: a 304 comes back as ``not_modified=True``."""
        headers = {
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._with_retries(url, headers, page=False)

    async def fetch_page(self, url: str) -> FetchResult:
        """GET an HTML page and decode it (extraction converts traditional Chinese, not this)."""
        headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
        result = await self._with_retries(url, headers, page=True)
        text, encoding = decode_html(result.content, _charset(result.content_type))
        return result.model_copy(update={"text": text, "encoding": encoding})

    async def _with_retries(self, url: str, headers: dict[str, str], *, page: bool) -> FetchResult:
        """Attempts with backoff, all within one deadline for the URL (retries included)."""
        attempts = self.settings.retries + 1
        budget = _Deadline(self.settings.deadline)
        for attempt in range(1, attempts + 1):
            try:
                return await self._follow(url, headers, page=page, budget=budget)
            except FetchError as exc:
                delay = self._delay(attempt, exc)
                last = attempt == attempts or delay >= budget.remaining()
                if not exc.retryable or last or _not_now(exc):
                    raise _final(exc, attempt) from exc
                logger.info("retrying %s in %.1f s: %s", redact_url(url), delay, exc)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, exc: FetchError) -> float:
        if isinstance(exc, _StatusError) and exc.retry_after is not None:
            return exc.retry_after
        base = self.backoff * 2.0 ** (attempt - 1)
        return base + random.uniform(0, base)

    async def _follow(
        self, url: str, headers: dict[str, str], *, page: bool, budget: _Deadline
    ) -> FetchResult:
        """One attempt: follow redirects hop by hop, checking every hop against the URL policy."""
        seen = {url}
        for _ in range(self.settings.max_redirects + 1):
            target = await self._hop(url, headers, page=page, budget=budget)
            if isinstance(target, FetchResult):
                return target
            if target in seen:
                raise FetchError(f"redirect loop at {redact_url(target)}", retryable=False)
            seen.add(target)
            url = target
        raise FetchError(
            f"too many redirects (more than {self.settings.max_redirects})", retryable=False
        )

    async def _hop(
        self, url: str, headers: dict[str, str], *, page: bool, budget: _Deadline
    ) -> FetchResult | str:
        """One request under the URL's deadline: a result, or the URL it redirects to."""
        await self._check(url)
        deadline = self.settings.deadline
        server = _server(url)
        async with self._slot(url):
            self._skip_if_hung(server)
            try:
                async with asyncio.timeout(budget.start()):
                    return await self._request(url, headers, page=page)
            except TimeoutError as exc:
                self._timeouts[server] += 1
                message = (
                    f"timed out after {deadline:g} s (the deadline of one URL, retries included)"
                )
                raise FetchError(message, retryable=False) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                self._timeouts[server] += isinstance(exc, httpx.TimeoutException)
                raise _http_error(exc, self.settings) from exc

    def _skip_if_hung(self, server: str) -> None:
        """Fail fast on a host that keeps timing out in this run.

        Requests queued for a hung host would otherwise cost a deadline each, so a
        source with many entries (or one host answering on many ports) could hold
        the run for hours.
        """
        count = self._timeouts[server]
        if count >= HUNG_SERVER_TIMEOUTS:
            message = f"skipped: {server} timed out {count} times in this run"
            raise FetchError(message, retryable=False)

    async def _check(self, url: str) -> None:
        """Apply the URL policy, giving name resolution no longer than a connect."""
        limit = self.settings.connect_timeout
        try:
            async with asyncio.timeout(limit):
                await check_url(url, self.settings.allow_hosts, resolve=not self._pinned)
        except TimeoutError as exc:
            host = urlsplit(url).hostname
            message = f"cannot resolve host '{host}' within {limit:g} s"
            raise FetchError(message, retryable=True) from exc

    async def _request(self, url: str, headers: dict[str, str], *, page: bool) -> FetchResult | str:
        # follow_redirects=False even on an injected client: every hop must pass check_url
        request = self._client.stream("GET", url, headers=headers, follow_redirects=False)
        async with request as response:
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_CODES and location:
                return str(response.url.join(location))
            _raise_for_status(response)
            content_type = response.headers.get("Content-Type")
            if page and not _is_html(content_type):
                raise FetchError(f"not HTML ({_mime(content_type)})", retryable=False)
            content = b"" if response.status_code == 304 else await self._read(response)
            return _result(response, content)

    async def _read(self, response: httpx.Response) -> bytes:
        """The decoded body, streamed, aborted as soon as the wire or decoded size passes the cap.

        Decoding is ours (not httpx's), in steps of bounded output with a yield to the
        event loop between them: stacked encodings cannot inflate past the cap, and the
        deadline can fire while a large body is decoded.
        """
        cap = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise too_large(cap)
        decoder = BoundedDecoder(response.headers.get("Content-Encoding"), cap)
        body = CappedBody(cap)
        async for chunk in response.aiter_raw():
            body.wire += len(chunk)
            if body.wire > cap:
                raise too_large(cap)
            await body.take(decoder.decode(chunk))
        await body.take(decoder.finish())
        return b"".join(body.pieces)

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """Hold a per-host slot and a global slot; start no sooner than the politeness delay."""
        gate = self._gate((urlsplit(url).hostname or "").lower())
        async with gate.slots:
            await self._wait_turn(gate)
            async with self._slots:
                yield

    def _gate(self, host: str) -> _HostGate:
        if host not in self._hosts:
            self._hosts[host] = _HostGate(asyncio.Semaphore(self.settings.per_host))
        return self._hosts[host]

    async def _wait_turn(self, gate: _HostGate) -> None:
        loop = asyncio.get_running_loop()
        async with gate.lock:
            wait = gate.next_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            gate.next_at = loop.time() + self.settings.politeness_delay


class _Deadline:
    """The wall-clock budget of one URL: it starts with the first request actually sent."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at: float | None = None

    def start(self) -> float:
        """Seconds left for the next request (starting the clock on the first)."""
        now = time.monotonic()
        if self.at is None:
            self.at = now + self.seconds
        return max(0.0, self.at - now)

    def remaining(self) -> float:
        """Seconds left before the deadline (all of it before the first request)."""
        return self.seconds if self.at is None else max(0.0, self.at - time.monotonic())


def _server(url: str) -> str:
    """The host of a URL: the unit that gives up together, whatever the port.

    A slow host answering on many ports is one slow host: counting per host:port
    let eight ports cost eight times the give-up.
    """
    host = (urlsplit(url).hostname or "").rstrip(".")
    try:
        return wire_host(host)
    except FetchError:
        return host.lower()


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 300 or status == 304:
        return
    message = f"HTTP {status} {response.reason_phrase}".rstrip()
    retryable = status == 429 or status >= 500
    retry_after = _retry_after(response.headers.get("Retry-After")) if retryable else None
    raise _StatusError(message, retryable=retryable, retry_after=retry_after)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _not_now(exc: FetchError) -> bool:
    """Whether the server asked us to come back later than a run can wait (Retry-After)."""
    retry_after = exc.retry_after if isinstance(exc, _StatusError) else None
    return retry_after is not None and retry_after > MAX_RETRY_AFTER


def _final(exc: FetchError, attempts: int) -> FetchError:
    """The error to raise after the last attempt, saying how many were made."""
    if attempts == 1 and not isinstance(exc, _StatusError):
        return exc
    kind = FetchError if isinstance(exc, _StatusError) else type(exc)
    suffix = f" after {attempts} attempts" if attempts > 1 else ""
    return kind(f"{exc}{suffix}", retryable=exc.retryable)


def _result(response: httpx.Response, content: bytes) -> FetchResult:
    headers = response.headers
    return FetchResult(
        url=str(response.url),
        status=response.status_code,
        content=content,
        content_type=headers.get("Content-Type"),
        etag=headers.get("ETag"),
        last_modified=headers.get("Last-Modified"),
        not_modified=response.status_code == 304,
    )


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    return match.group(1) if match else None


def _is_html(content_type: str | None) -> bool:
    """HTML, or no Content-Type at all (the body is then sniffed by the decoder)."""
    mime = _mime(content_type)
    return not mime or mime in HTML_TYPES


def _http_error(exc: httpx.HTTPError | httpx.InvalidURL, settings: NetworkSettings) -> FetchError:
    """An httpx exception as a FetchError an editor can read."""
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(
            f"could not connect within {settings.connect_timeout:g} s", retryable=True
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"no data for {settings.read_timeout:g} s (read timeout)", retryable=True)
    if isinstance(exc, httpx.TransportError):
        return FetchError(f"connection failed: {_describe(exc)}", retryable=True)
    return FetchError(f"bad response: {_describe(exc)}", retryable=False)


def _describe(exc: BaseException) -> str:
    return redact_text(str(exc)) or type(exc).__name__
