"""What each page shows, as plain functions over ``output/`` and the archive (no HTTP here)."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from pipeline.config import PublicationSettings
from pipeline.errors import DigestError, EditError
from pipeline.markdown.document import DOCUMENT_KINDS, DailyDocument, Document, SectionNode
from pipeline.markdown.lint import Problem, lint_text
from pipeline.markdown.parse import parse
from pipeline.markdown.render import render_document
from pipeline.publish.drafts import draft_state, paths_for
from pipeline.review.drafts import MARKER_MESSAGE, read_record
from pipeline.review.web import edits, markers
from pipeline.review.web.dates import is_stem
from pipeline.review.web.saving import history, read_current
from pipeline.review.web.sources import StorySources, story_sources
from pipeline.review.web.view import DraftView, build_view

FORMATS = DOCUMENT_KINDS  # the Markdown shapes the page reads


class Site(BaseModel):
    """Where the page reads and writes, fixed when the server starts."""

    output_dir: Path
    data_dir: Path
    templates_dir: Path
    tz_name: str = "Asia/Shanghai"
    # drafts are linted against the configured publication (its footer, category)
    publication: PublicationSettings = Field(default_factory=PublicationSettings)

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.tz_name)


class DraftPage(BaseModel):
    """A draft with everything the draft page shows."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    fmt: str
    stem: str
    path: Path
    text: str
    sha256: str
    state: str
    view: DraftView
    problems: list[Problem] = Field(default_factory=list)
    record: dict[str, Any] | None = None
    targets: list[tuple[int, str]] = Field(default_factory=list)  # sections a line can move to
    versions: int = 0  # earlier versions kept by saves from the page (what undo restores)

    @property
    def errors(self) -> list[Problem]:
        """Lint errors only."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def other_errors(self) -> list[Problem]:
        """Lint errors that are not the markers the flag list already shows."""
        return [p for p in self.errors if MARKER_MESSAGE not in p.message]

    @property
    def drop_reasons(self) -> list[tuple[str, int]]:
        """How many articles the run dropped, by reason."""
        dropped = (self.record or {}).get("dropped") or []
        counts = Counter(str(d.get("reason", "?")) for d in dropped if isinstance(d, dict))
        return counts.most_common()

    def count(self, key: str) -> int:
        """The length of a list in the record (failures, dropped …)."""
        value = (self.record or {}).get(key)
        return len(value) if isinstance(value, (list, dict)) else 0


def check_target(fmt: str, stem: str) -> None:
    """Refuse a format or draft name that is not one (no path tricks)."""
    if fmt not in FORMATS or not is_stem(stem):
        raise DigestError(f"no such draft: {fmt}/{stem}")


def draft_paths(site: Site, fmt: str, stem: str) -> tuple[Path, Path]:
    """The Markdown and record paths of a draft, after the name is checked."""
    check_target(fmt, stem)
    return paths_for(site.output_dir, fmt, stem)


def load_draft(site: Site, fmt: str, stem: str, *, lint: bool = True) -> DraftPage:
    """A draft as its page shows it (``lint=False``: without lint, for the source pane)."""
    markdown, record_path = draft_paths(site, fmt, stem)
    text, digest = read_current(markdown)
    record = read_record(record_path)
    doc = parse(text, fmt)  # type: ignore[arg-type]
    return DraftPage(
        fmt=fmt,
        stem=stem,
        path=markdown,
        text=text,
        sha256=digest,
        state=draft_state(markdown, record_path) if record else "unknown",
        view=build_view(doc),
        problems=lint_text(text, fmt, site.publication) if lint else [],  # type: ignore[arg-type]
        record=record,
        targets=_targets(doc),
        versions=len(history(markdown)),
    )


def _targets(doc: Document) -> list[tuple[int, str]]:
    if not isinstance(doc, DailyDocument):
        return []
    return [
        (i, s.heading.title)
        for i, s in enumerate(doc.sections)
        if isinstance(s, SectionNode) and not edits.is_story_section(s)
    ]


def sources_of(site: Site, page: DraftPage, address: str) -> StorySources:
    """The source pane of one story of a draft."""
    unit = page.view.unit(address)
    if unit is None:
        raise DigestError(f"the draft has no story {address} (it changed?); reload the page")
    return story_sources(unit, page.record, site.data_dir, site.tz)


def apply_action(site: Site, text: str, fmt: str, form: dict[str, str]) -> str:
    """The draft's text after one editor action, made on the document model."""
    doc = parse(text, fmt)  # type: ignore[arg-type]
    action, address = form.get("action", ""), form.get("address", "")
    if action == "drop":
        doc = edits.drop_story(doc, address)
    elif action in ("up", "down"):
        doc = edits.move_story(doc, address, -1 if action == "up" else 1)
    elif action == "to_more":
        doc = edits.to_more(doc, address)
    elif action == "to_main":
        doc = edits.to_main(doc, address, _int(form.get("section", "")))
    elif action in ("keep", "delete"):
        occurrence = _int(form.get("occurrence", ""))
        doc = markers.resolve_marker(doc, form.get("path", ""), occurrence, keep=action == "keep")
    else:
        raise EditError(f"unknown action {action!r}")
    return render_document(doc, site.templates_dir)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise EditError(f"not a number: {value!r}") from None


def record_parts(record: dict[str, Any] | None) -> dict[str, Any]:
    """The record's failures, drops, notes and numbers, malformed entries left out."""
    data = record or {}
    rows = {
        key: [x for x in data.get(key) or [] if isinstance(x, dict)]
        for key in ("failures", "dropped")
    }
    notes, stats = data.get("notes"), data.get("stats")
    return {
        **rows,
        "notes": notes if isinstance(notes, dict) else {},
        "stats": stats if isinstance(stats, dict) else {},
    }


def conflict_diff(disk: str, mine: str) -> list[str]:
    """How the editor's unsaved text differs from what is on disk now."""
    return list(
        difflib.unified_diff(
            disk.splitlines(), mine.splitlines(), "on disk now", "your text", lineterm="", n=2
        )
    )
