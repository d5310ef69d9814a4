"""Benchmark of a whole night: the real ``digest run`` against a synthetic world on loopback.

    python -m benchmarks.night --articles 2000 --llm-latency 2.0

It builds a world (``night_world``: N articles over N/50 outlets, Chinese and English,
~80 KB pages, reposts, off-topic items, a slow host, a flaky host, 404s, a hanging page,
a feed answering 503 and a host that is down), serves it on 127.0.0.10 onwards
(``night_hosts``), starts a fake OpenAI-compatible server that takes ``--llm-latency``
seconds per call, and runs ``digest run`` as a subprocess, as a user would (through
``night_probe``, which only adds timing probes), three times:

1. a Prefect cold start: a fresh ``PREFECT_HOME`` and ``--offline`` on an empty archive
   (what the first run on a machine pays before any work);
2. the night: every feed and page new, every story written by the LLM;
3. the rerun: the same date again, nothing changed.

Then it extracts the same pages with plain ``trafilatura.extract`` in this process (the
baseline), times ``digest --help``, and writes the tables between the markers of its
section in ``benchmarks/RESULTS.md`` (``--no-write`` only prints them).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.night_hosts import Hosts, serve_world
from benchmarks.night_measure import ProcessRun, prefect_share, run_measured
from benchmarks.night_world import Site, WorldSpec, build_world, page_bytes
from tests.fake_openai import MODEL, FakeOpenAI, default_responder, first_user_message

log = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- night:begin -->", "<!-- night:end -->"
WINDOW_START = WorldSpec().window_start
DAY = (WINDOW_START + timedelta(days=1)).date()
# Variables of the caller's environment that would point the run elsewhere.
CLEARED_ENV = ("PREFECT_API_URL", "OPENAI_BASE_URL", "DIGEST_MODEL", "DIGEST_PROVIDER")


@dataclass
class Phase:
    """One measured ``digest run``: the process, the probe's timings, the record, counts."""

    label: str
    run: ProcessRun
    timings: dict[str, Any]
    record: dict[str, Any]
    page_requests: int
    feed_requests: int
    llm_calls: list[tuple[float, float, str]]  # (start, end, kind) as the fake saw them

    @property
    def stats(self) -> dict[str, Any]:
        """The run's stats from its record (empty when it wrote none)."""
        return dict(self.record.get("stats", {}))


class SlowLLM(FakeOpenAI):
    """The fake OpenAI server, answering each call after a fixed latency."""

    def __init__(self, latency: float) -> None:
        super().__init__(responder=self.respond)
        self.latency = latency
        self.log: list[tuple[float, float, str]] = []

    def respond(self, body: dict[str, Any]) -> str:
        """Sleep the latency, then answer like the default fake; note the call."""
        start = time.time()
        time.sleep(self.latency)
        kind = "relevance" if '<item id="' in first_user_message(body) else "write"
        answer = default_responder(body)
        self.log.append((start, time.time(), kind))
        return answer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="new articles in the window")
    parser.add_argument("--per-feed", type=int, default=50, help="articles per outlet (feed)")
    parser.add_argument("--llm-latency", type=float, default=2.0, help="seconds per LLM call")
    parser.add_argument("--llm-concurrency", type=int, default=4, help="[llm] concurrency")
    parser.add_argument("--hang", type=int, default=1, help="pages that never answer")
    parser.add_argument("--workdir", type=Path, help="keep the runs' files here (default: temp)")
    parser.add_argument("--skip-cold", action="store_true", help="no Prefect cold-start run")
    parser.add_argument(
        "--api-url", help="run against this Prefect server (PREFECT_API_URL), no temporary one"
    )
    parser.add_argument(
        "--task-runner",
        choices=("threads", "dask"),
        default="threads",
        help="[prefect] task_runner (dask: a local cluster of 2 worker processes)",
    )
    parser.add_argument("--skip-help", action="store_true", help="do not time digest --help")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit RESULTS.md")
    return parser.parse_args(argv)


def write_config(
    workdir: Path, hosts: Hosts, llm: SlowLLM, concurrency: int, runner: str = "threads"
) -> Path:
    """digest.toml for the world: its feeds, loopback allowed, the fake LLM; defaults else."""
    sources = "".join(
        f'\n[[sources]]\nname = "{s.name}"\nurl = "{hosts.feed_url(s)}"\nlang = "{s.lang}"\n'
        for s in hosts.sites
    )
    config = workdir / "digest.toml"
    config.write_text(
        f'data_dir = "{workdir / "data"}"\n\n[llm]\nprovider = "custom"\n'
        f'base_url = "{llm.base_url}"\nmodel = "{MODEL}"\nconcurrency = {concurrency}\n\n'
        f'[prefect]\ntask_runner = "{runner}"\n\n'
        f"[network]\nallow_hosts = {json.dumps(hosts.allow_hosts())}\n{sources}",
        encoding="utf-8",
    )
    return config


def digest_env(prefect_home: Path, api_url: str | None = None) -> dict[str, str]:
    """The subprocess environment: a dummy key, its own Prefect home, nothing pointing away.

    With api_url the runs use that Prefect server instead of a temporary one.
    """
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(OPENAI_API_KEY="sk-benchmark", PREFECT_HOME=str(prefect_home))
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def run_digest(
    label: str, args: list[str], workdir: Path, env: dict[str, str], hosts: Hosts, llm: SlowLLM
) -> Phase:
    """Run ``digest run ARGS`` through the probe; collect everything about the run."""
    timings_file, out = workdir / f"{label}.timings.json", workdir / "output"
    pages, feeds, calls = hosts.page_requests(), hosts.feed_requests(), len(llm.log)
    argv = [sys.executable, "-m", "benchmarks.night_probe", str(timings_file), "run", *args]
    log.info("running %s: %s", label, " ".join(argv[2:]))
    with (workdir / f"{label}.log").open("w", encoding="utf-8") as stream:
        run = run_measured(argv, cwd=workdir, env=env, stdout=stream, stderr=subprocess.STDOUT)
    record_file = out / "daily" / f"{DAY}.json"
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    return Phase(
        label,
        run,
        json.loads(timings_file.read_text(encoding="utf-8")),
        record,
        hosts.page_requests() - pages,
        hosts.feed_requests() - feeds,
        llm.log[calls:],
    )


def help_seconds(env: dict[str, str], repeats: int = 5) -> list[float]:
    """Wall seconds of ``digest --help``, each in a new process."""
    script = Path(sys.executable).with_name("digest")
    argv = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "pipeline.cli"]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def baseline_cpu(sites: list[Site]) -> tuple[float, int]:
    """CPU seconds of plain ``trafilatura.extract`` over every page the night fetched."""
    import trafilatura

    pages = [
        page_bytes(s, i).decode("gbk" if s.gbk else "utf-8")
        for s in sites
        for i in s.items
        if i.fault not in ("gone", "hang")
    ]
    started = time.process_time()
    for html in pages:
        trafilatura.extract(html)
    return time.process_time() - started, len(pages)


def machine() -> str:
    """The machine in one line: cores, CPU, load, Python."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    cpu = platform.processor() or platform.machine()
    return (
        f"{os.cpu_count()} cores ({cpu}), load average {load}, Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    """Build the world, run the three runs and the baselines, report."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="digest-night-"))
    spec = WorldSpec(articles=args.articles, per_feed=args.per_feed, hang_pages=args.hang)
    sites = build_world(spec)
    result = measure(args, spec, sites, workdir)
    from benchmarks.night_report import report

    text = report(result)
    print(text)
    save_calls(result, workdir)
    if not args.no_write:
        write_results(text)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if result["night"].record.get("draft") else 1


def measure(
    args: argparse.Namespace, spec: WorldSpec, sites: list[Site], workdir: Path
) -> dict[str, Any]:
    """Serve the world and the fake LLM; run cold start, night and rerun; the baselines."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = digest_env(workdir / "prefect-home", args.api_url)
    result: dict[str, Any] = {"args": vars(args), "spec": spec, "machine_before": machine()}
    result["help"] = [] if args.skip_help else help_seconds(env)
    llm = SlowLLM(args.llm_latency)
    llm.start()
    try:
        with serve_world(sites, spec) as hosts:
            config = write_config(workdir, hosts, llm, args.llm_concurrency, args.task_runner)
            run_args = ["--date", str(DAY), "--config", str(config)]
            if not (args.skip_cold or args.api_url):
                cold_env = digest_env(workdir / "prefect-home-cold")
                cold = ["--date", str(DAY), "--config", str(cold_config(workdir, config))]
                result["cold"] = run_digest(
                    "cold", [*cold, "--offline"], workdir, cold_env, hosts, llm
                )
            result["night"] = run_digest("night", run_args, workdir, env, hosts, llm)
            result["rerun"] = run_digest("rerun", run_args, workdir, env, hosts, llm)
    finally:
        llm.stop()
    result["baseline"] = baseline_cpu(sites)
    result["machine_after"] = machine()
    result["shares"] = {
        label: prefect_share(result[label].timings, result[label].run)
        for label in ("cold", "night", "rerun")
        if label in result
    }
    return result


def save_calls(result: dict[str, Any], workdir: Path) -> None:
    """Each run's LLM calls (start, end, kind) as JSON beside the runs' logs."""
    calls = {la: result[la].llm_calls for la in ("cold", "night", "rerun") if la in result}
    (workdir / "llm-calls.json").write_text(json.dumps(calls), encoding="utf-8")


def cold_config(workdir: Path, config: Path) -> Path:
    """The same config with an empty archive of its own, for the cold-start run."""
    text = config.read_text(encoding="utf-8").replace(
        f'data_dir = "{workdir / "data"}"', f'data_dir = "{workdir / "data-cold"}"'
    )
    path = workdir / "digest-cold.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_results(text: str, path: Path = RESULTS) -> None:
    """Replace the text between the night markers in RESULTS.md (append them if absent)."""
    current = path.read_text(encoding="utf-8")
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")
        return
    section = f"\n## A whole night (issue 18)\n\n{BEGIN}\n{text}\n{END}\n"
    path.write_text(current.rstrip("\n") + "\n" + section, encoding="utf-8")


def ceil_rounds(calls: int, concurrency: int) -> int:
    """Rounds of calls at a given concurrency."""
    return math.ceil(calls / max(concurrency, 1))


def median(values: list[float]) -> float:
    """The median (0 for none)."""
    return statistics.median(values) if values else 0.0


if __name__ == "__main__":
    sys.exit(main())
