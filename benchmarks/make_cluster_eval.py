"""Write benchmarks/data/cluster_eval.jsonl from the hand-written articles (plus reposts).

Run: ``.venv/bin/python -m benchmarks.make_cluster_eval``. Labels: ``story`` (event label,
null for off-topic) and ``ai``. Reposts are derived from an original the way aggregators
repost: a notice line, an editor line, a new headline, a later time and another outlet.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.eval_articles_a import ROWS_A
from benchmarks.eval_articles_b import ROWS_B
from benchmarks.eval_articles_c import OFF_TOPIC, ROWS_C
from pipeline.models import article_id

OUT = Path(__file__).resolve().parent / "data" / "cluster_eval.jsonl"
CST = timezone(timedelta(hours=8))
DOMAINS = {
    "IT之家": "www.ithome.com",
    "量子位": "www.qbitai.com",
    "机器之心": "www.jiqizhixin.com",
    "36氪": "36kr.com",
    "虎嗅": "www.huxiu.com",
    "钛媒体": "www.tmtpost.com",
    "极客公园": "www.geekpark.net",
    "爱范儿": "www.ifanr.com",
    "品玩": "www.pingwest.com",
    "澎湃新闻": "www.thepaper.cn",
    "OpenAI News": "openai.com",
    "Google AI Blog": "blog.google",
    "Google DeepMind": "deepmind.google",
    "NVIDIA Blog": "blogs.nvidia.com",
    "Hugging Face Blog": "huggingface.co",
    "The Decoder": "the-decoder.com",
    "MIT Technology Review": "www.technologyreview.com",
    "AI News": "www.artificialintelligence-news.com",
    "TechCrunch AI": "techcrunch.com",
    "The Verge AI": "www.theverge.com",
    "The Verge": "www.theverge.com",
    "VentureBeat AI": "venturebeat.com",
    "Ars Technica AI": "arstechnica.com",
    "Simon Willison": "simonwillison.net",
    "搜狐科技": "www.sohu.com",
    "新浪科技": "finance.sina.com.cn",
    "网易科技": "www.163.com",
    "凤凰科技": "tech.ifeng.com",
    "InfoQ 中文": "www.infoq.cn",
    "Yahoo Finance": "finance.yahoo.com",
    "财联社": "www.cls.cn",
    "新浪体育": "sports.sina.com.cn",
    "中关村在线": "www.zol.com.cn",
    "新华网": "www.news.cn",
    "第一财经": "www.yicai.com",
    "财新": "www.caixin.com",
    "央视新闻": "news.cctv.com",
    "界面新闻": "www.jiemian.com",
    "汽车之家": "www.autohome.com.cn",
    "下厨房": "www.xiachufang.com",
    "证券时报": "www.stcn.com",
}
Row = tuple[str | None, str, int, str, str, str, str]

# (start of the original's headline, reposting outlet, new headline, style)
REPOSTS: list[tuple[str, str, str, str]] = [
    (
        "Anthropic 发布 Claude Opus 4.6",
        "搜狐科技",
        "刚刚，Anthropic 放出新旗舰：上下文直接拉到百万 token",
        "notice",
    ),
    (
        "GPT-5.3-Codex 发布",
        "新浪科技",
        "OpenAI 的编程模型又更新了：快 25%，还能自己调试自己",
        "editor",
    ),
    ("生数科技完成", "网易科技", "生数科技再获融资", "source"),
    ("Waymo 融资 160", "凤凰科技", "Waymo 估值冲上 1260 亿美元", "notice"),
    ("OpenAI 发布 GPT-5.3-Codex-Spark", "搜狐科技", "OpenAI 新模型每秒吐出上千 token", "editor"),
    ("Anthropic 完成 300", "新浪科技", "刷新纪录！Anthropic 估值 3800 亿美元", "source"),
    ("微软 AI CEO：", "网易科技", "白领危机？微软 AI 掌门人放话 18 个月", "notice"),
    (
        "Amazon plans to spend",
        "Yahoo Finance",
        "Amazon will spend about $200 billion this year",
        "en",
    ),
    ("Anthropic raises $30", "Yahoo Finance", "Anthropic closes record $30 billion round", "en"),
    ("谷歌 Gemini 3.1 Pro 发布", "凤凰科技", "谷歌新模型 Gemini 3.1 Pro 来了", "source"),
]


def _url(source: str, title: str, n: int) -> str:
    host = DOMAINS.get(source) or re.sub(r"[^a-z]+", "", source.lower()) + ".com"
    return f"https://{host}/news/2026/{article_id(title + source)[:8]}-{n}"


def _record(row: Row, n: int, *, minute: int = 0) -> dict[str, object]:
    story, day, hour, source, lang, title, text = row
    month, dom = (int(x) for x in day.split("-"))
    published = datetime(2026, month, dom, hour, minute, tzinfo=CST)
    url = _url(source, title, n)
    return {
        "id": article_id(url),
        "url": url,
        "source": source,
        "lang": lang,
        "title": title,
        "published": published.isoformat(),
        "text": text,
        "story": story,
        "ai": story is not None,
    }


def _repost(
    original: dict[str, object], outlet: str, title: str, style: str, n: int
) -> dict[str, object]:
    text = str(original["text"])
    src = original["source"]
    if style == "notice":
        text = f"本文转载自{src}，版权归原作者所有。\n{text}"
    elif style == "editor":
        text = f"{text}\n（责任编辑：王晓）\n点击关注，获取更多科技资讯。"
    elif style == "source":
        text = f"{text}\n来源：{src}"
    else:
        text = f"{text}\nThis article originally appeared on {src}."
    published = datetime.fromisoformat(str(original["published"])) + timedelta(hours=3)
    url = _url(outlet, title, n)
    return {
        **original,
        "id": article_id(url),
        "url": url,
        "source": outlet,
        "title": title,
        "published": published.isoformat(),
        "text": text,
    }


def build() -> list[dict[str, object]]:
    """All labelled records, originals first."""
    rows = [*ROWS_A, *ROWS_B, *ROWS_C, *OFF_TOPIC]
    records = [_record(row, n) for n, row in enumerate(rows)]
    for k, (head, outlet, title, style) in enumerate(REPOSTS):
        original = next(r for r in records if str(r["title"]).startswith(head))
        records.append(_repost(original, outlet, title, style, 1000 + k))
    first = next(r for r in records if r["story"] == "huolong")
    same_url = {**first, "title": f"{first['title']}（更新）"}  # a feed re-emitting an item
    twin = next(r for r in records if r["story"] == "frontier" and r["lang"] == "zh")
    exact = {**twin, "source": "InfoQ 中文", "url": _url("InfoQ 中文", "frontier", 2000)}
    exact["id"] = article_id(str(exact["url"]))
    return [*records, same_url, exact]


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    records = build()
    with OUT.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} records to {OUT}")


if __name__ == "__main__":
    main()
