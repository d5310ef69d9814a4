"""Deterministic repairs of what a model wrote: lengths, sentence labels, loops, repeats.

A model that breaks a soft limit (a headline too long, a label that is a sentence, a
paragraph that says again what the lead said) still gave a usable answer; these pure
functions bring it within the limit without asking again. Lengths are counted in 字:
a Chinese or full-width character is 1, any other character ½ (two Latin letters or
digits take the room of one Chinese character).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pipeline.text.sentences import join_sentences, split_sentences

WIDE_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
WORD_CHAR_RE = re.compile(r"[A-Za-z0-9.%+_-]")
SENTENCE_END = "。！？；!?;"
CLAUSE_END = "，、：,:—）)」》”"
LABEL_SEPARATORS = "：:，,—（(｜|"
DANGLING = "，、：；,:;（(《「“‘ -—"
# A phrase may end before these joining words (Chinese has no spaces to cut at); 并 only
# where it is not the end of a word (合并, 兼并, 吞并). A head never ends on FUNCTION_TAIL.
JOINERS = ("并且", "以及", "并将", "并在", "并于", "同时", "此外", "其中", "但是", "随后", "从而")
NOT_BEFORE_BING = "合兼吞归"
LATIN_WORD_CHAR_RE = re.compile(r"[A-Za-z]")
MIN_LATIN_WORD = 3  # "AI公司", "G轮": shorter Latin pieces are parts of Chinese words
LATIN_WORDS_RE = re.compile(r"[A-Za-z]{2,}")
FOREIGN_WORDS = 6  # this many English words, outnumbering the Chinese: an English sentence
ECHO_CHARS = 8  # a run this long shared with the prompt and no source was copied from it
CLAUSE_CHARS = 8  # a clause this long said twice in one story is a repeat
MIN_REST = 5  # what is left of a sentence after a repeat goes must say this much
CLAUSE_RE = re.compile(r"[^，,；;]+[，,；;]?")
FUNCTION_TAIL = "在的了和与及将为是于对把被从向并"
OPENERS, CLOSERS = "（(《「“‘【[", "）)》」”’】]"
NORMALISE_RE = re.compile(r"[\W_]+")
JSON_BREAK_RE = re.compile(r'"\s*[,:\]}]\s*"?|"')  # string ends inside a JSON answer
# a run of the same text at least this long, or repeated this often, is a loop
LOOP_MIN_CHARS = 80
LOOP_MIN_REPEATS = 3
LOOP_MAX_PERIOD = 300
LOOP_WINDOW = 1500
SENTENCE_REPEATS = 5  # the same sentence this many times in one answer is a loop
LOOP_SENTENCE_CHARS = 10
REPEAT_SIMILARITY = 0.7  # bigram Jaccard at which two sentences say the same thing


def width(text: str) -> float:
    """Length in 字: wide characters count 1, others ½."""
    wide = len(WIDE_RE.findall(text))
    return wide + (len(text) - wide) / 2


def _fits(text: str, limit: float) -> int:
    """How many leading characters of text fit in ``limit`` 字."""
    used = 0.0
    for n, char in enumerate(text):
        used += 1 if WIDE_RE.match(char) else 0.5
        if used > limit:
            return n
    return len(text)


def _inside_word(text: str, cut: int) -> bool:
    """Whether cutting before ``cut`` splits a Latin word, a number or a version."""
    return (
        0 < cut < len(text)
        and WORD_CHAR_RE.match(text[cut - 1]) is not None
        and WORD_CHAR_RE.match(text[cut]) is not None
    )


def _balanced(text: str) -> str:
    """Text cut before its last opening bracket or quote if that one is never closed."""
    for opener, closer in zip(OPENERS, CLOSERS, strict=True):
        at = text.rfind(opener)
        if at >= 0 and text.find(closer, at) < 0:
            text = text[:at]
    return text


def _tidy(text: str) -> str:
    return _balanced(text.rstrip()).rstrip().rstrip(DANGLING).rstrip()


def _last_mark(head: str, marks: str, floor: int) -> int:
    at = max(head.rfind(m) for m in marks)
    return at + 1 if at + 1 > floor else -1


def _phrase_ends(text: str, cut: int) -> bool:
    """Whether a phrase may end before ``cut``: a space, a joining word, or a Latin word's edge."""
    before, after = text[cut - 1], text[cut]
    if before == " ":  # in Chinese text only beside a Latin word ("争夺 AI 领先" is one phrase)
        if WIDE_RE.search(text) is None:
            return True
        if WIDE_RE.match(after):
            return _latin_run(text, cut - 1, -1) >= MIN_LATIN_WORD
        wide_before = cut >= 2 and WIDE_RE.match(text[cut - 2]) is not None
        return wide_before and (after.isdigit() or _latin_run(text, cut, 1) >= MIN_LATIN_WORD)
    if before in OPENERS:
        return False
    if text.startswith(JOINERS, cut) or (after == "并" and before not in NOT_BEFORE_BING):
        return True
    if WIDE_RE.match(after) and _latin_run(text, cut, -1) >= MIN_LATIN_WORD:
        return True
    return WIDE_RE.match(before) is not None and _latin_run(text, cut, 1) >= MIN_LATIN_WORD


def _latin_run(text: str, cut: int, step: int) -> int:
    """Length of the Latin word (letters, digits, ``.-``) just before (-1) or after (1) cut."""
    n, at = 0, cut - 1 if step < 0 else cut
    while 0 <= at < len(text) and WORD_CHAR_RE.match(text[at]):
        n, at = n + 1, at + step
    run = text[cut - n : cut] if step < 0 else text[cut : cut + n]
    return n if LATIN_WORD_CHAR_RE.search(run) else 0


def _last_break(text: str, room: int, floor: int) -> int:
    """The last place in text[:room] where a phrase may end, or -1."""
    for cut in range(min(room, len(text) - 1), floor, -1):
        if _phrase_ends(text, cut):
            return cut
    return -1


def best_cut(text: str, limit: float) -> int:
    """Where to cut text to fit ``limit`` 字: a sentence end, a clause, a phrase, a word."""
    room = _fits(text, limit)
    if room >= len(text):
        return len(text)
    head, floor = text[:room], room // 3  # keeping less than a third is worse than any cut
    for found in (
        _last_mark(head, SENTENCE_END, floor),
        _last_mark(head, CLAUSE_END, floor),
        _last_break(text, room, floor),
    ):
        if found > 0:
            return found
    cut = room
    while cut > floor and (
        _inside_word(text, cut) or text[cut - 1] in OPENERS or text[cut - 1].isdigit()
    ):  # never split a word, nor a number from its unit (1000|亿美元)
        cut -= 1
    return cut if cut > floor else room


def shorten(text: str, limit: float) -> str:
    """Text within ``limit`` 字, cut at the best boundary (never inside a word or number)."""
    text = text.strip()
    if width(text) <= limit:
        return text
    cut = _tidy(text[: best_cut(text, limit)])
    return cut or text[: _fits(text, limit)]


def split_overflow(text: str, limit: float, *, anywhere: bool = True) -> tuple[str, str]:
    """A head within ``limit`` 字 and the rest: split at a separator, a phrase end, else
    (``anywhere``) at the best cut; without ``anywhere`` the head is "" when no such place."""
    text = text.strip()
    if width(text) <= limit:
        return text, ""
    room = _fits(text, limit)
    at = min((i for i, c in enumerate(text[: room + 1]) if c in LABEL_SEPARATORS), default=-1)
    if at < 2:
        at = _last_break(text, room, 1)
    if at < 2:
        if not anywhere:
            return "", text
        at = best_cut(text, limit)
    head = _tidy(text[:at]).rstrip(FUNCTION_TAIL) or text[:room]
    return head, text[len(head) :].strip().lstrip("：:，,、—｜|").strip()


def join_clause(head: str, tail: str) -> str:
    """Two pieces of one sentence, joined with a comma unless one already ends the clause."""
    head, tail = head.strip(), tail.strip()
    if not head or not tail:
        return head or tail
    return head + ("" if head[-1] in SENTENCE_END + CLAUSE_END else "，") + tail


# ---------------------------------------------------------------- loops and repeats


def _periodic_run(text: str, period: int) -> int:
    """Length of the tail of text that repeats with the given period."""
    run, n = 0, len(text) - 1
    while n - period >= 0 and text[n] == text[n - period]:
        run += 1
        n -= 1
    return run


def find_loop(text: str) -> int | None:
    """Where a looping tail starts (one copy kept), or None: the same span said again and again."""
    tail_start = max(0, len(text) - LOOP_WINDOW)
    tail = text[tail_start:]
    for period in range(1, min(LOOP_MAX_PERIOD, len(tail) // LOOP_MIN_REPEATS) + 1):
        run = _periodic_run(tail, period)
        if run >= max(LOOP_MIN_CHARS, (LOOP_MIN_REPEATS - 1) * period):
            return _copy_end(text, tail_start + len(tail) - run, period)
    return _repeated_sentence(text)


def _copy_end(text: str, start: int, period: int) -> int:
    """Where to cut a loop found at ``start``: after the sentence end that closes the first
    copy (the repeats may begin mid-sentence), so one whole copy is kept."""
    ends = [text.find(m, start, start + period) for m in SENTENCE_END]
    found = [e for e in ends if e >= 0]
    return min(found) + 1 if found else start


def sentence_key(sentence: str) -> str:
    """A sentence reduced to its letters, digits and characters, for comparison."""
    return NORMALISE_RE.sub("", sentence.lower())


def _repeated_sentence(text: str) -> int | None:
    """Start of the second copy of a sentence said ``SENTENCE_REPEATS`` times, else None."""
    counts: dict[str, int] = {}
    first_end: dict[str, int] = {}
    position = 0
    for sentence in split_sentences(JSON_BREAK_RE.sub("\n", text)):
        start = text.find(sentence, position)
        position = start + len(sentence) if start >= 0 else position
        key = sentence_key(sentence)
        if len(key) < LOOP_SENTENCE_CHARS or sentence[-1] not in SENTENCE_END + ".":
            continue  # a label or category said often is not a loop; a whole sentence is
        counts[key] = counts.get(key, 0) + 1
        first_end.setdefault(key, position)
        if counts[key] >= SENTENCE_REPEATS:
            second = text.find(sentence, first_end[key])
            return second if 0 <= second < start else max(start, 0)
    return None


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


def overlap(a: str, b: str) -> float:
    """How much two texts share: the Jaccard index of their character bigrams."""
    x, y = _bigrams(sentence_key(a)), _bigrams(sentence_key(b))
    return len(x & y) / max(1, len(x | y))


def similar(a: str, b: str, threshold: float = REPEAT_SIMILARITY) -> bool:
    """Whether two sentences say the same thing (character-bigram Jaccard)."""
    return overlap(a, b) >= threshold


class Seen:
    """Sentences already said in a draft, to drop what is said again."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.sentences: list[str] = []
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        """Remember every sentence of text."""
        self.sentences.extend(s for s in split_sentences(text) if len(sentence_key(s)) >= 6)

    def said(self, sentence: str) -> bool:
        """Whether the sentence (or one very like it) was said before."""
        key = sentence_key(sentence)
        return len(key) >= 6 and any(similar(sentence, s) for s in self.sentences)

    def fresh(self, text: str) -> tuple[str, int]:
        """Text without the sentences said before, and how many were dropped; remembers it."""
        kept, dropped = [], 0
        for sentence in split_sentences(text):
            if self.said(sentence):
                dropped += 1
                continue
            kept.append(sentence)
            self.add(sentence)
        return join_sentences(kept), dropped


def fresh_paragraphs(paragraphs: Sequence[str], seen: Seen) -> tuple[list[str], int]:
    """Paragraphs without sentences said before (in the draft or an earlier paragraph)."""
    out, dropped = [], 0
    for paragraph in paragraphs:
        text, n = seen.fresh(paragraph)
        dropped += n
        if text.strip():
            out.append(text.strip())
    return out, dropped


def foreign(sentence: str) -> bool:
    """Whether a sentence is written in English rather than Chinese (copied untranslated)."""
    wide = len(WIDE_RE.findall(sentence))
    words = len(LATIN_WORDS_RE.findall(sentence))
    return words >= FOREIGN_WORDS and words > wide / 2


def grams(text: str, size: int = ECHO_CHARS) -> set[str]:
    """The character n-grams of a text reduced to its letters, digits and characters."""
    key = sentence_key(text)
    return {key[i : i + size] for i in range(len(key) - size + 1)}


class Echo:
    """Prompt text said back: an n-gram of the instructions or examples that no source has."""

    def __init__(self, prompt: str, sources: Iterable[str]) -> None:
        said = set().union(*(grams(s) for s in sources))
        self.grams = grams(prompt) - said

    def heard(self, sentence: str) -> bool:
        """Whether the sentence repeats a piece of the prompt (not of the material)."""
        return not self.grams.isdisjoint(grams(sentence))


def _clauses(sentence: str) -> list[str]:
    return [c for c in CLAUSE_RE.findall(sentence) if c.strip()]


def once(text: str, said: set[str]) -> tuple[str, int]:
    """Text without the clauses already in ``said`` (keys of eight characters or more, the
    way a small model repeats "…，这表明…" again and again); adds its own clauses to it."""
    kept_sentences, dropped = [], 0
    for sentence in split_sentences(text):
        clauses = _clauses(sentence)
        fresh = [not _said_again(c, said) for c in clauses]
        kept = [c for c, new in zip(clauses, fresh, strict=True) if new]
        dropped += len(clauses) - len(kept)
        # what follows a repeated opening clause depends on it, and a connective left alone
        # ("同时。") says nothing: either way the sentence goes whole
        whole = len(kept) == len(clauses)
        if kept and fresh[0] and (whole or len(sentence_key("".join(kept))) >= MIN_REST):
            end = sentence[-1] if sentence[-1] in SENTENCE_END else ""
            kept_sentences.append(_close("".join(kept), end))
    return join_sentences(kept_sentences), dropped


def _said_again(clause: str, said: set[str]) -> bool:
    """Whether a long clause was said before; remembers it either way."""
    key = sentence_key(clause)
    again = len(key) >= CLAUSE_CHARS and key in said
    said.add(key)
    return again


def said_before(text: str, said: set[str]) -> bool:
    """Whether every long clause of text was said before (and at least one is long)."""
    keys = [sentence_key(c) for s in split_sentences(text) for c in _clauses(s)]
    long = [k for k in keys if len(k) >= CLAUSE_CHARS]
    return bool(long) and all(k in said for k in long)


def _close(sentence: str, end: str) -> str:
    """A sentence whose last clause went: its clause mark becomes the sentence's end."""
    if not end or sentence.endswith(end):
        return sentence
    return sentence.rstrip("，,、；; ") + end


def repeated_sentences(texts: Iterable[str]) -> list[str]:
    """Sentences that appear more than once (or nearly so) across texts: a draft's check."""
    seen, repeats = Seen(), []
    for text in texts:
        for sentence in split_sentences(text):
            if seen.said(sentence):
                repeats.append(sentence)
            seen.add(sentence)
    return repeats
