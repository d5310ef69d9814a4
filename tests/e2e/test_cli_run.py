"""`digest run` as a user runs it: a real process, its terminal, real signals, nothing left running.

Each test marks the processes it starts (tests/procs.py) and counts only those, so other
Prefect servers on a shared machine never make it fail.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.day import DAY, serve_day, write_config
from tests.e2e.test_operations import page_requests
from tests.fake_openai import MODEL, FakeOpenAI, Fault
from tests.procs import clean_env, marked, new_mark, wait_for
from tests.servers import TestServer

FORBIDDEN = ("Traceback", "CancelledError", "Crash detected", "EventsWorker", "Error logging")


def digest_run(config: Path, out: Path, *extra: str) -> list[str]:
    """The command line of `digest run` for the fixture day."""
    args = ["run", "--date", DAY, "--config", str(config), "--output-dir", str(out), *extra]
    return [sys.executable, "-m", "pipeline.cli", *args]


def llm_env(env: dict[str, str], llm: FakeOpenAI) -> dict[str, str]:
    """A user's environment pointed at the fake LLM."""
    return {
        **env,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": llm.base_url,
        "DIGEST_MODEL": MODEL,
    }


def run_on_a_terminal(command: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run command with stdout and stderr on a pseudo-terminal; its exit code and output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=slave, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(master, chunks), daemon=True)
    reader.start()
    code = proc.wait(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return code, b"".join(chunks).decode(errors="replace")


def _drain(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        chunks.append(data)


def test_cli_run_leaves_no_server_and_prints_no_tracebacks(
    tmp_path: Path, server: TestServer
) -> None:
    """On a terminal, first run on a machine: a status at once, a draft, nothing left behind."""
    serve_day(server)
    config, mark = write_config(tmp_path, server), new_mark()
    home = tmp_path / "prefect-home"  # a machine where Prefect never ran
    env = clean_env(mark, home)
    code, output = run_on_a_terminal(
        digest_run(config, tmp_path / "output", "--no-llm"), env, tmp_path
    )
    assert code == 1, output  # a draft, with failures to look at
    assert (tmp_path / "output" / "daily" / f"{DAY}.md").is_file()
    assert "Starting Prefect" in output  # said while it starts, not after
    assert not [word for word in FORBIDDEN if word in output], output
    assert "draft" in output and "failures" in output
    assert wait_for(lambda: not marked(mark), 10), "the run left processes behind"
    assert not (home / ".sdk_telemetry").exists()  # nothing written for telemetry


def test_second_run_is_refused_at_once_and_ctrl_c_stops_the_first_within_seconds(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI, prefect_api: str
) -> None:
    """A real second process is refused before Prefect starts; Ctrl-C: one line, exit 130.

    The first run uses a running Prefect server (PREFECT_API_URL), which must then show
    the interrupted run as Cancelled, not Running.
    """
    serve_day(server)
    config, out = write_config(tmp_path, server), tmp_path / "output"
    llm.add_faults(Fault("slow", delay=120.0))  # the first story call hangs: a run mid-way
    first_mark, second_mark = new_mark(), new_mark()
    env = {**llm_env(clean_env(first_mark, tmp_path / "home"), llm), "PREFECT_API_URL": prefect_api}
    first = subprocess.Popen(
        digest_run(config, out),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a foreground job
    )
    try:
        assert wait_for(lambda: len(llm.calls) >= 1 or first.poll() is not None, 240)
        assert first.poll() is None, first.communicate()
        fetched = page_requests(server)

        started = time.monotonic()
        second = subprocess.run(
            digest_run(config, out),
            env=llm_env(clean_env(second_mark, tmp_path / "home"), llm),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        refused_in = time.monotonic() - started

        os.killpg(first.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        started = time.monotonic()
        stdout, stderr = first.communicate(timeout=60)
        stopped_in = time.monotonic() - started
    finally:
        first.kill()
    assert second.returncode == 2, second.stderr
    assert f"another run for daily-{DAY} is in progress (pid {first.pid}" in second.stderr
    assert "Starting Prefect" not in second.stdout and "Traceback" not in second.stderr
    assert refused_in < 15, refused_in  # before any Prefect start-up (that takes 5-30 s)

    assert first.returncode == 130, stderr
    assert stopped_in < 15, stopped_in  # Prefect's own shutdown took 65-82 s
    assert stderr.count("Stopped (interrupted by Ctrl-C)") == 1, stderr
    assert not [word for word in FORBIDDEN if word in stdout + stderr], stderr
    assert wait_for(lambda: not marked(first_mark), 10), "Ctrl-C left processes behind"
    assert run_states(prefect_api, out) == ["CANCELLED"]

    rerun = subprocess.run(
        digest_run(config, out),
        env=llm_env(clean_env(new_mark(), tmp_path / "home"), llm),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 1, rerun.stderr
    assert page_requests(server) == fetched  # what was fetched before Ctrl-C was kept
    assert (out / "daily" / f"{DAY}.md").is_file()


def run_states(api_url: str, out: Path) -> list[str]:
    """The state types of the daily runs that wrote into out, on a Prefect server."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    name = FlowFilter(name=FlowFilterName(any_=["daily-digest"]))
    with SyncPrefectClient(api_url) as client:
        runs = client.read_flow_runs(flow_filter=name)
    mine = [run for run in runs if run.parameters.get("output_dir") == str(out)]
    return [run.state_type.value for run in mine if run.state_type is not None]


def test_an_unreachable_prefect_api_url_is_one_clear_line(
    tmp_path: Path, server: TestServer
) -> None:
    serve_day(server)
    env = {**clean_env(new_mark(), tmp_path / "home"), "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    done = subprocess.run(
        digest_run(write_config(tmp_path, server), tmp_path / "output", "--no-llm"),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no Prefect server answers at PREFECT_API_URL=http://127.0.0.1:9/api" in done.stderr
    assert "Traceback" not in done.stderr and server.log == []
