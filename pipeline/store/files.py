"""File helpers: atomic (and all-or-nothing) writes, text hashes, the per-run lock under data_dir.

Lock and state files are opened without following symbolic links: another local user
who swaps one for a link gets a clear error, never a truncated or overwritten target.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import RunLockedError, UnsafePathError

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
    publish_files([(path, data)])


class PublishInterruptedError(OSError):
    """Some files of a publish were put in place, not all (a rename failed)."""


@dataclass(frozen=True)
class Staged:
    """New content written and synced beside its destination, not yet in place."""

    path: Path
    tmp: str


def publish_files(files: Sequence[tuple[Path, str | bytes]]) -> None:
    """Put several files in place, all or none as far as their content goes.

    Every file is first written and synced beside its destination, so a full disk or
    any write error fails before anything visible changed (and leaves no temporary
    file). Then each is renamed into place, in the order given; a rename needs no
    space, and callers order the files so that a crash between renames leaves a
    state they recognise.
    """
    staged: list[Staged] = []
    try:
        for path, data in files:
            staged.append(stage(path, data))
    except BaseException:
        discard(staged)
        raise
    for n, item in enumerate(staged):
        try:
            os.replace(item.tmp, item.path)
        except OSError as exc:
            discard(staged[n:])
            raise PublishInterruptedError(exc.errno or 0, exc.strerror or str(exc)) from exc
    for directory in dict.fromkeys(item.path.parent for item in staged):
        _fsync_dir(directory)


def stage(path: Path, data: str | bytes) -> Staged:
    """Write data into a synced temporary file beside path, with path's mode."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_of(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Staged(path, tmp)


def _write_all(fd: int, payload: bytes) -> None:
    """Write every byte (os.write may write fewer than asked)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def discard(staged: Sequence[Staged]) -> None:
    """Remove the temporary files of staged content that was not put in place."""
    for item in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(item.tmp)


def _mode_of(path: Path) -> int:
    """The permissions of the regular file at path (not of a link's target), else the default."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return DEFAULT_FILE_MODE
    return info.st_mode & 0o777 if stat.S_ISREG(info.st_mode) else DEFAULT_FILE_MODE


def read_text_nofollow(path: Path) -> str | None:
    """A text file's content, None if missing; UnsafePathError if path is a symbolic link."""
    data = read_bytes_nofollow(path)
    return None if data is None else data.decode("utf-8", errors="replace")


def read_bytes_nofollow(path: Path) -> bytes | None:
    """A regular file's bytes, None if missing; UnsafePathError for a symbolic link or a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unsafe(path, exc) from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UnsafePathError(f"{path} is not a regular file; move it away and run again")
        return handle.read()


def open_append_nofollow(path: Path) -> BinaryIO:
    """A regular file opened for appending (created 0600 if missing), never through a link."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise _unsafe(path, exc) from exc
    handle = os.fdopen(fd, "ab")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise UnsafePathError(f"{path} is not a regular file; move it away and run again")
    return handle


def refuse_links(path: Path, suffixes: Sequence[str] = ()) -> None:
    """UnsafePathError if path, or path plus one of suffixes, is a symbolic link.

    For files opened by a library that follows links itself (SQLite: the database and its
    -wal and -shm companions).
    """
    for candidate in (path, *(path.with_name(path.name + s) for s in suffixes)):
        if candidate.is_symlink():
            raise _unsafe(candidate, OSError(errno.ELOOP, "symbolic link"))


def _unsafe(path: Path, exc: OSError) -> OSError | UnsafePathError:
    """ELOOP from O_NOFOLLOW as a clear error; any other OSError unchanged."""
    if exc.errno != errno.ELOOP:
        return exc
    return UnsafePathError(
        f"{path} is a symbolic link; the pipeline does not follow links for its state "
        "files: remove the link and run again"
    )


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
    fd = _open_lock(path)
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


def _open_lock(path: Path) -> int:
    """The lock file, opened without following a link (a link never gets its target truncated)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, DEFAULT_FILE_MODE)
    except OSError as exc:
        raise _unsafe(path, exc) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePathError(f"{path} is not a regular file; remove it and run again")
    return fd


def _acquire(fd: int, key: str, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RunLockedError(_locked_message(key, fd)) from None
            time.sleep(min(LOCK_POLL, remaining))


def _locked_message(key: str, fd: int) -> str:
    try:  # read through the open lock, not the path (which could have been swapped since)
        holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (OSError, ValueError):
        holder = {}
    pid = holder.get("pid", "unknown") if isinstance(holder, dict) else "unknown"
    started = holder.get("started", "unknown") if isinstance(holder, dict) else "unknown"
    return (
        f"another run for {key} is in progress (pid {pid}, started {started}); "
        f"wait for it to finish or stop process {pid}, then run again"
    )
