"""Stories stage: articles of the window → ranked, sectioned stories (plus what was dropped).

Steps, each a plain function: :func:`find_duplicates`, relevance
(:func:`pipeline.stories.relevance.decide`), :func:`cluster_articles`, :func:`score_story`,
:func:`assign_section`, :func:`match_covered`; :func:`build_stories` runs them in that
order.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.config import DigestSettings, Section
from pipeline.models import Article, ClusterResult, CoveredStory, Dropped, Judgement, Story
from pipeline.stories.aliases import latin_key
from pipeline.stories.relevance import decide, names_of, relevance
from pipeline.stories.textsim import (
    SENTENCE_RE,
    anchors,
    normalise,
    numbers,
    same_version,
    shingles,
    strip_boilerplate,
    term_pattern,
    text_hash,
    text_terms,
    tfidf,
    versions,
    versions_conflict,
)

log = logging.getLogger(__name__)

Pair = tuple[Article, Article]
Control = tuple[Article, Article, bool]  # a pair whose answer is known: one event or not
# the LLM's verdicts on undecided pairs (given control pairs), keyed by sorted article ids
SameEvent = Callable[[list[Pair], list[Control]], Mapping[tuple[str, str], bool]]

LEAD_CHARS = 500
NEAR_DUP_CONTAINMENT = 0.8
SKETCH_SIZE = 32
MAX_GAP_HOURS = 96.0  # reports further apart are different events (or follow-ups)
REPEAT_DAYS = 7  # a published story's event is not news again within this many days…
MEMORY_DAYS = 30  # …and a near-identical report of it (same text or facts) within these


# ---- helpers ---------------------------------------------------------------------------


def lead(article: Article, chars: int = LEAD_CHARS) -> str:
    """Title plus the first ``chars`` characters of the cleaned text."""
    return f"{article.title}\n{strip_boilerplate(article.text)[:chars]}"


def _first_sentence(article: Article) -> str:
    sentences = SENTENCE_RE.findall(strip_boilerplate(article.text))
    return sentences[0] if sentences else ""


def story_id(articles: Iterable[Article]) -> str:
    """Stable id of a story: hash of its sorted member article ids."""
    joined = ",".join(sorted(a.id for a in articles))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


def order_articles(articles: Iterable[Article], source_weights: dict[str, float]) -> list[Article]:
    """Primary first: highest source weight, then earliest."""
    return sorted(articles, key=lambda a: (-source_weights.get(a.source, 1.0), a.published, a.id))


# ---- 1. duplicates ---------------------------------------------------------------------


def _sketch(grams: set[int]) -> list[int]:
    return heapq.nsmallest(SKETCH_SIZE, grams)


def _containment(a: set[int], b: set[int]) -> float:
    return len(a & b) / max(min(len(a), len(b)), 1)


def find_duplicates(
    articles: Sequence[Article], source_weights: dict[str, float]
) -> tuple[list[Article], list[Dropped]]:
    """Split articles into kept ones and duplicates (same URL, same text, or near-copy)."""
    order = sorted(articles, key=lambda a: (a.published, -source_weights.get(a.source, 1.0), a.id))
    kept: list[Article] = []
    dropped: list[Dropped] = []
    by_url: dict[str, Article] = {}
    by_hash: dict[str, Article] = {}
    grams: dict[str, set[int]] = {}
    index: dict[int, list[Article]] = defaultdict(list)
    for art in order:
        body = strip_boilerplate(art.text)
        digest = text_hash(body) if body else ""
        gram = shingles(body) if body else set()
        original = by_url.get(art.url) or by_hash.get(digest) or _near(gram, index, grams)
        if original is not None:
            dropped.append(
                Dropped(url=art.url, reason="duplicate", of=original.url, title=art.title)
            )
            continue
        kept.append(art)
        by_url[art.url] = art
        if digest:
            by_hash[digest] = art
        grams[art.id] = gram
        for h in _sketch(gram):
            index[h].append(art)
    return kept, dropped


def _near(
    gram: set[int], index: dict[int, list[Article]], grams: dict[str, set[int]]
) -> Article | None:
    """The kept article this shingle set nearly copies, if any."""
    if len(gram) < 8:
        return None
    votes: Counter[str] = Counter()
    by_id: dict[str, Article] = {}
    for h in _sketch(gram):
        for art in index.get(h, ()):
            votes[art.id] += 1
            by_id[art.id] = art
    for art_id, count in votes.most_common(5):
        if count >= 3 and _containment(gram, grams[art_id]) >= NEAR_DUP_CONTAINMENT:
            return by_id[art_id]
    return None


# ---- 2. clustering ---------------------------------------------------------------------


@dataclass
class _Doc:
    """Per-article features used by the clustering."""

    article: Article
    anchors: set[str]
    heads: set[str]  # versions the headline is about
    rare: set[str] = field(default_factory=set)  # anchors few articles share


# Benchmarks carry version-like names; a headline naming one says nothing about which
# release it is about, so they never veto a merge.
BENCHMARK_RE = re.compile(
    r"(?:arc-agi|swe-?bench|terminal-?bench|mmlu|gpqa|hle|osworld|aime|humaneval|"
    r"livecodebench|mrcr|browsecomp|tau|mcp-atlas|vending-?bench|simpleqa|mmmu|imo|cmo|"
    r"verified|codeforces|elo)\b"
)

# how much one shared anchor says about two reports being one event
ANCHOR_WEIGHT = {"v": 2.0, "n": 1.5, "pct": 1.0, "e": 1.0}
LINK = 0.3  # average similarity two groups need to merge (average link)
LINKED_FLOOR = 0.6  # similarity of a pair the link rules accept, at the least
CANNOT = -1.0  # similarity of a pair that must never share a story
FAR = 1e3  # its distance: one such pair outweighs any number of close ones in an average
MAX_UNDECIDED = 36  # pairs one window may put to the LLM (twelve calls)
CHECK_BATCH = 3  # undecided pairs per call, beside two control pairs
SURE_SAME = 0.9  # similarity of a pair surely one event (a control of the check)
SAME_DAY_HOURS = 30.0  # beyond this, similarity fades linearly to zero at MAX_GAP_HOURS


def headline_versions(article: Article) -> set[str]:
    """Release versions in the title; else the first one in the lead (benchmarks excluded)."""
    found = release_versions(article.title)
    if not found:
        found = release_versions(strip_boilerplate(article.text)[:200])[:1]
    return set(found)


def release_versions(text: str) -> list[str]:
    """Version tokens that name a release, not a benchmark (``ARC-AGI-2``, ``SWE-bench``)."""
    return [v for v in versions(text) if not BENCHMARK_RE.match(v)]


def _features(articles: Sequence[Article], names: Mapping[str, Sequence[str]]) -> list[_Doc]:
    docs = []
    for art in articles:
        extra = {f"e:{latin_key(n)}" for n in names.get(art.id, ()) if latin_key(n)}
        docs.append(_Doc(art, anchors(lead(art)) | extra, headline_versions(art)))
    df: Counter[str] = Counter(x for d in docs for x in d.anchors)
    limit = max(10, int(0.05 * len(docs)))
    for doc in docs:
        doc.rare = {x for x in doc.anchors if df[x] <= limit}
    return docs


def _cosines(bags: list[Counter[str]], max_df: float) -> np.ndarray:
    """Cosine similarity of all pairs of TF-IDF vectors (sublinear tf, smoothed idf)."""
    vectorizer = TfidfVectorizer(
        analyzer=lambda bag: list(bag.elements()),
        sublinear_tf=True,
        max_df=max(2, int(max_df * len(bags))),  # a pair's shared term always counts
    )
    try:
        matrix = vectorizer.fit_transform(bags)
    except ValueError:  # every term pruned: nothing in common anywhere
        return np.zeros((len(bags), len(bags)))
    return np.asarray((matrix @ matrix.T).todense())


def _evidence(docs: list[_Doc]) -> np.ndarray:
    """Weighted count of the rare anchors each pair of articles shares."""
    vocab = {x: i for i, x in enumerate(sorted({x for d in docs for x in d.rare}))}
    rows, cols, values = [], [], []
    for row, doc in enumerate(docs):
        for x in doc.rare:
            rows.append(row)
            cols.append(vocab[x])
            values.append(math.sqrt(ANCHOR_WEIGHT[x.split(":", 1)[0]]))
    shape = (len(docs), max(len(vocab), 1))  # sparse: a dense one is articles × anchors
    weights = sparse.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float64)
    return np.asarray((weights @ weights.T).todense())


def _gap_hours(docs: list[_Doc]) -> np.ndarray:
    stamps = np.array([d.article.published.timestamp() for d in docs]) / 3600
    return np.abs(stamps[:, None] - stamps[None, :])


def similarity(docs: list[_Doc]) -> np.ndarray:
    """How surely each pair reports one event: 0 unrelated, ≥ 1 certain, CANNOT never."""
    # the headline carries the event; the lead adds detail (and noise): either may match.
    # Each matrix is articles × articles (23 MB at 1,700 articles): work in place, free early.
    text = _cosines([text_terms(d.article.title) for d in docs], 0.5)
    np.maximum(
        text,
        _cosines([text_terms(f"{d.article.title}\n{lead(d.article)}") for d in docs], 0.5),
        out=text,
    )
    anchor = _cosines([Counter(d.anchors) for d in docs], 0.3)
    shared = _evidence(docs)
    zh = np.array([d.article.lang == "zh" for d in docs])
    same_lang = zh[:, None] == zh[None, :]
    linked_same = (
        (text >= 0.25)
        | ((shared >= 2) & (anchor >= 0.2))
        | ((shared >= 1) & (anchor >= 0.2) & (text >= 0.12))
    )
    linked = np.where(same_lang, linked_same, (shared >= 2) & (anchor >= 0.3))
    del shared, linked_same
    sim = np.add(text, anchor, out=anchor)  # linked pairs: max(text + anchor, LINKED_FLOOR)
    np.maximum(sim, LINKED_FLOOR, out=sim)
    unlinked: np.ndarray = np.multiply(
        text, 0.5, out=text
    )  # others: half the text score, same language
    unlinked[~same_lang] = 0.0
    np.copyto(unlinked, sim, where=linked)
    sim = unlinked
    del linked, same_lang
    gap = _gap_hours(docs)
    fade = np.subtract(MAX_GAP_HOURS, gap)
    fade /= MAX_GAP_HOURS - SAME_DAY_HOURS
    np.clip(fade, 0.0, 1.0, out=fade)
    sim *= fade
    _apply_versions(docs, sim, fade)
    sim[gap > MAX_GAP_HOURS] = CANNOT
    return sim


def _apply_versions(docs: list[_Doc], sim: np.ndarray, fade: np.ndarray) -> None:
    """Same release in both headlines: certain (as time allows); conflicting ones: never."""
    titles = [set(versions(d.article.title)) for d in docs]
    headed = [i for i, d in enumerate(docs) if d.heads or titles[i]]
    for x, i in enumerate(headed):
        for j in headed[x + 1 :]:
            if fade[i, j] <= 0:
                continue  # too far apart: a cannot-link anyway
            if any(same_version(a, b) for a in titles[i] for b in titles[j]):
                sim[i, j] = sim[j, i] = max(sim[i, j], fade[i, j])
            if docs[i].heads and docs[j].heads and versions_conflict(docs[i].heads, docs[j].heads):
                sim[i, j] = sim[j, i] = CANNOT


@dataclass
class Prepared:
    """A window's features and pair similarities, computed once for the LLM check of
    undecided pairs and the clustering after it (which turns ``sim`` into distances)."""

    docs: list[_Doc]
    sim: np.ndarray


def prepare(
    articles: Sequence[Article], names: Mapping[str, Sequence[str]] | None = None
) -> Prepared:
    """Features and similarities of the window's articles."""
    docs = _features(articles, names or {})
    return Prepared(docs, similarity(docs))


def undecided_pairs(
    articles: Sequence[Article],
    names: Mapping[str, Sequence[str]] | None = None,
    *,
    prepared: Prepared | None = None,
) -> tuple[list[Pair], list[Control]]:
    """Pairs the features cannot decide, for an LLM check, and control pairs for it.

    Undecided: reported within a day of each other, sharing a rare name or number, yet not
    linked; the closest first, at most MAX_UNDECIDED (the rest stay with the features).
    Controls, whose answer is known: pairs of the same day with nothing in common
    (certainly two events) and pairs the features link surely (certainly one; a report
    beside itself when the window has none). The check slips one of each into every call
    and distrusts a call that gets either wrong.
    """
    if len(articles) < 3:
        return [], []
    prepared = prepared or prepare(articles, names)
    docs, sim = prepared.docs, prepared.sim
    shared = _evidence(docs)
    gap = _gap_hours(docs)
    near = np.triu(gap <= SAME_DAY_HOURS, 1)
    rows, cols = np.nonzero(near & (shared >= 1) & (sim >= 0) & (sim < LINKED_FLOOR))
    order = sorted(zip(rows.tolist(), cols.tolist(), strict=True), key=lambda p: -sim[p])
    undecided = [(docs[i].article, docs[j].article) for i, j in order[:MAX_UNDECIDED]]
    if not undecided:
        return [], []

    def spread(mask: np.ndarray) -> list[tuple[int, int]]:
        """The pairs of the mask in a stable order that is not their position."""
        rows, cols = np.nonzero(mask)
        return sorted(
            zip(rows.tolist(), cols.tolist(), strict=True),
            key=lambda p: text_hash(f"{docs[p[0]].article.id}|{docs[p[1]].article.id}"),
        )

    apart = spread(near & (shared == 0) & (sim >= 0) & (sim < 0.05))
    together = spread(near & (sim >= SURE_SAME))
    if not together:
        together = [(i, i) for i, _ in spread(np.eye(len(docs), dtype=bool))]
    count = -(-len(undecided) // CHECK_BATCH)  # one of each per call
    controls = [(docs[i].article, docs[j].article, False) for i, j in apart[:count]]
    controls += [(docs[i].article, docs[j].article, True) for i, j in together[:count]]
    return undecided, controls


def cluster_articles(
    articles: Sequence[Article],
    names: Mapping[str, Sequence[str]] | None = None,
    same_event: Mapping[tuple[str, str], bool] | None = None,
    *,
    prepared: Prepared | None = None,
) -> list[list[Article]]:
    """Group articles reporting the same event, across outlets and languages (average link).

    Two groups merge only when their articles are close on average, so one shared name
    or one bridging article cannot chain different events into one story. ``same_event``
    holds the LLM's verdicts on undecided pairs (keyed by sorted article ids): "same"
    links the pair, "different" leaves it no similarity at all. ``prepared`` (from
    :func:`prepare` on these articles) is used up: its matrix becomes the distances.
    """
    if len(articles) < 2:
        return [[a] for a in articles]
    prepared = prepared or prepare(articles, names)
    docs, distance = prepared.docs, prepared.sim  # made distances in place (one matrix)
    if same_event:
        _apply_verdicts(docs, distance, same_event)
    cannot = distance <= CANNOT
    np.minimum(distance, 1.0, out=distance)
    np.subtract(1.0, distance, out=distance)
    distance[cannot] = FAR
    del cannot
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1.0 - LINK
    )
    labels = model.fit_predict(distance)
    groups: dict[int, list[Article]] = defaultdict(list)
    for label, doc in zip(labels, docs, strict=True):
        groups[int(label)].append(doc.article)
    return sorted(groups.values(), key=lambda g: min(a.published for a in g))


def _apply_verdicts(
    docs: list[_Doc], sim: np.ndarray, same_event: Mapping[tuple[str, str], bool]
) -> None:
    at = {d.article.id: i for i, d in enumerate(docs)}
    for (a, b), same in same_event.items():
        i, j = at.get(a), at.get(b)
        if i is None or j is None or sim[i, j] <= CANNOT:
            continue  # not in this window, or apart for a harder reason (time, versions)
        sim[i, j] = sim[j, i] = max(sim[i, j], LINKED_FLOOR) if same else 0.0


# ---- 3. ranking ------------------------------------------------------------------------


def score_story(
    articles: Sequence[Article],
    *,
    source_weights: dict[str, float],
    window_end: datetime,
    keyword_boost: dict[str, float],
    rel: float,
) -> float:
    """Rank score: distinct outlets dominate; weight, recency, boost and relevance refine."""
    outlets = len({a.source for a in articles})
    weight = max(source_weights.get(a.source, 1.0) for a in articles)
    newest = max(a.published for a in articles)
    age_hours = max((window_end - newest).total_seconds() / 3600, 0.0)
    recency = 0.5 ** (age_hours / 24)
    titles = " ".join(a.title for a in articles)
    boost = min(sum(w for kw, w in keyword_boost.items() if term_pattern(kw).search(titles)), 1.0)
    return round(float(3.0 * outlets + 0.5 * weight + recency + boost + 0.5 * rel), 4)


# ---- 4. sections -----------------------------------------------------------------------


def assign_section(articles: Sequence[Article], sections: Sequence[Section]) -> str:
    """Key of the section whose keywords score best (titles count 3x); else the catch-all."""
    if not sections:
        return "world"
    titles = " ".join(a.title for a in articles)
    body = " ".join(strip_boilerplate(a.text)[:LEAD_CHARS] for a in articles[:3])
    best, best_score = None, 0.0
    for section in sections:
        score = 0.0
        for kw in section.keywords:
            pattern = term_pattern(kw)
            score += 3.0 * len(pattern.findall(titles)) + 1.0 * min(len(pattern.findall(body)), 3)
        if score > best_score:
            best, best_score = section.key, score
    return best or _fallback_section(sections)


def _fallback_section(sections: Sequence[Section]) -> str:
    general = [s.key for s in sections if not s.keywords]
    return general[-1] if general else sections[-1].key


# ---- 5. no repeats across days ---------------------------------------------------------


def _similar(text: str, other: str) -> float:
    left, right = tfidf([text_terms(text), text_terms(other)], max_df=1.0)
    return float(sum(w * right.get(t, 0.0) for t, w in left.items()))


def match_covered(
    articles: Sequence[Article], published: Sequence[CoveredStory], window_end: datetime
) -> tuple[CoveredStory | None, bool]:
    """The earlier story this one repeats (if any), and whether it still is news (a follow-up).

    Within REPEAT_DAYS a report of the same event is a repeat unless it brings a new
    version or number; up to MEMORY_DAYS only a near-identical report (same text, or
    the same facts) is, and a report of the same event is a follow-up.
    """
    today = window_end.date()
    for past in sorted(published, key=lambda p: p.date, reverse=True):
        age = (today - past.date).days
        if age > MEMORY_DAYS:
            continue
        known = {a.url for a in articles} & set(past.urls)
        if known:
            fresh = [a for a in articles if a.url not in known]
            return past, bool(fresh) and _develops(fresh, past)
        if _near_identical(articles, past):
            return past, False
        if _same_event(articles, past):
            return past, age > REPEAT_DAYS or _develops(articles, past)
    return None, False


def _near_identical(articles: Sequence[Article], past: CoveredStory) -> bool:
    """Whether an article repeats a published story's source text, or only its facts."""
    sources = [s for s in past.sources if s.strip()]
    for art in articles:
        mine = f"{art.title}\n{strip_boilerplate(art.text)}"
        grams = shingles(mine)
        for src in sources:
            if text_hash(mine) == text_hash(src) or normalise(art.title) == normalise(
                src.split("\n", 1)[0]
            ):
                return True
            if len(grams) >= 8 and _containment(grams, shingles(src)) >= NEAR_DUP_CONTAINMENT:
                return True
    return _same_facts(articles, past)


def _facts(text: str) -> set[str]:
    return numbers(text) | {f"v:{v}" for v in versions(text)}


def _same_facts(articles: Sequence[Article], past: CoveredStory) -> bool:
    """A report of the same event whose figures and versions the story already carried."""
    known = _facts("\n".join([past.title, past.text, *past.sources]))
    for art in articles:
        mine = _facts(f"{art.title}\n{_first_sentence(art)}")
        if len(mine) >= 2 and mine <= known and _same_event([art], past):
            return True
    return False


def _same_event(articles: Sequence[Article], past: CoveredStory) -> bool:
    past_text = f"{past.title}\n{past.text}"
    past_anchors = {x for x in anchors(past_text) if x.startswith(("e:", "v:"))}
    for art in articles:
        mine = {x for x in anchors(lead(art, 300)) if x.startswith(("e:", "v:"))}
        if not mine & past_anchors:
            continue
        overlap = len(mine & past_anchors) / max(min(len(mine), len(past_anchors)), 1)
        if _similar(lead(art, 300), past_text) >= 0.3 or overlap >= 0.6:
            return True
    return False


def _develops(articles: Sequence[Article], past: CoveredStory) -> bool:
    """Whether the articles' headlines carry versions or amounts the published text lacks."""
    past_text = f"{past.title}\n{past.text}"
    old_versions, old_numbers = set(versions(past_text)), numbers(past_text)
    for art in articles:
        head = f"{art.title}\n{_first_sentence(art)}"
        if set(versions(art.title)) - old_versions or numbers(head) - old_numbers:
            return True
    return False


# ---- the stage -------------------------------------------------------------------------


def build_stories(
    articles: list[Article],
    digest: DigestSettings,
    *,
    source_weights: dict[str, float],
    window_end: datetime,
    published: Sequence[CoveredStory] = (),
    judged: Mapping[str, Judgement] | None = None,
    same_event: SameEvent | None = None,
) -> ClusterResult:
    """Deduplicate, filter, cluster, rank and section the window's articles.

    ``judged`` holds the LLM's relevance answers; None means no LLM (the rules decide).
    ``same_event`` asks the LLM about the pairs the features cannot decide (None: no one).
    """
    kept, dropped = find_duplicates(articles, source_weights)
    chosen = decide(kept, judged)
    dropped += chosen.dropped
    uncertain = set(chosen.uncertain)
    names = names_of(judged)
    verdicts: Mapping[tuple[str, str], bool] = {}
    asked = 0
    prepared = None
    if same_event is not None and len(chosen.kept) >= 2:
        prepared = prepare(chosen.kept, names)
        pairs, controls = undecided_pairs(chosen.kept, names, prepared=prepared)
        asked = len(pairs)
        verdicts = same_event(pairs, controls) if pairs and controls else {}
    checks = {"asked": asked, "same": sum(verdicts.values())}
    checks["different"] = len(verdicts) - checks["same"]
    checks["unanswered"] = asked - len(verdicts)  # failed or distrusted calls, or no control
    candidates: list[tuple[bool, Story]] = []
    for group in cluster_articles(chosen.kept, names, verdicts, prepared=prepared):
        members = order_articles(group, source_weights)
        past, develops = match_covered(members, published, window_end)
        if past is not None and not develops:
            dropped += [_drop(a, "already-covered", past.title) for a in members]
            continue
        story = Story(
            id=story_id(members),
            articles=members,
            section=assign_section(members, digest.sections),
            score=score_story(
                members,
                source_weights=source_weights,
                window_end=window_end,
                keyword_boost=digest.keyword_boost,
                rel=max(relevance(a) for a in members),
            ),
            follow_up_of=past.title if past is not None else None,
        )
        candidates.append((any(a.id not in uncertain for a in members), story))
    stories, cut = _place(candidates, digest)
    dropped += [_drop(a, "below-cutoff") for s in cut for a in s.articles]
    log.info(
        "cluster: %d articles → %d stories, %d dropped, %d uncertain",
        len(articles),
        len(stories),
        len(dropped),
        len(uncertain),
    )
    return ClusterResult(
        stories=stories,
        dropped=dropped,
        uncertain=sorted(uncertain),
        relevance=chosen.counts,
        pair_checks=checks if same_event is not None else {},
    )


def _place(
    candidates: list[tuple[bool, Story]], digest: DigestSettings
) -> tuple[list[Story], list[Story]]:
    """Top stories → "main" (only surely-AI ones), the next → "more", the rest cut."""
    ranked = sorted(candidates, key=lambda c: (-c[1].score, c[1].id))
    main = [s for sure, s in ranked if sure][: digest.main_stories]
    main_ids = {s.id for s in main}
    rest = [s for _, s in ranked if s.id not in main_ids]
    more = [s.model_copy(update={"placement": "more"}) for s in rest[: digest.more_items]]
    return main + more, rest[digest.more_items :]


def _drop(article: Article, reason: str, of: str | None = None) -> Dropped:
    return Dropped(url=article.url, reason=reason, of=of, title=article.title)
