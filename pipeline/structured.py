"""Structured answers: the strict JSON schema a model is asked for, and reading back what it wrote.

A model's answer is repaired where that is safe (``<think>`` blocks, code fences, trailing
commas) and validated with pydantic; what cannot be used raises :class:`Unusable`, whose
message is fed back to the model.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

FENCE_RE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
THINK_RE = re.compile(r"<think>.*?</think>", re.DOTALL)
TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
STRICT_DROP = frozenset(
    {"default", "examples", "minItems", "maxItems", "minLength", "maxLength", "description"}
)


class Unusable(ValueError):
    """The answer cannot be used; the message is fed back to the model."""


def repair_json(content: str) -> Any:
    """Parse a model's JSON answer: drop <think> and ``` fences, take the outer {…}, fix commas."""
    text = FENCE_RE.sub("", THINK_RE.sub("", content).strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise Unusable("the answer contains no JSON object")
    text = text[start : end + 1]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return json.loads(TRAILING_COMMA_RE.sub(r"\1", text))
    except json.JSONDecodeError as exc:
        raise Unusable(f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc


def describe_validation(exc: ValidationError) -> str:
    """A short, model-readable list of what is wrong with the JSON."""
    parts = []
    for err in exc.errors()[:6]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "schema violation: " + "; ".join(parts)


def parse_answer(content: str, finish_reason: str | None, schema: type[T]) -> T:
    """Validate a model answer against schema; raise Unusable with a readable reason."""
    if not content.strip():
        raise Unusable("the answer was empty")
    if finish_reason == "length":
        raise Unusable("the answer was cut off at the token limit (finish_reason=length)")
    try:
        return schema.model_validate(repair_json(content))
    except ValidationError as exc:
        raise Unusable(describe_validation(exc)) from exc


def strict_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the form strict structured output accepts."""
    return dict(_strictify(schema.model_json_schema()))


def _strictify(node: Any, names: bool = False) -> Any:
    """Recurse; ``names`` marks a ``properties`` mapping, whose keys are field names."""
    if isinstance(node, list):
        return [_strictify(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {k: _strictify(v) for k, v in node.items()}
    out = {k: _strictify(v, k == "properties") for k, v in node.items() if k not in STRICT_DROP}
    if isinstance(out.get("properties"), dict):
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    return out
