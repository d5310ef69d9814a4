"""Fonts for cover images: a font with Chinese glyphs found on the system, and its coverage.

A cover is drawn only with a face whose character map holds every letter of the text,
so a card never shows tofu boxes. The character maps are read with fontTools.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont
from pydantic import BaseModel, ConfigDict

from pipeline.errors import CoverError

logger = logging.getLogger(__name__)

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)
# File names of common Chinese fonts, for systems without fontconfig (macOS, Windows).
CJK_FILE = re.compile(
    r"cjk|han[ s]?sans|sourcehan|hans|(?:sans|serif)[-_ ]?(?:sc|tc|hk)(?![a-z])|[-_ ]sc[-_. ]|"
    r"pingfang|hiragino|heiti|songti|stheit|"
    r"msyh|msjh|simhei|simsun|simkai|deng|wqy|droidsansfallback|yahei",
    re.IGNORECASE,
)
PROBE = "中文日报人工智能"  # a face without these is no Chinese font
FC_TIMEOUT = 20.0  # seconds for `fc-list`
FC_FORMAT = "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n"
MAX_TRIED = 8  # faces whose character maps are read before giving up (each read takes time)
INSTALL_HINT = (
    "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) "
    'or set [publication.cover] font = "/path/to/font.ttc"'
)
# Characters that may be left off a card when no face has them (emoji, symbols, marks).
DROPPABLE = frozenset({"So", "Sk", "Cf", "Co", "Cn", "Cs", "Mn", "Me"})
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold", re.IGNORECASE)


class Face(BaseModel):
    """One face of a font file (a .ttc holds several)."""

    model_config = ConfigDict(frozen=True)

    path: Path
    index: int = 0
    family: str = ""
    style: str = ""

    @property
    def bold(self) -> bool:
        """Whether this is a bold weight."""
        return bool(_BOLD.search(self.style))

    def __str__(self) -> str:
        return f"{self.family} {self.style} ({self.path}#{self.index})".strip()


class FacePair(BaseModel):
    """The faces a card is drawn with: regular for the text, bold for the title."""

    regular: Face
    bold: Face


def choose_faces(texts: Sequence[str], configured: Path | None = None) -> FacePair:
    """The best Chinese faces that hold every letter of the texts; CoverError if none does."""
    faces = configured_faces(configured) if configured else list(system_faces())
    if not faces:
        raise CoverError(f"no font with Chinese glyphs found for the cover image: {INSTALL_HINT}")
    wanted = "".join(texts)
    regular = first_fitting([f for f in faces if not f.bold] or faces, wanted)
    if regular is None:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing_glyphs(faces[0], wanted)[:8])
        raise CoverError(f"the font {faces[0]} has no glyph for {shown}: {INSTALL_HINT}")
    bold = first_fitting([f for f in faces if f.bold and f.family == regular.family], wanted)
    return FacePair(regular=regular, bold=bold or regular)


def first_fitting(faces: Sequence[Face], text: str) -> Face | None:
    """The first of (at most MAX_TRIED) faces that has every letter of text."""
    return next((f for f in faces[:MAX_TRIED] if not missing_glyphs(f, text)), None)


def missing_glyphs(face: Face, text: str) -> list[str]:
    """The letters of text the face has no glyph for (emoji and symbols do not count)."""
    chars = char_map(face.path, face.index)
    seen: dict[str, None] = {}
    for ch in text:
        if ord(ch) not in chars and not ch.isspace() and not droppable(ch):
            seen.setdefault(ch)
    return list(seen)


def droppable(ch: str) -> bool:
    """Whether a character may be left off a card (emoji, symbols, combining marks)."""
    return unicodedata.category(ch) in DROPPABLE


def drawable(face: Face, text: str) -> str:
    """Text with what the face cannot draw left out (only droppable characters remain so)."""
    chars = char_map(face.path, face.index)
    kept = (" " if ch.isspace() else ch for ch in text if ch.isspace() or ord(ch) in chars)
    return " ".join("".join(kept).split())


@lru_cache(maxsize=32)
def char_map(path: Path, index: int) -> frozenset[int]:
    """The code points a face maps to glyphs."""
    try:
        with TTFont(str(path), fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception as exc:  # fontTools raises many kinds on a broken file
        raise CoverError(f"cannot read the font {path}: {exc}") from exc


def configured_faces(path: Path) -> list[Face]:
    """The faces of the configured font file, best first; CoverError if it is unusable."""
    if not path.is_file():
        raise CoverError(f"the cover font {path} does not exist: {INSTALL_HINT}")
    try:
        faces = rank(chinese_faces(path))
    except Exception as exc:  # fontTools raises many kinds on a file that is no font
        raise CoverError(f"the cover font {path} cannot be read as a font: {exc}") from exc
    if not faces:
        raise CoverError(f"the cover font {path} has no Chinese glyphs: {INSTALL_HINT}")
    return faces


@lru_cache(maxsize=1)
def system_faces() -> tuple[Face, ...]:
    """The Chinese faces installed on this machine, best first (searched once per process)."""
    faces = fontconfig_faces() or [f for path in scanned_files(FONT_DIRS) for f in faces_of(path)]
    ranked = rank(faces)
    logger.debug("cover fonts found: %s", ", ".join(map(str, ranked[:4])) or "none")
    return tuple(ranked)


def fontconfig_faces() -> list[Face]:
    """The faces fontconfig knows to cover Chinese (none when there is no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh-cn", "--format", FC_FORMAT],
            capture_output=True,
            text=True,
            timeout=FC_TIMEOUT,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("fc-list failed (%s); searching font folders instead", exc)
        return []
    return [face for line in out.splitlines() if (face := _fc_face(line))]


def _fc_face(line: str) -> Face | None:
    """A face from one ``file<TAB>index<TAB>family<TAB>style`` line of fc-list."""
    parts = line.split("\t")
    if len(parts) != 4 or not parts[0].lower().endswith(FONT_SUFFIXES) or not parts[1].isdigit():
        return None
    return Face(path=Path(parts[0]), index=int(parts[1]), family=parts[2], style=parts[3])


def scanned_files(folders: Iterable[str]) -> list[Path]:
    """Font files whose names look Chinese, in the usual font folders."""
    found: list[Path] = []
    for folder in folders:
        root = Path(folder).expanduser()
        if root.is_dir():
            found += [
                p
                for p in root.rglob("*")
                if p.suffix.lower() in FONT_SUFFIXES and CJK_FILE.search(p.name)
            ]
    return sorted(found)


def faces_of(path: Path) -> list[Face]:
    """The faces of a font file that have Chinese glyphs (none if it cannot be read)."""
    try:
        return chinese_faces(path)
    except Exception as exc:  # a broken font file on the system is skipped, not fatal
        logger.debug("skipping font %s: %s", path, exc)
        return []


def chinese_faces(path: Path) -> list[Face]:
    """The faces of a font file (a collection has several) that have Chinese glyphs."""
    if path.suffix.lower() in (".ttc", ".otc"):
        with TTCollection(str(path), lazy=True) as collection:
            fonts = list(enumerate(collection.fonts))
            return [f for i, font in fonts if (f := _chinese_face(path, i, font))]
    with TTFont(str(path), lazy=True) as font:
        face = _chinese_face(path, 0, font)
        return [face] if face else []


def _chinese_face(path: Path, index: int, font: TTFont) -> Face | None:
    cmap = font.getBestCmap() or {}
    if any(ord(ch) not in cmap for ch in PROBE):
        return None
    names = font["name"]
    family = str(names.getBestFamilyName() or path.stem)
    style = str(names.getBestSubFamilyName() or "")
    return Face(path=path, index=index, family=family, style=style)


def rank(faces: Iterable[Face]) -> list[Face]:
    """Faces best first: simplified-Chinese sans faces before others, monospace last."""
    return sorted(faces, key=_score, reverse=True)


def _score(face: Face) -> tuple[int, str]:
    name = f"{face.family} {face.path.name}"
    score = 4 if re.search(r"\bSC\b|Hans|GB|[-_]SC\b|简", name) else 0
    score += 2 if re.search(r"Sans|Hei|Gothic|PingFang|YaHei", name, re.IGNORECASE) else 0
    score -= 3 if re.search(r"Mono", name) else 0
    return score, name
