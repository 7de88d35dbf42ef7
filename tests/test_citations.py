"""GB/T 7714-2015 author-year citations (paper/_ext/casebook_gbt7714.py) and the sources of the
real public facts (data/context/context_facts.csv).

The expected strings follow GB/T 7714-2015 as the brief for this book reads it: in the text
"雷杰等（2022）" and "（雷杰等，2022）" (a full-width comma after Chinese names), two Chinese authors
joined by 和, works in other languages with "et al." and "and" and a half-width comma; in the list surname first (Latin surnames in capitals, initials without
points), at most three authors and then 等 / et al., the year after the authors, the
document-type code after the title, "/OL", the access date and the address for a source read
online. Nothing here builds the book.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pybtex.database import Entry, Person, parse_file
from sphinxcontrib.bibtex.style.referencing import format_references
from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

from analysis.inputs.io import read_table
from analysis.inputs.schemas import check_table, load_schemas

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "paper" / "_ext"))
import casebook_gbt7714 as gbt  # noqa: E402

BIB = parse_file(str(ROOT / "paper" / "references.bib")).entries


def _article(authors, title, journal, year="2022", **fields):
    return Entry("article", fields={"title": title, "journal": journal, "year": year, **fields},
                 persons={"author": [Person(a) for a in authors]})


LEI = _article(["雷杰", "易雪娇", "张忠民"], "行政化导向的新管理主义", "社会工作与管理", volume="22", number="4",
               pages="62--74")
TONG = _article(["童敏", "周晓彤"], "偏远乡村内生动力生产机制研究", "社会工作与管理", "2025")
NORRIS = _article(["Norris, Fran H.", "Stevens, Susan P.", "Pfefferbaum, Betty", "Wyche, Karen F."],
                  "Community Resilience as a Metaphor", "American Journal of Community Psychology", "2008",
                  volume="41", number="1--2", pages="127--150", doi="10.1007/s10464-007-9156-6")
BRANDSEN = _article(["Brandsen, Taco", "Honingh, Marlies"], "Distinguishing Different Types of Coproduction",
                    "Public Administration Review", "2016")


def cite(role: str, *entries: Entry) -> str:
    """An in-text citation as plain text, through sphinxcontrib-bibtex's own formatter."""
    style = gbt.Gbt7714AuthorYearReferenceStyle()
    info = SphinxReferenceInfo(builder=None, fromdocname="a", todocname="references", citation_id="x",
                               title=None, pre_text="", post_text="")
    return str(format_references(style, role, [(e, None, info) for e in entries]))


def test_a_chinese_work_is_cited_with_deng_and_he():
    assert cite("t", LEI) == "雷杰等（2022）"
    assert cite("p", LEI) == "（雷杰等，2022）"
    assert cite("t", TONG) == "童敏和周晓彤（2025）"
    assert cite("p", TONG) == "（童敏和周晓彤，2025）"


def test_a_work_in_another_language_keeps_et_al_and_and():
    assert cite("t", NORRIS) == "Norris et al.（2008）"
    assert cite("p", BRANDSEN, NORRIS) == "（Brandsen and Honingh, 2016; Norris et al., 2008）"
    assert cite("alp", BRANDSEN) == "Brandsen and Honingh, 2016"
    assert cite("ts", NORRIS) == "Norris, Stevens, Pfefferbaum and Wyche（2008）"


def test_a_mixed_citation_decides_the_language_work_by_work():
    assert cite("p", LEI, NORRIS) == "（雷杰等，2022; Norris et al., 2008）"


def test_the_reference_list_follows_the_standard():
    assert str(gbt.format_reference(LEI)) == "雷杰, 易雪娇, 张忠民, 2022. 行政化导向的新管理主义[J]. 社会工作与管理, 22(4): 62-74."
    assert str(gbt.format_reference(NORRIS)) == (
        "NORRIS F H, STEVENS S P, PFEFFERBAUM B, et al., 2008. Community Resilience as a Metaphor[J]. "
        "American Journal of Community Psychology, 41(1/2): 127-150. DOI:10.1007/s10464-007-9156-6.")


def test_a_source_read_online_carries_its_access_date_and_address():
    page = Entry("misc", fields={"title": "乡镇（街道）社工站建设取得重大进展", "year": "2022", "date": "2022-01-04",
                                 "urldate": "2026-12-03", "url": "https://example.org/a.html"},
                 persons={"author": [Person("许娓"), Person("闫薇")]})
    assert str(gbt.format_reference(page)) == (
        "许娓, 闫薇, 2022. 乡镇（街道）社工站建设取得重大进展[EB/OL]. (2022-01-04)[2026-12-03]. https://example.org/a.html.")
    online = _article(["Wilson, Edwin B."], "Probable Inference", "JASA", "1927", volume="22", number="158",
                      pages="209--212", urldate="2026-12-03", url="https://example.org/w")
    assert str(gbt.format_reference(online)) == (
        "WILSON E B, 1927. Probable Inference[J/OL]. JASA, 22(158): 209-212[2026-12-03]. https://example.org/w.")
    book = Entry("book", fields={"title": "Redesigning Social Inquiry", "year": "2008", "edition": "2",
                                 "publisher": "University of Chicago Press"}, persons={"author": [Person("Ragin, Charles C.")]})
    assert str(gbt.format_reference(book)) == (
        "RAGIN C C, 2008. Redesigning Social Inquiry[M]. 2nd ed. [S.l.]: University of Chicago Press.")


def test_the_language_field_overrides_the_characters():
    translated = _article(["Lei, Jie"], "Neo-Managerialism", "Social Work and Management", langid="zh")
    assert gbt.is_chinese(translated) and gbt.citation_names(translated) == "Lei"
    english = _article(["雷杰"], "title", "journal", langid="english")
    assert not gbt.is_chinese(english)
    assert gbt.is_chinese(LEI) and not gbt.is_chinese(NORRIS)


def test_no_chinese_name_in_the_book_stands_next_to_et_al_or_and():
    chinese = [e for e in BIB.values() if gbt.is_chinese(e)]
    assert {"pan2022", "lei2022", "tong2025", "zhang2023", "he2024"} <= {e.key for e in chinese}
    for entry in chinese:
        shown = [gbt.citation_names(entry), gbt.citation_names(entry, full=True), str(gbt.format_reference(entry))]
        assert not any("et al" in s or " and " in s for s in shown), entry.key
    assert gbt.citation_names(BIB["pan2022"]) == "潘莉等"
    assert gbt.citation_names(BIB["tong2025"]) == "童敏和周晓彤"


def test_the_paper_itself_is_listed_with_its_chinese_authors_and_journal():
    text = str(gbt.format_reference(BIB["pan2022"]))
    assert text.startswith("潘莉, 孙洁, 王晔安, 2022. 合作生产视角下乡镇社会工作站促建社区韧性的机制研究[J]")
    assert text.endswith("[J]. 社会工作与管理, 22(4): 75-85.")


def test_chinese_works_come_first_in_pinyin_order():
    order = [e.key for e in gbt.Gbt7714Style().sort(BIB.values())]
    chinese = [k for k in order if gbt.is_chinese(BIB[k])]
    assert order[:len(chinese)] == chinese, "Chinese works are listed before the others"
    assert all(BIB[k].fields.get("sortkey") for k in chinese), "a Chinese work needs its pinyin in sortkey"
    assert chinese == sorted(chinese, key=lambda k: BIB[k].fields["sortkey"])
    others = order[len(chinese):]
    assert others.index("agresti2007") == 0 and others.index("ostrom1996") > others.index("norris2008")


def test_the_methods_the_book_uses_are_in_the_bibliography():
    for key in ("benjamini1995", "wilson1927", "liang1986", "cohen1960", "mancl2001", "schneider2012",
                "krippendorff2004", "efron1987", "phipson2010", "korn1998", "ragin2008", "fairfield2017"):
        assert key in BIB, key


# --- the real public facts -------------------------------------------------------------------

CONTEXT = ROOT / "data" / "context" / "context_facts.csv"


def _facts(path: Path):
    problems: list = []
    frame = read_table(path, problems, ROOT)
    assert not problems
    return frame


def test_every_public_fact_has_a_source_and_an_access_date():
    frame = _facts(CONTEXT)
    schema = load_schemas(ROOT / "workflow" / "schemas")["context"]
    assert check_table(frame, schema, "context_facts.csv") == []
    assert frame["accessed"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert frame["source"].str.match(r"https?://").all()


def test_a_fact_without_an_access_date_is_refused(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("fact_id,scope,indicator,value,unit,source,accessed\n"
                    "units,District,units,15,units,http://example.org/x,\n", encoding="utf-8")
    schema = load_schemas(ROOT / "workflow" / "schemas")["context"]
    problems = check_table(_facts(path), schema, "facts.csv")
    assert problems and "accessed" in str(problems[0])


@pytest.mark.parametrize("dropped", ["wangcheng_area", "hunan_plan_townships"])
def test_facts_whose_page_could_not_be_read_again_are_gone(dropped):
    assert dropped not in set(_facts(CONTEXT)["fact_id"])
    book = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "paper").glob("*.md"))
    assert f"ctx_{dropped}" not in book


def test_the_kunyuan_operator_claim_without_a_source_is_gone():
    book = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "paper").glob("*.md"))
    assert "承接运营区级社会工作服务总站" not in book
