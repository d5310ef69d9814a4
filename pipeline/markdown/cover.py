"""Cover images: a title card per draft (publication, date, title, top headlines) as a PNG.

Drawn with Pillow in a face that holds every letter of the text (``pipeline.markdown.fonts``);
emoji and symbols a face lacks are left off, any other missing letter is a CoverError.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pydantic import BaseModel, Field

from pipeline.config import CoverSettings, PublicationSettings
from pipeline.markdown.fonts import Face, FacePair, choose_faces, drawable
from pipeline.models import DailyDraft

logger = logging.getLogger(__name__)

DESIGN = (1200, 630)  # the layout's reference size; other sizes scale it
TITLE_CHARS = 80  # a longer title is cut with …
HEADLINE_CHARS = 60
TITLE_LINES = 3
THREE_LINE_SIZE = 56  # a title that needs three lines is set smaller, to leave headlines room
WEEKDAYS = "一二三四五六日"
ELLIPSIS = "…"
TEXT_COLOUR = (248, 250, 252)
MUTED_COLOUR = (148, 163, 184)
HEADLINE_COLOUR = (203, 213, 225)
# Editor markers are a draft's state, not its content: a card shows the clean text.
_MARKERS = re.compile(r"【待编辑】|【待核实[^】]*】")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-_/%'’&]*|\s+|.", re.DOTALL)
_OPENING = frozenset("（《「『【〔“‘([")
_HANGING = frozenset("，。、；：！？）》」』】〕”’,.;:!?)%…")


class CoverCard(BaseModel):
    """What a cover shows."""

    publication: str
    day: date
    title: str
    headlines: list[str] = Field(default_factory=list)


def card_of(draft: DailyDraft, publication: PublicationSettings) -> CoverCard:
    """The card of a daily draft: its title and the headlines of its first stories."""
    headlines = [story.headline for section in draft.sections for story in section.stories]
    return CoverCard(
        publication=publication.name,
        day=draft.date,
        title=draft.meta.title,
        headlines=pick_headlines(draft.meta.title, headlines, publication.cover.headlines),
    )


def pick_headlines(title: str, headlines: list[str], most: int) -> list[str]:
    """The first ``most`` headlines that the title does not already say."""
    said = clean(title, TITLE_CHARS)
    return [h for h in headlines if clean(h, TITLE_CHARS) not in said][:most]


def clean(text: str, limit: int) -> str:
    """One line of card text: no markers or control characters, at most ``limit`` characters."""
    line = " ".join(_CONTROL.sub(" ", _MARKERS.sub("", text)).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + ELLIPSIS


def date_line(day: date) -> str:
    """``2026年2月14日 星期六``."""
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def card_texts(card: CoverCard) -> list[str]:
    """Every string a card draws, cleaned: name, date, title, headlines."""
    title = clean(card.title, TITLE_CHARS)
    headlines = [h for h in (clean(h, HEADLINE_CHARS) for h in card.headlines) if h]
    return [clean(card.publication, 30), date_line(card.day), title, *headlines]


def render_cover(card: CoverCard, cover: CoverSettings) -> bytes:
    """The card as PNG bytes of the configured size; CoverError if no font can draw it."""
    texts = card_texts(card)
    faces = choose_faces([*texts, ELLIPSIS], cover.font)
    texts = [drawable(faces.bold if i in (0, 2) else faces.regular, t) for i, t in enumerate(texts)]
    image = background(cover)
    Painter(image, faces, cover).paint(texts[0], texts[1], texts[2], texts[3:])
    return png(image)


def png(image: Image.Image) -> bytes:
    """PNG bytes with a 256-colour palette: half the size, no visible loss on a two-colour card."""
    palette = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as an RGB triple."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    """The colour t of the way from a to b."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def background(cover: CoverSettings) -> Image.Image:
    """A dark diagonal gradient with a soft glow of the accent colour at the top right."""
    size = (cover.width, cover.height)
    base, accent = hex_rgb(cover.background), hex_rgb(cover.accent)
    down = Image.linear_gradient("L").resize(size)
    across = Image.linear_gradient("L").rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    ramp = Image.blend(down, across.resize(size), 0.5)
    image = Image.composite(
        Image.new("RGB", size, mix(base, accent, 0.22)), Image.new("RGB", size, base), ramp
    )
    glow = Image.new("L", size, 0)
    radius = int(min(size) * 0.55)
    ImageDraw.Draw(glow).ellipse((size[0] - radius, -radius, size[0] + radius, radius), fill=80)
    glow = glow.filter(ImageFilter.GaussianBlur(radius // 2))
    return Image.composite(Image.new("RGB", size, accent), image, glow)


class Painter:
    """Lays a card out on an image: a pill with the name, the date, title, rule, headlines."""

    def __init__(self, image: Image.Image, faces: FacePair, cover: CoverSettings) -> None:
        self.image, self.faces, self.cover = image, faces, cover
        self.draw = ImageDraw.Draw(image)
        self.scale = min(cover.width / DESIGN[0], cover.height / DESIGN[1])
        self.margin = round(72 * self.scale)
        self.width = cover.width - 2 * self.margin

    def font(self, face: Face, size: float) -> ImageFont.FreeTypeFont:
        """The face at a size of the reference layout, scaled."""
        return ImageFont.truetype(
            str(face.path), max(8, round(size * self.scale)), index=face.index
        )

    def paint(self, name: str, day: str, title: str, headlines: list[str]) -> None:
        """Draw everything: the header row, then title, rule and headlines centred below it."""
        area = (self.header(name, day) + self.px(48), self.cover.height - self.px(48))
        title_font, lines = self.title_lines(title)
        title_step = round(title_font.size * 1.32)
        text_font = self.font(self.faces.regular, 28)
        step = round(text_font.size * 1.65)
        fixed = len(lines) * title_step + self.px(30) + self.px(6)
        room = max(0, (area[1] - area[0] - fixed - self.px(40)) // step)
        shown = headlines[:room]
        if len(shown) < len(headlines):
            logger.debug("cover: %d headline(s) left off, no room", len(headlines) - len(shown))
        height = fixed + (self.px(40) + len(shown) * step if shown else 0)
        y = area[0] + max(0, (area[1] - area[0] - height) // 2)
        for n, line in enumerate(lines):
            self.draw.text(
                (self.margin, y + n * title_step), line, font=title_font, fill=TEXT_COLOUR
            )
        y += len(lines) * title_step + self.px(30)
        accent = hex_rgb(self.cover.accent)
        self.draw.rectangle(
            (self.margin, y, self.margin + self.px(96), y + self.px(6)), fill=accent
        )
        self.headlines(shown, text_font, y + self.px(46), step)

    def px(self, length: float) -> int:
        """A length of the reference layout, scaled to this card."""
        return round(length * self.scale)

    def header(self, name: str, day: str) -> int:
        """The publication's name in an accent pill, the date on the right; the row's bottom."""
        font = self.font(self.faces.bold, 26)
        pad_x, pad_y, top = self.px(18), self.px(10), self.px(56)
        left, right = self.margin, self.margin + round(font.getlength(name)) + 2 * pad_x
        bottom = top + round(font.size) + 2 * pad_y
        self.draw.rounded_rectangle(
            (left, top, right, bottom), radius=(bottom - top) // 2, fill=hex_rgb(self.cover.accent)
        )
        self.draw.text(
            (left + pad_x, (top + bottom) / 2), name, font=font, fill=TEXT_COLOUR, anchor="lm"
        )
        small = self.font(self.faces.regular, 26)
        self.draw.text(
            (self.cover.width - self.margin, (top + bottom) / 2),
            day,
            font=small,
            fill=MUTED_COLOUR,
            anchor="rm",
        )
        return bottom

    def title_lines(self, title: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
        """The title in the largest size that fits two lines (or three, smaller), and its lines."""
        for size in range(68, 39, -4):
            font = self.font(self.faces.bold, size)
            lines = wrap(title, font, self.width)
            if len(lines) <= 2 or (len(lines) <= TITLE_LINES and size <= THREE_LINE_SIZE):
                break
        return font, fit_lines(lines, font, self.width, TITLE_LINES) if lines else []

    def headlines(
        self, headlines: list[str], font: ImageFont.FreeTypeFont, y: int, step: int
    ) -> None:
        """One line per headline behind an accent dot."""
        dot, indent = self.px(5), self.px(30)
        for headline in headlines:
            line = fit_lines([headline], font, self.width - indent, 1)[0]
            mid = y + font.size / 2
            self.draw.ellipse(
                (self.margin, mid - dot, self.margin + 2 * dot, mid + dot),
                fill=hex_rgb(self.cover.accent),
            )
            self.draw.text(
                (self.margin + indent, mid), line, font=font, fill=HEADLINE_COLOUR, anchor="lm"
            )
            y += step


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Text in lines no wider than width: Latin words kept whole, closing punctuation hangs,
    an opening bracket never ends a line."""
    lines, line = [], ""
    for token in _tokens(text, font, width):
        if line and token not in _HANGING and font.getlength(line + token) > width:
            carried = line[-1] if line[-1] in _OPENING and len(line) > 1 else ""
            lines.append(line[: len(line) - len(carried)].rstrip())
            line = carried + token.lstrip()
        else:
            line += token if line or not token.isspace() else ""
    return [*lines, line.rstrip()] if line.strip() else lines


def _tokens(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words, spaces and single characters; a word wider than a line becomes characters."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        out += list(token) if len(token) > 1 and font.getlength(token) > width else [token]
    return out


def fit_lines(lines: list[str], font: ImageFont.FreeTypeFont, width: int, most: int) -> list[str]:
    """At most ``most`` lines, the last cut with … when text was left off or it is too wide."""
    hang = font.size  # closing punctuation may stand in the margin
    if len(lines) <= most and all(font.getlength(line) <= width + hang for line in lines):
        return lines
    kept = lines[:most]
    last = kept[-1]
    while last and font.getlength(last + ELLIPSIS) > width:
        last = last[:-1]
    return [*kept[:-1], last.rstrip() + ELLIPSIS]
