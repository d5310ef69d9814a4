"""`digest run` as a user runs it: a real process, its terminal output, nothing left running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.servers import TestServer
from tests.test_flows import DAY, serve_day, write_config

SERVER_MARK = "prefect.server.api.server:create_app"


def prefect_servers() -> set[int]:
    """PIDs of Prefect API server processes on this machine."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if SERVER_MARK in cmdline:
                pids.add(int(entry.name))
    return pids


def test_cli_run_leaves_no_server_and_prints_no_tracebacks(
    tmp_path: Path, server: TestServer
) -> None:
    serve_day(server)
    config = write_config(tmp_path, server)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OPENAI_"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # a fresh temporary server
    before = prefect_servers()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "run",
            "--date",
            DAY,
            "--no-llm",
            "--config",
            str(config),
            "--output-dir",
            str(tmp_path / "output"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr  # a draft, with failures to look at
    assert (tmp_path / "output" / "daily" / f"{DAY}.md").is_file()
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "CancelledError" not in output
    assert "draft" in done.stdout and "failures" in done.stdout
    assert prefect_servers() - before == set()
