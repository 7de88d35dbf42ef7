"""Every word the figures and tables print, in Chinese and English, in one place.

Each mapping is keyed by language (``zh``, ``en``) first or by figure; a test checks that every
entry has both languages with the same keys, so no figure or table is left half-translated.
Templates in braces (``{outcome}``) are filled where they are used.
"""

HEADERS = {
    "zh": {"code": "编码", "code_id": "编码号", "theme": "主题", "segments": "片段数", "documents": "文档数",
           "participants": "受访者数", "stations": "站点数", "share_documents": "文档占比（95% CI）",
           "alpha": "Krippendorff α", "agreement": "一致率", "chars_a": "字符数", "station": "站点",
           "indicator": "指标", "scope": "范围", "date": "时间", "value": "数值", "unit": "单位",
           "source": "来源", "label_zh": "中文名", "label_en": "英文名", "definition": "定义", "parent": "上级编码",
           "note": "说明"},
    "en": {"code": "Code", "code_id": "Code id", "theme": "Theme", "segments": "Segments", "documents": "Documents",
           "participants": "Participants", "stations": "Stations", "share_documents": "Share of documents (95% CI)",
           "alpha": "Krippendorff's α", "agreement": "Agreement", "chars_a": "Characters", "station": "Station",
           "indicator": "Indicator", "scope": "Scope", "date": "Date", "value": "Value", "unit": "Unit",
           "source": "Source", "label_zh": "Chinese label", "label_en": "English label", "definition": "Definition",
           "parent": "Parent", "note": "Note"},
}

#: Display names of the actor types.
ACTOR_LABELS = {
    "zh": {"government": "政府", "social_worker": "社工", "cadre": "村（社区）干部", "resident": "居民",
           "volunteer_org": "志愿者与社会组织", "none": "（无发言人）"},
    "en": {"government": "Government", "social_worker": "Social workers", "cadre": "Village/community cadres",
           "resident": "Residents", "volunteer_org": "Volunteers and social organisations", "none": "(no speaker)"},
}
WORDS = {
    "zh": {"test": "检验", "chi2": "卡方检验", "monte_carlo": "蒙特卡洛精确检验", "none": "—", "n_with": "含该编码的片段",
           "statistic": "χ²", "p": "p", "p_fdr": "FDR 校正 p", "over": "显著偏多（调整残差）", "kappa": "Cohen κ",
           "ac1": "Gwet AC1", "flag": "判断", "reliable": "可靠", "tentative": "暂可接受", "unreliable": "不可靠",
           "undefined": "无法计算", "scope": "范围", "pooled": "全部站点", "interviews": "访谈数", "base_codes": "基线编码数",
           "total_codes": "编码总数", "result": "结果", "stretches": "分歧片段", "confusions": "其中误用相邻编码",
           "omissions": "其中漏编", "chars": "涉及字符", "coded": "编码文字上的一致率",
           "supportive": "韧性叙述为支持性"},
    "en": {"test": "Test", "chi2": "chi-square", "monte_carlo": "Monte Carlo exact", "none": "—", "n_with": "Spans with code",
           "statistic": "χ²", "p": "p", "p_fdr": "FDR-adjusted p", "over": "Over-represented (adj. residual)",
           "kappa": "Cohen's κ", "ac1": "Gwet's AC1", "flag": "Reading", "reliable": "reliable", "tentative": "tentative",
           "unreliable": "unreliable", "undefined": "undefined", "scope": "Scope", "pooled": "All stations",
           "interviews": "Interviews", "base_codes": "Codes in base", "total_codes": "Codes in all",
           "result": "Result", "stretches": "Disagreements", "confusions": "of which another code",
           "omissions": "of which omitted", "chars": "Characters", "coded": "Agreement on coded text",
           "supportive": "resilience talk is supportive"},
}

#: The words of each figure (analysis.report.figure_jobs), by figure and language.
FIGURE_WORDS = {
    "alpha_forest": {
        "zh": {"undefined": "无法计算", "overall": "全部编码合并", "xlabel": "Krippendorff's α（95% 自助法区间）"},
        "en": {"undefined": "undefined", "overall": "All codes pooled", "xlabel": "Krippendorff's α (95% bootstrap interval)"},
    },
    "analytic_framework": {
        "zh": {"station": "乡镇社会工作站的引领机制", "leads": "引领合作生产", "conditions": "合作生产的条件",
               "outcomes": "社区韧性的维度"},
        "en": {"station": "The station's leading mechanisms", "leads": "leads co-production",
               "conditions": "Conditions of co-production", "outcomes": "Dimensions of resilience"},
    },
    "code_by_actor": {
        "zh": {"columns": "发言人主体类型", "scale": "调整标准化残差"},
        "en": {"columns": "Speaker's actor type", "scale": "Adjusted standardized residual"},
    },
    "cooccurrence_network": {
        "zh": {"left": "合作生产与社工站机制编码", "right": "社区韧性结果", "none": "没有共现的编码对",
               "legend": "线宽为 c 系数，实线为 FDR 校正后显著"},
        "en": {"left": "co-production and mechanism codes", "right": "resilience outcomes", "none": "no co-occurring pairs",
               "legend": "width: c-coefficient; solid: significant after FDR"},
    },
    "evidence": {
        "zh": {"by_station": "按站点", "by_actor": "按发言主体", "support": "支持", "contrary": "反证",
               "xlabel": "编码片段数（左：反证，右：支持）"},
        "en": {"by_station": "By station", "by_actor": "By actor type", "support": "supporting", "contrary": "contrary",
               "xlabel": "Coded segments (left: contrary, right: supporting)"},
    },
    "framework_matrix": {
        "zh": {"rows": "站点", "columns": "命题", "scale": "支持性证据占比"},
        "en": {"rows": "Station", "columns": "Proposition", "scale": "Share of supporting evidence"},
    },
    "mechanism_diagram": {
        "zh": {"conditions": "合作生产条件", "mechanisms": "社工站引领机制", "outcomes": "社区韧性结果",
               "supported": "证据支持（共现检验显著）", "unsupported": "证据不足"},
        "en": {"conditions": "Conditions", "mechanisms": "Station mechanisms", "outcomes": "Resilience outcomes",
               "supported": "supported (significant co-occurrence)", "unsupported": "not supported"},
    },
    "pt_logodds": {
        "zh": {"x": "已纳入的证据条数", "y": "累计对数几率（分贝班）"},
        "en": {"x": "evidence items taken in", "y": "cumulative log-odds (decibans)"},
    },
    "qca_xy": {
        "zh": {"x": "中间解的隶属度", "y": "结果（{outcome}）的隶属度", "incl": "一致性", "cov": "覆盖度",
               "none": "站点数 {n_cases} 少于 {min_cases}，未做 QCA"},
        "en": {"x": "membership in the intermediate solution", "y": "membership in the outcome ({outcome})",
               "incl": "consistency", "cov": "coverage", "none": "{n_cases} stations, fewer than {min_cases}: no QCA"},
    },
    "rulegraph": {
        "zh": {"ingest": "导入", "coding": "编码汇总", "reliability": "信度", "mechanisms": "机制分析",
               "figures": "图表与数字", "paper": "成书", "Snakefile": "总目标"},
        "en": {"ingest": "ingest", "coding": "coding", "reliability": "reliability", "mechanisms": "mechanisms",
               "figures": "figures", "paper": "paper", "Snakefile": "target"},
    },
    "saturation": {
        "zh": {"xlabel": "访谈（按进行顺序）", "cumulative": "累计不同编码数", "share": "本轮新信息占比", "point": "饱和点"},
        "en": {"xlabel": "Interview (order conducted)", "cumulative": "Distinct codes so far",
               "share": "New information in run", "point": "saturation"},
    },
    "theme_frequencies": {"zh": {"xlabel": "编码片段数"}, "en": {"xlabel": "Coded segments"}},
}
