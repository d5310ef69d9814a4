"""The list of dates: every draft of a format with its state, and the days without one (and why)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipeline.config import PublicationSettings
from pipeline.publish.drafts import paths_for
from pipeline.review.drafts import DraftReview, draft_stems, read_record, review_draft

STEM_RE = re.compile(r"\d{4}-(?:\d{2}-\d{2}|W\d{2})(?:\.rerun-\d{1,4})?")
RECORD_RE = re.compile(r"\d{4}-(?:\d{2}-\d{2}|W\d{2})")
MAX_GAP_DAYS = 62  # days without anything listed between two known dates
MAX_CACHED = 4096
_ROWS: dict[tuple[str, tuple[int, int], tuple[int, int]], DateRow] = {}


class DateRow(BaseModel):
    """One row of the list of dates."""

    stem: str
    state: str  # generated | edited | unknown | no draft
    flagged: bool = False
    lint_errors: int = 0
    unsupported: int = 0
    degraded: int = 0
    failures: int = 0
    reruns: list[str] = Field(default_factory=list)
    reason: str = ""  # why there is no draft

    @property
    def has_draft(self) -> bool:
        """True when there is a Markdown draft to open."""
        return self.state != "no draft"


def is_stem(text: str) -> bool:
    """Whether text names a draft (a date or ISO week, maybe a rerun file)."""
    return STEM_RE.fullmatch(text) is not None


def list_dates(
    output_dir: Path, fmt: str, publication: PublicationSettings | None = None
) -> list[DateRow]:
    """Every date of a format, newest first: drafts, records without a draft, gaps."""
    folder = output_dir / fmt
    drafts = [s for s in draft_stems(folder) if (folder / f"{s}.md").is_file()]
    rows = {s: _cached_row(output_dir, fmt, s, publication) for s in drafts}
    for record in folder.glob("*.json"):
        if RECORD_RE.fullmatch(record.stem) and record.stem not in rows:
            rows[record.stem] = DateRow(stem=record.stem, state="no draft", reason=why(record))
    for day in _gaps(rows):
        rows[day] = DateRow(stem=day, state="no draft", reason="no run recorded for this date")
    return [rows[k] for k in sorted(rows, reverse=True)]


def _cached_row(
    output_dir: Path, fmt: str, stem: str, publication: PublicationSettings | None
) -> DateRow:
    """A draft's row, linted again only when its file or record changed (a year is 365 lints)."""
    markdown, record = paths_for(output_dir, fmt, stem)
    key = (str(markdown), _stamp(markdown), _stamp(record))
    if key not in _ROWS:
        if len(_ROWS) > MAX_CACHED:
            _ROWS.clear()
        _ROWS[key] = _draft_row(review_draft(output_dir, fmt, stem, publication))
    return _ROWS[key]


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (0, -1)
    return (info.st_mtime_ns, info.st_size)


def _draft_row(review: DraftReview) -> DateRow:
    return DateRow(
        stem=review.stem,
        state=review.state,
        flagged=review.flagged,
        lint_errors=review.lint_errors,
        unsupported=review.unsupported,
        degraded=review.degraded,
        failures=review.failures,
        reruns=[p.stem for p in review.reruns],
    )


def why(record_path: Path) -> str:
    """Why a run wrote a record but no draft, from the record."""
    record = read_record(record_path)
    if record is None:
        return "the run's record is unreadable"
    if record.get("stories"):
        return "the draft file is missing (deleted or moved?); its record is here"
    parts = ["no story in the window"]
    drops = Counter(str(d.get("reason", "?")) for d in _dicts(record.get("dropped")))
    if drops:
        parts.append(", ".join(f"{n} {reason}" for reason, n in drops.most_common()))
    failures = _dicts(record.get("failures"))
    if failures:
        parts.append(f"{len(failures)} failed feed(s) or page(s)")
    return "; ".join(parts)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value or [] if isinstance(v, dict)]


def _gaps(rows: dict[str, DateRow]) -> list[str]:
    """Dates between the first and last known date that have nothing at all."""
    days = sorted(d for s in rows if (d := _as_date(s)) is not None)
    if len(days) < 2 or (days[-1] - days[0]).days > MAX_GAP_DAYS:
        return []
    every = (days[0] + timedelta(days=i) for i in range((days[-1] - days[0]).days))
    return [d.isoformat() for d in every if d.isoformat() not in rows]


def _as_date(stem: str) -> date | None:
    try:
        return date.fromisoformat(stem)
    except ValueError:
        return None
