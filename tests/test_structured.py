"""Structured answers: repairing and validating a model's JSON, the strict schema sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from pipeline.structured import Unusable, parse_answer, repair_json, strict_schema
from pipeline.write import StoryOut

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "llm"


@pytest.mark.parametrize("name", ["story_fenced.txt", "story_think.txt"])
def test_repairable_answers_parse(name: str) -> None:
    out = parse_answer((FIXTURES / name).read_text("utf-8"), "stop", StoryOut)
    assert out.headline.startswith("Anthropic")


@pytest.mark.parametrize("bad", ["", "no json here", '{"a": '])
def test_repair_json_rejects_garbage(bad: str) -> None:
    with pytest.raises(Unusable):
        repair_json(bad)


def test_strict_schema_closes_objects_and_keeps_field_names() -> None:
    class Odd(BaseModel):
        """Fields named like schema keywords."""

        description: str = "x"
        default: list[int] = []

    schema = strict_schema(Odd)
    assert list(schema["properties"]) == ["description", "default"]
    assert schema["required"] == ["description", "default"]
    assert schema["additionalProperties"] is False and "description" not in schema
    assert all("default" not in prop for prop in schema["properties"].values())
