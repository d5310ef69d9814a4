"""Tests of pipeline.store.files: text hashes, atomic writes, and the run lock across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.errors import RunLockedError
from pipeline.store.files import atomic_write, lock_path, run_lock, sha256_text

PROJECT = Path(__file__).resolve().parents[2]


# --- file helpers ---------------------------------------------------------------------


def test_sha256_text() -> None:
    assert sha256_text("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256_text("日报") == sha256_text("日报") != sha256_text("日报 ")


def test_atomic_write_str_bytes_and_dirs(tmp_path: Path) -> None:
    target = tmp_path / "out" / "daily" / "2025-08-01.md"
    atomic_write(target, "# AI 日报\n")
    assert target.read_bytes() == "# AI 日报\n".encode()
    assert target.stat().st_mode & 0o777 == 0o644
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert os.listdir(target.parent) == ["2025-08-01.md"]


def test_atomic_write_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write(target, "new")
    assert (target.read_text(), target.stat().st_mode & 0o777) == ("new", 0o600)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_atomic_write_failure_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "digest.md"
    target.write_text("old content")

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new content " * 1000)
    assert target.read_text() == "old content"
    assert os.listdir(tmp_path) == ["digest.md"]


def test_atomic_write_readers_never_see_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    versions = {("a" * 200_000), ("b" * 300_000)}
    atomic_write(target, "a" * 200_000)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(target)], stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        for text in sorted(versions):
            atomic_write(target, text)
    reader.terminate()
    out, _ = reader.communicate(timeout=10)
    assert out == ""  # the reader prints any content that is neither version


READER = """
import sys
path = sys.argv[1]
while True:
    text = open(path).read()
    if text not in ("a" * 200_000, "b" * 300_000):
        print(len(text), flush=True)
"""


# --- run lock -------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from pipeline.store.files import run_lock
with run_lock(Path(sys.argv[1]), sys.argv[2]):
    print("locked", flush=True)
    sys.stdin.readline()
    time.sleep(float(sys.argv[3]))
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of 2025-08-01/daily until its stdin gets a line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path), "2025-08-01/daily", "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def release(proc: subprocess.Popen[str]) -> None:
    """Tell the holder process to release its lock and exit."""
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()


def test_lock_held_by_another_process_is_refused(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(RunLockedError) as caught, run_lock(tmp_path, "2025-08-01/daily"):
        pytest.fail("acquired a held lock")
    message = str(caught.value)
    assert message.startswith("another run for 2025-08-01/daily is in progress ")
    assert f"(pid {holder.pid}, started 20" in message
    assert "wait for it" in message
    assert not caught.value.retryable


def test_waiting_gives_up_after_the_wait(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    started = time.monotonic()
    with pytest.raises(RunLockedError), run_lock(tmp_path, "2025-08-01/daily", wait=0.3):
        pass
    assert 0.25 <= time.monotonic() - started < 3


def test_waiting_gets_the_lock_once_released(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    threading.Timer(0.2, release, args=(holder,)).start()
    with run_lock(tmp_path, "2025-08-01/daily", wait=10):
        assert holder.wait(timeout=10) == 0


def test_lock_of_a_killed_process_is_free(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait(timeout=10)
    with run_lock(tmp_path, "2025-08-01/daily"):
        pass


def test_other_keys_are_independent(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    with run_lock(tmp_path, "2025-08-01/weekly"):
        pass


def test_lock_is_reusable_and_records_its_holder(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "2025-08-01/daily")
    assert path == tmp_path / "locks" / "2025-08-01_daily.lock"
    with run_lock(tmp_path, "2025-08-01/daily"):
        assert f'"pid": {os.getpid()}' in path.read_text()
        with run_lock(tmp_path, "2025-08-01/daily"):  # the CLI holds it, then its flow takes it
            assert f'"pid": {os.getpid()}' in path.read_text()
        assert f'"pid": {os.getpid()}' in path.read_text()  # still held by the outer block
        refused: list[BaseException] = []
        other = threading.Thread(target=take_lock, args=(tmp_path, "2025-08-01/daily", refused))
        other.start()
        other.join()
        assert [type(e) for e in refused] == [RunLockedError]  # another thread is another run
    with run_lock(tmp_path, "2025-08-01/daily"):
        pass
    assert path.read_text() == ""


def take_lock(data_dir: Path, key: str, errors: list[BaseException]) -> None:
    """Try to take a lock (in a thread), recording what it raised."""
    try:
        with run_lock(data_dir, key):
            pass
    except RunLockedError as exc:
        errors.append(exc)
