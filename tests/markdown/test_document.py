"""The document model: helpers, discriminated unions, builder inputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.markdown.document import (
    BriefDocument,
    BriefInput,
    DailyDocument,
    Footer,
    FrontField,
    FrontMatter,
    Html,
    Paragraph,
    Rule,
    WeeklyDocument,
    WeeklyInput,
    flow_list,
    quote_yaml,
)
from pipeline.markdown.parse import parse
from tests.conftest import AICODE, AICODE_CARD, NO_SEEDS, SEEDS, seed_params

FORMATS = ("daily", "weekly", "brief")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("- a\n- b", '"- a\\n- b"'),
        ("中文：标点", '"中文：标点"'),
        ("tab\there", '"tab\\there"'),
    ],
)
def test_quote_yaml_escapes_like_the_seeds(value: str, expected: str) -> None:
    assert quote_yaml(value) == expected
    assert json.loads(expected) == value  # YAML double-quoted = JSON escapes


def test_flow_list_is_compact() -> None:
    assert flow_list(["AI", "AI 日报"]) == '["AI","AI 日报"]'


def test_front_matter_accessors() -> None:
    front = FrontMatter(
        fields=[
            FrontField(key="title", value="T"),
            FrontField(key="date", value="2026-02-14"),
            FrontField(key="tags", value=["AI"], style="flow"),
        ]
    )
    assert front.text("title") == "T"
    assert front.text("tags") is None
    assert front.date() == dt.date(2026, 2, 14)
    assert front.get("missing") is None


def test_front_matter_bad_date_is_none() -> None:
    assert FrontMatter(fields=[FrontField(key="date", value="2026-13-01")]).date() is None


@pytest.mark.skipif(not SEEDS, reason=NO_SEEDS)
def test_the_seeds_card_is_the_aicode_profiles_footer() -> None:
    seed = next(p for p in SEEDS if p.name.startswith("002")).read_text(encoding="utf-8")
    assert seed.endswith("---\n\n" + AICODE_CARD)
    assert AICODE.footer_text(dt.date(2026, 2, 14)) == AICODE_CARD


def test_a_footer_has_no_default_text() -> None:
    """No publication's card is built into the product: a footer is given its text."""
    with pytest.raises(ValidationError):
        Footer()  # type: ignore[call-arg]
    assert Footer(html=Html(text="<p>x</p>")).rule == Rule()


def test_nodes_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Paragraph(text="x", colour="red")  # type: ignore[call-arg]


@pytest.mark.parametrize("path", seed_params(), ids=lambda p: p.name[:3])
def test_parsed_documents_survive_json(path: Path) -> None:
    """The discriminated unions let a parsed document be stored and reloaded."""
    doc = parse(path.read_text(encoding="utf-8"))
    assert isinstance(
        doc, (DailyDocument, WeeklyDocument, BriefDocument)[FORMATS.index(doc.format)]
    )
    assert type(doc).model_validate_json(doc.model_dump_json()) == doc


def test_builder_inputs_have_publication_defaults() -> None:
    weekly = WeeklyInput(title="周报", date=dt.date(2026, 2, 6), intro="本周")
    assert weekly.tags == ["AI", "AI 周报"]  # no publication's own tag or sign-off by default
    assert weekly.layout == "layouts/post.njk"
    assert weekly.closing == [] and weekly.archive is None
    assert BriefInput(date=dt.date(2026, 2, 8)).categories == []
