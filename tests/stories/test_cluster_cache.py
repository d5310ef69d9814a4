"""Stored cluster results: the same input gives the same result back, any change a new key."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from benchmarks.cluster_eval import load as load_eval_set
from benchmarks.cluster_eval import settings as eval_settings
from pipeline.models import Article, ClusterResult, CoveredStory
from pipeline.stories import cluster
from pipeline.stories.cache import cluster_key, load, save, without_duplicates
from pipeline.stories.cluster import build_stories, find_duplicates
from tests.caches import DictCache


def window() -> tuple[list[Article], ClusterResult, dict[str, Any]]:
    """The first 60 articles of the labelled set, clustered with the shipped settings."""
    articles = load_eval_set()[0][:60]
    digest, weights = eval_settings()
    end = max(a.published for a in articles) + timedelta(hours=1)
    result = build_stories(articles, digest, source_weights=weights, window_end=end)
    inputs = {"digest": digest.model_dump(mode="json"), "weights": weights, "end": str(end)}
    return articles, result, inputs


def test_a_stored_result_comes_back_equal_on_the_same_articles() -> None:
    articles, result, inputs = window()
    cache, key = DictCache(), cluster_key(articles, inputs, [])
    save(cache, key, result)
    assert load(cache, key, articles) == result
    assert len(cache.data[key]) < sum(len(a.text) for a in articles)  # ids, not the text


def test_any_change_of_the_input_is_a_new_key() -> None:
    articles, _, inputs = window()
    key = cluster_key(articles, inputs, [])
    edited = [articles[0].model_copy(update={"text": articles[0].text + "（更新）"}), *articles[1:]]
    published = [CoveredStory(date=date(2026, 2, 1), format="daily", title="旧闻", text="旧闻")]
    assert cluster_key(list(articles), dict(inputs), []) == key
    assert cluster_key(edited, inputs, []) != key
    assert cluster_key(articles[1:], inputs, []) != key
    assert cluster_key(articles, {**inputs, "weights": {}}, []) != key
    assert cluster_key(articles, inputs, published) != key


def test_a_missing_or_damaged_entry_means_clustering_again() -> None:
    articles, result, inputs = window()
    cache, key = DictCache(), cluster_key(articles, inputs, [])
    assert load(cache, key, articles) is None
    save(cache, key, result)
    gone = result.stories[0].articles[0].id  # an article of a story is no longer there
    assert load(cache, key, [a for a in articles if a.id != gone]) is None
    cache.data[key] = '{"stories": [{"id": 1'
    assert load(cache, key, articles) is None


def test_duplicates_are_found_once_per_window_then_read_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The judge's input on a rerun: the stored kept list, equal to a fresh pass."""
    articles, _, inputs = window()
    copy = articles[0].model_copy(update={"id": "copy0000", "url": "https://x.example/copy"})
    articles = [*articles, copy]
    fresh = find_duplicates(articles, inputs["weights"])[0]
    assert copy not in fresh  # the planted copy is a duplicate
    cache = DictCache()
    assert without_duplicates(cache, articles, inputs["weights"]) == fresh
    monkeypatch.setattr(cluster, "find_duplicates", lambda *_: pytest.fail("not reused"))
    assert without_duplicates(cache, articles, inputs["weights"]) == fresh
    (key,) = cache.data
    cache.data[key] = "[damaged"
    monkeypatch.undo()
    assert without_duplicates(cache, articles, inputs["weights"]) == fresh
