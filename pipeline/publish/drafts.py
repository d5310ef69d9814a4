"""Writing drafts and their provenance records into ``output/`` without losing an edit.

A draft is replaced in place only while it is exactly what the pipeline wrote (its
hash matches the one in the record). An edited draft is kept: the new draft goes
beside it as ``<date>.rerun-N.md``, or, with ``force``, replaces it after the edited
file is copied into ``output/<format>/.backup/``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pipeline.errors import NoDraftError, UnsafePathError
from pipeline.models import RunRecord, Target
from pipeline.store.files import (
    PublishInterruptedError,
    publish_files,
    read_bytes_nofollow,
    read_text_nofollow,
    sha256_text,
)
from pipeline.text.sanitize import sanitize_text, strip_invisible

log = logging.getLogger(__name__)

DraftState = Literal["missing", "generated", "edited"]
BACKUP_DIR = ".backup"
GENERATED_DIR = ".generated"


def paths_for(output_dir: Path, fmt: str, stem: str) -> tuple[Path, Path]:
    """The Markdown and JSON paths of a draft."""
    folder = output_dir / fmt
    return folder / f"{stem}.md", folder / f"{stem}.json"


def recorded_hash(record_path: Path) -> str | None:
    """The Markdown hash stored in a record, or None if there is no readable record."""
    try:
        data = json.loads(read_text_nofollow(record_path) or "")
    except (OSError, ValueError, UnsafePathError):  # a linked record is no record: "edited"
        return None
    value = data.get("markdown_sha256") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def draft_state(markdown: Path, record: Path) -> DraftState:
    """Whether a draft is missing, exactly as generated, or edited since (or of unknown origin).

    Generated means: the text is the one the record's hash names, or the one kept in
    ``.generated/`` (the first file a publish puts in place, so a publish interrupted
    between its renames still reads as generated, not as an editor's change).
    """
    try:
        text = read_text_nofollow(markdown)
    except UnsafePathError:  # a link or a FIFO where the draft should be: never ours, kept
        return "edited"
    if text is None:
        return "missing"
    if sha256_text(text) == recorded_hash(record):
        return "generated"
    try:
        kept = read_text_nofollow(generated_path(markdown))
    except UnsafePathError:
        return "edited"
    return "generated" if kept is not None and kept == text else "edited"


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
    """Publish the draft, its generated copy and its record (with the draft's hash): all or none.

    Everything (and the backup of an edited draft) is written before anything is put
    in place, so a full disk leaves the previous state untouched; the generated copy
    goes in place first, so an interruption between renames never reads as an edit.
    Raise NoDraftError (nothing changed) when the files cannot be written.
    """
    markdown = strip_invisible(markdown)
    final = clean_record(record).model_copy(
        update={"markdown_sha256": sha256_text(markdown), "draft": str(target.markdown)}
    )
    files: list[tuple[Path, str | bytes]] = []
    if target.backup is not None:
        files.append((target.backup, read_bytes_nofollow(target.markdown) or b""))
    files += [
        (generated_path(target.markdown), markdown),
        (target.markdown, markdown),
        (target.record, record_json(final)),
    ]
    try:
        publish_files(files)
    except PublishInterruptedError as exc:
        message = f"publishing {target.markdown} was interrupted ({exc.strerror}); run again"
        raise NoDraftError(message) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        unchanged = "the previous draft and record are unchanged"
        raise NoDraftError(f"cannot write {target.markdown} ({reason}); {unchanged}") from exc
    log.info("wrote %s and %s", target.markdown, target.record)
    return final


def clean_record(record: RunRecord) -> RunRecord:
    """The record with no invisible or control character in any string, and no HTML in titles."""
    data = _clean(record.model_dump(mode="json"))
    return RunRecord.model_validate(data)


def _no_link(url: str) -> bool:
    """Titles in a record are text: a link in one is dropped, its words kept."""
    return False


def _clean(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        value = strip_invisible(value)
        return sanitize_text(value, _no_link, []) if key == "title" else value
    if isinstance(value, list):
        return [_clean(item, key) for item in value]
    if isinstance(value, dict):
        return {strip_invisible(str(k)): _clean(v, str(k)) for k, v in value.items()}
    return value
