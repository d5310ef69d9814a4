"""Grounding and output safety of what the writer produced.

Every number, Latin-script name and link of a draft must come from the story's own
articles. What cannot be found is marked in place with ``【待核实：…】`` (which ``digest
lint`` refuses to publish) and listed; links to other sites, raw HTML and calls to action
that the sources do not contain are removed from the text and listed. Pure: no I/O.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from pydantic import BaseModel, Field

from pipeline.check.quantities import (
    Quantity,
    extract_quantities,
    normalize_digits,
    quantities_match,
)
from pipeline.models import (
    UNSUPPORTED_MARK,
    Article,
    DigestMeta,
    Fact,
    Impact,
    MoreItem,
    Story,
    StoryDraft,
)
from pipeline.stories.aliases import zh_aliases
from pipeline.text.sanitize import BARE_URL, MD_LINK, check_link, link_key, sanitize_text

logger = logging.getLogger(__name__)

_Line = TypeVar("_Line", Fact, Impact)
_CHINA = timezone(timedelta(hours=8))
_MAX_WINDOW = 8  # longest name, in atoms, looked up in the sources

_MARK = re.compile(r"【待核实：[^】]*】")
_ENTITY = re.compile(r"&(?:[a-z]+|#[0-9]+|#x[0-9a-f]+);", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s)")
_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[-‐‑_.+'’&][A-Za-z0-9]+)*")
_VERSION = re.compile(r" ?([0-9]{1,2}(?:\.[0-9]+)*)(?![0-9%A-Za-z])")
_BARE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_ATOM = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)*")
_RUN_GAP = re.compile(r"[\s\-‐‑‒–—_.·/'’:]*")

# fmt: off
# Calls to action: removed with their sentence unless a source says the same.
_CALLS_TO_ACTION = [re.compile(p, re.IGNORECASE) for p in (
    r"点击(?:链接|这里|此处|下方|阅读原文|进入|购买)", r"阅读原文", r"扫码", r"扫描二维码",
    r"关注(?:我们的?)?(?:公众号|微信号|账号)", r"关注我们",
    r"立即(?:购买|下单|注册|下载|加入|领取|订阅|咨询|抢购)", r"马上(?:购买|注册|下载|加入)",
    r"(?:联系|添加|加)\s?(?:微信|VX|WX|QQ)", r"微信号", r"私信", r"优惠码", r"邀请码",
    r"限时优惠", r"转发(?:本文|到朋友圈)", r"一键三连",
    r"click\s+(?:here|the\s+link|below)", r"sign\s+up", r"subscribe\s+(?:now|to|today)",
    r"visit\s+(?:https?://|www\.)", r"buy\s+now", r"order\s+now", r"follow\s+us", r"\bDM\s+me\b",
    r"join\s+(?:our|the)\s+(?:telegram|discord|group|channel|community)",
    r"(?:promo|coupon|discount)\s+code", r"download\s+now",
)]

# Latin terms the writer may use freely: generic vocabulary, not claims.
_COMMON_TERMS = frozenset((
    "ai", "agi", "aigc", "api", "apis", "app", "apps", "ceo", "cto", "cfo", "coo", "gpu", "gpus",
    "cpu", "cpus", "tpu", "npu", "llm", "llms", "sota", "token", "tokens", "agent", "agents",
    "agentic", "ipo", "kpi", "kpis", "roi", "saas", "paas", "iaas", "it", "pc", "ui", "ux", "sdk",
    "ide", "cli", "moe", "rag", "rl", "rlhf", "sft", "transformer", "transformers", "prompt",
    "prompts", "benchmark", "benchmarks", "chatbot", "chatbots", "to", "ok", "vs", "etc",
    "open", "source", "opensource", "model", "models", "web", "online", "offline", "toc", "tob",
    "b2b", "b2c", "ar", "vr", "xr", "iot", "id", "bug", "bugs", "demo", "ip", "http", "https",
    "www",
))
# fmt: on


class CheckResult(BaseModel):
    """A draft with its unsupported claims marked, and the list of findings."""

    draft: StoryDraft
    unsupported: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class _Evidence:
    """What a set of source articles can support."""

    quantities: tuple[Quantity, ...]
    names: frozenset[str]
    text: str
    urls: frozenset[str]


@dataclass(frozen=True)
class _Claim:
    start: int
    end: int
    raw: str
    finding: str


# --- public API ----------------------------------------------------------------------------


def check_draft(draft: StoryDraft, story: Story) -> CheckResult:
    """Mark every number, name and link of ``draft`` that the story's sources do not carry."""
    try:
        safe, findings = _secure_draft(draft, story)
        grounded, more = _ground_draft(safe, story)
    except Exception:  # the check must never sink a run: degrade to "everything unverified"
        logger.exception("check failed on story %s", draft.story_id)
        grounded, findings, more = draft, [], ["检查出错，整条待核实"]
    unsupported = _unique([*findings, *more])
    listed = _unique([*draft.unsupported, *unsupported])
    marked = grounded.model_copy(update={"unsupported": listed})
    return CheckResult(draft=marked, unsupported=unsupported)


def check_output_safety(draft: StoryDraft, story: Story) -> list[str]:
    """Raw HTML, links outside the story's sources and foreign calls to action in ``draft``."""
    return _secure_draft(draft, story)[1]


def check_more_item(item: MoreItem, story: Story) -> tuple[MoreItem, list[str]]:
    """Check one 更多动态 line against its story's sources; return it marked."""
    ev = _evidence(story.articles)
    findings: list[str] = []
    url = item.url
    if not check_link(url, ev.urls) and story.articles:
        findings.append(f"链接 {url} 不是本条来源")
        url = story.primary.url
    title = _check_text(item.title, ev, findings)
    text = _check_text(item.text, ev, findings)
    return item.model_copy(update={"title": title, "text": text, "url": url}), _unique(findings)


def check_meta(
    meta: DigestMeta, drafts: Sequence[StoryDraft], stories: Sequence[Story]
) -> tuple[DigestMeta, list[str]]:
    """Check the digest title, summary bullets and section titles against all sources.

    ``drafts`` are not evidence (they are the writer's own words); only the articles
    of ``stories`` are.
    """
    del drafts  # kept in the signature so callers pass what the meta was written from
    ev = _evidence([a for s in stories for a in s.articles])
    findings: list[str] = []
    title = _check_text(meta.title, ev, findings)
    summary = [_check_text(line, ev, findings) for line in meta.summary]
    sections = {k: _check_text(v, ev, findings) for k, v in meta.section_titles.items()}
    update = {"title": title, "summary": summary, "section_titles": sections}
    return meta.model_copy(update=update), _unique(findings)


def secure_lines(lines: Sequence[str], stories: Sequence[Story]) -> tuple[list[str], list[str]]:
    """Lines quoted from the sources (extractive fallbacks): sanitiser and link check, no grounding.

    Their numbers and names are the sources' own, but their markup and links are as
    untrusted as anything else a feed says.
    """
    ev = _evidence([a for s in stories for a in s.articles])
    findings: list[str] = []
    safe = [_make_safe(line, ev, ev.urls, findings) for line in lines]
    return safe, _unique(findings)


# --- draft traversal -----------------------------------------------------------------------


def _secure_draft(draft: StoryDraft, story: Story) -> tuple[StoryDraft, list[str]]:
    ev = _evidence(story.articles)
    findings: list[str] = []
    url = draft.url
    if not check_link(url, ev.urls) and story.articles:
        findings.append(f"链接 {url} 不是本条来源")
        url = story.primary.url
    safe = _map_fields(draft, story, lambda text, e: _make_safe(text, e, ev.urls, findings))
    return safe.model_copy(update={"url": url}), findings


def _ground_draft(draft: StoryDraft, story: Story) -> tuple[StoryDraft, list[str]]:
    findings: list[str] = []
    return _map_fields(draft, story, lambda text, e: _ground(text, e, findings)), findings


def _map_fields(
    draft: StoryDraft, story: Story, fix: Callable[[str, _Evidence], str]
) -> StoryDraft:
    """Apply ``fix`` to every text field, each with the evidence it must rest on."""
    every = _evidence(story.articles)
    facts = [_map_line(f, story, every, fix) for f in draft.facts]
    impact = [_map_line(i, story, every, fix) for i in draft.impact]
    return draft.model_copy(
        update={
            "headline": fix(draft.headline, every),
            "lead": fix(draft.lead, every),
            "analysis": [fix(p, every) for p in draft.analysis],
            "facts": facts,
            "impact": impact,
        }
    )


def _map_line(
    line: _Line, story: Story, every: _Evidence, fix: Callable[[str, _Evidence], str]
) -> _Line:
    ev = _cited_evidence(line.sources, story) or every
    return line.model_copy(update={"label": fix(line.label, ev), "text": fix(line.text, ev)})


def _cited_evidence(ids: list[str], story: Story) -> _Evidence | None:
    """Evidence of the articles a line cites; None when it cites none the story knows."""
    cited = [a for a in story.articles if a.id in ids]
    return _evidence(cited) if cited else None


def _check_text(text: str, ev: _Evidence, findings: list[str]) -> str:
    return _ground(_make_safe(text, ev, ev.urls, findings), ev, findings)


# --- evidence ------------------------------------------------------------------------------


def _evidence(articles: Iterable[Article]) -> _Evidence:
    return _merge(tuple(_article_evidence(a) for a in articles))


@functools.lru_cache(maxsize=256)
def _merge(parts: tuple[_Evidence, ...]) -> _Evidence:
    return _Evidence(
        quantities=tuple(q for p in parts for q in p.quantities),
        names=frozenset().union(*(p.names for p in parts)),
        text="\n".join(p.text for p in parts),
        urls=frozenset().union(*(p.urls for p in parts)),
    )


@functools.lru_cache(maxsize=512)
def _article_evidence(article: Article) -> _Evidence:
    corpus = "\n".join(
        x
        for x in (article.title, article.text, article.site_name, article.source, article.author)
        if x
    )
    return _Evidence(
        quantities=(*extract_quantities(corpus), *_published_dates(article.published)),
        names=_name_keys(normalize_digits(corpus)),
        text=corpus,
        urls=frozenset({link_key(article.url)}),
    )


def _published_dates(published: datetime) -> list[Quantity]:
    """The day of publication (±1, in its own zone and in China): "today" in a source."""
    out: list[Quantity] = []
    for moment in (published, published.astimezone(_CHINA)):
        for shift in (-1, 0, 1):
            day = (moment + timedelta(days=shift)).date()
            out.append(Quantity(str(day), float(day.month * 100 + day.day), "date", "date"))
            out.append(Quantity(str(day.year), float(day.year), "year", "date"))
    return out


def _name_keys(text: str) -> frozenset[str]:
    """Every run of up to ``_MAX_WINDOW`` adjacent Latin atoms, joined: name lookup keys."""
    keys: set[str] = set()
    run: list[str] = []
    last_end = -1
    for m in _ATOM.finditer(text.lower()):
        if last_end >= 0 and not _RUN_GAP.fullmatch(text, last_end, m.start()):
            _add_windows(run, keys)
            run = []
        run.append(m.group())
        last_end = m.end()
    _add_windows(run, keys)
    return frozenset(keys)


def _add_windows(run: list[str], keys: set[str]) -> None:
    for i in range(len(run)):
        for j in range(i + 1, min(len(run), i + _MAX_WINDOW) + 1):
            keys.add("".join(run[i:j]))


def _name_key(raw: str) -> str:
    return "".join(_ATOM.findall(normalize_digits(raw).lower()))


# --- safety --------------------------------------------------------------------------------


def _make_safe(text: str, ev: _Evidence, allowed: frozenset[str], findings: list[str]) -> str:
    """The one sanitiser (markup, links, invisible characters), then foreign calls to action."""
    text = sanitize_text(text, lambda url: check_link(url, allowed), findings)
    return _drop_calls_to_action(text, ev, findings)


def _drop_calls_to_action(text: str, ev: _Evidence, findings: list[str]) -> str:
    for pattern in _CALLS_TO_ACTION:
        while (m := pattern.search(text)) is not None and not pattern.search(ev.text):
            findings.append(f"号召用语「{m.group()}」不见于来源，所在句子已删除")
            start, end = _sentence_bounds(text, m.start(), m.end())
            text = (text[:start] + text[end:]).strip()
    return text


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return (before[-1] if before else 0), (after.end() if after else len(text))


# --- grounding -----------------------------------------------------------------------------


def _ground(text: str, ev: _Evidence, findings: list[str]) -> str:
    """Mark in ``text`` every number and Latin name that ``ev`` does not support.

    Marks already present are kept but read around, so checking twice changes nothing.
    """
    clean, kept = _split_marks(text)
    masked = _masked_spans(clean)
    quantities = [q for q in extract_quantities(clean) if not _overlaps(q.start, q.end, masked)]
    claims, versions = _name_claims(clean, quantities, masked, ev)
    claims += [_number_claim(q) for q in quantities if q not in versions and not _supported(q, ev)]
    findings.extend(c.finding for c in claims)
    new = {(c.end, UNSUPPORTED_MARK.format(claim=c.raw)): None for c in claims}
    return _join_marks(clean, kept, [m for m in new if m not in kept])


def _supported(q: Quantity, ev: _Evidence) -> bool:
    return any(quantities_match(q, e) for e in ev.quantities)


def _number_claim(q: Quantity) -> _Claim:
    what = "日期" if q.kind == "date" else "数字"
    return _Claim(q.start, q.end, q.raw, f"{what} {q.raw} 不见于来源")


def _name_claims(
    text: str, quantities: list[Quantity], masked: list[tuple[int, int]], ev: _Evidence
) -> tuple[list[_Claim], set[Quantity]]:
    """Unsupported Latin names, and the bare numbers read as their versions (``Opus 4.6``)."""
    spans = [(q.start, q.end) for q in quantities]
    bare = {
        q.start: q
        for q in quantities
        if q.unit == "none" and _BARE.fullmatch(normalize_digits(q.raw))
    }
    claims: list[_Claim] = []
    versions: set[Quantity] = set()
    norm = normalize_digits(text)
    for m in _WORD.finditer(norm):
        word = m.group()
        if not any(c.isalpha() for c in word) or _overlaps(m.start(), m.end(), spans + masked):
            continue
        end, version = _version_after(norm, m.end(), bare)
        if version is not None:
            versions.add(version)
        raw = text[m.start() : end]
        if not _name_supported(raw, word, version, ev):
            claims.append(_Claim(m.start(), end, raw, f"名称 {raw} 不见于来源"))
    return claims, versions


def _version_after(text: str, end: int, bare: dict[int, Quantity]) -> tuple[int, Quantity | None]:
    v = _VERSION.match(text, end)
    if v is None or (q := bare.get(v.start(1))) is None or q.end != v.end(1):
        return end, None
    return v.end(1), q


def _name_supported(raw: str, word: str, version: Quantity | None, ev: _Evidence) -> bool:
    key = _name_key(raw)
    if key in ev.names or _known_term(key, ev):
        return True
    if version is None:
        return False
    # "Verified 80.2": a word and a score that the sources give separately
    return _name_key(word) in ev.names and any(
        e.unit == "none" and e.value == version.value for e in ev.quantities
    )


def _known_term(key: str, ev: _Evidence) -> bool:
    if len(key) <= 1 or key in _COMMON_TERMS:
        return True
    return any(alias in ev.text for alias in zh_aliases(key))  # zh supports Latin, not back


def _masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans never checked as claims: kept links and HTML entities."""
    spans = [(m.start("url") - 1, m.end()) for m in MD_LINK.finditer(text)]
    spans += [(m.start(), m.end()) for m in BARE_URL.finditer(text)]
    spans += [(m.start(), m.end()) for m in _ENTITY.finditer(text)]
    return spans


def _split_marks(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text without its marks, and each mark with its position in that text."""
    parts, kept, pos, removed = [], [], 0, 0
    for m in _MARK.finditer(text):
        parts.append(text[pos : m.start()])
        kept.append((m.start() - removed, m.group()))
        removed, pos = removed + m.end() - m.start(), m.end()
    return "".join([*parts, text[pos:]]), kept


def _join_marks(clean: str, kept: list[tuple[int, str]], new: list[tuple[int, str]]) -> str:
    out, pos = [], 0
    for at, mark in sorted([*kept, *new], key=lambda m: m[0]):  # stable: old marks first
        out += [clean[pos:at], mark]
        pos = at
    return "".join([*out, clean[pos:]])


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
