"""De-identification: every form of a confidential name, found however it is written, and masked.

A participant's ``name`` and ``aliases`` (the confidential columns of ``participants.csv``)
are the *declared forms*. :class:`NameMatcher` finds them in any text, however a careless
or a hostile hand wrote them:

- the text and the forms are compared *folded*: Unicode compatibility forms unified (NFKC:
  full-width letters become ASCII), traditional characters read as simplified (OpenCC's
  ``t2s`` tables), letter case folded, diacritics dropped (``Ōuyáng`` is ``ouyang``);
- invisible format characters (zero-width space and joiners, bidi marks, soft hyphens,
  variation selectors) are dropped, and spaces, line breaks, Markdown emphasis, middle dots
  and dashes between the characters of a name are ignored (``欧 阳\\n振华``, ``欧阳**振华**``);
- every Chinese form is also looked for in Hanyu Pinyin (pypinyin, every reading of a
  character with several), syllables together or apart, with or without tone numbers, and
  for the ``name`` column given name first as well (``Zhenhua Ouyang``); a pinyin form only
  matches as a whole word;
- a name's surname (a compound surname such as 欧阳 or 司马 counts as one) followed by a
  common title or form of address (书记, 主任, 阿姨, ... :data:`TITLES`): a form nobody
  declared, but one that identifies a person in a village.

A declared form and its pinyin become ``〔participant_id〕`` (:data:`SHARED_NAME_TOKEN` when
several people bear it); a surname with a title becomes ``〔某书记〕``, since the surname does
not say which of its bearers is meant.

Nothing here ever puts a name into a message: what it reports about a match is the
participant id and the kind of form (:attr:`NameForm.kind`).
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Columns of participants.csv that hold confidential name forms.
CONFIDENTIAL_COLUMNS = ("name", "aliases")
#: What replaces a name form that more than one participant bears.
SHARED_NAME_TOKEN = "〔受访者〕"
#: Characters that may stand between the characters of a name without hiding it
#: (besides every whitespace character): Markdown emphasis, dots and dashes.
GAP_CHARACTERS = frozenset("*_·•‧・∙.-‐‑‒–—―~'’`")
#: Compound surnames (复姓) of the Hundred Family Surnames still in use; a name that starts
#: with one has a two-character surname.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 轩辕 独孤 南宫 西门 呼延 "
    "澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 钟离 闾丘 东郭 百里 万俟 赫连 拓跋 贺兰 第五 左丘 谷梁 乐正 "
    "公羊 司空 司寇 亓官 羊舌 微生 段干 鲜于 仲孙 叔孙 巫马 公西 漆雕".split())
#: Titles and forms of address that follow a surname in rural fieldwork talk (王书记, 李阿姨).
TITLES = tuple(
    "书记 副书记 主任 副主任 村长 村主任 组长 队长 镇长 乡长 站长 所长 局长 科长 部长 主席 委员 会长 "
    "社长 院长 校长 老师 医生 大夫 会计 干部 社工 督导 经理 老板 师傅 同志 先生 女士 阿姨 大爷 大妈 "
    "大娘 大姐 大哥 奶奶 爷爷 婆婆 嫂子 婶子 叔叔 伯伯 嫂 婶 叔 伯 姐 哥".split())
#: At most this many pinyin spellings of one form (characters with several readings multiply).
MAX_PINYIN_SPELLINGS = 32
#: Kinds of form, in the order a tie between two matches of the same span is decided.
KINDS = ("declared", "pinyin", "surname+title")


def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


_T2S = None


@lru_cache(maxsize=1 << 16)
def fold_char(char: str) -> str:
    """One character as the matcher sees it: ``""`` for a format or gap character.

    Examples
    --------
    >>> [fold_char(c) for c in ["歐", "Ｗ", "Ō", "\\u200b", " ", "*", "兰"]]
    ['欧', 'w', 'o', '', '', '', '兰']
    """
    global _T2S
    if unicodedata.category(char) == "Cf" or char.isspace() or char in GAP_CHARACTERS:
        return ""
    text = unicodedata.normalize("NFKC", char)
    if any(ord(c) > 0x2E7F for c in text):
        if _T2S is None:
            _T2S = _opencc()
        text = _T2S.convert(text)
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf")
                   and not c.isspace() and c not in GAP_CHARACTERS)


def _is_latin(char: str) -> bool:
    return "a" <= char <= "z"


def fold_view(text: str) -> tuple[str, list[int]]:
    """The folded text with gaps and format characters removed, and for each of its characters
    the index of the character of ``text`` it came from.

    A tone number (1-5) right after a Latin letter is dropped too, so ``wang2 fang1`` reads
    as ``wangfang``.

    Examples
    --------
    >>> fold_view("歐 陽\\u200b振華")
    ('欧阳振华', [0, 2, 4, 5])
    >>> fold_view("Wang2 Fang1")[0]
    'wangfang'
    """
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = fold_char(char)
        if not folded:
            continue
        if len(folded) == 1 and folded in "12345" and out and _is_latin(out[-1][-1]) and fold_char(text[i - 1]):
            continue
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def fold(text: str) -> str:
    """A form as the matcher compares it: :func:`fold_view` without the positions.

    Examples
    --------
    >>> fold("OUYANG Zhenhua"), fold("司馬 蘭芳")
    ('ouyangzhenhua', '司马兰芳')
    """
    return fold_view(text)[0]


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH") or unicodedata.name(char, "").startswith(
        "CJK COMPATIBILITY IDEOGRAPH")


def split_name(name: str) -> tuple[str, str] | None:
    """A Chinese name as (surname, given name), a compound surname counted as one; ``None``
    when the name is not two or more Chinese characters.

    Examples
    --------
    >>> split_name("欧阳振华"), split_name("王秀兰"), split_name("Mary")
    (('欧阳', '振华'), ('王', '秀兰'), None)
    """
    folded = fold(name)
    if len(folded) < 2 or not all(_is_han(c) for c in folded):
        return None
    if len(folded) >= 3 and folded[:2] in COMPOUND_SURNAMES:
        return folded[:2], folded[2:]
    return folded[:1], folded[1:]


def pinyin_spellings(form: str) -> list[list[str]]:
    """Every pinyin spelling of a Chinese form, as lists of syllables (at most
    :data:`MAX_PINYIN_SPELLINGS`; ``ü`` written both ``v`` and ``u``).

    Examples
    --------
    >>> pinyin_spellings("欧阳")
    [['ou', 'yang']]
    >>> pinyin_spellings("吕")
    [['lv'], ['lu']]
    """
    from pypinyin import Style, lazy_pinyin, pinyin

    folded = fold(form)
    if not folded or not all(_is_han(c) for c in folded):
        return []
    readings = [sorted(set(r)) for r in pinyin(folded, style=Style.NORMAL, heteronym=True, errors="ignore")]
    preferred = lazy_pinyin(folded, style=Style.NORMAL)
    spellings: list[list[str]] = [preferred]
    for combo in itertools.product(*readings):
        if len(spellings) >= MAX_PINYIN_SPELLINGS:
            break
        if list(combo) not in spellings:
            spellings.append(list(combo))
    out: list[list[str]] = []
    for syllables in spellings:
        for variant in (syllables, [s.replace("v", "u") for s in syllables]):
            if variant not in out:
                out.append(variant)
    return out[:MAX_PINYIN_SPELLINGS]


@dataclass(frozen=True)
class NameForm:
    """One form the matcher looks for.

    ``owners`` are the participant ids whose name it is (for a surname with a title, every
    bearer of the surname); ``kind`` is one of :data:`KINDS`, ``how`` says in a few words how
    it is written (for messages, which never show the form itself), ``token`` replaces it.
    """

    owners: tuple[str, ...]
    kind: str
    how: str
    token: str
    latin: bool


@dataclass(frozen=True)
class Hit:
    """Where a form was found: ``text[start:end]``."""

    start: int
    end: int
    form: NameForm


def participant_forms(rows) -> dict[str, list[tuple[str, str]]]:
    """The declared forms of each participant: ``{participant_id: [(column, form), ...]}``.

    ``rows`` are mappings with ``participant_id`` and, where present, ``name`` and
    ``aliases`` (``;``-separated). Empty cells give nothing.

    Examples
    --------
    >>> participant_forms([{"participant_id": "P1", "name": "王秀兰", "aliases": "秀兰; 王主任"}])
    {'P1': [('name', '王秀兰'), ('aliases', '秀兰'), ('aliases', '王主任')]}
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        pid = str(row.get("participant_id") or "")
        name, aliases = row.get("name"), row.get("aliases")
        forms = [("name", name.strip())] if isinstance(name, str) and name.strip() else []
        if isinstance(aliases, str):
            forms += [("aliases", a.strip()) for a in aliases.split(";") if a.strip()]
        if forms and pid:
            out.setdefault(pid, []).extend(forms)
    return out


class NameMatcher:
    """Finds and masks every form of the declared names (see the module's docstring).

    Examples
    --------
    >>> m = NameMatcher.from_rows([{"participant_id": "S01-P03", "name": "欧阳振华"}])
    >>> m.mask("欧 阳振華说，OUYANG ZHENHUA 来了，欧阳书记也来了。")[0]
    '〔S01-P03〕说，〔S01-P03〕 来了，〔某书记〕也来了。'
    >>> [(h.form.owners, h.form.kind) for h in m.find("司机欧阳振华")]
    [(('S01-P03',), 'declared')]
    >>> bool(NameMatcher.from_rows([]))
    False
    """

    def __init__(self, forms: dict[str, NameForm]):
        import ahocorasick

        self.forms = forms
        self._automaton = ahocorasick.Automaton()
        for key in forms:
            self._automaton.add_word(key, key)
        if forms:
            self._automaton.make_automaton()

    @classmethod
    def from_rows(cls, rows) -> NameMatcher:
        """A matcher for the declared forms of ``rows`` (see :func:`participant_forms`)."""
        declared: dict[str, tuple[set[str], str]] = {}
        pinyins: dict[str, tuple[set[str], str]] = {}
        surnames: dict[str, set[str]] = {}
        for pid, forms in participant_forms(rows).items():
            for column, form in forms:
                key = fold(form)
                if not key:
                    continue
                declared.setdefault(key, (set(), f"its {column} as declared or respelt"))[0].add(pid)
                orders = [pinyin_spellings(form)]
                parts = split_name(form) if column == "name" else None
                if parts:
                    orders.append([g + s for s, g in itertools.product(pinyin_spellings(parts[0]),
                                                                         pinyin_spellings(parts[1]))])
                    surnames.setdefault(parts[0], set()).add(pid)
                for spellings in orders:
                    for syllables in spellings:
                        if len(syllables) >= 2:
                            pinyins.setdefault("".join(syllables), (set(), f"its {column} in pinyin"))[0].add(pid)
        forms: dict[str, NameForm] = {}

        def token(owners: set[str]) -> str:
            return f"〔{next(iter(owners))}〕" if len(owners) == 1 else SHARED_NAME_TOKEN

        for key, (owners, how) in declared.items():
            forms[key] = NameForm(tuple(sorted(owners)), "declared", how, token(owners), _is_latin(key[0]) or _is_latin(key[-1]))
        for key, (owners, how) in pinyins.items():
            if key not in forms:
                forms[key] = NameForm(tuple(sorted(owners)), "pinyin", how, token(owners), True)
        for surname, owners in surnames.items():
            for title in TITLES:
                key = surname + fold(title)
                if key not in forms:
                    forms[key] = NameForm(tuple(sorted(owners)), "surname+title", f"the surname with the title {title}",
                                          f"〔某{title}〕", False)
        return cls(forms)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    def find(self, text: str) -> list[Hit]:
        """Every match in ``text``, leftmost first, the longest where two start together,
        none overlapping another."""
        if not self.forms or not text:
            return []
        compact, origin = fold_view(text)
        hits = []
        for last, key in self._automaton.iter(compact):
            first = last - len(key) + 1
            start, end = origin[first], origin[last] + 1
            form = self.forms[key]
            if form.latin:
                if end < len(text) and text[end] in "12345":
                    end += 1  # the tone number of the last syllable belongs to the name
                if not _word_bounded(text, start, end):
                    continue
            hits.append(Hit(start, end, form))
        hits.sort(key=lambda h: (h.start, h.start - h.end, KINDS.index(h.form.kind)))
        chosen, reach = [], 0
        for hit in hits:
            if hit.start >= reach:
                chosen.append(hit)
                reach = hit.end
        return chosen

    def mask(self, text: str) -> tuple[str, list[Redaction]]:
        """``text`` with every match replaced by its token, and the rewritten spans (for
        :func:`move_offset`)."""
        pieces, spans, cursor, shift = [], [], 0, 0
        for hit in self.find(text):
            pieces += [text[cursor:hit.start], hit.form.token]
            spans.append(Redaction(hit.start, hit.end, hit.start + shift, hit.start + shift + len(hit.form.token)))
            shift += len(hit.form.token) - (hit.end - hit.start)
            cursor = hit.end
        pieces.append(text[cursor:])
        return "".join(pieces), spans

    def masked(self, text):
        """``text`` masked, for a value that may not be a string (returned as it is)."""
        return self.mask(text)[0] if isinstance(text, str) and self.forms else text


def _word_bounded(text: str, start: int, end: int) -> bool:
    """No Latin letter or digit touches ``text[start:end]`` on either side (format characters skipped)."""
    def letter_at(i: int, step: int) -> bool:
        while 0 <= i < len(text):
            folded = fold_char(text[i])
            if folded:
                return folded[-1 if step < 0 else 0].isalnum() and folded.isascii()
            if unicodedata.category(text[i]) not in ("Cf", "Mn", "Me"):
                return False
            i += step
        return False

    return not letter_at(start - 1, -1) and not letter_at(end, 1)


@dataclass(frozen=True)
class Redaction:
    """Where a text was rewritten: ``old`` span -> ``new`` span, both [start, end)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


def move_offset(offset: int, spans: list[Redaction], is_end: bool) -> int:
    """Where an offset of the original text lands in the masked text.

    An offset inside a rewritten span moves to that span's start (for a segment start) or
    end (for a segment end), so a segment keeps the whole token.

    Examples
    --------
    >>> spans = [Redaction(0, 3, 0, 11)]
    >>> move_offset(4, spans, False), move_offset(3, spans, True), move_offset(1, spans, True)
    (12, 11, 11)
    """
    if not spans:
        return offset
    i = bisect.bisect_right([s.old_start for s in spans], offset) - 1
    if i < 0:
        return offset
    span = spans[i]
    if offset == span.old_start:
        return span.new_start
    if offset < span.old_end:
        return span.new_end if is_end else span.new_start
    return offset + (span.new_end - span.old_end)


def describe(form: NameForm, limit: int = 5) -> str:
    """A form as a message may name it: whose it is and how it is written, never the form.

    Examples
    --------
    >>> describe(NameForm(("S01-P03",), "pinyin", "its name in pinyin", "〔S01-P03〕", True))
    'a form of the confidential name of participant S01-P03 (its name in pinyin)'
    """
    ids = list(form.owners)
    who = ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
    if form.kind == "surname+title":
        return f"the surname of participant{'s' if len(ids) > 1 else ''} {who} followed by a title"
    return f"a form of the confidential name of participant{'s' if len(ids) > 1 else ''} {who} ({form.how})"
