"""Hand-written evaluation articles, part A (week of 2026-02-05): (story, day, hour, source, lang, title, text)."""
# ruff: noqa: E501  (news prose: one sentence group per line reads better than wrapped strings)

from __future__ import annotations

ROWS_A: list[tuple[str | None, str, int, str, str, str, str]] = [
    # ---- Claude Opus 4.6 -------------------------------------------------------------
    (
        "opus46",
        "02-05",
        23,
        "IT之家",
        "zh",
        "Anthropic 发布 Claude Opus 4.6：首次支持 100 万 token 上下文",
        "Anthropic 今日发布新一代旗舰模型 Claude Opus 4.6，这是 Opus 系列首次支持 100 万 token 的上下文窗口。"
        "在 MRCR v2 长文本检索测试中，新模型得分达到 76%，而前代仅为 18.5%。"
        "官方称其在 Terminal-Bench 2.0 编程评测中刷新了行业纪录。定价维持每百万 token 输入 5 美元、输出 25 美元不变。",
    ),
    (
        "opus46",
        "02-06",
        8,
        "量子位",
        "zh",
        "Opus 4.6 上手：16 个智能体两周写出 C 编译器，还挖出 500 个零日漏洞",
        "Claude Opus 4.6 来了。Anthropic 展示了一个实验：16 个 Agent 并行协作，两周内用 Rust 从零写出一个能编译 Linux 内核的 10 万行 C 编译器。"
        "更让安全圈震动的是，红队测试中模型在沙箱里发现了开源代码中超过 500 个此前未知的零日漏洞，包括 GhostScript 和 OpenSC 的问题。"
        "新模型还加强了 Excel 与 PowerPoint 集成，已在官网、API 和主流云平台上线。",
    ),
    (
        "opus46",
        "02-05",
        19,
        "The Decoder",
        "en",
        "Anthropic's Claude Opus 4.6 brings a one-million-token context window",
        "Anthropic has released Claude Opus 4.6, the first Opus model with a context window of one million tokens. "
        "On the MRCR v2 long-context retrieval test it scores 76 percent, up from 18.5 percent for its predecessor. "
        "The company says the model sets a new record on Terminal-Bench 2.0 and keeps pricing at $5 per million input tokens and $25 per million output tokens.",
    ),
    (
        "opus46",
        "02-05",
        21,
        "TechCrunch AI",
        "en",
        "Anthropic's new Opus model found 500 zero-days during testing",
        "Anthropic on Thursday launched Claude Opus 4.6, pitching it as its strongest model yet for coding and agentic work. "
        "During red-team testing, the model uncovered more than 500 previously unknown vulnerabilities in open-source projects without being specifically asked to look for them. "
        "In one internal experiment, 16 agents working in parallel built a 100,000-line C compiler in Rust over two weeks. "
        "The model is available through the API and major cloud platforms.",
    ),
    (
        "opus46",
        "02-06",
        2,
        "The Verge AI",
        "en",
        "Claude Opus 4.6 can now make your PowerPoint decks too",
        "Anthropic's latest flagship, Claude Opus 4.6, is getting deeper hooks into Office. "
        "An Excel integration can ingest messy, unstructured data and infer a table structure, while a PowerPoint add-in learns a company's template to generate slides. "
        "The model also supports a one-million-token context window, a first for the Opus line.",
    ),
    # ---- GPT-5.3-Codex -----------------------------------------------------------------
    (
        "gpt53codex",
        "02-05",
        22,
        "OpenAI News",
        "en",
        "Introducing GPT-5.3-Codex",
        "Today we're releasing GPT-5.3-Codex, our most capable agentic coding model. "
        "It runs 25% faster than its predecessor and uses less than half as many tokens on many tasks. "
        "GPT-5.3-Codex reaches 57% on SWE-Bench Pro, 76% on Terminal-Bench 2.0 and 64.7% on OSWorld. "
        "It is also the first model that was instrumental in creating itself: the team used early versions to debug training and manage deployment.",
    ),
    (
        "gpt53codex",
        "02-06",
        9,
        "量子位",
        "zh",
        'GPT-5.3-Codex 发布：OpenAI 首个参与"自我开发"的模型',
        "OpenAI 推出编程模型 GPT-5.3-Codex，运行速度比前代提升 25%，token 消耗降低超过 50%。"
        "评测方面，它在 SWE-Bench Pro 上达到 57%，Terminal-Bench 2.0 为 76%，OSWorld 计算机操作测试为 64.7%。"
        'OpenAI 表示，研发团队用它的早期版本调试训练流程和管理部署，这是首个实现"自我加速"的模型。',
    ),
    (
        "gpt53codex",
        "02-06",
        11,
        "36氪",
        "zh",
        "OpenAI 深夜出招：新编程模型正面迎战 Claude",
        "就在 Anthropic 发布新旗舰的同一天，OpenAI 推出了 GPT-5.3-Codex。"
        "新模型支持在任务执行过程中实时交互反馈，开发者可以随时调整方向，不必等它跑完。"
        "OpenAI 公布的数据显示，其 SWE-Bench Pro 准确率为 57%，速度提升 25%。业内人士认为，编程智能体已成为两家公司争夺企业客户的主战场。",
    ),
    (
        "gpt53codex",
        "02-05",
        23,
        "VentureBeat AI",
        "en",
        "OpenAI's GPT-5.3-Codex is faster, cheaper and helped build itself",
        "OpenAI has shipped GPT-5.3-Codex, a coding model that the company says is 25 percent faster and consumes far fewer tokens than GPT-5.2-Codex. "
        "Benchmarks shared by OpenAI put it at 64.7% on OSWorld and 57% on SWE-Bench Pro. "
        "Developers can steer the model mid-task instead of waiting for a long run to finish, a change aimed at enterprise engineering teams.",
    ),
    (
        "gpt53codex",
        "02-06",
        4,
        "Ars Technica AI",
        "en",
        "OpenAI says its new Codex model debugged its own training run",
        "OpenAI's newest coding model, GPT-5.3-Codex, arrived on Thursday with a claim that is hard to verify from outside: early versions of the model were used to debug its own training pipeline. "
        "The company reports a Terminal-Bench 2.0 score of 76 percent. "
        "The release landed within an hour of Anthropic's Opus announcement.",
    ),
    # ---- OpenAI Frontier ----------------------------------------------------------------
    (
        "frontier",
        "02-05",
        20,
        "TechCrunch AI",
        "en",
        "OpenAI launches Frontier, a platform for managing AI agents at work",
        "OpenAI introduced Frontier, an enterprise platform that lets companies deploy AI agents with their own identities and permissions. "
        "Agents on Frontier can connect to CRMs and internal databases, operate computers and run code. "
        "Uber, Intuit and Oracle are among the early customers piloting the platform, which also works with agents built by Microsoft and Anthropic.",
    ),
    (
        "frontier",
        "02-06",
        10,
        "机器之心",
        "zh",
        'OpenAI 推出企业智能体平台 Frontier，给 AI"发工牌"',
        "OpenAI 发布面向企业的智能体管理平台 Frontier，可以为 AI 智能体分配身份和权限，连接 CRM、数据库等业务系统。"
        "平台兼容微软和 Anthropic 的智能体，Uber、Intuit、Oracle 等企业已开始试点。"
        "官方称，硬件测试故障分析等任务的耗时已从数周缩短到一天甚至几分钟。",
    ),
    (
        "frontier",
        "02-06",
        3,
        "The Verge AI",
        "en",
        "OpenAI wants AI agents to be your coworkers with Frontier",
        "OpenAI's new Frontier product treats AI agents more like employees: each gets an identity, access rights and a manager. "
        "The company says early testers such as Intuit cut some failure-analysis jobs from weeks to minutes. "
        "Frontier is open to agents from other vendors, including Anthropic.",
    ),
    # ---- Qwen Spring Festival ----------------------------------------------------------
    (
        "qwen_cny",
        "02-06",
        18,
        "IT之家",
        "zh",
        "阿里千问春节 30 亿免单活动上线 9 小时，订单破 1000 万",
        '阿里千问 App 今日启动"春节 30 亿大免单"活动，上线 9 小时订单突破 1000 万单，并登顶苹果 App Store 免费榜。'
        "用户更新 App 即可领取 25 元无门槛免单卡，可用于奶茶、餐饮、生鲜和盒马商品。"
        "由于流量过大，系统一度卡顿，团队正在持续扩容。",
    ),
    (
        "qwen_cny",
        "02-06",
        21,
        "36氪",
        "zh",
        '千问把"帮我买"喊了 3000 万次：AI 购物的第一次大考',
        '活动期间，用户对千问说了 3000 多万次"帮我买"。千问已接入淘宝闪购、支付宝、飞猪、高德等阿里生态场景。'
        '郑嗣寿表示，活动目的是培养用户"有事找AI"的习惯，让 AI 从线上对话走进衣食住行。'
        "受此带动，港股茶饮板块当日多数上涨。",
    ),
    (
        "qwen_cny",
        "02-07",
        9,
        "虎嗅",
        "zh",
        "30 亿红包砸向 AI 助手，阿里想要的不只是订单",
        "春节档的 AI 红包大战，阿里率先出手：千问 App 拿出 30 亿元做免单，9 小时订单过千万。"
        "这不是一次简单的补贴，阿里想把千问从聊天助手变成能下单、能办事的超级 Agent。"
        "但补贴退潮后用户能否留下，仍是未知数。",
    ),
    (
        "qwen_cny",
        "02-07",
        1,
        "AI News",
        "en",
        "Alibaba's Qwen app logs 10 million orders in nine hours",
        "Alibaba's AI assistant Qwen processed more than 10 million orders within nine hours of launching a 3 billion yuan Lunar New Year giveaway. "
        "Users can ask the chatbot to buy bubble tea, meals and groceries, with the purchases routed through Taobao and Alipay. "
        "The app briefly topped Apple's App Store free chart in China.",
    ),
    # ---- Shengshu funding ---------------------------------------------------------------
    (
        "shengshu",
        "02-06",
        12,
        "36氪",
        "zh",
        "生数科技完成超 6 亿元 A+ 轮融资，Vidu 视频模型跻身全球第二",
        "视频大模型公司生数科技宣布完成超 6 亿元 A+ 轮融资，由中关村科学城和星连资本领投。"
        "旗下 Vidu Q3 在 Artificial Analysis 视频生成榜单上排名全球第二，仅次于 xAI 的 Grok。"
        "公司称 2025 年用户和收入均实现超 10 倍增长。",
    ),
    (
        "shengshu",
        "02-06",
        15,
        "量子位",
        "zh",
        "Vidu 背后的生数又拿钱了：6 亿元，客户有索尼电影",
        "生数科技新一轮融资超过 6 亿元。其 Vidu Q3 模型生成速度据称比 Sora 快 10 倍，客户包括索尼电影和腾讯动漫等头部公司。"
        "新资金将用于模型研发和海外市场拓展。",
    ),
    # ---- Sugon 30,000-card cluster ------------------------------------------------------
    (
        "sugon",
        "02-05",
        16,
        "IT之家",
        "zh",
        "全国首个 3 万卡国产 AI 算力池在郑州上线",
        "2 月 5 日，中科曙光建设的 3 万卡规模国产 AI 算力池在国家超算互联网郑州核心节点上线，是目前实际投运的最大国产算力池。"
        "从万卡到 3 万卡只用了不到两个月，已完成 400 多个主流大模型的适配，可支持万亿参数模型训练。",
    ),
    (
        "sugon",
        "02-06",
        10,
        "钛媒体",
        "zh",
        '曙光 3 万卡超集群投运，国产算力进入"三万卡时代"',
        "中科曙光宣布其 3 万卡超集群正式投运。该集群部署于郑州，面向大模型训练和高通量推理。"
        "业内认为，这标志着国产 AI 芯片集群规模追上了主流大模型训练的需求。",
    ),
    (
        "sugon",
        "02-06",
        14,
        "AI News",
        "en",
        "Sugon brings a 30,000-card domestic AI cluster online in Zhengzhou",
        "Chinese server maker Sugon has switched on a computing pool of 30,000 domestically made AI accelerators at the national supercomputing internet hub in Zhengzhou. "
        "The company says the cluster has been adapted to more than 400 large models and can train models with a trillion parameters.",
    ),
    # ---- Amazon capex -------------------------------------------------------------------
    (
        "amazon_capex",
        "02-06",
        7,
        "TechCrunch AI",
        "en",
        "Amazon plans to spend $200 billion on capex in 2026, mostly on AI",
        "Amazon expects capital expenditures of about $200 billion in 2026, more than 50% above last year, as it races to build AI data centers. "
        "AWS revenue reached $35.6 billion in the fourth quarter. "
        "CEO Andy Jassy told analysts the spending is necessary to stay competitive, but shares fell in after-hours trading.",
    ),
    (
        "amazon_capex",
        "02-06",
        9,
        "The Verge AI",
        "en",
        "Amazon's AI spending spree is getting even bigger",
        "Andy Jassy says Amazon will pour roughly $200 billion into capital spending this year, with most of it going to AI infrastructure. "
        "The figure tops what Microsoft, Google and Meta have forecast. Investors were unimpressed and sent the stock down.",
    ),
    (
        "amazon_capex",
        "02-06",
        13,
        "36氪",
        "zh",
        "亚马逊 2026 年资本开支将达 2000 亿美元，押注 AI 基础设施",
        "亚马逊在财报中披露，公司 2026 年资本支出预计约 2000 亿美元，同比增长超过 50%，大部分投向 AI 数据中心。"
        "AWS 四季度营收 356 亿美元，贡献了公司超过 60% 的运营利润。CEO 安迪·贾西表示，这是保持长期竞争力的必要投入。",
    ),
    (
        "amazon_capex",
        "02-06",
        16,
        "IT之家",
        "zh",
        "亚马逊股价盘后下跌：AI 投入 2000 亿美元吓到投资者",
        "亚马逊宣布今年将投入约 2000 亿美元资本支出，远超市场预期，股价盘后一度下跌逾 8%。"
        "分析师担心，巨额 AI 投入短期内难以转化为利润。",
    ),
    (
        "amazon_capex",
        "02-06",
        11,
        "Ars Technica AI",
        "en",
        "Amazon's $200 billion bet shows AI infrastructure race has no ceiling",
        "Amazon joined its rivals in dramatically raising spending plans, guiding to about $200 billion of capital expenditures for 2026. "
        "AWS grew to $35.6 billion in quarterly revenue, its fastest pace in three years.",
    ),
    # ---- Waymo funding ------------------------------------------------------------------
    (
        "waymo",
        "02-05",
        2,
        "TechCrunch AI",
        "en",
        "Waymo raises $16 billion at a $126 billion valuation",
        "Alphabet's self-driving unit Waymo has raised $16 billion in a round that values it at $126 billion, up from $45 billion two years ago. "
        "The robotaxi service already operates in San Francisco, Phoenix, Los Angeles and Miami. "
        "Waymo plans to enter more than a dozen US cities in 2026, as well as London and Tokyo.",
    ),
    (
        "waymo",
        "02-05",
        10,
        "36氪",
        "zh",
        "Waymo 融资 160 亿美元，估值 1260 亿美元",
        "谷歌旗下自动驾驶公司 Waymo 完成 160 亿美元融资，估值达 1260 亿美元，较两年前的 450 亿美元增长近两倍。"
        "Waymo 的无人驾驶出租车已在旧金山、菲尼克斯、洛杉矶和迈阿密运营，计划今年进入达拉斯、拉斯维加斯等十多个美国城市以及伦敦和东京。",
    ),
    (
        "waymo",
        "02-05",
        14,
        "极客公园",
        "zh",
        "估值翻了近三倍，Waymo 拿到 160 亿美元弹药",
        "Robotaxi 赛道迎来最大一笔融资。Waymo 此轮募资 160 亿美元，投后估值 1260 亿美元。"
        "资金将用于扩大车队规模和海外扩张，其中伦敦和东京是首批海外目标市场。",
    ),
    (
        "waymo",
        "02-05",
        6,
        "The Verge AI",
        "en",
        "Waymo now worth $126 billion after massive funding round",
        "Waymo's latest round brings in $16 billion and lifts its valuation to $126 billion. "
        "The company is preparing launches in Dallas, Las Vegas and Washington, DC, this year.",
    ),
    # ---- Reddit Answers -------------------------------------------------------------------
    (
        "reddit_answers",
        "02-06",
        6,
        "TechCrunch AI",
        "en",
        "Reddit Answers hit 15 million weekly users as Reddit leans into AI search",
        "Reddit said on its earnings call that its AI search product, Reddit Answers, reached 15 million weekly active users in the fourth quarter, up from 1 million at the start of 2025. "
        "The company plans to remove the distinction between logged-in and logged-out users by the third quarter of 2026 and personalise the whole site with AI.",
    ),
    (
        "reddit_answers",
        "02-06",
        8,
        "The Verge AI",
        "en",
        "Reddit is blending AI answers into search",
        "Reddit will merge AI-generated answers with its traditional search results, executives said after the company reported fourth-quarter results. "
        "Weekly users of Reddit Answers grew fifteenfold to 15 million.",
    ),
    (
        "reddit_answers",
        "02-06",
        15,
        "36氪",
        "zh",
        "Reddit 押注 AI 搜索：Answers 周活一年增长 15 倍",
        "Reddit 在财报电话会上透露，AI 搜索产品 Reddit Answers 的周活跃用户从 2025 年初的 100 万增至第四季度的 1500 万。"
        "公司计划在 2026 年第三季度前取消登录与未登录用户的区分，用 AI 实现全站个性化推荐。",
    ),
    # ---- SAMR cases -------------------------------------------------------------------------
    (
        "samr_cases",
        "02-06",
        10,
        "IT之家",
        "zh",
        "市场监管总局公布 5 起 AI 领域不正当竞争典型案例",
        "国家市场监管总局公布 5 起人工智能领域不正当竞争典型案例。"
        '其中，北京奥蓝德和杭州博珩因使用 DeepSeek 官方字样和图标推广所谓"本地部署工具"并诱导付费，分别被罚 5000 元和 3 万元。'
        '上海熘云运营"ChatGPT在线"公众号，冒充"ChatGPT中文版"，被罚 6.2 万元。',
    ),
    (
        "samr_cases",
        "02-06",
        13,
        "澎湃新闻",
        "zh",
        "仿冒 DeepSeek、冒充 ChatGPT 被罚，监管部门出手整治 AI 乱象",
        "市场监管总局发布的典型案例显示，有企业擅自使用 DeepSeek 标识推广付费工具，也有公众号假冒 ChatGPT 官方服务。"
        "此外，某公司工程师擅自下载 15.88GB 含 AI 算法的核心技术文件被罚 36 万元；一家公司利用 AI 语音冒充银行拨打骚扰电话，被罚 20 万元。",
    ),
    # ---- Musk space data centers --------------------------------------------------------
    (
        "musk_space",
        "02-06",
        9,
        "Ars Technica AI",
        "en",
        "Musk predicts space will be the cheapest place for AI within three years",
        "Elon Musk said that within 30 to 36 months, orbit will be the lowest-cost place to deploy AI compute, because power generation on Earth cannot keep up with chip production. "
        "He noted that cooling alone adds 40 percent to the power draw of xAI's Memphis data center.",
    ),
    (
        "musk_space",
        "02-06",
        17,
        "36氪",
        "zh",
        "马斯克：30 个月内太空将成为部署 AI 成本最低的地方",
        "马斯克在最新访谈中预言，30 到 36 个月内，太空将成为部署 AI 算力成本最低的地方，原因是地球电力增长跟不上芯片生产速度。"
        "他透露，xAI 孟菲斯数据中心仅制冷一项就让电力消耗增加 40%。",
    ),
    # ---- SenseNova-SI ------------------------------------------------------------------------
    (
        "sensenova",
        "02-05",
        15,
        "机器之心",
        "zh",
        "商汤开源 SenseNova-SI-1.3，空间智能评测超越 Gemini-3-Pro",
        "商汤科技开源空间智能模型 SenseNova-SI-1.3，在集成八项权威榜单的 EASI 评测中超过了 Gemini-3-Pro。"
        '研究团队发现空间智能存在"反尺度效应"：更大的模型并不能更好地完成空间任务，因此采用任务拆解与数据重组策略来训练。',
    ),
    (
        "sensenova",
        "02-06",
        10,
        "量子位",
        "zh",
        "更大的模型不懂空间？商汤新开源模型给出解法",
        "商汤最新开源的 SenseNova-SI-1.3 专攻空间理解，在 EASI 综合评测中成绩领先。"
        "团队指出，单纯扩大参数规模对空间推理帮助有限，他们通过重组训练数据针对性提升了模型的空间能力。",
    ),
    # ---- Tencent comic drama app --------------------------------------------------------------
    (
        "huolong",
        "02-06",
        11,
        "爱范儿",
        "zh",
        '腾讯上线火龙漫剧 App：AI 让静态漫画"动起来"',
        "腾讯推出火龙漫剧 App，利用 AI 配音和动效，把静态漫画转化为 1 到 3 分钟的竖屏短视频。"
        "用户上下滑动即可连续观看，这是腾讯在 AI 漫剧赛道的又一次布局。",
    ),
    # ---- Kimi K2.5 ------------------------------------------------------------------------------
    (
        "kimi_k25",
        "02-03",
        10,
        "量子位",
        "zh",
        "月之暗面开源 Kimi K2.5：多模态、百个智能体并行",
        "月之暗面发布并开源多模态模型 Kimi K2.5，支持最多 100 个子智能体并行协作完成复杂任务。"
        "官方称其在多项基准上超过 Claude Sonnet 4.5，而 API 价格约为后者的一半。",
    ),
    (
        "kimi_k25",
        "02-03",
        14,
        "机器之心",
        "zh",
        'Kimi K2.5 来了，开源模型第一次能"看图写前端"',
        "月之暗面今天开源 Kimi K2.5。新模型原生支持图像与视频输入，可以根据设计稿直接生成前端代码。"
        "其智能体集群模式能同时调度上百个子任务。",
    ),
    (
        "kimi_k25",
        "02-02",
        23,
        "The Decoder",
        "en",
        "Moonshot's open-weight Kimi K2.5 runs 100 agents in parallel",
        "Chinese startup Moonshot AI has released Kimi K2.5, an open-weight multimodal model that can coordinate up to 100 sub-agents at once. "
        "Moonshot claims it beats Claude Sonnet 4.5 on several benchmarks at roughly half the API price.",
    ),
    (
        "kimi_k25",
        "02-03",
        5,
        "Simon Willison",
        "en",
        "Trying out Kimi K2.5",
        "Moonshot released Kimi K2.5 today with open weights on Hugging Face. "
        "I ran a few of my usual prompts through it and the visual coding demo, turning a screenshot into working HTML, held up well. "
        "The agent swarm feature is the most interesting part: up to 100 parallel sub-agents.",
    ),
    # ---- Cerebras funding -------------------------------------------------------------------------
    (
        "cerebras",
        "02-04",
        7,
        "TechCrunch AI",
        "en",
        "Cerebras raises $1 billion at a $23 billion valuation",
        "AI chipmaker Cerebras has raised $1 billion in new funding at a $23 billion valuation. "
        "The round follows a multiyear agreement to supply computing capacity to OpenAI for low-latency inference.",
    ),
    (
        "cerebras",
        "02-04",
        15,
        "36氪",
        "zh",
        "芯片公司 Cerebras 融资 10 亿美元，估值 230 亿美元",
        "AI 芯片公司 Cerebras 宣布完成 10 亿美元融资，估值达到 230 亿美元。"
        "此前，Cerebras 与 OpenAI 达成长期算力供应协议，为其提供低延迟推理服务。",
    ),
    # ---- Meituan LongCat-Flash-Lite ---------------------------------------------------------------
    (
        "longcat",
        "02-06",
        16,
        "量子位",
        "zh",
        "美团开源 LongCat-Flash-Lite：685 亿参数，推理只激活 30 亿左右",
        "美团发布轻量化 MoE 模型 LongCat-Flash-Lite，总参数 685 亿，推理时仅激活 29 亿到 45 亿参数。"
        "模型在智能体与代码任务上表现突出，已在 Hugging Face 开源。",
    ),
    # ---- Peloton layoffs ----------------------------------------------------------------------------
    (
        "peloton",
        "02-05",
        8,
        "The Verge AI",
        "en",
        "Peloton lays off 11 percent of staff after its AI hardware bet stalls",
        "Peloton is cutting 11 percent of its workforce after sales of its AI-powered equipment failed to meet expectations. "
        "The company had pitched computer-vision coaching features as a reason to upgrade its bikes and treadmills.",
    ),
    (
        "peloton",
        "02-05",
        19,
        "36氪",
        "zh",
        "Peloton 裁员 11%，AI 健身硬件战略受挫",
        "健身器材公司 Peloton 宣布裁员 11%。公司去年主推搭载 AI 视觉教练功能的新硬件，但销量不及预期。"
        "有研究称，95% 的生成式 AI 商业尝试尚未带来预期回报。",
    ),
]
