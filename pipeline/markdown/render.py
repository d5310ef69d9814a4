"""Document model → Markdown through the Jinja2 templates, and the builders that lay out
generated drafts (daily from a ``DailyDraft``; weekly and brief from simple inputs)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.config import PROJECT_DIR, PublicationSettings, WeeklyProfile
from pipeline.markdown.document import (
    ANALYSIS_LABEL,
    BRIEF_SPAN,
    DOCUMENT_KINDS,
    IMPACT_LABEL,
    Block,
    BriefCategory,
    BriefDocument,
    BriefField,
    BriefInput,
    BriefItem,
    BriefItemInput,
    Bullet,
    BulletList,
    DailyDocument,
    Document,
    Footer,
    FrontField,
    FrontMatter,
    Heading,
    HeadingBlock,
    Html,
    Lead,
    Link,
    MoreGroup,
    MoreSection,
    Paragraph,
    Rule,
    SectionNode,
    Sources,
    StoryNode,
    WeeklyDocument,
    WeeklyInput,
    flow_list,
    quote_yaml,
)
from pipeline.markdown.parse import split_lead, to_heading
from pipeline.models import (
    DEGRADED_MARK,
    UNSUPPORTED_MARK,
    DailyDraft,
    MoreItem,
    SectionDraft,
    StoryDraft,
)
from pipeline.text.sanitize import check_link, defang, sanitize_text

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATES = PROJECT_DIR / "templates"
TEMPLATE_NAMES = {kind: f"{kind}.md.j2" for kind in DOCUMENT_KINDS}  # templates/<kind>.md.j2
_PLAIN_SAFE = re.compile(r"[^\s\"'\[\]{}&*!|>%@`#,?:-][^\n]*")
_BLOCK_START = re.compile(r"#{1,6}(?: |$)|[-*+](?: |$)|\d{1,9}[.)](?: |$)|---$|[<>`~|]")
_URL_ESCAPES = {" ": "%20", "(": "%28", ")": "%29"}


def _newlines(gap: int) -> str:
    return "\n" * (gap + 1)


@lru_cache(maxsize=8)
def make_environment(templates_dir: Path) -> Environment:
    """The Jinja2 environment of a templates directory (Markdown: no autoescape)."""
    env = Environment(  # no autoescape: Markdown output, escaping would corrupt it
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters.update(nl=_newlines, quoted=quote_yaml, flow=flow_list)
    return env


def render_document(doc: Document, templates_dir: Path = DEFAULT_TEMPLATES) -> str:
    """The Markdown of a document, through its format's template."""
    template = make_environment(templates_dir).get_template(TEMPLATE_NAMES[doc.format])
    return template.render(doc=doc)[1:]  # every line is written after a newline


def render_daily(
    draft: DailyDraft, publication: PublicationSettings, templates_dir: Path = DEFAULT_TEMPLATES
) -> str:
    """The daily draft's Markdown, in the publication's profile."""
    return render_document(build_daily(draft, publication), templates_dir)


# --- inline helpers ---------------------------------------------------------------------


def inline(text: str) -> str:
    """Text fit for one Markdown line: sanitised (the last net), whitespace runs collapsed.

    Every string a builder lays out passes here, whatever produced it: no HTML, no
    non-web link, no invisible character reaches a generated draft. (Foreign web
    links are removed earlier, by ``pipeline.check.grounding``, which knows the sources.)
    """
    return " ".join(sanitize_text(text, check_link, []).split())


def paragraph_text(text: str) -> str:
    """Generated text as one paragraph line that Markdown cannot read as another block."""
    line = inline(text)
    return "\\" + line if _BLOCK_START.match(line) else line


def paragraph(text: str, gap: int = 1) -> Paragraph:
    """A paragraph of generated text, its bold head split off exactly as parsing would."""
    lead, rest = split_lead(paragraph_text(text))
    return Paragraph(gap=gap, lead=lead, text=rest)


def link_text(text: str) -> str:
    """Text fit for a link title or bold label."""
    escaped = inline(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return escaped.replace("**", "")


def safe_url(url: str) -> str:
    """A web URL that cannot break a Markdown link; empty (a lint error) for any other URL."""
    if not check_link(url):
        logger.warning("link refused in a generated draft: %r", url[:200])
        return ""
    return _escape_url(url)


def _escape_url(url: str) -> str:
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in url.strip())


def heading(level: int, text: str, gap: int = 1) -> Heading:
    """A heading of generated text, split (number prefix, link) exactly as parsing would."""
    return to_heading(HeadingBlock(gap=gap, level=level, text=inline(text)))


def _scalar(key: str, value: str) -> FrontField:
    """A string field, plain when YAML reads it back as the same string, quoted otherwise."""
    value = inline(value)
    if _plain_reads_back(key, value):
        return FrontField(key=key, value=value, style="plain")
    return FrontField(key=key, value=value, style="quoted")


def _plain_reads_back(key: str, value: str) -> bool:
    """Whether ``key: value`` is YAML for exactly this string (not a number, date, null, …)."""
    if not _PLAIN_SAFE.fullmatch(value) or ": " in value or " #" in value:
        return False
    try:
        return bool(yaml.safe_load(f"{key}: {value}") == {key: value})
    except yaml.YAMLError:
        return False


def label_text(text: str) -> str:
    """Text fit for a bold label: no asterisks, no closing colon (the layout adds it)."""
    return link_text(text.replace("*", "")).rstrip("：: ")


def bullet(text: str) -> Bullet:
    """``- text``, a bold head split off exactly as parsing would."""
    lead, rest = split_lead(inline(text))
    return Bullet(lead=lead, text=rest)


def _labelled(label: str, text: str) -> Bullet:
    """``- **label**：text`` (just the text when the label is empty)."""
    name = label_text(label)
    return Bullet(lead=Lead(name=name, after="："), text=inline(text)) if name else bullet(text)


def _label_line(label: str) -> Paragraph:
    """``**label：**`` on its own line."""
    return Paragraph(lead=Lead(name=label, inner="：", after=""))


# --- daily ------------------------------------------------------------------------------


def build_daily(draft: DailyDraft, publication: PublicationSettings) -> DailyDocument:
    """The daily document of a draft, laid out like the published issues."""
    sections: list[SectionNode | MoreSection] = [
        _daily_section(s, draft.meta.section_titles.get(s.key) or s.title)
        for s in draft.sections
        if s.stories
    ]
    if draft.more:
        sections.append(_more_section(draft.more))
    elif sections:  # the footer's rule closes the last story; without a footer none is needed
        last = sections[-1]
        assert isinstance(last, SectionNode)
        last.stories[-1].blocks.pop()
    return DailyDocument(
        front=_daily_front(draft, publication),
        title=heading(1, draft.meta.title, gap=0),
        sections=sections,
        footer=daily_footer(publication, draft.date),
        trailing_newline=publication.final_newline,
    )


def daily_footer(publication: PublicationSettings, day: dt.date) -> Footer | None:
    """The publication's footer for a daily of this date: a rule and its text (None: none)."""
    text = publication.footer_text(day)
    return None if text is None else Footer(rule=Rule(), html=Html(text=text))


def _daily_front(draft: DailyDraft, publication: PublicationSettings) -> FrontMatter:
    fields = [
        _scalar("title", inline(draft.meta.title)),
        FrontField(key="date", value=draft.date.isoformat()),
        _scalar("category", publication.category),
        FrontField(key="tags", value=list(publication.tags), style="flow"),
        FrontField(key="seo", value=list(publication.seo), style="flow"),
        FrontField(key="coverImage", value=draft.cover_image, style="quoted"),
    ]
    if draft.meta.summary:
        summary = "\n".join(f"- {inline(line)}" for line in draft.meta.summary)
        fields.append(FrontField(key="summary", value=summary, style="quoted"))
    return FrontMatter(fields=fields)


def _daily_section(section: SectionDraft, title: str) -> SectionNode:
    return SectionNode(
        heading=heading(2, title),
        stories=[_daily_story(story) for story in section.stories],
    )


def _daily_story(story: StoryDraft) -> StoryNode:
    lead = (DEGRADED_MARK if story.degraded else "") + paragraph_text(story.lead)
    blocks: list[Block] = [paragraph(lead)] if lead else []  # empty once sanitised: left out
    if story.facts:
        blocks.append(BulletList(items=[_labelled(f.label, f.text) for f in story.facts]))
    if story.analysis:
        blocks.append(_label_line(ANALYSIS_LABEL))
        blocks += [paragraph(p) for p in story.analysis if paragraph_text(p)]
    if story.impact:
        blocks.append(_label_line(IMPACT_LABEL))
        blocks.append(BulletList(items=[_labelled(i.label, i.text) for i in story.impact]))
    blocks += _unsupported_marks(story, blocks)
    blocks.append(Rule())
    heading = Heading(level=3, title=link_text(story.headline), url=safe_url(story.url))
    return StoryNode(heading=heading, blocks=blocks)


# A grounding finding about one token (check/grounding.py), e.g. "数字 3900 亿美元 不见于来源".
FINDING_RE = re.compile(r"^(?:数字|名称|日期) (.+) 不见于来源$")


def _unsupported_marks(story: StoryDraft, blocks: list[Block]) -> list[Block]:
    """A 待核实 line for every unsupported claim the text does not flag already."""
    written = "\n".join(b.model_dump_json() for b in blocks) + story.headline
    lines: list[Block] = []
    for finding in story.unsupported:
        token = FINDING_RE.match(finding)
        inline_mark = UNSUPPORTED_MARK.format(claim=token.group(1)) if token else None
        mark = UNSUPPORTED_MARK.format(claim=inline(defang(finding)))
        if mark not in written and (inline_mark is None or inline_mark not in written):
            lines.append(Paragraph(text=mark))
    return lines


def _more_section(items: list[MoreItem]) -> MoreSection:
    heading = Heading(level=2, title="更多动态")
    if not any(item.category for item in items):
        return MoreSection(heading=heading, groups=[MoreGroup(bullets=_more_list(items))])
    order: dict[str, list[MoreItem]] = {}
    for item in items:
        order.setdefault(item.category or "其他", []).append(item)
    groups = [
        MoreGroup(category=_label_line(label_text(name) or "其他"), bullets=_more_list(group, 0))
        for name, group in order.items()
    ]
    return MoreSection(heading=heading, groups=groups)


def _more_list(items: list[MoreItem], gap: int = 1) -> BulletList:
    bullets = [
        Bullet(
            lead=Lead(
                style="link",
                name=link_text(i.title),
                url=safe_url(i.url),
                after="：" if i.text.strip() else "",
            ),
            text=inline(i.text),
        )
        for i in items
    ]
    return BulletList(gap=gap, items=bullets)


# --- weekly -----------------------------------------------------------------------------


def weekly_in_profile(
    data: WeeklyInput, weekly: WeeklyProfile, iso_week: tuple[int, int]
) -> WeeklyInput:
    """The weekly's input with the publication's tags, layout, sign-off and archive link."""
    archive = weekly.archive(*iso_week)
    return data.model_copy(
        update={
            "tags": list(weekly.tags),
            "layout": weekly.layout,
            "closing": list(weekly.closing),
            "archive": Link(title=archive[0], url=archive[1]) if archive else None,
        }
    )


def build_weekly(data: WeeklyInput) -> WeeklyDocument:
    """The weekly document, laid out like the published weekly digests."""
    front = FrontMatter(
        fields=[
            _scalar("title", inline(data.title)),
            _scalar("description", data.description)
            if data.description
            else FrontField(key="description", style="empty"),
            FrontField(key="date", value=data.date.isoformat()),
            FrontField(key="scheduled", value=(data.scheduled or data.date).isoformat()),
            FrontField(key="tags", value=[inline(t) for t in data.tags], style="block"),
            FrontField(key="layout", value=data.layout),
        ]
    )
    sections = [
        _weekly_section(
            "Highlights",
            [
                BulletList(
                    items=[
                        Bullet(
                            lead=Lead(name=label_text(h.title), after="，" if h.text else "。"),
                            text=inline(h.text),
                        )
                        for h in data.highlights
                    ]
                )
            ],
        ),
        _weekly_topics(data),
        _weekly_section(
            "其他重要资讯",
            [
                BulletList(
                    items=[
                        Bullet(
                            gap=1 if n else 0,
                            lead=Lead(name=label_text(g.label), after="  "),
                            text="\n  " + inline(g.text),
                        )
                        for n, g in enumerate(data.other_news)
                    ]
                )
            ],
        ),
        _weekly_section("总结", [paragraph(data.summary)]),
        _weekly_section(
            "相关阅读链接",
            [
                BulletList(
                    items=[
                        Bullet(
                            lead=Lead(
                                style="link",
                                name=link_text(r.title),
                                url=safe_url(r.url),
                                after="  ",
                            )
                        )
                        for r in data.reading
                    ]
                )
            ],
        ),
    ]
    closing = _weekly_closing(data)
    if not closing:  # a publication without a sign-off: no rule left dangling at the end
        sections[-1].blocks.pop()
    return WeeklyDocument(
        front=front,
        intro=[paragraph(data.intro, gap=0), Rule()],
        sections=sections,
        closing=closing,
    )


def _weekly_section(title: str, blocks: list[Block]) -> SectionNode:
    return SectionNode(heading=Heading(level=2, title=title), blocks=[*blocks, Rule()])


def _weekly_topics(data: WeeklyInput) -> SectionNode:
    section = _weekly_section("Detailed Coverage", [])
    for topic in data.topics:
        blocks: list[Block] = [paragraph(p) for p in topic.paragraphs]
        if topic.bullets:
            blocks.append(BulletList(items=[bullet(b) for b in topic.bullets]))
        if topic.sources:
            blocks.append(
                Sources(
                    links=[
                        s.model_copy(update={"title": link_text(s.title), "url": safe_url(s.url)})
                        for s in topic.sources
                    ]
                )
            )
        section.stories.append(StoryNode(heading=heading(3, topic.title), blocks=blocks))
    if section.stories:  # the rule follows the last topic
        section.stories[-1].blocks.append(section.blocks.pop())
    return section


def _weekly_closing(data: WeeklyInput) -> list[Block]:
    blocks: list[Block] = []
    if data.closing:
        blocks += [Paragraph(text="  \n".join(inline(line) for line in data.closing)), Rule()]
    if data.archive:
        archive = Lead(  # our own relative link to the week's archive, not content
            style="link",
            name=link_text(data.archive.title),
            url=_escape_url(data.archive.url),
            after="",
        )
        blocks.append(BulletList(items=[Bullet(lead=archive)]))
    elif blocks:
        blocks.pop()
    return blocks


# --- brief ------------------------------------------------------------------------------


def build_brief(data: BriefInput) -> BriefDocument:
    """The industry brief document, laid out like the published briefs."""
    day = data.date
    title = Heading(gap=0, level=1, title=f"{day.year}年{day.month}月{day.day}日 AI行业动态")
    categories = [
        BriefCategory(
            label=Paragraph(lead=Lead(name=label_text(c.name) or "其他", after="")),
            entries=[_brief_item(item) for item in c.items],
        )
        for c in data.categories
    ]
    return BriefDocument(title=title, intro=[Html(text=BRIEF_SPAN)], categories=categories)


def _brief_item(item: BriefItemInput) -> BriefItem:
    source = f"[{link_text(item.source_name)}]({safe_url(item.source_url)})"
    fields = [BriefField(key="说明", value=inline(item.explanation))]
    if item.background:
        fields.append(BriefField(key="背景", value=inline(item.background)))
    if item.points:
        fields.append(BriefField(key="要点", bullets=[inline(p) for p in item.points]))
    fields.append(BriefField(key="来源出处", value=source))
    return BriefItem(title=inline(item.title), fields=fields)
