"""Benchmark: Chinese article extraction on opendatalab/magic-html's benchmark pages.

Scores the project's page path (``extract_article``) and plain trafilatura settings by
per-character precision, recall and F1 against the corpus's gold text, and writes the
tables to benchmarks/RESULTS.md. Sets: the Chinese pages of ``benchmark/data/article``
(gold text at least 30 % Han characters, almost no kana), all article pages, and the
Chinese pages (article and forum folders) whose gold text sits in layout tables.

    git clone https://github.com/opendatalab/magic-html CORPUS
    python -m benchmarks.magichtml_eval CORPUS
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

from lxml import html as lxml_html

from benchmarks.corpus_common import (
    PROJECT,
    Run,
    all_runs,
    char_prf,
    machine_line,
    ms,
    write_section,
)

HAN_RE = re.compile(r"[\u4e00-\u9fff]")
KANA_RE = re.compile(r"[\u3040-\u30ff]")
TEXT_NODES = "//body//text()[string-length(normalize-space(.)) >= 20][not(ancestor::script)]"
Page = tuple[str, str, str]  # html, url, gold text


def is_chinese(text: str) -> bool:
    """Gold text mostly Han characters and (almost) no kana: Chinese, not Japanese."""
    chars = "".join(text.split())
    han = len(HAN_RE.findall(chars))
    return han >= 0.3 * max(1, len(chars)) and len(KANA_RE.findall(chars)) < 0.05 * han


def in_layout_table(html: str, gold: str) -> bool:
    """Whether most of the page's gold text sits inside ``<td>`` cells."""
    squashed = "".join(gold.split())
    inside = total = 0
    for node in lxml_html.fromstring(html.encode()).xpath(TEXT_NODES):
        text = "".join(str(node).split())
        if text[:20] in squashed:
            total += len(text)
            parent = node.getparent()
            if parent is not None and (parent.tag == "td" or parent.xpath("ancestor::td")):
                inside += len(text)
    return total > 0 and inside >= 0.5 * total


def load(corpus: Path, folder: str) -> dict[str, Page]:
    """Page id → (HTML, URL, gold text) of one folder of the benchmark."""
    data = corpus / "benchmark" / "data" / folder
    base = json.loads((data / "base.json").read_text(encoding="utf-8"))
    return {
        key: ((data / "htmls" / f"{key}.html").read_text(encoding="utf-8"), v["url"], v["content"])
        for key, v in base.items()
    }


def scores(run: Run, pages: dict[str, Page]) -> tuple[float, float, float, float]:
    """Mean precision, mean recall, F1 of those means (the corpus's own aggregation) and
    the mean of per-page F1, over pages."""
    rows = [char_prf(gold, run.texts[key]) for key, (_, _, gold) in pages.items()]
    precision = statistics.mean(r[0] for r in rows)
    recall = statistics.mean(r[1] for r in rows)
    f1_of_means = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1_of_means, statistics.mean(r[2] for r in rows)


def table(runs: list[Run], pages: dict[str, Page]) -> str:
    """One results table: every system over the same pages."""
    base_med, base_mean = _cpu(next(r for r in runs if r.name == "extract()"), pages)
    lines = [
        "| system | F1 (mean P, R) | mean page F1 | precision | recall | empty | "
        "CPU ms median | mean | × extract() |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        precision, recall, f1, page_f1 = scores(run, pages)
        med, mean = _cpu(run, pages)
        empty = sum(1 for key in pages if not run.texts[key].strip())
        name = f"**{run.name}**" if run.name == PROJECT else run.name
        lines.append(
            f"| {name} | {f1:.3f} | {page_f1:.3f} | {precision:.3f} | {recall:.3f} | {empty} | "
            f"{ms(med)} | {ms(mean)} | {med / base_med:.2f} / {mean / base_mean:.2f} |"
        )
    return "\n".join(lines)


def _cpu(run: Run, pages: dict[str, Page]) -> tuple[float, float]:
    values = [run.cpu_ms[key] for key in pages]
    return statistics.median(values), statistics.mean(values)


def losses(runs: list[Run], pages: dict[str, Page]) -> str:
    """Pages where the project returns nothing while plain extract() returns text, and
    pages where its F1 is more than 0.1 below plain extract()'s."""
    project = next(r for r in runs if r.name == PROJECT)
    plain = next(r for r in runs if r.name == "extract()")
    lost = [k[:12] for k in pages if not project.texts[k] and plain.texts[k]]
    worse = []
    for key, (_, url, gold) in pages.items():
        ours, theirs = char_prf(gold, project.texts[key])[2], char_prf(gold, plain.texts[key])[2]
        if ours < theirs - 0.1:
            worse.append(f"{url[:60]} {ours:.2f} vs {theirs:.2f}")
    return (
        f"Pages where the project returns nothing and plain `extract()` returns text: "
        f"**{len(lost)}**{' (' + ', '.join(lost) + ')' if lost else ''}. "
        f"Pages more than 0.1 below plain `extract()`: **{len(worse)}**"
        f"{' (' + '; '.join(worse) + ')' if worse else ''}."
    )


def main(argv: list[str]) -> None:
    """Run the benchmark on the corpus checkout given as the first argument."""
    if len(argv) != 1:
        raise SystemExit(__doc__)
    corpus = Path(argv[0])
    articles, forums = load(corpus, "article"), load(corpus, "forum")
    chinese = {k: p for k, p in articles.items() if is_chinese(p[2])}
    tables = {
        k: p
        for k, p in {**articles, **forums}.items()
        if is_chinese(p[2]) and in_layout_table(p[0], p[2])
    }
    everything = {**articles, **{k: p for k, p in tables.items() if k not in articles}}
    runs = all_runs({k: (html, url) for k, (html, url, _) in everything.items()})
    command = f"python -m benchmarks.magichtml_eval {corpus}"
    sections = [
        "### magic-html benchmark pages (Chinese news and more)",
        machine_line(command) + " Metric: per-character precision/recall/F1 (multisets of "
        "non-space characters; both sides converted to simplified Chinese, since the project "
        "writes simplified). `F1 (mean P, R)` aggregates as the corpus's own "
        "`evaluate_articles.py` does (F1 of the mean precision and mean recall); "
        "`mean page F1` averages each page's F1. (The corpus's own metric, ROUGE-L over "
        "jieba tokens, needs jieba, ltp and rouge-score, which this project does not install.)",
        f"**Chinese article pages** (`benchmark/data/article`, {len(chinese)} pages):",
        table(runs, chinese),
        losses(runs, chinese),
        f"**All article pages** ({len(articles)} pages, several languages):",
        table(runs, articles),
        f"**Chinese pages whose text sits in layout tables** ({len(tables)} pages: the "
        "closest on-disk stand-in for the issue's older table-layout portal pages, which are "
        "not in any corpus on this machine; here Discuz forum threads):",
        table(runs, tables) if tables else "none found",
    ]
    markdown = "\n\n".join(sections)
    write_section("magic-html", markdown)
    print(markdown)


if __name__ == "__main__":
    main(sys.argv[1:])
