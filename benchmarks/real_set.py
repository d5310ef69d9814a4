"""Rebuild the real evaluation set from a checkout of christina918918/daily-ai-pulse-data.

The repository keeps one JSON file of real feed items per day (title, feed snippet,
source, language, date). Only the hand labels are committed here
(``benchmarks/data/real_labels.tsv``, keyed by the item's id); the items themselves are
read from the corpus path given on the command line and never written into the repo.

Run: ``python -m benchmarks.real_set CORPUS_DIR [--out items.jsonl]`` (prints a summary;
``--out`` writes the rebuilt items, with their labels, for reading outside the repo).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from pipeline.ingest.urls import canonicalize_url
from pipeline.models import Article

LABELS = Path(__file__).resolve().parent / "data" / "real_labels.tsv"
CST = timezone(timedelta(hours=8))
# The corpus's scraper glues the FT feed's category names onto the snippet
# ("…suggestsInvestments"); a feed reader would not see them, and "Artificial
# intelligence" there would hand relevance the answer, so they are cut off.
FT_TAGS = (
    "Artificial intelligence",
    "Technology sector",
    "Investments",
    "Global trade",
    "Geopolitics",
)
FT_TAIL_RE = re.compile(
    r"\s*(?:(?:" + "|".join(re.escape(t) for t in FT_TAGS) + r")(?:,\s*)?)+\s*$"
)


@dataclass(frozen=True)
class Label:
    """The hand label of one item: its day, whether it is AI news, its event."""

    day: date
    ai: bool
    event: str


def read_labels(path: Path = LABELS) -> dict[str, Label]:
    """Labels by item id, from the committed TSV."""
    labels: dict[str, Label] = {}
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    for line in lines[1:]:
        item_id, day, ai, event = line.split("\t")
        labels[item_id] = Label(date.fromisoformat(day), ai == "1", event)
    return labels


def clean_snippet(text: str, source: str) -> str:
    """The feed snippet as a feed reader would give it (FT's glued category tags removed)."""
    text = " ".join(text.split())
    return FT_TAIL_RE.sub("", text) if source == "Financial Times" else text


def to_article(item: dict[str, str], position: int) -> Article:
    """One corpus item as the pipeline's Article (the day's items a minute apart from noon)."""
    day = date.fromisoformat(item["date"])
    published = datetime(day.year, day.month, day.day, 12, tzinfo=CST) + timedelta(minutes=position)
    source = item.get("sourceName") or "unknown"
    return Article(
        id=item["id"],
        url=canonicalize_url(item["url"]),
        source=source,
        lang="zh" if item.get("language") == "zh" else "en",
        title=" ".join(item["title"].split()),
        published=published,
        text=clean_snippet(item.get("summary") or "", source),
        text_source="feed",
        first_seen=published,
    )


def load_real(corpus: Path, labels: dict[str, Label] | None = None) -> list[Article]:
    """The labelled items, rebuilt from the corpus checkout; fails if one is missing."""
    labels = labels if labels is not None else read_labels()
    days = sorted({lab.day for lab in labels.values()})
    articles: list[Article] = []
    for day in days:
        items = json.loads((corpus / "data" / f"{day}.json").read_text(encoding="utf-8"))
        articles += [to_article(it, n) for n, it in enumerate(items) if it["id"] in labels]
    missing = set(labels) - {a.id for a in articles}
    if missing:
        raise SystemExit(f"Error: {len(missing)} labelled items are not in {corpus}/data")
    return articles


def main(argv: list[str]) -> None:
    """Rebuild the set, print its size, optionally write it (outside the repo)."""
    if not argv or argv[0].startswith("-"):
        raise SystemExit("usage: python -m benchmarks.real_set CORPUS_DIR [--out FILE]")
    labels = read_labels()
    articles = load_real(Path(argv[0]), labels)
    ai = sum(labels[a.id].ai for a in articles)
    events = {labels[a.id].event for a in articles if labels[a.id].ai}
    print(f"{len(articles)} items, {ai} AI in {len(events)} events, {len(articles) - ai} not AI")
    if "--out" in argv:
        out = Path(argv[argv.index("--out") + 1])
        with out.open("w", encoding="utf-8") as fh:
            for art in articles:
                lab = labels[art.id]
                row = {**art.model_dump(mode="json"), "ai": lab.ai, "event": lab.event}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
