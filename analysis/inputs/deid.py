"""De-identification: every form of a confidential name, found however it is written, and masked.

A participant's ``name`` and ``aliases`` (the confidential columns of ``participants.csv``)
are the *declared forms*. :class:`NameMatcher` finds them in any text, however a careless
or a hostile hand wrote them:

- the text and the forms are compared *folded*: Unicode compatibility forms unified (NFKC:
  full-width letters become ASCII), traditional characters read as simplified (OpenCC's
  ``t2s`` tables), letter case folded, diacritics dropped (``Ōuyáng`` is ``ouyang``);
- invisible characters (zero-width space and joiners, bidi marks, soft hyphens, variation
  selectors, Hangul and Braille fillers) are dropped, HTML tags and comments are skipped and
  character references read as the character they stand for, and spaces, line breaks,
  Markdown emphasis, middle dots and dashes between the characters of a name are ignored
  (``欧 阳\\n振华``, ``欧阳**振华**``, ``王<b>秀兰</b>``, ``王&#31168;兰``);
- every Chinese form is also looked for in Hanyu Pinyin (pypinyin, every reading of a
  character with several, ``ü`` as ``u``, ``v`` or ``yu``), with or without tone marks or
  numbers, given name first as well for the ``name`` column (``Zhenhua Ouyang``). So that
  English words are not taken for names (``like`` for 李可, ``Wangcheng`` for 王成), a pinyin
  name must stand as a whole word, and a two-syllable one must be written as names are, with
  a break between surname and given name and each word capitalised or in capitals;
- a name's surname (a compound surname such as 欧阳 or 司马 counts as one) with a common
  title or form of address after it (书记, 主任, 阿姨: :data:`TITLES`) or 老/小 before it:
  forms nobody declared, but ones that identify a person in a village. They are accepted
  only where the words of the sentence (segmented by jieba) begin and end with them, so
  ``对于社工`` and ``班主任`` are left alone, and they are masked as ``〔某书记〕`` since the
  surname does not say which bearer is meant.

A declared form and its pinyin become ``〔participant_id〕`` (:data:`SHARED_NAME_TOKEN` when
several people bear it). Phrases declared as not names (``deid.not_names`` in the
configuration: a cited author who shares a participant's name, say) are never matched.

Masking uses every kind of form. Checks that refuse text or stop the build (validation of
fields where no name belongs, the leak gate) use only the declared forms and their pinyin
(``strict=True``): a surname with a title is too common in ordinary prose to refuse it there.

Nothing here ever puts a name into a message: what it reports about a match is the
participant id and the kind of form (:attr:`NameForm.how`).
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Columns of participants.csv that hold confidential name forms.
CONFIDENTIAL_COLUMNS = ("name", "aliases")
#: What replaces a name form that more than one participant bears.
SHARED_NAME_TOKEN = "〔受访者〕"
#: Characters that may stand between the characters of a name without hiding it
#: (besides every whitespace and every invisible character): Markdown emphasis, dots, dashes.
GAP_CHARACTERS = frozenset("*_·•‧・∙.-‐‑‒–—―~'’`")
#: Characters that show as nothing or as a blank but are letters or symbols to Unicode.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e\u034f")
#: What separates the aliases of one participant (after NFKC, so full-width ；，／ count too).
ALIAS_SEPARATORS = re.compile(r"[;,、/|]")
#: Compound surnames (复姓) of the Hundred Family Surnames still in use; a name that starts
#: with one has a two-character surname.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 轩辕 独孤 南宫 西门 呼延 "
    "澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 钟离 闾丘 东郭 百里 万俟 赫连 拓跋 贺兰 第五 左丘 谷梁 乐正 "
    "公羊 司空 司寇 亓官 羊舌 微生 段干 鲜于 仲孙 叔孙 巫马 公西 漆雕".split())
#: Titles and forms of address that follow a surname in rural fieldwork talk (王书记, 李阿姨).
TITLES = tuple(
    "书记 副书记 支书 主任 副主任 村长 村主任 组长 队长 镇长 乡长 站长 所长 局长 科长 部长 主席 委员 会长 "
    "社长 院长 校长 老师 医生 大夫 会计 干部 社工 督导 经理 总 老板 师傅 同志 先生 女士 阿姨 大爷 大妈 "
    "大娘 大姐 大哥 奶奶 爷爷 婆婆 嫂子 婶子 叔叔 伯伯 嫂 婶 叔 伯 姨 姐 哥".split())
#: What stands before a surname as a form of address (老王, 小李).
PREFIXES = ("老", "小")
#: A surname with a title that jieba knows as one common word at least this often is that
#: word, not a person (班主任, 文书): word counts of jieba's dictionary.
COMMON_WORD = 100
#: At most this many pinyin spellings of one form (characters with several readings multiply).
MAX_PINYIN_SPELLINGS = 32
#: Kinds of form, in the order a tie between two matches of the same span is decided.
KINDS = ("declared", "pinyin", "address")

_T2S = None
_MARKUP = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]{0,500}>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});", re.S)


@lru_cache(maxsize=1 << 16)
def fold_char(char: str) -> str:
    """One character as the matcher sees it: ``""`` for an invisible or a gap character.

    Examples
    --------
    >>> [fold_char(c) for c in ["歐", "Ｗ", "Ō", "\\u200b", "\\u3164", " ", "*", "兰"]]
    ['欧', 'w', 'o', '', '', '', '', '兰']
    """
    global _T2S
    if char in INVISIBLE or unicodedata.category(char) in ("Cf", "Mn", "Me", "Cc") or char.isspace() \
            or char in GAP_CHARACTERS:
        return ""
    text = unicodedata.normalize("NFKC", char)
    if any(ord(c) > 0x2E7F for c in text):
        if _T2S is None:
            import opencc

            _T2S = opencc.OpenCC("t2s")
        text = _T2S.convert(text)
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf")
                   and not c.isspace() and c not in GAP_CHARACTERS and c not in INVISIBLE)


def _is_latin(char: str) -> bool:
    return "a" <= char <= "z"


def fold_view(text: str) -> tuple[str, list[int]]:
    """The folded text with gaps, invisible characters and markup removed, and for each of its
    characters the index of the character of ``text`` it came from.

    A tone number (1-5) right after a Latin letter is dropped too, so ``wang2 fang1`` reads
    as ``wangfang``; an HTML character reference is read as its character.

    Examples
    --------
    >>> fold_view("歐 陽\\u200b振華")
    ('欧阳振华', [0, 2, 4, 5])
    >>> fold_view("Wang2 Fang1")[0], fold_view("王<b>&#31168;</b>兰")[0]
    ('wangfang', '王秀兰')
    """
    compact, starts, _ = _view(text)
    return compact, starts


def _view(text: str) -> tuple[str, list[int], list[int]]:
    """:func:`fold_view`, with for each folded character also the index just after the original
    character (or character reference) it came from."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def add(folded: str, at: int, stop: int) -> None:
        out.append(folded)
        starts.extend([at] * len(folded))
        ends.extend([stop] * len(folded))

    cursor = 0
    markup = list(_MARKUP.finditer(text)) if "<" in text or "&" in text else []
    for m in [*markup, None]:
        stop = m.start() if m else len(text)
        for i in range(cursor, stop):
            folded = fold_char(text[i])
            if not folded:
                continue
            if len(folded) == 1 and folded in "12345" and out and _is_latin(out[-1][-1]) and fold_char(text[i - 1]):
                continue
            add(folded, i, i + 1)
        if m is None:
            break
        if m.group(0).startswith("&"):
            char = html.unescape(m.group(0))
            folded = "".join(fold_char(c) for c in char) if char != m.group(0) else ""
            if folded:
                add(folded, m.start(), m.end())
        cursor = m.end()
    return "".join(out), starts, ends


def fold(text: str) -> str:
    """A form as the matcher compares it: :func:`fold_view` without the positions.

    Examples
    --------
    >>> fold("OUYANG Zhenhua"), fold("司馬 蘭芳")
    ('ouyangzhenhua', '司马兰芳')
    """
    return fold_view(text)[0]


def _is_han(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith("CJK UNIFIED IDEOGRAPH") or name.startswith("CJK COMPATIBILITY IDEOGRAPH")


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
    :data:`MAX_PINYIN_SPELLINGS`; ``ü`` written ``v``, ``u`` and ``yu``).

    Examples
    --------
    >>> pinyin_spellings("欧阳")
    [['ou', 'yang']]
    >>> pinyin_spellings("吕")
    [['lv'], ['lu'], ['lyu']]
    """
    from pypinyin import Style, lazy_pinyin, pinyin

    folded = fold(form)
    if not folded or not all(_is_han(c) for c in folded):
        return []
    readings = [sorted(set(r)) for r in pinyin(folded, style=Style.NORMAL, heteronym=True, errors="ignore")]
    spellings: list[list[str]] = [lazy_pinyin(folded, style=Style.NORMAL)]
    for combo in itertools.product(*readings):
        if len(spellings) >= MAX_PINYIN_SPELLINGS:
            break
        if list(combo) not in spellings:
            spellings.append(list(combo))
    out: list[list[str]] = []
    for syllables in spellings:
        for variant in (syllables, [s.replace("v", "u") for s in syllables], [s.replace("v", "yu") for s in syllables]):
            if variant not in out:
                out.append(variant)
    return out[:MAX_PINYIN_SPELLINGS]


@dataclass(frozen=True)
class NameForm:
    """One form the matcher looks for.

    ``owners`` are the participant ids whose name it is (for a surname with a title, every
    bearer of the surname); ``kind`` is one of :data:`KINDS`; ``how`` says in a few words how
    it is written (for messages, which never show the form itself); ``token`` replaces it.
    A pinyin form knows how many syllables it has and where, in its folded letters, the
    break between surname and given name falls (``split``; 0 for an alias's pinyin).
    """

    owners: tuple[str, ...]
    kind: str
    how: str
    token: str
    latin: bool
    syllables: int = 0
    split: int = 0


@dataclass(frozen=True)
class Hit:
    """Where a form was found: ``text[start:end]``."""

    start: int
    end: int
    form: NameForm


def participant_forms(rows) -> dict[str, list[tuple[str, str]]]:
    """The declared forms of each participant: ``{participant_id: [(column, form), ...]}``.

    ``rows`` are mappings with ``participant_id`` and, where present, ``name`` and ``aliases``
    (separated by ``;``, ``,``, ``、`` or ``/``, full-width ones too). Empty cells give nothing.

    Examples
    --------
    >>> participant_forms([{"participant_id": "P1", "name": "王秀兰", "aliases": "秀兰； 王主任、兰姐"}])
    {'P1': [('name', '王秀兰'), ('aliases', '秀兰'), ('aliases', '王主任'), ('aliases', '兰姐')]}
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        pid = str(row.get("participant_id") or "")
        name, aliases = row.get("name"), row.get("aliases")
        forms = [("name", name.strip())] if isinstance(name, str) and name.strip() else []
        if isinstance(aliases, str):
            forms += [("aliases", a.strip()) for a in ALIAS_SEPARATORS.split(unicodedata.normalize("NFKC", aliases))
                      if a.strip()]
        if forms and pid:
            out.setdefault(pid, []).extend(forms)
    return out


def form_problem(form: str) -> str | None:
    """Why a declared form is too short or too common to mask safely, or ``None``.

    Examples
    --------
    >>> [form_problem(f) for f in ["王秀兰", "兰", "主任", "Al", "Mary"]]
    [None, 'it is one character', 'it is a title, not a name', 'it is under three letters', None]
    """
    folded = fold(form)
    if not folded:
        return "it has no letter or character"
    if all(_is_han(c) for c in folded) and len(folded) < 2:
        return "it is one character"
    if folded in {fold(t) for t in TITLES}:
        return "it is a title, not a name"
    if not any(_is_han(c) for c in folded) and len(folded) < 3:
        return "it is under three letters"
    return None


def _token(owners: set[str]) -> str:
    return f"〔{next(iter(owners))}〕" if len(owners) == 1 else SHARED_NAME_TOKEN


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

    def __init__(self, forms: dict[str, NameForm], not_names: list[str] = ()):
        import ahocorasick

        self.forms = forms
        self._automaton = ahocorasick.Automaton()
        for key in forms:
            self._automaton.add_word(key, key)
        if forms:
            self._automaton.make_automaton()
        self._allowed = None
        allowed = sorted({fold(p) for p in not_names if fold(p)})
        if allowed:
            self._allowed = ahocorasick.Automaton()
            for key in allowed:
                self._allowed.add_word(key, len(key))
            self._allowed.make_automaton()

    @classmethod
    def from_rows(cls, rows, not_names: list[str] = ()) -> NameMatcher:
        """A matcher for the declared forms of ``rows`` (see :func:`participant_forms`)."""
        declared: dict[str, tuple[set[str], str]] = {}
        pinyins: dict[str, tuple[set[str], str, int, int]] = {}
        surnames: dict[str, set[str]] = {}
        for pid, forms in participant_forms(rows).items():
            for column, form in forms:
                key = fold(form)
                if not key:
                    continue
                declared.setdefault(key, (set(), f"its {column} as declared or respelt"))[0].add(pid)
                spellings = [(s, 0) for s in pinyin_spellings(form)]
                parts = split_name(form) if column == "name" else None
                if parts:
                    family, given = pinyin_spellings(parts[0]), pinyin_spellings(parts[1])
                    spellings = [(f + g, len("".join(f))) for f, g in itertools.product(family, given)]
                    spellings += [(g + f, len("".join(g))) for f, g in itertools.product(family, given)]
                    surnames.setdefault(parts[0], set()).add(pid)
                for syllables, split in spellings:
                    if len(syllables) >= 2:
                        entry = pinyins.setdefault("".join(syllables), (set(), f"its {column} in pinyin", len(syllables), split))
                        entry[0].add(pid)
        forms: dict[str, NameForm] = {}
        for key, (owners, how) in declared.items():
            forms[key] = NameForm(tuple(sorted(owners)), "declared", how, _token(owners), _is_latin(key[0]) or _is_latin(key[-1]))
        for key, (owners, how, count, split) in pinyins.items():
            if key not in forms:
                forms[key] = NameForm(tuple(sorted(owners)), "pinyin", how, _token(owners), True, count, split)
        for surname, owners in surnames.items():
            addresses = [(surname + fold(t), t, f"the surname with the title {t}", f"〔某{t}〕") for t in TITLES]
            addresses += [(fold(p) + surname, p, f"the surname with {p} before it", "〔某〕") for p in PREFIXES]
            for key, _, how, token in addresses:
                if key not in forms:
                    forms[key] = NameForm(tuple(sorted(owners)), "address", how, token, False)
        return cls(forms, not_names)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    def find(self, text: str, strict: bool = False) -> list[Hit]:
        """Every match in ``text``, leftmost first, the longest where two start together, none
        overlapping another; with ``strict``, declared forms and their pinyin only."""
        if not self.forms or not text:
            return []
        compact, origin, ends = _view(text)
        allowed = self._allowed_spans(compact)
        hits = []
        for last, key in self._automaton.iter(compact):
            form = self.forms[key]
            if strict and form.kind == "address":
                continue
            first = last - len(key) + 1
            if allowed and any(a <= first and last < b for a, b in allowed):
                continue
            start, end = origin[first], ends[last]
            if form.latin:
                if end < len(text) and text[end] in "12345" and not text[end + 1:end + 2].isdigit():
                    end += 1  # the tone number of the last syllable belongs to the name (a year does not)
                if not _word_bounded(text, start, end):
                    continue
                if form.kind == "pinyin" and not _written_as_a_name(text, compact, origin, first, last, form):
                    continue
            if form.kind == "address" and not _stands_as_words(text, start, end, len(key), form):
                continue
            hits.append(Hit(start, end, form))
        hits.sort(key=lambda h: (h.start, h.start - h.end, KINDS.index(h.form.kind)))
        chosen, reach = [], 0
        for hit in hits:
            if hit.start >= reach:
                chosen.append(hit)
                reach = hit.end
        return chosen

    def _allowed_spans(self, compact: str) -> list[tuple[int, int]]:
        if self._allowed is None:
            return []
        return [(last - size + 1, last + 1) for last, size in self._allowed.iter(compact)]

    def mask(self, text: str) -> tuple[str, list[Redaction]]:
        """``text`` with every match replaced by its token, and the rewritten spans (for :func:`move_offset`)."""
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
    """No Latin letter touches ``text[start:end]`` on either side (invisible characters skipped)."""
    def letter_at(i: int, step: int) -> bool:
        while 0 <= i < len(text):
            folded = fold_char(text[i])
            if folded:
                return folded[-1 if step < 0 else 0].isalpha() and folded.isascii()
            if not (text[i] in INVISIBLE or unicodedata.category(text[i]) in ("Cf", "Mn", "Me")):
                return False
            i += step
        return False

    return not letter_at(start - 1, -1) and not letter_at(end, 1)


def _written_as_a_name(text: str, compact: str, origin: list[int], first: int, last: int, form: NameForm) -> bool:
    """A two-syllable pinyin match written as a name is: a break (a space, a dash, a capital) between
    surname and given name, and every word capitalised or in capitals (``Wang Fang``, ``WANG FANG``,
    ``WangFang``; not ``wangfang``, ``Wangcheng`` or ``he ran``)."""
    if form.syllables >= 3:
        return True  # three syllables or more: no English word or place name to mistake it for
    if form.split:
        before, after = origin[first + form.split - 1], origin[first + form.split]
        between = text[before + 1:after]
        camel = not between and text[after].isupper() and text[before].islower()
        if not between and not camel:
            return False
    span = text[origin[first]:origin[last] + 1]
    words = [w for w in re.split(r"[^\w]+|_", unicodedata.normalize("NFKC", span)) if w]
    return all(w[0].isupper() for w in words)


def _stands_as_words(text: str, start: int, end: int, size: int, form: NameForm) -> bool:
    """A surname with a title (or with 老/小) counts only where the sentence's words, as jieba
    segments them, begin at its start and end at its end, and it is not one common word."""
    if end - start != size:
        return True  # written with gaps or markup inside: no ordinary word looks like that
    left = max(0, start - 12)
    window = text[left:min(len(text), end + 12)]
    jieba = _jieba()
    bounds, at = {0}, 0
    for word in jieba.cut(window, HMM=False):
        at += len(word)
        bounds.add(at)
    if start - left not in bounds or end - left not in bounds:
        return False
    if form.how.startswith("the surname with the title"):
        return (jieba.dt.FREQ.get(text[start:end]) or 0) < COMMON_WORD
    return True


@lru_cache(maxsize=1)
def _jieba():
    """jieba, imported quietly (it warns about its own regular expressions and logs its dictionary's loading)."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(logging.ERROR)
    jieba.initialize()
    return jieba


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
    if form.kind == "address":
        return f"the surname of participant{'s' if len(ids) > 1 else ''} {who} used as a form of address ({form.how})"
    return f"a form of the confidential name of participant{'s' if len(ids) > 1 else ''} {who} ({form.how})"
