"""Tests of the cluster stage: duplicates, relevance, clustering, ranking, sections, repeats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.cluster_eval import load as load_eval_set
from pipeline.config import DigestSettings, Section
from pipeline.models import Article, ClusterResult, CoveredStory, Judgement, article_id
from pipeline.stories.aliases import ALIASES, NAMES
from pipeline.stories.cluster import (
    assign_section,
    build_stories,
    cluster_articles,
    find_duplicates,
    story_id,
)
from pipeline.stories.relevance import (
    AI_THRESHOLD,
    LEAN_SCORE,
    relevance,
    relevance_score,
    rule_decision,
)
from pipeline.stories.textsim import entities, numbers, versions, versions_conflict

T0 = datetime(2026, 2, 5, 12, tzinfo=UTC)
WEIGHTS = {"IT之家": 1.2, "TechCrunch AI": 1.2, "36氪": 1.0, "The Verge AI": 1.0, "搜狐": 0.8}
SECTIONS = [
    Section(key="models", title="大模型", keywords=["模型", "大模型", "model", "Claude", "GPT"]),
    Section(key="capital", title="资本", keywords=["融资", "估值", "funding", "valuation"]),
    Section(key="compute", title="算力", keywords=["算力", "芯片", "GPU", "数据中心"]),
    Section(key="world", title="国际", keywords=[]),
]
DIGEST = DigestSettings(
    main_stories=2, more_items=2, sections=SECTIONS, keyword_boost={"OpenAI": 0.5}
)

WAYMO_ZH = (
    "Waymo 融资 160 亿美元，估值 1260 亿美元",
    "谷歌旗下自动驾驶公司 Waymo 完成 160 亿美元融资，估值达 1260 亿美元，"
    "较两年前的 450 亿美元增长近两倍。"
    "Waymo 的无人驾驶出租车已在旧金山、菲尼克斯、洛杉矶和迈阿密运营。",
)
WAYMO_EN = (
    "Waymo raises $16 billion at a $126 billion valuation",
    "Alphabet's self-driving unit Waymo has raised $16 billion in a round that values it at "
    "$126 billion, up from $45 billion two years ago. The robotaxi service operates in San "
    "Francisco, Phoenix, Los Angeles and Miami.",
)
OPUS = (
    "Anthropic 发布 Claude Opus 4.6：首次支持 100 万 token 上下文",
    "Anthropic 今日发布新一代旗舰模型 Claude Opus 4.6，支持 100 万 token 的上下文窗口。"
    "新模型在编程评测中刷新纪录，定价维持每百万 token 输入 5 美元、输出 25 美元。",
)
SONNET = (
    "Anthropic 发布 Claude Sonnet 4.6：中杯模型逼近旗舰",
    "Anthropic 今日发布新模型 Claude Sonnet 4.6，支持 100 万 token 的上下文窗口。"
    "新模型在编程评测中表现出色，定价维持每百万 token 输入 3 美元、输出 15 美元。",
)
OIL = (
    "国际油价连续第三日下跌，布伦特原油跌破 75 美元",
    "受美国原油库存意外增加影响，国际油价周三继续走低。布伦特原油期货收跌 1.8%，报每桶 74.6 美元。"
    "分析人士指出，OPEC+ 维持增产计划也令市场承压。",
)


def art(
    title: str,
    text: str,
    *,
    source: str = "36氪",
    lang: str = "zh",
    hours: float = 0,
    url: str | None = None,
) -> Article:
    """An article published `hours` after T0."""
    url = url or f"https://example.com/{source}/{article_id(title + source + text[:20])}"
    when = T0 + timedelta(hours=hours)
    return Article(
        id=article_id(url),
        url=url,
        source=source,
        lang=lang,  # type: ignore[arg-type]
        title=title,
        published=when,
        text=text,
        first_seen=when,
    )


def run(
    articles: list[Article],
    published: Sequence[CoveredStory] = (),
    judged: dict[str, Judgement] | None = None,
    end: datetime = T0 + timedelta(hours=24),
) -> ClusterResult:
    """build_stories with the test settings (no LLM unless ``judged`` is given)."""
    return build_stories(
        articles,
        DIGEST,
        source_weights=WEIGHTS,
        window_end=end,
        published=published,
        judged=judged,
    )


# ---- features --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OpenAI 发布 GPT-5.3-Codex-Spark", ["gpt-5.3-codex-spark"]),
        ("Anthropic's Claude Opus 4.6 launches", ["opus-4.6"]),
        ("Google Gemini 3.1 Pro beats Gemini 3 Pro", ["gemini-3.1-pro", "gemini-3-pro"]),
        ("月之暗面开源 Kimi K2.5", ["kimi-k2.5"]),
        ("Anthropic Raises 30 Billion in 2026", []),
    ],
)
def test_versions(text: str, expected: list[str]) -> None:
    assert versions(text) == expected


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("融资 160亿美元", "raised $16 billion"),
        ("中科曙光 3万卡 集群", "a cluster of 30,000 accelerators"),
        ("估值 3800 亿美元", "valued at $380 billion"),
        ("得分 76%", "scored 76 percent"),
        ("三百亿入股", "a $30 billion stake"),
    ],
)
def test_numbers_match_across_languages(zh: str, en: str) -> None:
    assert numbers(zh) & numbers(en)


@pytest.mark.parametrize(
    ("zh", "en", "entity"),
    [
        ("英伟达发布新芯片", "Nvidia unveils a chip", "nvidia"),
        ("据路透社报道", "Reuters reported", "reuters"),  # from grounding's former table
        ("蚂蚁百灵开源", "Ant Group open-sources", "ant-group"),
        ("马斯克表示", "Elon Musk said", "musk"),
    ],
)
def test_entities_share_the_alias_table_across_languages(zh: str, en: str, entity: str) -> None:
    assert entity in entities(zh) & entities(en)


def test_every_alias_names_one_entity() -> None:
    forms = [form for group in NAMES.values() for form in group]
    assert len(forms) == len(set(forms)) == len(ALIASES)
    assert all(form == form.lower() for form in forms)


@pytest.mark.parametrize(
    ("left", "right", "conflict"),
    [
        ({"opus-4.6"}, {"sonnet-4.6"}, True),
        ({"gpt-5.3-codex"}, {"gpt-5.3-codex-spark"}, True),
        ({"gemini-3-pro"}, {"gemini-3.1-pro"}, True),
        ({"kimi-k2.5"}, {"k2.5"}, False),
        ({"opus-4.6"}, set(), False),
    ],
)
def test_versions_conflict(left: set[str], right: set[str], conflict: bool) -> None:
    assert versions_conflict(left, right) is conflict


# ---- 1. duplicates -----------------------------------------------------------------------


def test_same_url_is_duplicate() -> None:
    first = art(*WAYMO_ZH, url="https://36kr.com/p/1")
    again = art(
        "Waymo 估值 1260 亿美元（更新）", "更新后的正文。" * 5, url="https://36kr.com/p/1", hours=1
    )
    kept, dropped = find_duplicates([again, first], WEIGHTS)
    assert kept == [first]
    assert dropped[0].reason == "duplicate" and dropped[0].of == first.url


def test_same_text_is_duplicate() -> None:
    first = art(*WAYMO_ZH, source="IT之家")
    copy = art("另一个标题", WAYMO_ZH[1] + "  ", source="搜狐", hours=2)
    kept, dropped = find_duplicates([first, copy], WEIGHTS)
    assert kept == [first] and dropped[0].of == first.url


def test_repost_with_notice_and_editor_line_is_duplicate() -> None:
    first = art(*OPUS, source="IT之家")
    repost = art(
        "刚刚，Anthropic 放出新旗舰",
        f"本文转载自IT之家，版权归原作者所有。\n{OPUS[1]}\n（责任编辑：王晓）",
        source="搜狐",
        hours=3,
    )
    kept, dropped = find_duplicates([repost, first], WEIGHTS)
    assert [a.id for a in kept] == [first.id]
    assert dropped[0].reason == "duplicate" and dropped[0].of == first.url


# ---- 2. relevance -------------------------------------------------------------------------


def test_without_llm_only_confident_rules_drop() -> None:
    oil, waymo = art(*OIL), art(*WAYMO_ZH)
    assert rule_decision(oil) == "off" and relevance(art(*OPUS)) >= AI_THRESHOLD
    result = run([oil, waymo])
    assert [(d.url, d.reason, d.by) for d in result.dropped] == [(oil.url, "off-topic", "rules")]
    assert result.relevance["rules_off"] == 1


def test_llm_no_drops_what_the_rules_doubt_and_yes_makes_it_main() -> None:
    """No AI term in the title or lead: the rules cannot accept it, the LLM decides."""
    deal = art("China blocks Meta's $2 billion acquisition of Manus", "Regulators said no.")
    notice = art("年度榜单申报即日启动", "欢迎申报，截至 4 月 27 日。")
    assert rule_decision(deal) == rule_decision(notice) == "unsure"
    judged = {deal.id: Judgement(ai=True), notice.id: Judgement(ai=False)}
    result = run([deal, notice], judged=judged)
    assert [(d.url, d.by) for d in result.dropped] == [(notice.url, "llm")]
    assert [(s.primary.id, s.placement) for s in result.stories] == [(deal.id, "main")]
    assert result.relevance == {
        "rules_ai": 0,
        "llm_ai": 1,
        "llm_off": 1,
        "llm_off_kept": 0,
        "llm_not_news": 0,
        "rules_off": 0,
        "undecided": 0,
    }


def test_llm_not_news_is_a_no_with_its_own_reason() -> None:
    """A notice the rules do not lean to is dropped as not-news; one they lean to, like any
    "no", only loses its place among the main stories (a small model says "notice" of news)."""
    notice = art("年度榜单申报即日启动", "欢迎申报，截至 4 月 27 日。")
    guide = art("Working with files in ChatGPT", "Learn how to upload and work with files.")
    assert relevance_score(notice) < LEAN_SCORE <= relevance_score(guide)
    judged = {a.id: Judgement(ai=False, news=False) for a in (notice, guide)}
    result = run([notice, guide], judged=judged)
    assert [(d.url, d.reason, d.by) for d in result.dropped] == [(notice.url, "not-news", "llm")]
    assert result.relevance["llm_not_news"] == 1 and result.relevance["llm_off_kept"] == 1
    assert [(s.primary.id, s.placement) for s in result.stories] == [(guide.id, "more")]


def test_rules_accepted_article_is_kept_whatever_the_llm_says() -> None:
    opus = art(*OPUS)
    assert rule_decision(opus) == "ai"
    result = run([opus], judged={opus.id: Judgement(ai=False)})
    assert result.dropped == [] and result.stories[0].placement == "main"


def test_unanswered_article_is_kept_undecided() -> None:
    """The LLM call failed for it: kept, only for 更多动态, never dropped."""
    deal = art("China blocks Meta's $2 billion acquisition of Manus", "Regulators said no.")
    result = run([deal], judged={})
    assert result.dropped == [] and result.uncertain == [deal.id]
    assert result.stories[0].placement == "more"


def test_undecided_article_is_kept_as_uncertain() -> None:
    phone = art(
        "新款折叠屏手机评测：更轻更薄",
        "这款折叠屏展开厚度仅 4.2 毫米，铰链做工扎实。系统内置 AI 修图功能。",
    )
    result = run([phone])
    assert result.uncertain == [phone.id]
    assert all(s.placement == "more" for s in result.stories)  # never a main story


# ---- 3. clustering ------------------------------------------------------------------------


def test_zh_en_reports_merged() -> None:
    zh, en = art(*WAYMO_ZH), art(*WAYMO_EN, source="TechCrunch AI", lang="en", hours=-8)
    assert len(cluster_articles([zh, en])) == 1


@pytest.mark.parametrize("hours", [1, 40])
def test_different_versions_not_merged(hours: float) -> None:
    """A version conflict is a cannot-link, also between reports days apart (weekly)."""
    opus, sonnet = art(*OPUS, source="IT之家"), art(*SONNET, hours=hours)
    assert len(cluster_articles([opus, sonnet])) == 2
    bridge = art(  # one article naming no version, close to both: still two stories
        "Anthropic 新模型上线：支持 100 万 token 上下文",
        "Anthropic 今日发布新模型，支持 100 万 token 的上下文窗口，定价维持不变。",
        source="搜狐",
        hours=hours / 2,
    )
    groups = cluster_articles([opus, sonnet, bridge])
    assert not any({opus.id, sonnet.id} <= {a.id for a in g} for g in groups)


def test_same_company_different_events_days_apart_stay_apart() -> None:
    """The weekly window: two Anthropic stories four days apart share names, not an event."""
    launch = art(
        "Anthropic rolls out cyber AI model days after source code leak",
        "Claude Mythos opened to Amazon, Microsoft and Apple to find hidden vulnerabilities.",
        source="TechCrunch AI",
        lang="en",
    )
    stocks = art(
        "Cyber security stocks fall on worries over Anthropic's advanced AI tool",
        "Anthropic's Mythos model detected vulnerabilities that legacy systems missed.",
        source="The Verge AI",
        lang="en",
        hours=80,
    )
    assert len(cluster_articles([launch, stocks])) == 2


def test_headline_naming_a_benchmark_does_not_split_the_story() -> None:
    """One outlet titles the Deep Think upgrade by its ARC-AGI-2 score: still one story."""
    zh = art(
        "Gemini 3 Deep Think 升级：编程能力全球第 8",
        "谷歌宣布对 Gemini 3 Deep Think 进行重大升级，在 Codeforces 取得 3455 Elo 分数，"
        "ARC-AGI-2 准确率 84.6%，单项任务成本从 77.16 美元降至 13.62 美元。",
        source="IT之家",
    )
    en = art(
        "Google's upgraded Deep Think reaches 84.6 percent on ARC-AGI-2",
        "Google has upgraded Gemini 3 Deep Think. The model scores 3455 Elo on Codeforces, "
        "and its cost per ARC-AGI-2 task fell from $77.16 to $13.62.",
        source="The Decoder",
        lang="en",
        hours=2,
    )
    assert [len(s.articles) for s in run([zh, en]).stories] == [2]


def test_canonical_names_link_languages_beyond_the_alias_table() -> None:
    """A startup the alias table does not know: names from a judge link zh and en."""
    zh = art(
        "灵初智能发布 Psi-R2 具身模型，10 万小时人类数据登顶榜单",
        "灵初智能今天发布具身模型 Psi-R2，用 10 万小时人类操作数据训练。",
        source="量子位",
    )
    en = art(
        "Lingchu releases Psi-R2, trained on 100,000 hours of human data",
        "The Chinese start-up Lingchu released its embodied model Psi-R2.",
        source="The Decoder",
        lang="en",
        hours=3,
    )
    assert len(cluster_articles([zh, en])) == 1  # the shared release name links them
    other = art(
        "灵初智能完成新一轮融资，高瓴领投",
        "灵初智能宣布完成新一轮融资，由高瓴领投，投后估值较上一轮翻倍。",
        source="36氪",
    )
    deal = art(
        "Lingchu closes a new round led by Hillhouse",
        "Hillhouse led the round, which doubled Lingchu's valuation.",
        source="TechCrunch AI",
        lang="en",
        hours=2,
    )
    assert len(cluster_articles([other, deal])) == 2  # no shared anchor: apart
    names = {other.id: ["Lingchu", "Hillhouse"], deal.id: ["Lingchu", "Hillhouse Capital"]}
    assert len(cluster_articles([other, deal], names)) == 1


def test_far_apart_reports_not_merged() -> None:
    early, late = art(*WAYMO_ZH), art(*WAYMO_EN, source="TechCrunch AI", lang="en", hours=24 * 9)
    assert len(cluster_articles([early, late])) == 2


# ---- 4. ranking and placement -------------------------------------------------------------


def test_more_outlets_rank_first_and_cutoff() -> None:
    waymo = [art(*WAYMO_ZH), art(*WAYMO_EN, source="TechCrunch AI", lang="en")]
    single = [art(*OPUS, source="IT之家", hours=5), art(*SONNET, source="IT之家", hours=6)]
    extra = [
        art(
            "英伟达发布新 GPU 芯片，算力提升一倍",
            "英伟达今日发布新一代数据中心 GPU 芯片，AI 训练算力提升一倍。",
            hours=7,
        ),
        art(
            "OpenAI 推出新的 ChatGPT 功能",
            "OpenAI 今日为 ChatGPT 推出记忆功能，大模型可记住用户偏好。",
            hours=8,
        ),
    ]
    result = run(waymo + single + extra)
    assert result.stories[0].articles[0].source == "TechCrunch AI"  # 2 outlets; weight 1.2 first
    assert [s.placement for s in result.stories] == ["main", "main", "more", "more"]
    assert [d.reason for d in result.dropped] == ["below-cutoff"]
    scores = [s.score for s in result.stories]
    assert scores[:2] == sorted(scores[:2], reverse=True)


def test_story_id_is_stable() -> None:
    a, b = art(*WAYMO_ZH), art(*WAYMO_EN, lang="en", source="TechCrunch AI")
    assert story_id([a, b]) == story_id([b, a])


# ---- 5. sections ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "key"),
    [
        (*WAYMO_ZH, "capital"),
        (*OPUS, "models"),
        ("英伟达新 GPU 上市", "英伟达数据中心芯片供不应求，算力紧张。", "compute"),
        ("联合国任命专家组", "古特雷斯宣布名单。", "world"),
    ],
)
def test_assign_section(title: str, text: str, key: str) -> None:
    assert assign_section([art(title, text)], SECTIONS) == key


# ---- 6. repeats across days -------------------------------------------------------------------


def _published(article: Article, urls: list[str] | None = None) -> CoveredStory:
    return CoveredStory(
        date=date(2026, 2, 5),
        title=article.title,
        urls=urls if urls is not None else [article.url],
        text=f"{article.title}\n{article.text[:120]}",
    )


def test_already_covered_by_url() -> None:
    waymo = art(*WAYMO_ZH)
    result = run([waymo], published=[_published(waymo)])
    assert result.stories == []
    assert [(d.reason, d.of) for d in result.dropped] == [("already-covered", waymo.title)]


def test_already_covered_by_content() -> None:
    old = art(*WAYMO_ZH)
    new = art(*WAYMO_EN, source="TechCrunch AI", lang="en", hours=20)
    result = run([new], published=[_published(old, urls=[])])
    assert [d.reason for d in result.dropped] == ["already-covered"]


def test_follow_up_with_new_numbers_is_kept() -> None:
    old = art(*WAYMO_ZH)
    new = art(
        "Waymo 再获 50 亿美元追加投资",
        "Waymo 宣布获得 50 亿美元追加投资，此前它以 1260 亿美元估值完成 160 亿美元融资。",
        hours=22,
    )
    result = run([new], published=[_published(old)])
    assert [s.follow_up_of for s in result.stories] == [old.title]


def test_two_days_repost_of_day_one_story_is_already_covered() -> None:
    day1 = [art(*OPUS, source="IT之家"), art(*WAYMO_ZH)]
    first = run(day1)
    published = [
        CoveredStory(
            date=date(2026, 2, 5),
            title=s.primary.title,
            urls=[a.url for a in s.articles],
            text=s.primary.text[:150],
        )
        for s in first.stories
    ]
    repost = art(
        "刚刚，Anthropic 放出新旗舰",
        f"本文转载自IT之家。\n{OPUS[1]}\n（责任编辑：王晓）",
        source="搜狐",
        hours=26,
    )
    fresh = art(
        "OpenAI 发布 GPT-5.3-Codex",
        "OpenAI 今日发布 GPT-5.3-Codex 编程模型，大模型速度提升 25%。",
        hours=27,
    )
    second = run([repost, fresh], published=published)
    assert [(d.url, d.reason) for d in second.dropped] == [(repost.url, "already-covered")]
    assert [s.primary.id for s in second.stories] == [fresh.id]


# ---- 30-day memory: reposts and follow-ups -------------------------------------------------


def _story_of(article: Article, days_ago: int) -> CoveredStory:
    """What a digest published ``days_ago`` before the window's digest date carried."""
    return CoveredStory(
        date=(T0 + timedelta(hours=24)).date() - timedelta(days=days_ago),
        title="Waymo 完成 160 亿美元融资",  # the draft's own headline, not the source's
        urls=[article.url],
        text="Waymo 完成 160 亿美元融资\n估值达 1260 亿美元。",
        sources=[f"{article.title}\n{article.text}"],
    )


@pytest.mark.parametrize("days_ago", [8, 15, 30])
def test_verbatim_repost_of_an_older_story_is_already_covered(days_ago: int) -> None:
    original = art(*WAYMO_ZH, source="IT之家", url="https://www.ithome.com/0/1.htm")
    repost = art(
        "重磅！Waymo 估值飙升",
        f"本文转载自IT之家。\n{WAYMO_ZH[1]}\n（责任编辑：李明）",
        source="搜狐",
        url="https://www.sohu.com/a/2",
    )
    result = run([repost], published=[_story_of(original, days_ago)])
    assert [(d.url, d.reason) for d in result.dropped] == [(repost.url, "already-covered")]


def test_same_facts_rewritten_weeks_later_is_already_covered() -> None:
    """Different words, the same event and not one new figure: not news again."""
    original = art(*WAYMO_ZH, url="https://36kr.com/p/9")
    rewrite = art(
        "Waymo 以 1260 亿美元估值拿下 160 亿美元",
        "自动驾驶公司 Waymo 拿下 160 亿美元新融资，公司估值 1260 亿美元。",
        source="搜狐",
    )
    result = run([rewrite], published=[_story_of(original, 12)])
    assert [d.reason for d in result.dropped] == ["already-covered"]


def test_follow_up_weeks_later_is_kept_and_marked() -> None:
    original = art(*WAYMO_ZH, url="https://36kr.com/p/9")
    follow = art(
        "Waymo 再获 50 亿美元追加投资，估值升至 1500 亿美元",
        "Waymo 宣布获得 50 亿美元追加投资，估值升至 1500 亿美元；此前它完成 160 亿美元融资。",
        source="IT之家",
    )
    past = _story_of(original, 20)
    result = run([follow], published=[past])
    assert result.dropped == []
    assert [s.follow_up_of for s in result.stories] == [past.title]


def test_repost_beyond_the_memory_is_news_again() -> None:
    original = art(*WAYMO_ZH, url="https://36kr.com/p/9")
    repost = art("Waymo 估值飙升", WAYMO_ZH[1], source="搜狐")
    result = run([repost], published=[_story_of(original, 31)])
    assert result.dropped == [] and result.stories[0].follow_up_of is None


# ---- invariant ------------------------------------------------------------------------------

POOL = [
    art(*WAYMO_ZH),
    art(*WAYMO_EN, source="TechCrunch AI", lang="en"),
    art(*OPUS),
    art(*SONNET, source="IT之家"),
    art(*OIL),
    art(*OPUS, source="搜狐", hours=2),
    art("Waymo 估值 1260 亿美元", WAYMO_ZH[1], url="https://36kr.com/dup", hours=1),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(POOL), max_size=7, unique_by=lambda a: a.id),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=0, max_value=2),
)
def test_every_article_in_one_story_or_dropped(pool: list[Article], main: int, more: int) -> None:
    digest = DIGEST.model_copy(update={"main_stories": main, "more_items": more})
    result = build_stories(pool, digest, source_weights=WEIGHTS, window_end=T0)
    placed = [a.url for s in result.stories for a in s.articles] + [d.url for d in result.dropped]
    assert sorted(placed) == sorted(a.url for a in pool)


def test_each_headline_is_parsed_for_versions_once_not_once_per_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Candidate pairs grow with the square of a window: a headline's versions are read once."""
    from pipeline.stories import cluster as cluster_module

    asked: list[str] = []

    def counting(text: str) -> list[str]:
        asked.append(text)
        return versions(text)

    monkeypatch.setattr(cluster_module, "versions", counting)
    articles, _ = load_eval_set()  # the labelled set: 175 articles, thousands of pairs
    cluster_articles(articles)
    holders = Counter(a.title for a in articles)
    per_title = Counter(text for text in asked if text in holders)
    # a constant number of reads per article, whatever the number of pairs
    assert all(per_title[title] <= 2 * count for title, count in holders.items())
