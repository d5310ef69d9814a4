"""Numbers with units in Chinese and English text, normalised so that they compare.

``3800 亿美元`` and ``$380 billion`` both become ``Quantity(value=3.8e11, unit="usd")``;
``2 月 12 日`` and ``Feb. 12`` both become a ``date`` of value ``212`` (month × 100 + day).
Only numbers written with digits count, plus Chinese numerals in amounts (``三百亿``,
``千亿美元``) and English number words (``seven``, ``a million``); fractions such as
``十分之一`` are ignored. Every quantity keeps its span, so callers can mark it in place.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

DATE_UNITS = frozenset({"date", "month", "year"})
CURRENCIES = frozenset({"usd", "cny", "hkd", "eur", "gbp", "jpy"})
# units that a bare number (unit "none") may stand for in another language
_NEVER_BARE = frozenset({"percent"}) | DATE_UNITS
_COMPATIBLE = {frozenset({"token", "tokens_per_s"}), frozenset({"elo", "score"})}
_ROUNDED_AMOUNT = 1e3  # precision from which an amount is a rounded figure
_APPROX_REL = 0.02  # "约 200 亿" vs "$19.7 billion": approximate wording allows 2 %

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９％．＄＋～"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789%.$+~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)

_NUM_BODY = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_NUMBER_TAIL = (
    r"(?:\s?(?P<cn>万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千))?"
    r"(?:\s?(?P<enw>(?i:thousand|million|billion|trillion))\b|(?P<ens>bn|mn|[kKMBTmb])(?![A-Za-z]))?"
)
_PREFIX = r"(?P<pre>US\$|HK\$|\$|¥|￥|€|£|(?:USD|RMB|CNY|HKD|EUR)\s?)?"
# a number must not continue a Latin name: "GPT-5", "M2.5", "Ring-2.5-1T", "v2"
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.$])(?<![A-Za-z0-9][-‐‑])" + _PREFIX + rf"(?P<num>{_NUM_BODY})" + _NUMBER_TAIL
)
_RANGE_END = re.compile(_PREFIX + rf"(?P<num>{_NUM_BODY})" + _NUMBER_TAIL)
_RANGE_SEP = re.compile(r"\s?(?:-|–|—|~|～|至|到)\s?|\s+to\s+")
_ORDINAL = re.compile(r"(?:st|nd|rd|th)(?![A-Za-z])")
_APPROX_SUFFIX = re.compile(r"\s?(?:多|余|\+|以上|左右)")
_APPROX_BEFORE = re.compile(
    r"(?:约合|大约|约|将近|接近|近|超过|超|逾|不到|不足|~|≈|"
    r"(?i:about|around|approximately|roughly|nearly|almost|over|more than|less than|"
    r"up to|under|some))\s*$"
)
# fmt: off
_CN_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8,
             "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4, "千": 1e3}
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
             "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12, "bn": 1e9, "mn": 1e6}
_PREFIX_CURRENCY = {"us$": "usd", "$": "usd", "usd": "usd", "hk$": "hkd", "hkd": "hkd",
                    "¥": "cny", "￥": "cny", "rmb": "cny", "cny": "cny", "€": "eur",
                    "eur": "eur", "£": "gbp"}

# (pattern, unit, factor); tried in order right after a number
_UNIT_TABLE: list[tuple[str, str, float]] = [
    (r"(?:个\s?)?tokens?\s?(?:/\s?(?:s|sec|秒)|per\s+second|每秒)(?![A-Za-z])|tok/s",
     "tokens_per_s", 1),
    (r"(?:个\s?)?tokens?(?![A-Za-z])", "token", 1),
    (r"%|percent(?![A-Za-z])|per\s+cent|个百分点|百分点|percentage\s+points?", "percent", 1),
    (r"港元|港币|港幣|HKD(?![A-Za-z])|Hong\s+Kong\s+dollars?", "hkd", 1),
    (r"美元|美金|(?:US\s)?dollars?(?![A-Za-z])|USD(?![A-Za-z])", "usd", 1),
    (r"元人民币|人民币|元|yuan(?![A-Za-z])|RMB(?![A-Za-z])|CNY(?![A-Za-z])", "cny", 1),
    (r"欧元|euros?(?![A-Za-z])|EUR(?![A-Za-z])", "eur", 1),
    (r"英镑|GBP(?![A-Za-z])|pounds?\s+sterling", "gbp", 1),
    (r"日元|JPY(?![A-Za-z])|yen(?![A-Za-z])", "jpy", 1),
    (r"(?:个\s?)?参数|parameters?(?![A-Za-z])|params?(?![A-Za-z])", "param", 1),
    (r"(?:张|块)?\s?(?:GPU|显卡|加速卡|卡)|GPUs?(?![A-Za-z])|cards?(?![A-Za-z])|"
     r"颗?芯片|chips?(?![A-Za-z])|accelerators?(?![A-Za-z])", "gpu", 1),
    (r"Elo(?![A-Za-z])", "elo", 1),
    (r"分(?![钟之析享别配布成])|points?(?![A-Za-z])|pts(?![A-Za-z])", "score", 1),
    (r"倍|x(?![A-Za-z0-9])|times(?![A-Za-z])|-?fold(?![A-Za-z])", "times", 1),
    (r"fps(?![A-Za-z])|帧", "fps", 1),
    (r"PB(?![A-Za-z])", "byte", 1e15), (r"TB(?![A-Za-z])", "byte", 1e12),
    (r"GB(?![A-Za-z])", "byte", 1e9), (r"MB(?![A-Za-z])", "byte", 1e6),
    (r"KB(?![A-Za-z])", "byte", 1e3),
    (r"GW(?![A-Za-z])|吉瓦|gigawatts?", "watt", 1e9),
    (r"MW(?![A-Za-z])|兆瓦|megawatts?", "watt", 1e6),
    (r"个月|months?(?![A-Za-z])", "months", 1), (r"周|weeks?(?![A-Za-z])", "weeks", 1),
    (r"天|days?(?![A-Za-z])", "days", 1),
    (r"小时|hours?(?![A-Za-z])|hrs?(?![A-Za-z])", "hours", 1),
    (r"分钟|minutes?(?![A-Za-z])|mins?(?![A-Za-z])", "minutes", 1),
    (r"秒|seconds?(?![A-Za-z])|secs?(?![A-Za-z])", "seconds", 1),
    (r"年|years?(?![A-Za-z])", "years", 1),
]
_UNITS = [(re.compile(r"\s?(?:" + p + ")", re.IGNORECASE), u, f) for p, u, f in _UNIT_TABLE]
_KIND = {"percent": "percent", "token": "count", "param": "count", "gpu": "count",
         "none": "count", "tokens_per_s": "rate", "fps": "rate", "elo": "score",
         "score": "score", "times": "ratio", "byte": "size", "watt": "power",
         "date": "date", "month": "date", "year": "date"} | {c: "money" for c in CURRENCIES}
# units a Chinese-numeral amount may carry: "千亿美元", "十倍", "超千 Token"
_CN_NUMERAL_UNITS = CURRENCIES | {"token", "tokens_per_s", "param", "gpu", "times"}

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_YEAR = r"(?P<y>(?:19|20)[0-9]{2})"
_DAY = r"(?P<d>3[01]|[12][0-9]|0?[1-9])"
_DATE_PATTERNS = [
    re.compile(rf"(?<![0-9.]){_YEAR}[-/.](?P<m>1[0-2]|0?[1-9])[-/.]{_DAY}(?![0-9])"),
    re.compile(
        rf"(?<![0-9.])(?:{_YEAR}\s?年\s?)?(?P<m>1[0-2]|0?[1-9])\s?月(?:\s?{_DAY}\s?[日号])?"
    ),
    re.compile(rf"\b{_MON}\.?\s+{_DAY}(?:st|nd|rd|th)?(?![0-9A-Za-z])(?:,?\s+{_YEAR}(?![0-9]))?"),
    re.compile(rf"(?<![0-9.]){_DAY}(?:st|nd|rd|th)?\s+{_MON}\b\.?(?:,?\s+{_YEAR}(?![0-9]))?"),
    re.compile(rf"\b{_MON}\.?,?\s+{_YEAR}(?![0-9])"),
    re.compile(
        r"\b(?P<mon>January|February|March|April|June|July|August|September|October|"
        r"November|December)\b"
    ),
]

_CN_NUMERAL = re.compile(r"(?<![数几若之第百])[零〇一二两三四五六七八九十百千万亿]+")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}

_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen")
_EN_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                "ninth", "tenth", "eleventh", "twelfth")
_EN_NUMBERS = ({w: i for i, w in enumerate(_EN_UNITS)}
               | {w: 10 * (i + 2) for i, w in enumerate(_EN_TENS)}
               | {w: i + 1 for i, w in enumerate(_EN_ORDINALS)} | {"dozen": 12})
# fmt: on
_EN_BIG = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_EN_WORD = "|".join(sorted([*_EN_NUMBERS, *_EN_BIG], key=len, reverse=True))
_EN_NUMBER = re.compile(rf"(?i)\b(?:{_EN_WORD})(?:(?:\s+|-)(?:and\s+)?(?:{_EN_WORD}))*\b")
_EN_SPECIAL = re.compile(
    r"(?i)\b(?:(?P<half>half)|(?P<two>double[ds]?|twice)|(?P<three>triple[ds]?)|"
    rf"(?P<fold>{'|'.join(_EN_UNITS[2:] + _EN_TENS)})-?fold)\b"
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """One number found in a text, normalised; ``start``/``end`` locate ``raw``."""

    raw: str
    value: float
    unit: str = "none"
    kind: str = "count"
    approx: bool = False
    precision: float = 1.0  # place value of the last written digit, for rounding
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class _Num:
    value: float
    precision: float
    currency: str | None
    scaled: bool
    plain: str  # the digits as written, without commas
    end: int


def normalize_digits(text: str) -> str:
    """Full-width digits, letters, ``％`` and ``．`` as ASCII; length is preserved."""
    return text.translate(_FULLWIDTH)


def extract_quantities(text: str) -> list[Quantity]:
    """Every number with its unit in ``text``, in reading order."""
    norm = normalize_digits(text)
    found: list[Quantity] = []
    for scan in (_scan_dates, _scan_numbers, _scan_cn_numerals, _scan_en_words):
        taken = [(q.start, q.end) for q in found]
        found.extend(q for q in scan(norm, text) if not _overlaps(q.start, q.end, taken))
    return sorted(found, key=lambda q: (q.start, q.end))


def quantities_match(claim: Quantity, evidence: Quantity) -> bool:
    """Whether ``evidence`` supports ``claim``, allowing for rounding and unit spelling."""
    if claim.kind == "date" or evidence.kind == "date":
        return _dates_match(claim, evidence)
    if not units_compatible(claim.unit, evidence.unit):
        return False
    if not (math.isfinite(claim.value) and math.isfinite(evidence.value)):
        return False
    return abs(claim.value - evidence.value) <= _tolerance(claim, evidence)


def units_compatible(a: str, b: str) -> bool:
    """Same unit, compatible units, or a bare number against anything but % and dates."""
    if a == b or frozenset({a, b}) in _COMPATIBLE:
        return True
    if "none" in (a, b):
        return not ({a, b} & _NEVER_BARE)
    return False


def _tolerance(claim: Quantity, evidence: Quantity) -> float:
    """Half a unit of the claim's last digit; of the evidence's too when it is a rounded
    large amount (``2.6 trillion`` supports ``2.63 万亿``, but ``$5`` does not support ``4.7``)."""
    rounded = evidence.precision if evidence.precision >= _ROUNDED_AMOUNT else 0.0
    tol = max(claim.precision, rounded) / 2
    if claim.approx or evidence.approx:
        tol = max(tol, _APPROX_REL * max(abs(claim.value), abs(evidence.value)))
    return tol + 1e-9 * max(1.0, abs(claim.value))


def _dates_match(claim: Quantity, evidence: Quantity) -> bool:
    if claim.unit == evidence.unit:
        return claim.value == evidence.value
    if claim.unit == "month" and evidence.unit == "date":
        return claim.value == evidence.value // 100
    if "year" in (claim.unit, evidence.unit) and "none" in (claim.unit, evidence.unit):
        return claim.value == evidence.value
    return False


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


# --- dates ---------------------------------------------------------------------------


def _scan_dates(norm: str, text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for pattern in _DATE_PATTERNS:
        taken = [(q.start, q.end) for q in out]
        for m in pattern.finditer(norm):
            if not _overlaps(m.start(), m.end(), taken):
                out.extend(_date_parts(m, text))
    return out


def _date_parts(m: re.Match[str], text: str) -> list[Quantity]:
    groups = m.groupdict()
    month = int(groups["m"]) if groups.get("m") else _MONTHS[groups["mon"][:3].lower()]
    parts: list[Quantity] = []
    if groups.get("y"):
        ys, ye = m.span("y")
        parts.append(Quantity(text[ys:ye], float(groups["y"]), "year", "date", start=ys, end=ye))
    start, end = _date_span(m)
    value, unit = (month * 100 + int(groups["d"]), "date") if groups.get("d") else (month, "month")
    parts.append(Quantity(text[start:end], float(value), unit, "date", start=start, end=end))
    return parts


def _date_span(m: re.Match[str]) -> tuple[int, int]:
    """Span of the month/day part: the year is reported as its own quantity."""
    keys = [k for k in ("m", "mon", "d") if m.groupdict().get(k)]
    start, end = min(m.start(k) for k in keys), max(m.end(k) for k in keys)
    year_after = bool(m.groupdict().get("y")) and m.start("y") > start
    return start, end if year_after else m.end()


# --- numbers written with digits --------------------------------------------------------


def _scan_numbers(norm: str, text: str) -> list[Quantity]:
    out: list[Quantity] = []
    pos = 0
    while (m := _NUMBER.search(norm, pos)) is not None:
        found = _read_quantity(norm, text, m)
        out.extend(found)
        pos = max([m.end(), m.start() + 1, *(q.end for q in found)])
    return out


def _parse_num(norm: str, m: re.Match[str]) -> _Num | None:
    plain = m["num"].replace(",", "")
    pre = (m["pre"] or "").strip().lower()
    currency = _PREFIX_CURRENCY.get(pre)
    if m["ens"] in ("m", "b") and currency is None:
        return None  # "100m" may be metres, "5b" a model name: too ambiguous
    en = (m["enw"] or m["ens"] or "").lower()
    scale = _CN_SCALE.get(m["cn"] or "", 1.0) * _EN_SCALE.get(en, 1.0)
    decimals = len(plain.partition(".")[2])
    end = m.end()
    if (o := _ORDINAL.match(norm, end)) and scale == 1.0:
        end = o.end()
    return _Num(float(plain) * scale, scale / 10**decimals, currency, scale != 1.0, plain, end)


def _read_quantity(norm: str, text: str, m: re.Match[str]) -> list[Quantity]:
    first = _parse_num(norm, m)
    if first is None:
        return []
    pos, approx = first.end, False
    unit1 = _match_unit(norm, pos)
    if unit1 is None and pos < len(norm) and norm[pos].isascii() and norm[pos].isalpha():
        return []  # "4o", "3D", "5G": part of a name, not a number
    second = _range_end(norm, unit1[2] if unit1 else pos)
    if second is not None:
        pos = second.end
    elif unit1 is not None:
        pos = unit1[2]
    if (s := _APPROX_SUFFIX.match(norm, pos)) is not None:
        pos, approx = s.end(), True
    unit = _match_unit(norm, pos) if second is not None or unit1 is None else None
    if unit is not None:
        pos = unit[2]
    chosen = unit1 or unit
    approx = approx or bool(_APPROX_BEFORE.search(norm[max(0, m.start() - 16) : m.start()]))
    raw, start = text[m.start() : pos], m.start()
    ends = [first] if second is None else [_inherit(first, second), second]
    return [_make(n, chosen, raw, start, pos, approx, norm) for n in ends]


def _range_end(norm: str, pos: int) -> _Num | None:
    sep = _RANGE_SEP.match(norm, pos)
    if sep is None or (m := _RANGE_END.match(norm, sep.end())) is None:
        return None
    return _parse_num(norm, m)


def _inherit(first: _Num, second: _Num) -> _Num:
    """``300-500 亿``: the first end takes the second's scale and currency."""
    if first.scaled or not second.scaled:
        return _Num(
            first.value,
            first.precision,
            first.currency or second.currency,
            first.scaled,
            first.plain,
            first.end,
        )
    factor = second.value / float(second.plain) if float(second.plain) else 1.0
    return _Num(
        first.value * factor,
        first.precision * factor,
        first.currency or second.currency,
        True,
        first.plain,
        first.end,
    )


def _match_unit(norm: str, pos: int) -> tuple[str, float, int] | None:
    for pattern, unit, factor in _UNITS:
        if (u := pattern.match(norm, pos)) is not None:
            return unit, factor, u.end()
    return None


def _make(
    num: _Num,
    unit: tuple[str, float, int] | None,
    raw: str,
    start: int,
    end: int,
    approx: bool,
    norm: str,
) -> Quantity:
    name, factor = (unit[0], unit[1]) if unit else (num.currency or "none", 1.0)
    # "2026 年" and a bare "2025" are years; "2000 多家" is a count
    if _is_year(num) and (name == "years" or (name == "none" and not approx)):
        name = "year"
    value, precision = num.value * factor, num.precision * factor
    return Quantity(raw, value, name, _KIND.get(name, "duration"), approx, precision, start, end)


def _is_year(num: _Num) -> bool:
    return (
        num.currency is None
        and num.plain.isdigit()
        and len(num.plain) == 4
        and (1900 <= int(num.plain) <= 2100)
    )


# --- Chinese numerals and English number words -------------------------------------------


def _scan_cn_numerals(norm: str, text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _CN_NUMERAL.finditer(norm):
        numeral, end = m.group(), m.end()
        if norm.startswith("分之", end) or (value := _parse_cn(numeral)) is None:
            continue
        unit = _match_unit(norm, end)
        if unit is not None and unit[0] in _CN_NUMERAL_UNITS:
            end = unit[2]
        elif unit is not None or not _is_cn_amount(numeral):
            continue
        name = unit[0] if unit else "none"
        approx = bool(_APPROX_BEFORE.search(norm[max(0, m.start() - 16) : m.start()]))
        out.append(
            Quantity(
                text[m.start() : end],
                value,
                name,
                _KIND[name],
                approx,
                _place_value(value),
                m.start(),
                end,
            )
        )
    return out


def _is_cn_amount(numeral: str) -> bool:
    """A unit-less Chinese numeral counts only as an amount: ``三百亿``, not ``万一``."""
    return numeral[0] in "一二两三四五六七八九十" and any(c in "百千万亿" for c in numeral)


def _parse_cn(numeral: str) -> float | None:
    total, section, digit = 0.0, 0.0, 0.0
    for ch in numeral:
        if ch in _CN_DIGIT:
            digit = float(_CN_DIGIT[ch])
        elif ch in _CN_SMALL:
            section += (digit or 1.0) * _CN_SMALL[ch]
            digit = 0.0
        elif ch == "万":
            section = ((section + digit) or 1.0) * 1e4
            digit = 0.0
        else:  # 亿
            total = ((total + section + digit) or 1.0) * 1e8
            section = digit = 0.0
    value = total + section + digit
    return value if value > 0 else None


def _place_value(value: float) -> float:
    """Place value of the last non-zero digit of a whole number: 3e10 → 1e10."""
    if not math.isfinite(value) or value < 1 or value != int(value):
        return 1.0
    digits = str(int(value))
    return float(10 ** (len(digits) - len(digits.rstrip("0"))))


def _scan_en_words(norm: str, text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _EN_NUMBER.finditer(norm):
        value = _parse_en(m.group())
        unit = _match_unit(norm, m.end())
        name, end = (unit[0], unit[2]) if unit else ("none", m.end())
        approx = bool(_APPROX_BEFORE.search(norm[max(0, m.start() - 16) : m.start()]))
        out.append(
            Quantity(
                text[m.start() : end],
                value,
                name,
                _KIND.get(name, "duration"),
                approx,
                _place_value(value),
                m.start(),
                end,
            )
        )
    for m in _EN_SPECIAL.finditer(norm):
        out.append(_special_word(m, text))
    return out


def _parse_en(words: str) -> float:
    total, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", words.lower()):
        if word in _EN_NUMBERS:
            current += _EN_NUMBERS[word]
        elif word == "hundred":
            current = (current or 1.0) * 100
        elif word in _EN_BIG:
            total += (current or 1.0) * _EN_BIG[word]
            current = 0.0
    return total + current


def _special_word(m: re.Match[str], text: str) -> Quantity:
    raw = text[m.start() : m.end()]
    if m["half"]:
        return Quantity(raw, 50.0, "percent", "percent", True, 1.0, m.start(), m.end())
    value = 2.0 if m["two"] else 3.0 if m["three"] else float(_EN_NUMBERS[m["fold"].lower()])
    return Quantity(raw, value, "times", "ratio", False, 1.0, m.start(), m.end())
