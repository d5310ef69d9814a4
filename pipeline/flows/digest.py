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

import os
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from pipeline.errors import NoDraft
from pipeline.flows.prefect_env import (
    ALLOW_FORCE_ENV,
    CONFIG_ENV,
    OUTPUT_ENV,
    configure,
    silence_telemetry,
)
from pipeline.text.redact import install_log_redaction

configure(os.environ)
silence_telemetry()
install_log_redaction()  # a worker's flow run logs no secret either (the CLI does the same)

from prefect import Flow, Task, flow, get_run_logger, task  # noqa: E402 - after the Prefect defaults
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.client.schemas.objects import State  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.runtime import deployment as deployment_runtime  # noqa: E402
from prefect.runtime import flow_run as flow_run_runtime  # noqa: E402
from prefect.states import Completed, Failed  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from pipeline.config import NetworkSettings, Settings, find_config, load_settings  # noqa: E402
from pipeline.errors import ConfigError  # noqa: E402
from pipeline.flows import run  # noqa: E402
from pipeline.flows.preflight import preflight  # noqa: E402
from pipeline.flows.run import ARCHIVE_FILE, CACHE_FILE, Batch, FeedStates  # noqa: E402
from pipeline.formats import FORMATS, registry  # noqa: E402
from pipeline.formats.daily import EARLIEST_DAY, resolve_day, summary_markdown  # noqa: E402
from pipeline.formats.registry import Format  # noqa: E402
from pipeline.models import (  # noqa: E402
    EXIT_PROBLEMS,
    Article,
    ClusterResult,
    CoveredStory,
    FeedOutcome,
    Judgement,
    LLMStats,
    PageOutcome,
    RunSummary,
    Source,
    Story,
    Written,
)

__all__ = ["ARCHIVE_FILE", "CACHE_FILE", "brief_digest", "daily_digest", "weekly_digest"]
T = TypeVar("T")
PROBLEMS_STATE = "CompletedWithProblems"


def thread_runner() -> TaskRunner[PrefectFuture[Any]]:
    """A flow's task runner: tasks in worker threads."""
    # cast: the decorator's parameter type is invariant in the future type (Prefect's typing)
    return cast("TaskRunner[PrefectFuture[Any]]", ThreadPoolTaskRunner(max_workers=4))


# --- tasks: the stage functions, with retries -----------------------------------------


@task(name="fetch-feeds", cache_policy=NONE, retries=1, retry_delay_seconds=5)
def fetch_feeds_task(
    sources: list[Source], states: FeedStates, net: NetworkSettings, tz: str, now: datetime
) -> list[FeedOutcome]:
    """Fetch and parse every feed (one shared client)."""
    return run.fetch_feeds(sources, states, net, tz, now)


@task(name="fetch-pages", cache_policy=NONE, retries=1, retry_delay_seconds=5)
def fetch_pages_task(
    entries: Batch, net: NetworkSettings, tz: str, now: datetime, min_chars: int
) -> PageOutcome:
    """Fetch and extract the pages of one host's entries."""
    return run.fetch_pages(entries, net, tz, now, min_chars)


@task(name="judge-relevance", cache_policy=NONE)
def judge_task(
    articles: list[Article], settings: Settings
) -> tuple[dict[str, Judgement], LLMStats]:
    """Ask the LLM, in batches, whether the articles the rules do not accept are AI news."""
    return run.judge_articles(articles, settings)


@task(name="cluster", cache_policy=NONE)
def cluster_task(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    covered: list[CoveredStory],
    judged: dict[str, Judgement] | None = None,
) -> ClusterResult:
    """Drop duplicates and off-topic items, cluster, rank and section the stories."""
    return run.cluster_articles(articles, settings, window_end, covered, judged)


@task(name="write", cache_policy=NONE)
def write_task(
    fmt: str, stories: list[Story], settings: Settings, day: date, no_llm: bool
) -> Written:
    """The format's writer: the LLM's text, cached, extractive wherever the LLM fails."""
    return run.write_stories(FORMATS[fmt], stories, settings, day, no_llm)


class TaskStages:
    """The heavy stages as tasks on the flow's runner (threads, or Dask workers)."""

    def feeds(
        self,
        sources: list[Source],
        states: FeedStates,
        net: NetworkSettings,
        tz: str,
        now: datetime,
    ) -> list[FeedOutcome]:
        """Fetch every feed, in the flow process (one task, one client)."""
        return fetch_feeds_task(sources, states, net, tz, now)

    def pages(
        self, batches: list[Batch], net: NetworkSettings, tz: str, now: datetime, min_chars: int
    ) -> Iterator[PageOutcome | Exception]:
        """Every batch submitted at once; each outcome (or its crash) in the batches' order."""
        futures = [fetch_pages_task.submit(b, net, tz, now, min_chars) for b in batches]
        for future in futures:
            try:
                yield future.result()
            except Exception as exc:  # a crashed batch is recorded, the run goes on
                yield exc

    def judge(
        self, articles: list[Article], settings: Settings
    ) -> tuple[dict[str, Judgement], LLMStats]:
        """The LLM's relevance verdicts, on the runner."""
        return on_runner(judge_task, articles, settings)

    def cluster(
        self,
        articles: list[Article],
        settings: Settings,
        window_end: datetime,
        covered: list[CoveredStory],
        judged: dict[str, Judgement] | None,
    ) -> ClusterResult:
        """The window's stories, on the runner."""
        return on_runner(cluster_task, articles, settings, window_end, covered, judged)

    def write(
        self, fmt: Format, stories: list[Story], settings: Settings, day: date, no_llm: bool
    ) -> Written:
        """The format's writing, on the runner (the format travels by name)."""
        return on_runner(write_task, fmt.name, stories, settings, day, no_llm)


def on_runner(task_: Task[..., T], *args: Any) -> T:
    """Run a task on the flow's task runner (threads, or Dask workers) and wait for it.

    A task called directly runs in the flow process; submitted, it goes where the runner
    sends it, so the heavy stages follow `[prefect] task_runner`.
    """
    return task_.submit(*args).result()


# --- flows: one body (pipeline.flows.run), three deployments ---------------------------


def digest_flow(
    fmt: str,
    date: str | None,
    config: str | None,
    output_dir: str | None,
    *,
    offline: bool,
    no_llm: bool,
    force: bool,
) -> State[Any]:
    """The body every flow shares: settings, the run of the format, its final state."""
    settings, day = begin(date, config, output_dir, force=force, offline=offline, no_llm=no_llm)
    summary = run.run_digest(
        FORMATS[fmt], settings, day, TaskStages(), offline=offline, no_llm=no_llm, force=force
    )
    return finish(summary)


def finish(summary: RunSummary) -> State[Any]:
    """Publish the summary as a Prefect artifact and end in the state it earns."""
    create_markdown_artifact(
        markdown=summary_markdown(summary),
        key=f"{summary.format}-digest-{summary.date}",
        description=f"{summary.format} digest {summary.date}",
    )
    get_run_logger().info("draft: %s", summary.draft)
    return final_state(summary)


def final_state(summary: RunSummary) -> State[Any]:
    """Failed without a draft (with the reason); a named Completed state for a draft to look at.

    Called directly, the flow returns the summary, or raises :class:`NoDraft` carrying it.
    """
    data = summary.model_dump(mode="json")
    if summary.draft is None:
        message = summary.note or "no draft written"
        return Failed(message=message, data=NoDraft(message, data))
    if summary.exit_code == EXIT_PROBLEMS:
        return Completed(name=PROBLEMS_STATE, message=problems_message(summary), data=data)
    return Completed(message=f"draft {summary.draft}", data=data)


def problems_message(summary: RunSummary) -> str:
    """What an editor should look at, in one line."""
    counts = [
        (len(summary.failures), "failed feed or page", "failed feeds or pages"),
        (len(summary.problems), "lint problem", "lint problems"),
        (int(summary.stats.get("degraded", 0) or 0), "degraded story", "degraded stories"),
    ]
    found = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return f"draft {summary.draft} needs a look: {', '.join(found) or 'see its record'}"


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
    state = digest_flow(
        "daily", date, config, output_dir, offline=offline, no_llm=no_llm, force=force
    )
    return state  # type: ignore[return-value]  # Prefect resolves a returned State


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
    state = digest_flow(
        "weekly", date, config, output_dir, offline=offline, no_llm=no_llm, force=force
    )
    return state  # type: ignore[return-value]  # Prefect resolves a returned State


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
    state = digest_flow(
        "brief", date, config, output_dir, offline=offline, no_llm=no_llm, force=force
    )
    return state  # type: ignore[return-value]  # Prefect resolves a returned State


FLOWS = {"daily": daily_digest, "weekly": weekly_digest, "brief": brief_digest}


def flow_of(fmt: str) -> Flow[..., dict[str, Any]]:
    """The named flow of a format; a format registered without one gets ``<name>-digest``.

    The three shipped formats keep their own flows (their names are in the deployments); a
    format added to the registry runs from ``digest run --format`` with nothing else added.
    """
    named = FLOWS.get(fmt)
    if named is not None:
        return named
    registry.get(fmt)  # KeyError naming the registered formats

    def body(
        date: str | None = None,
        config: str | None = None,
        output_dir: str | None = None,
        offline: bool = False,
        no_llm: bool = False,
        force: bool = False,
    ) -> dict[str, Any]:
        state = digest_flow(
            fmt, date, config, output_dir, offline=offline, no_llm=no_llm, force=force
        )
        return state  # type: ignore[return-value]  # Prefect resolves a returned State

    body.__doc__ = f"Write the {fmt} digest dated ``date`` into output/{fmt}/."
    return flow(name=f"{fmt}-digest", task_runner=thread_runner(), persist_result=False)(body)


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
        from pipeline.flows.served import exit_with_serve

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


def checked_run_day(day: date, settings: Settings) -> date:
    """A date parameter the pipeline can write: from 2000-01-01 to tomorrow, as at the CLI."""
    latest = resolve_day(None, settings.tz)
    if not EARLIEST_DAY <= day <= latest:
        raise ConfigError(
            f"date {day} is outside {EARLIEST_DAY}..{latest} (tomorrow): "
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
    return resolve_day(None, settings.tz)
