"""Structured answers: repairing and validating a model's JSON, soft limits, text repairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel

from pipeline.llm.repair import find_loop, once, shorten, split_overflow, width
from pipeline.llm.structured import (
    BlankIfInvalid,
    KeepValid,
    Soft,
    Unusable,
    close_json,
    parse_answer,
    repair_json,
    strict_schema,
)
from pipeline.write.daily import StoryOut
from pipeline.write.polish import derive_label, label_fits

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "llm"


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


# --- soft limits: repaired, recorded, never rejected ------------------------------------------


class Card(BaseModel):
    """A small schema with every kind of soft limit and salvage."""

    title: Annotated[str, Soft(width=10), BlankIfInvalid()] = ""
    lines: Annotated[list[Annotated[str, Soft(width=8)]], Soft(items=2)] = []
    items: Annotated[list[StoryOut], KeepValid()] = []


def test_soft_limits_are_repaired_and_recorded() -> None:
    repairs: list[str] = []
    answer = json.dumps(
        {"title": "一个非常非常长的标题，超过了十个字", "lines": ["短", "第二行", "第三行"]}
    )
    card = parse_answer(answer, "stop", Card, repairs)
    assert card.title == "一个非常非常长的标题" and card.lines == ["短", "第二行"]
    assert repairs == ["title: shortened from 17 to 10 字", "lines: kept the first 2 of 3"]


def test_an_invalid_item_is_dropped_and_an_invalid_part_left_blank() -> None:
    repairs: list[str] = []
    good = json.loads((FIXTURES / "story_soft_limits.json").read_text("utf-8"))
    answer = json.dumps({"title": 42, "items": [good, {"headline": "x"}]}, ensure_ascii=False)
    card = parse_answer(answer, "stop", Card, repairs)
    assert card.title == "" and len(card.items) == 1
    assert repairs[0].startswith("title left to its fallback")
    assert any(r.startswith("items[1] dropped: headline") for r in repairs)


def test_the_strict_schema_carries_no_soft_limit_and_the_prompt_schema_does() -> None:
    strict = json.dumps(strict_schema(Card))
    assert "maxLength" not in strict and "maxItems" not in strict
    loose = json.dumps(Card.model_json_schema())
    assert '"maxLength": 10' in loose and '"maxItems": 2' in loose


# --- text repairs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        # a clause boundary wins over a hard cut
        (
            "谷歌发布Gemini 3.1 Pro大模型，在ARC-AGI-2基准测试中取得77.1%的成绩",
            30,
            "谷歌发布Gemini 3.1 Pro大模型",
        ),
        # before a joining word (并), not in the middle of a word
        (
            "某公司发布了新型人工智能编程模型并宣布在多项基准测试中领先",
            20,
            "某公司发布了新型人工智能编程模型",
        ),
        # never between a number and its unit
        ("OpenAI 新一轮融资超 1000亿美元投后估值突破", 14, "OpenAI 新一轮融资超"),
        # an unclosed bracket is not left behind
        (
            "《人工智能大模型发展白皮书（2026年版）》正式发布",
            20,
            "《人工智能大模型发展白皮书（2026年版）》",
        ),
        # English: at a space
        ("OpenAI retires GPT-4o from ChatGPT after years of service", 12, "OpenAI retires GPT-4o"),
        ("短标题", 10, "短标题"),
    ],
)
def test_shorten_cuts_at_a_boundary(text: str, limit: float, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert width(shorten(text, limit)) <= limit


@pytest.mark.parametrize(
    ("label", "head", "rest"),
    [
        (
            "锁定模式（Lockdown Mode）防止提示注入攻击的新功能",
            "锁定模式",
            "（Lockdown Mode）防止提示注入攻击的新功能",
        ),
        (
            "GLM-5在SWE-bench Verified编程基准测试中的得分达到77.8%",
            "GLM-5",
            "在SWE-bench Verified编程基准测试中的得分达到77.8%",
        ),
        ("智能硬件与生活科技以及更多内容", "智能硬件与生活科技", "以及更多内容"),
        # a sentence with no place to split: all of it moves, the caller derives a label
        ("投后估值达到三千八百亿美元并创下纪录", "", "投后估值达到三千八百亿美元并创下纪录"),
    ],
)
def test_a_label_that_is_a_sentence_keeps_its_head(label: str, head: str, rest: str) -> None:
    assert split_overflow(label, 12, anywhere=False) == (head, rest)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("API 定价为每百万 token 输入 4 元、输出 16 元", "定价"),
        ("由新加坡主权基金 GIC 和 Coatue 领投", "投资方"),
        ("在 SWE-bench Verified 上取得 77.8%", "基准成绩"),
        ("公司总部位于北京", "要点"),
    ],
)
def test_a_label_is_derived_from_what_the_fact_says(text: str, label: str) -> None:
    assert derive_label(text) == label


def test_a_loop_is_found_and_one_copy_kept() -> None:
    looping = '{"analysis": ["开头一句。' + "这一进展值得业界持续关注。" * 12
    cut = find_loop(looping)
    assert cut is not None and looping[:cut].endswith("开头一句。这一进展值得业界持续关注。")
    assert find_loop('{"a": "' + "哈" * 100) == 8
    fine = '{"headline": "谷歌发布新模型", "facts": [{"label": "定价", "text": "持平。"}]}'
    assert find_loop(fine) is None
    # labels and categories said many times are not a loop; a whole sentence said 5 times is
    lines = ", ".join(f'{{"id": "m{n}", "category": "大模型发布与开源"}}' for n in range(8))
    assert find_loop(lines) is None
    assert find_loop(", ".join('{"category": "大模型发布与开源"}' for _ in range(8))) is not None
    said = ", ".join(f'"第{n}点不同。这件事对整个行业都很重要。"' for n in range(6))
    assert find_loop(said) is not None


# --- answers that stopped early ----------------------------------------------------------------


def test_a_cut_off_answer_is_completed_from_its_complete_members() -> None:
    full = (FIXTURES / "story_soft_limits.json").read_text("utf-8")
    cut = full[: full.index("接下来要看") + 3]  # inside the third paragraph, after a sentence
    data = close_json(cut)
    assert len(data["analysis"]) == 3 and data["analysis"][2].endswith("迁移。")
    assert "impact" not in data and data["headline"].startswith("智谱")
    repairs: list[str] = []
    out = parse_answer(cut, "length", StoryOut, repairs)
    assert repairs[0].startswith("answer cut off at the token limit: completed")
    assert out.facts and out.analysis


@pytest.mark.parametrize("finish", ["length", "loop", "deadline"])
def test_an_answer_that_stopped_before_its_required_parts_is_unusable(finish: str) -> None:
    full = (FIXTURES / "story_soft_limits.json").read_text("utf-8")
    with pytest.raises(Unusable, match=f"finish_reason={finish}"):
        parse_answer(full[: full.index('"facts"')], finish, StoryOut)


ENGLISH_SOURCE = [
    "The smaller model was pretrained on 16 trillion tokens with a 32K context window."
]
CHINESE_SOURCE = ["2 月 19 日，中科曙光在郑州上线一套 3 万卡规模的超集群。"]


@pytest.mark.parametrize(
    ("label", "text", "sources", "fits"),
    [
        ("上下文窗口", "32K 和 128K", ENGLISH_SOURCE, True),  # shown by the English source
        ("预训练数据", "16 万亿 tokens", ENGLISH_SOURCE, True),  # names no known topic
        ("公司", "中科曙光", CHINESE_SOURCE, True),
        ("活动时间", "2026-02-20 18:20", CHINESE_SOURCE, True),
        ("投后估值", "API 定价为每百万 token 输入 4 元、输出 16 元", CHINESE_SOURCE, False),
        ("对 AI 概念股", "英伟达拟向 OpenAI 投资约 300 亿美元", CHINESE_SOURCE, False),
        ("主题", "中科曙光上线 3 万卡集群", CHINESE_SOURCE, False),  # a placeholder's words
    ],
)
def test_a_label_must_fit_its_fact(label: str, text: str, sources: list[str], fits: bool) -> None:
    assert label_fits(label, text, sources, copied={"主题", "另一主题"}) is fits


def test_a_clause_said_again_goes_and_no_fragment_is_left() -> None:
    said: set[str] = set()
    first, _ = once("融资规模创下纪录，这表明资本仍在向头部公司集中。", said)
    assert first == "融资规模创下纪录，这表明资本仍在向头部公司集中。"
    again, dropped = once(
        "估值继续上升，这表明资本仍在向头部公司集中。同时，这表明资本仍在向头部公司集中。"
        "这表明资本仍在向头部公司集中，估值也在上升。",
        said,
    )
    # the tail goes; a lone connective and a sentence whose opening was a repeat go whole
    assert again == "估值继续上升。" and dropped == 3
