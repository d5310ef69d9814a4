"""Writing drafts and their provenance records into ``output/`` without losing an edit.

A draft is replaced in place only while it is exactly what the pipeline wrote (its
hash matches the one in the record). An edited draft is kept: the new draft goes
beside it as ``<date>.rerun-N.md``, or, with ``force``, replaces it after the edited
file is copied into ``output/<format>/.backup/``.
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from pipeline.files import atomic_write, sha256_text
from pipeline.models import RunRecord

log = logging.getLogger(__name__)

DraftState = Literal["missing", "generated", "edited"]
BACKUP_DIR = ".backup"
GENERATED_DIR = ".generated"


class Target(BaseModel):
    """Where a run writes its draft and record, and what it did to get there."""

    markdown: Path
    record: Path
    note: str | None = None
    backup: Path | None = None


def paths_for(output_dir: Path, fmt: str, stem: str) -> tuple[Path, Path]:
    """The Markdown and JSON paths of a draft."""
    folder = output_dir / fmt
    return folder / f"{stem}.md", folder / f"{stem}.json"


def recorded_hash(record_path: Path) -> str | None:
    """The Markdown hash stored in a record, or None if there is no readable record."""
    try:
        data = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("markdown_sha256") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def draft_state(markdown: Path, record: Path) -> DraftState:
    """Whether a draft is missing, exactly as generated, or edited since (or of unknown origin)."""
    if not markdown.exists():
        return "missing"
    text = markdown.read_text(encoding="utf-8", errors="replace")
    return "generated" if sha256_text(text) == recorded_hash(record) else "edited"


def choose_target(output_dir: Path, fmt: str, stem: str, *, force: bool, now: datetime) -> Target:
    """Decide where to write so that an editor's changes are never overwritten."""
    markdown, record = paths_for(output_dir, fmt, stem)
    state = draft_state(markdown, record)
    if state != "edited":
        return Target(markdown=markdown, record=record)
    if force:
        backup = markdown.parent / BACKUP_DIR / f"{stem}.{now:%Y%m%dT%H%M%S}.md"
        return Target(
            markdown=markdown,
            record=record,
            backup=backup,
            note=f"{markdown} had editor changes; kept a copy at {backup}, then replaced it",
        )
    n = 1
    while paths_for(output_dir, fmt, f"{stem}.rerun-{n}")[0].exists():
        n += 1
    new_md, new_record = paths_for(output_dir, fmt, f"{stem}.rerun-{n}")
    return Target(
        markdown=new_md,
        record=new_record,
        note=f"{markdown} has editor changes, so it was kept; the new draft is {new_md}",
    )


def record_json(record: RunRecord) -> str:
    """A record as indented JSON text with Chinese as itself (UTF-8), never ``\\uXXXX``."""
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def generated_path(markdown: Path) -> Path:
    """Where the text the pipeline generated for a draft is kept (for ``digest review --diff``)."""
    return markdown.parent / GENERATED_DIR / markdown.name


def write_draft(target: Target, markdown: str, record: RunRecord) -> RunRecord:
    """Write the draft and then its record (with the draft's hash), each atomically."""
    target.markdown.parent.mkdir(parents=True, exist_ok=True)
    if target.backup is not None:
        target.backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target.markdown, target.backup)
    atomic_write(target.markdown, markdown)
    atomic_write(generated_path(target.markdown), markdown)
    final = record.model_copy(
        update={"markdown_sha256": sha256_text(markdown), "draft": str(target.markdown)}
    )
    atomic_write(target.record, record_json(final))
    log.info("wrote %s and %s", target.markdown, target.record)
    return final
