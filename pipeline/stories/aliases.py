"""One zh↔en alias table of names (companies, products, people, places, bodies, media).

Clustering reads it as surface form → canonical id, so that ``英伟达`` and ``Nvidia`` are
one entity (:data:`ALIASES`). Grounding reads it one way only: a Chinese form in the
sources supports the Latin name in a draft, never the reverse (:func:`zh_aliases`).
"""

from __future__ import annotations

import re

# canonical id → surface forms: Latin ones in lower case (words separated by spaces),
# Chinese ones as written. A form belongs to exactly one id.
# fmt: off
NAMES: dict[str, tuple[str, ...]] = {
    # companies and their products
    "nvidia": ("nvidia", "英伟达", "辉达"),
    "google": ("google", "alphabet", "谷歌"),
    "deepmind": ("deepmind",),
    "alibaba": ("alibaba", "阿里巴巴", "阿里", "阿里云"),
    "zhipu": ("zhipu", "z.ai", "智谱"),
    "microsoft": ("microsoft", "微软"),
    "amazon": ("amazon", "aws", "亚马逊", "亚马逊云"),
    "apple": ("apple", "苹果"),
    "bytedance": ("bytedance", "字节跳动", "字节"),
    "doubao": ("doubao", "豆包"),
    "tencent": ("tencent", "腾讯"),
    "yuanbao": ("yuanbao", "元宝"),
    "baidu": ("baidu", "百度"),
    "ernie": ("ernie", "文心"),
    "moonshot": ("moonshot", "月之暗面"),
    "deepseek": ("deepseek", "深度求索"),
    "qwen": ("qwen", "千问", "通义千问", "通义"),
    "ant-group": ("ant", "ant group", "蚂蚁集团", "蚂蚁", "蚂蚁百灵"),
    "meituan": ("meituan", "美团"),
    "sensetime": ("sensetime", "商汤"),
    "huawei": ("huawei", "华为"),
    "ascend": ("ascend", "昇腾"),
    "xiaomi": ("xiaomi", "小米"),
    "samsung": ("samsung", "三星"),
    "intel": ("intel", "英特尔"),
    "amd": ("amd", "超威"),
    "tsmc": ("tsmc", "台积电"),
    "qualcomm": ("qualcomm", "高通"),
    "softbank": ("softbank", "软银"),
    "oracle": ("oracle", "甲骨文"),
    "tesla": ("tesla", "特斯拉"),
    "unitree": ("unitree", "宇树"),
    "agibot": ("agibot", "智元"),
    "shengshu": ("shengshu", "生数科技"),
    "sugon": ("sugon", "中科曙光", "曙光"),
    "sequoia": ("sequoia", "红杉"),
    "berkshire": ("伯克希尔",),
    "meta": ("meta", "脸书"),
    "reddit": ("reddit",),
    "spotify": ("spotify", "声田"),
    "ibm": ("ibm", "国际商业机器"),
    "salesforce": ("salesforce", "赛富时"),
    "asteris": ("asteris", "星衍"),
    "biaoren": ("镖人",),
    "uber": ("uber", "优步"),
    "aramco": ("aramco", "沙特阿美"),
    "sony": ("sony", "索尼"),
    "gic": ("gic", "新加坡主权基金"),
    "hkex": ("hkex", "港交所", "港股"),
    # people
    "musk": ("musk", "elon musk", "马斯克"),
    "jensen-huang": ("huang", "jensen huang", "黄仁勋"),
    "altman": ("altman", "sam altman", "奥尔特曼", "阿尔特曼", "奥特曼"),
    "zuckerberg": ("zuckerberg", "扎克伯格"),
    "suleyman": ("suleyman", "mustafa suleyman", "苏莱曼"),
    "nadella": ("nadella", "纳德拉"),
    "pichai": ("pichai", "皮查伊"),
    "guterres": ("guterres", "古特雷斯"),
    # public bodies, universities, instruments
    "un": ("un", "united nations", "联合国"),
    "eu": ("eu", "欧盟"),
    "unesco": ("unesco", "教科文"),
    "itu": ("itu", "国际电信联盟"),
    "white-house": ("白宫",),
    "samr": ("samr", "市场监管总局"),
    "tsinghua": ("tsinghua", "清华", "清华大学"),
    "stanford": ("stanford", "斯坦福"),
    "mit": ("mit", "麻省理工"),
    "harvard": ("harvard", "哈佛"),
    "jwst": ("jwst", "webb", "韦伯"),
    # media
    "financial-times": ("ft", "financial times", "金融时报"),
    "reuters": ("reuters", "路透"),
    "bloomberg": ("bloomberg", "彭博"),
    "wsj": ("wsj", "华尔街日报"),
    # places
    "china": ("china", "中国"),
    "usa": ("美国",),
    "india": ("india", "indian", "印度"),
    "saudi": ("沙特",),
    "hong-kong": ("hong", "香港"),
    "chengdu": ("成都",),
    "beijing": ("beijing", "北京"),
    "shanghai": ("shanghai", "上海"),
    "shenzhen": ("shenzhen", "深圳"),
}
# fmt: on

CJK_RE = re.compile(r"[\u3400-\u9fff]")
_KEY_ATOM_RE = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)*")


def latin_key(name: str) -> str:
    """A Latin name as one lookup key: lower case, letters and digits only (``Z.ai`` → ``zai``)."""
    return "".join(_KEY_ATOM_RE.findall(name.lower()))


def _surface_ids() -> dict[str, str]:
    found: dict[str, str] = {}
    for name_id, forms in NAMES.items():
        for form in forms:
            if found.setdefault(form, name_id) != name_id:
                raise ValueError(f"alias {form!r} is listed under {found[form]!r} and {name_id!r}")
    return found


def _zh_by_key() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for forms in NAMES.values():
        zh = tuple(f for f in forms if CJK_RE.search(f))
        for form in forms:
            if zh and not CJK_RE.search(form):
                out[latin_key(form)] = zh
    return out


# surface form (Latin lower case, Chinese as written) → canonical id
ALIASES: dict[str, str] = _surface_ids()
_ZH_BY_KEY = _zh_by_key()


def zh_aliases(key: str) -> tuple[str, ...]:
    """The Chinese forms that support a Latin name, by its :func:`latin_key`."""
    return _ZH_BY_KEY.get(key, ())
