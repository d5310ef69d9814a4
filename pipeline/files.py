"""File helpers: atomic writes, text hashes, and the per-run lock under data_dir."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.errors import RunLockedError

LOCK_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")
LOCK_POLL = 0.1  # seconds between attempts while waiting for a lock
DEFAULT_FILE_MODE = 0o644

# Locks this process holds, by the thread that took them: the CLI takes a run's lock before
# Prefect starts, and the flow it then runs in the same thread takes it again (flock would
# refuse a second open of the file, even in the same process).
_held: dict[Path, int] = {}
_held_guard = threading.Lock()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else DEFAULT_FILE_MODE
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; some filesystems refuse to fsync a directory.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def lock_path(data_dir: Path, key: str) -> Path:
    """The lock file of a key: data_dir/locks/<key>.lock, the key made filename-safe."""
    return data_dir / "locks" / f"{LOCK_NAME_RE.sub('_', key)}.lock"


def run_key(fmt: str, day: date) -> str:
    """The lock key of a run: one per format and output file (weekly: the ISO week of day−1)."""
    if fmt != "weekly":
        return f"{fmt}-{day.isoformat()}"
    year, week, _ = (day - timedelta(days=1)).isocalendar()
    return f"weekly-{year}-W{week:02d}"


@contextlib.contextmanager
def run_locks(data_dir: Path, keys: Sequence[str]) -> Iterator[None]:
    """Hold the run locks of several keys (a backfill), or refuse at once if one is taken."""
    with contextlib.ExitStack() as stack:
        for key in keys:
            stack.enter_context(run_lock(data_dir, key))
        yield


@contextlib.contextmanager
def run_lock(data_dir: Path, key: str, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the run lock of key for the block, waiting up to wait seconds for it.

    flock is released by the kernel when the holder exits, so a crash leaves no stale lock.
    A lock this process already holds is simply held once more.
    """
    path = lock_path(data_dir, key).absolute()
    with _held_guard:
        nested = _held.get(path) == threading.get_ident()
    if nested:
        yield
        return
    with _flock(path, key, wait):
        yield


@contextlib.contextmanager
def _flock(path: Path, key: str, wait: float) -> Iterator[None]:
    """Take the file lock itself and write who holds it; release it after the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, DEFAULT_FILE_MODE)
    try:
        _acquire(fd, key, path, wait)
        holder = {"pid": os.getpid(), "started": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        with _held_guard:
            _held[path] = threading.get_ident()
        try:
            yield
        finally:
            with _held_guard:
                del _held[path]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, key: str, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RunLockedError(_locked_message(key, path)) from None
            time.sleep(min(LOCK_POLL, remaining))


def _locked_message(key: str, path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        holder = {}
    pid = holder.get("pid", "unknown") if isinstance(holder, dict) else "unknown"
    started = holder.get("started", "unknown") if isinstance(holder, dict) else "unknown"
    return (
        f"another run for {key} is in progress (pid {pid}, started {started}); "
        f"wait for it to finish or stop process {pid}, then run again"
    )
