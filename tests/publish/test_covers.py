"""Which cover a draft gets: the policy, the generated card's file and URL, the editor's own."""

from __future__ import annotations

import datetime as dt
import io
import string
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import CoverSettings, PublicationSettings
from pipeline.errors import CoverError
from pipeline.markdown import fonts
from pipeline.markdown.cover import CoverCard
from pipeline.publish import covers
from pipeline.publish.covers import card_of_text, choose_cover, cover_path, hash_path, redraw_cover
from pipeline.publish.drafts import generated_path
from tests.tinyfont import CARD_CHARS, tiny_font

DAY = "2026-02-14"
CARD = CoverCard(publication="AI 日报", day=dt.date(2026, 2, 14), title="AI 模型发布")
BASE = "https://img.example.org/digest/"


def _profile(tmp_path: Path, **cover: object) -> PublicationSettings:
    font = tiny_font(tmp_path / "tiny.ttf")
    settings = CoverSettings(**{"policy": "generate", "font": font, **cover})  # type: ignore[arg-type]
    return PublicationSettings(image_base=BASE, cover=settings)


def _draft(path: Path, cover: str, generated: str | None) -> Path:
    """A daily draft with this coverImage; ``generated``: the cover of the text the run wrote."""
    text = f'---\ntitle: T\ndate: {DAY}\ncoverImage: "{{}}"\n---\n# T\n'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.format(cover), encoding="utf-8")
    if generated is not None:
        generated_path(path).parent.mkdir(parents=True, exist_ok=True)
        generated_path(path).write_text(text.format(generated), encoding="utf-8")
    return path


def test_a_generated_card_is_written_beside_the_draft_and_linked_under_the_base(
    tmp_path: Path,
) -> None:
    target = tmp_path / "daily" / f"{DAY}.md"
    result = choose_cover(
        _profile(tmp_path, width=640, height=360), CARD, existing=target, target=target
    )
    png = tmp_path / "daily" / "img" / f"{DAY}.png"
    assert (result.url, result.path, result.failure) == (f"{BASE}daily/img/{DAY}.png", png, None)
    assert Image.open(io.BytesIO(png.read_bytes())).size == (640, 360)
    assert hash_path(png).is_file()


def test_a_rerun_beside_an_edited_draft_gets_its_own_card(tmp_path: Path) -> None:
    existing = _draft(
        tmp_path / "daily" / f"{DAY}.md", f"{BASE}daily/img/{DAY}.png", f"{BASE}daily/img/{DAY}.png"
    )
    target = tmp_path / "daily" / f"{DAY}.rerun-1.md"
    result = choose_cover(_profile(tmp_path), CARD, existing=existing, target=target)
    assert result.url == f"{BASE}daily/img/{DAY}.rerun-1.png"
    assert cover_path(target).is_file() and not cover_path(existing).exists()


@pytest.mark.parametrize(
    ("generated", "kept"),
    [("https://run/x.png", True), (None, True), ("https://editor/own.png", False)],
    ids=["editor-changed-it", "unknown-origin", "as-generated"],
)
def test_an_editors_own_cover_image_is_never_replaced(
    tmp_path: Path, generated: str | None, kept: bool
) -> None:
    existing = _draft(tmp_path / "daily" / f"{DAY}.md", "https://editor/own.png", generated)
    result = choose_cover(_profile(tmp_path), CARD, existing=existing, target=existing)
    assert (result.url == "https://editor/own.png") is kept
    assert cover_path(existing).exists() is not kept


def test_an_image_an_editor_put_in_place_of_the_card_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "daily" / f"{DAY}.md"
    profile = _profile(tmp_path)
    choose_cover(profile, CARD, existing=target, target=target)
    cover_path(target).write_bytes(b"the editor's own picture")
    result = choose_cover(
        profile, CARD.model_copy(update={"title": "新标题"}), existing=target, target=target
    )
    assert cover_path(target).read_bytes() == b"the editor's own picture"
    assert result.url == f"{BASE}daily/img/{DAY}.png" and "editor" in (result.note or "")


def test_an_unchanged_card_is_redrawn_on_a_rerun(tmp_path: Path) -> None:
    target = tmp_path / "daily" / f"{DAY}.md"
    profile = _profile(tmp_path)
    choose_cover(profile, CARD, existing=target, target=target)
    first = cover_path(target).read_bytes()
    choose_cover(
        profile,
        CARD.model_copy(update={"title": "AI 模型融资 亿美元"}),
        existing=target,
        target=target,
    )
    assert cover_path(target).read_bytes() != first


def test_no_font_means_no_cover_and_a_failure_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "system_faces", lambda: ())
    target = tmp_path / "daily" / f"{DAY}.md"
    profile = _profile(tmp_path, font=None)
    result = choose_cover(profile, CARD, existing=target, target=target)
    assert result.url == "" and result.failure is not None
    assert result.failure.stage == "render" and "fonts-noto-cjk" in result.failure.error
    assert not cover_path(target).exists()


@pytest.mark.parametrize(
    ("cover", "url"),
    [
        (CoverSettings(policy="none"), ""),
        (CoverSettings(policy="editor"), ""),
        (
            CoverSettings(policy="fixed", url="https://cdn.example.org/logo.png"),
            "https://cdn.example.org/logo.png",
        ),
    ],
    ids=["none", "editor", "fixed"],
)
def test_other_policies_draw_nothing(tmp_path: Path, cover: CoverSettings, url: str) -> None:
    target = tmp_path / "daily" / f"{DAY}.md"
    result = choose_cover(PublicationSettings(cover=cover), CARD, existing=target, target=target)
    assert (result.url, result.path) == (url, None) and not (tmp_path / "daily" / "img").exists()


# --- digest cover: redrawing after an editor changed the draft ----------------------------

DRAFT = """---
title: 编辑改过的标题
date: 2026-02-14
coverImage: ""
---
# 编辑改过的标题

## 模型

### [Gemini \\[beta\\] 发布](https://a.cn/1)

导语。

### [OpenAI 融资](https://a.cn/2)

导语。
"""


def test_the_card_of_an_edited_draft_has_its_title_and_headlines() -> None:
    card = card_of_text(DRAFT, PublicationSettings())
    assert (card.title, card.day) == ("编辑改过的标题", dt.date(2026, 2, 14))
    assert card.headlines == ["Gemini [beta] 发布", "OpenAI 融资"]


def test_a_digest_of_paragraph_stories_shows_its_section_titles() -> None:
    text = DRAFT.split("### ")[0] + "## 算力\n\n**中科曙光**：3 万卡上线。\n"
    assert card_of_text(text, PublicationSettings()).headlines == ["模型", "算力"]


def test_only_daily_drafts_get_cards() -> None:
    with pytest.raises(CoverError, match="daily drafts"):
        card_of_text("# 2026年2月8日 AI行业动态\n\n**政策与监管**\n", PublicationSettings())


def test_digest_cover_redraws_and_says_what_to_put_in_the_draft(tmp_path: Path) -> None:
    font = tiny_font(tmp_path / "tiny.ttf", CARD_CHARS + string.ascii_letters + "编辑改过的标题[]")
    config = tmp_path / "digest.toml"
    config.write_text(
        f'[publication]\nimage_base = "{BASE}"\n[publication.cover]\nfont = "{font}"\n'
        "width = 400\nheight = 210\n",
        encoding="utf-8",
    )
    draft = tmp_path / "daily" / f"{DAY}.md"
    draft.parent.mkdir()
    draft.write_text(DRAFT, encoding="utf-8")
    result = CliRunner().invoke(app, ["cover", str(draft), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert f'coverImage: "{BASE}daily/img/{DAY}.png"' in result.output
    assert Image.open(cover_path(draft)).size == (400, 210)
    cover_path(draft).write_bytes(b"an editor's picture")
    refused = CliRunner().invoke(app, ["cover", str(draft), "--config", str(config)])
    assert refused.exit_code == 2 and "--force" in refused.output
    forced = CliRunner().invoke(app, ["cover", str(draft), "--config", str(config), "--force"])
    assert forced.exit_code == 0 and cover_path(draft).read_bytes()[:4] == b"\x89PNG"


def test_digest_cover_to_a_file_of_ones_choosing_leaves_no_bookkeeping(tmp_path: Path) -> None:
    font = tiny_font(tmp_path / "tiny.ttf", CARD_CHARS + string.ascii_letters + "编辑改过的标题[]")
    draft = tmp_path / "daily" / f"{DAY}.md"
    draft.parent.mkdir()
    draft.write_text(DRAFT, encoding="utf-8")
    out = tmp_path / "docs" / "card.png"
    publication = PublicationSettings(cover=CoverSettings(font=font))
    assert redraw_cover(draft, publication, png=out) == out
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        f"{DAY}.md",
        "card.png",
        "tiny.ttf",
    ]


def test_the_same_card_is_not_drawn_again_on_a_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rerun of an unchanged date keeps the card it drew (drawing costs a second or more)."""
    target = tmp_path / "daily" / f"{DAY}.md"
    profile = _profile(tmp_path)
    first = choose_cover(profile, CARD, existing=target, target=target)
    drawn = cover_path(target).read_bytes()
    monkeypatch.setattr(covers, "render_cover", lambda *_: pytest.fail("drawn again"))
    again = choose_cover(profile, CARD, existing=target, target=target)
    assert again == first and cover_path(target).read_bytes() == drawn
    monkeypatch.undo()
    recoloured = profile.model_copy(
        update={"cover": profile.cover.model_copy(update={"accent": "#ff0000"})}
    )
    choose_cover(recoloured, CARD, existing=target, target=target)
    assert cover_path(target).read_bytes() != drawn  # another setting: another card
