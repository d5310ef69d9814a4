"""The digest command line: exit codes and the one-line errors a user sees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import FIXTURES, seed_params

runner = CliRunner()


def test_run_without_api_key_stops_at_once_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "--date", "2026-02-07"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:")
    assert "OPENAI_API_KEY" in lines[0]
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "--date", "07/02/2026"], "--date must be a date like 2026-02-07"),
        (["run", "--from", "2026-02-07"], "needs both --from and --to"),
        (["run", "--format", "monthly"], "--format must be one of"),
    ],
)
def test_run_rejects_bad_options(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.startswith("Error:") and message in " ".join(result.output.split())


def test_invalid_config_is_reported_with_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "digest.toml").write_text('timezone = "Mars/Olympus"\n', encoding="utf-8")
    result = runner.invoke(app, ["run", "--no-llm"])
    assert result.exit_code == 2
    assert "digest.toml" in result.output and "timezone" in result.output


def test_api_key_in_config_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "digest.toml").write_text('[llm]\napi_key = "sk-123"\n', encoding="utf-8")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2 and "OPENAI_API_KEY" in result.output


@pytest.mark.parametrize("seed", seed_params(), ids=lambda p: p.name[:3])
def test_lint_reformat_reproduces_every_seed(seed: Path) -> None:
    result = runner.invoke(app, ["lint", "--reformat", str(seed)])
    assert result.exit_code == 0
    assert result.output == seed.read_text(encoding="utf-8")


def test_lint_reports_markers_with_line_numbers(tmp_path: Path) -> None:
    seed = (FIXTURES / "formats" / "golden_daily.md").read_text(encoding="utf-8")
    flagged = seed.replace("3455 Elo 分数", "3455 Elo 分数【待核实：3455】", 1)
    path = tmp_path / "draft.md"
    path.write_text(flagged, encoding="utf-8")
    result = runner.invoke(app, ["lint", str(path)])
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(flagged.splitlines(), 1) if "【待核实" in text)
    assert f"{path}:{line}: error" in result.output


def test_run_without_key_names_the_no_llm_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The no-key error says how to run without any LLM: --no-llm."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "--date", "2026-02-07"])
    assert result.exit_code == 2 and "--no-llm" in " ".join(result.output.split())


def test_lint_takes_several_files_and_exits_with_the_worst(tmp_path: Path) -> None:
    """digest lint a.md b.md …: every file's problems, a count, exit 1 if any has an error."""
    golden = FIXTURES / "formats" / "golden_daily_neutral.md"  # the built-in publication's
    flagged = tmp_path / "flagged.md"
    flagged.write_text(
        golden.read_text(encoding="utf-8").replace("3455 Elo", "3455【待核实：3455】 Elo", 1),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["lint", str(golden), str(flagged)])
    assert result.exit_code == 1
    assert f"{golden}: ok" in result.output and f"{flagged}:" in result.output
    assert result.output.splitlines()[-1] == "2 files: 1 ok, 1 with errors, 0 unreadable"


def test_lint_unreadable_file_is_reported_and_the_others_still_checked(tmp_path: Path) -> None:
    """A missing file among several is one Error line (exit 2); the rest are still linted."""
    golden = FIXTURES / "formats" / "golden_brief.md"
    result = runner.invoke(app, ["lint", str(tmp_path / "gone.md"), str(golden)])
    assert result.exit_code == 2
    assert f"Error: cannot read {tmp_path / 'gone.md'}" in " ".join(result.output.split())
    assert f"{golden}: ok" in result.output


def test_lint_reformat_takes_one_file() -> None:
    """--reformat prints one document; with two files it refuses in one line."""
    golden = str(FIXTURES / "formats" / "golden_daily.md")
    result = runner.invoke(app, ["lint", "--reformat", golden, golden])
    assert result.exit_code == 2 and "--reformat takes one file, not 2" in result.output


def test_lint_holds_a_draft_to_the_configured_publication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = FIXTURES / "formats" / "golden_daily_other.md"
    config = tmp_path / "other.toml"
    profile = FIXTURES / "profiles" / "other.toml"
    config.write_text(f'[publication]\nprofile = "{profile}"\n', encoding="utf-8")
    own = runner.invoke(app, ["lint", str(draft), "--config", str(config)])
    assert (own.exit_code, own.output.strip()) == (0, f"{draft}: ok")
    monkeypatch.chdir(tmp_path)  # no digest.toml here: the built-in profile
    other = runner.invoke(app, ["lint", str(draft)], terminal_width=300)
    assert other.exit_code == 0  # warnings only
    assert "warning: category 'AI 早报' is not the publication's 'AI 日报'" in other.output
    assert "warning: a footer" not in other.output  # a Markdown footer is no card


def test_lint_with_a_broken_config_says_so(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text('[publication]\nfooter = "nope.md"\n', encoding="utf-8")
    draft = FIXTURES / "formats" / "golden_daily_neutral.md"
    result = runner.invoke(app, ["lint", str(draft), "--config", str(config)])
    assert result.exit_code == 2 and "cannot read the footer template" in result.output


def test_help_loads_no_heavy_module() -> None:
    """``digest --help`` stays fast: settings, feeds, review and Prefect load only in commands."""
    heavy = ("prefect", "pydantic_settings", "feedparser", "jinja2", "trafilatura", "openai")
    code = (
        "import sys; from pipeline.cli.app import app; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "sources" in result.output and "review" in result.output
