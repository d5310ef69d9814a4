"""Helpers for tests that run real processes: marked environments, waiting, free ports.

A test gives the processes it starts an environment variable with a value of its own;
every descendant inherits it, even one reparented to init after its parent died, so the
test counts exactly its own processes on a shared machine (never other users' servers).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path

MARK_ENV = "DIGEST_TEST_MARK"
PROJECT = Path(__file__).resolve().parents[1]


def new_mark() -> str:
    """A value no other process on the machine carries."""
    return uuid.uuid4().hex


def marked(mark: str) -> set[int]:
    """PIDs of the live processes whose environment carries this test's mark."""
    needle = f"{MARK_ENV}={mark}".encode()
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and needle in environ.split(b"\0"):
            pids.add(int(entry.name))
    return pids


def wait_for(condition: Callable[[], bool], timeout: float, poll: float = 0.1) -> bool:
    """Poll condition until it is true (True) or timeout seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(mark: str, prefect_home: Path) -> dict[str, str]:
    """The environment of a user's shell: no Prefect or OpenAI settings, a Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OPENAI_"))}
    env.pop("DIGEST_MODEL", None)
    env[MARK_ENV] = mark
    env["PREFECT_HOME"] = str(prefect_home)
    env["PYTHONPATH"] = str(PROJECT)
    return env
