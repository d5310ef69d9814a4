"""The provenance record of a draft: every story with its articles, every drop and failure."""

from __future__ import annotations

from collections import Counter

from pipeline.models import Dropped


def reasons(dropped: list[Dropped]) -> dict[str, int]:
    """Dropped articles counted by reason."""
    return dict(Counter(d.reason for d in dropped))
