"""The words the tables and figures share, in Chinese and English: column headers, actor types,
the tables' terms. A figure's own words are in its entry of ``workflow/report.yaml``.

Each mapping is keyed by language (``zh``, ``en``); a test checks that both languages have the
same keys (here and in the registry), so no figure or table is left half-translated.
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
