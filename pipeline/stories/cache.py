"""Stored cluster results: a window whose input has not changed is not clustered again.

Clustering is a pure function of the window's articles, the digest settings, the source
weights, the window's end, the stories already published and the clustering code. The
key covers all of them (the code by the bytes of its modules), so a changed article, a
new setting or an upgrade clusters afresh. The result is stored compactly, stories as
article ids, in the run's cache (a rerun of an unchanged date then skips clustering,
which takes about half a 2,000-article rerun: ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Protocol

from pipeline.models import Article, ClusterResult, CoveredStory, Story
from pipeline.stories import aliases, cluster, relevance, textsim

logger = logging.getLogger(__name__)

KEY_PREFIX = "clusters:"
DUPLICATES_PREFIX = "duplicates:"
CODE = (cluster, relevance, textsim, aliases)  # the modules whose code decides the result


class Cache(Protocol):
    """The key-value store the result goes into (the archive's cache table)."""

    def cache_get(self, key: str) -> str | None: ...
    def cache_put(self, key: str, value: str) -> None: ...


def code_version() -> str:
    """A digest of the clustering code: an upgrade or a local change invalidates results."""
    digest = hashlib.sha256()
    for module in CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def cluster_key(
    articles: list[Article], settings: dict[str, Any], published: list[CoveredStory]
) -> str:
    """The key of one clustering input: articles (in order, whole), settings, history, code."""
    digest = hashlib.sha256(code_version().encode())
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for story in published:
        digest.update(story.model_dump_json().encode())
    for article in articles:
        digest.update(article.model_dump_json().encode())
    return KEY_PREFIX + digest.hexdigest()


def without_duplicates(
    cache: Cache, articles: list[Article], weights: dict[str, float]
) -> list[Article]:
    """``cluster.find_duplicates(articles, weights)[0]``, stored like a cluster result.

    The relevance judge is asked only about the kept articles; a rerun of an unchanged
    window then skips this pass (seconds at 2,000 articles) as it skips clustering.
    """
    key = DUPLICATES_PREFIX + cluster_key(articles, {"weights": weights}, [])
    raw = cache.cache_get(key)
    if raw is not None:
        by_id = {article.id: article for article in articles}
        try:
            return [by_id[i] for i in json.loads(raw)]  # in find_duplicates' order
        except (ValueError, TypeError, KeyError) as exc:
            logger.warning("stored duplicates unusable (%s); finding them again", exc)
    kept = cluster.find_duplicates(articles, weights)[0]
    cache.cache_put(key, json.dumps([article.id for article in kept]))
    return kept


def save(cache: Cache, key: str, result: ClusterResult) -> None:
    """Store a result with its stories as article ids."""
    stories = [
        {**story.model_dump(mode="json", exclude={"articles"}), "articles": story_ids(story)}
        for story in result.stories
    ]
    data = {**result.model_dump(mode="json", exclude={"stories", "llm"}), "stories": stories}
    cache.cache_put(key, json.dumps(data, ensure_ascii=False))


def story_ids(story: Story) -> list[str]:
    """The ids of a story's articles, primary first."""
    return [article.id for article in story.articles]


def load(cache: Cache, key: str, articles: list[Article]) -> ClusterResult | None:
    """The stored result for key, rebuilt on these articles; None if absent or unusable."""
    raw = cache.cache_get(key)
    if raw is None:
        return None
    by_id = {article.id: article for article in articles}
    try:
        data = json.loads(raw)
        for story in data["stories"]:
            story["articles"] = [by_id[i] for i in story["articles"]]
        return ClusterResult.model_validate(data)
    except (ValueError, KeyError, TypeError) as exc:  # a damaged entry: cluster afresh
        logger.warning("stored cluster result unusable (%s); clustering again", exc)
        return None
