"""Page metadata: title, site, author, image and date, looked for only where needed.

Meta tags and JSON-LD are cheap and read always. The date search (htmldate) runs only
when the feed gave no date. trafilatura's search for an author in the page's body
(bylines, about 5 ms a page, a third of a whole extraction) is not run: the author
comes from the feed, else from the page's meta tags or JSON-LD. Categories, tags and
licence, which the digest does not use, are not read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
)
from trafilatura.settings import Document

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Needs:
    """What the page must supply because the feed entry did not."""

    date: bool = True


def read_metadata(tree: HtmlElement, url: str, max_date: date, needs: Needs) -> Document:
    """The page's metadata (an empty Document if the page's markup breaks the readers)."""
    try:
        meta = extract_meta_json(tree, _meta_tags(tree))
        meta.title = meta.title or extract_title(tree)
        meta.sitename = (meta.sitename or extract_sitename(tree) or "").lstrip("@") or None
        if needs.date:
            meta.date = _page_date(tree, url, max_date)
        meta.clean_and_trim()
    except Exception as exc:  # metadata is optional: a broken page still gives its text
        logger.warning("%s: metadata extraction failed: %s", url, exc)
        return Document()
    return meta


def _meta_tags(tree: HtmlElement) -> Document:
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a one-word "author" meta is a site or a handle (trafilatura's rule)
    return meta


def _page_date(tree: HtmlElement, url: str, max_date: date) -> str | None:
    # No extensive search: it takes "© 2025" in a footer for a publication date.
    found = find_date(
        tree,
        url=url,
        original_date=True,
        extensive_search=False,
        max_date=max_date.isoformat(),
        outputformat="%Y-%m-%dT%H:%M:%S%z",
    )
    return found if isinstance(found, str) else None
