"""Structured answers: the strict JSON schema a model is asked for, and reading back what it wrote.

A model's answer is repaired where that is safe (``<think>`` blocks, code fences, trailing
commas, an answer cut off mid-way) and validated with pydantic. Soft limits (:class:`Soft`)
are repaired during validation instead of rejected, and parts marked :class:`KeepValid` or
:class:`BlankIfInvalid` degrade on their own; every repair is written into the validation
context's ``repairs`` list. What cannot be used raises :class:`Unusable`, whose message is
fed back to the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_args

from pydantic import (
    BaseModel,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from pipeline.llm.repair import SENTENCE_END, shorten, width

T = TypeVar("T", bound=BaseModel)

FENCE_RE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
THINK_RE = re.compile(r"<think>.*?</think>", re.DOTALL)
TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
STRICT_DROP = frozenset(
    {"default", "examples", "minItems", "maxItems", "minLength", "maxLength", "description"}
)
CLOSING = {"{": "}", "[": "]"}
# answers that stopped early, by finish reason: the token cap, or cut by us
CUT_OFF = {
    "length": "cut off at the token limit",
    "loop": "cut off because it repeated itself",
    "deadline": "cut off at the deadline",
}


class Unusable(ValueError):
    """The answer cannot be used; the message is fed back to the model."""


def note_repair(context: Any, what: str) -> None:
    """Record one repair in a validation context (a dict with a ``repairs`` list)."""
    if isinstance(context, dict):
        context.setdefault("repairs", []).append(what)


def _reason(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc + ': ' if loc else ''}{err['msg']}"


@dataclass(frozen=True)
class Soft:
    """A soft limit: a string longer than ``width`` 字 is shortened, a list cut to ``items``."""

    width: float | None = None
    items: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_before_validator_function(self.repair, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        if self.width is not None:
            out["maxLength"] = int(self.width)
        if self.items is not None:
            out["maxItems"] = self.items
        return out

    def repair(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        """Shorten or cut ``value`` when it breaks the limit, and say so."""
        name = info.field_name or "value"
        if self.width is not None and isinstance(value, str) and width(value) > self.width:
            short = shorten(value, self.width)
            note_repair(
                info.context, f"{name}: shortened from {width(value):g} to {width(short):g} 字"
            )
            return short
        if self.items is not None and isinstance(value, list) and len(value) > self.items:
            note_repair(info.context, f"{name}: kept the first {self.items} of {len(value)}")
            return value[: self.items]
        return value


@dataclass(frozen=True)
class KeepValid:
    """A list whose invalid items are dropped (and recorded) instead of failing the answer."""

    _adapters: dict[Any, TypeAdapter[Any]] = field(default_factory=dict, compare=False)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        (item,) = get_args(source) or (Any,)
        self._adapters.setdefault("item", TypeAdapter(item))
        return core_schema.with_info_before_validator_function(self.salvage, handler(source))

    def salvage(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        """Each item validated on its own; the ones that fail are left out."""
        if not isinstance(value, list):
            return value
        adapter, kept = self._adapters["item"], []
        for n, item in enumerate(value):
            try:
                kept.append(adapter.validate_python(item, context=info.context))
            except ValidationError as exc:
                note_repair(info.context, f"{info.field_name}[{n}] dropped: {_reason(exc)}")
        return kept


@dataclass(frozen=True)
class BlankIfInvalid:
    """A text part that becomes empty (its fallback is used) instead of failing the answer."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_wrap_validator_function(self.salvage, handler(source))

    def salvage(
        self, value: Any, handler: core_schema.ValidatorFunctionWrapHandler, info: Any
    ) -> Any:
        """The validated value, or "" when it cannot be used."""
        try:
            return handler(value)
        except ValidationError as exc:
            note_repair(info.context, f"{info.field_name} left to its fallback: {_reason(exc)}")
            return ""


# ---------------------------------------------------------------- reading JSON


def _outer_object(content: str) -> str:
    text = FENCE_RE.sub("", THINK_RE.sub("", content).strip())
    start = text.find("{")
    if start < 0:
        raise Unusable("the answer contains no JSON object")
    return text[start:]


def repair_json(content: str) -> Any:
    """Parse a model's JSON answer: drop <think> and ``` fences, take the outer {…}, fix commas."""
    text = _outer_object(content)
    end = text.rfind("}")
    if end <= 0:
        raise Unusable("the answer contains no JSON object")
    text = text[: end + 1]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return json.loads(TRAILING_COMMA_RE.sub(r"\1", text))
    except json.JSONDecodeError as exc:
        raise Unusable(f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc


@dataclass
class _Scan:
    """Where a JSON text that stops early can be cut and closed."""

    stack: list[str] = field(default_factory=list)
    cut: int = 0  # end of the last complete member
    cut_stack: list[str] = field(default_factory=list)
    string_start: int = -1  # open string: where it starts, and whether it is a value
    string_is_value: bool = False
    expect_key: bool = False


def _scan(text: str) -> _Scan:
    state, escaped, in_string = _Scan(), False, False
    for n, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                state.string_start = -1
                if state.string_is_value:
                    state.cut, state.cut_stack = n + 1, list(state.stack)
        elif char == '"':
            in_string, state.string_start = True, n
            state.string_is_value = not (state.stack[-1:] == ["{"] and state.expect_key)
        elif char in "{[":
            state.stack.append(char)
            state.expect_key = char == "{"
        elif char in "}]" and state.stack:
            state.stack.pop()
            state.cut, state.cut_stack = n + 1, list(state.stack)
        elif char == ",":
            state.expect_key = state.stack[-1:] == ["{"]
        elif char == ":":
            state.expect_key = False
        elif char not in " \t\r\n":  # a number or literal in progress
            state.cut, state.cut_stack = n + 1, list(state.stack)
    if not in_string:
        state.string_start = -1
    return state


def close_json(content: str) -> Any:
    """An answer that stopped early, cut after its last complete member and closed."""
    text = _outer_object(content)
    state = _scan(text)
    cut, stack = state.cut, state.cut_stack
    if state.string_start >= 0 and state.string_is_value:
        body = text[state.string_start + 1 :]
        end = max(body.rfind(m) for m in SENTENCE_END)
        if end >= 0 and not body[: end + 1].endswith("\\"):
            cut, stack = state.string_start + end + 2, list(state.stack)
            text = text[:cut] + '"'
            cut += 1
    closed = TRAILING_COMMA_RE.sub(r"\1", text[:cut].rstrip().rstrip(",:"))
    closed = closed + "".join(CLOSING[c] for c in reversed(stack))
    try:
        return json.loads(TRAILING_COMMA_RE.sub(r"\1", closed))
    except json.JSONDecodeError as exc:
        raise Unusable(f"the answer stopped early and cannot be completed ({exc.msg})") from exc


def describe_validation(exc: ValidationError) -> str:
    """A short, model-readable list of what is wrong with the JSON."""
    parts = []
    for err in exc.errors()[:6]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "schema violation: " + "; ".join(parts)


def parse_answer(
    content: str, finish_reason: str | None, schema: type[T], repairs: list[str] | None = None
) -> T:
    """Validate a model answer against schema, repairing what is safe; raise Unusable if not."""
    if not content.strip():
        raise Unusable("the answer was empty")
    context: dict[str, Any] = {"repairs": [] if repairs is None else repairs}
    data = _data(content, finish_reason, context)
    try:
        return schema.model_validate(data, context=context)
    except ValidationError as exc:
        if finish_reason in CUT_OFF:
            raise Unusable(
                f"the answer was {CUT_OFF[finish_reason]} (finish_reason={finish_reason}) "
                f"and what it wrote is incomplete: {describe_validation(exc)}"
            ) from exc
        raise Unusable(describe_validation(exc)) from exc


def _data(content: str, finish_reason: str | None, context: dict[str, Any]) -> Any:
    if finish_reason is None or finish_reason not in CUT_OFF:
        return repair_json(content)
    what = CUT_OFF[finish_reason]
    try:
        data = close_json(content)
    except Unusable as exc:
        raise Unusable(f"the answer was {what} (finish_reason={finish_reason}): {exc}") from exc
    note_repair(context, f"answer {what}: completed from its first {len(content)} characters")
    return data


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
