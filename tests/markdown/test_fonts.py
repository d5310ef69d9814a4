"""Cover fonts: finding a Chinese face, and refusing to draw what a face has no glyph for."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageFont

from pipeline.errors import CoverError
from pipeline.markdown import fonts
from pipeline.markdown.fonts import (
    Face,
    choose_faces,
    configured_faces,
    drawable,
    faces_of,
    missing_glyphs,
    rank,
    system_faces,
)
from tests.tinyfont import tiny_font

SYSTEM = system_faces()
needs_cjk_font = pytest.mark.skipif(
    not SYSTEM,
    reason="no font with Chinese glyphs on this machine (Debian: apt-get install fonts-noto-cjk)",
)
TITLE = "大模型推理能力集体突破，Anthropic 3800亿美元创融资纪录（GPT-5.3）"
NOT_A_CHARACTER = chr(0x10FFFD)  # private use, plane 16: no font maps it, so it draws .notdef


def test_a_face_lacking_a_letter_is_refused_and_the_letter_named(tmp_path: Path) -> None:
    font = tiny_font(tmp_path / "tiny.ttf", "中文日报人工智能AI")
    with pytest.raises(CoverError) as caught:
        choose_faces(["AI 日报", "人工智能中文X"], font)
    assert "'X' (U+0058)" in str(caught.value) and "fonts-noto-cjk" in str(caught.value)


def test_emoji_and_symbols_do_not_count_as_missing(tmp_path: Path) -> None:
    face = faces_of(tiny_font(tmp_path / "tiny.ttf", "中文日报人工智能"))[0]
    assert missing_glyphs(face, "人工智能🚀★\u200d") == []
    assert drawable(face, "人工  智能🚀★") == "人工 智能"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "absent.ttc", "does not exist"),
        (lambda d: tiny_font(d / "latin.ttf", "ABC"), "has no Chinese glyphs"),
        (lambda d: d / "x.ttf", "cannot be read as a font"),
    ],
    ids=["missing", "latin-only", "garbage"],
)
def test_an_unusable_configured_font_is_a_clear_error(
    tmp_path: Path, make: object, words: str
) -> None:
    (tmp_path / "x.ttf").write_bytes(b"not a font")
    assert callable(make)
    with pytest.raises(CoverError, match=words):
        configured_faces(make(tmp_path))


def test_no_font_on_the_machine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "system_faces", lambda: ())
    with pytest.raises(
        CoverError, match=r"apt-get install fonts-noto-cjk.*\[publication.cover\] font"
    ):
        choose_faces(["AI 日报"])


def test_simplified_chinese_sans_faces_rank_first() -> None:
    faces = [
        Face(path=Path("NotoSerifCJK-Regular.ttc"), index=2, family="Noto Serif CJK SC"),
        Face(path=Path("NotoSansCJK-Regular.ttc"), index=7, family="Noto Sans Mono CJK SC"),
        Face(path=Path("NotoSansCJK-Regular.ttc"), index=0, family="Noto Sans CJK JP"),
        Face(path=Path("NotoSansCJK-Regular.ttc"), index=2, family="Noto Sans CJK SC"),
    ]
    assert [f.family for f in rank(faces)][:2] == ["Noto Sans CJK SC", "Noto Serif CJK SC"]


def test_bold_and_regular_faces_of_one_family(tmp_path: Path) -> None:
    regular = tiny_font(tmp_path / "r.ttf")
    bold = tiny_font(tmp_path / "b.ttf", style="Bold")
    faces = rank([*faces_of(regular), *faces_of(bold)])
    assert {f.bold for f in faces} == {True, False}


@needs_cjk_font
def test_the_system_face_draws_every_letter_of_a_title_as_itself() -> None:
    """No tofu: each letter's raster differs from the face's missing-glyph box."""
    face = choose_faces([TITLE]).bold
    assert missing_glyphs(face, TITLE) == []
    font = ImageFont.truetype(str(face.path), 48, index=face.index)
    box = font.getmask(NOT_A_CHARACTER)
    notdef = (box.size, bytes(box))
    for ch in set(TITLE) - {" "}:
        mask = font.getmask(ch)
        assert (mask.size, bytes(mask)) != notdef, f"{ch!r} is drawn as the missing-glyph box"


@needs_cjk_font
def test_a_letter_the_system_face_lacks_is_refused_not_boxed() -> None:
    with pytest.raises(CoverError, match=r"U\+1E900"):
        choose_faces(["人工智能 \U0001e900"])  # ADLAM CAPITAL LETTER ALIF: a letter, not a symbol


@pytest.mark.parametrize(
    ("line", "face"),
    [
        (
            "/f/NotoSansCJK-Bold.ttc\t2\tNoto Sans CJK SC\tBold",
            Face(
                path=Path("/f/NotoSansCJK-Bold.ttc"),
                index=2,
                family="Noto Sans CJK SC",
                style="Bold",
            ),
        ),
        ("/f/readme.txt\t0\tX\tRegular", None),
        ("/f/a.ttf\tx\tX\tRegular", None),
        ("garbage", None),
    ],
)
def test_fontconfig_lines_become_faces(line: str, face: Face | None) -> None:
    assert fonts._fc_face(line) == face


def test_without_fontconfig_font_folders_are_searched_by_name(tmp_path: Path) -> None:
    tiny_font(tmp_path / "NotoSansSC-Regular.ttf")
    (tmp_path / "DejaVuSans.ttf").write_bytes((tmp_path / "NotoSansSC-Regular.ttf").read_bytes())
    assert [p.name for p in fonts.scanned_files([str(tmp_path)])] == ["NotoSansSC-Regular.ttf"]
