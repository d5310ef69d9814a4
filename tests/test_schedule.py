"""Scheduling: deployments as registered, the local Prefect server's life, task runners."""

from __future__ import annotations

import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import flows, schedule
from pipeline.config import Settings, load_settings
from pipeline.errors import ConfigError, DigestError

DAY = "2026-02-07"
PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_file(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(body, encoding="utf-8")
    return path


def settings_for(config: Path, tmp_path: Path) -> Settings:
    return load_settings(config, env=os.environ, overrides={"output_dir": str(tmp_path / "out")})


@pytest.fixture
def weekly_flow(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A stand-in weekly-digest flow while the real one is being written."""
    from prefect import flow

    @flow(name="weekly-digest")
    def weekly_digest(date: str | None = None, config: str | None = None) -> None:
        """Stand-in."""

    monkeypatch.setattr(flows, "weekly_digest", weekly_digest, raising=False)
    yield weekly_digest


@pytest.mark.parametrize(
    "zone_line, zone", [("", "Asia/Shanghai"), ('timezone = "Europe/Berlin"', "Europe/Berlin")]
)
def test_nightly_schedule_is_in_the_configured_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone_line: str, zone: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-key")
    config = config_file(tmp_path, zone_line)
    nightly = schedule.deployments(settings_for(config, tmp_path), config)[0]
    assert (nightly.flow_name, nightly.name) == ("daily-digest", "nightly")
    [sched] = nightly.schedules or []
    assert sched.schedule.cron == "30 23 * * *"  # type: ignore[union-attr]
    assert sched.schedule.timezone == zone  # type: ignore[union-attr]
    assert nightly.parameters == {
        "config": str(config.resolve()),
        "output_dir": str((tmp_path / "out").resolve()),
    }
    assert "sk-secret" not in nightly.model_dump_json()
    assert nightly.entrypoint == "pipeline.flows.daily_digest"


def test_weekly_deployment_when_the_flow_exists(tmp_path: Path, weekly_flow: Any) -> None:
    config = config_file(tmp_path, '[prefect]\nweekly_cron = "0 22 * * 6"\n')
    built = {d.name: d for d in schedule.deployments(settings_for(config, tmp_path), config)}
    weekly = built["weekly"]
    assert weekly.flow_name == "weekly-digest"
    assert weekly.schedules[0].schedule.cron == "0 22 * * 6"  # type: ignore[index, union-attr]
    assert weekly.schedules[0].schedule.timezone == "Asia/Shanghai"  # type: ignore[index, union-attr]
    assert weekly.parameters == {"config": str(config.resolve())}  # only what the flow accepts


def test_manual_rerun_parameter_date_is_the_flows() -> None:
    params = inspect.signature(flows.daily_digest.fn).parameters
    assert {"date", "config", "output_dir"} <= set(params)


def test_server_command_and_environment_are_local_and_quiet() -> None:
    command = schedule.server_command(port=4321)
    assert command[:5] == [sys.executable, "-m", "prefect", "server", "start"]
    assert command[5:] == ["--host", "127.0.0.1", "--port", "4321"]
    env = schedule.server_env({"PREFECT_API_URL": "http://x/api", "HOME": "/h"})
    assert "PREFECT_API_URL" not in env and env["HOME"] == "/h"
    assert env["DO_NOT_TRACK"] == "1" and env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def fake_server_command(tmp_path: Path, port: int) -> list[str]:
    """A stand-in server: a static file server whose /api/health answers 200."""
    (tmp_path / "www" / "api").mkdir(parents=True, exist_ok=True)
    (tmp_path / "www" / "api" / "health").write_text("true", encoding="utf-8")
    return [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(tmp_path / "www"),
    ]


def test_local_server_is_started_waited_for_and_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, started = free_port(), list[subprocess.Popen[bytes]]()
    real_start = schedule.start_server

    def recording_start(*args: Any) -> subprocess.Popen[bytes]:
        started.append(real_start(*args))
        return started[-1]

    monkeypatch.setattr(schedule, "start_server", recording_start)
    environ: dict[str, str] = {}
    with schedule.prefect_server(
        environ,
        tmp_path / "data",
        port=port,
        command=fake_server_command(tmp_path, port),
        timeout=30,
    ) as url:
        assert url == f"http://127.0.0.1:{port}/api"
        assert environ["PREFECT_API_URL"] == url and schedule.is_healthy(url)
    assert started[0].poll() is not None  # stopped
    assert not schedule.is_healthy(url) and "PREFECT_API_URL" not in environ


def test_existing_api_url_is_used_and_nothing_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule, "start_server", lambda *a: pytest.fail("started a server"))
    environ = {"PREFECT_API_URL": "http://prefect.internal:4200/api"}
    with schedule.prefect_server(environ, tmp_path) as url:
        assert url == "http://prefect.internal:4200/api"


def test_server_that_exits_at_once_is_reported(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"]
    with (
        pytest.raises(DigestError, match="exited with code 3"),
        schedule.prefect_server({}, tmp_path, port=free_port(), command=command, timeout=30),
    ):
        pass
    assert "boom" in (tmp_path / schedule.SERVER_LOG).read_text(encoding="utf-8")


def test_sigterm_stops_the_local_server_too(tmp_path: Path) -> None:
    port = free_port()
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from pipeline.schedule import prefect_server
        with prefect_server({{}}, Path({str(tmp_path)!r}), port={port},
                            command={fake_server_command(tmp_path, port)!r}, timeout=30):
            print("ready", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        assert schedule.is_healthy(f"http://127.0.0.1:{port}/api")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        proc.kill()
    deadline = time.monotonic() + 5
    while schedule.is_healthy(f"http://127.0.0.1:{port}/api") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not schedule.is_healthy(f"http://127.0.0.1:{port}/api")


def test_deployments_registered_on_a_real_local_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start `prefect server start` (about 12 s here), register, read the schedule back."""
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    environ = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    environ.pop("PREFECT_API_URL", None)
    config = config_file(tmp_path, 'timezone = "America/New_York"\n')
    settings = settings_for(config, tmp_path)
    with (
        schedule.prefect_server(environ, tmp_path / "data", port=free_port()) as url,
        temporary_settings(updates={PREFECT_API_URL: url}),
    ):
        [nightly] = [d for d in schedule.deployments(settings, config) if d.name == "nightly"]
        deployment_id: Any = nightly.apply()
        with get_client(sync_client=True) as client:
            stored = client.read_deployment_by_name("daily-digest/nightly")
            # what `prefect deployment run 'daily-digest/nightly' --param date=D` does
            run = client.create_flow_run_from_deployment(deployment_id, parameters={"date": DAY})
    [sched] = stored.schedules
    assert (sched.schedule.cron, sched.schedule.timezone) == ("30 23 * * *", "America/New_York")  # type: ignore[union-attr]
    assert sched.active and stored.paused is False
    assert run.parameters == {**nightly.parameters, "date": DAY}
    assert "OPENAI_API_KEY" not in json.dumps(run.parameters)
    assert not schedule.is_healthy(url)


def prefect_cli(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_prefect_yaml_deploys_the_same_schedules_to_a_work_pool(tmp_path: Path) -> None:
    """`prefect deploy --all` with prefect.yaml: same cron and zone as `digest serve`'s default."""
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    environ = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PWD": str(PROJECT)}
    environ.pop("PREFECT_API_URL", None)
    served = {d.name: d for d in schedule.deployments(load_settings(env={}))}
    with (
        schedule.prefect_server(environ, tmp_path / "data", port=free_port()) as url,
        temporary_settings(updates={PREFECT_API_URL: url}),
    ):
        env = {**environ, "PREFECT_API_URL": url}
        prefect_cli("work-pool", "create", "digest", "--type", "process", env=env)
        prefect_cli("--no-prompt", "deploy", "--all", env=env)
        with get_client(sync_client=True) as client:
            stored = {
                name: client.read_deployment_by_name(f"{flow}/{name}")
                for flow, name in (("daily-digest", "nightly"), ("weekly-digest", "weekly"))
            }
    for name, deployment in stored.items():
        [sched], [want] = deployment.schedules, served[name].schedules or []
        assert sched.schedule == want.schedule, name
        assert deployment.work_pool_name == "digest" and deployment.paused is False
        assert deployment.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT)}}
        ]


def test_task_runner_threads_by_default(settings: Settings) -> None:
    from prefect.task_runners import ThreadPoolTaskRunner

    runner = schedule.make_task_runner(
        settings.model_copy(
            update={"prefect": settings.prefect.model_copy(update={"max_workers": 3})}
        )
    )
    assert isinstance(runner, ThreadPoolTaskRunner) and runner._max_workers == 3


@pytest.mark.parametrize(
    "address, kwargs",
    [
        # max_workers (16) spread over the workers: page tasks mostly wait on politeness
        ("", {"n_workers": 2, "threads_per_worker": 8, "dashboard_address": None}),
        ("tcp://10.0.0.5:8786", {}),
    ],
)
def test_task_runner_dask(settings: Settings, address: str, kwargs: dict[str, Any]) -> None:
    pytest.importorskip("prefect_dask")
    prefect = settings.prefect.model_copy(update={"task_runner": "dask", "dask_address": address})
    runner: Any = schedule.make_task_runner(settings.model_copy(update={"prefect": prefect}))
    assert type(runner).__name__ == "DaskTaskRunner"
    assert runner.address == (address or None) and runner.cluster_kwargs == kwargs


def test_task_runner_dask_without_prefect_dask_says_what_to_install(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "prefect_dask", None)
    prefect = settings.prefect.model_copy(update={"task_runner": "dask"})
    with pytest.raises(ConfigError, match=r"pip install -e '\.\[dask\]'"):
        schedule.make_task_runner(settings.model_copy(update={"prefect": prefect}))
