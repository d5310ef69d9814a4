"""Saving from the review page: conflict check, run lock, kept versions and undo."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline.errors import ConflictError, DigestError, RunLockedError
from pipeline.review.web import saving
from pipeline.review.web.saving import history, lock_key, save_text, undo
from pipeline.store.files import run_lock, sha256_text


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "output" / "daily" / "2026-02-07.md"
    path.parent.mkdir(parents=True)
    path.write_text("# v1\n", encoding="utf-8")
    return path


def save(draft: Path, text: str) -> saving.SaveResult:
    base = sha256_text(draft.read_text(encoding="utf-8"))
    return save_text(draft, text, base, data_dir=draft.parents[2] / "data", key="daily-2026-02-07")


@pytest.mark.parametrize(
    ("stem", "key"),
    [("2026-02-07", "daily-2026-02-07"), ("2026-02-07.rerun-2", "daily-2026-02-07")],
)
def test_lock_key_is_the_runs_for_the_date(stem: str, key: str) -> None:
    assert lock_key("daily", stem) == key


def test_save_normalises_line_ends_and_reports_lint(draft: Path) -> None:
    result = save(draft, "# v2\r\n\r\ntext\r")
    assert draft.read_bytes() == b"# v2\n\ntext\n"
    assert result.changed and result.sha256 == sha256_text("# v2\n\ntext\n")
    assert result.problems  # not a digest: lint says so


def test_saving_the_same_text_writes_nothing(draft: Path) -> None:
    result = save(draft, "# v1\n")
    assert not result.changed and history(draft) == []


def test_undo_walks_back_through_the_kept_versions(draft: Path) -> None:
    save(draft, "# v2\n")
    save(draft, "# v3\n")
    assert [p.read_text(encoding="utf-8") for p in history(draft)] == ["# v1\n", "# v2\n"]
    data = draft.parents[2] / "data"
    undo(draft, sha256_text("# v3\n"), data_dir=data, key="daily-2026-02-07")
    assert draft.read_text(encoding="utf-8") == "# v2\n"
    undo(draft, sha256_text("# v2\n"), data_dir=data, key="daily-2026-02-07")
    assert draft.read_text(encoding="utf-8") == "# v1\n"
    with pytest.raises(DigestError, match="no earlier version"):
        undo(draft, sha256_text("# v1\n"), data_dir=data, key="daily-2026-02-07")


def test_history_is_pruned(draft: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(saving, "MAX_HISTORY", 3)
    for n in range(2, 8):
        save(draft, f"# v{n}\n")
    kept = [p.read_text(encoding="utf-8") for p in history(draft)]
    assert kept == ["# v4\n", "# v5\n", "# v6\n"]


def test_a_stale_base_is_a_conflict_and_writes_nothing(draft: Path) -> None:
    with pytest.raises(ConflictError) as caught:
        save_text(draft, "# mine\n", "stale", data_dir=draft.parent, key="daily-2026-02-07")
    assert caught.value.disk_text == "# v1\n"
    assert draft.read_text(encoding="utf-8") == "# v1\n"


def test_a_held_run_lock_refuses_the_save(draft: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(saving, "LOCK_WAIT", 0.1)
    data = draft.parents[2] / "data"
    # the lock is held by a run (here: this thread); the page saves from another thread
    with (
        run_lock(data, "daily-2026-02-07"),
        ThreadPoolExecutor(max_workers=1) as pool,
        pytest.raises(RunLockedError),
    ):
        pool.submit(save, draft, "# mine\n").result()
    assert draft.read_text(encoding="utf-8") == "# v1\n"


def test_oversized_text_is_refused(draft: Path) -> None:
    with pytest.raises(DigestError, match="over 2 MB"):
        save(draft, "字" * 700_000)
    assert draft.read_text(encoding="utf-8") == "# v1\n"


def test_a_missing_draft_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="there is no"):
        saving.read_current(tmp_path / "nope.md")
