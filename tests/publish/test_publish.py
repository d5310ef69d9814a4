"""Drafts and records in output/: in-place replacement, editor edits kept, --force backups."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from pipeline.models import Failure, RunRecord
from pipeline.publish.drafts import choose_target, draft_state, paths_for, write_draft

NOW = datetime(2026, 2, 6, 23, 30)


def _write(out: Path, text: str, force: bool = False) -> Path:
    target = choose_target(out, "daily", "2026-02-07", force=force, now=NOW)
    write_draft(target, text, RunRecord(date=date(2026, 2, 7), format="daily"))
    return target.markdown


def test_first_run_writes_draft_and_record_with_hash(tmp_path: Path) -> None:
    md = _write(tmp_path, "# 草稿\n")
    md_path, record = paths_for(tmp_path, "daily", "2026-02-07")
    assert md == md_path and md.read_text(encoding="utf-8") == "# 草稿\n"
    assert '"markdown_sha256": "' in record.read_text(encoding="utf-8")
    assert draft_state(md_path, record) == "generated"


def test_unchanged_draft_is_replaced_in_place(tmp_path: Path) -> None:
    _write(tmp_path, "# v1\n")
    md = _write(tmp_path, "# v2\n")
    assert md.name == "2026-02-07.md" and md.read_text(encoding="utf-8") == "# v2\n"
    assert not list((tmp_path / "daily").glob("*.rerun-*"))


def test_edited_draft_is_kept_and_new_draft_goes_beside_it(tmp_path: Path) -> None:
    md = _write(tmp_path, "# v1\n")
    md.write_text("# v1 编辑改过\n", encoding="utf-8")
    second = _write(tmp_path, "# v2\n")
    third = _write(tmp_path, "# v3\n")
    assert md.read_text(encoding="utf-8") == "# v1 编辑改过\n"
    assert second.name == "2026-02-07.rerun-1.md" and second.read_text(encoding="utf-8") == "# v2\n"
    assert third.name == "2026-02-07.rerun-2.md"
    assert (tmp_path / "daily" / "2026-02-07.rerun-1.json").is_file()


def test_force_replaces_edited_draft_after_keeping_a_backup(tmp_path: Path) -> None:
    md = _write(tmp_path, "# v1\n")
    md.write_text("# 编辑版\n", encoding="utf-8")
    _write(tmp_path, "# v2\n", force=True)
    assert md.read_text(encoding="utf-8") == "# v2\n"
    backups = list((tmp_path / "daily" / ".backup").glob("2026-02-07.*.md"))
    assert [b.read_text(encoding="utf-8") for b in backups] == ["# 编辑版\n"]


def test_draft_without_record_counts_as_edited(tmp_path: Path) -> None:
    md_path, record = paths_for(tmp_path, "daily", "2026-02-07")
    md_path.parent.mkdir(parents=True)
    md_path.write_text("hand-written\n", encoding="utf-8")
    assert draft_state(md_path, record) == "edited"
    assert _write(tmp_path, "# new\n").name == "2026-02-07.rerun-1.md"


def test_record_is_utf8_chinese_not_escaped(tmp_path: Path) -> None:
    """The record is readable as it is: Chinese, emoji and curly quotes as UTF-8, no \\u escapes."""
    record = RunRecord(
        date=date(2026, 2, 7),
        format="daily",
        failures=[
            Failure(url="https://www.ithome.com/rss/", stage="feed", error="连接失败 “超时” 🙂")
        ],
        notes={"https://www.jiqizhixin.com/a": "抽取为空；使用了订阅源的内容"},
    )
    target = choose_target(tmp_path, "daily", "2026-02-07", force=False, now=NOW)
    write_draft(target, "# 草稿\n", record)
    raw = target.record.read_bytes()
    assert b"\\u" not in raw
    text = raw.decode("utf-8")
    assert "连接失败 “超时” 🙂" in text and "抽取为空；使用了订阅源的内容" in text
    assert json.loads(text)["failures"][0]["error"] == "连接失败 “超时” 🙂"
