"""Prefect flows: thin tasks around the stage functions, flow bodies like a table of contents.

Tasks declare retries and are submitted to the flow's task runner (threads by default,
Dask workers with ``[prefect] task_runner = "dask"``); they take and return pydantic
models only. The flow process alone reads and writes the archive and ``output/``.

A run's final state says what it did: ``Completed`` (a clean draft),
``CompletedWithProblems`` (a draft to look at: failed sources, flagged or degraded
stories, lint errors) or ``Failed`` with the reason when no draft was written. A run
started from a deployment takes its config from the operator, never from whoever can
reach Prefect's API (see :func:`deployment_paths`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from pipeline.prefect_env import (
    ALLOW_FORCE_ENV,
    CONFIG_ENV,
    OUTPUT_ENV,
    configure,
    silence_telemetry,
)
from pipeline.redact import install_log_redaction

configure(os.environ)
silence_telemetry()
install_log_redaction()  # a worker's flow run logs no secret either (the CLI does the same)

from prefect import Task, flow, get_run_logger, task  # noqa: E402 - after the Prefect defaults
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.client.schemas.objects import State  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.runtime import deployment as deployment_runtime  # noqa: E402
from prefect.runtime import flow_run as flow_run_runtime  # noqa: E402
from prefect.states import Completed, Failed  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from pipeline import (  # noqa: E402
    assemble,
    brief,
    cluster_cache,
    ingest,
    periodic,
    progress,
    steps,
)
from pipeline.cluster import ClusterResult, build_stories  # noqa: E402
from pipeline.config import NetworkSettings, Settings, find_config, load_settings  # noqa: E402
from pipeline.errors import ConfigError, NoDraftError  # noqa: E402
from pipeline.files import run_key, run_lock  # noqa: E402
from pipeline.models import (  # noqa: E402
    Article,
    FeedEntry,
    LLMStats,
    PublishedStory,
    Source,
    Story,
)
from pipeline.periodic_write import BriefWrite, PeriodicWriter, WeeklyWrite  # noqa: E402
from pipeline.prompting import Prompts  # noqa: E402
from pipeline.relevance import Judgement, RelevanceJudge, to_judge  # noqa: E402
from pipeline.runner import preflight  # noqa: E402
from pipeline.store import Archive  # noqa: E402
from pipeline.write import Writer, WriteResult, write_digest  # noqa: E402

ARCHIVE_FILE = "archive.sqlite3"
T = TypeVar("T")
CACHE_FILE = "llm-cache.sqlite3"
PROBLEMS_STATE = "CompletedWithProblems"


class NoDraft(NoDraftError):
    """The run wrote no draft; ``summary`` is its report (the record on disk says why)."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary

    def __reduce__(self) -> tuple[type[NoDraft], tuple[str, dict[str, Any]]]:
        return (NoDraft, (str(self), self.summary))


def thread_runner() -> TaskRunner[PrefectFuture[Any]]:
    """A flow's task runner: tasks in worker threads."""
    # cast: the decorator's parameter type is invariant in the future type (Prefect's typing)
    return cast("TaskRunner[PrefectFuture[Any]]", ThreadPoolTaskRunner(max_workers=4))


@task(name="fetch-feeds", cache_policy=NONE, retries=1, retry_delay_seconds=5)
def fetch_feeds_task(
    sources: list[Source],
    states: dict[str, tuple[str | None, str | None]],
    net: NetworkSettings,
    tz: str,
    now: datetime,
) -> list[ingest.FeedOutcome]:
    """Fetch and parse every feed (one shared client)."""
    return asyncio.run(ingest.fetch_feeds(sources, states, net, tz=ZoneInfo(tz), now=now))


@task(name="fetch-pages", cache_policy=NONE, retries=1, retry_delay_seconds=5)
def fetch_pages_task(
    entries: list[FeedEntry], net: NetworkSettings, tz: str, now: datetime, min_chars: int
) -> ingest.PageOutcome:
    """Fetch and extract the pages of one host's entries."""
    return asyncio.run(
        ingest.fetch_articles(entries, net, tz=ZoneInfo(tz), now=now, min_chars=min_chars)
    )


@task(name="cluster", cache_policy=NONE)
def cluster_task(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    published: list[PublishedStory],
    judged: dict[str, Judgement] | None = None,
) -> ClusterResult:
    """Drop duplicates and off-topic items, cluster, rank and section the stories."""
    weights = {s.name: s.weight for s in settings.sources}
    return build_stories(
        articles,
        settings.digest,
        source_weights=weights,
        window_end=window_end,
        published=published,
        judged=judged,
    )


@task(name="write", cache_policy=NONE)
def write_task(stories: list[Story], settings: Settings, day: date, no_llm: bool) -> WriteResult:
    """Have the LLM write every story and the digest text (cached; degrades per story)."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        writer = Writer(
            settings.llm, cache=cache, no_llm=no_llm, prompts=Prompts(settings.prompts_dir)
        )
        return asyncio.run(write_digest(stories, settings.digest.sections, date=day, writer=writer))


@task(name="write-weekly", cache_policy=NONE)
def write_weekly_task(
    stories: list[Story], settings: Settings, week: str, no_llm: bool
) -> WeeklyWrite:
    """Have the LLM write the weekly's text in one call (cached; extractive on failure)."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        writer = periodic_writer(settings, cache, no_llm)
        return asyncio.run(writer.write_week(stories, week=week))


@task(name="write-brief", cache_policy=NONE)
def write_brief_task(stories: list[Story], settings: Settings, no_llm: bool) -> BriefWrite:
    """Have the LLM write one brief item per main story (cached; extractive per item)."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        writer = periodic_writer(settings, cache, no_llm)
        return asyncio.run(writer.write_brief(stories))


def periodic_writer(settings: Settings, cache: Archive, no_llm: bool) -> PeriodicWriter:
    """The weekly/brief writer on the run's LLM settings, prompts and cache."""
    prompts = Prompts(settings.prompts_dir)
    return PeriodicWriter(settings.llm, cache=cache, no_llm=no_llm, prompts=prompts)


@task(name="judge-relevance", cache_policy=NONE)
def judge_task(
    articles: list[Article], settings: Settings
) -> tuple[dict[str, Judgement], LLMStats]:
    """Ask the LLM, in batches, whether the articles the rules do not accept are AI news."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        judge = RelevanceJudge(settings.llm, cache=cache, prompts=Prompts(settings.prompts_dir))
        return asyncio.run(judge.judge(articles)), judge.stats


class WindowRun:
    """What a flow body works with: the archive, the ingestion report, the window's articles."""

    def __init__(
        self,
        archive: Archive,
        report: steps.IngestReport,
        articles: list[Article],
        times: dict[str, float],
    ) -> None:
        self.archive, self.report, self.articles, self.times = archive, report, articles, times


@contextmanager
def window_run(
    settings: Settings, key: str, window: tuple[datetime, datetime], offline: bool
) -> Iterator[WindowRun]:
    """Hold the run's lock and archive, ingest the window (unless offline), load its articles."""
    times: dict[str, float] = {}
    with run_lock(settings.data_dir, key), Archive(settings.data_dir / ARCHIVE_FILE) as archive:
        report = steps.IngestReport()
        with steps.timed(times, "ingest"):
            if not offline:
                ingest_window(archive, settings, window, report)
        yield WindowRun(archive, report, steps.window_articles(archive, window), times)


def finish(summary: assemble.RunSummary, times: dict[str, float]) -> State[Any]:
    """Add stage times, publish the summary as a Prefect artifact, end in the state it earns."""
    summary.stats.update({f"seconds_{name}": round(value, 1) for name, value in times.items()})
    create_markdown_artifact(
        markdown=assemble.summary_markdown(summary),
        key=f"{summary.format}-digest-{summary.date}",
        description=f"{summary.format} digest {summary.date}",
    )
    get_run_logger().info("draft: %s", summary.draft)
    return final_state(summary)


def final_state(summary: assemble.RunSummary) -> State[Any]:
    """Failed without a draft (with the reason); a named Completed state for a draft to look at.

    Called directly, the flow returns the summary, or raises :class:`NoDraft` carrying it.
    """
    data = summary.model_dump(mode="json")
    if summary.draft is None:
        message = summary.note or "no draft written"
        return Failed(message=message, data=NoDraft(message, data))
    if summary.exit_code == assemble.EXIT_PROBLEMS:
        return Completed(name=PROBLEMS_STATE, message=problems_message(summary), data=data)
    return Completed(message=f"draft {summary.draft}", data=data)


def problems_message(summary: assemble.RunSummary) -> str:
    """What an editor should look at, in one line."""
    counts = [
        (len(summary.failures), "failed feed or page", "failed feeds or pages"),
        (len(summary.problems), "lint problem", "lint problems"),
        (int(summary.stats.get("degraded", 0) or 0), "degraded story", "degraded stories"),
    ]
    found = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return f"draft {summary.draft} needs a look: {', '.join(found) or 'see its record'}"


def without_draft(
    run: WindowRun, settings: Settings, stem: str, day: date, fmt: str, clusters: ClusterResult
) -> State[Any]:
    """End a run that found no story: no draft, a record of why, exit code 2."""
    summary = assemble.no_draft(
        settings.output_dir, stem, day, fmt, run.report, clusters, run.articles
    )
    return finish(summary, run.times)


@flow(name="daily-digest", task_runner=thread_runner(), persist_result=False)
def daily_digest(
    date: str | None = None,
    config: str | None = None,
    output_dir: str | None = None,
    offline: bool = False,
    no_llm: bool = False,
    force: bool = False,
) -> dict[str, Any]:
    """Write the daily digest draft for ``date`` (default: tomorrow) into output/daily/."""
    settings, day = begin(date, config, output_dir, force=force, offline=offline, no_llm=no_llm)
    window = ingest.day_window(day, settings.tz)
    with window_run(settings, run_key("daily", day), window, offline) as run:
        published = steps.published_before(run.archive, settings.output_dir, "daily", day)
        with steps.timed(run.times, "cluster"):
            clusters, judged = relevant_stories(
                run.articles, settings, window[1], published, no_llm
            )
        if not clusters.stories:
            return without_draft(run, settings, str(day), day, "daily", clusters)  # type: ignore[return-value]  # Prefect resolves a returned State
        with steps.timed(run.times, "write"):
            written = on_runner(write_task, clusters.stories, settings, day, no_llm)
            written.stats.add(judged)
        with steps.timed(run.times, "publish"):
            summary = assemble.publish_daily(
                run.archive,
                settings,
                day,
                clusters,
                written,
                run.report,
                force=force,
                articles=run.articles,
            )
    return finish(summary, run.times)  # type: ignore[return-value]  # Prefect resolves a returned State


def relevant_stories(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    published: list[PublishedStory],
    no_llm: bool,
) -> tuple[ClusterResult, LLMStats]:
    """Let the LLM judge the articles the rules do not accept (unless no_llm), then cluster."""
    if no_llm:
        return cluster_window(articles, settings, window_end, published, None), LLMStats()
    weights = {s.name: s.weight for s in settings.sources}
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        doubtful = to_judge(cluster_cache.without_duplicates(cache, articles, weights))
    judged, stats = on_runner(judge_task, doubtful, settings) if doubtful else ({}, LLMStats())
    return cluster_window(articles, settings, window_end, published, judged), stats


def cluster_window(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    published: list[PublishedStory],
    judged: dict[str, Judgement] | None,
) -> ClusterResult:
    """Cluster on the task runner, unless this very input was clustered before (a rerun)."""
    inputs = {
        "digest": settings.digest.model_dump(mode="json"),
        "weights": {s.name: s.weight for s in settings.sources},
        "window_end": window_end.isoformat(),
        "judged": None if judged is None else {k: v.model_dump() for k, v in judged.items()},
    }
    key = cluster_cache.cluster_key(articles, inputs, published)
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        stored = cluster_cache.load(cache, key, articles)
    if stored is not None:
        return stored
    result = on_runner(cluster_task, articles, settings, window_end, published, judged)
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        cluster_cache.save(cache, key, result)
    return result


@flow(name="weekly-digest", task_runner=thread_runner(), persist_result=False)
def weekly_digest(
    date: str | None = None,
    config: str | None = None,
    output_dir: str | None = None,
    offline: bool = False,
    no_llm: bool = False,
    force: bool = False,
) -> dict[str, Any]:
    """Write the weekly dated ``date`` (the 7 days before it) as output/weekly/<ISO week>.md."""
    settings, day = begin(date, config, output_dir, force=force, offline=offline, no_llm=no_llm)
    week = periodic.week_stem(day)
    window = periodic.week_window(day, settings.tz)
    with window_run(settings, run_key("weekly", day), window, offline) as run:
        with steps.timed(run.times, "cluster"):
            clusters, judged = relevant_stories(
                run.articles, periodic.weekly_settings(settings), window[1], [], no_llm
            )
        if not clusters.stories:
            return without_draft(run, settings, week, day, "weekly", clusters)  # type: ignore[return-value]  # Prefect resolves a returned State
        with steps.timed(run.times, "write"):
            written = on_runner(write_weekly_task, clusters.stories, settings, week, no_llm)
            written.stats.add(judged)
        with steps.timed(run.times, "publish"):
            summary = periodic.publish_weekly(
                run.archive,
                settings,
                day,
                clusters,
                written,
                run.report,
                force=force,
                articles=run.articles,
            )
    return finish(summary, run.times)  # type: ignore[return-value]  # Prefect resolves a returned State


@flow(name="brief-digest", task_runner=thread_runner(), persist_result=False)
def brief_digest(
    date: str | None = None,
    config: str | None = None,
    output_dir: str | None = None,
    offline: bool = False,
    no_llm: bool = False,
    force: bool = False,
) -> dict[str, Any]:
    """Write the industry brief dated ``date`` (covering the day before) into output/brief/."""
    settings, day = begin(date, config, output_dir, force=force, offline=offline, no_llm=no_llm)
    window = ingest.day_window(day, settings.tz)
    with window_run(settings, run_key("brief", day), window, offline) as run:
        published = steps.published_before(run.archive, settings.output_dir, "brief", day)
        with steps.timed(run.times, "cluster"):
            clusters, judged = relevant_stories(
                run.articles, brief.brief_settings(settings), window[1], published, no_llm
            )
        if not clusters.stories:
            return without_draft(run, settings, str(day), day, "brief", clusters)  # type: ignore[return-value]  # Prefect resolves a returned State
        with steps.timed(run.times, "write"):
            written = on_runner(write_brief_task, clusters.stories, settings, no_llm)
            written.stats.add(judged)
        with steps.timed(run.times, "publish"):
            summary = brief.publish_brief(
                run.archive,
                settings,
                day,
                clusters,
                written,
                run.report,
                force=force,
                articles=run.articles,
            )
    return finish(summary, run.times)  # type: ignore[return-value]  # Prefect resolves a returned State


def ingest_window(
    archive: Archive,
    settings: Settings,
    window: tuple[datetime, datetime],
    report: steps.IngestReport,
) -> None:
    """Fetch feeds, then the pages of new entries (one task per host), into the archive."""
    now = datetime.now(settings.tz)
    states = steps.feed_states(archive, settings.sources)
    with progress.stage("feeds", len(settings.sources)):
        outcomes = fetch_feeds_task(
            settings.sources, states, settings.network, settings.timezone, now
        )
    seen = steps.absorb_feeds(archive, outcomes, report, now)
    entries = steps.pages_to_fetch(archive, seen, window)
    batches = ingest.group_by_host(entries)
    futures = [
        fetch_pages_task.submit(
            batch, settings.network, settings.timezone, now, settings.digest.min_text_chars
        )
        for batch in batches
    ]
    with progress.stage("pages", len(entries)):
        for batch, future in zip(batches, futures, strict=True):
            try:
                steps.absorb_pages(archive, future.result(), report)
            except Exception as exc:  # a crashed batch is recorded, the run goes on
                report.failures.extend(assemble.batch_failures(batch, exc))
            progress.advance("pages", len(batch))


def on_runner(task_: Task[..., T], *args: Any) -> T:
    """Run a task on the flow's task runner (threads, or Dask workers) and wait for it.

    A task called directly runs in the flow process; submitted, it goes where the runner
    sends it, so the heavy stages follow `[prefect] task_runner`.
    """
    return task_.submit(*args).result()


def begin(
    value: str | None,
    config: str | None,
    output_dir: str | None,
    *,
    force: bool,
    offline: bool,
    no_llm: bool,
) -> tuple[Settings, date]:
    """A run's settings and date, refused before any work if it cannot succeed (no key)."""
    deployed = deployment_runtime.id is not None
    if deployed:
        from pipeline.schedule import exit_with_serve

        exit_with_serve()  # started by `digest serve`: end with it, even if it is killed
        config, output_dir = deployment_paths(config, output_dir, force, os.environ)
    settings = flow_settings(config, output_dir)
    day = run_day(value, settings, deployed=deployed)
    preflight(settings, offline=offline, no_llm=no_llm)
    return settings, day


def flow_settings(config: str | None, output_dir: str | None) -> Settings:
    """Settings inside a flow run: env and config file, as at the CLI (no secrets as parameters)."""
    overrides = {"output_dir": output_dir} if output_dir else {}
    return load_settings(Path(config) if config else None, env=os.environ, overrides=overrides)


def deployment_paths(
    config: str | None, output_dir: str | None, force: bool, environ: Mapping[str, str]
) -> tuple[str, str]:
    """A deployment run's config and output directory, as the operator set them.

    Prefect's API may be open to anyone on the machine: parameters can name the same
    config and a directory inside the configured output, never another config, another
    place, or an overwrite (``force``) unless the operator allows it.
    """
    chosen = pinned_config(config, environ)
    if force and environ.get(ALLOW_FORCE_ENV) != "1":
        raise ConfigError(
            f"force=true is refused for a deployment run unless {ALLOW_FORCE_ENV}=1 is set "
            "where it runs; to replace an edited draft, run `digest run --force` yourself"
        )
    root = environ.get(OUTPUT_ENV) or str(load_settings(Path(chosen), env=environ).output_dir)
    if output_dir and not Path(output_dir).resolve().is_relative_to(Path(root).resolve()):
        raise ConfigError(
            f"output_dir={output_dir!r} is outside the configured output directory {root}"
        )
    return chosen, output_dir or root


def pinned_config(config: str | None, environ: Mapping[str, str]) -> str:
    """The config of a deployment run: DIGEST_CONFIG where it runs, else an explicit parameter."""
    pinned = environ.get(CONFIG_ENV)
    if not (pinned or config):
        raise ConfigError(
            f"a deployment run needs an explicit config: set {CONFIG_ENV}=/path/to/digest.toml "
            "in the environment of the worker that runs it, or the deployment's `config` "
            "parameter (digest serve sets both)"
        )
    if pinned and config and Path(config).resolve() != Path(pinned).resolve():
        raise ConfigError(
            f"config={config!r} differs from {CONFIG_ENV}={pinned!r}: a deployment run "
            "cannot change the config the operator set"
        )
    found = find_config(Path(pinned or config or ""))
    return str(found)


EARLIEST_RUN_DAY = date(2000, 1, 1)


def checked_run_day(day: date, settings: Settings) -> date:
    """A date parameter the pipeline can write: from 2000-01-01 to tomorrow, as at the CLI."""
    latest = assemble.resolve_day(None, settings.tz)
    if not EARLIEST_RUN_DAY <= day <= latest:
        raise ConfigError(
            f"date {day} is outside {EARLIEST_RUN_DAY}..{latest} (tomorrow): "
            "no archive reaches back that far, or that day has not happened yet"
        )
    return day


def run_day(value: str | None, settings: Settings, *, deployed: bool = False) -> date:
    """The digest date: the parameter; else the day after the run was scheduled to start.

    A nightly run that starts late (a restart, a queue) still writes that night's digest.
    """
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"date must be YYYY-MM-DD, not {value!r}") from None
        return checked_run_day(day, settings)
    if deployed:
        start: datetime = flow_run_runtime.scheduled_start_time
        return start.astimezone(settings.tz).date() + timedelta(days=1)
    return assemble.resolve_day(None, settings.tz)
