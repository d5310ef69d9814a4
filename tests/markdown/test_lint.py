"""``digest lint``: problems with line numbers, ``--reformat``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import CoverSettings, PublicationSettings, load_profile
from pipeline.markdown.lint import Problem, format_problems, reformat
from pipeline.markdown.lint import lint_text as lint_any
from tests.conftest import AICODE, FIXTURES, NO_SEEDS, SEEDS, seed_params, seed_text

FORMATS = FIXTURES / "formats"
GOOD = (FORMATS / "golden_daily.md").read_text(encoding="utf-8")


def lint_text(text: str) -> list[Problem]:
    """Lint as the seeds' publication would: their category and footer card."""
    return lint_any(text, publication=AICODE)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if fragment in line)


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize("path", seed_params(), ids=lambda p: p.name)
def test_published_seeds_are_clean(path: Path) -> None:
    assert lint_text(_read(path)) == []


@pytest.mark.parametrize(
    ("name", "warnings"),
    [
        ("golden_daily.md", []),
        ("golden_weekly.md", []),
        ("golden_brief.md", []),
        ("daily_numbered_no_summary.md", ["no 'summary'"]),
        ("daily_inline_labels_impact.md", ["更多动态 item without a link"]),
        ("daily_label_stories_h3_more.md", []),
        ("daily_handedited_no_footer.md", ["does not end with the publication's footer"]),
        ("weekly_no_sources_no_newline.md", []),
        ("brief_fullwidth_partial_items.md", []),
    ],
)
def test_fixtures_have_no_errors(name: str, warnings: list[str]) -> None:
    problems = lint_text(_read(FORMATS / name))
    assert _errors(problems) == []
    assert len(problems) == len(warnings)
    assert all(w in p.message for p, w in zip(problems, warnings, strict=True))


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


CASES = [
    (
        "missing key",
        _replace('coverImage: "https://ssl.aicode.cc/n8n/2026/02-13/23-34-24-6VdwTvY0.png"\n', ""),
        1,
        "error",
        "missing key 'coverImage'",
    ),
    (
        "bad date",
        _replace("date: 2026-02-14", "date: 2026-02-30"),
        3,
        "error",
        "'date' is not a YYYY-MM-DD",
    ),
    (
        "tags not a list",
        _replace('tags: ["AI","AI 日报"]', "tags: AI"),
        5,
        "error",
        "'tags' must be a list",
    ),
    (
        "broken tags",
        _replace('tags: ["AI","AI 日报"]', 'tags: ["AI",'),
        5,
        "error",
        "'tags' must be a list",
    ),
    (
        "cover not a URL",
        _replace('coverImage: "https://ssl', 'coverImage: "ftp://ssl'),
        7,
        "error",
        "not an http(s) URL",
    ),
    (
        "empty cover",
        _replace('"https://ssl.aicode.cc/n8n/2026/02-13/23-34-24-6VdwTvY0.png"', '""'),
        7,
        "warning",
        "'coverImage' is empty",
    ),
    (
        "duplicate key",
        _replace("category: AI 日报\n", "category: AI 日报\ncategory: AI\n"),
        5,
        "error",
        "duplicate key 'category'",
    ),
    ("unclosed front matter", _replace("---\n# ", "# "), 1, "error", "front matter not closed"),
    (
        "story without link",
        _replace(
            "### [Anthropic 完成 300 亿美元融资，估值达 3800 亿美元](https://www.ithome.com/0/921/545.htm)",
            "### Anthropic 完成 300 亿美元融资",
        ),
        _line_of(GOOD, "### [Anthropic"),
        "error",
        "story without a source link",
    ),
    (
        "empty section",
        _replace("## AI 资本市场", "## 空栏目\n\n---\n\n## AI 资本市场"),
        _line_of(GOOD, "## AI 资本市场"),
        "error",
        "empty section '空栏目'",
    ),
    (
        "empty url",
        _replace("(https://www.ithome.com/0/921/706.htm)", "()"),
        _line_of(GOOD, "智元发布远征"),
        "error",
        "empty URL",
    ),
    (
        "unclosed link",
        _replace("(https://www.ithome.com/0/921/706.htm)", "(https://www.ithome.com/0/921/706.htm"),
        _line_of(GOOD, "智元发布远征"),
        "error",
        "malformed Markdown link",
    ),
    (
        "space in url",
        _replace("(https://www.ithome.com/0/921/706.htm)", "(https://www.ithome.com/0 921)"),
        _line_of(GOOD, "智元发布远征"),
        "error",
        "space in the URL",
    ),
    (
        "javascript url",
        _replace("(https://www.ithome.com/0/921/706.htm)", "(javascript:alert)"),
        _line_of(GOOD, "智元发布远征"),
        "error",
        "non-http(s) link",
    ),
    (
        "stray html",
        _replace("这次升级标志着", "<b>这次升级</b>标志着"),
        _line_of(GOOD, "这次升级标志着"),
        "error",
        "stray HTML",
    ),
    (
        "unverified marker",
        _replace("这次升级标志着", "【待核实：全球仅 7 人】这次升级标志着"),
        _line_of(GOOD, "这次升级标志着"),
        "error",
        "unverified claim marker 【待核实：全球仅 7 人】",
    ),
    (
        "degraded marker",
        _replace("谷歌 2 月 12 日", "【待编辑】谷歌 2 月 12 日"),
        _line_of(GOOD, "谷歌 2 月 12 日"),
        "error",
        "degraded story marker",
    ),
    (
        "changed footer",
        _replace("立即加入群组", "立即加入"),
        _line_of(GOOD, "立即加入群组"),
        "error",
        "stray HTML",
    ),
    (
        "no footer",
        GOOD.split("\n\n---\n\n<div")[0],
        _line_of(GOOD, "- [智元发布"),
        "warning",
        "does not end with the publication's footer",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "line", "severity", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_problem_is_reported_at_its_line(
    name: str, text: str, line: int, severity: str, message: str
) -> None:
    problems = lint_text(text)
    assert any(
        p.line == line and p.severity == severity and message in p.message for p in problems
    ), problems


def test_marker_in_the_front_matter_summary_is_an_error() -> None:
    text = _replace("- Anthropic 完成", "- 【待核实：300 亿】Anthropic 完成")
    assert [(p.line, p.severity) for p in lint_text(text)] == [(8, "error")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a digest"),
        ("   \n\n", "not a digest"),
        ("hello world", "not a digest"),
        ("---\ntitle: x\n", "front matter not closed"),
    ],
    ids=repr,
)
def test_malformed_files_are_reported_not_raised(text: str, message: str) -> None:
    assert any(message in p.message for p in _errors(lint_text(text)))


def test_brief_problems() -> None:
    brief = _read(FORMATS / "golden_brief.md")
    text = brief.replace("来源出处:[新浪财经]", "出处:[新浪财经]").replace(
        "**产品与应用发布**", "**空类别**\n\n**产品与应用发布**"
    )
    problems = lint_text(text)
    assert any("empty category '空类别'" in p.message for p in _errors(problems))
    item_line = _line_of(text, "腾讯元宝发放10亿元红包")
    assert any(p.line == item_line and "来源出处" in p.message for p in _errors(problems))


def test_weekly_missing_layout_and_relative_link_is_fine() -> None:
    text = seed_text("001")
    problems = lint_text(text.replace("layout: layouts/post.njk\n", ""))
    assert [(p.line, p.message) for p in problems] == [(1, "front matter: missing key 'layout'")]


def test_format_problems_is_compiler_style() -> None:
    problems = [Problem(line=3, severity="error", message="bad")]
    assert format_problems(problems, "d.md") == "d.md:3: error: bad"
    assert str(problems[0]) == "3: error: bad"


@pytest.mark.parametrize("path", SEEDS + sorted(FORMATS.glob("*.md")), ids=lambda p: p.name)
def test_reformat_keeps_every_byte(path: Path) -> None:
    text = _read(path)
    assert reformat(text) == text


MUTATIONS = st.sampled_from(
    ["", "\n", "---", "[", "](", "<div>", "【待编辑】", "## ", "**", ":", "\n\n"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(SEEDS or sorted(FORMATS.glob("*.md"))),  # the fixtures in a plain clone
    st.integers(0, 25_000),
    st.integers(0, 3_000),
    st.lists(MUTATIONS, max_size=6).map("".join),
)
def test_lint_never_raises_on_mutated_seeds(path: Path, at: int, cut: int, insert: str) -> None:
    seed = _read(path)
    at %= len(seed) + 1
    text = seed[:at] + insert + seed[at + cut :]
    lines = text.split("\n")
    assert all(1 <= p.line <= len(lines) for p in lint_text(text))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text())
def test_lint_never_raises_on_any_text(text: str) -> None:
    assert all(p.line >= 1 for p in lint_text(text))


# --- the publication profile (issue 19) ------------------------------------------------

OTHER = load_profile(FIXTURES / "profiles" / "other.toml")
OTHER_DRAFT = _read(FORMATS / "golden_daily_other.md")


def _messages(problems: list[Problem], severity: str) -> list[str]:
    return [p.message for p in problems if p.severity == severity]


def test_a_draft_of_another_publication_is_warned_about() -> None:
    """The seeds' layout under another profile: category and footer differ, the card is HTML."""
    problems = lint_any(GOOD, publication=OTHER)
    warnings = _messages(problems, "warning")
    assert any("category 'AI 日报' is not the publication's 'AI 早报'" in w for w in warnings)
    assert any("does not end with the publication's footer" in w for w in warnings)
    assert [p.line for p in problems if "category" in p.message] == [_line_of(GOOD, "category:")]
    assert all("stray HTML" in m for m in _messages(problems, "error"))


def test_the_profiles_own_drafts_are_clean_and_others_are_not() -> None:
    assert lint_any(OTHER_DRAFT, publication=OTHER) == []
    warnings = _messages(lint_any(OTHER_DRAFT, publication=AICODE), "warning")
    assert any("category 'AI 早报'" in w for w in warnings)
    assert any("does not end with the publication's footer" in w for w in warnings)


def test_a_changed_footer_line_is_a_warning(tmp_path: Path) -> None:
    edited = OTHER_DRAFT.replace("转载请注明出处", "欢迎转载")
    assert _messages(lint_any(edited, publication=OTHER), "warning") == [
        "the draft does not end with the publication's footer "
        f"([publication] footer = {str(OTHER.footer)!r})"
    ]


def test_a_card_where_the_publication_has_no_footer() -> None:
    problems = lint_any(GOOD, publication=PublicationSettings())
    assert "a footer card, but the publication configures no footer" in _messages(
        problems, "warning"
    )


def test_html_in_the_publications_own_footer_is_not_stray(tmp_path: Path) -> None:
    (tmp_path / "card.html").write_text('<p class="sign">{{ publication.name }}</p>\n')
    publication = PublicationSettings(name="早报", footer=tmp_path / "card.html")
    body = OTHER_DRAFT.split("\n\n---\n\n*机器之眼")[0].replace(
        "category: AI 早报", "category: AI 日报"
    )
    assert lint_any(body + '\n\n---\n\n<p class="sign">早报</p>\n', publication=publication) == []
    unruled = lint_any(body + '\n\n<p class="sign">早报</p>\n', publication=publication)
    assert "stray HTML outside the footer card" in _messages(unruled, "error")


@pytest.mark.parametrize(
    ("policy", "warned"), [("none", False), ("editor", True)], ids=["no-covers", "editor-adds"]
)
def test_an_empty_cover_is_a_reminder_only_where_covers_are_expected(
    policy: str, warned: bool
) -> None:
    publication = AICODE.model_copy(update={"cover": CoverSettings(policy=policy)})  # type: ignore[arg-type]
    text = _replace('"https://ssl.aicode.cc/n8n/2026/02-13/23-34-24-6VdwTvY0.png"', '""')
    assert (
        "front matter: 'coverImage' is empty"
        in _messages(lint_any(text, publication=publication), "warning")
    ) is warned


@pytest.mark.skipif(not SEEDS, reason=NO_SEEDS)
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seeds_round_trip_byte_for_byte_whatever_the_profile(path: Path) -> None:
    """``--reformat`` re-renders the document as parsed: the profile never rewrites a file."""
    text = _read(path)
    assert reformat(text) == text
