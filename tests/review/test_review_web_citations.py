"""Which source sentences a story's claims rest on (the highlights of the source pane)."""

from __future__ import annotations

import pytest

from pipeline.review.web.citations import (
    Claim,
    cited_sentences,
    features,
    highlight,
    plain,
    score,
    sentence_spans,
)

ZH = (
    "自动驾驶公司Waymo宣布完成160亿美元融资，估值达到1260亿美元，较两年前的450亿美元增长近两倍。"
    "Waymo的无人驾驶出租车已在旧金山、菲尼克斯运营。\n\n"
    "公司计划2026年进入达拉斯等十多个美国城市。"
)
EN = (
    "Anthropic released Claude Opus 4.6 on February 5, its first Opus model with a 1 million "
    "token context window. On the MRCR v2 long-context retrieval test the model scored 76%, "
    "compared with 18.5% for its predecessor. The weather was nice."
)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
        ("他说：“好。”然后走了。", ["他说：“好。”", "然后走了。"]),
        ("It costs $5.5 per token. Then 3.2 more.", ["It costs $5.5 per token.", "Then 3.2 more."]),
        ("GPT-5.3 is out.\n\nNext line", ["GPT-5.3 is out.", "Next line"]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_plain_drops_markers_links_and_emphasis() -> None:
    text = "**估值**：[Waymo](https://x.example) 达 3900 亿美元【待核实：3900 亿美元】"
    assert plain(text) == "估值：Waymo 达 3900 亿美元"


def test_a_chinese_claim_cites_the_sentence_with_its_numbers() -> None:
    claims = [Claim(id="c0", text="**融资规模**：160 亿美元，估值 1260 亿美元")]
    found = cited_sentences(ZH, claims)
    assert list(found) == [0]
    assert found[0] == ["c0"]


def test_a_chinese_claim_cites_an_english_source_by_numbers_and_names() -> None:
    claims = [Claim(id="c1", text="**长文本**：Claude Opus 4.6 在 MRCR v2 得分 76%，前代为 18.5%")]
    found = cited_sentences(EN, claims)
    assert 1 in found and found[1] == ["c1"]
    assert 2 not in found  # the weather sentence supports nothing


def test_a_paraphrase_without_numbers_still_finds_its_sentence() -> None:
    claims = [Claim(id="c2", text="Waymo 的无人驾驶出租车已经在旧金山和菲尼克斯运营")]
    assert list(cited_sentences(ZH, claims)) == [1]


def test_an_unrelated_claim_cites_nothing() -> None:
    claims = [Claim(id="c3", text="长上下文是企业落地的关键能力。")]
    assert cited_sentences(ZH, claims) == {}
    assert cited_sentences(EN, claims) == {}


def test_small_bare_numbers_are_not_evidence() -> None:
    assert score(features("有 3 个版本"), features("第 3 季度")) == 0.0


def test_highlight_keeps_the_whole_text_and_anchors_each_claim_once() -> None:
    claims = [
        Claim(id="a", text="估值达到 1260 亿美元"),
        Claim(id="b", text="融资 160 亿美元"),
    ]
    seen: set[str] = set()
    pieces = highlight(ZH, claims, seen, "src")
    assert "".join(p.text for p in pieces) == ZH
    marked = [p for p in pieces if p.claims]
    assert len(marked) == 1 and set(marked[0].claims) == {"a", "b"}
    assert marked[0].anchors == ["src-a", "src-b"]
    again = highlight(ZH, claims, seen, "src")  # a second article: no second anchor
    assert all(not p.anchors for p in again)
    assert seen == {"a", "b"}


def test_highlight_without_claims_is_the_plain_text() -> None:
    pieces = highlight(EN, [], set(), "src")
    assert [p.text for p in pieces] == [EN] and not pieces[0].claims


# Seen with a real small model (Qwen2.5-1.5B) on the fixture day: invented lines that name
# the story's subject must not look supported just because every sentence names it too.
@pytest.mark.parametrize(
    "claim",
    [
        "**投后估值**：Anthropic的Claude Opus 4.6的投后估值为3800亿美元",
        "**领投方**：Anthropic是Claude Opus 4.6的领投方。",
    ],
)
def test_invented_lines_about_the_same_subject_cite_nothing(claim: str) -> None:
    assert cited_sentences(EN, [Claim(id="x", text=claim)]) == {}


def test_version_numbers_are_names_not_evidence() -> None:
    quantities = features(
        "GPT-5.3-Codex 与 Claude Opus 4.6、MRCR v2 对比，得分 57%，多于 500 个"
    ).quantities
    assert [q.raw for q in quantities] == ["57%", "500"]
