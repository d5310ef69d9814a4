"""The stories stage as it was before issue 12, loaded from git, scored on the same sets.

``python -m benchmarks.cluster_eval --real CORPUS_DIR --baseline REV`` prints the
baseline beside the current code in the same run: ``cluster.py``, ``textsim.py`` and
``aliases.py`` of REV (default ``eccb757``, the commit before the issue-12 work) are
read with ``git show`` into a temporary package and scored by the same functions.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from pipeline.models import Article, Dropped

REPO = Path(__file__).resolve().parent.parent
MODULES = ("aliases", "textsim", "cluster")
DEFAULT_REV = "eccb757"


def load_baseline(rev: str = DEFAULT_REV) -> ModuleType:
    """The old ``cluster`` module, its own textsim and aliases beside it."""
    root = Path(tempfile.mkdtemp(prefix="baseline-"))
    package = root / "baseline_stories"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in MODULES:
        source = subprocess.run(
            ["git", "show", f"{rev}:pipeline/{name}.py"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for other in MODULES:
            source = source.replace(f"pipeline.{other} import", f"baseline_stories.{other} import")
        # names the later layout (issue 16) changed; the old code's behaviour is unchanged
        source = source.replace("PublishedStory", "CoveredStory")
        (package / f"{name}.py").write_text(source, encoding="utf-8")
    sys.path.insert(0, str(root))
    return importlib.import_module("baseline_stories.cluster")


def baseline_clusterer(
    old: ModuleType,
) -> Callable[[list[Article], dict[str, float]], tuple[list[list[Article]], list[Dropped]]]:
    """Duplicates and clusters of the old code (AI items only, as the current scoring)."""

    def run(
        items: list[Article], weights: dict[str, float]
    ) -> tuple[list[list[Article]], list[Dropped]]:
        kept, dropped = old.find_duplicates(items, weights)
        return old.cluster_articles(kept), dropped

    return run


def baseline_off_topic(old: ModuleType, articles: list[Article]) -> set[str]:
    """Ids the old rules drop as off-topic (score below its 0.2 threshold)."""
    return {a.id for a in articles if old.relevance(a) < old.OFF_TOPIC_THRESHOLD}
