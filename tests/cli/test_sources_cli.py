"""``digest sources``: list, check (exit codes for cron), OPML import/export, one-line errors."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from pipeline.cli.sources import sources_app
from pipeline.config import load_settings
from pipeline.store.archive import Archive, SourceRun
from tests.conftest import FIXTURES
from tests.terminal import run_in_pty, run_piped, screen_lines

runner = CliRunner()
NOW = datetime.now(UTC)

CONFIG = """# my digest settings: keep this comment
data_dir = "data"

[[sources]]
name = "Healthy"
url = "https://healthy.example.com/feed"
lang = "en"

[[sources]]
name = "Failing"
url = "https://failing.example.com/feed"
lang = "en"

[[sources]]
name = "Stale"
url = "https://stale.example.com/feed"
lang = "zh"
weight = 0.8

[[sources]]
name = "Newcomer"
url = "https://new.example.com/feed"
lang = "zh"
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, with a wide terminal so table cells are not cut."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    return tmp_path


def invoke(*args: str) -> Result:
    return runner.invoke(sources_app, list(args))


def run(source: str, days_ago: float, *, new: int = 0, error: str | None = None) -> SourceRun:
    return SourceRun(
        source=source,
        url=f"https://{source.lower()}.example.com/feed",
        run_at=NOW - timedelta(days=days_ago),
        items_seen=10 if error is None else 0,
        new_articles=new,
        error=error,
        status=500 if error else 200,
    )


def seed_health(data_dir: Path) -> None:
    """Healthy (new today), Failing (twice in a row), Stale (200 but nothing new for 5 days)."""
    runs = [
        run("Healthy", 5, new=3),
        run("Healthy", 0.1, new=2),
        run("Failing", 3, new=1),
        run("Failing", 2, error="HTTP 500 Internal Server Error"),
        run("Failing", 1, error="timed out after 45 s after 3 attempts"),
        run("Stale", 6, new=4),
        run("Stale", 5),
        run("Stale", 1),
        run("Stale", 0.1),
    ]
    with Archive(data_dir / "archive.sqlite3") as archive:
        for item in runs:
            archive.record_source_run(item)


def lines(result: Result) -> list[str]:
    return [line.strip() for line in result.output.splitlines() if line.strip()]


# --- list ------------------------------------------------------------------------------


def test_list_shows_configured_sources(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    result = invoke("list")
    assert result.exit_code == 0, result.output
    assert "4 sources" in result.output
    assert "Stale" in result.output and "0.8" in result.output
    assert "https://failing.example.com/feed" in result.output
    assert "built-in" not in result.output


def test_list_without_config_shows_the_builtin_list(workdir: Path) -> None:
    result = invoke("list")
    assert result.exit_code == 0, result.output
    assert "IT之家" in result.output and "(the built-in list" in result.output


SECRET_CONFIG = """
[[sources]]
name = "Private"
url = "https://u:hunter2@paid.example.com/feed?token=s3cr3tT0ken&lang=zh"
lang = "zh"
"""


def test_list_check_and_json_mask_a_private_feeds_credentials(workdir: Path) -> None:
    """A feed URL's password and token are not printed; the host and harmless query stay."""
    (workdir / "digest.toml").write_text(SECRET_CONFIG, encoding="utf-8")
    outputs = [invoke("list").output, invoke("check").output, invoke("check", "--json").output]
    for output in outputs:
        assert "hunter2" not in output and "s3cr3tT0ken" not in output, output
        assert "paid.example.com" in output
    assert "lang=zh" in outputs[0]
    # export is the user's own copy for another reader: it keeps the working URL
    assert "s3cr3tT0ken" in invoke("export").output


# --- check -----------------------------------------------------------------------------


def test_check_flags_failing_stale_and_never_run_and_exits_1(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    seed_health(workdir / "data")
    result = invoke("check")
    assert result.exit_code == 1, result.output
    out = lines(result)
    assert any(
        line.startswith("FAILING Failing (https://failing.example.com/feed): timed out")
        and "[2 runs]" in line
        for line in out
    )
    assert any(line.startswith("STALE Stale") and "nothing new for 3+ days" in line for line in out)
    assert not any(line.startswith(("FAILING Healthy", "STALE Healthy")) for line in out)
    assert out[-1] == "1 failing, 1 stale, 1 never run"
    row = next(line for line in out if line.startswith("ok Healthy"))
    assert "10/2 items/new" in row


def test_check_piped_prints_one_plain_line_per_feed(workdir: Path) -> None:
    """Under cron (stdout a pipe) every feed is one line, whatever the width; no table."""
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    seed_health(workdir / "data")
    done = run_piped(["sources", "check"], workdir, {"COLUMNS": "60"})
    assert done.code == 1, done.stderr
    out = done.stdout.splitlines()
    assert len(out) == 4 + 1  # one line per feed, then the counts
    assert [line.split(" ", 1)[0] for line in out[:4]] == ["ok", "FAILING", "STALE", "NEVER"]
    assert out[1].startswith("FAILING Failing (https://failing.example.com/feed): timed out")
    assert not any(ch in done.stdout for ch in "│┃━─\x1b")
    assert out[-1] == "1 failing, 1 stale, 1 never run"


def test_check_on_a_terminal_shows_the_table(workdir: Path) -> None:
    """On a terminal the health is a table, with the failing and stale feeds spelled out below."""
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    seed_health(workdir / "data")
    done = run_in_pty(["sources", "check"], workdir, columns=200)
    assert done.code == 1, done.stdout
    shown = screen_lines(done.stdout)
    assert any(line.startswith("┃ source") for line in shown)
    assert any(line.startswith("│ Healthy") and "10/2" in line for line in shown)
    assert any(line.startswith("FAILING Failing") for line in shown)


def test_check_json_is_utf8_and_complete(workdir: Path) -> None:
    """--json gives every feed's status and health as JSON, Chinese unescaped, same exit code."""
    (workdir / "digest.toml").write_text(CONFIG.replace('"Stale"', '"量子位"'), encoding="utf-8")
    seed_health(workdir / "data")
    result = invoke("check", "--json")
    assert result.exit_code == 1  # Failing fails; 量子位 has no history under that name
    assert "量子位" in result.output and "\\u" not in result.output
    document = json.loads(result.output)
    assert document["counts"] == {"failing": 1, "stale": 0, "never_run": 2}
    rows = {row["name"]: row for row in document["sources"]}
    assert rows["Failing"]["status"] == "FAILING" and rows["Failing"]["consecutive_failures"] == 2
    assert rows["Healthy"]["items_seen"] == 10 and rows["Healthy"]["last_success"]
    assert rows["量子位"] == {
        "name": "量子位",
        "url": "https://stale.example.com/feed",
        "lang": "zh",
        "status": "NEVER RUN",
    }


def test_check_stale_days_option(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    seed_health(workdir / "data")
    result = invoke("check", "--stale-days", "7")
    assert lines(result)[-1] == "1 failing, 0 stale, 1 never run"


def test_check_exits_0_when_all_healthy(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(
        CONFIG.split('[[sources]]\nname = "Failing"')[0], encoding="utf-8"
    )
    seed_health(workdir / "data")
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert lines(result)[-1] == "0 failing, 0 stale, 0 never run"


def test_check_without_archive_reports_never_run(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert lines(result)[-1] == "0 failing, 0 stale, 4 never run"
    assert not (workdir / "data").exists()  # checking creates nothing


def test_check_recovered_source_is_ok(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    seed_health(workdir / "data")
    with Archive(workdir / "data" / "archive.sqlite3") as archive:
        archive.record_source_run(run("Failing", 0.05, new=1))
    assert lines(invoke("check"))[-1] == "0 failing, 1 stale, 1 never run"


# --- import / export -------------------------------------------------------------------


def test_import_appends_blocks_and_keeps_comments(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    opml = FIXTURES / "feeds" / "opml_nested.opml"
    result = invoke("import", str(opml))
    assert result.exit_code == 0, result.output
    text = (workdir / "digest.toml").read_text(encoding="utf-8")
    assert text.startswith(CONFIG) and "# imported from opml_nested.opml" in text
    sources = tomllib.loads(text)["sources"]
    added = {s["name"]: s for s in sources[4:]}
    assert set(added) == {"量子位", "机器之心", "Example AI News"}
    assert added["量子位"]["lang"] == "zh" and added["机器之心"]["lang"] == "zh"  # by CJK title
    assert added["Example AI News"] == {
        "name": "Example AI News",
        "url": "https://news.example.com/feed.atom",
        "lang": "en",
        "weight": 1.5,
    }
    assert "3 added, 0 skipped" in result.output


def test_import_skips_urls_already_configured_canonically(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(
        '[[sources]]\nname = "QbitAI"\nurl = "https://WWW.qbitai.com/feed?utm_source=rss"\n',
        encoding="utf-8",
    )
    result = invoke("import", str(FIXTURES / "feeds" / "opml_nested.opml"))
    assert result.exit_code == 0, result.output
    assert "skipped 量子位: already configured" in result.output
    assert "2 added, 1 skipped" in result.output
    again = invoke("import", str(FIXTURES / "feeds" / "opml_nested.opml"))
    assert "0 added, 3 skipped" in again.output


def test_import_creates_config_and_says_builtin_list_no_longer_applies(workdir: Path) -> None:
    result = invoke("import", str(FIXTURES / "feeds" / "opml_nested.opml"))
    assert result.exit_code == 0, result.output
    assert "built-in list no longer applies" in " ".join(result.output.split())
    settings = load_settings(workdir / "digest.toml", env={})
    assert [s.name for s in settings.sources] == ["量子位", "机器之心", "Example AI News"]


def test_import_keep_defaults_writes_the_builtin_list_first(workdir: Path) -> None:
    result = invoke("import", str(FIXTURES / "feeds" / "opml_nested.opml"), "--keep-defaults")
    assert result.exit_code == 0, result.output
    names = [s.name for s in load_settings(workdir / "digest.toml", env={}).sources]
    assert names[0] == "IT之家" and "Example AI News" in names
    assert names.count("量子位") == 1  # in the built-in list and the OPML: once


def test_opml_round_trip(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    result = invoke("export", "-o", "feeds.opml")
    assert result.exit_code == 0, result.output
    other = workdir / "other"
    other.mkdir()
    imported = invoke("import", str(workdir / "feeds.opml"), "--config", str(other / "digest.toml"))
    assert imported.exit_code == 0, imported.output
    before = load_settings(workdir / "digest.toml", env={}).sources
    after = load_settings(other / "digest.toml", env={}).sources
    assert after == before


def test_export_to_stdout(workdir: Path) -> None:
    (workdir / "digest.toml").write_text(CONFIG, encoding="utf-8")
    result = invoke("export")
    assert result.exit_code == 0
    assert result.output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert 'xmlUrl="https://stale.example.com/feed"' in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<opml><body><outline text='x'", "not an OPML file"),
        (None, "cannot read"),
    ],
)
def test_import_errors_are_one_line(workdir: Path, content: bytes | None, message: str) -> None:
    opml = workdir / "feeds.opml"
    if content is not None:
        opml.write_bytes(content)
    result = invoke("import", str(opml))
    assert result.exit_code == 2
    out = lines(result)
    assert len(out) == 1 and out[0].startswith("Error:") and message in out[0]
    assert not (workdir / "digest.toml").exists()


def test_import_refuses_to_break_an_inline_sources_array(workdir: Path) -> None:
    original = 'sources = [{name = "A", url = "https://a.example.com/feed"}]\n'
    (workdir / "digest.toml").write_text(original, encoding="utf-8")
    result = invoke("import", str(FIXTURES / "feeds" / "opml_nested.opml"))
    assert result.exit_code == 2 and lines(result)[0].startswith("Error:")
    assert (workdir / "digest.toml").read_text(encoding="utf-8") == original


def test_bad_config_is_one_error_line(workdir: Path) -> None:
    (workdir / "digest.toml").write_text("timezone = [\n", encoding="utf-8")
    for command in ("list", "check", "export"):
        result = invoke(command)
        assert result.exit_code == 2
        assert result.output.startswith("Error:") and "digest.toml" in result.output
