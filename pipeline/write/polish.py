"""Checks of a written story against its input, repaired in code rather than asked again.

- A fact's label must fit its fact: it is found in the fact or in the source sentences
  that carry it (a label copied from elsewhere, such as an example, is replaced by one
  derived from the fact's text).
- The 影响 block is kept only for a story the input marks as market-related.
- No sentence is said twice: repeated facts are dropped, and analysis paragraphs lose the
  sentences that repeat the lead, the facts or an earlier paragraph.
- The story is written in Chinese and in the model's own words: a sentence copied in English
  from a source, or one that says back a piece of the prompt (its instructions or examples,
  eight characters or more that no source has) is dropped; a fact that is one goes whole.
Every change is described in the returned repairs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pipeline.llm.repair import (
    Echo,
    Seen,
    foreign,
    fresh_paragraphs,
    once,
    said_before,
    sentence_key,
)
from pipeline.models import Story
from pipeline.text.sentences import join_sentences, split_sentences

HAN_RE = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9.+-]{1,}")
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
PLACEHOLDER_RE = re.compile(r"〈([^〉]+)〉")
SUPPORT_SIMILARITY = 0.25  # bigram overlap at which a source sentence carries a fact
# the 影响 block's labels and verdicts, which a small model sometimes writes into a headline,
# a summary line or a fact's label
FORMAT_WORDS_RE = re.compile(
    r"[：:，,｜|\s]*(对 ?AI ?(概念|应用)股|投资启示)[：:，,\s]*|[：:，,]\s*(利好|利空|中性)[。.]?$"
)
IMPACT_LABEL_RE = re.compile(r"\s*(对 ?AI ?(概念|应用)股|投资启示)\s*")
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}(\s+\d{1,2}:\d{2})?")


@dataclass(frozen=True)
class Topic:
    """A kind of fact: the label the publication gives it, the words that name it in a
    label, and the words that show a fact is about it."""

    label: str
    named: re.Pattern[str]
    shown: re.Pattern[str]


def _topic(label: str, named: str, shown: str) -> Topic:
    return Topic(label, re.compile(named, re.I), re.compile(shown, re.I))


# In order: a fact about several gets the first. A label that names a topic its fact does not
# show (投后估值 on a pricing fact) gets the topic its fact shows; 要点 when none does.
TOPICS = (
    _topic(
        "投资方", r"领投|跟投|投资方|投资人|投资者", r"领投|跟投|投资方|投资者|led by|investors?"
    ),
    _topic("估值", r"估值", r"估值|valuation|valued"),
    _topic("融资规模", r"融资|募资", r"融资|募资|raises?|funding|round"),
    _topic(
        "定价",
        r"定价|价格|售价|收费",
        r"定价|价格|售价|收费|美元|元/|每百万|per million|price|\$|免费|free",
    ),
    _topic("营收", r"营收|收入|利润", r"营收|收入|利润|revenue|profit|sales"),
    _topic("上下文窗口", r"上下文", r"上下文|context"),
    _topic("参数规模", r"参数", r"参数|\d+(\.\d+)?\s*[BT]\b|parameters"),
    _topic(
        "基准成绩",
        r"基准|评测|得分|跑分|成绩|排名",
        r"基准|评测|测试|得分|准确率|排名|榜|分|%|bench|score|SOTA|arena",
    ),
    _topic("推理速度", r"速度|延迟|吞吐", r"速度|秒|tokens?/s|延迟|吞吐|倍|latency|faster|speed"),
    _topic("用户规模", r"用户|月活|日活", r"用户|月活|日活|下载|users"),
    _topic(
        "开源", r"开源|权重", r"开源|权重|open[- ]?(source|weights?)|weights|GitHub|Hugging ?Face"
    ),
    _topic("算力", r"算力|GPU|芯片", r"算力|GPU|芯片|数据中心|集群|卡|chip|compute"),
    _topic("资本支出", r"资本支出", r"资本支出|支出|capex|capital expenditure|spend"),
    _topic(
        "时间",
        r"时间|日期",
        r"\d+\s*月\s*\d+\s*日|\d{4}\s*年|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|上午|下午|今天|昨日|本周",
    ),
    _topic("发布", r"发布|上线", r"上线|推出|发布|launch|release"),
    _topic("合作", r"合作|签约", r"合作|签署|联手|partner"),
    _topic("监管", r"监管|法规|政策", r"监管|法规|政策|罚款|regulat"),
)
GENERIC_LABEL = "要点"


def derive_label(text: str) -> str:
    """A short label for a fact, from what its text is about."""
    return next((t.label for t in TOPICS if t.shown.search(text)), GENERIC_LABEL)


def label_topics(label: str) -> list[Topic]:
    """The topics a label names (none for a label such as 公司 or 应用领域)."""
    return [t for t in TOPICS if t.named.search(label)]


def _cjk_bigrams(text: str) -> set[str]:
    chars = "".join(HAN_RE.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _latin_words(text: str) -> set[str]:
    return {w.lower().rstrip(".") for w in LATIN_WORD_RE.findall(text)}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def carrying_sentences(fact: str, sources: Sequence[str]) -> list[str]:
    """The source sentences that say what a fact says (a shared number, name or wording)."""
    numbers, words, grams = set(NUMBER_RE.findall(fact)), _latin_words(fact), _cjk_bigrams(fact)
    found = []
    for sentence in sources:
        if (
            numbers & set(NUMBER_RE.findall(sentence))
            or words & _latin_words(sentence)
            or _overlap(grams, _cjk_bigrams(sentence)) >= SUPPORT_SIMILARITY
        ):
            found.append(sentence)
    return found


def label_fits(label: str, text: str, sources: Sequence[str], copied: Collection[str] = ()) -> bool:
    """Whether a label may head its fact: it is not copied (from the prompt's placeholders or
    the 影响 block's labels), and a topic it names (估值, 定价, …) is one the fact, or the
    source sentences carrying it, are about. A label naming no known topic is the model's."""
    if label in copied or FORMAT_WORDS_RE.fullmatch(label):
        return False
    topics = label_topics(label)
    if not topics:
        return True
    context = " ".join([text, *carrying_sentences(text, sources)])
    return any(t.shown.search(context) for t in topics)


def source_sentences(story: Story) -> list[str]:
    """Every sentence of the story's articles (titles included)."""
    return [s for a in story.articles for s in [a.title, *split_sentences(a.text)]]


class Polisher:
    """One story's checks; ``repairs`` lists what was changed."""

    def __init__(self, story: Story, prompt: str = "") -> None:
        self.sources = source_sentences(story)
        self.echo = Echo(prompt, self.sources)
        self.copied = set(PLACEHOLDER_RE.findall(prompt))
        self.clauses: set[str] = set()  # every clause said so far in this story
        self.repairs: list[str] = []

    def once(self, text: str, what: str) -> str:
        """Text without the clauses already said in this story (or earlier in itself)."""
        kept, dropped = once(text, self.clauses)
        if dropped:
            self.repairs.append(f"{what}: {dropped} repeated clause(s) dropped")
        return kept

    def fact(self, text: str, n: int) -> str:
        """A fact's text said once ("" when all of it was said before in the story)."""
        own, dropped = once(text, set())  # the same clause twice within the fact
        if dropped:
            self.repairs.append(f"fact {n}: {dropped} repeated clause(s) dropped")
        if said_before(own, self.clauses):
            self.repairs.append(f"fact {n} only repeats what the story said before: dropped")
            return ""
        once(own, self.clauses)  # remember its clauses
        return own

    def sort_facts(self, labels: Sequence[str], texts: Sequence[str], market: bool) -> list[str]:
        """What each fact is: "fact", "impact" (labelled as one, in a market story) or "drop"
        (labelled as 影响 in another story, or only a timestamp)."""
        kinds = []
        for n, (label, text) in enumerate(zip(labels, texts, strict=True)):
            if TIMESTAMP_RE.fullmatch(text.strip()):
                kinds.append("drop")
                self.repairs.append(f"fact {n + 1} is only a timestamp: dropped")
            elif IMPACT_LABEL_RE.fullmatch(label):
                kinds.append("impact" if market else "drop")
                self.repairs.append(f"fact {n + 1} is labelled as 影响: {kinds[-1]}")
            else:
                kinds.append("fact")
        return kinds

    def _foreign(self, sentence: str) -> str:
        """Why a sentence is not the model's own Chinese ("" when it is)."""
        if foreign(sentence):
            return "in English"
        return "copied from the prompt" if self.echo.heard(sentence) else ""

    def label(self, label: str, text: str) -> str:
        """The label, or one derived from the fact's text when it does not fit the fact."""
        if label_fits(label, text, self.sources, self.copied):
            return label
        new = derive_label(text)
        self.repairs.append(f"label {label!r} does not fit its fact: now {new!r}")
        return new

    def unique(
        self, texts: Sequence[str], what: str, said: Sequence[str] = (), *, keep: bool = True
    ) -> list[int]:
        """Indexes of the texts that do not repeat an earlier one (or what was ``said``);
        with ``keep``, all of them if every one would go."""
        kept, seen = [], Seen(said)
        for n, text in enumerate(texts):
            if sentence_key(text) and all(seen.said(s) for s in split_sentences(text)):
                continue
            seen.add(text)
            kept.append(n)
        if not kept and keep:
            return list(range(len(texts)))
        self.repairs += [
            f"{what} {n + 1} repeats the lead or an earlier {what}: dropped"
            for n in range(len(texts))
            if n not in kept
        ]
        return kept

    def own(self, text: str, what: str, *, keep_one: bool = True) -> str:
        """Text without its English or prompt sentences (with ``keep_one``: all of it if
        nothing would be left)."""
        sentences = split_sentences(text)
        reasons = [self._foreign(s) for s in sentences]
        kept = [s for s, why in zip(sentences, reasons, strict=True) if not why]
        if (not kept and keep_one) or len(kept) == len(sentences):
            return text.strip()
        for why in sorted({w for w in reasons if w}):
            self.repairs.append(f"{what}: {reasons.count(why)} sentence(s) {why} dropped")
        return join_sentences(kept)

    def own_facts(self, texts: Sequence[str]) -> list[int]:
        """Indexes of the facts in the model's own Chinese (all of them if none is)."""
        reasons = [self._foreign(text) for text in texts]
        keep = [n for n, why in enumerate(reasons) if not why]
        if not keep:
            return list(range(len(texts)))
        self.repairs += [f"fact {n + 1} is {why}: dropped" for n, why in enumerate(reasons) if why]
        return keep

    def headline(self, text: str) -> str:
        """The headline without an 影响 label the model wrote into it."""
        cleaned = FORMAT_WORDS_RE.sub("", text).strip()
        if cleaned != text.strip() and len(cleaned) >= 4:
            self.repairs.append(f"headline: {text!r} → {cleaned!r}")
            return cleaned
        return text.strip()

    def analysis(self, paragraphs: Sequence[str], said: Sequence[str]) -> list[str]:
        """Analysis paragraphs in the model's own Chinese, nothing said twice."""
        paragraphs = [self.own(p, "analysis", keep_one=False) for p in paragraphs]
        if any(p.strip() and not HAN_RE.search(p) for p in paragraphs):
            self.repairs.append("analysis: a paragraph with no Chinese (a key, a word) dropped")
        paragraphs = [self.once(p, "analysis") for p in paragraphs if HAN_RE.search(p)]
        kept, dropped = fresh_paragraphs(paragraphs, Seen(said))
        if dropped:
            self.repairs.append(f"analysis: {dropped} repeated sentence(s) dropped")
        if len(kept) < len([p for p in paragraphs if p.strip()]):
            self.repairs.append(f"analysis: {len(paragraphs) - len(kept)} paragraph(s) dropped")
        return kept

    def impact(self, count: int, market: bool) -> bool:
        """Whether a story may keep its 影响 block (only market-related stories have one)."""
        if count and not market:
            self.repairs.append("impact dropped: the story is not market-related")
        return market
