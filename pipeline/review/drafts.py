"""Reviewing drafts: what is in output/<format>/, what editors changed, what still needs work."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipeline.config import PublicationSettings
from pipeline.markdown.lint import lint_text
from pipeline.publish.drafts import draft_state, generated_path, paths_for
from pipeline.store.files import sha256_text

RERUN_RE = re.compile(r"^(?P<stem>.+)\.rerun-(?P<n>\d+)$")
NOT_KEPT = "generated text not kept"
MARKER_MESSAGE = " marker 【"  # how lint words an editor marker left in the text
NO_DRAFT = "no draft"


class DraftReview(BaseModel):
    """One draft as a reviewer sees it."""

    stem: str  # the date, e.g. 2026-02-07
    markdown: Path
    record: Path
    state: str  # generated | edited | unknown (no record) | no draft (a record only)
    reason: str = ""  # for "no draft": why the run wrote none
    lint_errors: int = 0
    markers: int = 0  # 【待核实】/【待编辑】 left in the text
    unsupported: int = 0
    degraded: int = 0
    failures: int = 0
    reruns: list[Path] = Field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """True while the draft has lint errors (markers included): not ready to publish."""
        return self.lint_errors > 0

    @property
    def label(self) -> str:
        """The state shown in the review table."""
        return f"{self.state}, flagged" if self.flagged else self.state


def draft_stems(folder: Path) -> list[str]:
    """The stems of the main drafts and of records without a draft (no rerun files), sorted."""
    found = {p.stem for p in folder.glob("*.md")} | {p.stem for p in folder.glob("*.json")}
    return sorted(stem for stem in found if not RERUN_RE.match(stem))


def rerun_files(folder: Path, stem: str) -> list[Path]:
    """The rerun drafts written beside an edited draft, in order."""
    found = [p for p in folder.glob(f"{glob_escape(stem)}.rerun-*.md") if RERUN_RE.match(p.stem)]
    return sorted(found, key=lambda p: int(RERUN_RE.match(p.stem)["n"]))  # type: ignore[index]


def glob_escape(text: str) -> str:
    """text with glob metacharacters escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def read_record(path: Path) -> dict[str, Any] | None:
    """A draft's JSON record, or None if it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def review_draft(
    output_dir: Path, fmt: str, stem: str, publication: PublicationSettings | None = None
) -> DraftReview:
    """The review of one draft: its state, lint errors, record counts and rerun files."""
    markdown, record_path = paths_for(output_dir, fmt, stem)
    record = read_record(record_path)
    text = markdown.read_text(encoding="utf-8", errors="replace")
    errors = [p for p in lint_text(text, publication=publication) if p.severity == "error"]
    stories = record.get("stories", []) if record else []
    return DraftReview(
        stem=stem,
        markdown=markdown,
        record=record_path,
        state=draft_state(markdown, record_path) if record else "unknown",
        lint_errors=len(errors),
        markers=sum(1 for p in errors if MARKER_MESSAGE in p.message),
        unsupported=sum(len(s.get("unsupported") or []) for s in stories),
        degraded=sum(1 for s in stories if s.get("degraded")),
        failures=len(record.get("failures") or []) if record else 0,
        reruns=rerun_files(markdown.parent, stem),
    )


def review_no_draft(output_dir: Path, fmt: str, stem: str) -> DraftReview | None:
    """A date whose run wrote a record but no draft, with the record's reason; else None."""
    markdown, record_path = paths_for(output_dir, fmt, stem)
    record = read_record(record_path)
    if record is None:
        return None
    reason = record.get("no_draft") or "the run wrote no draft (its record gives no reason)"
    return DraftReview(
        stem=stem,
        markdown=markdown,
        record=record_path,
        state=NO_DRAFT,
        reason=str(reason),
        failures=len(record.get("failures") or []),
    )


def review_drafts(
    output_dir: Path,
    fmt: str,
    stem: str | None = None,
    publication: PublicationSettings | None = None,
) -> list[DraftReview]:
    """Every draft of a format (or just one date's), and dates with only a record, newest first."""
    stems = [stem] if stem else draft_stems(output_dir / fmt)
    found: list[DraftReview] = []
    for item in reversed(stems):
        if paths_for(output_dir, fmt, item)[0].is_file():
            found.append(review_draft(output_dir, fmt, item, publication))
        elif (no_draft := review_no_draft(output_dir, fmt, item)) is not None:
            found.append(no_draft)
    return found


def generated_text(markdown: Path, record: Path) -> str | None:
    """The text the pipeline wrote for a draft, if it was kept and matches the record's hash."""
    kept = generated_path(markdown)
    if not kept.is_file():
        return None
    text = kept.read_text(encoding="utf-8", errors="replace")
    data = read_record(record)
    if data and data.get("markdown_sha256") not in (None, "", sha256_text(text)):
        return None  # kept from another run: diffing against it would mislead
    return text


def editor_diff(review: DraftReview) -> list[str] | None:
    """The editor's changes as a unified diff (empty: none); None if the generated text is gone."""
    before = generated_text(review.markdown, review.record)
    if before is None:
        return None
    after = review.markdown.read_text(encoding="utf-8", errors="replace")
    return list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"generated/{review.markdown.name}",
            tofile=str(review.markdown),
            lineterm="",
        )
    )
