"""The code tree: each code's ancestors, its label in a language, and the codebook as a table."""

from __future__ import annotations

import pandas as pd


def ancestors(codes: pd.DataFrame) -> dict[str, list[str]]:
    """Each code's chain from itself up to its theme (a code whose parent is empty).

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["a", "a.b", "a.b.c"], "parent": [None, "a", "a.b"]})
    >>> ancestors(codes)["a.b.c"]
    ['a.b.c', 'a.b', 'a']
    """
    parent = {c: p for c, p in zip(codes["code_id"], codes["parent"]) if pd.notna(p) and p}
    out = {}
    for code in codes["code_id"]:
        chain = [code]
        while chain[-1] in parent and parent[chain[-1]] not in chain:
            chain.append(parent[chain[-1]])
        out[code] = chain
    return out


def themes_of(code_ids: pd.Series) -> pd.Series:
    """The theme of each code id (what comes before its first dot), worked out once per distinct id.

    Examples
    --------
    >>> themes_of(pd.Series(["inst.policy", "cap", "inst.policy"])).tolist()
    ['inst', 'cap', 'inst']
    """
    return code_ids.map({code: code.split(".")[0] for code in code_ids.unique()})


def in_language(text: dict | None, lang: str) -> str:
    """A bilingual text (``{zh, en}``) in ``lang``, or in the other language when ``lang``'s is empty
    (a code imported from a QDA project keeps the one language it came in).

    >>> in_language({"zh": "", "en": "Kód"}, "zh"), in_language({"zh": "甲", "en": "A"}, "en"), in_language(None, "zh")
    ('Kód', 'A', '')
    """
    text = text or {}
    other = "en" if lang == "zh" else "zh"
    return (text.get(lang) or "").strip() or (text.get(other) or "").strip()


def codebook_frame(codebook: dict) -> pd.DataFrame:
    """The codebook as a table: id, parent, labels, depth, theme (root ancestor), leaf flag.

    A code with a label in one language only (imported from a QDA project) takes that label in both
    columns, and ``untranslated`` names the language that was missing ("" when both are given).

    Examples
    --------
    >>> cb = {"codes": [
    ...     {"id": "inst", "parent": None, "label": {"zh": "制度框架", "en": "Institutions"}},
    ...     {"id": "inst.policy", "parent": "inst", "label": {"zh": "政策", "en": "Policy"}}]}
    >>> codebook_frame(cb)[["code_id", "theme", "depth", "is_leaf"]].to_dict("records")
    [{'code_id': 'inst', 'theme': 'inst', 'depth': 0, 'is_leaf': False}, {'code_id': 'inst.policy', 'theme': 'inst', 'depth': 1, 'is_leaf': True}]
    >>> one = {"codes": [{"id": "imported.kod", "parent": None, "label": {"zh": "", "en": "Kód érték"}}]}
    >>> codebook_frame(one)[["label_zh", "label_en", "untranslated"]].values.tolist()
    [['Kód érték', 'Kód érték', 'zh']]
    """
    rows = [{
        "code_id": c["id"], "parent": c.get("parent"), "order": order,
        "label_zh": in_language(c["label"], "zh"), "label_en": in_language(c["label"], "en"),
        "untranslated": "zh" if not c["label"]["zh"].strip() else "en" if not c["label"]["en"].strip() else "",
    } for order, c in enumerate(codebook["codes"])]
    frame = pd.DataFrame(rows)
    chains = ancestors(frame)
    parents = set(frame["parent"].dropna())
    frame["depth"] = frame["code_id"].map(lambda c: len(chains[c]) - 1)
    frame["theme"] = frame["code_id"].map(lambda c: chains[c][-1])
    frame["is_leaf"] = ~frame["code_id"].isin(parents)
    return frame


def code_labels(codes: pd.DataFrame, lang: str) -> dict[str, str]:
    """Each code's label in ``lang`` (``zh`` or ``en``), from the codebook table.

    >>> code_labels(pd.DataFrame({"code_id": ["a"], "label_zh": ["甲"], "label_en": ["A"]}), "en")
    {'a': 'A'}
    """
    return dict(zip(codes["code_id"], codes[f"label_{lang}"]))
