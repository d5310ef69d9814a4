"""Resolving a 【待核实】 marker on the document model: keep the claim, or delete its sentence.

A marker is named by the path of the text field that holds it (``sections.0.stories.1.
blocks.0.text``, the model's own field names and list indices) and its index among that
field's markers; a stale path or index is refused, never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from pipeline.errors import EditError
from pipeline.markdown.document import Bullet, BulletList, Document, Paragraph
from pipeline.review.web.edits import UNSUPPORTED_RE

PATH_SEGMENT_RE = re.compile(r"[a-z_]{1,20}|\d{1,5}")
SENTENCE_END = "。！？!?；;\n"


def resolve_marker(doc: Document, path: str, occurrence: int, *, keep: bool) -> Document:
    """Resolve the occurrence-th 【待核实】 marker of the text at path.

    keep: the claim stays and the marker goes. Otherwise the sentence that makes the
    claim goes with it; a paragraph or line left empty goes too.
    """
    out = doc.model_copy(deep=True)
    chain = _walk(out, path)
    parent, key = chain[-1]
    value = _get(parent, key)
    if not isinstance(value, str):
        raise EditError(f"{path} is not text")
    marks = list(UNSUPPORTED_RE.finditer(value))
    if not 0 <= occurrence < len(marks):
        raise EditError(f"{path} has no 【待核实】 marker {occurrence}")
    mark = marks[occurrence]
    new = _without(value, mark.start(), mark.end(), sentence=not keep)
    _set(parent, key, new)
    if not keep and not new.strip() and value.strip():
        _prune(chain)
    return out


def _without(text: str, start: int, end: int, *, sentence: bool) -> str:
    if not sentence:
        return text[:start] + text[end:]
    before = max((text.rfind(ch, 0, start) for ch in SENTENCE_END), default=-1) + 1
    after = min((i for ch in SENTENCE_END if (i := text.find(ch, end)) >= 0), default=len(text))
    head, tail = text[:before], text[after + 1 :].lstrip(" ")
    return (head.rstrip(" ") if not tail else head) + tail


def _walk(doc: Document, path: str) -> list[tuple[Any, str | int]]:
    """The (container, key) pairs from the document down to the text at path."""
    parts = path.split(".")
    if not path or not all(PATH_SEGMENT_RE.fullmatch(p) for p in parts):
        raise EditError(f"not a text path: {path!r}")
    chain: list[tuple[Any, str | int]] = []
    node: Any = doc
    for part in parts:
        key: str | int = int(part) if part.isdigit() else part
        chain.append((node, key))
        node = _get(node, key)
    return chain


def _get(node: Any, key: str | int) -> Any:
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    if isinstance(node, BaseModel) and isinstance(key, str) and key in type(node).model_fields:
        return getattr(node, key)
    raise EditError(f"no {key!r} in the document here (it changed?)")


def _set(node: Any, key: str | int, value: str) -> None:
    if isinstance(node, list):
        node[key] = value  # type: ignore[index]
    else:
        setattr(node, str(key), value)


def _prune(chain: list[tuple[Any, str | int]]) -> None:
    """Remove the paragraph or list item the emptied text belonged to (and an emptied list)."""
    owner_index = next(
        (i for i in range(len(chain) - 1, -1, -1) if isinstance(chain[i][0], (Paragraph, Bullet))),
        None,
    )
    if owner_index is None or owner_index == 0:
        return
    holder, key = chain[owner_index - 1]
    if isinstance(holder, list) and isinstance(key, int):
        holder.pop(key)
        if not holder and owner_index >= 3 and isinstance(chain[owner_index - 2][0], BulletList):
            grand, index = chain[owner_index - 3]
            if isinstance(grand, list) and isinstance(index, int):
                grand.pop(index)
