"""Content-Encoding decoding under a size cap, in small steps.

httpx inflates a whole network chunk at once, so 1.8 KB of ``gzip, gzip`` can become
gigabytes before any cap is checked, and the event loop is blocked meanwhile. Here
every layer of a (possibly stacked) encoding produces at most ``STEP`` bytes per
call and at most the cap in total, so memory stays under the cap and each step is
short enough for the fetch deadline to fire between steps.
"""

from __future__ import annotations

import asyncio
import itertools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pipeline.errors import FetchError, ResponseTooLargeError

ACCEPT_ENCODING = "gzip, deflate"  # what we decode ourselves (no br/zstd: no bounded decoder)
GZIP_NAMES = frozenset({"gzip", "x-gzip"})
MAX_LAYERS = 2  # gzip of gzip is already odd; deeper stacks are refused
STEP = 64 * 1024  # bytes of output per decompress call
GZIP_MAGIC = b"\x1f\x8b"


class _Layer:
    """One gzip or deflate layer with an output budget."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.encoding, self.cap, self.total = encoding, cap, 0
        self.gzip = encoding in GZIP_NAMES
        self.started = False
        self.z = self._decompressor(raw=False)

    def _decompressor(self, *, raw: bool) -> zlib._Decompress:
        wbits = -zlib.MAX_WBITS if raw else zlib.MAX_WBITS | (16 if self.gzip else 0)
        return zlib.decompressobj(wbits)

    def feed(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The decoded output of chunks, in pieces of at most STEP bytes."""
        for chunk in chunks:
            yield from self._inflate(chunk)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        while True:
            out = self._step(data)
            data = self.z.unconsumed_tail
            if out:
                yield self._count(out)
            if self.z.eof and self.z.unused_data:
                data = self._next_member(self.z.unused_data)
            if not out and not data:
                return

    def _step(self, data: bytes) -> bytes:
        try:
            out = self.z.decompress(data, STEP)
        except zlib.error as exc:
            if self.started or self.gzip:
                raise _bad(self.encoding, exc) from exc
            self.z = self._decompressor(raw=True)  # "deflate" sent without its zlib header
            out = self._retry_raw(data)
        self.started = self.started or bool(data)
        return out

    def _retry_raw(self, data: bytes) -> bytes:
        try:
            return self.z.decompress(data, STEP)
        except zlib.error as exc:
            raise _bad(self.encoding, exc) from exc

    def _next_member(self, rest: bytes) -> bytes:
        """A gzip body may hold several members; anything else after the end is ignored."""
        if self.gzip and rest.startswith(GZIP_MAGIC):
            self.z = self._decompressor(raw=False)
            return rest
        return b""

    def _count(self, out: bytes) -> bytes:
        self.total += len(out)
        if self.total > self.cap:
            raise too_large(self.cap)
        return out

    def flush(self) -> Iterator[bytes]:
        """What the layer still holds once the input has ended."""
        yield from self._inflate(b"")


class BoundedDecoder:
    """Decodes a body whose Content-Encoding may stack layers, never past the cap."""

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.cap = cap
        # the last encoding applied is the first to undo
        self.layers = [_Layer(e, cap) for e in reversed(encodings(content_encoding))]

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        """The decoded pieces of one raw chunk."""
        pieces: Iterable[bytes] = [chunk]
        for layer in self.layers:
            pieces = layer.feed(pieces)
        yield from pieces

    def finish(self) -> Iterator[bytes]:
        """The decoded pieces still held once the raw body has ended."""
        pieces: Iterable[bytes] = ()
        for layer in self.layers:
            pieces = itertools.chain(layer.feed(pieces), layer.flush())
        yield from pieces


@dataclass
class CappedBody:
    """A response body as it is decoded: the pieces, and the bytes on the wire so far."""

    cap: int
    wire: int = 0
    size: int = 0
    pieces: list[bytes] = field(default_factory=list)

    async def take(self, pieces: Iterator[bytes]) -> None:
        """Keep decoded pieces until the cap, yielding to the event loop after each."""
        for piece in pieces:
            self.size += len(piece)
            if self.size > self.cap:
                raise too_large(self.cap)
            self.pieces.append(piece)
            await asyncio.sleep(0)


def encodings(header: str | None) -> list[str]:
    """The Content-Encoding layers in the order they were applied; refuse unknown or deep ones."""
    names = [n.strip().lower() for n in (header or "").split(",")]
    names = [n for n in names if n and n != "identity"]
    for name in names:
        if name not in GZIP_NAMES and name != "deflate":
            raise FetchError(
                f"bad response: unsupported Content-Encoding {name!r}", retryable=False
            )
    if len(names) > MAX_LAYERS:
        message = f"bad response: {len(names)} stacked Content-Encodings (at most {MAX_LAYERS})"
        raise FetchError(message, retryable=False)
    return names


def too_large(cap: int) -> ResponseTooLargeError:
    """The error of a body past the cap (decoded or on the wire)."""
    return ResponseTooLargeError(f"response larger than {cap / 1e6:g} MB", retryable=False)


def _bad(encoding: str, exc: zlib.error) -> FetchError:
    return FetchError(f"bad response: cannot decode the {encoding} body ({exc})", retryable=False)
