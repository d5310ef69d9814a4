"""State under faults (issue 14, items 12 and 13): full disks, interrupted publishes, links."""

from __future__ import annotations

import errno
import os
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from pipeline.errors import NoDraftError, UnsafePathError
from pipeline.flows.prefect_server import SERVER_LOG, LocalServer
from pipeline.models import RunRecord
from pipeline.publish.drafts import (
    choose_target,
    draft_state,
    generated_path,
    paths_for,
    write_draft,
)
from pipeline.store.archive import Archive
from pipeline.store.files import lock_path, run_lock

DAY = date(2026, 2, 7)
NOW = datetime(2026, 2, 7, 8, 30)


def publish_once(output: Path, text: str, *, force: bool = False) -> Path:
    """One publish of a daily draft, as a run does it: choose the target, write everything."""
    target = choose_target(output, "daily", str(DAY), force=force, now=NOW)
    write_draft(target, text, RunRecord(date=DAY, format="daily"))
    return target.markdown


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file under folder (hidden ones too) with its bytes; links are not followed."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def test_disk_full_while_publishing_leaves_the_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC on the record: draft, generated copy and record all stay as they were."""
    output = tmp_path / "output"
    draft = publish_once(output, "# AI 日报 v1\n")
    before = snapshot(output)
    real_write, calls = os.write, []

    def disk_full(fd: int, data: bytes | memoryview) -> int:
        calls.append(fd)
        if len(calls) == 3:  # generated copy, draft, then the record: the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(NoDraftError, match=r"No space left on device.*unchanged"):
        publish_once(output, "# AI 日报 v2\n")
    monkeypatch.undo()
    assert snapshot(output) == before  # no half-published draft, no temporary file left
    assert draft_state(draft, draft.with_suffix(".json")) == "generated"
    assert publish_once(output, "# AI 日报 v3\n") == draft  # replaced in place, no rerun-1


def test_interrupted_publish_is_not_taken_for_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between renames (draft new, record old): the next run still sees its own draft."""
    output = tmp_path / "output"
    draft = publish_once(output, "# AI 日报 v1\n")
    real_replace, calls = os.replace, []

    def interrupted(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:  # the record's rename never happens
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(NoDraftError, match="interrupted"):
        publish_once(output, "# AI 日报 v2\n")
    monkeypatch.undo()
    assert draft.read_text(encoding="utf-8") == "# AI 日报 v2\n"
    assert draft_state(draft, draft.with_suffix(".json")) == "generated"
    assert publish_once(output, "# AI 日报 v3\n") == draft
    assert not paths_for(output, "daily", f"{DAY}.rerun-1")[0].exists()
    assert not [p for p in draft.parent.iterdir() if p.name.endswith(".tmp")]


def test_symlinked_lock_never_truncates_its_target(tmp_path: Path) -> None:
    """A lock file swapped for a link to another file: a clear error, the target untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    lock = lock_path(tmp_path / "data", "daily-2026-02-07")
    lock.parent.mkdir(parents=True)
    lock.symlink_to(victim)
    with (
        pytest.raises(UnsafePathError, match="symbolic link"),
        run_lock(tmp_path / "data", "daily-2026-02-07"),
    ):
        pass
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_backup_path_planted_as_a_link_is_replaced_not_followed(tmp_path: Path) -> None:
    """--force's backup goes to a new regular file even if a link was planted at its name."""
    output = tmp_path / "output"
    draft = publish_once(output, "# AI 日报 v1\n")
    draft.write_text("# AI 日报 编辑改过\n", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    backup = choose_target(output, "daily", str(DAY), force=True, now=NOW).backup
    assert backup is not None
    backup.parent.mkdir(parents=True)
    backup.symlink_to(victim)
    publish_once(output, "# AI 日报 v2\n", force=True)
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not backup.is_symlink() and backup.read_text(encoding="utf-8") == "# AI 日报 编辑改过\n"


def test_draft_replaced_by_a_link_is_refused(tmp_path: Path) -> None:
    """A draft swapped for a link to a private file is never read, copied or written through."""
    output = tmp_path / "output"
    draft = publish_once(output, "# AI 日报 v1\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("sk-not-for-drafts\n", encoding="utf-8")
    draft.unlink()
    draft.symlink_to(secret)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        publish_once(output, "# AI 日报 v2\n", force=True)
    beside = publish_once(output, "# AI 日报 v2\n")  # without --force: like an edited draft
    assert beside.name == f"{DAY}.rerun-1.md" and draft.is_symlink()
    assert secret.read_text(encoding="utf-8") == "sk-not-for-drafts\n"
    assert "sk-not-for-drafts" not in str(snapshot(output))
    assert generated_path(draft).read_text(encoding="utf-8") == "# AI 日报 v1\n"


@pytest.mark.parametrize("planted", ["archive.sqlite3", "archive.sqlite3-wal"])
def test_archive_planted_as_a_link_is_refused(tmp_path: Path, planted: str) -> None:
    """SQLite follows links itself: the archive (or its journal) swapped for one is refused."""
    victim = tmp_path / "victim.db"
    victim.write_bytes(b"precious")
    data = tmp_path / "data"
    data.mkdir()
    (data / planted).symlink_to(victim)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        Archive(data / "archive.sqlite3")
    assert victim.read_bytes() == b"precious"


def test_prefect_server_log_planted_as_a_link_is_refused(tmp_path: Path) -> None:
    """The temporary server's log is appended to only as a regular file, never through a link."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / SERVER_LOG).symlink_to(victim)
    server = LocalServer(tmp_path, {}, command=[sys.executable, "-c", "print('appended')"])
    with pytest.raises(UnsafePathError, match="symbolic link"):
        server.start()
    assert server.process is None
    assert victim.read_text(encoding="utf-8") == "precious\n"
