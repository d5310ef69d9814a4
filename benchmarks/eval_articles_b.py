"""Hand-written evaluation articles, part B (week of 2026-02-12): (story, day, hour, source, lang, title, text)."""
# ruff: noqa: E501  (news prose: one sentence group per line reads better than wrapped strings)

from __future__ import annotations

ROWS_B: list[tuple[str | None, str, int, str, str, str, str]] = [
    # ---- Gemini 3 Deep Think -------------------------------------------------------------------
    (
        "deepthink",
        "02-12",
        23,
        "IT之家",
        "zh",
        "Gemini 3 Deep Think 升级：编程能力全球第 8，仅剩 7 人能击败它",
        "谷歌 2 月 12 日宣布对 Gemini 3 Deep Think 进行重大升级，在 Codeforces 编程平台取得 3455 Elo 分数，排名全球第 8。"
        '它在 ARC-AGI-2 上达到 84.6%，在不使用工具的情况下于"人类最后考试"中取得 48.4%。'
        "单项任务成本从 77.16 美元降至 13.62 美元。",
    ),
    (
        "deepthink",
        "02-13",
        9,
        "量子位",
        "zh",
        "谷歌深度思考模型再进化，数理化奥赛全拿金牌水平",
        "升级后的 Gemini 3 Deep Think 在 2025 年国际数学、物理、化学奥林匹克竞赛笔试部分均达到金牌水平。"
        "罗格斯大学数学家用它审阅论文，发现了同行评审遗漏的逻辑缺陷；杜克大学实验室用它优化晶体生长工艺。",
    ),
    (
        "deepthink",
        "02-12",
        17,
        "Google DeepMind",
        "en",
        "Gemini 3 Deep Think: advancing science with deeper reasoning",
        "Today we're releasing a major upgrade to Gemini 3 Deep Think. "
        "It achieves an Elo of 3455 on Codeforces, 84.6% on ARC-AGI-2 as verified by the ARC Prize Foundation, and 48.4% on Humanity's Last Exam without tools. "
        "Researchers are already using it to review mathematics papers and design materials experiments.",
    ),
    (
        "deepthink",
        "02-12",
        20,
        "The Decoder",
        "en",
        "Google's upgraded Deep Think reaches 84.6 percent on ARC-AGI-2",
        "Google has upgraded Gemini 3 Deep Think, its reasoning mode for hard science problems. "
        "The model scores 3455 Elo on Codeforces, which would place it eighth among human competitors, and its cost per ARC-AGI-2 task fell from $77.16 to $13.62.",
    ),
    (
        "deepthink",
        "02-13",
        3,
        "Ars Technica AI",
        "en",
        "Only seven humans can now out-code Google's Deep Think",
        "Google says the latest Gemini 3 Deep Think has a Codeforces rating of 3455, enough to rank eighth in the world. "
        "The company also claims gold-medal-level results on the written parts of the 2025 maths, physics and chemistry olympiads.",
    ),
    # ---- GPT-5.3-Codex-Spark ---------------------------------------------------------------------
    (
        "codex_spark",
        "02-12",
        22,
        "IT之家",
        "zh",
        "OpenAI 发布 GPT-5.3-Codex-Spark：每秒超千 Token 的即时编程反馈",
        "OpenAI 与芯片公司 Cerebras 联合推出 GPT-5.3-Codex-Spark 模型，推理速度超过每秒 1000 tokens。"
        '它是一个"具备高度能力的小模型"，擅长精确代码修改和代码库问答，基于 Cerebras 的 Wafer-Scale Engine 运行。'
        "目前 ChatGPT Pro 用户可在 Codex 应用、CLI 和 VS Code 扩展中使用。",
    ),
    (
        "codex_spark",
        "02-13",
        10,
        "机器之心",
        "zh",
        "跑在晶圆级芯片上的 Codex：OpenAI 首次用 Cerebras 部署模型",
        "OpenAI 新发布的 GPT-5.3-Codex-Spark 是其首个运行在 Cerebras 晶圆级芯片上的模型，速度可达每秒 1000 多个 token。"
        "普通模型的推理速度通常在 50 到 100 tokens/s，Codex-Spark 快了 10 到 20 倍，主打实时协作式编程。",
    ),
    (
        "codex_spark",
        "02-12",
        18,
        "OpenAI News",
        "en",
        "Introducing GPT-5.3-Codex-Spark",
        "GPT-5.3-Codex-Spark is a smaller version of GPT-5.3-Codex built for real-time coding, and our first model served on Cerebras hardware. "
        "It generates more than 1,000 tokens per second, so edits appear almost as fast as you can review them. "
        "Spark is rolling out as a research preview to ChatGPT Pro users in the Codex app, CLI and VS Code extension.",
    ),
    (
        "codex_spark",
        "02-12",
        19,
        "TechCrunch AI",
        "en",
        "OpenAI's Codex-Spark runs on Cerebras chips and tops 1,000 tokens per second",
        "OpenAI has released GPT-5.3-Codex-Spark, a fast coding model that runs on Cerebras' Wafer-Scale Engine rather than Nvidia GPUs. "
        "The model produces over 1,000 tokens per second and is aimed at quick, targeted edits rather than long autonomous tasks.",
    ),
    (
        "codex_spark",
        "02-13",
        1,
        "The Verge AI",
        "en",
        "OpenAI's new Codex model is built for speed",
        "Codex-Spark, the newest member of OpenAI's coding lineup, trades some capability for speed: more than 1,000 tokens per second on Cerebras hardware. "
        "It is available to ChatGPT Pro subscribers as a research preview.",
    ),
    # ---- GLM-5 ----------------------------------------------------------------------------------------
    (
        "glm5",
        "02-12",
        11,
        "IT之家",
        "zh",
        "智谱 GLM-5 发布：开源模型编程能力 SOTA，股价一个月涨超 300%",
        "智谱官宣 GLM-5 上线，在 SWE-bench-Verified 上取得 77.8%，Terminal Bench 2.0 为 56.2%，均为开源模型最佳。"
        "GLM-5 已与华为昇腾、摩尔线程、寒武纪等国产芯片深度适配。"
        "智谱股价盘中最高涨超 22%，达到 492 港元，较 116.20 港元的发行价涨幅超过 300%。",
    ),
    (
        "glm5",
        "02-12",
        15,
        "量子位",
        "zh",
        'GLM-5 实测：从写代码到"智能体工程"',
        "智谱新一代旗舰 GLM-5 把重点放在 Agentic Engineering 上，在 BrowseComp、MCP-Atlas 等工具调用评测中取得开源第一。"
        "参数规模从 355B 扩展到 744B，编程性能比上一代提升超过 20%。",
    ),
    (
        "glm5",
        "02-12",
        18,
        "36氪",
        "zh",
        "智谱发布 GLM-5 并上调编程套餐价格，涨幅 30% 起",
        "智谱在发布 GLM-5 的同时上调了编程套餐价格，涨幅从 30% 起，新套餐上线后很快售罄。"
        "分析人士认为，这标志着国产大模型开始摆脱价格战。",
    ),
    (
        "glm5",
        "02-12",
        9,
        "The Decoder",
        "en",
        "Zhipu's GLM-5 tops open-weight coding benchmarks",
        "Zhipu AI has released GLM-5, an open-weight model with 744 billion parameters that scores 77.8 percent on SWE-bench Verified, the best result for an open model. "
        "The company says GLM-5 was optimised for Huawei Ascend and other Chinese accelerators.",
    ),
    (
        "glm5",
        "02-12",
        21,
        "VentureBeat AI",
        "en",
        "Z.ai launches GLM-5 as its Hong Kong shares soar",
        "Z.ai, the company formerly known as Zhipu, launched GLM-5 on Thursday, targeting agentic engineering tasks. "
        "Its Hong Kong-listed stock has climbed more than 300 percent above its IPO price since the January 8 listing.",
    ),
    # ---- Ring-2.5-1T -----------------------------------------------------------------------------------
    (
        "ring25",
        "02-13",
        10,
        "IT之家",
        "zh",
        "蚂蚁开源 Ring-2.5-1T：全球首个混合线性架构万亿参数思考模型",
        "蚂蚁集团百灵大模型开源 Ring-2.5-1T，采用 1:7 的 MLA 与 Lightning Linear Attention 混合线性架构。"
        "在超过 32K 的生成长度下，访存规模降低 10 倍以上，吞吐提升 3 倍。模型在 IMO 2025 中获得 35 分，达到金牌水平。",
    ),
    (
        "ring25",
        "02-13",
        14,
        "机器之心",
        "zh",
        "万亿参数 + 线性注意力，蚂蚁 Ring-2.5-1T 数学竞赛拿金牌",
        "蚂蚁百灵团队发布的 Ring-2.5-1T 在 CMO 2025 取得 105 分，远超金牌线。"
        "模型支持多步规划与工具调用，可适配 Claude Code 等智能体框架，权重已在 Hugging Face 和 ModelScope 开源。",
    ),
    (
        "ring25",
        "02-13",
        6,
        "Hugging Face Blog",
        "en",
        "Ring-2.5-1T: a trillion-parameter thinking model with hybrid linear attention",
        "Ant Group's Ling team has published Ring-2.5-1T, an open trillion-parameter reasoning model that mixes MLA with Lightning Linear Attention in a 1:7 ratio. "
        "For generations longer than 32K tokens the hybrid design cuts memory traffic by more than 10x and triples throughput.",
    ),
    # ---- Anthropic Series G -------------------------------------------------------------------------
    (
        "anthropic_g",
        "02-12",
        23,
        "IT之家",
        "zh",
        "Anthropic 完成 300 亿美元融资，估值达 3800 亿美元",
        "Anthropic 于 2 月 12 日宣布完成 300 亿美元 G 轮融资，投后估值 3800 亿美元，创下 AI 公司单轮股权融资纪录。"
        "本轮由新加坡主权基金 GIC 和 Coatue 领投，包含微软和英伟达此前承诺的部分投资。"
        "Anthropic 年化收入达 140 亿美元，连续三年翻倍。",
    ),
    (
        "anthropic_g",
        "02-13",
        9,
        "36氪",
        "zh",
        "半年估值翻倍：Anthropic 凭什么拿到 300 亿美元",
        "Anthropic 的估值从 2025 年 9 月的 1830 亿美元跃升至 3800 亿美元。"
        "公司年化收入 140 亿美元，Claude Code 年化收入达 25 亿美元，年消费超百万美元的客户突破 500 家。"
        "马斯克随后发文抨击 Anthropic 存在偏见。",
    ),
    (
        "anthropic_g",
        "02-13",
        11,
        "钛媒体",
        "zh",
        "史上最大单轮融资背后：Anthropic 的企业客户生意",
        "300 亿美元、3800 亿美元估值，Anthropic 刷新了 AI 融资纪录。"
        "企业收入占其总收入一半以上，《财富》世界十强中有 8 家是其客户。资本正加速向头部模型公司集中。",
    ),
    (
        "anthropic_g",
        "02-12",
        16,
        "TechCrunch AI",
        "en",
        "Anthropic raises $30 billion at a $380 billion valuation",
        "Anthropic has closed a $30 billion Series G led by GIC and Coatue, valuing the Claude maker at $380 billion post-money. "
        "The company says its annualised revenue run rate has reached $14 billion, and Claude Code alone accounts for $2.5 billion.",
    ),
    (
        "anthropic_g",
        "02-12",
        18,
        "The Verge AI",
        "en",
        "Anthropic is now worth $380 billion",
        "Anthropic's new $30 billion funding round more than doubles its valuation from last September's $183 billion. "
        "Investors include D. E. Shaw, Dragoneer, Founders Fund, ICONIQ and MGX.",
    ),
    (
        "anthropic_g",
        "02-13",
        2,
        "MIT Technology Review",
        "en",
        "What Anthropic's record round says about the AI money machine",
        "The $30 billion that Anthropic just raised is the largest private funding round ever for an AI company. "
        "Its $14 billion revenue run rate is growing fast, but so are its compute bills, and the money will largely flow to chips and data centers.",
    ),
    # ---- UN scientific panel ---------------------------------------------------------------------------
    (
        "un_panel",
        "02-13",
        8,
        "IT之家",
        "zh",
        "联合国任命 AI 问题独立科学小组，两位中国科学家当选",
        '当地时间 2 月 12 日，联合国秘书长古特雷斯宣布任命"人工智能问题独立国际科学小组"40 名成员，任期三年。'
        "上海交通大学宋海涛和中国工程院院士王坚入选。小组从全球 2600 多名候选人中遴选产生。",
    ),
    (
        "un_panel",
        "02-13",
        12,
        "澎湃新闻",
        "zh",
        '40 人名单出炉：联合国 AI 科学小组补上全球治理"缺失的一环"',
        "古特雷斯表示，人工智能正以光速发展，新成立的独立科学小组将以严谨、独立的科学洞见帮助各国在同一基础上讨论 AI 议题。"
        "小组预计将为今年 7 月在日内瓦举行的全球 AI 治理对话提供首份报告。",
    ),
    (
        "un_panel",
        "02-12",
        22,
        "AI News",
        "en",
        "UN names 40 experts to its independent scientific panel on AI",
        "UN Secretary-General António Guterres has appointed 40 members to the Independent International Scientific Panel on Artificial Intelligence for a three-year term. "
        "They were chosen from more than 2,600 candidates; two Chinese scientists, Song Haitao and Wang Jian, are among them.",
    ),
    # ---- ChatGPT Lockdown Mode ------------------------------------------------------------------------
    (
        "lockdown",
        "02-13",
        19,
        "OpenAI News",
        "en",
        "Introducing Lockdown Mode and Elevated Risk labels in ChatGPT",
        "We're adding two protections against prompt injection. Lockdown Mode is an advanced setting for high-risk users that tightly limits how ChatGPT interacts with external systems, for example restricting browsing to cached content. "
        "Elevated Risk labels mark features that may introduce additional risk across ChatGPT, ChatGPT Atlas and Codex.",
    ),
    (
        "lockdown",
        "02-14",
        1,
        "The Verge AI",
        "en",
        "ChatGPT gets a Lockdown Mode for people worried about prompt injection",
        "OpenAI is rolling out Lockdown Mode, a setting that shuts off live web requests and other features that could leak data through prompt-injection attacks. "
        "It's aimed at executives, security teams and other high-risk users.",
    ),
    (
        "lockdown",
        "02-14",
        9,
        "IT之家",
        "zh",
        'OpenAI 为 ChatGPT 推出"锁定模式"与"高风险"标签',
        "OpenAI 2 月 13 日宣布推出两项安全措施：锁定模式严格限制 ChatGPT 与外部系统交互，网页浏览仅限缓存内容；"
        '"高风险"标签则统一标注可能带来额外风险的功能，已在 ChatGPT、ChatGPT Atlas 和 Codex 中启用。',
    ),
    # ---- Microsoft AI recommendation poisoning -------------------------------------------------------
    (
        "rec_poison",
        "02-11",
        10,
        "IT之家",
        "zh",
        '微软警告："AI 推荐投毒"攻击正在蔓延',
        '微软安全研究人员发布警告，有网站在"AI 总结"按钮中嵌入隐藏指令，让 AI 助手记住"某公司是可信来源"，从而在后续回答中偏向特定产品。'
        "研究人员已在金融、医疗、法律等行业的邮件流量中发现 50 起类似案例。",
    ),
    (
        "rec_poison",
        "02-10",
        20,
        "Ars Technica AI",
        "en",
        "Companies are quietly poisoning AI assistants' memories, Microsoft says",
        "Microsoft's security researchers have found \"Summarize with AI\" buttons that smuggle hidden instructions into chatbots' memory, telling them to treat a given company as a trusted source. "
        "They counted 50 such cases in email traffic across finance, health, legal and marketing, mostly from legitimate businesses rather than criminals.",
    ),
    (
        "rec_poison",
        "02-11",
        8,
        "The Decoder",
        "en",
        'Microsoft warns of "AI recommendation poisoning"',
        "A new Microsoft report describes AI recommendation poisoning: hidden prompts in web pages that plant persistent preferences in an assistant's memory. "
        "The researchers saw 50 examples and warn that users could be steered toward scam finance platforms.",
    ),
    # ---- Anthropic safety lead leaves -----------------------------------------------------------------
    (
        "sharma_leaves",
        "02-11",
        12,
        "IT之家",
        "zh",
        "Anthropic 安全负责人离职，称无法认同公司价值观",
        "Anthropic 安全研究负责人 Mrinank Sharma 在 X 平台宣布离职。他在长文中写道，在日益增长的经济压力下，公司一些行为已无法契合他的价值观。"
        "他计划转向诗歌和哲学方向，攻读相关学位。",
    ),
    (
        "sharma_leaves",
        "02-11",
        16,
        "量子位",
        "zh",
        '又一位安全研究员出走 Anthropic："世界正处于多重危机"',
        "Mrinank Sharma 在告别信中称，即使怀有崇高理想，工作中也不断面临调整优先级、作出妥协的压力。"
        '他认为全球正处于"多重危机"之中。这是 Anthropic 近期离职的又一位安全方向研究者。',
    ),
    (
        "sharma_leaves",
        "02-10",
        22,
        "The Decoder",
        "en",
        "Anthropic safeguards lead Mrinank Sharma quits, citing values",
        "Mrinank Sharma, who led Anthropic's safeguards research team, has announced his departure on X. "
        "He wrote that under mounting commercial pressure some of the company's actions no longer matched his values, and said he plans to study poetry.",
    ),
    # ---- Nvidia Blackwell inference cost --------------------------------------------------------------
    (
        "blackwell",
        "02-12",
        2,
        "NVIDIA Blog",
        "en",
        "Blackwell cuts the cost per token by 10x for leading inference providers",
        "Inference providers running on NVIDIA Blackwell are reducing cost per token by up to 10x compared with Hopper. "
        "GB200 NVL72 connects 72 GPUs with 30TB of fast shared memory, and multi-agent workflows see 25% to 50% better cost efficiency. "
        "The upcoming Rubin platform adds the Rubin CPX processor for the prefill phase.",
    ),
    (
        "blackwell",
        "02-12",
        13,
        "IT之家",
        "zh",
        "英伟达：Blackwell 架构将 AI 推理成本压缩至十分之一",
        "英伟达发布博文称，相比上一代 Hopper 架构，Blackwell 平台将单位 token 生成成本降低到十分之一。"
        "GB200 NVL72 系统采用 72 芯片互联，配备 30TB 高速共享内存，多智能体工作流的成本效率提升 25% 至 50%。",
    ),
    (
        "blackwell",
        "02-12",
        17,
        "机器之心",
        "zh",
        "推理成本降 90%，黄仁勋的 Blackwell 账本",
        "英伟达称 Blackwell 让推理服务商的每 token 成本下降最多 90%。"
        "下一代 Rubin 平台将引入针对预填充阶段的 CPX 专用芯片，进一步提高推理效率。",
    ),
    # ---- Suleyman white-collar jobs ------------------------------------------------------------------
    (
        "suleyman",
        "02-12",
        12,
        "IT之家",
        "zh",
        "微软 AI CEO：大多数白领工作将在 18 个月内被 AI 自动化",
        "微软 AI CEO 穆斯塔法·苏莱曼接受《金融时报》采访时表示，未来 12 到 18 个月内，大部分白领工作将被 AI 完全自动化执行。"
        "律师、会计、项目经理和营销人员的几乎所有专业任务，AI 都将达到人类水平。",
    ),
    (
        "suleyman",
        "02-12",
        16,
        "36氪",
        "zh",
        "苏莱曼的 18 个月预言：AI 会让打工人更累吗",
        "苏莱曼认为，AI 可能帮助员工获得更高 KPI，但工作强度会更大，带来更严重的身心疲惫。"
        "OpenAI CEO 奥尔特曼则相对乐观，认为 AGI 对社会的冲击可能比预期小。",
    ),
    (
        "suleyman",
        "02-12",
        5,
        "The Verge AI",
        "en",
        "Microsoft AI chief says most white-collar jobs will be automated within 18 months",
        "Mustafa Suleyman told the Financial Times that AI will reach human-level performance on most professional tasks within the next 12 to 18 months. "
        "Lawyers, accountants, project managers and marketers would all be affected, he said.",
    ),
    (
        "suleyman",
        "02-12",
        8,
        "Ars Technica AI",
        "en",
        "Suleyman's 18-month timeline for white-collar automation draws skepticism",
        "Microsoft AI CEO Mustafa Suleyman's prediction that most office work will be automated in 18 months is among the most aggressive forecasts from a big-tech executive. "
        "Economists point out that adoption inside companies has been far slower than model capabilities.",
    ),
    # ---- IBM entry-level hiring ------------------------------------------------------------------------
    (
        "ibm_hiring",
        "02-12",
        14,
        "IT之家",
        "zh",
        "IBM 逆势扩招：2026 年美国入门级招聘规模增加两倍",
        '在"AI 取代初级岗位"的担忧中，IBM 宣布 2026 年美国入门级招聘规模将增加两倍。'
        "初级软件开发者将更多参与客户合作，人力资源岗则负责处理聊天机器人解决不了的问题。Dropbox 也将实习与应届生招聘扩大 25%。",
    ),
    (
        "ibm_hiring",
        "02-12",
        3,
        "TechCrunch AI",
        "en",
        "IBM is tripling entry-level hiring despite AI",
        "IBM plans to triple its entry-level hiring in the US in 2026, arguing that cutting junior roles to save money with AI would leave a gap in its future management pipeline. "
        "New hires will spend more time with customers and less on tasks chatbots already handle.",
    ),
    # ---- Spotify devs ------------------------------------------------------------------------------------
    (
        "spotify",
        "02-11",
        9,
        "TechCrunch AI",
        "en",
        "Spotify says its best developers haven't written code since December",
        "Spotify told analysts on its fourth-quarter call that its top engineers have not written a single line of code since December. "
        "An internal system called Honk, combined with Claude Code, lets engineers ask for bug fixes from Slack on their phones and ship them before reaching the office.",
    ),
    (
        "spotify",
        "02-11",
        12,
        "The Verge AI",
        "en",
        "Spotify engineers are fixing bugs from Slack on the commute",
        "Spotify's internal Honk tool pairs Claude Code with its deployment system, so an engineer can message a fix request during the commute and receive a new build in Slack. "
        "Executives said the top developers no longer write code by hand.",
    ),
    (
        "spotify",
        "02-11",
        20,
        "IT之家",
        "zh",
        "Spotify：顶尖开发者过去一个多月没写过一行代码",
        'Spotify 在第四季度财报会议上透露，公司顶尖开发者自去年 12 月以来"没有写过一行代码"。'
        "工程师通过内部系统 Honk 结合 Claude Code，在通勤路上用手机 Slack 指示 AI 修复漏洞，抵达办公室前新版本就已上线。",
    ),
    # ---- MiniMax M2.5 ----------------------------------------------------------------------------------
    (
        "minimax_m25",
        "02-12",
        20,
        "量子位",
        "zh",
        "MiniMax 发布 M2.5 编程模型：SWE-Bench Verified 80.2%",
        "MiniMax 发布 M2.5 模型，在 SWE-Bench Verified 上达到 80.2%。"
        "官方称每小时仅需 1 美元即可让智能体持续工作，主打高性价比的长时间编程任务。",
    ),
    (
        "minimax_m25",
        "02-13",
        2,
        "The Decoder",
        "en",
        "MiniMax M2.5 scores 80.2 percent on SWE-bench Verified",
        "Chinese lab MiniMax has released M2.5, a coding and agent model that reaches 80.2 percent on SWE-bench Verified. "
        "The company says running an agent on it continuously costs about $1 per hour.",
    ),
    # ---- Seedance 2.0 launch ---------------------------------------------------------------------------
    (
        "seedance2",
        "02-10",
        12,
        "量子位",
        "zh",
        "字节发布 Seedance 2.0：音画一体生成，四种模态输入",
        "字节跳动发布视频生成模型 Seedance 2.0，支持文字、图片、音频、视频四种模态输入，可一次生成带声音的视频并进行编辑。"
        "相比 1.5 版本，复杂运动场景下的可用率和物理准确度明显提升。",
    ),
    (
        "seedance2",
        "02-10",
        16,
        "36氪",
        "zh",
        'Seedance 2.0 刷屏，AI 视频进入"可编辑"时代',
        "字节跳动的 Seedance 2.0 上线后在社交平台刷屏。用户可以上传参考视频，让模型沿用其运镜和动作。"
        '美图"开拍"等产品已宣布将接入该模型。',
    ),
    (
        "seedance2",
        "02-10",
        9,
        "The Decoder",
        "en",
        "ByteDance's Seedance 2.0 generates video and audio together",
        "ByteDance has unveiled Seedance 2.0, a video model that accepts text, image, audio and video inputs and generates synchronized sound. "
        "ByteDance says it is far more reliable than version 1.5 in scenes with complex motion.",
    ),
    # ---- GPT-4o retired -------------------------------------------------------------------------------
    (
        "gpt4o_retire",
        "02-13",
        5,
        "The Verge AI",
        "en",
        "OpenAI is finally retiring GPT-4o from ChatGPT",
        "OpenAI is removing GPT-4o from ChatGPT, saying only 0.1 percent of users still choose it manually each day. "
        "The company wants to focus on improving its newer models.",
    ),
    (
        "gpt4o_retire",
        "02-13",
        13,
        "品玩",
        "zh",
        "OpenAI 正式从 ChatGPT 下架 GPT-4o",
        "OpenAI 宣布从 ChatGPT 中下架 GPT-4o。公司称，每天只有 0.1% 的用户仍会手动选择该模型，今后将集中精力改进新模型。",
    ),
]
