"""One run of any format, stage by stage: the pipeline's table of contents. No Prefect here.

:func:`run_digest` names every stage in order — ingest → stories → write → check and
render (the format's ``compose``) → publish — for whichever :class:`Format` it is given.
Where the heavy stages run is the :class:`Stages` object's business: :class:`PlainStages`
calls the stage functions in this process (tests, scripts); the Prefect flows in
:mod:`pipeline.flows.digest` pass one that submits them as tasks to the flow's runner.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from pipeline import progress
from pipeline.config import NetworkSettings, Settings
from pipeline.flows import steps
from pipeline.formats.daily import batch_failures, no_draft
from pipeline.formats.registry import Composition, Format
from pipeline.ingest import absorb
from pipeline.ingest import gather as ingest
from pipeline.llm.prompts import Prompts
from pipeline.models import (
    Article,
    ClusterResult,
    CoveredStory,
    FeedEntry,
    FeedOutcome,
    IngestReport,
    Judgement,
    LLMStats,
    PageOutcome,
    RunSummary,
    Source,
    Story,
    Written,
)
from pipeline.publish import memory
from pipeline.publish.drafts import choose_target
from pipeline.publish.step import publish_draft
from pipeline.store.archive import Archive
from pipeline.store.files import run_key, run_lock
from pipeline.stories import cache as cluster_cache
from pipeline.stories.cluster import build_stories
from pipeline.stories.pairs import PairJudge
from pipeline.stories.relevance import RelevanceJudge, to_judge

ARCHIVE_FILE = "archive.sqlite3"
CACHE_FILE = "llm-cache.sqlite3"
FeedStates = dict[str, tuple[str | None, str | None]]
Batch = list[FeedEntry]


# --- the stage functions (what a task runs) --------------------------------------------


def fetch_feeds(
    sources: list[Source], states: FeedStates, net: NetworkSettings, tz: str, now: datetime
) -> list[FeedOutcome]:
    """Fetch and parse every feed (one shared client)."""
    return asyncio.run(ingest.fetch_feeds(sources, states, net, tz=ZoneInfo(tz), now=now))


def fetch_pages(
    entries: Batch, net: NetworkSettings, tz: str, now: datetime, min_chars: int
) -> PageOutcome:
    """Fetch and extract the pages of one host's entries."""
    return asyncio.run(
        ingest.fetch_articles(entries, net, tz=ZoneInfo(tz), now=now, min_chars=min_chars)
    )


def judge_articles(
    articles: list[Article], settings: Settings
) -> tuple[dict[str, Judgement], LLMStats]:
    """Ask the LLM, in batches, whether the articles the rules do not accept are AI news."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        judge = RelevanceJudge(settings.llm, cache=cache, prompts=Prompts(settings.prompts_dir))
        return asyncio.run(judge.judge(articles)), judge.stats


def cluster_articles(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    covered: list[CoveredStory],
    judged: dict[str, Judgement] | None = None,
) -> ClusterResult:
    """Drop duplicates and off-topic items, cluster, rank and section the stories.

    With an LLM (``judged`` is not None) and ``[llm] check_pairs``, the LLM decides the
    pairs the clustering features cannot (answers cached per pair).
    """
    weights = {s.name: s.weight for s in settings.sources}
    with contextlib.ExitStack() as stack:
        pairs: PairJudge | None = None
        if judged is not None and settings.llm.check_pairs:
            cache = stack.enter_context(Archive(settings.data_dir / CACHE_FILE))
            pairs = PairJudge(settings.llm, cache=cache, prompts=Prompts(settings.prompts_dir))
        judge_pairs = pairs  # bound for the closure: mypy cannot narrow `pairs` inside it
        result = build_stories(
            articles,
            settings.digest,
            source_weights=weights,
            window_end=window_end,
            published=covered,
            judged=judged,
            same_event=None
            if judge_pairs is None
            else lambda todo, controls: asyncio.run(judge_pairs.judge(todo, controls)),
        )
    return result if pairs is None else result.model_copy(update={"llm": pairs.stats})


def write_stories(
    fmt: Format, stories: list[Story], settings: Settings, day: date, no_llm: bool
) -> Written:
    """The format's writer over the run's LLM cache (extractive where the LLM fails)."""
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        return asyncio.run(fmt.write(stories, settings, day, no_llm, cache))


# --- where the stages run ----------------------------------------------------------------


class Stages(Protocol):
    """Runs the heavy stages: in this process, or as tasks on a Prefect task runner."""

    def feeds(
        self,
        sources: list[Source],
        states: FeedStates,
        net: NetworkSettings,
        tz: str,
        now: datetime,
    ) -> list[FeedOutcome]:
        """Fetch every feed."""
        ...

    def pages(
        self, batches: list[Batch], net: NetworkSettings, tz: str, now: datetime, min_chars: int
    ) -> Iterator[PageOutcome | Exception]:
        """Each batch's outcome (or what it crashed with), in the batches' order."""
        ...

    def judge(
        self, articles: list[Article], settings: Settings
    ) -> tuple[dict[str, Judgement], LLMStats]:
        """The LLM's relevance verdicts on doubtful articles."""
        ...

    def cluster(
        self,
        articles: list[Article],
        settings: Settings,
        window_end: datetime,
        covered: list[CoveredStory],
        judged: dict[str, Judgement] | None,
    ) -> ClusterResult:
        """The window's stories."""
        ...

    def write(
        self, fmt: Format, stories: list[Story], settings: Settings, day: date, no_llm: bool
    ) -> Written:
        """The format's writing."""
        ...


class PlainStages:
    """Every stage called in this process, one page batch after the other."""

    def feeds(
        self,
        sources: list[Source],
        states: FeedStates,
        net: NetworkSettings,
        tz: str,
        now: datetime,
    ) -> list[FeedOutcome]:
        """Fetch every feed."""
        return fetch_feeds(sources, states, net, tz, now)

    def pages(
        self, batches: list[Batch], net: NetworkSettings, tz: str, now: datetime, min_chars: int
    ) -> Iterator[PageOutcome | Exception]:
        """Each batch's outcome (or what it crashed with), in the batches' order."""
        for batch in batches:
            try:
                yield fetch_pages(batch, net, tz, now, min_chars)
            except Exception as exc:  # a crashed batch is recorded, the run goes on
                yield exc

    def judge(
        self, articles: list[Article], settings: Settings
    ) -> tuple[dict[str, Judgement], LLMStats]:
        """The LLM's relevance verdicts on doubtful articles."""
        return judge_articles(articles, settings)

    def cluster(
        self,
        articles: list[Article],
        settings: Settings,
        window_end: datetime,
        covered: list[CoveredStory],
        judged: dict[str, Judgement] | None,
    ) -> ClusterResult:
        """The window's stories."""
        return cluster_articles(articles, settings, window_end, covered, judged)

    def write(
        self, fmt: Format, stories: list[Story], settings: Settings, day: date, no_llm: bool
    ) -> Written:
        """The format's writing."""
        return write_stories(fmt, stories, settings, day, no_llm)


# --- the flow body -----------------------------------------------------------------------


def run_digest(
    fmt: Format,
    settings: Settings,
    day: date,
    stages: Stages,
    *,
    offline: bool = False,
    no_llm: bool = False,
    force: bool = False,
) -> RunSummary:
    """One run of ``fmt`` for ``day`` under its lock; the summary carries the stage times."""
    times: dict[str, float] = {}
    key = run_key(fmt.name, day)
    with run_lock(settings.data_dir, key), Archive(settings.data_dir / ARCHIVE_FILE) as archive:
        run = Run(fmt, archive, settings, day, stages, times)
        summary = run.stages_in_order(offline=offline, no_llm=no_llm, force=force)
    summary.stats.update({f"seconds_{name}": round(value, 1) for name, value in times.items()})
    return summary


@dataclass(frozen=True)
class Run:
    """One run's format, archive, settings, date, stage runner and stage times."""

    fmt: Format
    archive: Archive
    settings: Settings
    day: date
    stages: Stages
    times: dict[str, float]

    def stages_in_order(self, *, offline: bool, no_llm: bool, force: bool) -> RunSummary:
        """ingest → stories → write → check and render (``compose``) → publish."""
        fmt, settings, day, report = self.fmt, self.settings, self.day, IngestReport()
        window = fmt.window(day, settings.tz)
        with steps.timed(self.times, "ingest"):
            if not offline:
                ingest_window(self.archive, settings, window, report, self.stages)
        articles = absorb.window_articles(self.archive, window)
        with steps.timed(self.times, "cluster"):
            clusters, judged = self.stories(articles, window[1], no_llm=no_llm)
        if not clusters.stories:
            stem, out = fmt.stem(day), settings.output_dir
            return no_draft(out, stem, day, fmt.name, report, clusters, articles)
        with steps.timed(self.times, "write"):
            written = self.stages.write(fmt, clusters.stories, settings, day, no_llm)
            written.stats.add(judged)
        with steps.timed(self.times, "publish"):
            return compose_and_publish(
                fmt, self.archive, settings, day, clusters, written, report, articles, force
            )

    def stories(
        self, articles: list[Article], window_end: datetime, *, no_llm: bool
    ) -> tuple[ClusterResult, LLMStats]:
        """The stories stage, with the no-repeat memory if the format keeps one."""
        fmt, out = self.fmt, self.settings.output_dir
        remembered = (
            memory.covered_before(self.archive, out, fmt.name, self.day) if fmt.remembers else []
        )
        return find_stories(
            fmt, articles, self.settings, window_end, remembered, self.stages, no_llm=no_llm
        )


def compose_and_publish(
    fmt: Format,
    archive: Archive,
    settings: Settings,
    day: date,
    clusters: ClusterResult,
    written: Written,
    report: IngestReport,
    articles: list[Article],
    force: bool,
) -> RunSummary:
    """Check and render the written text (the format's ``compose``), then publish the draft."""
    now = datetime.now(settings.tz)
    target = choose_target(settings.output_dir, fmt.name, fmt.stem(day), force=force, now=now)
    rendered = fmt.compose(Composition(day, settings, clusters, written, report, articles, target))
    return publish_draft(archive, settings.publication, target, rendered, fmt.document)


def ingest_window(
    archive: Archive,
    settings: Settings,
    window: tuple[datetime, datetime],
    report: IngestReport,
    stages: Stages,
) -> None:
    """Fetch feeds, then the pages of new entries (one batch per host), into the archive."""
    now = datetime.now(settings.tz)
    states = absorb.feed_states(archive, settings.sources)
    with progress.stage("feeds", len(settings.sources)):
        outcomes = stages.feeds(settings.sources, states, settings.network, settings.timezone, now)
    seen = absorb.absorb_feeds(archive, outcomes, report, now)
    entries = absorb.pages_to_fetch(archive, seen, window)
    batches = ingest.group_by_host(entries)
    min_chars = settings.digest.min_text_chars
    results = stages.pages(batches, settings.network, settings.timezone, now, min_chars)
    with progress.stage("pages", len(entries)):
        for batch, outcome in zip(batches, results, strict=True):
            try:
                if isinstance(outcome, Exception):
                    raise outcome
                absorb.absorb_pages(archive, outcome, report)
            except Exception as exc:  # a crashed batch is recorded, the run goes on
                report.failures.extend(batch_failures(batch, exc))
            progress.advance("pages", len(batch))


def find_stories(
    fmt: Format,
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    covered: list[CoveredStory],
    stages: Stages,
    *,
    no_llm: bool,
) -> tuple[ClusterResult, LLMStats]:
    """The stories stage: the LLM judges what the rules do not accept (if asked), then cluster."""
    settings = fmt.stories(settings)
    judged: dict[str, Judgement] | None = None
    stats = LLMStats()
    if fmt.judges and not no_llm:
        weights = {s.name: s.weight for s in settings.sources}
        with Archive(settings.data_dir / CACHE_FILE) as cache:  # a rerun skips this pass
            doubtful = to_judge(cluster_cache.without_duplicates(cache, articles, weights))
        judged, stats = stages.judge(doubtful, settings) if doubtful else ({}, LLMStats())
    result = cluster_window(articles, settings, window_end, covered, judged, stages)
    stats.add(result.llm)  # the pair check's calls (none when the result came from the cache)
    return result, stats


def cluster_window(
    articles: list[Article],
    settings: Settings,
    window_end: datetime,
    covered: list[CoveredStory],
    judged: dict[str, Judgement] | None,
    stages: Stages,
) -> ClusterResult:
    """Cluster the window, unless this very input was clustered before (a rerun)."""
    inputs = {
        "digest": settings.digest.model_dump(mode="json"),
        "weights": {s.name: s.weight for s in settings.sources},
        "window_end": window_end.isoformat(),
        "judged": None if judged is None else {k: v.model_dump() for k, v in judged.items()},
        # who decides the undecided pairs (another model or prompt may decide otherwise)
        "pairs": None
        if judged is None or not settings.llm.check_pairs
        else [
            settings.llm.resolved_model,
            settings.llm.resolved_base_url,
            Prompts(settings.prompts_dir).version("same_event"),
        ],
    }
    key = cluster_cache.cluster_key(articles, inputs, covered)
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        stored = cluster_cache.load(cache, key, articles)
    if stored is not None:
        return stored
    result = stages.cluster(articles, settings, window_end, covered, judged)
    with Archive(settings.data_dir / CACHE_FILE) as cache:
        cluster_cache.save(cache, key, result)
    return result
