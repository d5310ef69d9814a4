"""Cluster stage: articles of the window → ranked, sectioned stories (plus what was dropped).

Stages, each a plain function: :func:`find_duplicates`, :func:`relevance`,
:func:`cluster_articles`, :func:`score_story`, :func:`assign_section`,
:func:`match_published`; :func:`build_stories` runs them in that order.
"""

from __future__ import annotations

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
    anchors,
    numbers,
    shingles,
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

# Lines and sentences a repost adds around the original text
BOILERPLATE_RE = re.compile(
    r"(本文转载自|本文转自|转载自|文章来源|本文来源|来源[:：]|责任编辑|编辑[:：]|原标题[:：]|"
    r"本文来自|点击关注|欢迎关注|免责声明|Originally published|This article (?:was|first) "
    r"(?:originally )?(?:published|appeared)|Editor['’]s note|Source:|Reprinted)",
    re.IGNORECASE,
)
SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?|\n")

# Weighted relevance terms: matched case-insensitively, Latin ones on word boundaries
AI_TERMS: dict[str, float] = {
    "人工智能": 3, "大模型": 3, "大语言模型": 3, "生成式": 2.5, "智能体": 2.5, "具身智能": 3,
    "人形机器人": 3, "机器人": 1.5, "机器学习": 3, "深度学习": 3, "神经网络": 2.5, "算力": 2.5,
    "AI": 2, "AIGC": 3, "AGI": 3, "LLM": 3, "GPU": 2.5, "TPU": 2.5, "OpenAI": 3, "Anthropic": 3,
    "ChatGPT": 3, "Claude": 3, "Gemini": 3, "DeepSeek": 3, "深度求索": 3, "英伟达": 2.5,
    "Nvidia": 2.5, "智谱": 3, "月之暗面": 3, "Kimi": 3, "千问": 3, "Qwen": 3, "豆包": 3,
    "文心": 2, "元宝": 1.5, "MiniMax": 3, "Copilot": 2.5, "Codex": 2.5, "GPT": 3, "Grok": 2.5,
    "xAI": 2.5, "Llama": 2, "Hugging Face": 3, "Cerebras": 2.5, "自动驾驶": 2, "Robotaxi": 2.5,
    "Waymo": 2, "模型": 1.5, "model": 1, "models": 1, "训练": 1, "推理": 1, "inference": 1.5,
    "token": 1.5, "tokens": 1.5, "开源": 0.5, "open-source": 0.5, "算法": 1, "芯片": 1,
    "数据中心": 1.5, "data center": 1.5, "datacenter": 1.5, "chip": 1, "chips": 1,
    "artificial intelligence": 3, "machine learning": 3, "neural": 2, "chatbot": 2.5,
    "chatbots": 2.5, "agent": 1.5, "agents": 1.5, "agentic": 2.5, "Agent": 1.5, "humanoid": 2.5,
    "robotics": 2, "robot": 1.5, "autonomous": 1, "generative": 2, "deep learning": 3,
    "多模态": 2.5, "multimodal": 2.5, "预训练": 2.5, "参数": 1, "parameters": 1,
    "benchmark": 1, "基准": 1, "compute": 1.5, "自动化": 1, "automation": 1,
}
OFF_TERMS: dict[str, float] = {
    "油价": 3, "原油": 3, "布伦特": 3, "OPEC": 3, "crude": 3, "oil prices": 3, "oil price": 3,
    "金价": 2, "黄金": 1.5, "gold prices": 2, "足球": 3, "联赛": 2.5, "进球": 3, "球队": 2,
    "球员": 2, "比分": 2, "football": 2.5, "soccer": 3, "league": 1.5, "goals": 1.5,
    "striker": 3, "NBA": 3, "quarterback": 3, "Super Bowl": 3, "奥运": 2, "冬奥": 2.5,
    "Olympics": 2.5, "medal": 1.5, "票房": 1.5, "box office": 1.5, "房价": 2.5, "楼市": 2.5,
    "mortgage": 2, "降雪": 2.5, "寒潮": 2.5, "天气": 1.5, "weather": 1.5, "春运": 1.5,
    "续航": 1, "手感": 1.5, "battery life": 1, "recipe": 3, "菜谱": 3, "航班": 1.5,
    "flights": 1.5, "比特币": 2, "Bitcoin": 2, "利率": 1.5, "interest rates": 1.5,
    "降息": 2, "汇率": 1.5, "菜价": 2, "猪肉": 2, "电视剧": 1, "演唱会": 2, "concert": 2,
}


class ClusterResult(BaseModel):
    """What the cluster stage hands on: stories to write and articles left out."""

    stories: list[Story] = Field(default_factory=list)  # ranked; "main" first, then "more"
    dropped: list[Dropped] = Field(default_factory=list)
    uncertain: list[str] = Field(default_factory=list)  # ids of kept, undecided articles


# ---- helpers ---------------------------------------------------------------------------


def strip_boilerplate(text: str) -> str:
    """The text without repost notices, source lines and editor lines."""
    parts = (s for s in SENTENCE_RE.findall(text) if not BOILERPLATE_RE.search(s))
    return "".join(parts).strip()


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


def _term_re(term: str) -> re.Pattern[str]:
    if term.isascii():
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", re.IGNORECASE)
    return re.compile(re.escape(term))


_AI_RES = [(_term_re(t), w) for t, w in AI_TERMS.items()]
_OFF_RES = [(_term_re(t), w) for t, w in OFF_TERMS.items()]


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
            dropped.append(Dropped(url=art.url, reason="duplicate", of=original.url,
                                   title=art.title))
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


def headline_versions(article: Article) -> set[str]:
    """Versions in the title; else the first one in the lead."""
    found = versions(article.title)
    if not found:
        found = versions(strip_boilerplate(article.text)[:200])[:1]
    return set(found)


def _features(articles: Sequence[Article]) -> list[_Doc]:
    docs = []
    for art in articles:
        text = lead(art)
        docs.append(_Doc(art, anchors(text), headline_versions(art)))
    vecs = tfidf([text_terms(f"{d.article.title}\n{lead(d.article)}") for d in docs])
    anchor_vecs = tfidf([Counter(d.anchors) for d in docs], max_df=0.3)
    for doc, vec, avec in zip(docs, vecs, anchor_vecs, strict=True):
        doc.vec, doc.anchor_vec = vec, avec
    return docs


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


def link_strength(a: _Doc, b: _Doc, text_cos: float, anchor_cos: float) -> float:
    """How strongly two articles report one event (0: not linked)."""
    gap = abs((a.article.published - b.article.published).total_seconds()) / 3600
    if gap > MAX_GAP_HOURS:
        return 0.0
    if a.article.lang == b.article.lang:
        if text_cos >= 0.42 or (text_cos >= 0.22 and anchor_cos >= 0.4):
            return text_cos + anchor_cos
        return 0.0
    shared = a.anchors & b.anchors
    specific = [s for s in shared if not s.startswith("e:")]
    if anchor_cos >= 0.3 and len(shared) >= 2 and specific:
        return anchor_cos
    return 0.0


def cluster_articles(articles: Sequence[Article]) -> list[list[Article]]:
    """Group articles reporting the same event, across outlets and languages."""
    docs = _features(articles)
    text_cos = _dot_products([d.vec for d in docs])
    anchor_cos = _dot_products([d.anchor_vec for d in docs])
    edges = []
    for pair in set(text_cos) | set(anchor_cos):
        i, j = pair
        strength = link_strength(docs[i], docs[j], text_cos.get(pair, 0.0),
                                 anchor_cos.get(pair, 0.0))
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
    boost = min(sum(w for kw, w in keyword_boost.items() if _term_re(kw).search(titles)), 1.0)
    return round(3.0 * outlets + 0.5 * weight + recency + boost + 0.5 * rel, 4)


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
            pattern = _term_re(kw)
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
    return sum(w * right.get(t, 0.0) for t, w in left.items())


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
            score=score_story(members, source_weights=source_weights, window_end=window_end,
                              keyword_boost=digest.keyword_boost, rel=best),
            follow_up_of=past.title if past is not None else None,
        )
        candidates.append((best, story))
    stories, cut = _place(candidates, digest)
    dropped += [_drop(a, "below-cutoff") for s in cut for a in s.articles]
    log.info("cluster: %d articles → %d stories, %d dropped, %d uncertain",
             len(articles), len(stories), len(dropped), len(uncertain))
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
