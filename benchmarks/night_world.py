"""A synthetic news world for the whole-night benchmark: stories, articles, feeds and pages.

Everything here is generated from the templates below (written for this benchmark, no
third-party text): AI stories reported by several outlets in Chinese and English, off-topic
items, reposts, and pages with several KB of site boilerplate (navigation, scripts, styles,
related links, comments, footers) around the article. The generation is deterministic for
a given seed, so a rerun of the benchmark serves the same bytes.
"""

from __future__ import annotations

import html
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime

# (Chinese name, English name): companies the alias table knows, so zh/en reports can meet.
COMPANIES = (
    ("百度", "Baidu"),
    ("阿里巴巴", "Alibaba"),
    ("腾讯", "Tencent"),
    ("字节跳动", "ByteDance"),
    ("华为", "Huawei"),
    ("小米", "Xiaomi"),
    ("商汤", "SenseTime"),
    ("智谱", "Zhipu"),
    ("月之暗面", "Moonshot"),
    ("英伟达", "Nvidia"),
    ("微软", "Microsoft"),
    ("谷歌", "Google"),
    ("亚马逊", "Amazon"),
    ("苹果", "Apple"),
    ("英特尔", "Intel"),
    ("高通", "Qualcomm"),
    ("三星", "Samsung"),
    ("甲骨文", "Oracle"),
    ("宇树", "Unitree"),
    ("美团", "Meituan"),
)
PRODUCT_STEMS = (
    "Helix", "Nimbus", "Orion", "Atlas", "Quasar", "Vega", "Lumen", "Corvid", "Stratus",
    "Kepler", "Tessel", "Meridian", "Aurora", "Zephyr", "Pioneer", "Sable", "Cobalt", "Vireo",
)  # fmt: skip

# Story kinds: (zh title templates, en title templates, zh lead, en lead).
KINDS: tuple[tuple[tuple[str, ...], tuple[str, ...], str, str], ...] = (
    (
        ("{zc}发布大模型 {p}：参数规模达 {n} 亿", "{zc}推出 {p} 模型，推理成本下降 {pct}%"),
        ("{ec} unveils {p}, a {n}-billion-parameter model", "{ec} launches {p} model"),
        "{zc}今天正式发布新一代大模型 {p}，参数规模达到 {n} 亿，推理成本比上一代下降 {pct}%。",
        "{ec} released {p} on Friday, a model with {n} billion parameters that cuts "
        "inference cost by {pct}% compared with its predecessor.",
    ),
    (
        ("{zc}旗下 AI 公司完成 {m} 亿美元融资", "AI 创业公司获 {zc}领投 {m} 亿美元"),
        ("{ec}-backed AI startup raises ${m} billion", "AI lab raises ${m} billion led by {ec}"),
        "据知情人士透露，由{zc}领投的 AI 公司完成 {m} 亿美元新一轮融资，估值达到 {v} 亿美元。",
        "An AI startup backed by {ec} has raised ${m} billion in a new round that values "
        "the company at ${v} billion, people familiar with the matter said.",
    ),
    (
        ("{zc}发布 AI 芯片 {p}，算力提升 {pct}%", "{zc}新一代 AI 芯片 {p} 亮相"),
        ("{ec} shows {p} AI chip with {pct}% more compute", "{ec} debuts {p} accelerator"),
        "{zc}发布新一代 AI 芯片 {p}，单卡算力较上一代提升 {pct}%，预计 {q} 季度量产。",
        "{ec} introduced its {p} AI accelerator, which it says delivers {pct}% more "
        "compute than the previous generation and ships in the {q} quarter.",
    ),
    (
        ("{zc}开源 {p} 智能体框架", "{zc}宣布开源 {p}，已获 {n} 家企业接入"),
        ("{ec} open-sources {p} agent framework", "{ec} releases {p} as open source"),
        "{zc}宣布开源智能体框架 {p}，目前已有 {n} 家企业接入，支持多智能体协作与工具调用。",
        "{ec} has open-sourced {p}, an agent framework that {n} companies already use "
        "for multi-agent workflows and tool calling.",
    ),
    (
        ("{zc}人形机器人 {p} 开启量产", "{zc}发布人形机器人 {p}，售价 {n} 万元"),
        ("{ec} starts mass production of {p} humanoid robot", "{ec} prices {p} robot"),
        "{zc}宣布人形机器人 {p} 正式量产，售价 {n} 万元，首批将交付给制造业客户。",
        "{ec} said its {p} humanoid robot has entered mass production at a price of "
        "{n}0,000 yuan, with first units going to manufacturers.",
    ),
)
LEAD_PREFIXES = {
    "zh": ("", "据悉，", "记者获悉，", "消息称，"),
    "en": ("", "UPDATE: ", "Here is what we know so far. "),
}
# Filler sentences are put together from parts, so no two outlets' paragraphs repeat.
ZH_PARTS = (
    ("业内人士", "分析师", "多位开发者", "投资人", "公司高管", "研究人员", "一位工程师",
     "行业观察者"),
    ("认为", "指出", "表示", "提到", "强调", "坦言", "预计", "判断"),
    ("这一进展", "新版本", "相关服务", "这类产品", "算力成本", "数据质量", "开源生态", "行业竞争"),
    ("将加速大模型在行业中的落地", "仍需时间验证稳定性", "会影响明年的采购计划",
     "正在改变软件开发的方式", "对中小企业更友好", "短期内难以大规模普及",
     "会推动更多厂商跟进", "需要更完善的监管配套"),
)  # fmt: skip
EN_PARTS = (
    ("Analysts", "Several developers", "Investors", "Company executives", "Researchers",
     "One engineer", "Industry observers", "Early customers"),
    ("said", "noted", "argued", "expect", "warned", "suggested", "believe", "added"),
    ("the release", "the new version", "the service", "products like this", "compute costs",
     "data quality", "the open-source ecosystem", "competition in the sector"),
    ("will speed up enterprise adoption", "still has to prove its reliability",
     "could shape next year's budgets", "is changing how software gets built",
     "works better for smaller firms", "will take time to reach the mass market",
     "will push rivals to respond", "needs clearer rules from regulators"),
)  # fmt: skip


def filler(rng: random.Random, lang: str) -> str:
    """One generated sentence of commentary."""
    parts = [rng.choice(options) for options in (ZH_PARTS if lang == "zh" else EN_PARTS)]
    if lang == "zh":
        return f"{parts[0]}{parts[1]}，{parts[2]}{parts[3]}。"
    return f"{parts[0]} {parts[1]} that {parts[2]} {parts[3]}."


OFF_TOPIC = (
    ("zh", "{n} 城房价数据出炉，一线城市环比持平", "国家统计局发布 {n} 个城市的房价数据，一线城市新建住宅价格环比持平。"),  # noqa: E501
    ("zh", "国际油价连续 {q} 日上涨", "受供应收紧影响，国际油价连续上涨，布伦特原油报每桶 {n} 美元。"),  # noqa: E501
    ("en", "Local team wins the cup after {n}-year wait", "The club lifted the trophy for the first time in {n} years after a late goal."),  # noqa: E501
    ("en", "Gold climbs to ${n} an ounce", "Gold prices rose to ${n} an ounce as investors sought safety."),  # noqa: E501
)  # fmt: skip
# At least this many outlets, so the faults and reposts have somewhere to go.
MIN_SITES = 6
QUARTERS = ("一", "二", "三", "四")
ZH_SITE_WORDS = ("科技", "前沿", "智能", "数码", "创投", "观察", "日报", "速递", "在线", "频道")
EN_SITE_WORDS = ("Tech", "Wire", "Insider", "Daily", "Signal", "Review", "Digest", "Post", "Lab")


@dataclass
class Item:
    """One article as the world serves it: feed fields, text, and how its page behaves."""

    slug: str
    lang: str
    title: str
    paragraphs: list[str]
    published: datetime
    story: str  # story key ("off" for off-topic items)
    fault: str | None = None  # None, "slow", "flaky", "gone", "hang"


@dataclass
class Site:
    """One outlet: a host on the loopback network, its feed and its articles."""

    index: int
    name: str
    lang: str
    host: str
    items: list[Item] = field(default_factory=list)
    feed_fault: str | None = None  # None, "error" (503), "down" (nothing listens)
    gbk: bool = False  # pages served in GBK, declared in the Content-Type header


@dataclass
class WorldSpec:
    """The size and faults of the world."""

    articles: int = 2000
    per_feed: int = 50
    seed: int = 18
    window_start: datetime = datetime(2026, 2, 13)
    slow_host_delay: float = 1.0  # s per page on the slow host
    hang_pages: int = 1  # pages that never answer (each costs the fetch deadline)


def story_values(rng: random.Random, key: int) -> dict[str, object]:
    """The slot values that make one story distinct: company, product, numbers."""
    zc, ec = COMPANIES[key % len(COMPANIES)]
    stem = PRODUCT_STEMS[(key // len(COMPANIES)) % len(PRODUCT_STEMS)]
    product = f"{stem}-{1 + key % 7}.{key % 10}"
    return {
        "zc": zc,
        "ec": ec,
        "p": product,
        "n": rng.randint(12, 980),
        "pct": rng.randint(11, 87),
        "m": rng.randint(2, 60),
        "v": rng.randint(100, 3000),
        "q": rng.choice(QUARTERS) if rng.random() < 0.5 else rng.choice(("first", "third")),
    }


def story_text(rng: random.Random, key: int, lang: str, values: dict[str, object]) -> list[str]:
    """A title and 6-11 paragraphs for one outlet's report of story key."""
    zh_titles, en_titles, zh_lead, en_lead = KINDS[key % len(KINDS)]
    titles, lead = (zh_titles, zh_lead) if lang == "zh" else (en_titles, en_lead)
    title = rng.choice(titles).format(**values)
    joiner = "" if lang == "zh" else " "
    paragraphs = [rng.choice(LEAD_PREFIXES[lang]) + lead.format(**values)]
    for _ in range(rng.randint(6, 11)):
        paragraphs.append(joiner.join(filler(rng, lang) for _ in range(3)))
    return [title, *paragraphs]


def off_topic_text(rng: random.Random, lang: str) -> list[str]:
    """A title and paragraphs of a news item that is not about AI."""
    choices = [t for t in OFF_TOPIC if t[0] == lang]
    _, title, lead = rng.choice(choices)
    values = {"n": rng.randint(2, 90), "q": rng.randint(3, 9)}
    rest = [lead.format(**values)] * 2 if lang == "zh" else [lead.format(**values)]
    return [title.format(**values), *rest, "记者 综合报道。" if lang == "zh" else "Staff report."]


def make_sites(spec: WorldSpec) -> list[Site]:
    """The outlets: half Chinese, half English, one host each (127.0.0.10 onwards)."""
    count = max(MIN_SITES, math.ceil(spec.articles / spec.per_feed))
    sites = []
    for k in range(count):
        lang = "zh" if k % 2 == 0 else "en"
        words = ZH_SITE_WORDS if lang == "zh" else EN_SITE_WORDS
        name = f"{words[k % len(words)]}{k}" if lang == "zh" else f"{words[k % len(words)]} {k}"
        sites.append(Site(k, name, lang, f"127.0.0.{10 + k}", gbk=lang == "zh" and k % 6 == 0))
    return sites


def story_sizes(rng: random.Random, total: int) -> list[int]:
    """Outlets per story: mostly one, some a handful, a few big stories."""
    sizes: list[int] = []
    while sum(sizes) < total:
        r = rng.random()
        sizes.append(1 if r < 0.55 else rng.randint(2, 4) if r < 0.9 else rng.randint(6, 14))
    sizes[-1] -= sum(sizes) - total
    return [s for s in sizes if s > 0]


def publish_time(rng: random.Random, spec: WorldSpec) -> datetime:
    """A time inside the window (the day before the digest's date), Shanghai time."""
    from zoneinfo import ZoneInfo

    start = spec.window_start.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return start + timedelta(seconds=rng.randint(60, 86_340))


def build_world(spec: WorldSpec) -> list[Site]:
    """Sites with their items: AI stories across outlets, off-topic items, reposts, faults."""
    rng = random.Random(spec.seed)
    sites = make_sites(spec)
    per_site = math.ceil(spec.articles / len(sites))
    slots = [s for s in sites for _ in range(per_site)]
    rng.shuffle(slots)
    slots = slots[: spec.articles]
    cursor = 0
    for key, size in enumerate(story_sizes(rng, len(slots))):
        values = story_values(rng, key)
        off = rng.random() < 0.12
        for site in slots[cursor : cursor + size]:
            title, *paras = (
                off_topic_text(rng, site.lang) if off else story_text(rng, key, site.lang, values)
            )
            slug = f"a{len(site.items):03d}-{key}"
            site.items.append(
                Item(
                    slug,
                    site.lang,
                    title,
                    paras,
                    publish_time(rng, spec),
                    "off" if off else f"s{key}",
                )
            )
        cursor += size
    add_reposts(rng, sites)
    add_faults(spec, sites)
    return sites


def add_reposts(rng: random.Random, sites: list[Site]) -> None:
    """Turn about 4 % of items into reposts of another outlet's article (same language)."""
    items = [(s, i) for s in sites for i in s.items]
    for site, item in rng.sample(items, len(items) // 25):
        donors = [i for s, i in items if s is not site and s.lang == site.lang and i.story != "off"]
        if not donors:
            continue
        original = rng.choice(donors)
        note = (
            "本文转载自合作媒体。"
            if site.lang == "zh"
            else "This article originally appeared on a partner site."
        )
        item.title, item.story = original.title, original.story
        item.paragraphs = [*original.paragraphs, note]
        item.published = original.published + timedelta(hours=2)


def add_faults(spec: WorldSpec, sites: list[Site]) -> None:
    """A slow host, a flaky host, a few gone pages, hanging pages, two broken extra feeds."""
    if len(sites) >= 4:
        for item in sites[1].items:
            item.fault = "slow"
        for item in sites[2].items[::5]:
            item.fault = "flaky"  # a 503 on the first request, fine on the retry
        for item in sites[3].items[:3]:
            item.fault = "gone"  # 404: the article is built from the feed's text
    for item in sites[-1].items[: spec.hang_pages]:
        item.fault = "hang"
    broken = len(sites)
    sites.append(Site(broken, "Broken Feed", "en", f"127.0.0.{10 + broken}", feed_fault="error"))
    sites.append(Site(broken + 1, "宕机频道", "zh", f"127.0.0.{11 + broken}", feed_fault="down"))


# ------------------------------------------------------------------ feeds and pages


def rss(site: Site, base: str) -> str:
    """The site's RSS 2.0 feed: every item with its date and a summary paragraph."""
    entries = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{base}/news/{i.slug}.html</link>"
        f"<guid>{base}/news/{i.slug}.html</guid><pubDate>{format_datetime(i.published)}</pubDate>"
        f"<description>{html.escape(i.paragraphs[0])}</description></item>"
        for i in sorted(site.items, key=lambda i: i.published, reverse=True)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(site.name)}</title><link>{base}/</link>"
        f"<description>{html.escape(site.name)} news</description>{entries}</channel></rss>"
    )


def page(site: Site, item: Item, others: list[Item]) -> str:
    """An article page: head with metadata, scripts and styles, navigation, the article,
    share buttons, related links, comments, a sidebar and a footer (about 100 KB and
    700 elements, like the median real news page)."""
    title = html.escape(item.title)
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in item.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if site.lang == "zh" else "en"}"><head>'
        f'<meta charset="{"gbk" if site.gbk else "utf-8"}"><title>{title} | {html.escape(site.name)}</title>'  # noqa: E501
        f'<meta property="og:title" content="{title}"><meta property="og:site_name" content="{html.escape(site.name)}">'  # noqa: E501
        f'<meta property="article:published_time" content="{item.published.isoformat()}">'
        f"{head_boilerplate(site.index)}</head><body>{nav(site)}"
        f'<div class="wrap"><main><article class="post"><h1>{title}</h1>'
        f'<div class="byline">{byline(site, item)}</div>'
        f'<div class="content">{body}</div>{share()}</article>'
        f"{related(others)}{comments(site, item)}</main>{sidebar(others)}</div>"
        f"{footer(site)}{tail_scripts(site.index)}</body></html>"
    )


def head_boilerplate(seed: int) -> str:
    """Stylesheets, an inline style block and analytics/config scripts."""
    css = "".join(
        f".c{seed}-{k}{{margin:{k % 9}px {k % 5}px;padding:{k % 7}px;color:#{k * 4099 % 0xFFFFFF:06x}}}"  # noqa: E501
        for k in range(90)
    )
    config = ",".join(f'"flag{k}":{str(k % 3 == 0).lower()}' for k in range(2500))
    return (
        "".join(f'<link rel="stylesheet" href="/static/css/s{k}.css?v={seed}">' for k in range(6))
        + f"<style>{css}</style>"
        + f"<script>window.__CONFIG__={{{config}}};</script>"
        + "<script>(function(w,d){var s=d.createElement('script');s.async=1;"
        + "s.src='/static/js/analytics.js';d.head.appendChild(s);})(window,document);</script>"
    )


def nav(site: Site) -> str:
    """The site header: logo, 90 channel links, a search form and a breadcrumb."""
    label = "频道" if site.lang == "zh" else "Section"
    links = "".join(f'<li><a href="/c/{k}">{label} {k}</a></li>' for k in range(90))
    return (
        f'<header class="top"><a class="logo" href="/">{html.escape(site.name)}</a>'
        f'<nav><ul class="menu">{links}</ul></nav><form action="/search"><input name="q">'
        f"<button>{'搜索' if site.lang == 'zh' else 'Search'}</button></form></header>"
        f'<div class="crumbs"><a href="/">Home</a> &gt; <a href="/c/ai">AI</a></div>'
    )


def byline(site: Site, item: Item) -> str:
    """Author and date line."""
    who = "记者 张明" if site.lang == "zh" else "By Alex Morgan"
    return f"<span>{who}</span> <time>{item.published:%Y-%m-%d %H:%M}</time>"


def share() -> str:
    """Share buttons and a newsletter box."""
    buttons = "".join(f'<a class="share s{k}" href="/share/{k}">share {k}</a>' for k in range(8))
    return f'<div class="share-bar">{buttons}</div><div class="newsletter">Subscribe</div>'


def related(others: list[Item]) -> str:
    """Twenty related-article links with teasers."""
    items = "".join(
        f'<li><a href="/news/{o.slug}.html">{html.escape(o.title)}</a>'
        f"<span>{html.escape(o.paragraphs[0][:60])}</span></li>"
        for o in others[:20]
    )
    return f'<section class="related"><h3>Related</h3><ul>{items}</ul></section>'


def comments(site: Site, item: Item) -> str:
    """Fifteen reader comments."""
    zh = ("写得不错", "期待后续报道", "有点贵", "已经试用了", "不太看好")
    en = ("Great piece", "Waiting for more", "Too expensive", "Tried it", "Not convinced")
    words = zh if site.lang == "zh" else en
    rows = "".join(
        f'<div class="comment"><b>user{k}</b><p>{w}</p><a href="/reply/{k}">reply</a></div>'
        for k, w in enumerate(words * 3)
    )
    return f'<section class="comments"><h3>Comments</h3>{rows}</section>'


def sidebar(others: list[Item]) -> str:
    """Hot list of 30 titles and an ad slot."""
    hot = "".join(
        f'<li><a href="/news/{o.slug}.html">{html.escape(o.title)}</a></li>' for o in others[-30:]
    )
    return f'<aside class="side"><h3>Hot</h3><ol>{hot}</ol><div class="ad" id="ad-1"></div></aside>'


def footer(site: Site) -> str:
    """Footer columns of links and the copyright line."""
    cols = "".join(
        f'<ul class="col">{"".join(f"<li><a href=/f/{c}/{k}>link {c}-{k}</a></li>" for k in range(30))}</ul>'  # noqa: E501
        for c in range(4)
    )
    return f"<footer>{cols}<p>© 2026 {html.escape(site.name)}. All rights reserved.</p></footer>"


def tail_scripts(seed: int) -> str:
    """Tracking and ad scripts at the end of the body (tens of KB of JavaScript)."""
    calls = ";".join(f"track('ev{k}',{{id:{seed * 100 + k},v:'{k:x}'}})" for k in range(600))
    return (
        f"<script>function track(n,d){{window.dl=window.dl||[];dl.push([n,d]);}};{calls};</script>"
    )


def page_bytes(site: Site, item: Item) -> bytes:
    """The page as served: UTF-8, or GBK for the sites that use it."""
    text = page(site, item, site.items)
    return text.encode("gbk", errors="xmlcharrefreplace") if site.gbk else text.encode("utf-8")
