"""Hand-written evaluation articles, part C (2026-02-17..20) and off-topic items."""
# ruff: noqa: E501  (news prose: one sentence group per line reads better than wrapped strings)

from __future__ import annotations

ROWS_C: list[tuple[str | None, str, int, str, str, str, str]] = [
    # ---- Gemini 3.1 Pro --------------------------------------------------------------------------------
    (
        "gemini31",
        "02-19",
        23,
        "Google AI Blog",
        "en",
        "Gemini 3.1 Pro: a smarter model for your most complex tasks",
        "We're releasing Gemini 3.1 Pro, an upgraded core model for science, research and engineering. "
        "It scores 77.1% on ARC-AGI-2, more than double the reasoning performance of 3 Pro, and keeps a 1M-token context window. "
        "Pricing is unchanged.",
    ),
    (
        "gemini31",
        "02-20",
        8,
        "量子位",
        "zh",
        "谷歌 Gemini 3.1 Pro 发布：推理能力翻倍，价格不变",
        "谷歌正式推出 Gemini 3.1 Pro，在 ARC-AGI-2 基准测试中得分 77.1%，推理性能达到上一代的两倍以上。"
        "模型支持 1M 上下文窗口，输入价格为每百万 tokens 2 到 4 美元，与上一代保持一致。",
    ),
    (
        "gemini31",
        "02-20",
        10,
        "IT之家",
        "zh",
        '首次用上".1"版本号，Gemini 3.1 Pro 可一句话生成 3D 场景',
        "Gemini 3.1 Pro 能根据提示词生成可交互的 3D 场景、数据可视化仪表盘和模拟游戏环境。"
        "它在 Arena 评测中的总分比上一代高出 13 分。以 ARC-AGI-2 任务计算，单次成本约 0.96 美元。",
    ),
    (
        "gemini31",
        "02-20",
        12,
        "机器之心",
        "zh",
        "Deep Think 技术下放：谷歌把推理能力装进 Gemini 3.1 Pro",
        "谷歌表示，Gemini 3.1 Pro 采用了上周升级的 Deep Think 背后的技术，但成本只有后者的十分之一。"
        '业内认为这说明大模型正持续向"帕累托前沿"推进：性能提升的同时，成本呈数量级下降。',
    ),
    (
        "gemini31",
        "02-20",
        1,
        "The Verge AI",
        "en",
        "Google's Gemini 3.1 Pro more than doubles its predecessor's reasoning score",
        "Google has launched Gemini 3.1 Pro, which it says scores 77.1 percent on the ARC-AGI-2 reasoning benchmark. "
        "The new model can generate interactive 3D scenes and dashboards from a single prompt.",
    ),
    (
        "gemini31",
        "02-20",
        4,
        "The Decoder",
        "en",
        "Gemini 3.1 Pro brings Deep Think-style reasoning at a tenth of the cost",
        "Google's Gemini 3.1 Pro inherits techniques from last week's Deep Think upgrade. "
        "It reaches 77.1% on ARC-AGI-2 and costs about $0.96 per task, with input priced at $2 to $4 per million tokens.",
    ),
    # ---- Claude Sonnet 4.6 ------------------------------------------------------------------------------
    (
        "sonnet46",
        "02-17",
        23,
        "量子位",
        "zh",
        "Anthropic 发布 Claude Sonnet 4.6：中杯模型逼近旗舰",
        "Anthropic 发布 Claude Sonnet 4.6，并将其设为免费用户和 Pro 用户的默认模型。"
        "官方称新模型在编程和电脑操作任务上接近 Opus 级别，定价维持每百万 token 输入 3 美元、输出 15 美元。",
    ),
    (
        "sonnet46",
        "02-17",
        20,
        "The Decoder",
        "en",
        "Anthropic releases Claude Sonnet 4.6 as the new default model",
        "Anthropic has released Claude Sonnet 4.6 and made it the default for free and Pro users. "
        "The company says it approaches Opus-level performance on coding and computer use at $3 per million input tokens and $15 per million output tokens.",
    ),
    (
        "sonnet46",
        "02-17",
        22,
        "TechCrunch AI",
        "en",
        "Anthropic's Sonnet 4.6 brings a one-million-token context to the mid-tier model",
        "Claude Sonnet 4.6 is Anthropic's new mid-sized model, with a one-million-token context window in beta. "
        "Early testers said they preferred it to the previous Sonnet for long agentic coding sessions.",
    ),
    # ---- Sarvam ---------------------------------------------------------------------------------------------
    (
        "sarvam",
        "02-18",
        15,
        "TechCrunch AI",
        "en",
        "India's Sarvam launches two open MoE models built from scratch",
        "Sarvam unveiled two mixture-of-experts language models at the India AI Impact Summit: a 30B-A1B model pre-trained on 16 trillion tokens and a 105B-A9B model with a 128K context window. "
        "Sarvam says the larger model beats Gemini 2.5 Flash on Indian-language benchmarks.",
    ),
    (
        "sarvam",
        "02-19",
        9,
        "机器之心",
        "zh",
        "印度 Sarvam 发布两款从零训练的 MoE 大模型",
        "印度 AI 实验室 Sarvam 在印度人工智能影响力峰会上发布两款 MoE 架构大语言模型，小型号为 30B-A1B，大型号为 105B-A9B，支持 128K 上下文。"
        "Sarvam 称其大模型在印度语言基准上优于 Gemini 2.5 Flash，在多数通用基准上优于 DeepSeek R1。",
    ),
    # ---- OpenAI $100B round -------------------------------------------------------------------------------
    (
        "openai_round",
        "02-19",
        10,
        "36氪",
        "zh",
        "OpenAI 融资超 1000 亿美元，估值突破 8500 亿美元",
        "OpenAI 正在完成一轮超过 1000 亿美元的融资，投后估值将突破 8500 亿美元。"
        "亚马逊计划投资 500 亿美元，软银投资 300 亿美元，微软也参与其中。资金将分多笔到账，用于支撑数万亿美元的基础设施建设。",
    ),
    (
        "openai_round",
        "02-19",
        14,
        "钛媒体",
        "zh",
        "8500 亿美元估值背后，OpenAI 开始认真考虑广告",
        "OpenAI 新一轮超千亿美元融资让其估值超过 8500 亿美元。"
        '与此同时，公司正在探索在 ChatGPT 中植入广告，奥尔特曼倾向于类似 Instagram 的"发现式"广告，计划先在美国测试。',
    ),
    (
        "openai_round",
        "02-18",
        23,
        "TechCrunch AI",
        "en",
        "OpenAI is raising more than $100 billion at an $850 billion valuation",
        "OpenAI is finalising a funding round of more than $100 billion that would value it above $850 billion. "
        "Amazon is expected to invest $50 billion and SoftBank $30 billion, with the money arriving in tranches through the year.",
    ),
    (
        "openai_round",
        "02-19",
        3,
        "The Verge AI",
        "en",
        "Amazon could put $50 billion into OpenAI's giant new round",
        "Amazon is in line to invest as much as $50 billion in OpenAI as part of a round topping $100 billion. "
        "The deal would deepen the partnership between the two companies.",
    ),
    # ---- Nvidia $30B into OpenAI ---------------------------------------------------------------------------
    (
        "nvidia_openai",
        "02-20",
        9,
        "IT之家",
        "zh",
        "英伟达拟 300 亿美元投资 OpenAI，取代千亿美元合作计划",
        "英伟达正接近与 OpenAI 达成约 300 亿美元的股权投资协议，最早可能于本周末敲定。"
        "去年 9 月，两家公司曾签署谅解备忘录，英伟达计划为 OpenAI 建设至少 10GW 算力并投入最高 1000 亿美元。",
    ),
    (
        "nvidia_openai",
        "02-20",
        13,
        "36氪",
        "zh",
        "从千亿合作到三百亿入股，黄仁勋改变了对 OpenAI 的下注方式",
        '黄仁勋上月表示，英伟达会参与 OpenAI 的融资，这可能是公司史上最大的一笔投资，但金额将"远不及"1000 亿美元。'
        "此次 300 亿美元的股权投资意味着双方放弃了去年的千亿美元合作计划。",
    ),
    (
        "nvidia_openai",
        "02-19",
        22,
        "Ars Technica AI",
        "en",
        "Nvidia nears $30 billion equity investment in OpenAI",
        "Nvidia is close to finalising a roughly $30 billion equity stake in OpenAI, replacing last year's plan under which it would invest up to $100 billion tied to 10 gigawatts of compute. "
        "Jensen Huang had said the investment would be far smaller than the earlier figure.",
    ),
    (
        "nvidia_openai",
        "02-20",
        2,
        "The Decoder",
        "en",
        "Nvidia swaps its $100 billion OpenAI pledge for a $30 billion stake",
        "Instead of the $100 billion infrastructure partnership announced in September, Nvidia is set to take a $30 billion equity position in OpenAI. "
        "Huang has called it likely the largest investment in Nvidia's history.",
    ),
    # ---- Meta equity cuts -----------------------------------------------------------------------------------
    (
        "meta_equity",
        "02-19",
        16,
        "36氪",
        "zh",
        "Meta 连续第二年削减员工股权，为 AI 军备竞赛输血",
        "据知情人士透露，Meta 将年度股票奖励额度下调约 5%，波及数万名员工。"
        "扎克伯格预计 2026 年资本支出可能高达 1300 亿美元，主要用于建设数据中心和招募顶尖 AI 人才。",
    ),
    (
        "meta_equity",
        "02-19",
        7,
        "The Verge AI",
        "en",
        "Meta is cutting employee stock awards again to pay for AI",
        "Meta is reducing annual equity grants by about 5 percent for tens of thousands of employees, the second cut in two years. "
        "The company expects capital expenditures of up to $130 billion this year as Mark Zuckerberg spends heavily on AI data centers and researchers.",
    ),
    # ---- Tsinghua ASTERIS ------------------------------------------------------------------------------------
    (
        "asteris",
        "02-20",
        10,
        "机器之心",
        "zh",
        '清华团队用 AI 让韦伯望远镜"看得更深"：探测深度提升 1 个星等',
        '清华大学戴琼海院士团队与蔡峥副教授团队开发了"星衍"（ASTERIS）时空自监督计算成像模型，将詹姆斯·韦伯空间望远镜的深空探测深度提升 1 个星等。'
        "借助该模型，团队新发现超过 160 个宇宙大爆炸后 2 至 5 亿年的高红移候选星系。",
    ),
    (
        "asteris",
        "02-20",
        14,
        "量子位",
        "zh",
        "等效口径从 6.4 米到 10 米：清华星衍模型登上《科学》",
        '"星衍"模型通过联合建模噪声涨落与星体光度，在极低信噪比下重构光子信号，让韦伯望远镜的等效口径从 6.4 米提升到近 10 米量级。'
        "模型无需人工标注，直接用真实观测数据训练。",
    ),
    (
        "asteris",
        "02-19",
        22,
        "MIT Technology Review",
        "en",
        "An AI model lets the James Webb telescope see one magnitude deeper",
        "Researchers at Tsinghua University have built ASTERIS, a self-supervised model that removes background and thermal noise from James Webb Space Telescope images. "
        "It pushes detection depth by one magnitude and turned up more than 160 candidate high-redshift galaxies.",
    ),
    # ---- HK AI stocks -----------------------------------------------------------------------------------------
    (
        "hk_stocks",
        "02-20",
        16,
        "36氪",
        "zh",
        "港股马年首个交易日：智谱大涨 42%，MINIMAX 市值破 3000 亿港元",
        "港股迎来农历马年首个交易日，大盘走势不佳，AI 大模型公司却逆势上涨。"
        "智谱尾盘涨幅达 42.72%，收于 725 港元，总市值突破 3232 亿港元；MINIMAX 上涨 12% 至 957 港元。",
    ),
    (
        "hk_stocks",
        "02-20",
        18,
        "钛媒体",
        "zh",
        "大模型股逆势走强，智谱市值一天增加近千亿港元",
        "智谱股价今日收涨 42.72%，市值达 3232 亿港元。分析认为，GLM-5 发布后编程套餐涨价仍售罄，提振了市场对其商业化的信心。"
        "MINIMAX 同日上涨 12%。",
    ),
    # ---- Biaoren film with Seedance -----------------------------------------------------------------------
    (
        "biaoren",
        "02-19",
        15,
        "爱范儿",
        "zh",
        "袁和平新片《镖人》片尾彩蛋由 Seedance 2.0 制作",
        '电影《镖人》官方账号与豆包发布共创视频，豆包客串记者"采访"导演袁和平。'
        "袁和平透露，片尾彩蛋中的 AI 角色由豆包参与设计、字节跳动的 Seedance 2.0 制作。影片票房已突破 3 亿元。",
    ),
    # ---- Ask Intel ------------------------------------------------------------------------------------------
    (
        "ask_intel",
        "02-18",
        9,
        "The Verge AI",
        "en",
        "Intel's new AI support agent told us to stress-test an overheating CPU",
        "Intel has launched Ask Intel, a virtual assistant built on Microsoft Copilot Studio that can open support tickets and check warranty coverage. "
        "In our tests it suggested running a CPU stress test on a processor that was already overheating.",
    ),
    (
        "ask_intel",
        "02-18",
        15,
        "IT之家",
        "zh",
        "英特尔上线 AI 客服 Ask Intel，实测表现喜忧参半",
        "英特尔基于微软 Copilot Studio 推出虚拟助手 Ask Intel，可代用户开立售后工单、核查保修范围，并在必要时转接人工。"
        '但媒体测试发现，它会建议已出现过热症状的处理器"运行 CPU 压力测试"。',
    ),
    # ---- Multi-turn reliability study ----------------------------------------------------------------------
    (
        "multiturn",
        "02-18",
        11,
        "IT之家",
        "zh",
        "微软研究：AI 聊天机器人多轮对话成功率降至 65%",
        "微软研究院与赛富时联合研究发现，大语言模型在单次提示任务中的成功率可达 90%，但同样的任务拆成多轮对话后降至约 65%。"
        '模型能力本身只下降约 15%，"不可靠性"却飙升 112%。',
    ),
    (
        "multiturn",
        "02-17",
        21,
        "The Decoder",
        "en",
        "LLMs get lost in multi-turn conversations, Microsoft and Salesforce find",
        "A study by Microsoft Research and Salesforce shows large language models drop from about 90 percent success on single prompts to 65 percent when the same task unfolds over several turns. "
        "Unreliability rises by 112 percent, and reasoning models such as OpenAI o3 and DeepSeek R1 fare no better.",
    ),
    # ---- Altman on China ------------------------------------------------------------------------------------
    (
        "altman_china",
        "02-19",
        12,
        "36氪",
        "zh",
        '奥尔特曼：中国 AI 发展速度"快得惊人"',
        "OpenAI CEO 奥尔特曼接受 CNBC 采访时表示，中国科技企业在全栈技术领域的进步令人瞩目，部分领域已接近甚至达到前沿水平。",
    ),
    (
        "altman_china",
        "02-19",
        4,
        "AI News",
        "en",
        "Altman says China's AI progress is 'remarkably fast'",
        "OpenAI chief executive Sam Altman told CNBC that Chinese companies are moving remarkably fast across the technology stack, and in some areas are already at the frontier.",
    ),
]

OFF_TOPIC: list[tuple[str | None, str, int, str, str, str, str]] = [
    (
        None,
        "02-05",
        9,
        "财联社",
        "zh",
        "国际油价连续第三日下跌，布伦特原油跌破 75 美元",
        "受美国原油库存意外增加影响，国际油价周三继续走低。布伦特原油期货收跌 1.8%，报每桶 74.6 美元，为两周来最低。"
        "分析人士指出，OPEC+ 维持增产计划也令市场承压。",
    ),
    (
        None,
        "02-12",
        8,
        "Reuters",
        "en",
        "Oil falls as U.S. crude stocks build and OPEC+ holds output steady",
        "Oil prices slipped on Thursday after data showed a larger-than-expected build in U.S. crude inventories. "
        "Brent crude futures fell 92 cents to $73.80 a barrel, while West Texas Intermediate lost 1.1 percent.",
    ),
    (
        None,
        "02-06",
        22,
        "新浪体育",
        "zh",
        "英超第 25 轮：阿森纳主场 3 比 1 逆转，继续领跑积分榜",
        "英超第 25 轮焦点战中，阿森纳主场 3 比 1 逆转战胜对手，萨卡梅开二度。"
        "这场胜利让球队在积分榜上领先第二名 5 分，主帅赛后称球员展现了冠军心态。",
    ),
    (
        None,
        "02-13",
        6,
        "BBC Sport",
        "en",
        "Liverpool striker scores twice as league leaders extend unbeaten run",
        "Liverpool's striker scored twice in the second half as the league leaders beat their visitors 2-0 to stretch their unbeaten run to 14 matches. "
        "The manager praised the team's patience after a goalless first half.",
    ),
    (
        None,
        "02-09",
        12,
        "ESPN",
        "en",
        "Super Bowl LX: quarterback throws three touchdowns in comeback win",
        "The quarterback threw three second-half touchdown passes as his team came back from a 10-point deficit to win Super Bowl LX in Santa Clara. "
        "It was the franchise's first championship in more than two decades.",
    ),
    (
        None,
        "02-07",
        10,
        "中关村在线",
        "zh",
        "某品牌新机续航评测：6000mAh 电池能撑多久",
        "我们对这款新机进行了完整的续航测试。在亮度 200 尼特、开启 5G 的条件下，连续播放视频 10 小时后仍剩 31% 电量。"
        "80W 有线快充从 1% 充到 100% 约需 42 分钟，手感方面，机身重量控制在 199 克。",
    ),
    (
        None,
        "02-14",
        9,
        "GSMArena",
        "en",
        "Phone review: great battery life, mediocre low-light camera",
        "The new mid-ranger lasts nearly two days on a charge thanks to its 5,500mAh battery, and the 120Hz display is bright outdoors. "
        "Low-light photos are noisy, though, and the plastic frame feels cheap for the price.",
    ),
    (
        None,
        "02-16",
        14,
        "新华网",
        "zh",
        "春运返程高峰来临，全国铁路今日预计发送旅客 1500 万人次",
        "春节假期临近尾声，春运返程客流持续攀升。国铁集团预计今日全国铁路发送旅客 1500 万人次，计划加开旅客列车 1200 列。"
        "受寒潮影响，部分地区出现降雪，旅客出行请关注天气变化。",
    ),
    (
        None,
        "02-18",
        10,
        "第一财经",
        "zh",
        "春节档总票房突破 95 亿元，动画电影领跑",
        "据猫眼专业版数据，2026 年春节档总票房已突破 95 亿元。一部国产动画电影以 38 亿元票房暂列第一，观影人次同比增长 6%。",
    ),
    (
        None,
        "02-10",
        11,
        "财新",
        "zh",
        "国际金价再创新高，现货黄金突破每盎司 3000 美元",
        "受避险情绪升温影响，现货黄金价格周二盘中突破每盎司 3000 美元，创历史新高。国内金饰价格随之上涨，多个品牌报价超过每克 860 元。",
    ),
    (
        None,
        "02-11",
        7,
        "Bloomberg",
        "en",
        "Fed officials signal patience on interest rates as inflation cools",
        "Federal Reserve officials said they can afford to wait before cutting interest rates again, citing a solid labour market and inflation that has cooled only gradually. "
        "Markets now price the next cut in June.",
    ),
    (
        None,
        "02-17",
        20,
        "央视新闻",
        "zh",
        "米兰冬奥会：中国队获得短道速滑男子 500 米金牌",
        "在米兰-科尔蒂纳冬奥会短道速滑男子 500 米决赛中，中国选手以 40 秒 12 的成绩夺得金牌，这是中国代表团本届冬奥会的第三枚金牌。",
    ),
    (
        None,
        "02-15",
        6,
        "The Verge",
        "en",
        "Nintendo raises the price of the Switch 2 in the US",
        "Nintendo is raising the price of the Switch 2 by $30 in the United States, citing tariffs and higher component costs. "
        "The new price takes effect next month; games and accessories are unaffected.",
    ),
    (
        None,
        "02-08",
        15,
        "界面新闻",
        "zh",
        "一线城市二手房成交回暖，春节后房价走势受关注",
        "多家中介机构数据显示，1 月北京、上海二手房成交量同比上涨超过 20%，但挂牌价格仍在小幅下调。"
        "业内人士认为，楼市企稳还需观察春节后的成交表现。",
    ),
    (
        None,
        "02-19",
        9,
        "CoinDesk",
        "en",
        "Bitcoin slides below $90,000 as ETF outflows continue",
        "Bitcoin fell below $90,000 on Thursday, extending its losses for the week as spot ETFs recorded a fifth straight day of outflows. "
        "Ether dropped 4 percent.",
    ),
    (
        None,
        "02-12",
        13,
        "汽车之家",
        "zh",
        "1 月新能源汽车销量出炉，插混车型增速领先",
        "乘联会数据显示，1 月全国新能源乘用车零售销量 78.6 万辆，同比增长 12%。其中插电混动车型同比增长 31%，纯电车型增速放缓。",
    ),
    (
        None,
        "02-20",
        17,
        "NBA.com",
        "en",
        "All-Star weekend: rookie wins the dunk contest with a perfect final round",
        "A rookie guard won the NBA Slam Dunk Contest on Saturday night with two perfect 50s in the final round, jumping over a teammate for the winning dunk.",
    ),
    (
        None,
        "02-06",
        8,
        "下厨房",
        "zh",
        "年夜饭硬菜菜谱：红烧肉怎样做才软糯不腻",
        "红烧肉选用五花肉，冷水下锅焯水后切块，小火煸出油脂，再加冰糖炒出糖色。"
        "加入生抽、老抽和黄酒，小火慢炖 60 分钟，最后大火收汁即可。",
    ),
    (
        None,
        "02-14",
        11,
        "Associated Press",
        "en",
        "Winter storm grounds thousands of flights across the Northeast",
        "A powerful winter storm dumped more than a foot of snow across parts of the Northeast on Saturday, forcing airlines to cancel over 3,000 flights. "
        "Forecasters expect the weather to clear by Monday.",
    ),
    (
        None,
        "02-17",
        15,
        "证券时报",
        "zh",
        "A 股三大指数集体收涨，消费板块表现活跃",
        "节后首个交易日，沪指收涨 0.8%，深成指涨 1.2%，创业板指涨 1.5%。白酒、旅游和免税板块领涨，两市成交额 1.1 万亿元。",
    ),
    (
        None,
        "02-09",
        18,
        "Variety",
        "en",
        "Weekend box office: animated sequel tops charts with $62 million",
        "An animated sequel led the domestic box office with $62 million in its opening weekend, well ahead of expectations. "
        "Holdover titles filled out the rest of the top five.",
    ),
    (
        None,
        "02-18",
        12,
        "澎湃新闻",
        "zh",
        "猪肉价格连续五周回落，节后菜价趋稳",
        "农业农村部监测显示，全国猪肉平均批发价已连续五周回落，目前为每公斤 22.4 元。节后蔬菜价格也逐步趋稳。",
    ),
    (
        None,
        "02-13",
        17,
        "The Verge",
        "en",
        "This tiny mechanical keyboard is the best travel upgrade I've made",
        "The keyboard weighs just 420 grams, uses low-profile switches and lasts about three weeks between charges over Bluetooth. "
        "It pairs with three devices and folds into a pouch that fits in a jacket pocket.",
    ),
    (
        None,
        "02-20",
        9,
        "中关村在线",
        "zh",
        "新款折叠屏手机评测：更轻更薄，影像有短板",
        "这款折叠屏展开厚度仅 4.2 毫米，重量 215 克，铰链做工扎实。"
        "主摄白天成片清晰，但夜景噪点偏多。系统内置 AI 修图和通话摘要功能，日常使用流畅。",
    ),
    (
        None,
        "02-11",
        16,
        "Financial Times",
        "en",
        "European luxury stocks rally on strong Chinese holiday spending",
        "Shares in European luxury groups rose on Wednesday after early data pointed to robust Lunar New Year spending by Chinese shoppers. "
        "Analysts said demand for jewellery and leather goods was stronger than expected.",
    ),
]
