"""The whole-night benchmark's tables (Markdown), from what ``benchmarks.night`` measured."""

from __future__ import annotations

import math
import statistics
from typing import Any

from benchmarks.night_measure import events, submitted_runs
from pipeline.ingest.bounded import MAX_CHILDREN

MB = 1024 * 1024
# Cores the pages stage can use: with the thread task runner, extraction runs in bounded
# child processes, at most one per core (pipeline.ingest.bounded.MAX_CHILDREN); the local Dask
# cluster has two worker processes, each with its own children.
CORES = {"threads": MAX_CHILDREN, "dask": max(2, MAX_CHILDREN)}


def task_wall(phase: Any, name: str) -> float:
    """Seconds the flow spent on a task's submitted runs (submit to result), or direct calls."""
    runs = [r for r in submitted_runs(phase.timings) if r["name"] == name]
    if runs:
        start = min(r["submit"]["start"] for r in runs)
        return float(max(w["end"] for r in runs for w in r["waits"]) - start)
    return float(sum(e["end"] - e["start"] for e in events(phase.timings, "task_call", name)))


def stage_wall(phase: Any, name: str) -> float:
    """Seconds of one of the flow's timed stages (ingest, cluster, write, publish)."""
    return float(sum(e["end"] - e["start"] for e in events(phase.timings, "stage", name)))


def stage_bounds(phase: Any, name: str) -> tuple[float, float]:
    """Wall-clock start and end of a timed stage (the flow body's bounds if absent)."""
    found = events(phase.timings, "stage", name)
    if not found:
        return flow_bounds(phase)
    return found[0]["start"], found[-1]["end"]


def flow_bounds(phase: Any) -> tuple[float, float]:
    """Wall-clock start and end of the flow body."""
    body = events(phase.timings, "flow_body")
    if not body:
        return phase.run.started, phase.run.ended
    return body[0]["start"], body[-1]["end"]


def stage_rows(phase: Any) -> list[tuple[str, float]]:
    """Wall seconds of each part of one run, in order."""
    start, end = flow_bounds(phase)
    return [
        ("start (process → flow body)", start - phase.run.started),
        ("feeds (fetch-feeds task)", task_wall(phase, "fetch-feeds")),
        ("pages (fetch-pages tasks, per host)", task_wall(phase, "fetch-pages")),
        ("ingest (feeds + pages + archive)", stage_wall(phase, "ingest")),
        ("cluster (incl. relevance LLM)", stage_wall(phase, "cluster")),
        ("… of which relevance LLM", task_wall(phase, "judge-relevance")),
        ("write (LLM)", stage_wall(phase, "write")),
        ("publish", stage_wall(phase, "publish")),
        ("end (flow body → exit)", phase.run.ended - end),
        ("**total**", phase.run.wall),
    ]


def fmt(value: float, digits: int = 1) -> str:
    """A number with thousands separators."""
    return f"{value:,.{digits}f}"


def server_cpu(phase: Any) -> float:
    """CPU seconds of Prefect's temporary API server (``pipeline.flows.prefect_server``)."""
    sampler = phase.run.sampler
    names = sampler.names
    marks = ("pipeline.flows.prefect_server", "uvicorn")
    return float(
        sum(cpu for pid, cpu in sampler.cpu.items() if any(m in names.get(pid, "") for m in marks))
    )


def runs_table(result: dict[str, Any], labels: list[str]) -> list[str]:
    """Per run: exit code, wall, CPU, memory, fetches, LLM calls and tokens."""
    lines = [
        "| run | exit | wall s | CPU s (tree) | … Prefect server | peak RSS, tree "
        "| peak RSS, one process | page requests | feed requests | LLM calls "
        "| prompt / completion tokens |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label in labels:
        p = result[label]
        s = p.stats
        lines.append(
            f"| {label} | {p.run.code} | {fmt(p.run.wall)} | {fmt(p.run.cpu_seconds)} "
            f"| {fmt(server_cpu(p))} "
            f"| {p.run.sampler.peak_rss / MB:,.0f} MB "
            f"| {p.run.sampler.peak_single_rss / MB:,.0f} MB "
            f"| {p.page_requests:,} | {p.feed_requests:,} | {len(p.llm_calls)} "
            f"| {s.get('prompt_tokens', 0):,} / {s.get('completion_tokens', 0):,} |"
        )
    return lines


def stages_table(result: dict[str, Any], labels: list[str]) -> list[str]:
    """Wall seconds per stage, one column per run."""
    rows = {label: stage_rows(result[label]) for label in labels}
    lines = ["| stage | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for k, (name, _) in enumerate(rows[labels[0]]):
        cells = " | ".join(fmt(rows[label][k][1]) for label in labels)
        lines.append(f"| {name} | {cells} |")
    return lines


def prefect_table(result: dict[str, Any], labels: list[str]) -> list[str]:
    """Prefect's parts of each run's wall time, and their share."""
    shares = result["shares"]
    lines = ["| Prefect's part | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for name in shares[labels[0]]:
        lines.append(f"| {name} | " + " | ".join(fmt(shares[la][name]) for la in labels) + " |")
    totals = {la: sum(shares[la].values()) for la in labels}
    lines.append("| **total** | " + " | ".join(f"**{fmt(totals[la])}**" for la in labels) + " |")
    share = " | ".join(f"{100 * totals[la] / result[la].run.wall:.0f} %" for la in labels)
    lines.append(f"| share of the run's wall time | {share} |")
    return lines


def ingest_target(result: dict[str, Any]) -> tuple[str, str, bool]:
    """Fetch + extract + cluster against plain trafilatura CPU / cores used."""
    night = result["night"]
    base_cpu, pages = result["baseline"]
    cores = CORES[result["args"].get("task_runner", "threads")]
    fec = (
        stage_wall(night, "ingest")
        + stage_wall(night, "cluster")
        - task_wall(night, "judge-relevance")
    )
    limit = 1.5 * base_cpu / cores
    start, end = stage_bounds(night, "ingest")[0], stage_bounds(night, "cluster")[1]
    cpu = night.run.sampler.cpu_between(start, end)
    figure = (
        f"{fmt(fec)} s for {night.stats.get('articles_new', 0):,} new articles = "
        f"**{fec / (base_cpu / cores):.1f}×** plain `trafilatura.extract` "
        f"({fmt(base_cpu)} CPU s over {pages:,} pages, {cores} core{'s' * (cores > 1)}); "
        f"the run's own CPU in those stages: {fmt(cpu)} s = {cpu / base_cpu:.1f}× (process tree)"
    )
    return figure, f"≤ 1.5× ({fmt(limit)} s)", fec <= limit


def llm_target(result: dict[str, Any]) -> tuple[str, str, bool]:
    """The write stage against ceil(calls / concurrency) × latency."""
    night, args = result["night"], result["args"]
    calls = sum(1 for *_, kind in night.llm_calls if kind == "write")
    ideal = math.ceil(calls / args["llm_concurrency"]) * args["llm_latency"]
    wall = stage_wall(night, "write")
    ratio = wall / ideal if ideal else 0.0
    figure = (
        f"{fmt(wall)} s for {calls} calls at {args['llm_concurrency']} at a time and "
        f"{args['llm_latency']:g} s each: **{ratio:.2f}×** of {fmt(ideal)} s"
    )
    return figure, "≤ 1.3×", ratio <= 1.3


def targets_table(result: dict[str, Any]) -> list[str]:
    """Every target of issue 18: the measured figure, the target, met or missed."""
    night, rerun = result["night"], result["rerun"]
    share = sum(result["shares"]["night"].values()) / night.run.wall
    peak = night.run.sampler.peak_rss / MB
    helps = result["help"] or [math.nan]
    rows = [
        ("fetch + extract + cluster", *ingest_target(result)),
        (
            "Prefect's overhead in the night",
            f"**{100 * share:.0f} %** ({fmt(share * night.run.wall)} of {fmt(night.run.wall)} s)",
            "< 10 %",
            share < 0.10,
        ),
        ("LLM stage", *llm_target(result)),
        (
            "rerun of the unchanged date",
            f"**{100 * rerun.run.wall / night.run.wall:.0f} %** of the night "
            f"({fmt(rerun.run.wall)} s); {len(rerun.llm_calls)} LLM calls, "
            f"{rerun.page_requests} page fetches",
            "< 10 %, 0 calls, 0 fetches",
            rerun.run.wall < 0.1 * night.run.wall
            and not rerun.llm_calls
            and not rerun.page_requests,
        ),
        ("peak memory (process tree)", f"**{peak:,.0f} MB**", "< 1,024 MB", peak < 1024),
        (
            "`digest --help`",
            f"**{statistics.median(helps):.2f} s** (median of {len(result['help'])} runs; "
            f"min {min(helps):.2f} s)",
            "< 1 s",
            statistics.median(helps) < 1.0,
        ),
    ]
    lines = ["| target | measured | target | |", "|---|---|---|---|"]
    lines += [f"| {n} | {f} | {t} | {'met' if ok else 'MISSED'} |" for n, f, t, ok in rows]
    return lines


def report(result: dict[str, Any]) -> str:
    """The whole section: command, machine, the four tables."""
    args, spec = result["args"], result["spec"]
    labels: list[str] = [la for la in ("cold", "night", "rerun") if la in result]
    night = result["night"]
    pages_wall = task_wall(night, "fetch-pages")
    command = (
        f"python -m benchmarks.night --articles {args['articles']} "
        f"--llm-latency {args['llm_latency']:g}"
        + (f" --api-url {args['api_url']}" if args.get("api_url") else "")
        + (" --task-runner dask" if args.get("task_runner") == "dask" else "")
    )
    lines = [
        f"Command: `{command}` (per feed {spec.per_feed}, LLM concurrency "
        f"{args['llm_concurrency']}, {spec.hang_pages} hanging page(s)).",
        "",
        f"Machine: {result['machine_before']} at the start; load {result['machine_after'].split('load average ')[1].split(',')[0]} at the end.",  # noqa: E501
        "",
        *targets_table(result),
        "",
        f"Pages: {night.page_requests:,} page requests in the night, "
        f"{night.stats.get('pages_fetched', 0):,} fetched, {night.stats.get('articles_new', 0):,} "
        f"new articles; **{night.page_requests / pages_wall if pages_wall else 0:.1f} pages/s** "
        f"over the pages stage ({fmt(pages_wall)} s). Stories: {night.stats.get('main_stories', 0)} main, "  # noqa: E501
        f"{night.stats.get('more_stories', 0)} more; dropped {night.stats.get('dropped', 0):,}.",
        "",
        *runs_table(result, labels),
        "",
        *stages_table(result, labels),
        "",
        *prefect_table(result, labels),
    ]
    return "\n".join(lines)
