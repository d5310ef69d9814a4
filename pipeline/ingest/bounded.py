"""CPU-heavy work on untrusted input in a child process, bounded in time and memory.

Extraction of a hostile page can run for minutes or grow without bound even after the
size caps of pagetree; a thread cannot be stopped, a process can. A BoundedWorker
borrows a child interpreter (``python -m pipeline.ingest.bounded``) from a small pool, sends it
one call at a time over a pipe, and kills it when a call overruns its time limit; the
next call starts a fresh child. The child's address space is capped, so a call that
allocates too much fails with MemoryError instead of taking the machine down. Children
are plain subprocesses (not multiprocessing), so they start the same way under the CLI,
Prefect's threads and Dask's daemonic workers, and live until the process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, TypeVar

from pipeline.errors import BoundExceededError

logger = logging.getLogger(__name__)

T = TypeVar("T")
CALL_TIMEOUT = 20.0  # s per call; a page takes 10-100 ms, a capped worst case a few seconds
START_TIMEOUT = 60.0  # s for a new child to import the pipeline and answer
MEMORY_LIMIT = 1536 * 1024 * 1024  # bytes of address space for a child
PRELOAD = "pipeline.ingest.extract"  # imported by each child before its first call


def _cores() -> int:
    """The CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


MAX_CHILDREN = _cores()  # children working at once: more would not run faster, only use memory
_pool: list[_Child] = []
_pool_lock = threading.Lock()
_slots = threading.BoundedSemaphore(MAX_CHILDREN)


class _Child:
    """One child interpreter and the two pipe ends that talk to it."""

    def __init__(self, memory: int) -> None:
        self.memory = memory
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        command = [
            sys.executable,
            "-m",
            "pipeline.ingest.bounded",
            str(to_child_r),
            str(from_child_w),
        ]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [*command, str(memory)],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send = Connection(to_child_w, readable=False)
        self.recv = Connection(from_child_r, writable=False)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop the child at once and release its pipes."""
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.send.close()
        self.recv.close()


class BoundedWorker:
    """Runs module-level functions in a child process, one call at a time, with limits."""

    def __init__(self, timeout: float | None = None, memory: int | None = None) -> None:
        self.timeout = timeout or CALL_TIMEOUT
        self.memory = memory or MEMORY_LIMIT
        self._child: _Child | None = None
        self._slot = False  # holds one of the MAX_CHILDREN slots from first call to close()

    def __enter__(self) -> BoundedWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """function(*args, **kwargs) in the child; its exception is re-raised here, and a
        call past the limits raises BoundExceededError (the child is then replaced)."""
        child = self._borrow()
        try:
            child.send.send((function, args, kwargs))
        except OSError as exc:
            self._discard()
            raise BoundExceededError(f"the worker process is gone ({exc})") from exc
        result: T = self._answer(child)
        return result

    def _answer(self, child: _Child) -> Any:
        if not child.recv.poll(self.timeout):
            self._discard()
            raise BoundExceededError(f"took longer than {self.timeout:g} s; stopped")
        try:
            ok, value = child.recv.recv()
        except (EOFError, OSError) as exc:
            self._discard()
            raise BoundExceededError("the worker process died (out of memory?)") from exc
        except Exception as exc:  # an answer that does not unpickle here
            raise BoundExceededError(f"unreadable answer from the worker: {exc!r}") from exc
        if ok:
            return value
        raise value

    def close(self) -> None:
        """Give the child back to the pool (a healthy one is reused by the next worker)."""
        if self._child is not None and self._child.alive():
            with _pool_lock:
                _pool.append(self._child)
                spare = _pool[:-MAX_CHILDREN]  # children for other memory limits
                del _pool[:-MAX_CHILDREN]
            for child in spare:
                child.kill()
        self._child = None
        if self._slot:
            self._slot = False
            _slots.release()

    def _borrow(self) -> _Child:
        if self._child is not None and self._child.alive():
            return self._child
        if not self._slot:  # wait while MAX_CHILDREN other workers are extracting
            _slots.acquire()
            self._slot = True
        try:
            return self._take_or_start()
        except BaseException:
            self.close()
            raise

    def _take_or_start(self) -> _Child:
        with _pool_lock:
            for candidate in [c for c in _pool if c.memory == self.memory]:
                _pool.remove(candidate)
                if candidate.alive():
                    self._child = candidate
                    break
                candidate.kill()  # died while pooled: release its pipes
        if self._child is None:
            self._child = _start(self.memory)
        return self._child

    def _discard(self) -> None:
        if self._child is not None:
            self._child.kill()
        self._child = None


def _start(memory: int) -> _Child:
    """A new child, ready (it answered a first call) or BoundExceededError."""
    child = _Child(memory)
    if not child.recv.poll(START_TIMEOUT):
        child.kill()
        raise BoundExceededError(f"the worker process did not start within {START_TIMEOUT:g} s")
    try:
        child.recv.recv()  # the child's "ready"
    except (EOFError, OSError) as exc:
        child.kill()
        raise BoundExceededError("the worker process could not start") from exc
    return child


@atexit.register
def _stop_pool() -> None:
    with _pool_lock:
        while _pool:
            _pool.pop().kill()


# --- the child -----------------------------------------------------------------------


def _serve(receive: Connection, reply: Connection, memory: int) -> None:
    """The child's loop: one call per message until the parent closes the pipe."""
    # Ctrl-C reaches the whole process group: the parent decides what stops, and the child
    # ends when its pipe closes (no KeyboardInterrupt traceback on the user's terminal).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cap_memory(memory)
    logging.getLogger().addHandler(logging.NullHandler())  # the parent keeps the log
    __import__(PRELOAD)
    reply.send(True)
    while True:
        try:
            function, args, kwargs = receive.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args, **kwargs))
        except MemoryError:
            answer = (False, BoundExceededError(f"ran out of memory ({memory >> 20} MB)"))
        except Exception as exc:  # sent back and raised in the parent
            answer = (False, exc)
        try:
            reply.send(answer)
        except Exception as exc:  # an unpicklable result or exception
            reply.send((False, BoundExceededError(f"result could not be sent back: {exc!r}")))


def _cap_memory(limit: int) -> None:
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit already applies
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


if __name__ == "__main__":
    # Run the imported module's loop, not this __main__ copy's: exceptions sent back must
    # pickle as pipeline.ingest.bounded.BoundExceededError, which the parent knows.
    from pipeline.ingest.bounded import _serve as serve

    serve(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
        int(sys.argv[3]),
    )
