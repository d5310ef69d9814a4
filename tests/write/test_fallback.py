"""Extractive fallbacks: drafts from the sources' own sentences, without the LLM."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.models import Article, Story
from pipeline.write.fallback import extractive_draft

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "llm"
ARTICLES = {
    a["id"]: Article.model_validate(a)
    for a in json.loads((FIXTURES / "articles.json").read_text("utf-8"))["articles"]
}


def capital_story() -> Story:
    articles = [ARTICLES["1a2b3c4d5e6f"], ARTICLES["2b3c4d5e6f70"]]
    return Story(id="s-anthropic", articles=articles, section="capital")


def test_extractive_draft_facts_have_numbers() -> None:
    draft = extractive_draft(capital_story())
    assert all(re.search(r"\d", f.text) for f in draft.facts)
    assert draft.url == ARTICLES["1a2b3c4d5e6f"].url
