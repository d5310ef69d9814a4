"""Operations: Dask gives the same draft, the run lock, resuming after a run killed mid-way.

Flow runs are slow on a small machine (10-20 s each): these tests are few and share the
session's Prefect test harness; subprocess runs talk to the same harness server.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_settings
from pipeline.errors import RunLockedError
from pipeline.flows import digest as flows
from pipeline.flows.schedule import make_task_runner
from tests.day import DAY, E2E, serve_day, write_config
from tests.fake_openai import FakeOpenAI, Fault
from tests.servers import TestServer

pytestmark = pytest.mark.usefixtures("prefect_harness")

PROJECT = Path(__file__).resolve().parents[2]
TOKEN_RE = re.compile(r'(?<=token=")[0-9a-f]+|(?<=</article-)[0-9a-f]+|(?<=</story-)[0-9a-f]+')


def harness_env() -> dict[str, str]:
    """This process's environment plus the harness server's URL, for a subprocess."""
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def run_daily(config: Path, out: Path) -> str:
    """Run the default flow and return the draft."""
    flows.daily_digest(date=DAY, config=str(config), output_dir=str(out))
    return (out / "daily" / f"{DAY}.md").read_text(encoding="utf-8")


def test_dask_task_runner_writes_the_same_draft(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    pytest.importorskip("prefect_dask")
    serve_day(server)
    (tmp_path / "threads").mkdir()
    (tmp_path / "dask").mkdir()
    default = run_daily(write_config(tmp_path / "threads", server), tmp_path / "threads" / "out")

    config = write_config(tmp_path / "dask", server)
    settings = load_settings(
        config,
        env={},
        overrides={"prefect": {"task_runner": "dask", "dask_workers": 2, "max_workers": 2}},
    )
    on_dask = flows.daily_digest.with_options(task_runner=make_task_runner(settings))
    on_dask(date=DAY, config=str(config), output_dir=str(tmp_path / "dask" / "out"))
    assert (tmp_path / "dask" / "out" / "daily" / f"{DAY}.md").read_bytes() == default.encode()


HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipeline.store.files import run_lock
with run_lock(Path(sys.argv[1]), sys.argv[2]):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_second_run_for_the_same_date_refuses_while_the_first_holds_the_lock(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    config = write_config(tmp_path, server)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "data"), f"daily-{DAY}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunLockedError) as caught:
            flows.daily_digest(date=DAY, config=str(config), output_dir=str(tmp_path / "out"))
    finally:
        holder.kill()
        holder.wait()
    assert f"another run for daily-{DAY} is in progress (pid {holder.pid}" in str(caught.value)
    assert server.log == []  # refused before any fetch
    assert not (tmp_path / "out").exists()


RUN_FLOW = """
import sys
from pipeline.flows import digest as flows
flows.daily_digest(date=sys.argv[1], config=sys.argv[2], output_dir=sys.argv[3])
"""


def test_rerun_after_a_killed_run_refetches_no_page_and_repeats_no_answered_call(
    tmp_path: Path, server: TestServer, llm: FakeOpenAI
) -> None:
    serve_day(server)
    config = write_config(tmp_path, server)
    with config.open("a", encoding="utf-8") as handle:
        handle.write("[llm]\nconcurrency = 1\n")  # one call at a time: call 1 means call 0 is done
    out = tmp_path / "out"
    llm.add_faults(Fault("slow", delay=2.0), Fault("slow", delay=30.0))
    run = subprocess.Popen(
        [sys.executable, "-c", RUN_FLOW, DAY, str(config), str(out)],
        env=harness_env(),
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len(llm.calls) >= 2 or run.poll() is not None, timeout=180)
        assert run.poll() is None, run.stderr.read() if run.stderr else ""
        run.send_signal(signal.SIGKILL)  # a crash mid-way through writing
        run.wait(timeout=30)
    finally:
        run.kill()
    assert not (out / "daily" / f"{DAY}.md").exists()
    answered, in_flight = asked(llm.calls[0]), asked(llm.calls[1])
    pages, calls_before = page_requests(server), len(llm.calls)

    flows.daily_digest(date=DAY, config=str(config), output_dir=str(out))
    assert (out / "daily" / f"{DAY}.md").is_file()
    assert page_requests(server) == pages  # archived pages are not fetched again
    rerun = [asked(call) for call in llm.calls[calls_before:]]
    assert answered not in rerun  # answered before the kill: from the LLM cache
    assert in_flight in rerun  # in flight at the kill: asked again


def asked(call: dict[str, Any]) -> str:
    """What a call asked: its messages without the per-call random delimiter tokens."""
    return TOKEN_RE.sub("TOKEN", "\n".join(str(m["content"]) for m in call["messages"]))


def page_requests(server: TestServer) -> dict[str, int]:
    """Requests per article page that answers 200 (the pages the archive keeps)."""
    articles = json.loads((E2E / "articles.json").read_text(encoding="utf-8"))
    paths = [a["path"] for a in articles if a.get("status", 200) == 200]
    return {path: len(server.requests_to(path)) for path in paths}


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    """Poll condition until it is true or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
