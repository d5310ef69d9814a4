"""Which cover a draft gets (the publication's policy), and writing generated covers.

An editor's own cover is never replaced: a ``coverImage`` an editor put into the draft
is carried into the new draft, and a PNG an editor put in place of a generated one is
left as it is (the hash of each generated PNG is kept under ``.generated/``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from pydantic import BaseModel

from pipeline.config import PublicationSettings
from pipeline.errors import CoverError
from pipeline.markdown import cover as cover_module
from pipeline.markdown.cover import CoverCard, pick_headlines, render_cover
from pipeline.markdown.document import DailyDocument, SectionNode
from pipeline.markdown.parse import parse
from pipeline.models import Failure
from pipeline.publish.drafts import GENERATED_DIR, generated_path
from pipeline.store.files import atomic_write

logger = logging.getLogger(__name__)

IMG_DIR = "img"
_MD_ESCAPE = re.compile(r"\\([\\\[\]*_`])")  # Markdown escapes in link titles: \[ \] \\


class CoverResult(BaseModel):
    """The draft's ``coverImage`` and what was done to get it."""

    url: str = ""
    path: Path | None = None  # the PNG written or kept, if any
    note: str | None = None
    failure: Failure | None = None


def cover_path(markdown: Path) -> Path:
    """Where a draft's generated cover goes: ``<format>/img/<stem>.png`` beside it."""
    return markdown.parent / IMG_DIR / f"{markdown.stem}.png"


def cover_url(publication: PublicationSettings, fmt: str, stem: str) -> str:
    """The public URL of a generated cover, under the configured image base."""
    return f"{publication.image_base}{fmt}/{IMG_DIR}/{stem}.png"


def draft_cover(markdown: Path) -> str | None:
    """The ``coverImage`` of a draft on disk (None if there is no such draft or key)."""
    try:
        text = markdown.read_text(encoding="utf-8", errors="replace")
        doc = parse(text, "daily")
    except (OSError, ValueError):
        return None
    front = getattr(doc, "front", None)
    return front.text("coverImage") if front is not None else None


def editor_cover(markdown: Path) -> str | None:
    """A cover an editor set in the draft: one that differs from what the pipeline wrote."""
    current = draft_cover(markdown)
    if not current:
        return None
    generated = generated_path(markdown)
    written = draft_cover(generated) if generated.is_file() else None
    return current if current != written else None


def choose_cover(
    publication: PublicationSettings, card: CoverCard, *, existing: Path, target: Path
) -> CoverResult:
    """The cover of the draft written to ``target``, ``existing`` being the date's draft."""
    own = editor_cover(existing)
    if own:
        return CoverResult(url=own, note=f"kept the editor's coverImage of {existing}")
    if publication.cover.policy == "fixed":
        return CoverResult(url=publication.cover.url)
    if publication.cover.policy in ("none", "editor"):
        return CoverResult()
    return generate_cover(publication, card, target)


def generate_cover(publication: PublicationSettings, card: CoverCard, target: Path) -> CoverResult:
    """Draw and write the draft's title card; a failure leaves the cover empty, with a reason."""
    path = cover_path(target)
    url = cover_url(publication, target.parent.name, target.stem)
    if replaced_by_editor(path):
        return CoverResult(url=url, path=path, note=f"kept the editor's image at {path}")
    key = card_key(card, publication)
    if drawn_from(path) == key:
        return CoverResult(url=url, path=path)  # a rerun: the same card is there already
    try:
        write_cover(path, render_cover(card, publication.cover), key=key)
    except (CoverError, OSError) as exc:
        logger.warning("no cover image for %s: %s", target, exc)
        failure = Failure(url=str(path), stage="render", error=f"cover image: {exc}")
        return CoverResult(failure=failure)
    return CoverResult(url=url, path=path)


def hash_path(png: Path) -> Path:
    """Where the hash of a generated cover is kept: ``<format>/.generated/img/<name>.sha256``."""
    return png.parent.parent / GENERATED_DIR / IMG_DIR / f"{png.name}.sha256"


def replaced_by_editor(png: Path) -> bool:
    """Whether a PNG is there that the pipeline did not write (or an editor changed)."""
    if not png.exists():
        return False
    try:
        recorded = hash_path(png).read_text(encoding="ascii").split("\n", 1)[0].strip()
        return hashlib.sha256(png.read_bytes()).hexdigest() != recorded
    except (OSError, UnicodeDecodeError):
        return True  # no hash: of unknown origin, so it is kept


def write_cover(png: Path, data: bytes, *, key: str = "") -> None:
    """Write a generated cover and its hash (and the key of its card), each atomically."""
    atomic_write(png, data)
    atomic_write(hash_path(png), hashlib.sha256(data).hexdigest() + "\n" + key)
    logger.info("wrote the cover %s", png)


def card_key(card: CoverCard, publication: PublicationSettings) -> str:
    """What decides a generated card's pixels: its texts, the cover settings, the drawing code."""
    digest = hashlib.sha256(Path(cover_module.__file__ or "").read_bytes())
    digest.update(card.model_dump_json().encode())
    digest.update(publication.cover.model_dump_json().encode())
    return "card " + digest.hexdigest()


def drawn_from(png: Path) -> str | None:
    """The card key recorded with a generated cover, else None (the caller has already
    made sure the PNG is not an editor's: ``replaced_by_editor``)."""
    if not png.exists():
        return None
    try:
        lines = hash_path(png).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[1] if len(lines) > 1 else None


def card_of_text(text: str, publication: PublicationSettings) -> CoverCard:
    """The card of a daily draft as it is now (an editor's title and stories)."""
    doc = parse(text)
    if not isinstance(doc, DailyDocument) or doc.front is None or doc.front.date() is None:
        raise CoverError("covers are drawn for daily drafts with a front-matter date")
    title = doc.front.text("title") or (doc.title.title if doc.title else "")
    sections = [s for s in doc.sections if isinstance(s, SectionNode)]
    # stories' headlines; a digest of bold-labelled paragraph stories has its sections' titles
    headlines = [st.heading.title for s in sections for st in s.stories]
    headlines = headlines or [s.heading.title for s in sections]
    day = doc.front.date()
    assert day is not None
    return CoverCard(
        publication=publication.name,
        day=day,
        title=_MD_ESCAPE.sub(r"\1", title),
        headlines=pick_headlines(
            title, [_MD_ESCAPE.sub(r"\1", h) for h in headlines], publication.cover.headlines
        ),
    )


def redraw_cover(
    markdown: Path,
    publication: PublicationSettings,
    *,
    png: Path | None = None,
    force: bool = False,
) -> Path:
    """Draw the cover of a draft as edited (``digest cover``); an editor's own image needs force."""
    card = card_of_text(markdown.read_text(encoding="utf-8"), publication)
    if png is not None:  # a file of the editor's choosing: not one the pipeline keeps track of
        atomic_write(png, render_cover(card, publication.cover))
        return png
    target = cover_path(markdown)
    if replaced_by_editor(target) and not force:
        raise CoverError(f"{target} is not an image the pipeline drew; --force replaces it")
    write_cover(target, render_cover(card, publication.cover))
    return target
