"""Secrets never leave the process (issue 14, item 2): record failures, logs, the CLI."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import Settings
from pipeline.models import Failure
from pipeline.text.redact import install_log_redaction, redact_text, redact_url
from pipeline.write.daily import Writer
from tests.fake_openai import fake_openai
from tests.hostile.test_drafts import DAY, stories

SECRETS = ("sk-userinfo-0123456789", "sk-query-0123456789", "sk-env-key-0123456789", "hunter2")


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "http://user:sk-userinfo-0123456789@h.example/v1?api-key=sk-query-0123456789&x=1",
            "http://***@h.example/v1?api-key=***&x=1",
        ),
        ("https://h.example/feed?token=hunter2&page=2", "https://h.example/feed?token=***&page=2"),
        (
            "https://h.example/a?X-Amz-Signature=abc&keyword=AI",
            "https://h.example/a?X-Amz-Signature=***&keyword=AI",
        ),
        ("https://h.example/v1/sk-env-key-0123456789/x", "https://h.example/v1/sk-***/x"),
        ("https://h.example/cb#access_token=hunter2", "https://h.example/cb#access_token=***"),
    ],
)
def test_urls_are_shown_without_credentials(url: str, shown: str) -> None:
    """Userinfo, key-like parameters and bare keys are masked; everything else stays readable."""
    assert redact_url(url) == shown
    assert redact_text(f"cannot reach {url}: Bearer sk-env-key-0123456789") == (
        f"cannot reach {shown}: Bearer sk-***"
    )


def test_credentials_in_base_url_never_reach_failures_or_logs(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """An LLM endpoint with user:key@ and ?api-key= fails: the record and the logs show ***."""
    install_log_redaction()
    with fake_openai() as fake:
        fake.add_faults("quota")
        base = fake.base_url.replace("http://", "http://user:sk-userinfo-0123456789@")
        llm = fake.settings(
            base_url=base + "?api-key=sk-query-0123456789",
            api_key=SecretStr("sk-env-key-0123456789"),
        )
        with caplog.at_level(logging.DEBUG):
            written = asyncio.run(
                Writer(llm).write_digest(stories(), settings.digest.sections, date=DAY)
            )
    failures = "\n".join(f.model_dump_json() for f in written.failures)
    assert written.failures and "http://***@127.0.0.1" in failures
    assert leaked(failures) == [] and leaked(caplog.text) == []


def test_failure_records_mask_feed_credentials() -> None:
    """A feed URL carrying a key is stored in the record's failures without it."""
    failure = Failure(
        url="https://feeds.example/rss?apikey=hunter2",
        stage="feed",
        error="HTTP 401 from https://u:hunter2@feeds.example/rss\u202e",
    )
    assert leaked(failure.model_dump_json()) == [] and "\u202e" not in failure.error


def test_cli_error_line_masks_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`digest run` without a key names the endpoint on stderr, with its credentials masked."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(
        "OPENAI_BASE_URL", "https://user:hunter2@llm.example/v1?api-key=sk-query-0123456789"
    )
    result = CliRunner().invoke(app, ["run", "--date", "2026-02-07"])
    assert result.exit_code == 2
    assert "https://***@llm.example/v1?api-key=***" in result.output
    assert leaked(result.output) == []


def test_debug_traceback_masks_credentials(tmp_path: Path) -> None:
    """An uncaught exception (what --debug shows) prints its traceback with secrets masked."""
    script = tmp_path / "boom.py"
    script.write_text(
        "from pipeline.text.redact import install_log_redaction\n"
        "install_log_redaction()\n"
        "raise RuntimeError('cannot reach https://u:hunter2@llm.example/v1?api-key=sk-query-0123456789')\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert "RuntimeError: cannot reach https://***@llm.example/v1?api-key=***" in done.stderr
    assert leaked(done.stderr) == []
