"""State under faults, Prefect side (issue 14 items 11 and 3): signals, kill -9, the open local API.

Each test starts real processes on 127.0.0.1, marks them (tests/procs.py) and counts only
its own, so a shared machine's other Prefect servers never count.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.day import DAY, serve_day, write_config
from tests.fake_openai import MODEL, FakeOpenAI
from tests.procs import clean_env, free_port, marked, new_mark, wait_for
from tests.servers import Reply, TestServer

FORBIDDEN = ("Traceback", "CancelledError", "Crash detected", "EventsWorker", "Error logging")


def hanging_config(tmp_path: Path, server: TestServer) -> Path:
    """A config whose only feed never answers: a run stuck in its first task."""
    server.route("/hang/feed.xml", Reply(fault="hang"))
    config = tmp_path / "digest.toml"
    config.write_text(
        f"""data_dir = "{tmp_path / "data"}"
[network]
allow_hosts = ["127.0.0.1"]
deadline = 300
read_timeout = 300
[[sources]]
name = "Hanging Feed"
url = "{server.url("/hang/feed.xml")}"
lang = "en"
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the module's runs: its database is created once, not per test."""
    return tmp_path_factory.mktemp("prefect-home")


def stuck_run(tmp_path: Path, server: TestServer, mark: str, home: Path) -> subprocess.Popen[str]:
    """`digest run` (temporary Prefect server) once it waits on the hanging feed."""
    command = [sys.executable, "-m", "pipeline.cli", "run", "--date", DAY, "--no-llm"]
    command += ["--config", str(hanging_config(tmp_path, server))]
    command += ["--output-dir", str(tmp_path / "output")]
    run = subprocess.Popen(
        command,
        env=clean_env(mark, home),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    asked = lambda: bool(server.requests_to("/hang/feed.xml")) or run.poll() is not None  # noqa: E731
    assert wait_for(asked, 240) and run.poll() is None, run.communicate()
    assert len(marked(mark)) >= 2  # the run and its temporary Prefect server
    return run


def test_sigterm_stops_digest_run_within_seconds_and_leaves_no_server(
    tmp_path: Path, server: TestServer, prefect_home: Path
) -> None:
    """SIGTERM to `digest run` ends it within seconds like Ctrl-C (exit 143), no orphan server."""
    mark = new_mark()
    run = stuck_run(tmp_path, server, mark, prefect_home)
    try:
        run.send_signal(signal.SIGTERM)  # to the run alone, as `kill PID` does
        started = time.monotonic()
        stdout, stderr = run.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        run.kill()
    assert run.returncode == 128 + signal.SIGTERM and took < 15, (run.returncode, took, stderr)
    assert stderr.count("Stopped (interrupted by SIGTERM)") == 1, stderr
    assert not [word for word in FORBIDDEN if word in stdout + stderr], stderr
    assert wait_for(lambda: not marked(mark), 10), "SIGTERM left processes behind"


def test_kill_9_of_digest_run_leaves_no_prefect_server(
    tmp_path: Path, server: TestServer, prefect_home: Path
) -> None:
    """kill -9 of `digest run` leaves no temporary Prefect server reparented to init."""
    mark = new_mark()
    run = stuck_run(tmp_path, server, mark, prefect_home)
    try:
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        run.kill()
    assert wait_for(lambda: not marked(mark), 15), "kill -9 left the Prefect server running"


def evil_config(tmp_path: Path, attacker: TestServer) -> Path:
    """A config an attacker wrote: its LLM endpoint would receive the operator's API key."""
    path = tmp_path / "evil.toml"
    path.write_text(
        f'[llm]\nprovider = "custom"\nbase_url = "{attacker.url("/v1")}"\nmodel = "m"\n',
        encoding="utf-8",
    )
    return path


def post_run(api_url: str, parameters: dict[str, Any]) -> str:
    """What anyone on the machine can do to `digest serve`'s API: start a run, no credentials."""
    deployment = httpx.get(f"{api_url}/deployments/name/daily-digest/nightly-serve").json()
    url = f"{api_url}/deployments/{deployment['id']}/create_flow_run"
    for _ in range(10):  # a busy SQLite answers 503 now and then: retry, as anyone would
        created = httpx.post(url, json={"parameters": parameters}, timeout=30)
        if created.status_code != 503:
            break
        time.sleep(1)
    created.raise_for_status()
    return str(created.json()["id"])


def final(api_url: str, run_id: str) -> dict[str, Any]:
    """The run's state once final."""

    def state() -> dict[str, Any]:
        return dict(httpx.get(f"{api_url}/flow_runs/{run_id}", timeout=10).json()["state"])

    wait_for(lambda: state()["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}, 240, 1)
    return state()


def test_deployment_parameters_cannot_escape_the_output_directory_or_force(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    """Runs posted to serve's open local API cannot write elsewhere, force, or swap the config."""
    serve_day(server)
    config, mark, port = write_config(tmp_path, server), new_mark(), free_port()
    env = clean_env(mark, tmp_path / "prefect-home")
    env.update(OPENAI_API_KEY="sk-operator", OPENAI_BASE_URL=llm.base_url, DIGEST_MODEL=MODEL)
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "2"
    command = [sys.executable, "-m", "pipeline.cli", "serve", "--config", str(config)]
    serve = subprocess.Popen(
        [*command, "--port", str(port)],  # its own server: the API open to the machine
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    api_url = f"http://127.0.0.1:{port}/api"
    attacker = TestServer().start()
    try:
        assert wait_for(lambda: serving(api_url), 180, 1), "digest serve did not come up"
        attacks: dict[str, dict[str, Any]] = {
            "elsewhere": {"date": DAY, "output_dir": str(tmp_path / "elsewhere")},
            "traversal": {"date": DAY, "output_dir": f"{tmp_path}/output/../elsewhere"},
            "force": {"date": DAY, "force": True},
            "config": {"date": DAY, "config": str(evil_config(tmp_path, attacker))},
        }
        states = {name: final(api_url, post_run(api_url, p)) for name, p in attacks.items()}
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        attacker.stop()
    assert {name: s["type"] for name, s in states.items()} == dict.fromkeys(attacks, "FAILED")
    assert "outside the configured output directory" in states["elsewhere"]["message"]
    assert "outside the configured output directory" in states["traversal"]["message"]
    assert "force=true is refused for a deployment run" in states["force"]["message"]
    assert "cannot change the config the operator set" in states["config"]["message"]
    assert not (tmp_path / "elsewhere").exists()
    assert attacker.log == [] and llm.calls == [] and server.log == []  # refused before any work
    assert wait_for(lambda: not marked(mark), 15)


def serving(api_url: str) -> bool:
    """True once serve has registered its nightly deployment on its server."""
    try:
        url = f"{api_url}/deployments/name/daily-digest/nightly-serve"
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
