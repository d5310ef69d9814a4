"""Shared parts of the public-corpus benchmarks: the project's page path, plain trafilatura,
CPU timing, per-character F1, and writing a section of benchmarks/RESULTS.md.

The corpora are public repositories checked out on the machine; their data is read from
the path given on the command line and never copied into this repository.
"""

from __future__ import annotations

import functools
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import trafilatura

from pipeline.errors import ExtractError
from pipeline.ingest.charset import decode_html, simplify
from pipeline.ingest.extract import extract_article
from pipeline.models import FeedEntry

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION_HEADING = "## Ingestion on public corpora (issue 11)"
TZ = ZoneInfo("Asia/Shanghai")
FIRST_SEEN = datetime(2026, 2, 6, tzinfo=UTC)
SPACE_RE = re.compile(r"\s+")

# Plain trafilatura, as its users call it (comments off, as in the corpora's own runners).
PLAIN_SETTINGS: dict[str, dict[str, Any]] = {
    "extract()": {},
    "favor_precision": {"favor_precision": True},
    "favor_recall": {"favor_recall": True},
    "include_tables=False": {"include_tables": False},
    "precision, no tables (old project)": {"favor_precision": True, "include_tables": False},
}
PROJECT = "this project"


@dataclass
class Run:
    """One system's output and CPU time per page id."""

    name: str
    texts: dict[str, str] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)

    def empty(self) -> int:
        """Pages with no text at all."""
        return sum(1 for text in self.texts.values() if not text.strip())

    def cpu(self) -> tuple[float, float]:
        """Median and mean CPU milliseconds per page."""
        values = list(self.cpu_ms.values())
        return statistics.median(values), statistics.mean(values)


def project_text(html: str, url: str) -> str:
    """The project's page path: extract_article for an entry with a date (as 99 % of real
    feed entries have: see the feeds table) but no author and no text of its own."""
    entry = FeedEntry(source="benchmark", lang="zh", url=url, title="", published=FIRST_SEEN)
    try:
        result = extract_article(html, entry=entry, final_url=url, first_seen=FIRST_SEEN, tz=TZ)
    except ExtractError:
        return ""
    return result.article.text


def plain_text(html: str, options: dict[str, Any]) -> str:
    """Plain trafilatura.extract() with the given options."""
    return trafilatura.extract(html, include_comments=False, **options) or ""


WARM_UP_PAGES = 3  # untimed first calls: lazy imports and caches are not a page's cost
Extractor = Callable[[str, str], str]


def systems() -> dict[str, Extractor]:
    """The project and every plain trafilatura setting, by name."""
    found: dict[str, Extractor] = {PROJECT: project_text}
    for name, options in PLAIN_SETTINGS.items():
        found[name] = functools.partial(_plain_for, options=options)
    return found


def _plain_for(html: str, _url: str, *, options: dict[str, Any]) -> str:
    return plain_text(html, options)


def all_runs(pages: dict[str, tuple[str, str]]) -> list[Run]:
    """Every system over the same pages in one process, page by page (each page is run by
    every system in turn, the order rotating), so load from other processes on the shared
    machine falls on all systems alike."""
    extractors = systems()
    runs = {name: Run(name) for name in extractors}
    for html, url in list(pages.values())[:WARM_UP_PAGES]:
        for extract in extractors.values():
            extract(html, url)
    names = list(extractors)
    for index, (page_id, (html, url)) in enumerate(pages.items()):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.process_time()
            text = extractors[name](html, url)
            runs[name].cpu_ms[page_id] = (time.process_time() - start) * 1000
            runs[name].texts[page_id] = text
    return list(runs.values())


def decode(content: bytes) -> str:
    """Page bytes to text as the pipeline decodes them (no HTTP charset known)."""
    return decode_html(content, None)[0]


def char_prf(gold: str, predicted: str) -> tuple[float, float, float]:
    """Per-character precision, recall and F1 (multisets of non-space characters, both
    sides converted to simplified Chinese so the script does not count as an error)."""
    g = Counter(SPACE_RE.sub("", simplify(gold)))
    p = Counter(SPACE_RE.sub("", simplify(predicted)))
    if not g or not p:
        return (1.0, 1.0, 1.0) if not g and not p else (0.0, 0.0, 0.0)
    overlap = sum((g & p).values())
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return precision, recall, f1


def ms(value: float) -> str:
    """Milliseconds, as shown in the tables."""
    return f"{value:.1f}"


def write_section(key: str, markdown: str, path: Path = RESULTS) -> None:
    """Replace (or append) the marked block ``key`` under this benchmark's heading."""
    begin, end = f"<!-- begin:{key} -->", f"<!-- end:{key} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    text = path.read_text(encoding="utf-8")
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        if SECTION_HEADING not in text:
            text = text.rstrip("\n") + f"\n\n{SECTION_HEADING}\n"
        text = text.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(text, encoding="utf-8")


def machine_line(command: str, how: str = "") -> str:
    """The line stating how and where a table was measured."""
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    how = how or (
        f"CPU time per page, `time.process_time`; every system runs each decoded page in "
        f"turn, in one process, after {WARM_UP_PAGES} untimed pages; trafilatura "
        f"{trafilatura.__version__}"
    )
    return f"`{command}` — measured {when} on the shared 2-core machine ({how})."
