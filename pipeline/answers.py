"""What the model is asked to answer for a story and for the digest text: the output schemas.

Structure is enforced (an answer without a Chinese headline, a lead, facts or analysis is
asked again); soft limits are repaired, not rejected (:class:`pipeline.structured.Soft`):
a headline too long is shortened at a word or punctuation boundary, a label that is a
sentence keeps its head and moves the rest into the fact's text, surplus items are
dropped. The digest text's parts (title, summary, each section title, each 更多动态
line) degrade one by one: an unusable part is left to its fallback, the others stay.
Lengths are in 字 (:func:`pipeline.repair.width`); they follow the published seeds.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from pipeline.repair import derive_label, join_clause, split_overflow, width
from pipeline.structured import BlankIfInvalid, KeepValid, Soft, note_repair

HAN_RE = re.compile(r"[\u4e00-\u9fff]")
# the prompt examples' placeholders (prompts/*.example.json) and words of the instructions
# themselves: text that contains them was copied from the prompt, not written
PLACEHOLDER_RE = re.compile(r"[〈〉]|本栏看点|默认栏目名")

HEADLINE_WIDTH = 48  # the seeds' longest headline
LEAD_WIDTH = 260
LABEL_WIDTH = 12  # nine in ten of the seeds' labels
FACT_WIDTH = 220
PARAGRAPH_WIDTH = 320
MAX_FACTS, MAX_ANALYSIS, MAX_IMPACT = 6, 3, 2
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
