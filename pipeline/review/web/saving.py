"""Saving an editor's text: the pipeline's atomic write and run lock, conflicts refused, lint.

A save names the hash of the text the editor started from; if the file changed since
(another tab, another editor, a rerun), the save is refused and nothing is written.
The save holds the date's run lock, so it never interleaves with a run writing the
same draft. The record is left alone: its hash is the generated text's, so the draft
now counts as edited and a rerun writes beside it. Each replaced version is kept in
``.backup/`` (newest last), which is what "undo" restores.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.config import PublicationSettings
from pipeline.errors import ConflictError, DigestError
from pipeline.markdown.lint import Problem, lint_text
from pipeline.publish.drafts import BACKUP_DIR
from pipeline.store.files import atomic_write, run_lock, sha256_text

logger = logging.getLogger(__name__)

MAX_DRAFT_BYTES = 2_000_000
LOCK_WAIT = 2.0  # seconds a save waits for the run lock before it is refused
MAX_HISTORY = 50  # versions kept per draft
HISTORY_SUFFIX = ".review.md"
RERUN_RE = re.compile(r"\.rerun-\d+$")


class SaveResult(BaseModel):
    """What a save did."""

    path: Path
    sha256: str
    changed: bool
    problems: list[Problem] = Field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The lint errors (warnings excluded)."""
        return [p for p in self.problems if p.severity == "error"]


def lock_key(fmt: str, stem: str) -> str:
    """The run lock a pipeline run for this draft holds (rerun files share their date's)."""
    return f"{fmt}-{RERUN_RE.sub('', stem)}"


def normalize(text: str) -> str:
    """Browser text as the pipeline writes it: \\n line ends (forms send \\r\\n)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_current(path: Path) -> tuple[str, str]:
    """A draft's text and its hash."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DigestError(f"there is no {path} (no draft for that date, or it was moved)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"cannot read {path}: {exc}") from None
    return text, sha256_text(text)


def save_text(
    path: Path,
    text: str,
    base: str,
    *,
    data_dir: Path,
    key: str,
    publication: PublicationSettings | None = None,
) -> SaveResult:
    """Write text over the draft if it is still the version the editor started from."""
    text = normalize(text)
    if len(text.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise DigestError(f"the text is over {MAX_DRAFT_BYTES // 1_000_000} MB; nothing was saved")
    with run_lock(data_dir, key, wait=LOCK_WAIT):
        disk, digest = read_current(path)
        if digest != base:
            raise ConflictError(
                f"{path.name} changed on disk since you opened it; nothing was saved", disk
            )
        changed = disk != text
        if changed:
            keep_version(path, disk)
            atomic_write(path, text)
            logger.info("saved %s (%d chars)", path, len(text))
    return SaveResult(
        path=path,
        sha256=sha256_text(text),
        changed=changed,
        problems=lint_text(text, publication=publication),
    )


def history_dir(path: Path) -> Path:
    """Where replaced versions of a draft are kept."""
    return path.parent / BACKUP_DIR


def history(path: Path) -> list[Path]:
    """The kept versions of a draft, oldest first."""
    found = history_dir(path).glob(f"{path.stem}.*{HISTORY_SUFFIX}")
    return sorted(p for p in found if p.name[len(path.stem) + 1 :][:1].isdigit())


def keep_version(path: Path, text: str) -> Path:
    """Keep a replaced version in the history (pruned to MAX_HISTORY)."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    kept = history_dir(path) / f"{path.stem}.{stamp}{HISTORY_SUFFIX}"
    n = 0
    while kept.exists():  # two saves within a microsecond must not share a name
        n += 1
        kept = history_dir(path) / f"{path.stem}.{stamp}-{n}{HISTORY_SUFFIX}"
    atomic_write(kept, text)
    for old in history(path)[:-MAX_HISTORY]:
        old.unlink(missing_ok=True)
    return kept


def undo(
    path: Path,
    base: str,
    *,
    data_dir: Path,
    key: str,
    publication: PublicationSettings | None = None,
) -> SaveResult:
    """Restore the version the last save replaced (and forget it)."""
    with run_lock(data_dir, key, wait=LOCK_WAIT):
        disk, digest = read_current(path)
        if digest != base:
            raise ConflictError(f"{path.name} changed on disk since you opened it", disk)
        versions = history(path)
        if not versions:
            raise DigestError("there is no earlier version to restore")
        text = versions[-1].read_text(encoding="utf-8")
        atomic_write(path, text)
        versions[-1].unlink()
    problems = lint_text(text, publication=publication)
    return SaveResult(path=path, sha256=sha256_text(text), changed=True, problems=problems)
