"""Measuring one ``digest`` subprocess: its process tree's memory and CPU, and Prefect's share.

:class:`TreeSampler` polls the process and all its descendants (Prefect's temporary
API server is a child process) with psutil: peak RSS of the whole tree, CPU seconds per
process, and CPU over time so a stage's CPU can be read off. :func:`prefect_share`
reads the probe's timings (``benchmarks.night_probe``) and splits the run's wall time
into Prefect's parts and the pipeline's own work.
"""

from __future__ import annotations

import bisect
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

SAMPLE_EVERY = 0.1  # s


@dataclass
class TreeSampler:
    """Peak RSS and CPU of a process and its descendants, sampled every 0.1 s."""

    pid: int
    peak_rss: int = 0
    peak_single_rss: int = 0
    cpu: dict[int, float] = field(default_factory=dict)  # pid → last seen user+system s
    names: dict[int, str] = field(default_factory=dict)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (time, tree CPU s)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeSampler:
        """Start sampling in a background thread."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling (after the process has ended)."""
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            self.sample(root)
            time.sleep(SAMPLE_EVERY)

    def sample(self, root: psutil.Process) -> None:
        """One sample of the tree: RSS sum, per-process CPU."""
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for proc in procs:
            try:
                with proc.oneshot():
                    rss, times = proc.memory_info().rss, proc.cpu_times()
                    self.names.setdefault(proc.pid, " ".join(proc.cmdline()[:4]))
            except psutil.Error:
                continue
            total += rss
            self.peak_single_rss = max(self.peak_single_rss, rss)
            self.cpu[proc.pid] = times.user + times.system
        self.peak_rss = max(self.peak_rss, total)
        self.timeline.append((time.time(), sum(self.cpu.values())))

    def cpu_between(self, start: float, end: float) -> float:
        """Tree CPU seconds spent between two wall-clock times (from the samples)."""
        return self._cpu_at(end) - self._cpu_at(start)

    def _cpu_at(self, moment: float) -> float:
        if not self.timeline:
            return 0.0
        index = bisect.bisect_left([t for t, _ in self.timeline], moment)
        return self.timeline[min(index, len(self.timeline) - 1)][1]


@dataclass
class ProcessRun:
    """One finished subprocess: exit code, wall time, tree CPU and memory."""

    code: int
    started: float
    ended: float
    cpu_seconds: float  # user+system of the process and every descendant it waited for
    sampler: TreeSampler

    @property
    def wall(self) -> float:
        """Wall seconds from spawn to exit."""
        return self.ended - self.started


def run_measured(argv: list[str], **popen: Any) -> ProcessRun:
    """Run a command to completion while sampling its process tree."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    proc = subprocess.Popen(argv, **popen)
    sampler = TreeSampler(proc.pid).start()
    code = proc.wait()
    ended = time.time()
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return ProcessRun(code, started, ended, cpu, sampler)


# ------------------------------------------------------------------ Prefect's share


def union_length(intervals: list[tuple[float, float]]) -> float:
    """Total length covered by a set of intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def events(timings: dict[str, Any], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    """The probe's events of one kind (and name)."""
    return [
        e for e in timings["events"] if e["kind"] == kind and (name is None or e["name"] == name)
    ]


def direct_call_overhead(timings: dict[str, Any]) -> float:
    """Seconds of direct task calls (``task(...)``) spent outside the task's body."""
    bodies = events(timings, "task_body")
    total = 0.0
    for call in events(timings, "task_call"):
        inside = [b for b in bodies if b["name"] == call["name"] and call["start"] <= b["start"]]
        inside = [b for b in inside if b["end"] <= call["end"]]
        total += (call["end"] - call["start"]) - sum(b["end"] - b["start"] for b in inside)
    return total


def submitted_runs(timings: dict[str, Any]) -> list[dict[str, Any]]:
    """Each submitted task run: name, submit start, body start/end, result return."""
    bodies = {e["id"]: e for e in events(timings, "task_body") if e["id"]}
    results: dict[str, list[dict[str, Any]]] = {}
    for result in events(timings, "result"):
        results.setdefault(result["id"], []).append(result)
    runs = []
    for submit in events(timings, "submit"):
        body, waits = bodies.get(submit["id"]), results.get(submit["id"], [])
        if body and waits:
            runs.append({"name": submit["name"], "submit": submit, "body": body, "waits": waits})
    return runs


def awaited_overhead(run: dict[str, Any]) -> float:
    """Seconds the flow waited on one submitted task beyond its body (submit + collect)."""
    wait = max(run["waits"], key=lambda w: w["end"])
    submit, body = run["submit"], run["body"]
    dispatch = max(0.0, body["start"] - submit["start"])
    collect = max(0.0, wait["end"] - max(body["end"], wait["start"]))
    return float(dispatch + collect)


def parallel_stage_gap(timings: dict[str, Any], name: str) -> float:
    """Seconds of a fan-out stage during which no task body and no flow work ran."""
    runs = [r for r in submitted_runs(timings) if r["name"] == name]
    if not runs:
        return 0.0
    start = min(r["submit"]["start"] for r in runs)
    end = max(w["end"] for r in runs for w in r["waits"])
    busy = [(r["body"]["start"], r["body"]["end"]) for r in runs]
    busy += [(e["start"], e["end"]) for e in events(timings, "flow_work")]
    clipped = [(max(s, start), min(e, end)) for s, e in busy if e > start and s < end]
    return float(end - start) - union_length(clipped)


def orchestration(timings: dict[str, Any], fan_out: str = "fetch-pages") -> dict[str, float]:
    """Task orchestration on the flow's critical path: direct calls, awaited tasks, fan-out."""
    serial = [r for r in submitted_runs(timings) if r["name"] != fan_out]
    return {
        "direct task calls": direct_call_overhead(timings),
        "awaited tasks": sum(awaited_overhead(r) for r in serial),
        f"{fan_out} (no body running)": parallel_stage_gap(timings, fan_out),
    }


def prefect_share(timings: dict[str, Any], run: ProcessRun) -> dict[str, float]:
    """Prefect's parts of one run's wall time: import, flow start-up and end, exit, tasks."""
    marks = timings["marks"]
    calls, flow = events(timings, "flow_call"), events(timings, "flow_body")
    parts = {"import (pipeline.flows.digest)": marks.get("import_flows_seconds", 0.0)}
    if calls and "flows_imported" in marks:  # the temporary server answering its health check
        parts["server wait"] = max(0.0, calls[0]["start"] - marks["flows_imported"])
    if calls and flow:
        pairs = list(zip(calls, flow, strict=False))  # a flow that never started has no body
        parts["flow start-up"] = sum(b["start"] - c["start"] for c, b in pairs)
        parts["flow end"] = sum(c["end"] - b["end"] for c, b in pairs)
    parts["process exit"] = max(0.0, run.ended - marks.get("app_returned", run.ended))
    parts.update(orchestration(timings))
    return parts
