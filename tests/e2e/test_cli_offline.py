"""digest run --offline through the real flow: a rerun answered from the LLM cache needs no key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli.app import app
from tests.cli.test_cli import runner
from tests.day import DAY, serve_day, write_config
from tests.fake_openai import MODEL, fake_openai
from tests.servers import TestServer


@pytest.mark.usefixtures("prefect_harness")
def test_offline_rerun_answered_from_the_cache_needs_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: TestServer
) -> None:
    """--offline without OPENAI_API_KEY rebuilds the same draft when every answer is cached."""
    serve_day(server)
    config = write_config(tmp_path, server)
    args = ["run", "--date", DAY, "--config", str(config), "--output-dir", str(tmp_path / "out")]
    with fake_openai() as fake:
        port = fake.base_url.rsplit(":", 1)[1].split("/")[0]
        monkeypatch.setenv("OPENAI_BASE_URL", f"http://[::ffff:127.0.0.1]:{port}/v1")  # keyed
        monkeypatch.setenv("DIGEST_MODEL", MODEL)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        first = runner.invoke(app, args)
        assert first.exit_code == 1, first.output  # a draft; the dead feed failed
        draft = tmp_path / "out" / "daily" / f"{DAY}.md"
        written, calls = draft.read_text(encoding="utf-8"), len(fake.calls)
        monkeypatch.delenv("OPENAI_API_KEY")
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2 and "--no-llm" in refused.output
        again = runner.invoke(app, [*args, "--offline"])
        assert again.exit_code == 0, again.output  # offline: no feed was fetched, none failed
        assert len(fake.calls) == calls and draft.read_text(encoding="utf-8") == written
        (tmp_path / "data" / "llm-cache.sqlite3").unlink()  # now an answer must be asked for
        uncached = runner.invoke(app, [*args, "--offline"])
        assert uncached.exit_code == 2 and "Error: no API key" in uncached.output
        assert "--no-llm" in uncached.output and len(fake.calls) == calls
        assert draft.read_text(encoding="utf-8") == written  # the good draft is kept
