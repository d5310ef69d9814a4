"""The real set's report: clustering per day and per 7-day window, and relevance.

Called by ``python -m benchmarks.cluster_eval --real CORPUS_DIR [--llm BASE_URL]``.
Clustering is scored on the AI items (gold relevance) so that it measures clustering
alone; relevance is scored over every item. With ``--llm`` the real model judges every
item the rules do not accept, then checks each day's undecided pairs of reports (answers
cached in ``.bench-cache/`` so a rerun is free). The pair check answered by the labels is
reported too: an upper bound of that mechanism, not a measurement of a model.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks.baseline import baseline_clusterer, baseline_off_topic, load_baseline
from benchmarks.cluster_eval import bcubed, cluster_labels, report_errors, settings
from benchmarks.real_set import Label, load_real, read_labels
from pipeline.config import LLMSettings
from pipeline.models import Article, Dropped, Judgement
from pipeline.store.archive import Archive
from pipeline.stories.cluster import cluster_articles, find_duplicates, undecided_pairs
from pipeline.stories.pairs import PairJudge, pair_key
from pipeline.stories.relevance import RelevanceJudge, decide, rule_decision, to_judge

CACHE = Path(__file__).resolve().parent.parent / ".bench-cache" / "llm-cache.sqlite3"
WINDOW_DAYS = 7


Clusterer = Callable[[list[Article], dict[str, float]], tuple[list[list[Article]], list[Dropped]]]


def current(
    items: list[Article], weights: dict[str, float]
) -> tuple[list[list[Article]], list[Dropped]]:
    """Duplicates and clusters of the current code."""
    kept, dropped = find_duplicates(items, weights)
    return cluster_articles(kept), dropped


def llm_settings(base_url: str) -> LLMSettings:
    """The real local model, with deadlines long enough for a shared 2-core machine."""
    return LLMSettings(
        provider="custom",
        base_url=base_url,
        model="local",
        timeout=1800.0,
        temperature=0.0,
        max_output_tokens=600,
    )


@dataclass
class PairChecked:
    """The current clustering with the LLM deciding the undecided pairs (issue 12); keeps
    the pairs it asked about and the verdicts it trusted, for scoring."""

    judge: PairJudge
    asked: set[tuple[str, str]] = field(default_factory=set)
    answered: dict[tuple[str, str], bool] = field(default_factory=dict)

    def __call__(
        self, items: list[Article], weights: dict[str, float]
    ) -> tuple[list[list[Article]], list[Dropped]]:
        kept, dropped = find_duplicates(items, weights)
        pairs, controls = undecided_pairs(kept)
        verdicts = asyncio.run(self.judge.judge(pairs, controls)) if pairs and controls else {}
        self.asked.update(pair_key(a.id, b.id) for a, b in pairs)
        self.answered.update(verdicts)
        return cluster_articles(kept, None, verdicts), dropped


@dataclass
class PairOracle:
    """The pair check answered by the labels: what a judge that is always right would give
    (an upper bound of the mechanism, not a measurement of any model)."""

    labels: dict[str, Label]

    def __call__(
        self, items: list[Article], weights: dict[str, float]
    ) -> tuple[list[list[Article]], list[Dropped]]:
        kept, dropped = find_duplicates(items, weights)
        pairs, controls = undecided_pairs(kept)
        verdicts = {
            pair_key(a.id, b.id): self.labels[a.id].event == self.labels[b.id].event
            for a, b in (pairs if controls else [])
        }
        return cluster_articles(kept, None, verdicts), dropped


def cluster_scores(
    articles: list[Article], labels: dict[str, Label], clusterer: Clusterer = current
) -> tuple[float, ...]:
    """B-cubed P, R, F1 of clustering the AI items of ``articles`` as one window."""
    _, weights = settings()
    items = [a for a in articles if labels[a.id].ai]
    groups, dropped = clusterer(items, weights)
    kept = [a for g in groups for a in g]
    pred = cluster_labels(items, kept, dropped, groups)
    return bcubed({a.id: labels[a.id].event for a in items}, pred)


def by_day(articles: list[Article], labels: dict[str, Label]) -> dict[date, list[Article]]:
    """The items of each day."""
    days: dict[date, list[Article]] = defaultdict(list)
    for art in articles:
        days[labels[art.id].day].append(art)
    return dict(sorted(days.items()))


def clustering_report(
    articles: list[Article],
    labels: dict[str, Label],
    verbose: bool,
    clusterer: Clusterer = current,
    *,
    windows_too: bool = True,
) -> None:
    """B-cubed per day and (unless ``windows_too`` is off) per sliding 7-day window."""
    days = by_day(articles, labels)
    per_day = {d: cluster_scores(items, labels, clusterer)[2] for d, items in days.items()}
    print("B-cubed F1 per day: " + ", ".join(f"{d:%m-%d} {f:.3f}" for d, f in per_day.items()))
    print(f"  mean {sum(per_day.values()) / len(per_day):.3f}, worst {min(per_day.values()):.3f}")
    if not windows_too:
        return
    keys = list(days)
    windows = []
    for start in range(len(keys) - WINDOW_DAYS + 1):
        chosen = [a for d in keys[start : start + WINDOW_DAYS] for a in days[d]]
        p, r, f = cluster_scores(chosen, labels, clusterer)
        windows.append(f)
        print(f"7-day window from {keys[start]:%m-%d}: B-cubed P={p:.3f} R={r:.3f} F1={f:.3f}")
    print(f"  mean {sum(windows) / len(windows):.3f}, worst {min(windows):.3f}")
    if verbose and clusterer is current:
        items = [a for a in articles if labels[a.id].ai]
        _, weights = settings()
        kept, dropped = find_duplicates(items, weights)
        report_errors(
            items, {a.id: labels[a.id].event for a in items}, cluster_labels(items, kept, dropped)
        )


def relevance_scores(
    articles: list[Article], labels: dict[str, Label], judged: dict[str, Judgement] | None
) -> str:
    """Precision and recall of the kept items as AI news, and what was dropped wrongly."""
    chosen = decide(articles, judged)
    kept = {a.id for a in chosen.kept}
    ai = {a.id for a in articles if labels[a.id].ai}
    precision = len(kept & ai) / max(len(kept), 1)
    recall = len(kept & ai) / max(len(ai), 1)
    return (
        f"kept {len(kept)} of {len(articles)}: precision {precision:.3f}, recall {recall:.3f}; "
        f"AI items dropped {len(ai - kept)}, non-AI kept {len(kept - ai)}; "
        f"decided by {chosen.counts}"
    )


def judge(articles: list[Article], base_url: str) -> tuple[dict[str, Judgement], str]:
    """The real model's answers for the items the rules do not accept, and the cost."""
    llm = llm_settings(base_url)
    CACHE.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    with Archive(CACHE) as cache:
        judge_ = RelevanceJudge(llm, cache=cache)
        found = asyncio.run(judge_.judge(to_judge(articles)))
        stats = judge_.stats
    cost = (
        f"{judge_.remembered} articles remembered from earlier runs; "
        f"{stats.llm_calls} calls ({stats.cache_hits} from cache), {stats.prompt_tokens} prompt"
        f" + {stats.completion_tokens} completion tokens, {time.monotonic() - started:.0f} s"
    )
    return found, cost


def pair_report(articles: list[Article], labels: dict[str, Label], base_url: str) -> None:
    """Clustering again, with the model deciding the pairs the features cannot."""
    print(f"-- clustering with the LLM at {base_url} checking undecided pairs --")
    started = time.monotonic()
    with Archive(CACHE) as cache:
        checked = PairChecked(PairJudge(llm_settings(base_url), cache=cache))
        # days only: each 7-day window composes other calls (up to 12 each, ~15 s a call here)
        clustering_report(articles, labels, False, checked, windows_too=False)
        judge, stats = checked.judge, checked.judge.stats
    gold = {k: labels[k[0]].event == labels[k[1]].event for k in checked.asked}
    answered = checked.answered
    right = sum(answered[k] == gold[k] for k in answered)
    print(
        f"  pairs asked {len(gold)} (one event by the labels: {sum(gold.values())}); answered "
        f"{len(answered)}, right {right}; calls distrusted (control called one event) "
        f"{judge.distrusted}; {stats.llm_calls} calls ({stats.cache_hits} from cache), "
        f"{stats.prompt_tokens} + {stats.completion_tokens} tokens, "
        f"{time.monotonic() - started:.0f} s"
    )


def baseline_report(articles: list[Article], labels: dict[str, Label], rev: str) -> None:
    """The code before issue 12 on the same items: clustering, and its keyword relevance."""
    old = load_baseline(rev)
    print(f"-- baseline: the stories stage at {rev} --")
    clustering_report(articles, labels, False, baseline_clusterer(old))
    off = baseline_off_topic(old, articles)
    ai = {a.id for a in articles if labels[a.id].ai}
    print(
        f"relevance (rules, then its LLM only for the 0.2-0.5 band): AI items dropped by rules "
        f"{len(off & ai)} of {len(ai)}; non-AI kept {len(set(labels) - ai - off)} of "
        f"{len(set(labels) - ai)}"
    )
    print("-- current code --")


def report(
    corpus: Path,
    llm: str | None,
    *,
    verbose: bool = False,
    llm_days: int | None = None,
    baseline: str | None = None,
) -> None:
    """Print the real set's report (the LLM judges the first ``llm_days`` days, or all)."""
    labels = read_labels()
    articles = load_real(corpus, labels)
    ai = sum(lab.ai for lab in labels.values())
    print(
        f"\nreal set: {len(articles)} items over {len(by_day(articles, labels))} days, "
        f"{ai} AI in {len({lab.event for lab in labels.values() if lab.ai})} events"
    )
    if baseline:
        baseline_report(articles, labels, baseline)
    clustering_report(articles, labels, verbose)
    print("-- upper bound: the pair check answered by the labels (no model) --")
    clustering_report(articles, labels, False, PairOracle(labels))
    accepted = sum(rule_decision(a) == "ai" for a in articles)
    print(
        f"rules accept {accepted} items alone; the LLM is asked about the other "
        f"{len(articles) - accepted}"
    )
    print("relevance, rules only (--no-llm): " + relevance_scores(articles, labels, None))
    if llm:
        days = list(by_day(articles, labels))[: llm_days or None]
        sample = [a for a in articles if labels[a.id].day in days]
        judged, cost = judge(sample, llm)
        for part in (days[:WINDOW_DAYS], days[WINDOW_DAYS:], days):
            if not part or (part is days and len(days) <= WINDOW_DAYS):
                continue
            items = [a for a in sample if labels[a.id].day in part]
            span = f"{part[0]:%m-%d}..{part[-1]:%m-%d} ({len(items)} items)"
            print(f"relevance on {span}, rules only: " + relevance_scores(items, labels, None))
            print(f"  with the LLM at {llm} judging: " + relevance_scores(items, labels, judged))
        print(f"  LLM cost: {cost}; answered {len(judged)}")
        pair_report(articles, labels, llm)
        if verbose:
            for art in sample:
                v = judged.get(art.id)
                if v is not None and v.ai != labels[art.id].ai:
                    print(f"  LLM wrong ({'ai' if v.ai else 'off'}): {art.title[:70]}")
