"""Hostile configuration, dates and OPML (issue 14, item 14): a clear error, never a traceback."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from pipeline.cli.app import app
from pipeline.config import load_settings
from tests.conftest import FIXTURES

runner = CliRunner()
HOSTILE = FIXTURES / "hostile"


def invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """The digest command in cwd, with a key so that no run stops for want of one."""
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    return runner.invoke(app, args)


def one_error_line(result: Result) -> str:
    """The single line a refused command prints (it must start with ``Error:``)."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return " ".join(result.output.split())


def test_deeply_nested_toml_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A config nested 5,000 levels deep is refused in one line, not a RecursionError traceback."""
    (tmp_path / "digest.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    result = invoke(["run", "--no-llm"], tmp_path, monkeypatch)
    assert "nested too deeply" in one_error_line(result)


def test_date_in_year_one_is_refused_not_an_overflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--date 0001-01-01 is refused with the earliest date instead of an OverflowError."""
    result = invoke(["run", "--date", "0001-01-01"], tmp_path, monkeypatch)
    assert "is before 2000-01-01" in one_error_line(result)


def test_far_future_date_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--date 9999-12-31 is refused: a digest's day must have happened."""
    result = invoke(["run", "--date", "9999-12-31"], tmp_path, monkeypatch)
    assert "is after tomorrow" in one_error_line(result)


def test_backfill_length_is_capped_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 26-year --from/--to backfill is refused before any run, saying why and what to do."""
    result = invoke(["run", "--from", "2000-01-01", "--to", "2026-01-01"], tmp_path, monkeypatch)
    message = one_error_line(result)
    assert "at most 31 dates, not 9498" in message and "split it" in message
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("name", ["API_KEY", "openai_api_key", "apikey", "secret", "auth_token"])
@pytest.mark.parametrize("table", ["", "[llm]\n", "[network]\n"])
def test_a_secret_anywhere_in_the_config_is_refused(tmp_path: Path, name: str, table: str) -> None:
    """A key-like setting (API_KEY, openai_api_key …) in any table is refused, never ignored."""
    path = tmp_path / "digest.toml"
    path.write_text(f'{table}{name} = "sk-live-123"\n', encoding="utf-8")
    with pytest.raises(Exception) as caught:
        load_settings(path, env={})
    assert "OPENAI_API_KEY" in str(caught.value) and name in str(caught.value)
    assert "sk-live-123" not in str(caught.value)


def test_opml_control_character_is_dropped_not_a_misleading_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OPML name with &#127; imports cleanly (DEL removed) instead of a wrong TOML hint."""
    result = invoke(
        ["sources", "import", str(HOSTILE / "control_char_name.opml")], tmp_path, monkeypatch
    )
    assert result.exit_code == 0, result.output
    assert "added   AI News (en)" in result.output
    config = load_settings(tmp_path / "digest.toml", env={})
    assert [s.name for s in config.sources] == ["AI News"]


def test_opml_entity_expansion_is_refused_before_it_expands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A billion-laughs OPML (a 16 MB name) is refused without expanding it or writing config."""
    tracemalloc.start()
    try:
        result = invoke(
            ["sources", "import", str(HOSTILE / "billion_laughs.opml")], tmp_path, monkeypatch
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = one_error_line(result)
    assert "declares the XML entity" in message and len(message) < 300
    assert peak < 4_000_000  # the expansion alone would be 16 MB
    assert not (tmp_path / "digest.toml").exists()


@pytest.mark.parametrize("weight", ["nan", "inf", "-5", "1e309", "lots"])
def test_opml_weight_must_be_a_finite_number_in_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weight: str
) -> None:
    """OPML weights nan, inf, -5 or text are refused by name, not silently accepted."""
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Weighted" '
        f'xmlUrl="https://w.example/feed" weight="{weight}"/></body></opml>',
        encoding="utf-8",
    )
    result = invoke(["sources", "import", str(opml)], tmp_path, monkeypatch)
    assert f"feed 'Weighted': weight '{weight}' is not a number from 0 to 10" in one_error_line(
        result
    )
    assert not (tmp_path / "digest.toml").exists()


@pytest.mark.parametrize("weight", ["nan", "inf", "-5"])
def test_config_weight_must_be_a_finite_number_in_range(tmp_path: Path, weight: str) -> None:
    """A [[sources]] weight of nan, inf or -5 in digest.toml is refused with its place."""
    path = tmp_path / "digest.toml"
    path.write_text(
        f"[[sources]]\nname = 'A'\nurl = 'https://a.example/feed'\nweight = {weight}\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"sources #1\.weight"):
        load_settings(path, env={})
