"""The flow's stage timer; no Prefect here."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def timed(times: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of the block to ``times[name]``."""
    started = time.monotonic()
    try:
        yield
    finally:
        times[name] = times.get(name, 0.0) + time.monotonic() - started
