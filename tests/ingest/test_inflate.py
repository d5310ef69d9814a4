"""Tests of pipeline.ingest.inflate: Content-Encoding decoding under a size cap."""

from __future__ import annotations

import gzip
import zlib

import pytest

from pipeline.errors import FetchError, ResponseTooLargeError
from pipeline.ingest.inflate import STEP, BoundedDecoder, encodings


def decode(header: str | None, body: bytes, cap: int = 10_000_000, chunk: int = 1000) -> bytes:
    decoder = BoundedDecoder(header, cap)
    pieces = [p for i in range(0, len(body), chunk) for p in decoder.decode(body[i : i + chunk])]
    return b"".join([*pieces, *decoder.finish()])


PAGE = "<p>人工智能</p>".encode() * 500


@pytest.mark.parametrize(
    ("header", "body"),
    [
        (None, PAGE),
        ("identity", PAGE),
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, as some servers send it
        ("deflate, gzip", gzip.compress(zlib.compress(PAGE))),
        ("GZIP ,  gzip", gzip.compress(gzip.compress(PAGE))),
        ("gzip", gzip.compress(PAGE[:100]) + gzip.compress(PAGE[100:])),  # two members
    ],
)
def test_decodes(header: str | None, body: bytes) -> None:
    assert decode(header, body) == PAGE


def test_every_piece_is_small_and_the_total_capped() -> None:
    decoder = BoundedDecoder("gzip", 1_000_000)
    body = gzip.compress(b"\0" * 3_000_000)
    sizes: list[int] = []
    with pytest.raises(ResponseTooLargeError):
        for piece in decoder.decode(body):
            sizes.append(len(piece))
    assert max(sizes) <= STEP and sum(sizes) <= 1_000_000


@pytest.mark.parametrize(
    ("header", "message"),
    [("br", "unsupported"), ("zstd", "unsupported"), ("gzip,gzip,gzip", "stacked")],
)
def test_refused_encodings(header: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        encodings(header)


def test_corrupt_body_is_a_permanent_error() -> None:
    with pytest.raises(FetchError, match="cannot decode the gzip body") as info:
        decode("gzip", b"not gzip at all")
    assert not info.value.retryable
