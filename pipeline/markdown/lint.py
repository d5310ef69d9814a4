"""Reading a finished digest: ``digest lint`` problems and ``--reformat``.

Never raises on text: a malformed file is reported ("front matter not closed", "not a
digest"). Editor markers (待核实 / 待编辑) are errors, so a draft that still carries one
cannot be published by accident.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline.config import PublicationSettings
from pipeline.markdown.document import (
    BriefDocument,
    BriefItem,
    BulletList,
    DailyDocument,
    Document,
    Format,
    FrontField,
    FrontMatter,
    Heading,
    MoreSection,
    Rule,
    SectionNode,
    WeeklyDocument,
)
from pipeline.markdown.parse import front_bounds, parse, split_lines
from pipeline.markdown.render import DEFAULT_TEMPLATES, render_document
from pipeline.text.sanitize import invisible_characters

logger = logging.getLogger(__name__)

Severity = Literal["error", "warning"]

REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "daily": ("title", "date", "category", "tags", "seo", "coverImage"),
    "weekly": ("title", "date", "tags", "layout"),
}
_MARKERS = re.compile(r"【待核实[^】]*】?|【待编辑】")
_LINK = re.compile(r"\[((?:\\.|[^\]\\\n])*)\]\(([^)\n]*)\)")
_BROKEN_LINK = re.compile(r"\]\(|\]\s+\(https?:")
_HTTP_URL = re.compile(r"https?://[^\s/?#]+\S*")
_SCHEME = re.compile(r"[A-Za-z][\w+.-]*:")
_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|<!--")
_SPAN_LINE = re.compile(r'<span style="[^"<>]*">[^<>]*</span>')
_BRIEF_TITLE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 ")
_SCRIPT_URL = re.compile(r"(?i)\b(?:javascript|vbscript)\s*:|\bdata:[a-z]+/[\w.+-]+[;,]")
EMPTY_COVER = "front matter: 'coverImage' is empty"


class Problem(BaseModel):
    """One finding, at a 1-based line."""

    model_config = ConfigDict(frozen=True)

    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.severity}: {self.message}"


def format_problems(problems: Sequence[Problem], name: str = "") -> str:
    """Problems one per line, ``name:line: severity: message`` (compiler style)."""
    prefix = f"{name}:" if name else ""
    return "\n".join(f"{prefix}{problem}" for problem in problems)


def reformat(text: str, templates_dir: Path = DEFAULT_TEMPLATES) -> str:
    """``render(parse(text))`` (``digest lint --reformat``): byte-identical for any text."""
    return render_document(parse(text), templates_dir)


def lint_text(
    text: str, fmt: Format | None = None, publication: PublicationSettings | None = None
) -> list[Problem]:
    """Every problem of a digest text, sorted by line; daily drafts are held to the profile."""
    lines, _ = split_lines(text)
    if not text.strip():
        return [Problem(line=1, severity="error", message="not a digest: the text is empty")]
    profile = publication or PublicationSettings()
    problems: list[Problem] = []
    if lines[0] == "---" and front_bounds(lines) is None:
        problems.append(_error(1, "front matter not closed: no second '---' line"))
    try:
        doc = parse(text, fmt)
        problems += _check_document(doc, lines)
        problems += _check_profile(doc, lines, profile)
    except Exception as exc:  # lint reports, never crashes: a parser bug is one more finding
        logger.exception("parser failed")
        problems.append(_error(1, f"cannot parse the text ({type(exc).__name__}: {exc})"))
        doc = None
    if profile.cover.policy == "none":  # the publication has no covers: an empty one is right
        problems = [p for p in problems if p.message != EMPTY_COVER]
    problems += _check_markers(lines)
    problems += _check_invisible(lines)
    exempt = _html_lines(doc, lines, profile)
    problems += _check_links(lines, exempt, relative=isinstance(doc, WeeklyDocument))
    problems += _check_html(lines, exempt)
    return sorted(problems, key=lambda p: (p.line, p.severity, p.message))


def _error(line: int, message: str) -> Problem:
    return Problem(line=line, severity="error", message=message)


def _warning(line: int, message: str) -> Problem:
    return Problem(line=line, severity="warning", message=message)


# --- line scans -----------------------------------------------------------------------


def _check_markers(lines: Sequence[str]) -> Iterator[Problem]:
    for number, line in enumerate(lines, 1):
        for mark in _MARKERS.finditer(line):
            what = "degraded story" if mark[0] == "【待编辑】" else "unverified claim"
            yield _error(number, f"{what} marker {mark[0]}: an editor must resolve it")


def _check_invisible(lines: Sequence[str]) -> Iterator[Problem]:
    """Bidi, zero-width and control characters: they hide or reorder what an editor reads."""
    for number, line in enumerate(lines, 1):
        found = invisible_characters(line)
        if found:
            yield _error(number, f"invisible character {', '.join(found)}: remove it")


def _check_links(lines: Sequence[str], exempt: set[int], *, relative: bool) -> Iterator[Problem]:
    """Broken links; relative ones are fine only where the format uses them (weekly)."""
    body_start = (front_bounds(lines) or -1) + 1
    for number, line in enumerate(lines[body_start:], body_start + 1):
        if number in exempt:
            continue
        for link in _LINK.finditer(line):
            problem = _link_problem(number, link[1], link[2])
            if problem and not (relative and problem.severity == "warning"):
                yield problem
        if _BROKEN_LINK.search(_LINK.sub("", line)):
            yield _error(number, "malformed Markdown link")


def _link_problem(number: int, title: str, url: str) -> Problem | None:
    shown = f"[{title}]({url})"
    if not url.strip():
        return _error(number, f"link with an empty URL: {shown}")
    if url != url.strip() or " " in url:
        return _error(number, f"malformed link (space in the URL): {shown}")
    if _HTTP_URL.fullmatch(url):
        return None
    if _SCHEME.match(url):
        return _error(number, f"non-http(s) link: {shown}")
    return _warning(number, f"relative link: {shown}")


def _check_html(lines: Sequence[str], exempt: set[int]) -> Iterator[Problem]:
    body_start = (front_bounds(lines) or -1) + 1
    for number, line in enumerate(lines[body_start:], body_start + 1):
        if number not in exempt and _TAG.search(line):
            yield _error(number, "stray HTML outside the footer card")


def _html_lines(
    doc: Document | None, lines: Sequence[str], publication: PublicationSettings
) -> set[int]:
    """Line numbers of the known HTML: the publication's daily footer, the brief's span line."""
    if isinstance(doc, BriefDocument):
        return {n for n, line in enumerate(lines, 1) if _SPAN_LINE.fullmatch(line)}
    if not isinstance(doc, DailyDocument):
        return set()
    footer = _expected_footer(doc, publication)
    return set() if footer is None else _footer_lines(lines, footer)


def _expected_footer(doc: DailyDocument, publication: PublicationSettings) -> str | None:
    """The footer the publication gives a daily of this date."""
    day = (doc.front.date() if doc.front else None) or dt.date.today()
    return publication.footer_text(day)


def _footer_lines(lines: Sequence[str], footer: str) -> set[int]:
    """The 1-based lines of the footer when the text ends with it (after a rule), else none."""
    wanted = footer.split("\n")
    last = len(lines)
    while last > 0 and not lines[last - 1]:
        last -= 1
    first = last - len(wanted)
    if first < 2 or list(lines[first:last]) != wanted or lines[first - 2 : first] != ["---", ""]:
        return set()
    return set(range(first + 1, last + 1))


# --- the publication profile ------------------------------------------------------------


def _check_profile(
    doc: Document, lines: Sequence[str], publication: PublicationSettings
) -> Iterator[Problem]:
    """A daily whose category or footer is not the configured publication's."""
    if not isinstance(doc, DailyDocument):
        return
    category = doc.front.text("category") if doc.front else None
    if category and category != publication.category:
        line = next((n for n, t in enumerate(lines, 1) if t.startswith("category:")), 1)
        yield _warning(
            line, f"category {category!r} is not the publication's {publication.category!r}"
        )
    yield from _check_footer(doc, lines, publication)


def _check_footer(
    doc: DailyDocument, lines: Sequence[str], publication: PublicationSettings
) -> Iterator[Problem]:
    footer = _expected_footer(doc, publication)
    if footer is None:
        if doc.footer is not None:
            yield _warning(len(lines), "a footer card, but the publication configures no footer")
    elif not _footer_lines(lines, footer):
        where = f"[publication] footer = {str(publication.footer)!r}"
        yield _warning(
            len(lines), f"the draft does not end with the publication's footer ({where})"
        )


# --- front matter -----------------------------------------------------------------------


def _check_front(front: FrontMatter | None, fmt: str, lines: Sequence[str]) -> Iterator[Problem]:
    if front is None:
        if lines[0] != "---":
            yield _error(1, "no front matter ('---' block at the top)")
        return
    seen: set[str] = set()
    for field, line in zip(front.fields, _field_lines(front), strict=True):
        if not field.key and field.raw.startswith("# "):  # the body's title: '---' deleted
            yield _error(1, f"front matter not closed: '---' missing before line {line}")
            break
        if field.key and field.key in seen:
            yield _error(line, f"front matter: duplicate key {field.key!r}")
        seen.add(field.key)
        if not field.key and field.raw.strip():
            yield _error(line, f"front matter: cannot read line {field.raw[:60]!r}")
        yield from _check_value(field, line)
        yield from _check_front_content(field, line, lines[line - 1] if line <= len(lines) else "")
    for key in REQUIRED_KEYS.get(fmt, ()):
        if key not in seen:
            yield _error(1, f"front matter: missing key {key!r}")
    if fmt == "daily" and "summary" not in seen:
        yield _warning(1, "front matter: no 'summary'")


def _field_lines(front: FrontMatter) -> list[int]:
    """The line where each front-matter field starts."""
    starts, line = [], 2
    for field in front.fields:
        starts.append(line)
        line += 1 + (field.raw.count("\n") if field.style == "raw" else 0)
        line += len(field.value) if field.style == "block" and field.value else 0
    return starts


def _check_value(field: FrontField, line: int) -> Iterator[Problem]:
    key, value = field.key, field.value
    if key in ("title", "category", "layout") and not (isinstance(value, str) and value):
        yield _error(line, f"front matter: {key!r} must be a non-empty string")
    elif key in ("date", "scheduled") and not _is_date(value):
        yield _error(line, f"front matter: {key!r} is not a YYYY-MM-DD date: {value!r}")
    elif key in ("tags", "seo") and not (
        isinstance(value, list) and value and all(v.strip() for v in value)
    ):
        yield _error(line, f"front matter: {key!r} must be a list of non-empty strings")
    elif key == "coverImage" and value == "":
        yield _warning(line, EMPTY_COVER)
    elif key == "coverImage" and not (isinstance(value, str) and _HTTP_URL.fullmatch(value)):
        yield _error(line, f"front matter: 'coverImage' is not an http(s) URL: {value!r}")
    elif key == "summary" and not (isinstance(value, str) and value.strip()):
        yield _error(line, "front matter: 'summary' must be a non-empty string")
    elif key == "summary" and any(not s.startswith("- ") for s in str(value).split("\n")):
        yield _warning(line, "front matter: 'summary' lines should start with '- '")


def _check_front_content(field: FrontField, line: int, raw: str) -> Iterator[Problem]:
    """HTML, links and hidden characters in a front-matter value (sites render it as HTML)."""
    values = field.value if isinstance(field.value, list) else [field.value or ""]
    for value in values:
        if _TAG.search(value):
            yield _error(line, f"front matter: HTML in {field.key!r}")
        for link in _LINK.finditer(value):
            yield _error(line, f"front matter: Markdown link in {field.key!r}: {link[0][:80]}")
        if _SCRIPT_URL.search(value):
            yield _error(line, f"front matter: script URL in {field.key!r}")
        hidden = invisible_characters(value)
        if hidden and not invisible_characters(raw):  # escaped (\u202e) in a quoted value
            yield _error(line, f"front matter: invisible character {', '.join(hidden)}")


def _is_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        return False
    return True


# --- structure --------------------------------------------------------------------------


class _Locator:
    """Finds lines in document order (the model keeps no line numbers)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines, self.cursor = lines, 0

    def find(self, text: str) -> int:
        """1-based number of the next line equal to text (the current line if none)."""
        for index in range(self.cursor, len(self.lines)):
            if self.lines[index] == text:
                self.cursor = index + 1
                return index + 1
        return max(self.cursor, 1)

    def containing(self, text: str) -> int:
        """1-based number of the next line that contains text."""
        for index in range(self.cursor, len(self.lines)):
            if text in self.lines[index]:
                self.cursor = index + 1
                return index + 1
        return max(self.cursor, 1)

    def heading(self, heading: Heading) -> int:
        """The line of a structural heading."""
        shown = heading.title if heading.url is None else f"[{heading.title}]({heading.url})"
        return self.find("#" * heading.level + " " + heading.number + shown)


def _check_document(doc: Document, lines: Sequence[str]) -> list[Problem]:
    if isinstance(doc, BriefDocument):
        return list(_check_brief(doc, lines))
    problems = list(_check_front(doc.front, doc.format, lines))
    if isinstance(doc, DailyDocument):
        problems += _check_daily(doc, lines)
    else:
        problems += _check_weekly(doc, lines)
    return problems


def _check_daily(doc: DailyDocument, lines: Sequence[str]) -> Iterator[Problem]:
    if doc.front is None and doc.title is None and not doc.sections:
        yield _error(1, "not a digest: no front matter, no '# title', no sections")
        return
    if doc.title is None:
        yield _error(1, "no '# title' heading")
    elif doc.front and doc.front.text("title") not in (None, doc.title.title):
        line = _Locator(lines).heading(doc.title)
        yield _warning(line, "'# title' differs from the front-matter title")
    linked = any(
        st.heading.url for s in doc.sections if isinstance(s, SectionNode) for st in s.stories
    )
    locate = _Locator(lines)
    for section in doc.sections:
        line = locate.heading(section.heading)
        if isinstance(section, MoreSection):
            yield from _check_more(section, locate)
        else:
            yield from _check_section(section, line, locate, linked=linked)


def _check_section(
    section: SectionNode, line: int, locate: _Locator, *, linked: bool
) -> Iterator[Problem]:
    if not _has_content(section.blocks) and not section.stories:
        yield _error(line, f"empty section {section.heading.title!r}")
    for story in section.stories:
        story_line = locate.heading(story.heading)
        if not _has_content(story.blocks):
            yield _error(story_line, f"empty story {story.heading.title!r}")
        if linked and story.heading.url is None:
            yield _error(story_line, f"story without a source link: {story.heading.title!r}")


def _check_more(section: MoreSection, locate: _Locator) -> Iterator[Problem]:
    """In a long tail whose items carry links, an item without one is suspicious."""
    items = [b for group in section.groups for b in group.bullets.items]
    if not any(b.lead and b.lead.url for b in items):
        return
    for bullet in items:
        if not (bullet.lead and bullet.lead.url):
            first = (bullet.text or (bullet.lead.name if bullet.lead else "")).split("\n")[0]
            line = locate.containing(first)
            yield _warning(line, f"更多动态 item without a link: {first[:40]!r}")


def _has_content(blocks: Sequence[object]) -> bool:
    return any(not isinstance(block, Rule) for block in blocks)


def _check_weekly(doc: WeeklyDocument, lines: Sequence[str]) -> Iterator[Problem]:
    if not doc.sections:
        yield _error(1, "not a digest: no '##' sections")
    locate = _Locator(lines)
    for section in doc.sections:
        yield from _check_section(section, locate.heading(section.heading), locate, linked=False)


def _check_brief(doc: BriefDocument, lines: Sequence[str]) -> Iterator[Problem]:
    if doc.title is None and not doc.categories:
        yield _error(1, "not a digest: no '# title' and no bold category lines")
        return
    if doc.title is None:
        yield _error(1, "no '# YYYY年M月D日 AI行业动态' title")
    elif not _BRIEF_TITLE.match(doc.title.title):
        yield _warning(1, f"title does not start with a date: {doc.title.title!r}")
    if not doc.categories:
        yield _error(len(lines), "no bold category lines")
    locate = _Locator(lines)
    for category in doc.categories:
        name = category.label.lead.name if category.label.lead else ""
        line = locate.find(f"**{name}**")
        items = [e for e in category.entries if isinstance(e, BriefItem)]
        if not items:
            yield _error(line, f"empty category {name!r}")
        for entry in category.entries:
            if isinstance(entry, BriefItem):
                yield from _check_brief_item(entry, locate.find(entry.title))
            elif not isinstance(entry, Rule | BulletList):
                yield _warning(line, f"unrecognised {entry.kind} in category {name!r}")


def _check_brief_item(item: BriefItem, line: int) -> Iterator[Problem]:
    if item.field("说明") is None:
        yield _warning(line, f"item without 说明: {item.title!r}")
    source = item.field("来源出处")
    if source is None or not _LINK.search(source.value):
        yield _error(line, f"item without a 来源出处 link: {item.title!r}")
