"""Run ``digest`` as a real subprocess, on a pipe or on a pseudo-terminal, and collect its output.

Where the output depends on being on a terminal (tables, progress bars, colours), the
tests run the real command on a real pty rather than faking ``isatty``.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DIGEST = [sys.executable, "-m", "pipeline.cli"]
REPO_DIR = Path(__file__).resolve().parents[1]
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@dataclass
class Finished:
    """A finished command: its exit code and what it printed."""

    code: int
    stdout: str
    stderr: str = ""


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: this one, without keys or colour settings, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DIGEST_"))}
    for var in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "LINES", "TTY_COMPATIBLE"):
        env.pop(var, None)
    env["PYTHONPATH"] = str(REPO_DIR)
    return {**env, **(extra or {})}


def run_piped(
    args: list[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> Finished:
    """``digest ARGS`` with stdout and stderr on pipes (as under cron)."""
    done = subprocess.run(
        [*DIGEST, *args],
        cwd=cwd,
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Finished(done.returncode, done.stdout, done.stderr)


def run_in_pty(
    args: list[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    *,
    columns: int = 100,
    timeout: float = 240,
) -> Finished:
    """``digest ARGS`` on a pseudo-terminal of the given width; stdout holds both streams."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(
        [*DIGEST, *args],
        cwd=cwd,
        env=child_env({"TERM": "xterm-256color", **(env or {})}),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    try:
        output = _drain(leader, proc, time.monotonic() + timeout)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return Finished(proc.returncode, output.decode("utf-8", errors="replace"))


def _drain(leader: int, proc: subprocess.Popen[bytes], deadline: float) -> bytes:
    """Everything the child writes to the terminal until it exits (or the deadline)."""
    chunks: list[bytes] = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    return b"".join(chunks)


def screen_lines(raw: str) -> list[str]:
    """The lines a terminal would have shown, escape codes removed, redraws (\\r) collapsed."""
    lines = []
    for line in raw.replace("\r\n", "\n").split("\n"):
        shown = ANSI_RE.sub("", line.split("\r")[-1] if line.rstrip("\r") else line)
        lines.append(shown.rstrip())
    return [line for line in lines if line]
