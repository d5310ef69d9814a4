"""What the model answers for a story and for the digest text, and how it becomes the draft.

Structure is enforced (an answer without a Chinese headline, a lead, facts or analysis is
asked again); soft limits are repaired, not rejected (:class:`pipeline.llm.structured.Soft`):
a headline too long is shortened at a word or punctuation boundary, a label that is a
sentence keeps its head and moves the rest into the fact's text, surplus items are
dropped. The digest text's parts (title, summary, each section title, each 更多动态
line) degrade one by one: an unusable part is left to its fallback, the others stay.
Lengths are in 字 (:func:`pipeline.llm.repair.width`); they follow the published seeds.
The conversion into the draft's models checks each answer against its input
(:mod:`pipeline.write.polish`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date as Date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from pipeline.config import Section
from pipeline.llm.repair import (
    Echo,
    join_clause,
    overlap,
    similar,
    split_overflow,
    width,
)
from pipeline.llm.structured import BlankIfInvalid, KeepValid, Soft, note_repair
from pipeline.models import DigestMeta, Fact, Impact, MoreItem, Story, StoryDraft
from pipeline.write.excerpt import market_relevant
from pipeline.write.fallback import extractive_more, fallback_meta, guess_category
from pipeline.write.polish import FORMAT_WORDS_RE, Polisher, derive_label

HAN_RE = re.compile(r"[\u4e00-\u9fff]")
MORE_CATEGORIES = ("大模型发布与开源", "具身智能与机器人", "AI 应用与商业化", "行业动态")
ROBOTICS = MORE_CATEGORIES[1]
ROBOT_RE = re.compile(r"机器人|具身|人形|机械臂|robot|humanoid", re.I)
SUMMARY_JOIN_RE = re.compile(r"[｜|；]")
HEADLINE_COPY = 0.5  # bigram overlap at which a title only repeats a headline
# the prompt examples' placeholders (prompts/*.example.json) and words of the instructions
# themselves: text that contains them was copied from the prompt, not written
PLACEHOLDER_RE = re.compile(r"[〈〉]|本栏看点|默认栏目名")

HEADLINE_WIDTH = 48  # the seeds' longest headline
LEAD_WIDTH = 260
LABEL_WIDTH = 12  # nine in ten of the seeds' labels
FACT_WIDTH = 220
PARAGRAPH_WIDTH = 320
MAX_FACTS, MAX_ANALYSIS, MAX_IMPACT = 5, 3, 2  # the prompt asks for 3–5 facts, 1–2 paragraphs
TITLE_WIDTH = 48
SUMMARY_WIDTH = 60
MAX_SUMMARY = 8  # the publication's summary has at most 8 bullets, most important first
SECTION_TITLE_WIDTH = 40
MORE_TITLE_WIDTH = 30
MORE_TEXT_WIDTH = 80


def no_placeholder(value: str) -> str:
    """Reject text that copies the prompt's placeholders (〈…〉) or words instead of writing."""
    if PLACEHOLDER_RE.search(value):
        raise ValueError("copies a placeholder of the prompt (〈…〉) instead of the material")
    return value


def require_chinese(value: str) -> str:
    """Reject text with no Chinese character (a headline left in English); strip it."""
    if not HAN_RE.search(value):
        raise ValueError("must be written in Chinese")
    return value.strip()


Text = Annotated[str, AfterValidator(no_placeholder)]
ChineseText = Annotated[str, AfterValidator(no_placeholder), AfterValidator(require_chinese)]


def move_overflow(
    data: Any, info: ValidationInfo, head: str, rest: str, limit: float, *, label: bool = False
) -> Any:
    """A ``head`` field longer than ``limit`` keeps its start; the rest opens the ``rest`` field.

    A label with no place to split is a sentence: all of it moves into the text and the
    fact gets a label derived from what it says.
    """
    if not isinstance(data, dict) or not isinstance(data.get(head), str):
        return data
    value = data[head]
    if width(value) <= limit:
        return data
    kept, overflow = split_overflow(value, limit, anywhere=not label)
    tail = data.get(rest)
    text = join_clause(overflow, tail if isinstance(tail, str) else "")
    kept = kept or derive_label(text)
    note_repair(info.context, f"{head}: {value!r} → {kept!r}, the rest moved into {rest}")
    return {**data, head: kept, rest: text}


class FactOut(BaseModel):
    """A labelled fact or impact line as the model writes it."""

    model_config = ConfigDict(extra="ignore")

    label: Text = Field(min_length=1)
    text: Annotated[Text, Soft(width=FACT_WIDTH)] = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _label_is_short(cls, data: Any, info: ValidationInfo) -> Any:
        return move_overflow(data, info, "label", "text", LABEL_WIDTH, label=True)


Paragraph = Annotated[Text, Soft(width=PARAGRAPH_WIDTH)]


class StoryOut(BaseModel):
    """The model's answer for one main story."""

    model_config = ConfigDict(extra="ignore")

    headline: Annotated[ChineseText, Soft(width=HEADLINE_WIDTH)] = Field(min_length=4)
    lead: Annotated[Text, Soft(width=LEAD_WIDTH)] = Field(min_length=10)
    facts: Annotated[list[FactOut], Soft(items=MAX_FACTS), KeepValid()] = Field(min_length=1)
    analysis: Annotated[list[Paragraph], Soft(items=MAX_ANALYSIS)] = Field(min_length=1)
    impact: Annotated[list[FactOut], Soft(items=MAX_IMPACT), KeepValid()] = Field(
        default_factory=list
    )
    url: str = ""


class SectionTitleOut(BaseModel):
    """A section's title as the model writes it."""

    key: str
    title: Annotated[ChineseText, Soft(width=SECTION_TITLE_WIDTH)] = Field(min_length=2)


class MoreOut(BaseModel):
    """One 更多动态 line as the model writes it."""

    id: str
    title: ChineseText = Field(min_length=2)
    text: Annotated[Text, Soft(width=MORE_TEXT_WIDTH)] = Field(min_length=2)
    category: str = ""

    @model_validator(mode="before")
    @classmethod
    def _title_is_short(cls, data: Any, info: ValidationInfo) -> Any:
        return move_overflow(data, info, "title", "text", MORE_TITLE_WIDTH)


SummaryLine = Annotated[ChineseText, Soft(width=SUMMARY_WIDTH)]


class DigestOut(BaseModel):
    """The model's answer for the digest-level text; each part degrades on its own."""

    model_config = ConfigDict(extra="ignore")

    title: Annotated[ChineseText, Soft(width=TITLE_WIDTH), BlankIfInvalid()] = ""
    summary: Annotated[list[SummaryLine], Soft(items=MAX_SUMMARY), KeepValid()] = Field(
        default_factory=list
    )
    section_titles: Annotated[list[SectionTitleOut], KeepValid()] = Field(default_factory=list)
    more: Annotated[list[MoreOut], KeepValid()] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_usable(self) -> DigestOut:
        if not (self.title or self.summary or self.section_titles or self.more):
            raise ValueError("no part of the answer is usable (title, summary, sections, more)")
        return self


# ---------------------------------------------------------------- conversion


def _ids(aliases: Sequence[str], known: dict[str, str]) -> list[str]:
    return [known[a] for a in dict.fromkeys(aliases) if a in known]


def to_draft(
    story: Story,
    out: StoryOut,
    *,
    market: bool | None = None,
    repairs: Sequence[str] = (),
    prompt: str = "",
) -> StoryDraft:
    """Convert the model's answer, checked against its input: real article ids, a link among
    the sources, labels that fit their facts, 影响 only for a market story, nothing said twice."""
    market = market_relevant(story) if market is None else market
    known = {f"a{n + 1}": a.id for n, a in enumerate(story.articles)}
    polish = Polisher(story, prompt)
    lead = polish.once(polish.own(out.lead, "lead"), "lead")
    kinds = polish.sort_facts([f.label for f in out.facts], [f.text for f in out.facts], market)
    listed = [f for f, kind in zip(out.facts, kinds, strict=True) if kind == "fact"]
    chinese = [listed[n] for n in polish.own_facts([f.text for f in listed])]
    kept = [chinese[n] for n in polish.unique([f.text for f in chinese], "fact", said=[lead])]
    texts = [polish.fact(f.text.strip(), n + 1) for n, f in enumerate(kept)]
    facts = [
        Fact(
            label=polish.label(f.label.strip(), text),
            text=text,
            sources=_ids(f.sources, known),
        )
        for f, text in zip(kept, texts, strict=True)
        if text
    ]
    moved = [f for f, kind in zip(out.facts, kinds, strict=True) if kind == "impact"]
    lines = (out.impact or moved) if polish.impact(len(out.impact), market) else []
    said = [lead, *(f.text for f in facts)]
    lines = [lines[n] for n in polish.unique([f.text for f in lines], "impact", said, keep=False)]
    impact = [
        Impact(label=f.label.strip(), text=f.text.strip(), sources=_ids(f.sources, known))
        for f in lines[:MAX_IMPACT]
    ]
    said = [lead, *(f.text for f in facts), *(i.text for i in impact)]
    analysis = polish.analysis(out.analysis, said)
    return StoryDraft(
        story_id=story.id,
        headline=polish.headline(out.headline),
        lead=lead,
        facts=facts,
        url=_link(story, out.url, polish.repairs),
        impact=impact,
        analysis=analysis,
        repairs=[*repairs, *polish.repairs],
    )


def _link(story: Story, url: str, repairs: list[str]) -> str:
    """The story's link: the model's choice if it is one of the sources, else the primary."""
    if url in {a.url for a in story.articles}:
        return url
    if url:
        repairs.append("url is not one of the sources: the primary article's link is used")
    return story.primary.url


def to_meta(
    out: DigestOut,
    sections: Sequence[Section],
    drafts: Sequence[StoryDraft] = (),
    *,
    date: Date,
    asked: Mapping[str, Sequence[str]] | Collection[str] = (),
    echo: Echo | None = None,
    others: Sequence[str] = (),
) -> tuple[DigestMeta, list[str]]:
    """Convert the digest answer part by part: a part that is missing or was unusable gets its
    fallback (listed in the second value); unknown section keys are ignored.

    ``asked`` maps each section asked for to its headlines (a section title that only
    repeats one is not a title); ``echo`` tells lines that only say back the prompt;
    ``others`` are the 更多动态 titles, which are not what the summary is about."""
    fallback, degraded = fallback_meta(drafts, sections, date=date), []
    title = _bare_title(out.title.strip(), sections)
    if not title:
        title = fallback.title
        degraded.append("title")
    heads = asked if isinstance(asked, Mapping) else {key: [] for key in asked}
    mains = [h for section in heads.values() for h in section]
    summary = _summary(out.summary, echo or Echo("", []), others, mains)
    if not summary:
        summary = fallback.summary
        degraded.append("summary")
    given = {
        s.key: s.title.strip()
        for s in out.section_titles
        if not _repeats_a_headline(s.title, heads.get(s.key, []))
    }
    degraded += [f"section title {key}" for key in heads if not given.get(key)]
    titles = {s.key: given.get(s.key) or s.title for s in sections}
    return DigestMeta(title=title, summary=summary, section_titles=titles), degraded


def _bare_title(title: str, sections: Sequence[Section]) -> str:
    """The digest title without what a small model puts in front of it: the publication's
    name or a section's name (``AI 日报：…``, ``大模型与技术突破：…``)."""
    names = {"AI 日报", "AI日报", "今日要闻", "今日 AI 要闻", *(s.title for s in sections)}
    head, sep, rest = title.partition("：")
    if sep and head.strip() in names and rest.strip():
        return rest.strip()
    return title


def _about(line: str, others: Sequence[str], mains: Sequence[str]) -> bool:
    """Whether a summary line is about a 更多动态 item rather than a main story."""
    best_other = max((overlap(line, o) for o in others), default=0.0)
    return best_other >= HEADLINE_COPY and best_other > max(
        (overlap(line, m) for m in mains), default=0.0
    )


def _repeats_a_headline(title: str, headlines: Sequence[str]) -> bool:
    """Whether a section title's own part only repeats one of its headlines."""
    _, _, own = title.partition("：")
    return bool(own) and any(overlap(own, h) >= HEADLINE_COPY for h in headlines)


def _summary(
    lines: Sequence[str], echo: Echo, others: Sequence[str], mains: Sequence[str]
) -> list[str]:
    """Summary bullets, one main story each: list marks, 影响 labels, repeats, lines about a
    更多动态 item and lines that only say back the prompt removed; two stories joined
    with ｜ become two bullets."""
    kept: list[str] = []
    for part in (part for line in lines for part in SUMMARY_JOIN_RE.split(line)):
        line = FORMAT_WORDS_RE.sub("", part.strip().lstrip("-•·* ")).strip()
        if line and not echo.heard(line) and not _about(line, others, mains):
            kept += [] if any(similar(line, k) for k in kept) else [line]
    return kept


def to_more(stories: Sequence[Story], out: DigestOut) -> tuple[list[MoreItem], list[str]]:
    """更多动态 lines in story order; a story the model skipped (or wrote unusably) gets an
    extractive line, named in the second value."""
    answers = {m.id: m for m in out.more}
    items, degraded = [], []
    for n, story in enumerate(stories):
        line = answers.get(f"m{n + 1}")
        if line is None:
            items.append(extractive_more(story))
            degraded.append(f"更多动态 m{n + 1}")
            continue
        title, text = line.title.strip(), line.text.strip()
        category = line.category
        if category not in MORE_CATEGORIES or (
            category == ROBOTICS and not ROBOT_RE.search(title + text)
        ):
            category = guess_category(title + text)
        items.append(
            MoreItem(
                story_id=story.id, title=title, url=story.primary.url, text=text, category=category
            )
        )
    return items, degraded
