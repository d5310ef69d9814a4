"""Prefect flows: thin tasks around the stage functions, flow bodies like a table of contents.

Tasks declare retries and are submitted to the flow's task runner (threads by default,
Dask workers with ``[prefect] task_runner = "dask"``); they take and return pydantic
models only. The flow process alone reads and writes the archive and ``output/``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from pipeline.prefect_env import configure
from pipeline.redact import install_log_redaction

configure(os.environ)
install_log_redaction()  # a worker's flow run logs no secret either (the CLI does the same)

from prefect import Task, flow, get_run_logger, task  # noqa: E402 - after the Prefect defaults
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from pipeline import assemble, brief, cluster_cache, ingest, periodic, progress, steps  # noqa: E402
from pipeline.cluster import ClusterResult, build_stories  # noqa: E402
from pipeline.config import NetworkSettings, Settings, load_settings  # noqa: E402
from pipeline.files import run_lock  # noqa: E402
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
from pipeline.store import Archive  # noqa: E402
from pipeline.write import Writer, WriteResult, write_digest  # noqa: E402

ARCHIVE_FILE = "archive.sqlite3"
T = TypeVar("T")
CACHE_FILE = "llm-cache.sqlite3"


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
) -> ClusterResult:
    """Drop duplicates and off-topic items, cluster, rank and section the stories."""
    weights = {s.name: s.weight for s in settings.sources}
    return build_stories(
        articles,
        settings.digest,
        source_weights=weights,
        window_end=window_end,
        published=published,
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
def judge_task(articles: list[Article], settings: Settings) -> tuple[dict[str, bool], LLMStats]:
    """Ask the LLM, in batches, whether the articles the rules could not decide are AI news."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        writer = Writer(settings.llm, cache=cache, prompts=Prompts(settings.prompts_dir))
        verdicts = asyncio.run(writer.judge_relevance(articles))
        return verdicts, writer.stats


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


def finish(summary: assemble.RunSummary, times: dict[str, float]) -> dict[str, Any]:
    """Add stage times to the summary, publish it as a Prefect artifact, return it."""
    summary.stats.update({f"seconds_{name}": round(value, 1) for name, value in times.items()})
    create_markdown_artifact(
        markdown=assemble.summary_markdown(summary),
        key=f"{summary.format}-digest-{summary.date}",
        description=f"{summary.format} digest {summary.date}",
    )
    get_run_logger().info("draft: %s", summary.draft)
    return summary.model_dump(mode="json")


def without_draft(
    run: WindowRun, settings: Settings, stem: str, day: date, fmt: str, clusters: ClusterResult
) -> dict[str, Any]:
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
    settings = flow_settings(config, output_dir)
    day = assemble.resolve_day(date, settings.tz)
    window = ingest.day_window(day, settings.tz)
    with window_run(settings, f"daily-{day}", window, offline) as run:
        published = steps.published_before(run.archive, settings.output_dir, "daily", day)
        with steps.timed(run.times, "cluster"):
            clusters, judged = relevant_stories(
                run.articles, settings, window[1], published, no_llm
            )
        if not clusters.stories:
            return without_draft(run, settings, str(day), day, "daily", clusters)
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
    return finish(summary, run.times)


def relevant_stories(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    published: list[PublishedStory],
    no_llm: bool,
) -> tuple[ClusterResult, LLMStats]:
    """Cluster; if the rules left articles undecided, let the LLM judge them and re-cluster."""
    clusters = cluster_window(articles, settings, window_end, published)
    uncertain = set(clusters.uncertain)
    if no_llm or not uncertain:
        return clusters, LLMStats()
    verdicts, stats = on_runner(judge_task, [a for a in articles if a.id in uncertain], settings)
    kept, rejected = steps.split_rejected(articles, verdicts)
    if not rejected:
        return clusters, stats
    clusters = cluster_window(kept, settings, window_end, published)
    return clusters.model_copy(update={"dropped": clusters.dropped + rejected}), stats


def cluster_window(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    published: list[PublishedStory],
) -> ClusterResult:
    """Cluster on the task runner, unless this very input was clustered before (a rerun)."""
    inputs = {
        "digest": settings.digest.model_dump(mode="json"),
        "weights": {s.name: s.weight for s in settings.sources},
        "window_end": window_end.isoformat(),
    }
    key = cluster_cache.cluster_key(articles, inputs, published)
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        stored = cluster_cache.load(cache, key, articles)
    if stored is not None:
        return stored
    result = on_runner(cluster_task, articles, settings, window_end, published)
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
    settings = flow_settings(config, output_dir)
    day = assemble.resolve_day(date, settings.tz)
    week = periodic.week_stem(day)
    window = periodic.week_window(day, settings.tz)
    with window_run(settings, f"weekly-{week}", window, offline) as run:
        with steps.timed(run.times, "cluster"):
            clusters = cluster_window(
                run.articles, periodic.weekly_settings(settings), window[1], []
            )
        if not clusters.stories:
            return without_draft(run, settings, week, day, "weekly", clusters)
        with steps.timed(run.times, "write"):
            written = on_runner(write_weekly_task, clusters.stories, settings, week, no_llm)
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
    return finish(summary, run.times)


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
    settings = flow_settings(config, output_dir)
    day = assemble.resolve_day(date, settings.tz)
    window = ingest.day_window(day, settings.tz)
    with window_run(settings, f"brief-{day}", window, offline) as run:
        published = steps.published_before(run.archive, settings.output_dir, "brief", day)
        with steps.timed(run.times, "cluster"):
            clusters = cluster_window(
                run.articles, brief.brief_settings(settings), window[1], published
            )
        if not clusters.stories:
            return without_draft(run, settings, str(day), day, "brief", clusters)
        with steps.timed(run.times, "write"):
            written = on_runner(write_brief_task, clusters.stories, settings, no_llm)
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
    return finish(summary, run.times)


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


def flow_settings(config: str | None, output_dir: str | None) -> Settings:
    """Settings inside a flow run: env and config file, as at the CLI (no secrets as parameters)."""
    overrides = {"output_dir": output_dir} if output_dir else {}
    return load_settings(Path(config) if config else None, env=os.environ, overrides=overrides)
