"""Compare the night benchmark's synthetic pages with real news pages: size, elements, CPU.

    python -m benchmarks.night_calibrate /work/corpora/scrapinghub+article-extraction-benchmark

Reads the corpus's ``html/*.html.gz`` pages (a public checkout; nothing is copied) and
the same number of the world's pages, and prints the median page size, element count and
``trafilatura.extract`` CPU time of each, so the world's pages can be held to real ones.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from pathlib import Path

import lxml.html
import trafilatura

from benchmarks.night_world import WorldSpec, build_world, page_bytes


def measure(pages: list[bytes]) -> tuple[float, float, float]:
    """Median bytes, elements and extraction CPU seconds of some pages."""
    sizes, elements, cpu = [], [], []
    for raw in pages:
        sizes.append(len(raw))
        elements.append(len(lxml.html.fromstring(raw).xpath("//*")))
        html = raw.decode("utf-8", errors="replace")
        started = time.process_time()
        trafilatura.extract(html)
        cpu.append(time.process_time() - started)
    return statistics.median(sizes), statistics.median(elements), statistics.median(cpu)


def corpus_pages(root: Path, limit: int) -> list[bytes]:
    """Up to limit pages of the scrapinghub benchmark checkout."""
    files = sorted((root / "html").glob("*.html.gz"))[:limit]
    return [gzip.decompress(f.read_bytes()) for f in files]


def world_pages(limit: int) -> list[bytes]:
    """Up to limit pages of the synthetic world (UTF-8 sites only, for a fair decode)."""
    sites = build_world(WorldSpec(articles=max(limit, 100)))
    return [page_bytes(s, i) for s in sites if not s.gbk for i in s.items][:limit]


def main() -> None:
    """Print the comparison as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="scrapinghub article-extraction-benchmark")
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    print("| pages | median size | median elements | median `trafilatura.extract` CPU |")
    print("|---|---|---|---|")
    for label, pages in (
        (f"real ({args.corpus.name})", corpus_pages(args.corpus, args.pages)),
        ("synthetic world", world_pages(args.pages)),
    ):
        size, elements, cpu = measure(pages)
        kb, ms = size / 1024, cpu * 1000
        print(f"| {label}, {len(pages)} | {kb:.0f} KB | {elements:.0f} | {ms:.1f} ms |")


if __name__ == "__main__":
    main()
