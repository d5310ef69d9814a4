"""Text features for clustering: normalisation, shingles, entities, versions, numbers.

Everything here is language-aware but dictionary-light: a zh↔en alias table maps
company and product names to one canonical id, version tokens (``GPT-5.3-Codex``,
``Claude Opus 4.6``) and numbers with units (``160亿美元`` = ``$16 billion``) are
normalised so that a Chinese and an English report of the same event share them.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# zh and en surface forms (lower case) → canonical entity id
ALIASES: dict[str, str] = {
    "英伟达": "nvidia", "辉达": "nvidia", "nvidia": "nvidia",
    "谷歌": "google", "google": "google", "alphabet": "google", "deepmind": "deepmind",
    "阿里巴巴": "alibaba", "阿里": "alibaba", "alibaba": "alibaba", "阿里云": "alibaba",
    "智谱": "zhipu", "zhipu": "zhipu", "z.ai": "zhipu",
    "微软": "microsoft", "microsoft": "microsoft",
    "亚马逊": "amazon", "amazon": "amazon", "aws": "amazon",
    "苹果": "apple", "apple": "apple",
    "字节跳动": "bytedance", "字节": "bytedance", "bytedance": "bytedance",
    "豆包": "doubao", "doubao": "doubao",
    "腾讯": "tencent", "tencent": "tencent", "元宝": "yuanbao", "yuanbao": "yuanbao",
    "百度": "baidu", "baidu": "baidu", "文心": "ernie", "ernie": "ernie",
    "月之暗面": "moonshot", "moonshot": "moonshot",
    "深度求索": "deepseek", "deepseek": "deepseek",
    "千问": "qwen", "通义千问": "qwen", "通义": "qwen", "qwen": "qwen",
    "马斯克": "musk", "musk": "musk", "黄仁勋": "jensen-huang", "huang": "jensen-huang",
    "奥尔特曼": "altman", "阿尔特曼": "altman", "altman": "altman",
    "扎克伯格": "zuckerberg", "zuckerberg": "zuckerberg",
    "苏莱曼": "suleyman", "suleyman": "suleyman", "纳德拉": "nadella", "nadella": "nadella",
    "皮查伊": "pichai", "pichai": "pichai", "古特雷斯": "guterres", "guterres": "guterres",
    "蚂蚁集团": "ant-group", "蚂蚁": "ant-group", "ant": "ant-group",
    "美团": "meituan", "meituan": "meituan", "商汤": "sensetime", "sensetime": "sensetime",
    "华为": "huawei", "huawei": "huawei", "昇腾": "ascend", "ascend": "ascend",
    "小米": "xiaomi", "xiaomi": "xiaomi", "三星": "samsung", "samsung": "samsung",
    "英特尔": "intel", "intel": "intel", "超威": "amd", "amd": "amd",
    "台积电": "tsmc", "tsmc": "tsmc", "高通": "qualcomm", "qualcomm": "qualcomm",
    "软银": "softbank", "softbank": "softbank", "甲骨文": "oracle", "oracle": "oracle",
    "特斯拉": "tesla", "tesla": "tesla", "宇树": "unitree", "unitree": "unitree",
    "智元": "agibot", "agibot": "agibot", "联合国": "un", "un": "un",
    "欧盟": "eu", "eu": "eu", "白宫": "white-house", "清华": "tsinghua",
    "清华大学": "tsinghua", "tsinghua": "tsinghua", "韦伯": "jwst", "webb": "jwst",
    "jwst": "jwst", "生数科技": "shengshu", "shengshu": "shengshu",
    "中科曙光": "sugon", "曙光": "sugon", "sugon": "sugon",
    "市场监管总局": "samr", "samr": "samr", "蚂蚁百灵": "ant-group",
    "红杉": "sequoia", "sequoia": "sequoia", "伯克希尔": "berkshire",
    "印度": "india", "india": "india", "indian": "india", "沙特": "saudi",
    "亚马逊云": "amazon", "脸书": "meta", "meta": "meta", "reddit": "reddit",
    "声田": "spotify", "spotify": "spotify", "国际商业机器": "ibm", "ibm": "ibm",
    "赛富时": "salesforce", "salesforce": "salesforce", "星衍": "asteris",
    "asteris": "asteris", "镖人": "biaoren", "港股": "hkex", "香港": "hong-kong",
    "hong": "hong-kong", "成都": "chengdu", "北京": "beijing", "beijing": "beijing",
    "上海": "shanghai", "shanghai": "shanghai", "深圳": "shenzhen", "shenzhen": "shenzhen",
}

# Latin words that say nothing about which event an article reports
STOPWORDS = frozenset(
    """a an the and or but of in on at to for from by with as is are was were be been has
    have had it its this that these those than then there their they he she his her we our
    you your i not no new more most about into over after before up out says said say will
    would can could also just one two three first last year years week today yesterday
    company companies ai llm llms api app apps ceo cto cfo inc ltd co via per vs which who
    what when where how why all any some such other while may might should does did do
    million billion trillion percent mr ms according report reports reported news update
    s t we're it's launches launch launched introduces releases released release announces
    announced unveils unveiled says""".split()
)

# words that follow a version number and belong to the model name
VERSION_SUFFIXES = frozenset(
    """pro max mini nano flash lite ultra plus turbo codex spark deep think thinking omni coder
    preview instant air vl opus sonnet haiku""".split()
)
# brand words dropped from the front of a version token ("Claude Opus 4.6" → "opus-4.6")
BRAND_PREFIXES = frozenset("claude openai google anthropic meta alibaba nvidia microsoft the".split())

AMOUNT_WORDS = frozenset("billion million trillion thousand bn tn percent % dollars".split())

CJK_RE = re.compile(r"[\u3400-\u9fff]")
LATIN_RUN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-'’]*(?: [A-Za-z0-9][A-Za-z0-9.\-'’]*)*")
WORD_RE = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
PUNCT_RE = re.compile(r"[\W_]+", re.UNICODE)
YEAR_RE = re.compile(r"^(19|20)\d\d$")
QUARTER_RE = re.compile(r"^[qh][1-4]$")
NUMBER_RE = re.compile(
    r"(?P<cur>\$|US\$|￥|¥)?\s?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s?"
    r"(?P<mult>万亿|千亿|百亿|千万|百万|亿|万|千|trillion|billion|million|thousand|bn|tn)?\s?"
    r"(?P<unit>%|％|percent|美元|美金|元|港元|港币|人民币|欧元|dollars)?"
    r"(?P<after>[年月日号时点分秒])?",
    re.IGNORECASE,
)
VERSION_PREV_RE = re.compile(r"([A-Z][A-Za-z]*) $")
MULTIPLIERS = {
    "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "千万": 1e7, "百万": 1e6, "亿": 1e8, "万": 1e4,
    "千": 1e3, "trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6,
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
    terms.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
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


def versions_conflict(left: set[str], right: set[str]) -> bool:
    """Whether two sets of headline versions name different releases of one family."""
    for a in left - right:
        fa = version_family(a)
        for b in right - left:
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
        elif m.group("mult") or m.group("cur") or unit or value >= 100 or "." in raw:
            if not (YEAR_RE.match(raw) and not (m.group("mult") or m.group("cur"))):
                found.add(f"n:{value:.3g}")
    return found


def _in_name(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] is part of a product or version name."""
    before = text[max(start - 1, 0) : start]
    if before and (before in "-." or (before.isascii() and before.isalpha())):
        return True
    if end < len(text) and text[end] in "-" and text[end + 1 : end + 2].isalpha():
        return True
    prev = VERSION_PREV_RE.search(text[max(start - 30, 0) : start])
    return bool(prev) and prev.group(1).lower() not in STOPWORDS


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
    return (
        {f"e:{e}" for e in entities(text)}
        | {f"v:{v}" for v in versions(text)}
        | numbers(text)
    )


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
            t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 0.5))
            for t, c in doc.items()
            if df[t] <= limit
        }
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vectors.append({t: w / norm for t, w in vec.items()})
    return vectors
