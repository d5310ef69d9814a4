"""Cluster stage: articles of the window → ranked, sectioned stories (plus what was dropped).

Stages, each a plain function: :func:`find_duplicates`, :func:`relevance`,
:func:`cluster_articles`, :func:`score_story`, :func:`assign_section`,
:func:`match_published`; :func:`build_stories` runs them in that order.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field

from pipeline.config import DigestSettings, Section
from pipeline.models import Article, Dropped, PublishedStory, Story
from pipeline.textsim import (
    AI_TERMS,
    OFF_TERMS,
    SENTENCE_RE,
    anchors,
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

LEAD_CHARS = 500
AI_THRESHOLD = 0.5  # relevance at or above: AI news
OFF_TOPIC_THRESHOLD = 0.2  # below: dropped as off-topic; in between: uncertain, kept
NEAR_DUP_CONTAINMENT = 0.8
SKETCH_SIZE = 32
MAX_GAP_HOURS = 96.0  # reports further apart are different events (or follow-ups)
POSTING_CAP = 60  # features shared by more articles are too common to propose pairs


class ClusterResult(BaseModel):
    """What the cluster stage hands on: stories to write and articles left out."""

    stories: list[Story] = Field(default_factory=list)  # ranked; "main" first, then "more"
    dropped: list[Dropped] = Field(default_factory=list)
    uncertain: list[str] = Field(default_factory=list)  # ids of kept, undecided articles


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


_AI_RES = [(term_pattern(t), w) for t, w in AI_TERMS.items()]
_OFF_RES = [(term_pattern(t), w) for t, w in OFF_TERMS.items()]


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


# ---- 2. relevance ----------------------------------------------------------------------


def relevance_score(article: Article) -> float:
    """Raw rule score: weighted AI terms minus off-topic terms; title hits count double."""
    title, body = article.title, strip_boilerplate(article.text)[:1500]
    score = 0.0
    for terms, sign in ((_AI_RES, 1.0), (_OFF_RES, -1.0)):
        for pattern, weight in terms:
            if pattern.search(title):
                score += sign * weight * 2
            elif pattern.search(body):
                score += sign * weight
    return score


def relevance(article: Article) -> float:
    """How surely the article is AI news, 0..1 (≥ AI_THRESHOLD: yes; < OFF_TOPIC_THRESHOLD: no)."""
    return 1.0 / (1.0 + math.exp(-(relevance_score(article) - 3.0) / 1.5))


# ---- 3. clustering ---------------------------------------------------------------------


@dataclass
class _Doc:
    """Per-article features used by the clustering."""

    article: Article
    anchors: set[str]
    heads: set[str]  # versions the headline is about
    vec: dict[str, float] = field(default_factory=dict)
    anchor_vec: dict[str, float] = field(default_factory=dict)
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


def headline_versions(article: Article) -> set[str]:
    """Release versions in the title; else the first one in the lead (benchmarks excluded)."""
    found = release_versions(article.title)
    if not found:
        found = release_versions(strip_boilerplate(article.text)[:200])[:1]
    return set(found)


def release_versions(text: str) -> list[str]:
    """Version tokens that name a release, not a benchmark (``ARC-AGI-2``, ``SWE-bench``)."""
    return [v for v in versions(text) if not BENCHMARK_RE.match(v)]


def _features(articles: Sequence[Article]) -> list[_Doc]:
    docs = []
    for art in articles:
        text = lead(art)
        docs.append(_Doc(art, anchors(text), headline_versions(art)))
    vecs = tfidf([text_terms(f"{d.article.title}\n{lead(d.article)}") for d in docs])
    anchor_vecs = tfidf([Counter(d.anchors) for d in docs], max_df=0.3)
    df: Counter[str] = Counter(x for d in docs for x in d.anchors)
    limit = max(10, int(0.05 * len(docs)))
    for doc, vec, avec in zip(docs, vecs, anchor_vecs, strict=True):
        doc.vec, doc.anchor_vec = vec, avec
        doc.rare = {x for x in doc.anchors if df[x] <= limit}
    return docs


def evidence(a: _Doc, b: _Doc) -> float:
    """Weighted count of the rare anchors two articles share."""
    return sum(ANCHOR_WEIGHT[x.split(":", 1)[0]] for x in a.rare & b.rare)


def _dot_products(vectors: list[dict[str, float]]) -> dict[tuple[int, int], float]:
    """Cosines of all pairs sharing a not-too-common feature, via an inverted index."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for term, weight in vec.items():
            postings[term].append((i, weight))
    sums: dict[tuple[int, int], float] = defaultdict(float)
    for plist in postings.values():
        if len(plist) < 2 or len(plist) > POSTING_CAP:
            continue
        for x, (i, wi) in enumerate(plist):
            for j, wj in plist[x + 1 :]:
                sums[(i, j)] += wi * wj
    return sums


@functools.lru_cache(maxsize=8192)
def title_versions(title: str) -> frozenset[str]:
    """The version tokens of a headline, once per headline: every candidate pair asks."""
    return frozenset(versions(title))


def link_strength(a: _Doc, b: _Doc, text_cos: float, anchor_cos: float) -> float:
    """How strongly two articles report one event (0: not linked)."""
    gap = abs((a.article.published - b.article.published).total_seconds()) / 3600
    if gap > MAX_GAP_HOURS:
        return 0.0
    shared = evidence(a, b)
    titles = title_versions(a.article.title), title_versions(b.article.title)
    if any(same_version(x, y) for x in titles[0] for y in titles[1]):
        return 1.0 + text_cos + anchor_cos  # headlines name the same release
    if a.article.lang == b.article.lang:
        linked = (
            text_cos >= 0.25
            or (shared >= 2.0 and anchor_cos >= 0.2)
            or (shared >= 1.0 and anchor_cos >= 0.2 and text_cos >= 0.12)
        )
    else:
        linked = shared >= 2.0 and anchor_cos >= 0.3
    return text_cos + anchor_cos if linked else 0.0


def cluster_articles(articles: Sequence[Article]) -> list[list[Article]]:
    """Group articles reporting the same event, across outlets and languages."""
    docs = _features(articles)
    text_cos = _dot_products([d.vec for d in docs])
    anchor_cos = _dot_products([d.anchor_vec for d in docs])
    edges = []
    for pair in set(text_cos) | set(anchor_cos):
        i, j = pair
        strength = link_strength(
            docs[i], docs[j], text_cos.get(pair, 0.0), anchor_cos.get(pair, 0.0)
        )
        if strength > 0:
            edges.append((strength, i, j))
    parent = list(range(len(docs)))
    heads = [set(d.heads) for d in docs]

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in sorted(edges, reverse=True):
        ri, rj = find(i), find(j)
        if ri == rj or versions_conflict(heads[ri], heads[rj]):
            continue  # a version conflict vetoes the merge of the two groups
        parent[rj] = ri
        heads[ri] |= heads[rj]
    groups: dict[int, list[Article]] = defaultdict(list)
    for i, doc in enumerate(docs):
        groups[find(i)].append(doc.article)
    return list(groups.values())


# ---- 4. ranking ------------------------------------------------------------------------


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


# ---- 5. sections -----------------------------------------------------------------------


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


# ---- 6. no repeats across days ---------------------------------------------------------


def _similar(text: str, other: str) -> float:
    left, right = tfidf([text_terms(text), text_terms(other)], max_df=1.0)
    return float(sum(w * right.get(t, 0.0) for t, w in left.items()))


def match_published(
    articles: Sequence[Article], published: Sequence[PublishedStory]
) -> tuple[PublishedStory | None, bool]:
    """The earlier story this one repeats (if any), and whether it brings a development."""
    urls = {a.url for a in articles}
    for past in published:
        known = urls & set(past.urls)
        if known:
            fresh = [a for a in articles if a.url not in known]
            return past, bool(fresh) and _develops(fresh, past)
        if _same_event(articles, past):
            return past, _develops(articles, past)
    return None, False


def _same_event(articles: Sequence[Article], past: PublishedStory) -> bool:
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


def _develops(articles: Sequence[Article], past: PublishedStory) -> bool:
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
    published: Sequence[PublishedStory] = (),
) -> ClusterResult:
    """Deduplicate, filter, cluster, rank and section the window's articles."""
    kept, dropped = find_duplicates(articles, source_weights)
    rel = {a.id: relevance(a) for a in kept}
    on_topic = [a for a in kept if rel[a.id] >= OFF_TOPIC_THRESHOLD]
    dropped += [_drop(a, "off-topic") for a in kept if rel[a.id] < OFF_TOPIC_THRESHOLD]
    uncertain = [a.id for a in on_topic if rel[a.id] < AI_THRESHOLD]
    candidates: list[tuple[float, Story]] = []
    for group in cluster_articles(on_topic):
        members = order_articles(group, source_weights)
        past, develops = match_published(members, published)
        if past is not None and not develops:
            dropped += [_drop(a, "already-covered", past.title) for a in members]
            continue
        best = max(rel[a.id] for a in members)
        story = Story(
            id=story_id(members),
            articles=members,
            section=assign_section(members, digest.sections),
            score=score_story(
                members,
                source_weights=source_weights,
                window_end=window_end,
                keyword_boost=digest.keyword_boost,
                rel=best,
            ),
            follow_up_of=past.title if past is not None else None,
        )
        candidates.append((best, story))
    stories, cut = _place(candidates, digest)
    dropped += [_drop(a, "below-cutoff") for s in cut for a in s.articles]
    log.info(
        "cluster: %d articles → %d stories, %d dropped, %d uncertain",
        len(articles),
        len(stories),
        len(dropped),
        len(uncertain),
    )
    return ClusterResult(stories=stories, dropped=dropped, uncertain=uncertain)


def _place(
    candidates: list[tuple[float, Story]], digest: DigestSettings
) -> tuple[list[Story], list[Story]]:
    """Top stories → "main" (only surely-AI ones), the next → "more", the rest cut."""
    ranked = sorted(candidates, key=lambda c: (-c[1].score, c[1].id))
    main = [s for rel, s in ranked if rel >= AI_THRESHOLD][: digest.main_stories]
    main_ids = {s.id for s in main}
    rest = [s for _, s in ranked if s.id not in main_ids]
    more = [s.model_copy(update={"placement": "more"}) for s in rest[: digest.more_items]]
    return main + more, rest[digest.more_items :]


def _drop(article: Article, reason: str, of: str | None = None) -> Dropped:
    return Dropped(url=article.url, reason=reason, of=of, title=article.title)
