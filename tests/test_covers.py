"""Which cover a draft gets: the policy, the generated card's file and URL, the editor's own."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image

from pipeline import fonts
from pipeline.config import CoverSettings, PublicationSettings
from pipeline.cover import CoverCard
from pipeline.covers import choose_cover, cover_path, hash_path
from pipeline.publish import generated_path
from tests.tinyfont import tiny_font

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
