"""Text features for clustering: normalisation, shingles, entities, versions, numbers.

Everything here is language-aware but dictionary-light: the zh↔en alias table of
:mod:`pipeline.stories.aliases` maps company and product names to one canonical id, version
tokens (``GPT-5.3-Codex``, ``Claude Opus 4.6``) and numbers with units (``160亿美元`` =
``$16 billion``) are normalised so that a Chinese and an English report of the same
event share them.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from pipeline.stories.aliases import ALIASES

# Latin words that say nothing about which event an article reports
STOPWORDS = frozenset(
    """
    a about according after ai all also american an and announced announces any api app
    apps april are as at august be been before billion but by can ceo cfo chinese co
    companies company could cto december did do does february first for friday from had
    has have he her his how i in inc into introduces is it it's its january july june just
    last launch launched launches llm llms ltd march may might million monday more most mr
    ms new news no not november october of on one or other our out over per percent pro
    release released releases report reported reports s said saturday say says september
    she should some such sunday t than that the their then there these they this those
    three thursday to today token tokens trillion tuesday two unveiled unveils up update
    us via vs was we we're wednesday week were what when where which while who why will
    with would year years yesterday you your
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
# words that follow a version number and belong to the model name
VERSION_SUFFIXES = frozenset(
    """
    air coder codex deep flash haiku instant lite max mini nano omni opus plus preview pro
    sonnet spark think thinking turbo ultra vl
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
# brand words dropped from the front of a version token ("Claude Opus 4.6" → "opus-4.6")
BRAND_PREFIXES = frozenset(
    ["claude", "openai", "google", "anthropic", "meta", "alibaba", "nvidia", "microsoft", "the"]
)

AMOUNT_WORDS = frozenset(
    ["billion", "million", "trillion", "thousand", "bn", "tn", "percent", "%", "dollars"]
)

# Lines and sentences a repost adds around the original text
BOILERPLATE_RE = re.compile(
    r"(本文转载自|本文转自|转载自|文章来源|本文来源|来源[:：]|责任编辑|编辑[:：]|"
    r"原标题[:：]|本文来自|点击关注|欢迎关注|免责声明|Originally published|"
    r"This (?:article|story) (?:was |first |originally )*(?:published|appeared)|"
    r"Editor['’]s note|Source:|Reprinted)",
    re.IGNORECASE,
)
SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?|\n")

# Weighted relevance terms: matched case-insensitively, Latin ones on word boundaries
# fmt: off
AI_TERMS: dict[str, float] = {
    "人工智能": 3, "大模型": 3, "大语言模型": 3, "生成式": 2.5, "智能体": 2.5, "具身智能": 3,
    "人形机器人": 3, "机器人": 1.5,
    "机器学习": 3, "深度学习": 3, "神经网络": 2.5, "算力": 2.5, "AI": 2, "AIGC": 3, "AGI": 3,
    "LLM": 3,
    "GPU": 2.5, "TPU": 2.5, "OpenAI": 3, "Anthropic": 3, "ChatGPT": 3, "Claude": 3, "Gemini":
    3, "DeepSeek": 3, "深度求索": 3, "英伟达": 2.5, "Nvidia": 2.5, "智谱": 3, "月之暗面": 3,
    "Kimi": 3,
    "千问": 3, "Qwen": 3, "豆包": 3, "文心": 2, "元宝": 1.5, "MiniMax": 3, "Copilot": 2.5, "Codex":
    2.5, "GPT": 3, "Grok": 2.5, "xAI": 2.5, "Llama": 2, "Hugging Face": 3, "Cerebras": 2.5,
    "自动驾驶": 2, "Robotaxi": 2.5, "Waymo": 2, "模型": 1.5, "model": 1, "models": 1, "训练": 1,
    "推理":
    1, "inference": 1.5, "token": 1.5, "tokens": 1.5, "开源": 0.5, "open-source": 0.5, "算法": 1,
    "芯片": 1, "数据中心": 1.5, "data center": 1.5, "datacenter": 1.5, "chip": 1, "chips": 1,
    "artificial intelligence": 3, "machine learning": 3, "neural": 2, "chatbot": 2.5,
    "chatbots": 2.5, "agent": 1.5, "agents": 1.5, "agentic": 2.5, "Agent": 1.5, "humanoid":
    2.5, "robotics": 2, "robot": 1.5, "autonomous": 1, "generative": 2, "deep learning": 3,
    "多模态": 2.5, "multimodal": 2.5, "预训练": 2.5, "参数": 1, "parameters": 1, "benchmark": 1,
    "基准":
    1, "compute": 1.5, "自动化": 1, "automation": 1,
}
# fmt: on
# fmt: off
OFF_TERMS: dict[str, float] = {
    "油价": 3, "原油": 3, "布伦特": 3, "OPEC": 3, "crude": 3, "oil prices": 3, "oil price": 3,
    "金价":
    2, "黄金": 1.5, "gold prices": 2, "足球": 3, "联赛": 2.5, "进球": 3, "球队": 2, "球员": 2,
    "比分": 2,
    "football": 2.5, "soccer": 3, "league": 1.5, "goals": 1.5, "striker": 3, "NBA": 3,
    "quarterback": 3, "Super Bowl": 3, "奥运": 2, "冬奥": 2.5, "Olympics": 2.5, "medal": 1.5,
    "票房":
    1.5, "box office": 1.5, "房价": 2.5, "楼市": 2.5, "mortgage": 2, "降雪": 2.5, "寒潮": 2.5,
    "天气":
    1.5, "weather": 1.5, "春运": 1.5, "续航": 1, "手感": 1.5, "battery life": 1, "recipe": 3,
    "菜谱":
    3, "航班": 1.5, "flights": 1.5, "比特币": 2, "Bitcoin": 2, "利率": 1.5, "interest rates": 1.5,
    "降息": 2, "汇率": 1.5, "菜价": 2, "猪肉": 2, "电视剧": 1, "演唱会": 2, "concert": 2,
    # general finance, trade and war news (issue 12: real feeds carry much of it)
    "private credit": 3, "private equity": 2, "hedge fund": 2, "hedge funds": 2,
    "tariff": 2, "tariffs": 2, "关税": 2, "bond": 1.5, "bonds": 1.5, "债券": 1.5,
    "ceasefire": 2, "停火": 2, "pension": 2, "pensions": 2, "养老金": 2, "redemption": 1.5,
    "redemptions": 1.5, "招聘": 1.5, "申报": 1.5,
}
# fmt: on

CJK_RE = re.compile(r"[\u3400-\u9fff]")
LATIN_RUN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-'’]*(?: [A-Za-z0-9][A-Za-z0-9.\-'’]*)*")
WORD_RE = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
PUNCT_RE = re.compile(r"[\W_]+", re.UNICODE)
YEAR_RE = re.compile(r"^(19|20)\d\d$")
QUARTER_RE = re.compile(r"^[qh][1-4]$")
NUMBER_RE = re.compile(
    r"(?P<cur>\$|US\$|￥|¥)?\s?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s?"
    r"(?P<mult>万亿|千亿|百亿|千万|百万|亿|万|千|trillion|billion|million|thousand|bn|tn)?\s?"
    r"(?P<unit>%|％|percent|美元|美金|元|港元|港币|人民币|欧元|dollars|个月|months?|小时|hours?)?"
    r"(?P<after>[年月日号时点分秒])?",
    re.IGNORECASE,
)
# model sizes: "2B", "1.5B" (parameters) are amounts too, "240亿参数" = "24B"
PARAMS_RE = re.compile(r"(?<![A-Za-z0-9.\-])(\d+(?:\.\d+)?)\s?[Bb](?![A-Za-z0-9])")
VERSION_PREV_RE = re.compile(r"([A-Z][A-Za-z]*) $")
DURATIONS = {"个月": "mo", "month": "mo", "months": "mo", "小时": "h", "hour": "h", "hours": "h"}
ZH_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
ZH_AMOUNT_RE = re.compile(r"([零一二两三四五六七八九十百千]+)(万亿|亿|万)")
MULTIPLIERS = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "千万": 1e7,
    "百万": 1e6,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "thousand": 1e3,
}
_ZH_ALIAS_RE = re.compile(
    "|".join(sorted((re.escape(k) for k in ALIASES if CJK_RE.search(k)), key=len, reverse=True))
)


def normalise(text: str) -> str:
    """NFKC, lower case, punctuation and whitespace removed: for exact-text hashing."""
    return PUNCT_RE.sub("", unicodedata.normalize("NFKC", text).lower())


def text_hash(text: str) -> str:
    """Hash of the normalised text."""
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def stable_hash(value: str) -> int:
    """A 64-bit hash that does not change between runs (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big")


def is_chinese(text: str) -> bool:
    """Whether the text is mostly Chinese (CJK characters are ≥ 20 % of it)."""
    return len(CJK_RE.findall(text)) * 5 >= max(len(text), 1)


def shingles(text: str, size: int = 5) -> set[int]:
    """Char n-grams for Chinese, word n-grams (of ``size - 2``) for English, hashed."""
    flat = unicodedata.normalize("NFKC", text).lower()
    if is_chinese(flat):
        chars = PUNCT_RE.sub("", flat)
        grams: Iterable[str] = (chars[i : i + size] for i in range(max(len(chars) - size + 1, 1)))
    else:
        words = WORD_RE.findall(flat)
        n = max(size - 2, 1)
        grams = (" ".join(words[i : i + n]) for i in range(max(len(words) - n + 1, 1)))
    return {stable_hash(g) for g in grams}


def text_terms(text: str) -> Counter[str]:
    """Terms for same-language TF-IDF: CJK char bigrams and Latin words."""
    flat = unicodedata.normalize("NFKC", text).lower()
    terms: Counter[str] = Counter()
    for run in re.findall(r"[\u3400-\u9fff]+", flat):
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
    words = [w.rstrip("s") if len(w) > 4 else w for w in WORD_RE.findall(flat)]
    words = [w for w in words if w not in STOPWORDS and len(w) > 1]
    terms.update(words)
    terms.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return terms


def _words(run: str) -> list[str]:
    return [re.sub(r"['’]s?$", "", w).strip(".-") for w in run.split(" ")]


def _is_name(word: str) -> bool:
    return bool(word) and word[0].isalpha() and word.lower() not in STOPWORDS


def _version_at(words: list[str], i: int) -> str | None:
    """The version token whose digit-bearing word is ``words[i]``, if it is one."""
    word = words[i]
    low = word.lower()
    if word[0].isdigit():
        if YEAR_RE.match(low) or i == 0 or not _is_name(words[i - 1]):
            return None
        if not words[i - 1][0].isupper() and words[i - 1].lower() not in VERSION_SUFFIXES:
            return None
        if i + 1 < len(words) and words[i + 1].lower() in AMOUNT_WORDS:
            return None  # "Raises 30 Billion"
        parts = [words[i - 1].lower(), low]
    else:
        if QUARTER_RE.match(low) and (i == 0 or not _is_name(words[i - 1])):
            return None
        parts = [low]
        if len(low) <= 4 and i > 0 and _is_name(words[i - 1]) and words[i - 1][0].isupper():
            parts.insert(0, words[i - 1].lower())  # "Kimi K2.5", "DeepSeek R1"
    for nxt in words[i + 1 : i + 3]:
        if nxt.lower() not in VERSION_SUFFIXES:
            break
        parts.append(nxt.lower())
    while len(parts) > 1 and parts[0] in BRAND_PREFIXES:
        parts.pop(0)
    return "-".join(parts)


def versions(text: str) -> list[str]:
    """Version tokens in order of appearance: ``GPT-5.3-Codex`` → ``gpt-5.3-codex``."""
    found: list[str] = []
    for run in LATIN_RUN_RE.findall(unicodedata.normalize("NFKC", text)):
        words = [w for w in _words(run) if w]
        for i, word in enumerate(words):
            if any(c.isdigit() for c in word):
                token = _version_at(words, i)
                if token and token not in found:
                    found.append(token)
    return found


def version_family(token: str) -> tuple[str, str]:
    """(name part, number part) of a version token: ``opus-4.6`` → (``opus``, ``4.6``)."""
    name = re.match(r"[a-z]+", token)
    number = re.search(r"\d+(?:\.\d+)*", token)
    return (name.group(0) if name else "", number.group(0) if number else "")


def same_version(a: str, b: str) -> bool:
    """Equal up to a name prefix: ``minimax-m2.5`` and ``m2.5`` are the same release."""
    return a == b or a.endswith("-" + b) or b.endswith("-" + a)


def versions_conflict(left: set[str], right: set[str]) -> bool:
    """Whether two sets of headline versions name different releases (of one family)."""
    if left and right and not any(same_version(a, b) for a in left for b in right):
        return True
    for a in left - right:
        fa = version_family(a)
        for b in right - left:
            if same_version(a, b):
                continue
            fb = version_family(b)
            if fa[0] == fb[0] or (fa[1] == fb[1] and "." in fa[1]):
                return True
    return False


def numbers(text: str) -> set[str]:
    """Normalised amounts and percentages: ``3800 亿美元`` and ``$380 billion`` → ``n:3.8e+11``."""
    found: set[str] = set()
    flat = unicodedata.normalize("NFKC", text)
    for m in NUMBER_RE.finditer(flat):
        if m.group("after") and not (m.group("mult") or m.group("unit")):
            continue  # a date or a time of day
        amount = m.group("cur") or m.group("mult") or m.group("unit")
        if not amount and _in_name(flat, m.start("num"), m.end("num")):
            continue  # "Opus 4.6", "H100", "GPT-5.3": a version, not an amount
        raw = m.group("num").replace(",", "")
        value = float(raw) * MULTIPLIERS.get((m.group("mult") or "").lower(), 1.0)
        unit = (m.group("unit") or "").lower()
        if unit in {"%", "％", "percent"}:
            found.add(f"pct:{value:g}")
        elif unit in DURATIONS:
            found.add(f"n:{value:g}{DURATIONS[unit]}")
        elif (amount or value >= 10 or "." in raw) and not (YEAR_RE.match(raw) and not amount):
            found.add(f"n:{value:.3g}")
    found.update(f"n:{v:.3g}" for v in zh_numerals(flat))
    found.update(f"n:{float(m.group(1)) * 1e9:.3g}" for m in PARAMS_RE.finditer(flat))
    return found


def zh_numerals(text: str) -> list[float]:
    """Amounts written in Chinese numerals: ``三百亿`` → 3e10, ``两千万`` → 2e7."""
    values = []
    for m in ZH_AMOUNT_RE.finditer(text):
        small = _zh_small(m.group(1))
        if small:
            values.append(small * MULTIPLIERS[m.group(2)])
    return values


def _zh_small(digits: str) -> int:
    """Value of a Chinese numeral below 10,000 (``三百二十`` → 320)."""
    total, current = 0, 0
    for ch in digits:
        if ch in ZH_DIGITS:
            current = ZH_DIGITS[ch]
        else:
            total += (current or 1) * ZH_UNITS[ch]
            current = 0
    return total + current


def _in_name(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] is part of a product or version name."""
    before = text[max(start - 1, 0) : start]
    if before and (before in "-." or (before.isascii() and before.isalpha())):
        return True
    if end < len(text) and text[end] in "-" and text[end + 1 : end + 2].isalpha():
        return True
    prev = VERSION_PREV_RE.search(text[max(start - 30, 0) : start])
    return prev is not None and prev.group(1).lower() not in STOPWORDS


def entities(text: str) -> set[str]:
    """Canonical entities: alias-table names (zh or en) and other Latin names."""
    found = {ALIASES[m] for m in _ZH_ALIAS_RE.findall(text)}
    zh = is_chinese(text)
    for run in LATIN_RUN_RE.findall(unicodedata.normalize("NFKC", text)):
        for word in _words(run):
            low = word.lower()
            if len(low) < 2 or low in STOPWORDS or any(c.isdigit() for c in low):
                continue
            if low in ALIASES:
                found.add(ALIASES[low])
            elif zh or word[0].isupper():
                found.add(low)
    return found


def anchors(text: str) -> set[str]:
    """Language-independent features of a text: entities, versions and numbers."""
    return {f"e:{e}" for e in entities(text)} | {f"v:{v}" for v in versions(text)} | numbers(text)


def tfidf(docs: list[Counter[str]], max_df: float = 0.5) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors (log tf); terms in more than max_df of docs are dropped."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    n = len(docs)
    limit = max(2, int(max_df * n))
    vectors = []
    for doc in docs:
        vec = {
            t: (1 + math.log(c)) * (math.log((n + 1) / (df[t] + 1)) + 1)
            for t, c in doc.items()
            if df[t] <= limit
        }
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vectors.append({t: w / norm for t, w in vec.items()})
    return vectors


def strip_boilerplate(text: str) -> str:
    """The text without repost notices, source lines and editor lines."""
    parts = (s for s in SENTENCE_RE.findall(text) if not BOILERPLATE_RE.search(s))
    return "".join(parts).strip()


def term_pattern(term: str) -> re.Pattern[str]:
    """A pattern for a keyword: Latin ones on word boundaries, case-insensitive."""
    if term.isascii():
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", re.IGNORECASE)
    return re.compile(re.escape(term))
