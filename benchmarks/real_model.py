"""Write a day with a real model and report how the writing held (opt-in; issue 13).

The day is ``tests/fixtures/day/articles.json`` (11 main stories, 8 更多动态 items, already
clustered). The real ``Writer`` talks to an OpenAI-compatible endpoint (by default the
local llama.cpp server of ``../shared/localllm``), then the draft is grounded, rendered
and linted as in a real run. The report gives: stories written, degraded, repaired and
flagged; digest parts left to their fallback; repeated sentences; prompt-example text in
the draft; time and tokens per call; calls that reached the deadline. As a baseline
measured in the same run, every raw answer is also judged by the limits the writer had
before soft limits were repaired (an answer those limits reject lost its story, or the
whole digest text): no extra calls are needed for it.

Answers are cached (``--cache``), so a rerun with unchanged prompts and inputs costs no
calls; a cached call has no time of its own.

Run: ``.venv/bin/python -m benchmarks.real_model --out /tmp/real-model
[--base-url URL] [--model NAME] [--timeout S] [--stories N] [--more N] [--cache FILE]
[--results benchmarks/RESULTS.md]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any

from pipeline.check.grounding import check_meta
from pipeline.config import PROJECT_DIR, LLMSettings, Settings, load_settings
from pipeline.formats.daily import checked_drafts, checked_more, daily_draft
from pipeline.llm.client import CallLog
from pipeline.llm.prompts import PROMPTS_DIR
from pipeline.llm.repair import Echo, repeated_sentences
from pipeline.llm.structured import repair_json
from pipeline.markdown.lint import lint_text
from pipeline.markdown.render import render_daily
from pipeline.models import DigestMeta, MoreItem, Story, StoryDraft, WriteResult
from pipeline.store.archive import Archive
from pipeline.text.sentences import split_sentences
from pipeline.write.daily import Writer, write_digest

DAY_FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "day" / "articles.json"
SECTION_START = "## Real model (issue 13)"
QUOTED_RE = re.compile(r"“([^”]{2,40})”")
PLACEHOLDER_RE = re.compile(r"〈[^〉]*〉")
ID_RE = re.compile(r"[asmr]\d+")
# the publication's own vocabulary, which the prompts quote as rules, not as examples
FORMAT_WORDS = frozenset(
    {"对 AI 概念股", "对 AI 应用股", "投资启示", "更多动态", "来源出处", "资本市场相关：是"}
)
# the limits the writer enforced before issue 13 (an answer breaking one was asked again,
# then the story or the whole digest text was lost)
LEGACY = {
    "story": {"headline": 80, "label": 24, "facts": 8, "analysis": 4, "impact": 4},
    "digest": {"title": 80, "summary": 12, "section": 40, "more": 60},
}


def load_day(path: Path = DAY_FIXTURE) -> tuple[Date, list[Story]]:
    """The fixture day: its date and its stories (main first, as ranked)."""
    raw = json.loads(path.read_text("utf-8"))
    return Date.fromisoformat(raw["date"]), [Story.model_validate(s) for s in raw["stories"]]


def pick(stories: Sequence[Story], main: int, more: int) -> list[Story]:
    """The first ``main`` main stories and ``more`` 更多动态 items."""
    mains = [s for s in stories if s.placement == "main"][:main]
    return mains + [s for s in stories if s.placement == "more"][:more]


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    return []


def example_phrases(directory: Path = PROMPTS_DIR) -> set[str]:
    """Text a prompt shows as an example: the example answers' values and quoted phrases."""
    found: set[str] = set()
    for path in directory.iterdir():
        text = path.read_text("utf-8")
        if path.name.endswith(".example.json"):
            found |= set(_strings(json.loads(text)))
        else:
            found |= set(QUOTED_RE.findall(text))
    return {p for p in found if len(p) >= 4 and p not in FORMAT_WORDS and not ID_RE.fullmatch(p)}


def leaked(markdown: str, stories: Sequence[Story], phrases: set[str]) -> list[str]:
    """Example text in the draft that is not in any source (placeholders always count)."""
    sources = " ".join(a.title + a.text for s in stories for a in s.articles)
    hits = [p for p in phrases if p in markdown and p not in sources]
    return sorted(set(hits + PLACEHOLDER_RE.findall(markdown)))


def prompt_echoes(texts: Sequence[str], stories: Sequence[Story]) -> list[str]:
    """Sentences of the written text that say back a piece of any prompt file (eight
    characters or more that no source has): instructions copied into the draft."""
    prompt = "\n".join(p.read_text("utf-8") for p in PROMPTS_DIR.iterdir())
    echo = Echo(prompt, [a.title + "\n" + a.text for s in stories for a in s.articles])
    return [s for text in texts for s in split_sentences(text) if echo.heard(s)]


def written_texts(
    meta: DigestMeta, drafts: Sequence[StoryDraft], more: Sequence[MoreItem]
) -> list[str]:
    """Every text of the draft the model wrote (not the template's fixed words)."""
    texts = [meta.title, *meta.summary, *meta.section_titles.values()]
    for draft in drafts:
        texts += [draft.headline, *story_texts(draft), *(f.label for f in draft.facts)]
    return texts + [m.title + "：" + m.text for m in more]


def legacy_rejects(kind: str, content: str) -> list[str]:
    """What the pre-issue-13 limits would have rejected in a raw answer ([] if it passed)."""
    try:
        data = repair_json(content)
    except ValueError:
        return ["not JSON"]
    limits = LEGACY.get(kind, {})
    if kind == "story":
        return _legacy_story(data, limits)
    if kind == "digest":
        return _legacy_digest(data, limits)
    return []


def _long(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) > limit


def _legacy_story(data: dict[str, Any], limits: dict[str, int]) -> list[str]:
    found = []
    if _long(data.get("headline"), limits["headline"]):
        found.append("headline over 80")
    facts = data.get("facts") or []
    found += [f"label over 24: {f.get('label')}" for f in facts if _long(f.get("label"), 24)]
    for name in ("facts", "analysis", "impact"):
        if len(data.get(name) or []) > limits[name]:
            found.append(f"{name}: more than {limits[name]}")
    return found


def _legacy_digest(data: dict[str, Any], limits: dict[str, int]) -> list[str]:
    found = []
    if _long(data.get("title"), limits["title"]):
        found.append("title over 80")
    if len(data.get("summary") or []) > limits["summary"]:
        found.append("summary: more than 12")
    sections = data.get("section_titles") or []
    found += [
        f"section title over 40: {s.get('title')}" for s in sections if _long(s.get("title"), 40)
    ]
    more = data.get("more") or []
    found += [
        f"更多动态 title over 60: {m.get('title')}" for m in more if _long(m.get("title"), 60)
    ]
    return found


@dataclass
class Report:
    """What one run measured."""

    model: str
    base_url: str
    timeout: float
    main: int
    more: int
    seconds: float = 0.0
    written: int = 0
    degraded: int = 0
    repaired_stories: int = 0
    repairs: int = 0
    retries: int = 0
    loops: int = 0
    flagged_stories: int = 0
    unsupported: int = 0
    degraded_parts: int = 0
    repeated: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)
    echoed: list[str] = field(default_factory=list)
    lint_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    cache_hits: int = 0
    legacy_lost_stories: int = 0
    legacy_lost_digest: bool = False
    legacy_reasons: list[str] = field(default_factory=list)
    command: str = ""
    repairs_by_story: dict[str, list[str]] = field(default_factory=dict)


def llm_settings(args: argparse.Namespace) -> LLMSettings:
    """The endpoint to write with: a single-slot local server wants one call at a time."""
    return LLMSettings(
        provider="custom",
        base_url=args.base_url,
        model=args.model,
        timeout=args.timeout,
        concurrency=args.concurrency,
        max_retries=1,
        story_input_tokens=args.story_input_tokens,
    )


def draft_markdown(
    settings: Settings, day: Date, stories: list[Story], written: WriteResult
) -> tuple[str, dict[str, list[str]], dict[str, StoryDraft]]:
    """Ground and render the draft as a run does; findings per story."""
    main = [s for s in stories if s.placement == "main"]
    drafts, findings = checked_drafts(main, written)
    more, more_findings = checked_more(stories, written.more)
    meta, meta_findings = check_meta(written.meta, list(drafts.values()), main)
    findings.update({k: v for k, v in more_findings.items() if v})
    findings["digest"] = meta_findings
    written = written.model_copy(update={"meta": meta})
    draft = daily_draft(day, settings, main, drafts, written, more)
    return render_daily(draft, settings.publication, settings.templates_dir), findings, drafts


def story_texts(draft: StoryDraft) -> list[str]:
    """Every sentence-bearing text of a story draft."""
    facts = [f.text for f in draft.facts] + [i.text for i in draft.impact]
    return [draft.lead, *facts, *draft.analysis]


def call_rows(calls: Sequence[CallLog]) -> list[dict[str, Any]]:
    """Per call: kind, seconds, tokens, finish reason."""
    return [
        {
            "kind": c.kind,
            "key": c.key,
            "seconds": c.seconds,
            "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens,
            "finish": c.finish,
            "estimated": c.estimated,
            "legacy_rejects": legacy_rejects(c.kind, c.content),
        }
        for c in calls
    ]


def measure(
    report: Report,
    stories: list[Story],
    written: WriteResult,
    writer: Writer,
    settings: Settings,
    day: Date,
) -> str:
    """Fill the report from the write result and the rendered draft; return the draft."""
    markdown, findings, drafts = draft_markdown(settings, day, stories, written)
    report.written = sum(not d.degraded for d in written.drafts.values())
    report.degraded = sum(d.degraded for d in written.drafts.values())
    report.repairs_by_story = {k: d.repairs for k, d in written.drafts.items() if d.repairs}
    report.repaired_stories = len(report.repairs_by_story)
    stats = written.stats
    report.repairs, report.retries, report.loops = stats.repairs, stats.retries, stats.loops
    report.cache_hits = stats.cache_hits
    report.flagged_stories = sum(1 for k, v in findings.items() if v and k != "digest")
    report.unsupported = sum(len(v) for v in findings.values())
    report.failures = [f"{f.url}: {f.error}" for f in written.failures]
    report.degraded_parts = stats.degraded_parts
    report.repeated = [s for d in drafts.values() for s in repeated_sentences(story_texts(d))]
    report.leaked = leaked(markdown, stories, example_phrases())
    texts = written_texts(written.meta, list(drafts.values()), written.more)
    report.echoed = prompt_echoes(texts, stories)
    report.lint_errors = [p.message for p in lint_text(markdown) if p.severity == "error"]
    report.calls = call_rows(writer.client.calls if writer.client else [])
    legacy(report)
    return markdown


def legacy(report: Report) -> None:
    """The baseline: what the old limits would have lost with these very answers (the last
    answer of each call counts: the old writer asked again too)."""
    last = {call.get("key", str(n)): call for n, call in enumerate(report.calls)}
    report.legacy_lost_stories, report.legacy_lost_digest = 0, False
    report.legacy_reasons = []
    for call in last.values():
        if not call["legacy_rejects"]:
            continue
        report.legacy_reasons += [f"{call['kind']}: {r}" for r in call["legacy_rejects"]]
        if call["kind"] == "story":
            report.legacy_lost_stories += 1
        elif call["kind"] == "digest":
            report.legacy_lost_digest = True


def table(report: Report, command: str) -> str:
    """The report as the Markdown section of benchmarks/RESULTS.md."""
    calls = report.calls
    legacy_digest = "all (digest answer rejected)" if report.legacy_lost_digest else "none"
    legacy_digest = legacy_digest if calls else "—"
    story_secs = [c["seconds"] for c in calls if c["kind"] == "story"]
    lines = [
        SECTION_START,
        "",
        f"Command: `{command}`. Machine: 2 cores, shared; model `{report.model}` at "
        f"`{report.base_url}`, per-call deadline {report.timeout:g} s, one call at a time.",
        f"Day: `tests/fixtures/day/articles.json`, {report.main} main stories and "
        f"{report.more} 更多动态 items; {len(calls)} calls made, {report.cache_hits} answered "
        f"from the cache; {report.seconds:.0f} s in all.",
        "",
        "| measure | this run | baseline: same answers, pre-issue-13 limits |",
        "|---|---|---|",
        f"| main stories written by the model | {report.written} of {report.main} | "
        + (
            f"{max(0, report.written - report.legacy_lost_stories)} of {report.main} "
            f"({report.legacy_lost_stories} answers rejected) |"
            if calls
            else "not measured: every answer came from the cache |"
        ),
        f"| stories degraded (extractive) | {report.degraded} | — |",
        f"| stories repaired / repairs | {report.repaired_stories} / {report.repairs} "
        "| 0 (no repair) |",
        f"| digest parts left to a fallback | {report.degraded_parts} | {legacy_digest} |",
        f"| answers asked again / cut at a loop | {report.retries} / {report.loops} | — |",
        f"| stories flagged / unsupported claims | {report.flagged_stories} / "
        f"{report.unsupported} | — |",
        f"| repeated sentences in a story | {len(report.repeated)} | — |",
        f"| prompt-example text in the draft | {len(report.leaked)} | — |",
        f"| sentences copied from a prompt's instructions | {len(report.echoed)} | — |",
        f"| lint errors | {len(report.lint_errors)} | — |",
    ]
    if story_secs:
        lines.append(
            f"| story call time: median / max (s) | {statistics.median(story_secs):.0f} / "
            f"{max(story_secs):.0f} | — |"
        )
    lines += ["", "Calls (time, tokens in → out, finish):", ""]
    lines += [
        f"- {c['kind']}: {c['seconds']:.0f} s, {c['prompt_tokens']} → "
        f"{c['completion_tokens']}{'~' if c['estimated'] else ''} tokens, {c['finish']}"
        for c in calls
    ]
    if report.legacy_reasons:
        lines += ["", "What the old limits rejected: " + "; ".join(report.legacy_reasons[:12])]
    return "\n".join(lines) + "\n"


def update_results(path: Path, section: str) -> None:
    """Replace this benchmark's section of RESULTS.md (append it if missing)."""
    text = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    start = text.find(SECTION_START)
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + section, "utf-8")
        return
    end = text.find("\n## ", start + len(SECTION_START))
    rest = text[end + 1 :] if end >= 0 else ""
    path.write_text(text[:start] + section + ("\n" + rest if rest else ""), "utf-8")


async def write_day(
    args: argparse.Namespace, settings: Settings, day: Date, stories: list[Story]
) -> tuple[WriteResult, Writer]:
    """The write stage on the chosen stories, with the answer cache."""
    with Archive(Path(args.cache)) as cache:
        writer = Writer(llm_settings(args), cache=cache)
        written = await write_digest(stories, settings.digest.sections, date=day, writer=writer)
    return written, writer


def rerender(path: Path, results: str) -> None:
    """The table of a saved run again (after a fix to the report's arithmetic)."""
    data = json.loads(path.read_text("utf-8"))
    report = Report(**data)
    legacy(report)
    section = table(report, report.command or "python -m benchmarks.real_model")
    if results:
        update_results(Path(results), section)
    print(section)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, write the day, save the draft and the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--model", default="local")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--story-input-tokens", type=int, default=1800)
    parser.add_argument("--stories", type=int, default=11)
    parser.add_argument("--more", type=int, default=8)
    parser.add_argument("--cache", default="/tmp/real-model-cache.sqlite3")
    parser.add_argument("--out", default="/tmp/real-model")
    parser.add_argument("--results", default="")
    parser.add_argument("--from-report", default="", help="re-render a saved report.json")
    args = parser.parse_args(argv)
    if args.from_report:
        rerender(Path(args.from_report), args.results)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings(env={}, overrides={})
    day, every = load_day()
    stories = pick(every, args.stories, args.more)
    report = Report(args.model, args.base_url, args.timeout, args.stories, args.more)
    started = time.monotonic()
    written, writer = asyncio.run(write_day(args, settings, day, stories))
    report.seconds = time.monotonic() - started
    markdown = measure(report, stories, written, writer, settings, day)
    given = sys.argv[1:] if argv is None else argv
    report.command = ("python -m benchmarks.real_model " + " ".join(given)).strip()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{day}.md").write_text(markdown, "utf-8")
    (out / "report.json").write_text(
        json.dumps(vars(report), ensure_ascii=False, indent=1), "utf-8"
    )
    section = table(report, report.command)
    if args.results:
        update_results(Path(args.results), section)
    print(section)


if __name__ == "__main__":
    main()
