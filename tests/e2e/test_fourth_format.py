"""A fourth format through Prefect: registered in the test only, run as ``digest run`` runs it.

``tests/formats/test_formats_registry.py`` runs the same format through the plain pipeline;
here it goes through the flow the runner picks for it (``flows.flow_of``), tasks and all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.flows import digest as flows
from pipeline.formats import Format
from pipeline.store.archive import Archive
from tests.formats.test_formats_registry import DAY, headlines  # noqa: F401 - the fixture
from tests.formats.test_periodic import OPUS, WAYMO

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_a_registered_format_runs_as_a_prefect_flow_of_its_own(
    tmp_path: Path,
    headlines: Format,  # noqa: F811 - the fixture
) -> None:
    config = tmp_path / "digest.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\nsources = []\n', encoding="utf-8")
    with Archive(tmp_path / "data" / "archive.sqlite3") as archive:
        for article in (OPUS, WAYMO):
            archive.put_article(article)
    run_flow = flows.flow_of("headlines")
    assert run_flow.name == "headlines-digest" and flows.flow_of("daily") is flows.daily_digest
    out = tmp_path / "output"
    summary = run_flow(
        date=DAY.isoformat(), config=str(config), output_dir=str(out), offline=True, no_llm=True
    )
    draft = out / "headlines" / f"{DAY}-headlines.md"
    assert summary["draft"] == str(draft) and summary["format"] == "headlines"
    assert f"[{OPUS.title}]({OPUS.url})" in draft.read_text(encoding="utf-8")
    with pytest.raises(KeyError, match="unknown format 'monthly'"):
        flows.flow_of("monthly")
