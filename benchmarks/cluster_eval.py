"""Evaluate the stories stage: the synthetic set, and the real set when its corpus is given.

Run: ``python -m benchmarks.cluster_eval [--real CORPUS_DIR [--baseline REV]
[--llm BASE_URL [--llm-days N]]] [-v]``
(prints a report; no files written). The synthetic part reports B-cubed, pairwise and
zh–en recall and times 2,000 articles; ``--real`` adds the hand-labelled real set
(:mod:`benchmarks.real_eval`): B-cubed per day and per 7-day window, and relevance with
the rules alone (``--no-llm``) and, with ``--llm``, with that model judging.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections import defaultdict
from datetime import timedelta
from itertools import combinations
from pathlib import Path

from pipeline.config import DigestSettings, builtin_defaults
from pipeline.models import Article, Dropped, article_id
from pipeline.stories.cluster import build_stories, cluster_articles, find_duplicates
from pipeline.stories.relevance import decide

SPLIT_RE = re.compile(r"[^。！？.!?]+[。！？.!?]?")
DATA = Path(__file__).resolve().parent / "data" / "cluster_eval.jsonl"


def load(path: Path = DATA) -> tuple[list[Article], dict[str, dict[str, object]]]:
    """Articles of the set and their labels by article id."""
    articles, labels = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        labels[rec["id"]] = {"story": rec.pop("story"), "ai": rec.pop("ai")}
        articles.append(Article(**rec, first_seen=rec["published"]))
    return articles, labels


def settings() -> tuple[DigestSettings, dict[str, float]]:
    """The shipped digest settings and source weights."""
    raw = builtin_defaults()
    weights = {s["name"]: float(s.get("weight", 1.0)) for s in raw["sources"]}
    return DigestSettings(**raw["digest"]), weights


def predict(articles: list[Article], weights: dict[str, float]) -> tuple[dict[str, str], set[str]]:
    """Predicted cluster of every article (a duplicate joins its original's), off-topic ids."""
    kept, dropped = find_duplicates(articles, weights)
    chosen = decide(kept, None)
    off = {a.id for a in kept} - {a.id for a in chosen.kept}
    label = cluster_labels(articles, chosen.kept, dropped)
    label.update({a: f"off:{a}" for a in off})
    return label, off


def cluster_labels(
    articles: list[Article],
    kept: list[Article],
    dropped: list[Dropped],
    groups: list[list[Article]] | None = None,
) -> dict[str, str]:
    """Cluster label of each article: kept ones by cluster, duplicates by their original."""
    groups = cluster_articles(kept) if groups is None else groups
    label = {a.id: f"c{n}" for n, g in enumerate(groups) for a in g}
    first: dict[str, str] = {}
    for art in articles:  # same-URL copies share a URL: the first one stands for them
        first.setdefault(art.url, art.id)
    for art in kept:
        first[art.url] = art.id
    of = {d.url: d.of for d in dropped if d.reason == "duplicate" and d.of}
    for art in articles:
        if art.id not in label:
            original = of.get(art.url)
            target = first.get(original, "") if original else first.get(art.url, "")
            label[art.id] = label.get(target, f"x:{art.id}")
    return label


def bcubed(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 over the items of gold."""
    g_members, p_members = defaultdict(set), defaultdict(set)
    for item in gold:
        g_members[gold[item]].add(item)
        p_members[pred[item]].add(item)
    p = sum(len(g_members[gold[i]] & p_members[pred[i]]) / len(p_members[pred[i]]) for i in gold)
    r = sum(len(g_members[gold[i]] & p_members[pred[i]]) / len(g_members[gold[i]]) for i in gold)
    p, r = p / len(gold), r / len(gold)
    return p, r, 2 * p * r / (p + r)


def pairwise(
    gold: dict[str, str], pred: dict[str, str], pairs: list[tuple[str, str]]
) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 over the given candidate pairs."""
    tp = sum(1 for a, b in pairs if gold[a] == gold[b] and pred[a] == pred[b])
    fp = sum(1 for a, b in pairs if gold[a] != gold[b] and pred[a] == pred[b])
    fn = sum(1 for a, b in pairs if gold[a] == gold[b] and pred[a] != pred[b])
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, 2 * p * r / max(p + r, 1e-9)


def synthesise(articles: list[Article], n: int, seed: int = 7) -> list[Article]:
    """n distinct articles for timing: each keeps a title and mixes sentences of three others.

    Copies are shifted by whole weeks and mixed enough that near-duplicate detection keeps
    nearly all of them, so the clustering itself (not just dedup) is timed.
    """
    rng = random.Random(seed)
    pools = {
        lang: [s for a in articles if a.lang == lang for s in SPLIT_RE.findall(a.text)]
        for lang in ("zh", "en")
    }
    out: list[Article] = []
    for k in range(n):
        art = articles[k % len(articles)]
        week = k // len(articles)
        own = SPLIT_RE.findall(art.text)
        mixed = own[:1] + rng.sample(pools[art.lang], 3)
        url = f"{art.url}?w={week}"
        shift = timedelta(days=7 * week)
        out.append(
            art.model_copy(
                update={
                    "id": article_id(url),
                    "url": url,
                    "text": " ".join(mixed),
                    "published": art.published + shift,
                    "first_seen": art.first_seen + shift,
                }
            )
        )
    return out


def report_errors(articles: list[Article], gold: dict[str, str], pred: dict[str, str]) -> None:
    """Print gold stories split across predicted clusters and predicted clusters mixing stories."""
    title = {a.id: f"[{a.lang}] {a.title[:60]}" for a in articles}
    by_pred: dict[str, set[str]] = defaultdict(set)
    for i in gold:
        by_pred[pred[i]].add(i)
    for members in by_pred.values():
        if len({gold[i] for i in members}) > 1:
            print("  MIXED:", "; ".join(f"{gold[i]}: {title[i]}" for i in sorted(members)))
    by_gold: dict[str, set[str]] = defaultdict(set)
    for i in gold:
        by_gold[gold[i]].add(i)
    for story, members in sorted(by_gold.items()):
        parts = {pred[i] for i in members}
        if len(parts) > 1:
            print(
                f"  SPLIT {story}:",
                " | ".join(", ".join(title[i] for i in members if pred[i] == p) for p in parts),
            )


def main() -> None:
    """Print the synthetic report, then the real set's when its corpus is given."""
    synthetic()
    if "--real" in sys.argv:
        from benchmarks.real_eval import report as real_report

        llm = sys.argv[sys.argv.index("--llm") + 1] if "--llm" in sys.argv else None
        days = int(sys.argv[sys.argv.index("--llm-days") + 1]) if "--llm-days" in sys.argv else None
        corpus = Path(sys.argv[sys.argv.index("--real") + 1])
        base = sys.argv[sys.argv.index("--baseline") + 1] if "--baseline" in sys.argv else None
        real_report(corpus, llm, verbose="-v" in sys.argv, llm_days=days, baseline=base)


def baseline_synthetic(rev: str) -> None:
    """The code before issue 12 on the synthetic set: B-cubed and zh–en pair recall."""
    from benchmarks.baseline import load_baseline

    old = load_baseline(rev)
    articles, labels = load()
    _, weights = settings()
    kept, dropped = old.find_duplicates(articles, weights)
    on_topic = [a for a in kept if old.relevance(a) >= old.OFF_TOPIC_THRESHOLD]
    pred = cluster_labels(articles, kept, dropped, old.cluster_articles(on_topic))
    pred.update({a.id: f"off:{a.id}" for a in kept if a not in on_topic})
    gold = {i: str(lab["story"]) for i, lab in labels.items() if lab["ai"]}
    lang = {a.id: a.lang for a in articles}
    pairs = [(a, b) for a, b in combinations(sorted(gold), 2) if lang[a] != lang[b]]
    zh_en = [(a, b) for a, b in pairs if gold[a] == gold[b]]
    b_p, b_r, b_f = bcubed(gold, pred)
    recall = sum(pred[a] == pred[b] for a, b in zh_en) / len(zh_en)
    print(
        f"baseline {rev}: B-cubed P={b_p:.3f} R={b_r:.3f} F1={b_f:.3f}, zh-en recall {recall:.3f}"
    )
    digest = settings()[0]
    many, end = synthesise(articles, 2000), max(a.published for a in articles) + timedelta(hours=1)
    start = time.perf_counter()
    old.build_stories(many, digest, source_weights=weights, window_end=end)
    print(f"baseline {rev}: build_stories on 2000 articles: {time.perf_counter() - start:.2f} s")


def synthetic() -> None:
    """The hand-written synthetic set: clustering quality, relevance, speed."""
    if "--baseline" in sys.argv:
        baseline_synthetic(sys.argv[sys.argv.index("--baseline") + 1])
    articles, labels = load()
    digest, weights = settings()
    pred, off = predict(articles, weights)
    gold = {i: str(lab["story"]) for i, lab in labels.items() if lab["ai"]}
    pairs = list(combinations(sorted(gold), 2))
    lang = {a.id: a.lang for a in articles}
    zh_en = [(a, b) for a, b in pairs if lang[a] != lang[b] and gold[a] == gold[b]]
    b_p, b_r, b_f = bcubed(gold, pred)
    p_p, p_r, p_f = pairwise(gold, pred, pairs)
    zh_en_recall = sum(pred[a] == pred[b] for a, b in zh_en) / len(zh_en)
    off_gold = {i for i, lab in labels.items() if not lab["ai"]}
    off_p = len(off & off_gold) / max(len(off), 1)
    off_r = len(off & off_gold) / len(off_gold)
    window_end = max(a.published for a in articles) + timedelta(hours=1)
    result = build_stories(articles, digest, source_weights=weights, window_end=window_end)
    off_in_main = [
        a.title
        for s in result.stories
        if s.placement == "main"
        for a in s.articles
        if a.id in off_gold
    ]
    print(
        f"articles: {len(articles)} ({len(gold)} AI in {len(set(gold.values()))} stories, "
        f"{len(off_gold)} off-topic), zh-en gold pairs: {len(zh_en)}"
    )
    print(f"B-cubed   P={b_p:.3f} R={b_r:.3f} F1={b_f:.3f}")
    print(f"pairwise  P={p_p:.3f} R={p_r:.3f} F1={p_f:.3f}")
    print(f"zh-en pair recall: {zh_en_recall:.3f}")
    print(f"off-topic P={off_p:.3f} R={off_r:.3f}; uncertain kept: {len(result.uncertain)}")
    print(f"off-topic articles in main stories: {len(off_in_main)} {off_in_main}")
    many = synthesise(articles, 2000)
    start = time.perf_counter()
    big = build_stories(many, digest, source_weights=weights, window_end=window_end)
    elapsed = time.perf_counter() - start
    dups = sum(d.reason == "duplicate" for d in big.dropped)
    print(f"build_stories on {len(many)} articles: {elapsed:.2f} s ({dups} dropped as duplicates)")
    if "-v" in sys.argv:
        report_errors(articles, gold, pred)


if __name__ == "__main__":
    main()
