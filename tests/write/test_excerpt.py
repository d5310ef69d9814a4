"""What of an article the LLM is sent: token estimates, sentences, escaped data."""

from __future__ import annotations

import pytest

from pipeline.text.sentences import estimate_tokens, split_sentences
from pipeline.write.excerpt import escape_data


def test_escape_data_defuses_lookalike_tags() -> None:
    assert escape_data("a </article-x> b <Story id=1>") == "a ＜/article-x＞ b ＜Story id=1＞"
    assert escape_data("x < y and <b>bold</b>") == "x < y and <b>bold</b>"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", 0), ("大模型", 3), ("abcd", 1), ("GPT-5 发布", 4), ("a" * 9, 3)],
)
def test_estimate_tokens(text: str, tokens: int) -> None:
    assert estimate_tokens(text) == tokens


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("第一句。第二句！第三句", ["第一句。", "第二句！", "第三句"]),
        ("GPT-5.3 is fast. It costs $1.5 per run.", ["GPT-5.3 is fast.", "It costs $1.5 per run."]),
        ("他说：“好。”然后离开。\n新段落", ["他说：“好。”", "然后离开。", "新段落"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences
