"""``digest review``: draft states, record counts, rerun files and editors' diffs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli.review import review
from pipeline.formats.daily import no_draft
from pipeline.models import ClusterResult, Failure, IngestReport, RecordStory, RunRecord
from pipeline.publish.drafts import choose_target, generated_path, write_draft
from pipeline.review.drafts import (
    NOT_KEPT,
    editor_diff,
    review_drafts,
)
from tests.conftest import AICODE

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "golden_daily.md"
DAY = "2026-02-14"
NOW = datetime(2026, 2, 14, 9, 0)

app = typer.Typer()
app.command()(review)
app.command("noop", hidden=True)(lambda: None)  # two commands: `review` stays a subcommand
cli = CliRunner()


def record(**update: object) -> RunRecord:
    """A record with two unsupported claims, one degraded story and one failure."""
    stories = [
        RecordStory(
            id="a",
            title="A",
            section="models",
            placement="main",
            articles=[],
            unsupported=["3800 亿美元", "Opus 9"],
        ),
        RecordStory(
            id="b", title="B", section="models", placement="main", articles=[], degraded=True
        ),
    ]
    failures = [Failure(url="http://example.com/feed", stage="feed", error="HTTP 404")]
    record = RunRecord(date=date(2026, 2, 14), format="daily", stories=stories, failures=failures)
    return record.model_copy(update=update)


def publish(out: Path, text: str, *, keep: bool = True) -> Path:
    """Write a draft as a run does; keep=False: as a draft from before the text was kept."""
    target = choose_target(out, "daily", DAY, force=False, now=NOW)
    write_draft(target, text, record())
    if not keep:
        generated_path(target.markdown).unlink()
    return target.markdown


def test_drafts_are_linted_against_the_configured_publication(tmp_path: Path) -> None:
    """The seeds' card is their footer; a publication without it sees HTML it does not know."""
    publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))
    [own] = review_drafts(tmp_path, "daily", publication=AICODE)
    [foreign] = review_drafts(tmp_path, "daily")
    assert (own.lint_errors, own.flagged) == (0, False)
    assert foreign.lint_errors > 0 and foreign.flagged


def test_generated_draft_with_counts_from_its_record(tmp_path: Path) -> None:
    publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))
    [item] = review_drafts(tmp_path, "daily", publication=AICODE)
    assert (item.stem, item.state, item.flagged) == (DAY, "generated", False)
    assert item.label == "generated"
    assert (item.unsupported, item.degraded, item.failures, item.lint_errors) == (2, 1, 1, 0)
    assert editor_diff(item) == []


def test_edited_draft_shows_the_editors_changes(tmp_path: Path) -> None:
    md = publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))
    md.write_text(
        md.read_text(encoding="utf-8").replace("# 大模型", "# 编辑改过的大模型", 1),
        encoding="utf-8",
    )
    [item] = review_drafts(tmp_path, "daily", DAY, AICODE)
    assert item.state == "edited" and not item.flagged
    diff = editor_diff(item) or []
    assert "-# 大模型推理能力集体突破，Anthropic 3800亿美元创融资纪录" in diff
    assert "+# 编辑改过的大模型推理能力集体突破，Anthropic 3800亿美元创融资纪录" in diff


def test_marker_left_in_the_text_flags_the_draft(tmp_path: Path) -> None:
    text = GOLDEN.read_text(encoding="utf-8").replace("# 大模型", "# 【待编辑】大模型", 1)
    publish(tmp_path, text)
    [item] = review_drafts(tmp_path, "daily", publication=AICODE)
    assert item.state == "generated" and item.flagged and item.markers == 1
    assert item.label == "generated, flagged"


def test_rerun_files_are_listed_beside_the_edited_draft(tmp_path: Path) -> None:
    md = publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))
    md.write_text(md.read_text(encoding="utf-8") + "\n编辑加的一行\n", encoding="utf-8")
    publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))  # goes to .rerun-1.md
    publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))  # and .rerun-2.md
    [item] = review_drafts(tmp_path, "daily", publication=AICODE)
    assert [p.name for p in item.reruns] == [f"{DAY}.rerun-1.md", f"{DAY}.rerun-2.md"]


def test_generated_text_from_another_run_is_not_used(tmp_path: Path) -> None:
    md = publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))
    generated_path(md).write_text("something else\n", encoding="utf-8")
    [item] = review_drafts(tmp_path, "daily", publication=AICODE)
    assert editor_diff(item) is None


def test_cli_lists_drafts_and_says_when_generated_text_is_not_kept(tmp_path: Path) -> None:
    md = publish(tmp_path, GOLDEN.read_text(encoding="utf-8"), keep=False)
    md.write_text(md.read_text(encoding="utf-8") + "\n编辑加的一行\n", encoding="utf-8")
    result = cli.invoke(
        app, ["review", DAY, "--diff", "--output-dir", str(tmp_path)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert f"{DAY}.md" in result.output and "edited" in result.output
    assert NOT_KEPT in result.output


def test_cli_diff_shows_added_line(tmp_path: Path) -> None:
    md = publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))
    md.write_text(md.read_text(encoding="utf-8") + "\n编辑加的一行\n", encoding="utf-8")
    result = cli.invoke(
        app, ["review", "--diff", "--output-dir", str(tmp_path)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "+编辑加的一行" in result.output


@pytest.mark.parametrize(
    "args, message, code",
    [
        (["review", "07/02/2026"], "DATE must be a date like 2026-02-07", 2),
        (["review", "--format", "monthly"], "--format must be one of", 2),
        (["review", "2026-03-01"], "no daily draft for 2026-03-01", 0),
    ],
)
def test_cli_bad_input_and_nothing_to_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str, code: int
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(app, args, terminal_width=200)
    assert result.exit_code == code
    assert message in " ".join(result.output.split())


def test_cli_lists_a_night_without_draft_with_its_reason(tmp_path: Path) -> None:
    """A date whose run failed (a record, no draft) is listed with the record's reason."""
    publish(tmp_path, GOLDEN.read_text(encoding="utf-8"))
    failures = [
        Failure(url=f"https://feed{n}.example.com/rss", stage="feed", error="connection failed")
        for n in range(3)
    ]
    report = IngestReport(feeds_failed=3, failures=failures)
    night = date(2026, 2, 15)
    no_draft(tmp_path, str(night), night, "daily", report, ClusterResult(), [])
    result = cli.invoke(app, ["review", "--output-dir", str(tmp_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2026-02-15.json" in result.output and f"{DAY}.md" in result.output
    reason = next(line for line in result.output.splitlines() if line.startswith("2026-02-15:"))
    assert "no draft: every feed failed (3 of 3)" in reason and "network" in reason
    [item] = review_drafts(tmp_path, "daily", "2026-02-15")
    assert item.state == "no draft" and item.failures == 3


def test_cli_review_of_one_failed_date(tmp_path: Path) -> None:
    """digest review DATE shows that date's no-draft record instead of "no draft for"."""
    night = date(2026, 2, 15)
    no_draft(tmp_path, str(night), night, "daily", IngestReport(), ClusterResult(), [])
    result = cli.invoke(
        app, ["review", "2026-02-15", "--diff", "--output-dir", str(tmp_path)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "2026-02-15: no draft: the archive has no article" in result.output
