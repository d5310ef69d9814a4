"""Benchmark: what Prefect costs a `digest run` before and around the work (issue 15).

Each sample is a real process doing next to no work (``--offline --no-llm`` on an empty
archive: no draft, exit 2), so its wall time is the overhead: Python and Prefect start-up,
the temporary Prefect server, the flow run's bookkeeping, shutdown. Three ways, each on a
machine where Prefect never ran (a fresh ``PREFECT_HOME``: the server migrates its
database) and on later runs (the same home again):

- baseline: the flow called the plain Prefect way (``python -c "flows.daily_digest(...)"``),
  so Prefect starts its own temporary server and only then runs the flow;
- ``digest run``: our temporary server boots while Prefect is imported;
- ``digest run`` with ``PREFECT_API_URL`` set: a running server, none started.

Also recorded: how long until the first line appears (``digest run`` prints what it is
doing before anything slow; the baseline prints nothing of its own).

    python -m benchmarks.prefect_overhead [--later N] [--write benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.flows.prefect_server import prefect_server
from tests.procs import free_port

PROJECT = Path(__file__).resolve().parents[1]
DAY = "2026-02-07"
SECTION = "## Prefect overhead per run (issue 15)"
BASELINE = """
import sys
from pipeline.flows import digest as flows
try:
    flows.daily_digest(date=sys.argv[1], config=sys.argv[2], output_dir=sys.argv[3],
                       offline=True, no_llm=True)
except flows.NoDraft:
    pass
"""


def user_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """A user's environment: no Prefect settings but a Prefect home (and maybe a server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OPENAI_"))}
    env["PREFECT_HOME"] = str(home)
    env["PYTHONPATH"] = str(PROJECT)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def command(way: str, config: Path, out: Path) -> list[str]:
    """The command line of one way of running."""
    if way == "baseline":
        return [sys.executable, "-c", BASELINE, DAY, str(config), str(out)]
    flags = ["--date", DAY, "--offline", "--no-llm", "--config", str(config)]
    return [sys.executable, "-m", "pipeline.cli", "run", *flags, "--output-dir", str(out)]


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float | None]:
    """Wall time of a process, and when its first output line came (None: it printed none)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first: float | None = None
    while proc.poll() is None and first is None:
        ready, _, _ = select.select([proc.stdout], [], [], 0.05)
        if ready and proc.stdout.readline():
            first = time.monotonic() - started
    proc.communicate()
    if proc.returncode not in (0, 2):
        raise RuntimeError(f"{cmd[:4]} exited {proc.returncode}")
    return time.monotonic() - started, first


def samples(way: str, later: int, api_url: str | None, root: Path) -> dict[str, list[float]]:
    """First run (fresh Prefect home) and `later` runs for one way of running."""
    home, work = root / f"home-{way}", root / f"work-{way}"
    work.mkdir()
    config = work / "digest.toml"
    config.write_text(f'data_dir = "{work / "data"}"\n', encoding="utf-8")
    env = user_env(home, api_url)
    results: dict[str, list[float]] = {"first": [], "later": [], "first_line": []}
    for i in range(later + 1):
        total, first_line = timed(command(way, config, work / "out"), env, work)
        results["first" if i == 0 else "later"].append(total)
        if first_line is not None:
            results["first_line"].append(first_line)
    return results


@contextmanager
def running_server(root: Path) -> Iterator[str]:
    """A Prefect server already running (as `prefect server start` would be)."""
    env = user_env(root / "home-server")
    with prefect_server(env, root / "server", port=free_port()) as url:
        yield url


def table(results: dict[str, dict[str, list[float]]]) -> str:
    """The Markdown table of the medians."""
    rows = [
        "| way | first run on a machine | later runs (median) | first line on screen |",
        "|---|---|---|---|",
    ]
    names = {
        "baseline": "baseline: flow called directly (Prefect's temporary server)",
        "digest-run": "`digest run` (our temporary server, started beside the import)",
        "api-url": "`digest run` with `PREFECT_API_URL` (a running server)",
    }
    for way, found in results.items():
        first = f"{found['first'][0]:.1f} s"
        later = f"{statistics.median(found['later']):.1f} s" if found["later"] else "-"
        line = f"{statistics.median(found['first_line']):.1f} s" if found["first_line"] else "none"
        rows.append(f"| {names[way]} | {first} | {later} | {line} |")
    return "\n".join(rows)


def report(results: dict[str, dict[str, list[float]]], later: int, load: float) -> str:
    """The RESULTS.md section."""
    return f"""{SECTION}

`python -m benchmarks.prefect_overhead --later {later}` on the shared 2-core machine (load
average {load:.1f} when it started: other sessions' tests and a local LLM shared the cores).
Each sample is a whole process doing next to no work (`--offline --no-llm`, empty archive:
exit 2, no draft), so its wall time is Prefect's overhead plus Python's start. "First run
on a machine" uses a fresh `PREFECT_HOME` (the server creates and migrates its database);
"later runs" reuse it ({later} samples, median). The baseline, measured in the same run,
is the flow called the plain Prefect way, which starts Prefect's own temporary server.

{table(results)}
"""


def write_section(path: Path, section: str) -> None:
    """Replace (or append) this benchmark's own section of RESULTS.md."""
    text = path.read_text(encoding="utf-8")
    if SECTION in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        end = len(text) if following == -1 else following + 1
        text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--later", type=int, default=3, help="later runs per way")
    parser.add_argument("--write", type=Path, help="update this RESULTS.md section")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="prefect-overhead-") as tmp:
        root = Path(tmp)
        results["baseline"] = samples("baseline", args.later, None, root)
        results["digest-run"] = samples("digest-run", args.later, None, root)
        with running_server(root) as url:
            results["api-url"] = samples("api-url", args.later, url, root)
    section = report(results, args.later, load)
    print(section)
    if args.write:
        write_section(args.write, section)


if __name__ == "__main__":
    main()
