"""Cover cards: size, text, wrapping; drawn with the system's Chinese font where there is one."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from pipeline.config import CoverSettings, PublicationSettings
from pipeline.markdown.cover import (
    CoverCard,
    card_of,
    card_texts,
    clean,
    date_line,
    fit_lines,
    pick_headlines,
    render_cover,
    wrap,
)
from pipeline.models import DailyDraft, DigestMeta, SectionDraft, StoryDraft
from tests.markdown.test_fonts import needs_cjk_font
from tests.tinyfont import tiny_font

CARD = CoverCard(
    publication="AI 日报",
    day=dt.date(2026, 2, 14),
    title="大模型推理能力集体突破，Anthropic 3800亿美元创融资纪录",
    headlines=[
        "Gemini 3 Deep Think 升级：编程能力全球第8，仅剩7人能击败它",
        "Anthropic 完成 300 亿美元 G 轮融资，估值达 3800 亿美元",
    ],
)


def _latin() -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(20)  # Pillow's own Latin font: measuring needs no system font
    assert isinstance(font, ImageFont.FreeTypeFont)
    return font


LATIN = _latin()


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def _story(n: int) -> StoryDraft:
    return StoryDraft(story_id=f"s{n}", headline=f"第{n}条", url=f"https://a.cn/{n}", lead="导语")


def test_a_card_shows_the_title_and_the_first_headlines_in_order() -> None:
    draft = DailyDraft(
        date=dt.date(2026, 2, 14),
        meta=DigestMeta(title="今日要闻", summary=[]),
        sections=[
            SectionDraft(key="a", title="甲", stories=[_story(1), _story(2)]),
            SectionDraft(key="b", title="乙", stories=[_story(3), _story(4)]),
        ],
    )
    publication = PublicationSettings(name="早报", cover=CoverSettings(headlines=3))
    card = card_of(draft, publication)
    assert (card.publication, card.title, card.headlines) == (
        "早报",
        "今日要闻",
        ["第1条", "第2条", "第3条"],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("【待编辑】OpenAI 发布\nGPT-5", "OpenAI 发布 GPT-5"),
        ("融资【待核实：300 亿】完成\x00\u202e", "融资完成"),
        ("一" * 30, "一" * 19 + "…"),
    ],
)
def test_card_text_is_cleaned_and_bounded(text: str, expected: str) -> None:
    assert clean(text, 20) == expected


def test_the_date_line_names_the_weekday() -> None:
    assert date_line(dt.date(2026, 2, 14)) == "2026年2月14日 星期六"
    assert card_texts(CARD)[:2] == ["AI 日报", "2026年2月14日 星期六"]


def test_wrapping_keeps_words_whole_and_lets_closing_punctuation_hang() -> None:
    lines = wrap("alpha beta gamma delta epsilon", LATIN, 120)
    assert len(lines) > 1 and all(LATIN.getlength(line) <= 120 for line in lines)
    assert " ".join(lines) == "alpha beta gamma delta epsilon"
    hung = wrap("alpha beta gamma,", LATIN, round(LATIN.getlength("alpha beta gamma")))
    assert hung == ["alpha beta gamma,"]


def test_an_opening_bracket_moves_to_the_next_line() -> None:
    width = round(LATIN.getlength("alpha beta ("))
    assert wrap("alpha beta (gamma)", LATIN, width) == ["alpha beta", "(gamma)"]


def test_a_headline_the_title_already_says_is_not_repeated() -> None:
    headlines = ["Gemini 3 升级", "其他", "第三", "第四"]
    assert pick_headlines("Gemini 3 升级（IT之家）", headlines, 2) == ["其他", "第三"]


def test_a_word_wider_than_a_line_is_broken() -> None:
    lines = wrap("x" * 80, LATIN, 100)
    assert "".join(lines) == "x" * 80 and all(LATIN.getlength(line) <= 100 for line in lines)


def test_text_beyond_the_last_line_ends_in_an_ellipsis() -> None:
    lines = fit_lines(["alpha", "beta", "gamma"], LATIN, 200, 2)
    assert lines == ["alpha", "beta…"]


def test_a_card_in_a_configured_font_has_the_configured_size(tmp_path: Path) -> None:
    font = tiny_font(tmp_path / "tiny.ttf")
    cover = CoverSettings(width=640, height=360, font=font)
    card = CARD.model_copy(update={"title": "AI 模型发布", "headlines": ["OpenAI 融资"]})
    assert _image(render_cover(card, cover)).size == (640, 360)


@needs_cjk_font
@pytest.mark.parametrize("size", [(1200, 630), (900, 383), (1080, 1080)])
def test_a_card_in_the_system_font_has_the_configured_size(size: tuple[int, int]) -> None:
    image = _image(render_cover(CARD, CoverSettings(width=size[0], height=size[1])))
    assert image.size == size


@needs_cjk_font
def test_the_title_is_drawn_where_the_title_goes() -> None:
    """Two cards that differ only in their title differ in the title's band, nowhere else."""
    cover = CoverSettings()
    one = _image(render_cover(CARD, cover))
    other = _image(render_cover(CARD.model_copy(update={"title": "国产算力突破三万卡"}), cover))
    # ignore the palette's small shifts of the background: text differs by far more
    box = (
        ImageChops.difference(one, other)
        .convert("L")
        .point(lambda v: 255 if v > 48 else 0)
        .getbbox()
    )
    assert box is not None
    left, top, _, bottom = box
    assert left >= 60 and 120 < top < bottom < 630 - 40


@needs_cjk_font
def test_headlines_that_do_not_fit_are_left_off_not_squeezed() -> None:
    cover = CoverSettings(width=900, height=383)
    names = [f"第{n}条新闻标题" for n in range(5)]
    drawn = [
        _image(render_cover(CARD.model_copy(update={"headlines": names[:k]}), cover))
        for k in range(6)
    ]
    fits = next(k for k in range(6) if ImageChops.difference(drawn[5], drawn[k]).getbbox() is None)
    assert 0 < fits < 5  # the card with all five is the card with the first few
