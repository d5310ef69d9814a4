"""Scheduling: deployments as registered, a real server's scheduler running them, stopping well.

The end-to-end tests start one real Prefect server for the module and run `digest serve`
against it as a user would (a real process, real signals), with the feeds, pages and LLM
of the fake world on 127.0.0.1. The nightly, weekly and brief schedules are set a minute
ahead, so the server's own scheduler creates the runs and the runner executes them.
"""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from pipeline.config import Settings, load_settings
from pipeline.errors import ConfigError, DigestError
from pipeline.flows import digest as flows
from pipeline.flows import prefect_server, schedule
from tests.day import DAY, page_html, serve_day
from tests.fake_openai import MODEL, FakeOpenAI, Fault
from tests.procs import PROJECT, clean_env, free_port, marked, new_mark, wait_for
from tests.servers import Reply, TestServer

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "e2e" / "articles.json"
SERVE_TIMEOUT = 240.0  # a run on a busy 2-core machine, with Prefect's process start


def config_file(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(body, encoding="utf-8")
    return path


def settings_for(config: Path, tmp_path: Path) -> Settings:
    return load_settings(config, env=os.environ, overrides={"output_dir": str(tmp_path / "out")})


# --- deployments as built ---------------------------------------------------------------


@pytest.mark.parametrize(
    "zone_line, zone", [("", "Asia/Shanghai"), ('timezone = "Europe/Berlin"', "Europe/Berlin")]
)
def test_nightly_schedule_is_in_the_configured_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone_line: str, zone: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-key")
    config = config_file(tmp_path, zone_line)
    nightly = schedule.deployments(settings_for(config, tmp_path), config)[0]
    assert (nightly.flow_name, nightly.name) == ("daily-digest", "nightly-serve")
    [sched] = nightly.schedules or []
    assert sched.schedule.cron == "30 23 * * *"  # type: ignore[union-attr]
    assert sched.schedule.timezone == zone  # type: ignore[union-attr]
    assert nightly.parameters == {
        "config": str(config.resolve()),
        "output_dir": str((tmp_path / "out").resolve()),
    }
    assert "sk-secret" not in nightly.model_dump_json()
    assert nightly.entrypoint == "pipeline.flows.digest.daily_digest"


def test_weekly_and_brief_deployments_and_an_empty_cron_for_none(tmp_path: Path) -> None:
    config = config_file(tmp_path, '[prefect]\nweekly_cron = "0 22 * * 6"\n')
    built = {d.name: d for d in schedule.deployments(settings_for(config, tmp_path), config)}
    assert [(d.flow_name, name) for name, d in built.items()] == [
        ("daily-digest", "nightly-serve"),
        ("weekly-digest", "weekly-serve"),
        ("brief-digest", "brief-serve"),
    ]
    weekly, brief = built["weekly-serve"], built["brief-serve"]
    assert weekly.schedules[0].schedule.cron == "0 22 * * 6"  # type: ignore[index, union-attr]
    assert brief.schedules[0].schedule.cron == "45 23 * * *"  # type: ignore[index, union-attr]
    assert brief.schedules[0].schedule.timezone == "Asia/Shanghai"  # type: ignore[index, union-attr]
    config.write_text('[prefect]\nbrief_cron = ""\nweekly_cron = " "\n', encoding="utf-8")
    names = [d.name for d in schedule.deployments(settings_for(config, tmp_path), config)]
    assert names == ["nightly-serve"]


def test_an_invalid_cron_line_is_a_config_error(tmp_path: Path) -> None:
    config = config_file(tmp_path, '[prefect]\nnightly_cron = "30 25 * * *"\n')
    with pytest.raises(ConfigError, match=r"cron '30 25 \* \* \*' is not a valid cron line"):
        schedule.deployments(settings_for(config, tmp_path), config)


def test_serve_needs_a_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="digest serve needs a config file"):
        schedule.serve_config(None)


def test_manual_rerun_parameter_date_is_the_flows() -> None:
    params = inspect.signature(flows.daily_digest.fn).parameters
    assert {"date", "config", "output_dir"} <= set(params)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01", "outside 2000-01-01"),
        ("9999-12-31", "has not happened yet"),
        ("7/2/26", "YYYY-MM-DD"),
    ],
)
def test_a_deployment_date_parameter_is_range_checked_like_the_cli(
    tmp_path: Path, value: str, message: str
) -> None:
    settings = load_settings(None, env={}, overrides={"output_dir": str(tmp_path)})
    with pytest.raises(ConfigError, match=message):
        flows.run_day(value, settings)
    assert flows.run_day("2026-02-07", settings).isoformat() == "2026-02-07"


# --- the local server's life -------------------------------------------------------------


def test_server_command_and_environment_are_local_and_quiet() -> None:
    command = prefect_server.server_command(port=4321, ephemeral=True)
    assert command[:3] == [sys.executable, "-m", "pipeline.flows.prefect_server"]
    assert command[3:7] == ["--host", "127.0.0.1", "--port", "4321"]
    assert command[7:] == ["--parent", str(os.getpid()), "--ephemeral"]
    env = prefect_server.server_env({"PREFECT_API_URL": "http://x/api", "HOME": "/h"})
    assert "PREFECT_API_URL" not in env and env["HOME"] == "/h"
    assert env["DO_NOT_TRACK"] == "1" and env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert env["PREFECT_SERVER_LOGGING_LEVEL"] == "WARNING"  # its log file keeps warnings


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


def test_local_server_is_started_waited_for_and_stopped(tmp_path: Path) -> None:
    port, environ = free_port(), dict[str, str]()
    command = fake_server_command(tmp_path, port)
    with prefect_server.prefect_server(
        environ, tmp_path / "data", port=port, command=command, timeout=30
    ) as url:
        assert url == f"http://127.0.0.1:{port}/api"
        assert environ["PREFECT_API_URL"] == url and prefect_server.is_healthy(url)
    assert not prefect_server.is_healthy(url) and "PREFECT_API_URL" not in environ


def test_existing_api_url_is_used_and_nothing_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prefect_server.LocalServer, "start", lambda self: pytest.fail("started"))
    environ = {"PREFECT_API_URL": "http://prefect.internal:4200/api"}
    with prefect_server.prefect_server(environ, tmp_path) as url:
        assert url == "http://prefect.internal:4200/api"


def test_server_that_exits_at_once_is_reported(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"]
    with (
        pytest.raises(DigestError, match="exited with code 3"),
        prefect_server.prefect_server({}, tmp_path, port=free_port(), command=command, timeout=30),
    ):
        pass
    assert "boom" in (tmp_path / prefect_server.SERVER_LOG).read_text(encoding="utf-8")


def test_a_taken_port_is_refused_before_prefect_starts(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = prefect_server.LocalServer(tmp_path, {}, port=port)
        started = time.monotonic()
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1: .*choose another --port"):
            server.start()
    assert time.monotonic() - started < 15  # the child binds before it imports Prefect


def test_sigterm_stops_the_local_server_too(tmp_path: Path) -> None:
    port = free_port()
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from pipeline.flows.prefect_server import prefect_server
        with prefect_server({{}}, Path({str(tmp_path)!r}), port={port},
                            command={fake_server_command(tmp_path, port)!r}, timeout=30):
            print("ready", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        assert prefect_server.is_healthy(f"http://127.0.0.1:{port}/api")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert wait_for(lambda: not prefect_server.is_healthy(f"http://127.0.0.1:{port}/api"), 10)


def test_errors_in_the_server_log_reach_the_operator_once(tmp_path: Path) -> None:
    """What issue 10 found only in the log file: the scheduler failing every minute."""
    log_path = tmp_path / prefect_server.SERVER_LOG
    log_path.write_text("10:00:00.000 | ERROR   | before serve started: not news\n")
    seen: list[str] = []
    stop = threading.Event()
    follower = threading.Thread(
        target=prefect_server.follow_errors, args=(log_path, seen.append, stop, 0.05)
    )
    follower.start()
    time.sleep(0.3)
    scheduler = "12:00:01.000 | ERROR   | prefect.server.services.scheduler - Unexpected error"
    cause = "sqlalchemy.exc.InvalidRequestError: Can't evaluate bulk DML statement"
    with log_path.open("a", encoding="utf-8") as handle:
        handle.write(f"{scheduler}\nTraceback (most recent call last):\n  File x\n{cause}\n")
        handle.write(f"12:00:02.000 | INFO    | fine\n{scheduler}\n")
    wait_for(lambda: len(seen) >= 2, 10)
    stop.set()
    follower.join(timeout=5)
    assert seen == [scheduler, cause]


# --- a real server -----------------------------------------------------------------------


def read_client(api_url: str) -> Any:
    """A sync Prefect client for the module's server."""
    from prefect.client.orchestration import SyncPrefectClient

    return SyncPrefectClient(api_url)


def test_deployments_registered_on_a_real_local_server(tmp_path: Path, prefect_api: str) -> None:
    """Register the nightly deployment, read its schedule back, start a manual rerun."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    config = config_file(tmp_path, 'timezone = "America/New_York"\n')
    settings = settings_for(config, tmp_path)
    with temporary_settings(updates={PREFECT_API_URL: prefect_api}):
        [nightly] = [d for d in schedule.deployments(settings, config) if d.name == "nightly-serve"]
        deployment_id: Any = nightly.apply()
    with read_client(prefect_api) as client:
        stored = client.read_deployment_by_name("daily-digest/nightly-serve")
        # what `prefect deployment run 'daily-digest/nightly-serve' --param date=D` does
        run = client.create_flow_run_from_deployment(deployment_id, parameters={"date": DAY})
        client.set_flow_run_state(run.id, cancelled(), force=True)  # nobody would run it
    [sched] = stored.schedules
    assert (sched.schedule.cron, sched.schedule.timezone) == ("30 23 * * *", "America/New_York")
    assert sched.active and stored.paused is False
    assert run.parameters == {**nightly.parameters, "date": DAY}
    assert "OPENAI_API_KEY" not in json.dumps(run.parameters)


def cancelled() -> Any:
    from prefect.states import Cancelled

    return Cancelled(message="test cleanup")


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


def test_prefect_yaml_deploys_beside_digest_serve_without_clobbering(
    tmp_path: Path, prefect_api: str
) -> None:
    """`prefect deploy --all` (prefect.yaml): same crons as serve, its own deployment names."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PWD": str(PROJECT)}
    served = {d.name: d for d in schedule.deployments(load_settings(env={}))}
    with temporary_settings(updates={PREFECT_API_URL: prefect_api}):
        served_id = served["nightly-serve"].apply()
    prefect_cli("work-pool", "create", "digest", "--type", "process", "--overwrite", env=env)
    prefect_cli("--no-prompt", "deploy", "--all", env=env)
    flows_and_names = [("daily-digest", "nightly"), ("weekly-digest", "weekly")]
    flows_and_names.append(("brief-digest", "brief"))
    with read_client(prefect_api) as client:
        stored = {
            name: client.read_deployment_by_name(f"{f}/{name}") for f, name in flows_and_names
        }
        still_served = client.read_deployment_by_name("daily-digest/nightly-serve")
    for name, deployment in stored.items():
        [sched], [want] = deployment.schedules, served[f"{name}-serve"].schedules or []
        assert sched.schedule == want.schedule, name
        assert deployment.work_pool_name == "digest" and deployment.paused is False
        assert deployment.parameters == {"output_dir": "output"}  # config: DIGEST_CONFIG
        assert deployment.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT)}}
        ]
    assert still_served.id == served_id and still_served.work_pool_name is None


# --- digest serve, end to end ------------------------------------------------------------


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is mid-afternoon now: today's window has passed hours."""
    offset = (15 - now.hour + 12) % 24 - 12  # hours to add to UTC, in -12..11
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # Etc/GMT-5 is UTC+5


def todays_world(server: TestServer, now: datetime) -> None:
    """The fixture articles, published in the last hours, on a Chinese and an English feed."""
    articles = json.loads(ARTICLES.read_text(encoding="utf-8"))
    chosen = [a for a in articles if a.get("status", 200) == 200 and a["path"] != "/en/old"]
    for hours, article in enumerate(chosen, start=1):
        article["pub"] = (now - timedelta(hours=hours)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        server.route(article["path"], Reply(body=page_html(article["title"], article["paras"])))
    for feed in ("zh", "en"):
        items = "".join(
            f"<item><title>{a['title']}</title><link>{server.base}{a['path']}</link>"
            f"<pubDate>{a['pub']}</pubDate><description>{a['paras'][0]}</description></item>"
            for a in chosen
            if a["feed"] == feed
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title>{items}'
        server.route(f"/{feed}/feed.xml", Reply(body=body + "</channel></rss>"))


def serve_config(tmp_path: Path, server: TestServer, zone: str, crons: dict[str, str]) -> Path:
    """A digest.toml for `digest serve`: the loopback feeds, the given zone and cron lines."""
    lines = "\n".join(f'{name}_cron = "{cron}"' for name, cron in crons.items())
    return config_file(
        tmp_path,
        f"""timezone = "{zone}"
data_dir = "{tmp_path / "data"}"
output_dir = "{tmp_path / "output"}"
[network]
allow_hosts = ["127.0.0.1"]
politeness_delay = 0
deadline = 10
retries = 1
[digest]
main_stories = 3
[prefect]
{lines}
[[sources]]
name = "科技新闻"
url = "{server.url("/zh/feed.xml")}"
lang = "zh"
[[sources]]
name = "Tech Daily"
url = "{server.url("/en/feed.xml")}"
lang = "en"
""",
    )


class Serve:
    """`digest serve` as a real process, its output collected as it comes."""

    def __init__(self, config: Path, api_url: str, llm: FakeOpenAI, mark: str) -> None:
        env = clean_env(mark, config.parent / "prefect-client")
        env.update(
            PREFECT_API_URL=api_url,
            PREFECT_RUNNER_POLL_FREQUENCY="2",  # manual runs start within seconds
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=llm.base_url,
            DIGEST_MODEL=MODEL,
        )
        command = [sys.executable, "-m", "pipeline.cli", "serve", "--config", str(config)]
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=config.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_serving(self) -> None:
        ready = wait_for(lambda: "Ctrl-C or SIGTERM stops it" in self.output, 120)
        assert ready and self.process.poll() is None, self.output

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.process.kill()


def flow_runs(client: Any, deployment: str) -> list[Any]:
    """The flow runs of a deployment (by name), newest first."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    name = DeploymentFilter(name=DeploymentFilterName(any_=[deployment.split("/")[1]]))
    return list(client.read_flow_runs(deployment_filter=name, sort=FlowRunSort.START_TIME_DESC))


def due_run(client: Any, deployment: str, due: datetime) -> Any:
    """The deployment's run expected to start at due, if the scheduler created it."""
    runs = [run for run in flow_runs(client, deployment) if run.expected_start_time == due]
    return runs[0] if runs else None


def wait_final(client: Any, run_id: UUID, timeout: float = SERVE_TIMEOUT) -> Any:
    """The run once its state is final (or whatever it is after timeout)."""
    wait_for(lambda: client.read_flow_run(run_id).state.is_final(), timeout, poll=1)
    return client.read_flow_run(run_id)


def next_minute(now: datetime, lead: float) -> datetime:
    """The first whole minute at least lead seconds from now."""
    start = now + timedelta(seconds=lead)
    return start.replace(second=0, microsecond=0) + timedelta(minutes=1)


def test_scheduler_creates_and_runs_the_nightly_weekly_and_brief_runs(
    tmp_path: Path, prefect_api: str, server: TestServer, llm: FakeOpenAI
) -> None:
    """What issue 10 found broken: a schedule due in the next minute fires and writes drafts."""
    now = datetime.now(UTC)
    zone = midday_zone(now)
    due = next_minute(now, lead=25)  # serve registers in ~10 s; the scheduler looks every 5 s
    local = due.astimezone(__import__("zoneinfo").ZoneInfo(zone))
    cron = f"{local.minute} {local.hour} * * *"
    todays_world(server, now)
    config = serve_config(tmp_path, server, zone, {"nightly": cron, "weekly": cron, "brief": cron})
    mark = new_mark()
    serve = Serve(config, prefect_api, llm, mark)
    try:
        serve.wait_serving()
        with read_client(prefect_api) as client:
            names = ["daily-digest/nightly-serve", "weekly-digest/weekly-serve"]
            names.append("brief-digest/brief-serve")
            assert wait_for(lambda: all(due_run(client, n, due) for n in names), 90, poll=1)
            scheduled = {n: due_run(client, n, due) for n in names}
            final = {n: wait_final(client, run.id) for n, run in scheduled.items()}
        code = serve.stop()
    finally:
        serve.process.kill()
    tomorrow = (local.date() + timedelta(days=1)).isoformat()
    for name, run in final.items():
        assert run.auto_scheduled, name  # created by the server's scheduler, not by us
        assert run.state.type.value == "COMPLETED", (name, run.state, serve.output[-3000:])
        assert run.state.name in {"Completed", flows.PROBLEMS_STATE}, name
    assert (tmp_path / "output" / "daily" / f"{tomorrow}.md").is_file()
    assert (tmp_path / "output" / "brief" / f"{tomorrow}.md").is_file()
    from pipeline.formats.weekly import week_stem

    week = week_stem(local.date() + timedelta(days=1))
    assert (tmp_path / "output" / "weekly" / f"{week}.md").is_file()
    assert code == 0, serve.output[-3000:]
    assert "Traceback" not in serve.output, serve.output[-3000:]
    assert wait_for(lambda: not marked(mark), 10), "digest serve left processes behind"


FAR_AWAY = {"nightly": "0 0 1 1 *", "weekly": "", "brief": ""}  # no scheduled run in the test


def start_nightly(client: Any, date: str = DAY) -> Any:
    """A manual run of the served nightly deployment (`prefect deployment run …`)."""
    deployment = client.read_deployment_by_name("daily-digest/nightly-serve")
    return client.create_flow_run_from_deployment(deployment.id, parameters={"date": date})


def slot_holders(client: Any) -> int:
    """Runs holding the served nightly deployment's concurrency slot."""
    deployment = client.read_deployment_by_name("daily-digest/nightly-serve")
    limit = deployment.global_concurrency_limit
    return int(limit.active_slots) if limit is not None else 0


def test_an_interrupted_night_is_cancelled_and_the_next_night_runs(
    tmp_path: Path, prefect_api: str, server: TestServer, llm: FakeOpenAI
) -> None:
    """SIGTERM to `digest serve` mid-run: Cancelled, slot freed; after a restart a run completes."""
    serve_day(server)
    config = serve_config(tmp_path, server, "Asia/Shanghai", FAR_AWAY)
    llm.add_faults(Fault("slow", delay=120.0))
    mark = new_mark()
    serve = Serve(config, prefect_api, llm, mark)
    try:
        serve.wait_serving()
        with read_client(prefect_api) as client:
            run = start_nightly(client)
            assert wait_for(lambda: len(llm.calls) >= 1, SERVE_TIMEOUT), serve.output[-3000:]
            assert client.read_flow_run(run.id).state.type.value == "RUNNING"
            stopped_at = time.monotonic()
            code = serve.stop()
            took = time.monotonic() - stopped_at
            interrupted = client.read_flow_run(run.id)
            slots_after_stop = slot_holders(client)
    finally:
        serve.process.kill()
    assert code == 0 and took < 20, (code, took, serve.output[-3000:])
    assert interrupted.state.type.value == "CANCELLED", interrupted.state
    assert slots_after_stop == 0
    assert wait_for(lambda: not marked(mark), 10), "digest serve left processes behind"

    again = Serve(config, prefect_api, llm, mark)
    try:
        again.wait_serving()
        with read_client(prefect_api) as client:
            finished = wait_final(client, start_nightly(client).id)
        again.stop()
    finally:
        again.process.kill()
    assert finished.state.type.value == "COMPLETED", (finished.state, again.output[-3000:])
    assert (tmp_path / "output" / "daily" / f"{DAY}.md").is_file()


def test_serve_repairs_a_run_left_running_by_a_killed_instance(
    tmp_path: Path, prefect_api: str, server: TestServer, llm: FakeOpenAI
) -> None:
    """kill -9 of `digest serve` mid-run: its run dies too; the next serve marks it Crashed."""
    serve_day(server)
    config = serve_config(tmp_path, server, "Asia/Shanghai", FAR_AWAY)
    llm.add_faults(Fault("slow", delay=120.0))
    mark = new_mark()
    serve = Serve(config, prefect_api, llm, mark)
    try:
        serve.wait_serving()
        with read_client(prefect_api) as client:
            run = start_nightly(client)
            assert wait_for(lambda: len(llm.calls) >= 1, SERVE_TIMEOUT), serve.output[-3000:]
            serve.stop(signal.SIGKILL)
            assert wait_for(lambda: not marked(mark), 15), [
                (pid, Path(f"/proc/{pid}/cmdline").read_bytes()[:300]) for pid in marked(mark)
            ]
            assert client.read_flow_run(run.id).state.type.value == "RUNNING"  # as left
            assert slot_holders(client) == 1
    finally:
        serve.process.kill()

    again = Serve(config, prefect_api, llm, mark)
    try:
        again.wait_serving()
        with read_client(prefect_api) as client:
            repaired = client.read_flow_run(run.id)
            finished = wait_final(client, start_nightly(client).id)
        again.stop()
    finally:
        again.process.kill()
    assert repaired.state.type.value == "CRASHED", repaired.state
    assert "stopped during the run" in (repaired.state.message or "")
    assert finished.state.type.value == "COMPLETED", (finished.state, again.output[-3000:])


def test_a_worker_runs_the_prefect_yaml_nightly_and_stops_on_sigterm(
    tmp_path: Path, prefect_api: str, server: TestServer, llm: FakeOpenAI
) -> None:
    """The worker way: `prefect deploy`, a worker pinned by DIGEST_CONFIG, a manual rerun."""
    serve_day(server)
    config = serve_config(tmp_path, server, "Asia/Shanghai", FAR_AWAY)
    mark = new_mark()
    env = clean_env(mark, tmp_path / "prefect-client")
    env.update(
        PREFECT_API_URL=prefect_api,
        PREFECT_WORKER_QUERY_SECONDS="2",
        PWD=str(PROJECT),
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=llm.base_url,
        DIGEST_MODEL=MODEL,
        DIGEST_CONFIG=str(config),
        DIGEST_OUTPUT_DIR=str(tmp_path / "output"),
    )
    prefect_cli("work-pool", "create", "digest", "--type", "process", "--overwrite", env=env)
    prefect_cli("--no-prompt", "deploy", "--name", "nightly", env=env)
    command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", "digest"]
    worker = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with read_client(prefect_api) as client:
            deployment = client.read_deployment_by_name("daily-digest/nightly")
            run = client.create_flow_run_from_deployment(
                deployment.id, parameters={"date": DAY, "output_dir": str(tmp_path / "output")}
            )
            finished = wait_final(client, run.id)
        worker.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        worker.wait(timeout=90)
        took = time.monotonic() - stopped_at
    finally:
        worker.kill()
    assert finished.state.type.value == "COMPLETED", finished.state
    assert (tmp_path / "output" / "daily" / f"{DAY}.md").is_file()
    assert worker.returncode == 0 and took < 30, (worker.returncode, took)
    assert wait_for(lambda: not marked(mark), 10)


# --- task runners -----------------------------------------------------------------------


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
        # max_workers (48) spread over the workers: page tasks mostly wait on politeness
        ("", {"n_workers": 2, "threads_per_worker": 24, "dashboard_address": None}),
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
