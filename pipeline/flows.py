"""Prefect flows: thin tasks around the stage functions, flow bodies like a table of contents.

Tasks declare retries and run in worker threads; they take and return pydantic
models only. The flow process alone reads and writes the archive and ``output/``.
"""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from pipeline.prefect_env import configure

configure(os.environ)

from prefect import flow, get_run_logger, task  # noqa: E402 - after the Prefect defaults
from prefect.cache_policies import NONE  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from pipeline import assemble, brief, ingest, periodic, steps  # noqa: E402
from pipeline.cluster import ClusterResult, build_stories  # noqa: E402
from pipeline.config import NetworkSettings, Settings, load_settings  # noqa: E402
from pipeline.llm import Prompts  # noqa: E402
from pipeline.models import Article, FeedEntry, PublishedStory, Source, Story  # noqa: E402
from pipeline.periodic_write import BriefWrite, PeriodicWriter, WeeklyWrite  # noqa: E402
from pipeline.store import Archive, run_lock  # noqa: E402
from pipeline.write import Writer, WriteResult, write_digest  # noqa: E402

ARCHIVE_FILE = "archive.sqlite3"
CACHE_FILE = "llm-cache.sqlite3"


def thread_runner() -> TaskRunner[PrefectFuture[Any]]:
    """A flow's task runner: tasks in worker threads."""
    # cast: the decorator's parameter type is invariant in the future type (Prefect's typing)
    return cast("TaskRunner[PrefectFuture[Any]]", ThreadPoolTaskRunner(max_workers=4))


@task(name="fetch-feeds", cache_policy=NONE, retries=1, retry_delay_seconds=5)
def fetch_feeds_task(
    sources: list[Source], states: dict[str, tuple[str | None, str | None]],
    net: NetworkSettings, tz: str, now: datetime,
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
    articles: list[Article], settings: Settings, window_end: datetime,
    published: list[PublishedStory],
) -> ClusterResult:
    """Drop duplicates and off-topic items, cluster, rank and section the stories."""
    weights = {s.name: s.weight for s in settings.sources}
    return build_stories(articles, settings.digest, source_weights=weights,
                         window_end=window_end, published=published)


@task(name="write", cache_policy=NONE)
def write_task(stories: list[Story], settings: Settings, day: date, no_llm: bool) -> WriteResult:
    """Have the LLM write every story and the digest text (cached; degrades per story)."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        writer = Writer(settings.llm, cache=cache, no_llm=no_llm,
                        prompts=Prompts(settings.prompts_dir))
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
    with (
        run_lock(settings.data_dir, f"daily-{day}"),
        Archive(settings.data_dir / ARCHIVE_FILE) as archive,
    ):
        window = ingest.day_window(day, settings.tz)
        report = steps.IngestReport()
        if not offline:
            ingest_window(archive, settings, window, report)
        articles = steps.window_articles(archive, window)
        published = steps.published_before(archive, settings.output_dir, "daily", day)
        clusters = cluster_task(articles, settings, window[1], published)
        written = write_task(clusters.stories, settings, day, no_llm)
        summary = assemble.publish_daily(
            archive, settings, day, clusters, written, report, force=force, articles=articles
        )
    get_run_logger().info("draft: %s", summary.draft)
    return summary.model_dump(mode="json")


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
    with (
        run_lock(settings.data_dir, f"weekly-{week}"),
        Archive(settings.data_dir / ARCHIVE_FILE) as archive,
    ):
        window = periodic.week_window(day, settings.tz)
        report = steps.IngestReport()
        if not offline:
            ingest_window(archive, settings, window, report)
        articles = steps.window_articles(archive, window)
        clusters = cluster_task(articles, periodic.weekly_settings(settings), window[1], [])
        written = write_weekly_task(clusters.stories, settings, week, no_llm)
        summary = periodic.publish_weekly(
            archive, settings, day, clusters, written, report, force=force, articles=articles
        )
    get_run_logger().info("draft: %s", summary.draft)
    return summary.model_dump(mode="json")


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
    with (
        run_lock(settings.data_dir, f"brief-{day}"),
        Archive(settings.data_dir / ARCHIVE_FILE) as archive,
    ):
        window = ingest.day_window(day, settings.tz)
        report = steps.IngestReport()
        if not offline:
            ingest_window(archive, settings, window, report)
        articles = steps.window_articles(archive, window)
        published = steps.published_before(archive, settings.output_dir, "brief", day)
        clusters = cluster_task(articles, brief.brief_settings(settings), window[1], published)
        written = write_brief_task(clusters.stories, settings, no_llm)
        summary = brief.publish_brief(
            archive, settings, day, clusters, written, report, force=force, articles=articles
        )
    get_run_logger().info("draft: %s", summary.draft)
    return summary.model_dump(mode="json")


def ingest_window(
    archive: Archive, settings: Settings, window: tuple[datetime, datetime],
    report: steps.IngestReport,
) -> None:
    """Fetch feeds, then the pages of new entries (one task per host), into the archive."""
    now = datetime.now(settings.tz)
    states = steps.feed_states(archive, settings.sources)
    outcomes = fetch_feeds_task(settings.sources, states, settings.network, settings.timezone, now)
    seen = steps.absorb_feeds(archive, outcomes, report, now)
    batches = ingest.group_by_host(steps.pages_to_fetch(archive, seen, window))
    futures = [
        fetch_pages_task.submit(batch, settings.network, settings.timezone, now,
                                settings.digest.min_text_chars)
        for batch in batches
    ]
    for batch, future in zip(batches, futures, strict=True):
        try:
            steps.absorb_pages(archive, future.result(), report)
        except Exception as exc:  # a crashed batch is recorded, the run goes on
            report.failures.extend(assemble.batch_failures(batch, exc))


def flow_settings(config: str | None, output_dir: str | None) -> Settings:
    """Settings inside a flow run: env and config file, as at the CLI (no secrets as parameters)."""
    overrides = {"output_dir": output_dir} if output_dir else {}
    return load_settings(Path(config) if config else None, env=os.environ, overrides=overrides)
