"""Sphinx extension: GB/T 7714-2015 author-year (著者-出版年制) citations for the Chinese book.

sphinxcontrib-bibtex formats the reference list with a pybtex formatting style and the
in-text citations with a referencing style; this module registers one of each:

* ``gbt7714`` (pybtex formatting style, ``bibtex_default_style``): the reference list as
  GB/T 7714-2015 sets it out for the author-year system: authors surname first (Latin
  surnames in capitals, given names as initials without points), at most three and then
  "等" or "et al.", the year, the title with its document-type code ([J], [M], [R],
  [C], [D], [EB]; "/OL" and the access date [引用日期] with the address for a source
  read online), then journal, volume(issue): pages, or place: publisher, and the DOI.
  Chinese works come first, ordered by the pinyin in their ``sortkey`` field, then the
  others by surname (the standard's 9.2: "按文种集中").
* ``gbt7714_author_year`` (referencing style, ``bibtex_reference_style``): "雷杰等（2022）"
  and "（雷杰等, 2022）" for a Chinese work, "童敏和周晓彤" for two authors; "Norris
  et al.（2008）" and "Brandsen and Honingh" for a work in another language.

A work is Chinese when its ``langid`` (or ``language``) field says so (``zh``, ``zh-cn``,
``chinese``), or, with neither field, when an author's name (or, without authors, the
title) contains a Chinese character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.richtext import HRef, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BaseReferenceStyle, BracketStyle, GroupReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join, join2, node, post_text, pre_text, reference, year

from casebook_static import add_static

#: Chinese characters (CJK unified ideographs, extension A, compatibility ideographs).
HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: ``langid`` / ``language`` values that mark a Chinese work.
CHINESE_TAGS = frozenset({"zh", "zh-cn", "zh_cn", "zh-hans", "chinese", "中文"})
#: At most this many authors are listed; the rest become 等 / et al. (GB/T 7714-2015, 8.1.3).
MAX_AUTHORS = 3

#: Wording that differs between a Chinese and another entry, in the list and in the text.
WORDS = {
    True: {"others": "等", "and": "和", "list_others": "等", "place": "[出版地不详]",
           "publisher": "[出版者不详]", "edition": "{} 版"},
    False: {"others": " et al.", "and": " and ", "list_others": "et al.", "place": "[S.l.]",
            "publisher": "[s.n.]", "edition": "{} ed"},
}

#: Document-type codes (GB/T 7714-2015, appendix B) by BibTeX entry type.
TYPE_CODE = {"article": "J", "book": "M", "incollection": "M", "inbook": "M", "techreport": "R",
             "report": "R", "inproceedings": "C", "proceedings": "C", "phdthesis": "D",
             "mastersthesis": "D", "thesis": "D", "misc": "EB", "online": "EB", "electronic": "EB"}


def plain(value: str) -> str:
    """A BibTeX field without its braces and with its LaTeX quotes and dashes as characters.

    >>> plain("{QCA} with {R}: ``the He Project'' -- 1998")
    'QCA with R: “the He Project” – 1998'
    """
    return (value.replace("``", "\u201c").replace("''", "\u201d").replace("---", "\u2014")
            .replace("--", "\u2013").replace("{", "").replace("}", "").replace("\\&", "&"))


def is_chinese(entry) -> bool:
    """Whether ``entry`` is a Chinese work: by its ``langid``/``language`` field, else by the
    characters of its authors' names (its title when it has no authors)."""
    tag = entry.fields.get("langid", entry.fields.get("language"))
    if tag is not None:
        return plain(tag).strip().lower() in CHINESE_TAGS
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    text = " ".join(str(p) for p in people) or entry.fields.get("title", "")
    return bool(HANZI.search(text))


def _surname(person) -> str:
    return plain(" ".join(person.prelast_names + person.last_names))


def _initials(person) -> str:
    """Given names as initials without points, a hyphenated name kept hyphenated ("J-L")."""
    names = plain(" ".join(person.first_names + person.middle_names)).replace(".", " ").split()
    return " ".join("-".join(part[:1].upper() for part in name.split("-") if part) for name in names)


def _full_chinese(person) -> str:
    """A Chinese name as written, surname then given name, with no space between them."""
    return plain("".join(person.last_names + person.first_names + person.middle_names))


def _in_hanzi(person) -> bool:
    return bool(HANZI.search(str(person)))


def _text_name(person) -> str:
    """A name as the text cites it: a name in Chinese characters whole, any other by its surname
    (a Chinese author written in pinyin is cited as "Lei", GB/T 7714-2015, 10.2.1)."""
    return _full_chinese(person) if _in_hanzi(person) else _surname(person)


def _list_name(person) -> str:
    """A name as the list gives it: Chinese characters whole, otherwise SURNAME and initials."""
    if _in_hanzi(person):
        return _full_chinese(person)
    return " ".join(filter(None, [_surname(person).upper(), _initials(person)]))


def _people(entry):
    return entry.persons.get("author") or entry.persons.get("editor") or []


def citation_names(entry, full: bool = False) -> str:
    """The names an in-text citation shows: one name; two joined by 和 / and; three or more
    as the first name and 等 / et al. (all of them when ``full``). Chinese names are given
    whole, other names by surname. Without authors or editors, the title.

    >>> from pybtex.database import Entry, Person
    >>> e = Entry("article", persons={"author": [Person("童敏"), Person("周晓彤")]})
    >>> citation_names(e)
    '童敏和周晓彤'
    >>> e = Entry("article", persons={"author": [Person("Norris, Fran"), Person("Stevens, Susan"), Person("Wyche, Karen")]})
    >>> citation_names(e), citation_names(e, full=True)
    ('Norris et al.', 'Norris, Stevens and Wyche')
    """
    chinese = is_chinese(entry)
    words = WORDS[chinese]
    names = [_text_name(p) for p in _people(entry)]
    if not names:
        return plain(entry.fields.get("title", ""))
    if len(names) == 1:
        return names[0]
    if len(names) == 2 or full:
        return ("、" if chinese else ", ").join(names[:-1]) + words["and"] + names[-1]
    return names[0] + words["others"]


def reference_authors(entry, role: str = "author") -> str:
    """The authors as the reference list gives them (GB/T 7714-2015, 8.1): surname first,
    Latin surnames in capitals with initials, at most three and then 等 / et al.

    >>> from pybtex.database import Entry, Person
    >>> e = Entry("article", persons={"author": [Person("Osborne, Stephen P."), Person("Radnor, Zoe")]})
    >>> reference_authors(e)
    'OSBORNE S P, RADNOR Z'
    """
    chinese = is_chinese(entry)
    people = entry.persons.get(role, [])
    names = [_list_name(p) for p in people[:MAX_AUTHORS]]
    if len(people) > MAX_AUTHORS:
        names.append(WORDS[chinese]["list_others"])
    return ", ".join(names)


def _ordinal(edition: str) -> str:
    if not edition.isdigit():
        return edition
    n = int(edition)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Gbt7714Style(BaseStyle):
    """The reference list in GB/T 7714-2015 author-year form (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # BaseStyle binds ``sort`` to its sorting plugin; the standard's order replaces it.
        self.sort = self.sort_by_language
        # An author-year list has no labels; the one docutils needs is the citation's own text,
        # so that wherever a builder shows it (LaTeX) it reads as the text cites the work.
        self.format_labels = self.author_year_labels

    @staticmethod
    def author_year_labels(entries):
        return [f"{citation_names(e)}, {e.fields.get('year', '')}" for e in entries]

    def sort_by_language(self, entries):
        """Chinese works first, by the pinyin in ``sortkey``; then the others by surname."""
        def key(entry):
            people = _people(entry)
            name = plain(entry.fields.get("sortkey", "")) or " ".join(_surname(p) for p in people)
            return (0 if is_chinese(entry) else 1, name.lower(), entry.fields.get("year", ""),
                    plain(entry.fields.get("title", "")).lower())
        return sorted(entries, key=key)

    def format_entry(self, label, entry, bib_data=None):
        return FormattedEntry(entry.key, format_reference(entry), label)


def _f(entry, name: str) -> str:
    return plain(entry.fields.get(name, "")).strip()


def _place_publisher(entry, publisher_field: str) -> str:
    words = WORDS[is_chinese(entry)]
    return f"{_f(entry, 'address') or words['place']}: {_f(entry, publisher_field) or words['publisher']}"


def format_reference(entry) -> Text:
    """One entry of the reference list as rich text (links for the address and the DOI).

    >>> from pybtex.database import Entry, Person
    >>> e = Entry("article", fields={"title": "社会工作助力乡村振兴", "journal": "社会工作与管理",
    ...     "year": "2023", "volume": "23", "number": "6", "pages": "23--33"}, persons={"author": [Person("张富富")]})
    >>> str(format_reference(e))
    '张富富, 2023. 社会工作助力乡村振兴[J]. 社会工作与管理, 23(6): 23-33.'
    """
    chinese = is_chinese(entry)
    online = bool(_f(entry, "urldate")) and bool(_f(entry, "url"))
    code = TYPE_CODE.get(entry.type.lower(), "Z")
    code = "EB/OL" if code == "EB" else code + ("/OL" if online else "")
    head = reference_authors(entry) or reference_authors(entry, "editor") or _f(entry, "organization")
    title = f"{_f(entry, 'title')}[{code}]"
    parts: list = [f"{head}, {_f(entry, 'year')}. {title}" if head else f"{title}. {_f(entry, 'year')}"]
    kind = entry.type.lower()
    if kind == "article":
        where = _f(entry, "journal")
        if _f(entry, "volume"):
            where += f", {_f(entry, 'volume')}"
        if _f(entry, "number"):
            where += f"({_f(entry, 'number').replace(chr(0x2013), '/')})"
        if _f(entry, "pages"):
            where += f": {_f(entry, 'pages').replace(chr(0x2013), '-')}"
        parts.append(where)
    elif kind in ("incollection", "inbook"):
        editors = reference_authors(entry, "editor")
        parts[-1] += "//" + ". ".join(filter(None, [editors, _f(entry, "booktitle")]))
        parts.append(_place_publisher(entry, "publisher")
                     + (f": {_f(entry, 'pages').replace(chr(0x2013), '-')}" if _f(entry, "pages") else ""))
    elif code.startswith("EB"):
        if _f(entry, "date"):
            parts.append(f"({_f(entry, 'date')})")
    else:
        publisher = {"techreport": "institution", "report": "institution", "phdthesis": "school",
                     "mastersthesis": "school", "thesis": "school"}.get(kind, "publisher")
        if _f(entry, "edition"):
            parts.append(WORDS[chinese]["edition"].format(_f(entry, "edition") if chinese
                                                          else _ordinal(_f(entry, "edition"))))
        parts.append(_place_publisher(entry, publisher))
    if online:
        if code.startswith("EB") and _f(entry, "date"):
            parts[-1] += f"[{_f(entry, 'urldate')}]"
        elif code.startswith("EB"):
            parts.append(f"[{_f(entry, 'urldate')}]")
        else:
            parts[-1] += f"[{_f(entry, 'urldate')}]"
    pieces: list = [". ".join(parts), "."]
    if online:
        pieces += [" ", HRef(_f(entry, "url"), _f(entry, "url")), "."]
    if _f(entry, "doi"):
        doi = _f(entry, "doi")
        pieces += [" DOI:", HRef(f"https://doi.org/{doi}", doi), "."]
    return Text(*pieces)


@node
def cited_names(children, data, full=False):
    """Template node: the names an in-text citation shows (:func:`citation_names`)."""
    assert not children
    return Text(citation_names(data["entry"], full))


@node
def name_year_sep(children, data):
    """Template node: what stands between the names and the year inside parentheses, a full-width
    comma after a Chinese work's names (雷杰等，2022) and ", " after another's (Magis, 2010)."""
    assert not children
    return Text("，" if is_chinese(data["entry"]) else ", ")


#: Full-width parentheses for both kinds of citation; "; " between the works of one citation.
PARENS = BracketStyle(left="（", right="）", sep="; ")


@dataclass
class _Parenthetical(BaseReferenceStyle):
    """（雷杰等，2022; Magis, 2010）"""

    def role_names(self):
        return [f"{alt}p{full}" for alt in ("", "al") for full in ("", "s")]

    def outer(self, role_name, children):
        return PARENS.outer(children, brackets="al" not in role_name)

    def inner(self, role_name):
        return join2(sep1="", sep2=", ")[
            pre_text, reference[join[cited_names(full="s" in role_name), name_year_sep, year]], post_text]


@dataclass
class _Textual(BaseReferenceStyle):
    """雷杰等（2022）; Norris et al.（2008）"""

    def role_names(self):
        return [f"{cap}t{full}" for cap in ("", "c") for full in ("", "s")]

    def outer(self, role_name, children):
        return BracketStyle(sep="、").outer(children, brackets=False, capfirst="c" in role_name)

    def inner(self, role_name):
        return join[cited_names(full="s" in role_name), "（",
                    join2(sep1="", sep2=", ")[pre_text, reference[year], post_text], "）"]


@dataclass
class _Author(BaseReferenceStyle):
    """雷杰等; （雷杰等）"""

    def role_names(self):
        return [f"{cap}author{par}{full}" for par in ("par", "") for cap in (("", "c") if not par else ("",))
                for full in ("", "s")]

    def outer(self, role_name, children):
        return PARENS.outer(children, brackets="par" in role_name, capfirst="c" in role_name)

    def inner(self, role_name):
        return reference[cited_names(full="s" in role_name)]


@dataclass
class Gbt7714AuthorYearReferenceStyle(GroupReferenceStyle):
    """In-text citations in GB/T 7714-2015 author-year form, 等/和 for Chinese works."""

    styles: list = field(default_factory=lambda: [
        _Parenthetical(), _Textual(), _Author(),
        ExtraLabelReferenceStyle(bracket=PARENS), ExtraYearReferenceStyle(bracket=PARENS),
        ExtraEmptyReferenceStyle()])


def setup(app):
    pybtex.plugin.register_plugin("pybtex.style.formatting", "gbt7714", Gbt7714Style)
    register_plugin("sphinxcontrib.bibtex.style.referencing", "gbt7714_author_year",
                    Gbt7714AuthorYearReferenceStyle)
    app.connect("config-inited", add_static)
    app.add_css_file("casebook_gbt7714.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
