"""Tests of number/unit parsing and matching across Chinese and English wording."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.check.quantities import Quantity, extract_quantities, quantities_match

EXTRACTED = [
    # (text, [(value, unit), ...])
    ("估值达 3800 亿美元", [(3.8e11, "usd")]),
    ("a $380 billion valuation", [(3.8e11, "usd")]),
    ("US$30bn round", [(3e10, "usd")]),
    ("1M token context", [(1e6, "token")]),
    ("100万token上下文", [(1e6, "token")]),
    ("3万卡集群", [(3e4, "gpu")]),
    ("约合 2.63 万亿元人民币", [(2.63e12, "cny")]),
    ("1,000 customers", [(1000, "none")]),
    ("超 1000 tokens/s", [(1000, "tokens_per_s")]),
    ("more than 1,000 tokens per second", [(1000, "tokens_per_s")]),
    ("ARC-AGI-2：84.6% 准确率", [(84.6, "percent")]),
    ("８４．６％", [(84.6, "percent")]),
    ("3455 Elo", [(3455, "elo")]),
    ("谷歌 2 月 12 日宣布", [(212, "date")]),
    ("于2月5日发布", [(205, "date")]),
    ("announced on February 12", [(212, "date")]),
    ("Feb. 12, 2026", [(212, "date"), (2026, "year")]),
    ("12 February 2026", [(212, "date"), (2026, "year")]),
    ("2026 年美国入门级招聘", [(2026, "year")]),
    ("2025年9月的估值", [(2025, "year"), (9, "month")]),
    ("in September 2025", [(9, "month"), (2025, "year")]),
    ("2026-02-14", [(2026, "year"), (214, "date")]),
    ("未来 12-18 个月内", [(12, "months"), (18, "months")]),
    ("效率提升 25%-50%", [(25, "percent"), (50, "percent")]),
    ("between 12 to 18 months", [(12, "months"), (18, "months")]),
    ("300-500 亿美元", [(3e10, "usd"), (5e10, "usd")]),
    ("约 200 亿", [(2e10, "none")]),
    ("1 美元", [(1, "usd")]),
    ("116.20 港元", [(116.2, "hkd")]),
    ("HK$492", [(492, "hkd")]),
    ("被罚5000元和3万元", [(5000, "cny"), (3e4, "cny")]),
    ("15.88GB 显存", [(15.88e9, "byte")]),
    ("30TB 高速共享内存", [(30e12, "byte")]),
    ("至少 10GW 算力", [(1e10, "watt")]),
    ("单卡 4090 可实现 96FPS", [(4090, "none"), (96, "fps")]),
    ("仅 2.4B 参数", [(2.4e9, "param")]),
    ("2.4 billion parameters", [(2.4e9, "param")]),
    ("IMO 2025 获得 35 分", [(2025, "year"), (35, "score")]),
    ("快了 10-20 倍", [(10, "times"), (20, "times")]),
    ("grew sevenfold", [(7, "times")]),
    ("only seven humans", [(7, "none")]),
    ("ranked eighth", [(8, "none")]),
    ("a million users", [(1e6, "none")]),
    ("more than half", [(50, "percent")]),
    ("千亿美元合作计划", [(1e11, "usd")]),
    ("三百亿投资", [(3e10, "none")]),
    ("每秒超千 Token", [(1000, "token")]),
    ("10 万行 C 编译器", [(1e5, "none")]),
    ("a 100,000-line compiler", [(1e5, "none")]),
    ("2600 多名候选人", [(2600, "none")]),
    # not quantities: names, fractions, words that contain numerals
    ("GPT-5.3-Codex-Spark", []),
    ("Ring-2.5-1T 与 MiniMax M2.5", []),
    ("GPT-4o 与 3D 场景、5G", []),
    ("成本降低至十分之一", []),
    ("阿里千问，万一失败，千万不要", []),
    ("任期三年，两位中国科学家", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), EXTRACTED)
def test_extract_quantities(text: str, expected: list[tuple[float, str]]) -> None:
    got = [(round(q.value, 6), q.unit) for q in extract_quantities(text)]
    assert got == [(round(float(v), 6), u) for v, u in expected]


def test_quantity_keeps_its_span_and_approximation() -> None:
    text = "Anthropic 完成约 300 亿美元融资"
    (q,) = extract_quantities(text)
    assert (q.raw, text[q.start : q.end], q.kind, q.approx) == (
        "300 亿美元",
        "300 亿美元",
        "money",
        True,
    )


def test_range_ends_share_the_raw_text() -> None:
    low, high = extract_quantities("未来 12-18 个月内")
    assert low.raw == high.raw == "12-18 个月"
    assert (low.kind, high.kind) == ("duration", "duration")


MATCHES = [
    # (claim, evidence, match?)
    ("3800 亿美元", "$380 billion", True),
    ("300 亿美元", "$30 billion", True),
    ("1260亿美元", "$126 billion", True),
    ("1250亿美元", "$126 billion", False),
    ("3900 亿美元", "$380 billion", False),
    ("2.63 万亿", "2.6 trillion", True),
    ("2.7 万亿", "2.6 trillion", False),
    ("100万token", "1M tokens", True),
    ("100万", "1 million", True),
    ("3万卡", "30,000 GPUs", True),
    ("10 万行", "100,000 lines", True),
    ("140 亿美元", "14 billion", True),
    ("140 亿美元", "140 亿元", False),
    ("140 亿元", "$14 billion", False),
    ("492 港元", "HK$492", True),
    ("492 港元", "$492", False),
    ("5000元", "5,000 yuan", True),
    ("千亿美元", "$100 billion", True),
    ("约 200 亿美元", "$19.7 billion", True),
    ("200 亿美元", "$19.7 billion", False),
    ("84.6%", "84.6 percent", True),
    ("84.6%", "48.4%", False),
    ("85%", "84.6%", True),
    ("84%", "84.6%", False),
    ("50%", "50 cases", False),
    ("超 50%", "more than half", True),
    ("3455 Elo", "an Elo of 3,455", True),
    ("35 分", "35 points", True),
    ("1000 tokens/s", "1,000 tokens per second", True),
    ("超千 Token", "1,000 tokens per second", True),
    ("18 个月", "18 months", True),
    ("18 个月", "18 weeks", False),
    ("7 倍", "sevenfold", True),
    ("7 倍", "7x", True),
    ("8 家", "eight of the Fortune 10", True),
    ("第 8 位", "ranked 8th", True),
    ("2.4B 参数", "2.4 billion parameters", True),
    ("30TB", "30 TB", True),
    ("15.88GB", "15.88 GB", True),
    ("10GW", "10 gigawatts", True),
    ("2 月 12 日", "February 12", True),
    ("2 月 12 日", "Feb. 13", False),
    ("2月5日", "Feb 5, 2026", True),
    ("3 月", "March 12", True),
    ("3 月 12 日", "in March", False),
    ("2026 年", "in 2026", True),
    ("2026 年", "in 2025", False),
    ("2 月 12 日", "212 models", False),
    ("12 个月", "12 月", False),
]


@pytest.mark.parametrize(("claim", "evidence", "expected"), MATCHES)
def test_quantities_match(claim: str, evidence: str, expected: bool) -> None:
    c, e = _first(claim), _first(evidence)
    assert quantities_match(c, e) is expected


def _first(text: str) -> Quantity:
    found = extract_quantities(text)
    assert found, text
    return found[0]


_PIECES = [
    *"0123456789０１.,%％-~ 亿万千百十一两三元美港月日年个倍卡分 $kKMBTGbmx",
    "token",
    "tokens/s",
    "billion",
    "Feb",
    "seven",
    "half",
    "GPT-",
    "分之",
    "至",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_extract_never_crashes_and_spans_are_exact(text: str) -> None:
    for q in extract_quantities(text):
        assert text[q.start : q.end] == q.raw
        quantities_match(q, q)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_extract_survives_any_text(text: str) -> None:
    for q in extract_quantities(text):
        assert text[q.start : q.end] == q.raw
