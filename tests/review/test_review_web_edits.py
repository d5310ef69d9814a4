"""Editor actions on the document model: drop, reorder, 更多动态 and back, resolve markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import EditError
from pipeline.markdown.document import (
    BriefDocument,
    BriefItem,
    DailyDocument,
    MoreSection,
    SectionNode,
)
from pipeline.markdown.lint import lint_text
from pipeline.markdown.parse import parse
from pipeline.markdown.render import render_document
from pipeline.review.web import edits, markers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FLAGGED = (FIXTURES / "review" / "flagged_daily.md").read_text(encoding="utf-8")
GOLDEN = (FIXTURES / "formats" / "golden_daily.md").read_text(encoding="utf-8")
BRIEF = (FIXTURES / "formats" / "golden_brief.md").read_text(encoding="utf-8")


def daily(text: str) -> DailyDocument:
    doc = parse(text, "daily")
    assert isinstance(doc, DailyDocument)
    return doc


def markdown(doc: object) -> str:
    return render_document(doc)  # type: ignore[arg-type]


def errors(text: str) -> list[str]:
    return [p.message for p in lint_text(text) if p.severity == "error"]


def test_drop_story_removes_it_and_its_emptied_section_and_renumbers() -> None:
    out = markdown(edits.drop_story(daily(FLAGGED), "s0.0"))
    assert "Waymo 完成 160 亿美元融资，估值" not in out
    assert "资本市场" not in out  # its only story went, so the section did too
    assert "## 一、模型发布" in out and "## 二、更多动态" in out
    assert markdown(daily(out)) == out  # still a well-formed digest
    assert not any("待核实" in e for e in errors(out))


def test_drop_keeps_everything_else_byte_for_byte() -> None:
    out = markdown(edits.drop_story(daily(GOLDEN), "s1.0"))
    assert "Anthropic 完成 300 亿美元融资" not in out
    head, _, _ = GOLDEN.partition("## AI 资本市场")
    assert out.startswith(head)
    assert out.endswith(GOLDEN[GOLDEN.index("## 更多动态") :])


def test_drop_a_more_line_and_its_emptied_group() -> None:
    doc = edits.drop_story(daily(FLAGGED), "m2.1.0")
    out = markdown(doc)
    assert "智元发布远征 A3" not in out and "具身智能与机器人" not in out
    assert "[MiniMax 发布 M2.5 编程模型]" in out


def test_move_story_within_a_section_and_across_sections() -> None:
    down = markdown(edits.move_story(daily(FLAGGED), "s1.0", 1))
    assert down.index("GPT-5.3-Codex") < down.index("Claude Opus 4.6](")
    up = markdown(edits.move_story(daily(FLAGGED), "s1.0", -1))
    # the first story of a section moves up into the end of the section before
    doc = daily(up)
    assert isinstance(doc.sections[0], SectionNode)
    assert [s.heading.title for s in doc.sections[0].stories][
        -1
    ] == "Anthropic 发布 Claude Opus 4.6"


def test_moving_the_last_story_further_down_changes_nothing() -> None:
    doc = daily(FLAGGED)
    assert markdown(edits.move_story(doc, "s1.1", 1)) == FLAGGED


def test_move_more_line_keeps_the_list_tight() -> None:
    out = markdown(edits.move_story(daily(FLAGGED), "m2.0.1", -1))
    assert "**大模型发布与开源：**\n- [蚂蚁开源 Ming-Flash-Omni 2.0]" in out
    assert "2.0](https://example.com/ming)：全模态大模型\n- [MiniMax" in out


def test_story_to_more_becomes_a_linked_line_with_its_first_sentence() -> None:
    out = markdown(edits.to_more(daily(FLAGGED), "s1.0"))
    line = (
        "- [Anthropic 发布 Claude Opus 4.6](https://example.com/en/opus46)："
        "Anthropic 于 2 月 5 日发布 Claude Opus 4.6，首次支持 100 万 token 上下文窗口。"
    )
    assert line in out
    assert "### [Anthropic 发布 Claude Opus 4.6]" not in out
    assert out.index(line) > out.index("## 三、更多动态")
    assert markdown(daily(out)) == out


def test_more_line_back_to_a_section_is_a_story() -> None:
    out = markdown(edits.to_main(daily(FLAGGED), "m2.0.0", 1))
    doc = daily(out)
    section = doc.sections[1]
    assert isinstance(section, SectionNode)
    story = section.stories[-1]
    assert story.heading.title == "MiniMax 发布 M2.5 编程模型"
    assert story.heading.url == "https://example.com/minimax"
    assert "SWE-Bench Verified 80.2%" in out.split("## 三、更多动态")[0]


def test_to_more_then_back_round_trips_the_link() -> None:
    there = edits.to_more(daily(FLAGGED), "s1.1")
    assert isinstance(there, DailyDocument)
    more = next(s for s in there.sections if isinstance(s, MoreSection))
    last = len(more.groups) - 1, len(more.groups[-1].bullets.items) - 1
    index = there.sections.index(more)
    back = edits.to_main(there, f"m{index}.{last[0]}.{last[1]}", 1)
    assert "### [OpenAI 推出 GPT-5.3-Codex](https://example.com/en/codex)" in markdown(back)


def test_to_more_creates_the_section_when_there_is_none() -> None:
    text = GOLDEN.replace(GOLDEN[GOLDEN.index("## 更多动态") : GOLDEN.index("<div")], "---\n\n")
    doc = daily(text)
    assert not any(isinstance(s, MoreSection) for s in doc.sections)
    out = markdown(edits.to_more(doc, "s0.0"))
    assert "## 更多动态\n\n- [Gemini 3 Deep Think 升级" in out


def test_keep_claim_removes_only_the_marker() -> None:
    doc = daily(FLAGGED)
    path = "sections.0.stories.0.blocks.0.text"
    out = markdown(markers.resolve_marker(doc, path, 0, keep=True))
    assert "公司估值有望在明年突破 3900 亿美元。" in out
    assert "【待核实：3900 亿美元】" not in out


def test_delete_claim_removes_its_sentence() -> None:
    doc = daily(FLAGGED)
    path = "sections.0.stories.0.blocks.0.text"
    out = markdown(markers.resolve_marker(doc, path, 0, keep=False))
    assert "Waymo 宣布完成 160 亿美元融资，估值达到 1260 亿美元。\n" in out
    assert "3900" not in out


def test_resolving_a_standalone_note_removes_the_paragraph() -> None:
    doc = daily(FLAGGED)
    path = "sections.0.stories.0.blocks.2.text"
    out = markdown(markers.resolve_marker(doc, path, 0, keep=False))
    assert "Robotaxi Max" not in out
    assert "2026 年进入十多个美国城市\n\n---" in out
    assert markdown(daily(out)) == out


@pytest.mark.parametrize(
    ("path", "occurrence"),
    [
        ("sections.0.stories.0.blocks.0.text", 1),  # only one marker there
        ("sections.0.stories.0.blocks.1.text", 0),  # a list has no text field
        ("sections.9.heading.title", 0),
        ("sections.0.__class__", 0),
        ("", 0),
    ],
)
def test_stale_or_bad_marker_paths_are_refused(path: str, occurrence: int) -> None:
    with pytest.raises(EditError):
        markers.resolve_marker(daily(FLAGGED), path, occurrence, keep=True)


@pytest.mark.parametrize("address", ["s9.0", "s0.5", "m0.0.0", "x1", "s1.2.3", "", "s-1.0"])
def test_stale_or_bad_addresses_are_refused(address: str) -> None:
    with pytest.raises(EditError):
        edits.drop_story(daily(FLAGGED), address)


def test_actions_never_change_the_document_they_are_given() -> None:
    doc = daily(FLAGGED)
    before = doc.model_dump()
    edits.drop_story(doc, "s0.0")
    edits.to_more(doc, "s1.0")
    markers.resolve_marker(doc, "sections.0.stories.0.blocks.0.text", 0, keep=False)
    assert doc.model_dump() == before


def test_brief_items_drop_and_move() -> None:
    doc = parse(BRIEF, "brief")
    assert isinstance(doc, BriefDocument)
    item = doc.categories[1].entries[0].model_copy(update={"title": "第二条"})
    doc.categories[1].entries.append(item)
    first = doc.categories[1].entries[0]
    assert isinstance(first, BriefItem)
    moved = edits.move_story(doc, "b1.0", 1)
    assert isinstance(moved, BriefDocument)
    assert moved.categories[1].entries.index(first) == 1
    assert markdown(moved).index("\n第二条\n") < markdown(moved).index(f"\n{first.title}\n")
    dropped = edits.drop_story(doc, "b0.0")
    assert isinstance(dropped, BriefDocument)
    assert dropped.categories[0].entries == []
    with pytest.raises(EditError):
        edits.to_more(doc, "b0.0")
    with pytest.raises(EditError):
        edits.drop_story(doc, "b0.4")


def test_section_stories_of_the_seed_layout_move_and_drop() -> None:
    text = "# 标题\n\n## 第一条\n\n正文一。\n\n---\n\n## 第二条\n\n正文二。\n"
    doc = daily(text)
    assert edits.is_story_section(doc.sections[0])
    swapped = markdown(edits.move_story(doc, "s0", 1))
    assert swapped.index("## 第二条") < swapped.index("## 第一条")
    assert "第一条" not in markdown(edits.drop_story(doc, "s0"))
    assert "- **第二条**：正文二。" in markdown(edits.to_more(doc, "s1"))


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十")]
)
def test_chinese_section_numbers(n: int, text: str) -> None:
    assert edits.cn_number(n) == text


@pytest.mark.parametrize(
    ("lead", "line"),
    [
        ("第一句。第二句。", "第一句。"),
        ("没有句号的导语：", "没有句号的导语"),
        ("  多行\n导语。 ", "多行 导语。"),
        ("长" * 300, "长" * 160),
    ],
)
def test_first_sentence_of_a_lead(lead: str, line: str) -> None:
    assert edits.first_sentence(lead) == line
