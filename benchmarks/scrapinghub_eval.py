"""Benchmark: article extraction on the Scrapinghub article-extraction-benchmark (181 pages).

Scores the project's page path (``decode_html`` → ``extract_article``) and plain
trafilatura settings with the corpus's own ``evaluate.py`` (shingle F1, precision,
recall), and writes the table to benchmarks/RESULTS.md.

    git clone https://github.com/scrapinghub/article-extraction-benchmark CORPUS
    python -m benchmarks.scrapinghub_eval CORPUS
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.corpus_common import PROJECT, Run, all_runs, decode, machine_line, ms, write_section

N_BOOTSTRAP = 200
WORSE_BY = 0.1  # a page where the project's F1 is this much below plain extract() is listed


def load_evaluate(corpus: Path) -> ModuleType:
    """The corpus's own evaluate.py, imported from the checkout (not copied)."""
    spec = importlib.util.spec_from_file_location("sh_evaluate", corpus / "evaluate.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no evaluate.py in {corpus}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(corpus: Path) -> dict[str, tuple[str, str]]:
    """Page id → (decoded HTML, URL) for every page of the corpus."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for path in sorted((corpus / "html").glob("*.html.gz")):
        page_id = path.name.split(".")[0]
        url = truth.get(page_id, {}).get("url") or f"https://example.com/{page_id}"
        pages[page_id] = (decode(gzip.decompress(path.read_bytes())), url)
    return pages


def score(evaluate: ModuleType, truth: dict[str, Any], run: Run) -> dict[str, Any]:
    """The corpus's metrics for one run."""
    prediction = {key: {"articleBody": run.texts.get(key, "")} for key in truth}
    metrics: dict[str, Any] = evaluate.evaluate(truth, prediction, N_BOOTSTRAP)
    return metrics


def page_f1(evaluate: ModuleType, truth: str, predicted: str) -> float:
    """Shingle F1 of one page, by the corpus's matching."""
    tp, fp, fn = evaluate.string_shingle_matching(true=truth, pred=predicted)
    precision = evaluate.precision_score(tp, fp, fn)
    recall = evaluate.recall_score(tp, fp, fn)
    return float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0


def table(runs: list[Run], metrics: dict[str, dict[str, Any]]) -> str:
    """The results table, the project first."""
    base_med, base_mean = next(r for r in runs if r.name == "extract()").cpu()
    lines = [
        "| system | F1 | precision | recall | empty pages | CPU ms/page median | mean "
        "| × extract() (median / mean) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        m, (med, mean) = metrics[run.name], run.cpu()
        name = f"**{run.name}**" if run.name == PROJECT else run.name
        lines.append(
            f"| {name} | {m['f1']:.3f} ± {m['f1_std']:.3f} | {m['precision']:.3f} | "
            f"{m['recall']:.3f} | {run.empty()} | {ms(med)} | {ms(mean)} | "
            f"{med / base_med:.2f} / {mean / base_mean:.2f} |"
        )
    return "\n".join(lines)


def page_comparison(evaluate: ModuleType, truth: dict[str, Any], runs: list[Run]) -> str:
    """Pages where the project returns nothing or does clearly worse than plain extract()."""
    project = next(r for r in runs if r.name == PROJECT)
    plain = next(r for r in runs if r.name == "extract()")
    lost = [k for k in truth if not project.texts.get(k) and plain.texts.get(k)]
    worse = []
    for key in truth:
        gold = truth[key].get("articleBody", "")
        ours, theirs = (
            page_f1(evaluate, gold, project.texts[key]),
            page_f1(evaluate, gold, plain.texts[key]),
        )
        if ours < theirs - WORSE_BY:
            worse.append(f"`{key[:12]}` {ours:.2f} vs {theirs:.2f}")
    return (
        f"Pages where the project returns nothing and plain `extract()` returns text: "
        f"**{len(lost)}**{': ' + ', '.join(lost) if lost else ''}. "
        f"Pages where the project's F1 is more than {WORSE_BY} below plain `extract()`: "
        f"**{len(worse)}**{' (' + '; '.join(worse) + ')' if worse else ''}."
    )


def main(argv: list[str]) -> None:
    """Run the benchmark on the corpus checkout given as the first argument."""
    if len(argv) != 1:
        raise SystemExit(__doc__)
    corpus = Path(argv[0])
    evaluate = load_evaluate(corpus)
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    runs = all_runs(load_pages(corpus))
    metrics = {run.name: score(evaluate, truth, run) for run in runs}
    command = f"python -m benchmarks.scrapinghub_eval {corpus}"
    markdown = "\n\n".join(
        [
            "### Scrapinghub article-extraction-benchmark (181 English pages)",
            machine_line(command) + " Metric: the corpus's own `evaluate.py` (shingle F1; "
            f"± is its bootstrap standard deviation, {N_BOOTSTRAP} samples).",
            table(runs, metrics),
            page_comparison(evaluate, truth, runs),
        ]
    )
    write_section("scrapinghub", markdown)
    print(markdown)


if __name__ == "__main__":
    main(sys.argv[1:])
