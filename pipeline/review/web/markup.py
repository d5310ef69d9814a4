"""The draft's blocks as safe HTML for the review page, with their flags and claims.

Inline Markdown goes through markdown-it with raw HTML off: every text is escaped, links
are http(s) only and open outside, images are not loaded. Each 【待核实】/【待编辑】 marker
becomes a flag with an anchor; each paragraph or line of a story becomes a claim that
the source pane can match. ``Context`` collects them while a document is rendered.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field

from pipeline.markdown.document import (
    BriefItem,
    Bullet,
    BulletList,
    Heading,
    HeadingBlock,
    Html,
    Lead,
    Paragraph,
    Raw,
    Rule,
    Sources,
)
from pipeline.review.web.citations import MD_LINK, Claim, plain
from pipeline.review.web.edits import UNSUPPORTED_RE

FLAG_RE = re.compile(r"【待核实[^】\n]*】|【待编辑】")
SAFE_SCHEMES = ("http://", "https://")
FlagKind = Literal["unsupported", "degraded"]
UnitKind = Literal["story", "section", "more", "brief"]


class Flag(BaseModel):
    """A marker in the draft an editor must resolve, and where it is."""

    id: str  # element id of the marker in the page
    kind: FlagKind
    text: str
    unit: str = ""  # address of the story it is in ("" outside stories)
    unit_title: str = ""
    path: str = ""  # text field of the document that holds it
    occurrence: int = -1  # index among the 【待核实】 markers of that field; -1: not resolvable
    standalone: bool = False  # the marker is the whole paragraph (a note, no claim around it)


class Unit(BaseModel):
    """A story as the page shows it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    address: str
    kind: UnitKind
    title: str
    url: str | None = None
    heading: Markup = Markup("")
    body: Markup = Markup("")
    claims: list[Claim] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)  # every link of the story, heading first
    flags: list[str] = Field(default_factory=list)  # flag ids
    degraded: bool = False


def safe_link(url: str) -> bool:
    """Only web links are rendered as links."""
    return url.strip().lower().startswith(SAFE_SCHEMES)


def make_markdown() -> MarkdownIt:
    """Inline Markdown with raw HTML off, web links only and no images."""
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = safe_link  # type: ignore[method-assign]
    md.disable("image")
    return md


MARKDOWN = make_markdown()


class Context:
    """Flags and claims collected while a document is rendered."""

    def __init__(self) -> None:
        self.flags: list[Flag] = []
        self.unit: Unit | None = None

    def flag(self, kind: FlagKind, text: str, path: str, occurrence: int) -> Flag:
        flag = Flag(id=f"flag-{len(self.flags) + 1}", kind=kind, text=text, path=path)
        flag.occurrence = occurrence
        if self.unit is not None:
            flag.unit, flag.unit_title = self.unit.address, self.unit.title
            self.unit.flags.append(flag.id)
            self.unit.degraded |= kind == "degraded"
        self.flags.append(flag)
        return flag


# --- inline text -------------------------------------------------------------------------


def inline(text: str, path: str, ctx: Context, start: int = 0) -> Markup:
    """Inline Markdown as safe HTML, markers wrapped as flags, links opening outside.

    ``start`` is the number of 【待核实】 markers of the same text field before ``text``.
    """
    tokens = MARKDOWN.parseInline(text, {})
    expected = len(UNSUPPORTED_RE.findall(text))
    seen = sum(
        len(UNSUPPORTED_RE.findall(t.content)) for t in _children(tokens) if t.type == "text"
    )
    counter = [start if seen == expected else -(10**6)]  # markers we cannot place: no resolve
    for token in tokens:
        token.children = [
            out for t in token.children or [] for out in _token(t, path, ctx, counter)
        ]
    return Markup(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {}))


def _children(tokens: list[Token]) -> list[Token]:
    return [c for t in tokens for c in t.children or []]


def _token(token: Token, path: str, ctx: Context, counter: list[int]) -> list[Token]:
    if token.type == "link_open":
        token.attrSet("rel", "noopener noreferrer")
        token.attrSet("target", "_blank")
    if token.type != "text" or not FLAG_RE.search(token.content):
        return [token]
    out, pos = [], 0
    for m in FLAG_RE.finditer(token.content):
        out.append(_text(token.content[pos : m.start()]))
        kind: FlagKind = "degraded" if m.group() == "【待编辑】" else "unsupported"
        occurrence = counter[0] if kind == "unsupported" else -1
        counter[0] += kind == "unsupported"
        flag = ctx.flag(kind, m.group(), path, occurrence if occurrence >= 0 else -1)
        out.append(
            _html(
                Markup('<mark class="flag {}" id="{}">{}</mark>').format(kind, flag.id, m.group())
            )
        )
        pos = m.end()
    out.append(_text(token.content[pos:]))
    return out


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _html(content: Markup) -> Token:
    return Token("html_inline", "", 0, content=str(content))


# --- blocks --------------------------------------------------------------------------------


def _lead(lead: Lead | None, path: str, ctx: Context) -> Markup:
    if lead is None:
        return Markup("")
    name = inline(lead.name, f"{path}.name", ctx)
    if lead.style != "bold" and safe_link(lead.url):
        name = Markup('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>').format(
            lead.url, name
        )
    if lead.style != "link":
        name = Markup("<strong>{}{}</strong>").format(name, lead.inner)
    return name + escape(lead.after)


def _claim(path: str, text: str, ctx: Context) -> str:
    """Register a claim of the current story; its element id."""
    unit = ctx.unit
    if unit is None or not plain(text).strip():
        return ""
    claim_id = f"{unit.address}-{len(unit.claims)}"
    unit.claims.append(Claim(id=claim_id, text=text))
    unit.urls.extend(m.group(0) for m in MD_LINK.finditer(text))
    return claim_id


def _claim_attrs(claim_id: str) -> Markup:
    if not claim_id:
        return Markup("")
    return Markup(' class="claim" id="claim-{0}" data-claim="{0}"').format(claim_id)


def _jump(claim_id: str, ctx: Context) -> Markup:
    if not claim_id or ctx.unit is None:
        return Markup("")
    return Markup(
        ' <a class="jump" href="?story={0}#src-{1}" data-story="{0}" data-claim="{1}"'
        ' title="在来源中查看">来源</a>'
    ).format(ctx.unit.address, claim_id)


def paragraph_html(block: Paragraph, path: str, ctx: Context) -> Markup:
    """A paragraph; a claim unless it is only a bold label (``**深度解读 & 洞察：**``)."""
    label_only = not block.text.strip()
    text = (block.lead.name + "：" if block.lead else "") + block.text
    claim_id = "" if label_only else _claim(path, text, ctx)
    body = _lead(block.lead, f"{path}.lead", ctx) + inline(block.text, f"{path}.text", ctx)
    css = Markup(' class="label"') if label_only else _claim_attrs(claim_id)
    return Markup("<p{}>{}{}</p>").format(css, body, _jump(claim_id, ctx))


def bullet_html(item: Bullet, path: str, ctx: Context) -> Markup:
    """A list item (a fact line), with its nested items."""
    text = (item.lead.name + "：" if item.lead else "") + item.text
    claim_id = _claim(path, text, ctx)
    if item.lead is not None and item.lead.url and ctx.unit is not None:
        ctx.unit.urls.append(item.lead.url)
    body = _lead(item.lead, f"{path}.lead", ctx) + inline(item.text, f"{path}.text", ctx)
    children = Markup("").join(
        bullet_html(c, f"{path}.children.{i}", ctx) for i, c in enumerate(item.children)
    )
    nested = Markup("<ul>{}</ul>").format(children) if item.children else Markup("")
    return Markup("<li{}>{}{}{}</li>").format(
        _claim_attrs(claim_id), body, _jump(claim_id, ctx), nested
    )


def block_html(block: Any, path: str, ctx: Context) -> Markup:
    """Any block of the model as HTML."""
    if isinstance(block, Paragraph):
        return paragraph_html(block, path, ctx)
    if isinstance(block, BulletList):
        items = (bullet_html(b, f"{path}.items.{i}", ctx) for i, b in enumerate(block.items))
        return Markup("<ul>{}</ul>").format(Markup("").join(items))
    if isinstance(block, Rule):
        return Markup("<hr>")
    if isinstance(block, HeadingBlock):
        level = min(max(block.level, 1), 6)
        return Markup("<h{0}>{1}</h{0}>").format(level, inline(block.text, f"{path}.text", ctx))
    if isinstance(block, Sources):
        return _sources_html(block, ctx)
    if isinstance(block, BriefItem):
        return brief_item_html(block, path, ctx)
    if isinstance(block, (Html, Raw)):
        return Markup('<pre class="raw">{}</pre>').format(block.text)
    return Markup("")


def _sources_html(block: Sources, ctx: Context) -> Markup:
    links = []
    for link in block.links:
        if ctx.unit is not None:
            ctx.unit.urls.append(link.url)
        links.append(_anchor(link.url, link.title))
    return Markup('<p class="sources">{}{}</p>').format(block.prefix, Markup(" | ").join(links))


def _anchor(url: str, title: str) -> Markup:
    if not safe_link(url):
        return escape(title)
    return Markup('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>').format(
        url, title
    )


def blocks_html(blocks: list[Any], path: str, ctx: Context) -> Markup:
    """A run of blocks."""
    return Markup("").join(block_html(b, f"{path}.{i}", ctx) for i, b in enumerate(blocks))


def heading_html(heading: Heading, path: str, ctx: Context) -> Markup:
    """A structural heading, its link opening outside."""
    level = min(max(heading.level, 1), 6)
    title = inline(heading.title, f"{path}.title", ctx)
    if heading.url and safe_link(heading.url):
        title = Markup('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>').format(
            heading.url, title
        )
    return Markup("<h{0}>{1}{2}</h{0}>").format(level, heading.number, title)


def brief_item_html(item: BriefItem, path: str, ctx: Context) -> Markup:
    """A brief item: its title line and its fields."""
    rows = []
    for i, field in enumerate(item.fields):
        value = inline(field.value, f"{path}.fields.{i}.value", ctx)
        claim_id = _claim(f"{path}.fields.{i}", field.value, ctx) if field.value else ""
        points = Markup("").join(
            Markup("<li>{}</li>").format(inline(p, f"{path}.fields.{i}.bullets.{k}", ctx))
            for k, p in enumerate(field.bullets)
        )
        rows.append(
            Markup("<dt>{}</dt><dd{}>{}{}{}</dd>").format(
                field.key,
                _claim_attrs(claim_id),
                value,
                _jump(claim_id, ctx),
                Markup("<ul>{}</ul>").format(points) if field.bullets else "",
            )
        )
        if field.key.startswith("来源") and ctx.unit is not None:
            ctx.unit.urls.extend(re.findall(r"https?://[^\s)\]]+", field.value))
    return Markup('<dl class="brief-item">{}</dl>').format(Markup("").join(rows))
