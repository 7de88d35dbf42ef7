"""No confidential name leaves the confidential layer, however it is spelt (issue: robustness, points 1-5).

The names are invented. Every spelling below is one a careless or a hostile hand could write;
each was seen to survive the earlier exact-spelling masking.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.inputs.deid import NameMatcher, fold
from analysis.report.leaks import scan_files, scan_member
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import validate_project
from conftest import ROOT, write_csv

SCHEMAS = load_schemas(ROOT / "workflow" / "schemas")
CASE = "data/cases/K01"
PEOPLE = [{"participant_id": "K01-P01", "name": "王秀兰", "aliases": "秀兰阿姨"},
          {"participant_id": "S01-P03", "name": "欧阳振华"},
          {"participant_id": "S02-P01", "name": "司马兰芳"}]

#: (spelling as written in a transcript, whose name it is)
SPELLINGS = {
    "declared": ("欧阳振华", "S01-P03"),
    "spaced out": ("欧 阳 振 华", "S01-P03"),
    "ideographic spaces": ("欧阳\u3000振华", "S01-P03"),
    "traditional characters": ("歐陽振華", "S01-P03"),
    "pinyin in capitals": ("OUYANG ZHENHUA", "S01-P03"),
    "pinyin, title case": ("Ouyang Zhenhua", "S01-P03"),
    "pinyin run together": ("ouyangzhenhua", "S01-P03"),
    "pinyin, given name first": ("Zhenhua Ouyang", "S01-P03"),
    "pinyin with tone marks": ("Ōuyáng Zhènhuá", "S01-P03"),
    "pinyin with tone numbers": ("ou1yang2 zhen4hua2", "S01-P03"),
    "full-width pinyin": ("ＯＵＹＡＮＧ　ＺＨＥＮＨＵＡ", "S01-P03"),
    "zero-width space inside": ("欧阳\u200b振华", "S01-P03"),
    "soft hyphen inside": ("欧\u00ad阳振华", "S01-P03"),
    "bidi mark inside": ("欧阳\u202e振华", "S01-P03"),
    "line break inside": ("欧阳\n振华", "S01-P03"),
    "Markdown emphasis inside": ("欧阳**振华**", "S01-P03"),
    "middle dot inside": ("欧阳·振华", "S01-P03"),
    "undeclared title with the surname": ("司马书记", "S02-P01"),
    "title with the surname, traditional": ("司馬書記", "S02-P01"),
    "declared alias": ("秀兰阿姨", "K01-P01"),
    "alias in traditional characters": ("秀蘭阿姨", "K01-P01"),
}


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    return NameMatcher.from_rows(PEOPLE)


@pytest.mark.parametrize("label", sorted(SPELLINGS))
def test_every_spelling_of_a_name_is_masked(matcher, label):
    spelling, owner = SPELLINGS[label]
    masked, spans = matcher.mask(f"他说{spelling}来过了。")
    assert len(spans) == 1, f"{label}: {masked!r}"
    assert masked.startswith("他说〔") and masked.endswith("来过了。")
    hit = matcher.find(f"他说{spelling}来过了。")[0]
    assert owner in hit.form.owners


def test_a_surname_with_a_title_is_masked_without_pointing_at_anyone(matcher):
    assert matcher.mask("司马书记来了")[0] == "〔某书记〕来了"


def test_pinyin_is_matched_only_as_a_whole_word_written_as_a_name():
    m = NameMatcher.from_rows([{"participant_id": "P1", "name": "李娜"}])
    assert m.mask("Li Na said; LI NA; Na Li; LiNa")[0] == "〔P1〕 said; 〔P1〕; 〔P1〕; 〔P1〕"
    assert "〔" not in m.mask("Carolina, Lina's sister, li na, a policy on linage")[0]


#: Two-syllable names whose pinyin is an English word or a place: none may be masked in ordinary text.
LOOKALIKES = {"李可": "I like it", "马克": "make do", "马德": "made", "胡歌": "huge", "倪策": "nice", "莫德": "the mode",
              "游灿": "you can", "何然": "He ran home", "安娜": "Anna", "王成": "Wangcheng District", "罗曼": "a roman"}


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_an_english_word_or_a_place_is_not_taken_for_a_pinyin_name(name):
    text = LOOKALIKES[name]
    assert NameMatcher.from_rows([{"participant_id": "P1", "name": name}]).mask(text)[0] == text


#: Ordinary phrases that hold a surname and a title: none may be masked.
PHRASES = {"于芳": "有助于社工站，对于社工，关于老师，由于书记不在", "任静": "现任社工的", "班明": "他是班主任",
           "文华": "文书记录", "高强": "小高兴", "马兰": "老马识途", "王秀兰": "王总是迟到"}


@pytest.mark.parametrize("name", sorted(PHRASES))
def test_a_phrase_is_not_taken_for_a_surname_with_a_title(name):
    text = PHRASES[name]
    assert NameMatcher.from_rows([{"participant_id": "P1", "name": name}]).mask(text)[0] == text


def test_forms_of_address_are_masked_where_they_stand_as_words():
    m = NameMatcher.from_rows([{"participant_id": "P1", "name": "王秀兰"}])
    assert m.mask("老王说，王总说，王姨和王支书都在")[0] == "〔某〕说，〔某总〕说，〔某姨〕和〔某支书〕都在"


def test_more_hostile_spellings_are_masked():
    m = NameMatcher.from_rows([{"participant_id": "P1", "name": "王秀兰"}, {"participant_id": "P2", "name": "吕方"}])
    for text in ("王<b>秀兰</b>", "王&nbsp;秀兰", "王&#31168;兰", "王<!-- -->秀兰", "王\u3164秀兰", "王\u2800秀兰", "Lyu Fang",
                 "Wang Xiulan1990"):
        masked = m.mask(text)[0]
        assert "秀兰" not in masked and "Xiulan" not in masked and "Fang" not in masked, (text, masked)


def test_aliases_may_be_separated_as_chinese_writers_do():
    m = NameMatcher.from_rows([{"participant_id": "P1", "aliases": "秀兰阿姨；王主任、兰姐，兰兰"}])
    assert m.mask("秀兰阿姨 王主任 兰姐 兰兰")[0] == "〔P1〕 〔P1〕 〔P1〕 〔P1〕"


def test_a_phrase_declared_as_not_a_name_is_left_alone():
    m = NameMatcher.from_rows([{"participant_id": "P1", "name": "张伟"}], not_names=["张伟（2019）"])
    assert m.mask("张伟（2019）指出；张伟说")[0] == "张伟（2019）指出；〔P1〕说"


def test_longer_forms_win_and_shared_forms_name_nobody():
    m = NameMatcher.from_rows([{"participant_id": "A", "name": "王秀兰", "aliases": "王主任"},
                               {"participant_id": "B", "name": "李军", "aliases": "王主任"}])
    assert m.mask("王秀兰和王主任")[0] == "〔A〕和〔受访者〕"


def test_the_same_folding_is_applied_to_forms_and_text():
    m = NameMatcher.from_rows([{"participant_id": "P1", "name": "歐陽振華"}])  # declared in traditional characters
    assert m.mask("欧阳振华")[0] == "〔P1〕"
    assert fold("歐 陽") == fold("欧阳")


# --- validation: a name where no name belongs is refused, and no message shows a name -----------------------

def _with_names(project: Path) -> None:
    write_csv(project / CASE / "participants.csv", ["participant_id", "actor_type", "role", "gender", "age_band", "name", "aliases"],
              [["K01-P01", "resident", "村民", "female", "60-74", "司马兰芳", "兰芳婶"]])


def problems_of(root: Path) -> list:
    config = yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8"))
    return validate_project(root, config, "config.yaml", SCHEMAS)[1]


def _set_role(project, role):
    path = project / CASE / "participants.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",村民,", f",{role},"), encoding="utf-8")


def _append_yaml(path: Path, key: str, value: str):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _codebook_text(project, text):
    path = project / "data/codebook.yaml"
    book = yaml.safe_load(path.read_text(encoding="utf-8"))
    book["codes"][1]["example"]["zh"] = text
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")


def _config_title(project, text):
    path = project / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["study"]["title_zh"] = text
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _context_note(project, text):
    path = project / "data/context/context_facts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",,,http", f",,{text},http"), encoding="utf-8")


def _evidence_text(project, text):
    path = project / "data/process_tracing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["hypotheses"]["P1"]["items"][0]["justification"] = text
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


#: Fields where no name belongs: each is planted with a spelling of 司马兰芳 (K01-P01). A surname
#: with a title (司马书记) is masked in transcripts but not refused here: ordinary prose holds too many.
REFUSED = {
    "role": (lambda p: _set_role(p, "司马兰芳的助手"), f"{CASE}/participants.csv"),
    "role, traditional": (lambda p: _set_role(p, "司馬蘭芳的助手"), f"{CASE}/participants.csv"),
    "role, in pinyin": (lambda p: _set_role(p, "Sima Lanfang de zhushou"), f"{CASE}/participants.csv"),
    "role, spaced": (lambda p: _set_role(p, "司马 兰芳的助手"), f"{CASE}/participants.csv"),
    "station note": (lambda p: _append_yaml(p / CASE / "station.yaml", "note", "由司马兰芳介绍"), f"{CASE}/station.yaml"),
    "codebook example": (lambda p: _codebook_text(p, "兰芳婶说的话"), "data/codebook.yaml"),
    "study title": (lambda p: _config_title(p, "SIMA LANFANG 的故事"), "config.yaml"),
    "context note": (lambda p: _context_note(p, "司马兰芳提供"), "data/context/context_facts.csv"),
    "evidence justification": (lambda p: _evidence_text(p, "据司马兰芳所说"), "data/process_tracing.yaml"),
}


@pytest.mark.parametrize("field", sorted(REFUSED))
def test_a_name_where_no_name_belongs_is_refused_by_participant_id(project, field):
    _with_names(project)
    plant, file = REFUSED[field]
    plant(project)
    problems = [p for p in problems_of(project) if "K01-P01" in p.what]
    assert problems and problems[0].file == file, [p.render() for p in problems_of(project)]
    assert "K01-P01" in problems[0].what
    rendered = "\n".join(p.render() for p in problems_of(project))
    for secret in ("司马", "司馬", "兰芳", "蘭芳", "SIMA", "LANFANG", "Sima", "Lanfang"):
        assert secret not in rendered


def test_no_message_prints_a_confidential_file(project, capsys):
    """Pointing paths.codebook at participants.csv printed the whole file, name column included."""
    from analysis.cli.commands import main

    _with_names(project)
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["paths"]["codebook"] = f"{CASE}/participants.csv"
    (project / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert main(["--root", str(project), "validate"]) == 2
    err = capsys.readouterr().err
    assert f"{CASE}/participants.csv" in err and "should be a mapping" in err
    assert "司马兰芳" not in err and "兰芳婶" not in err and "actor_type,role" not in err


# --- ingest and export: every free-text field that leaves is masked --------------------------------------

def _plant_everywhere(project: Path) -> None:
    """A name in the transcript body (in several spellings), the header's note, and a segment's memo."""
    _with_names(project)
    path = project / CASE / "transcripts/K01-D01.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("kind: interview\n", "kind: interview\nnote: 在司马兰芳家里访谈\n")
    text += "\n**访谈者**：司馬蘭芳、SIMA LANFANG、司马 兰芳、兰芳婶和司马书记都来了吗？\n"
    path.write_text(text, encoding="utf-8")
    seg = project / CASE / "segments.csv"
    rows = list(csv.reader(seg.open(encoding="utf-8")))
    rows[0].append("memo")
    rows[1].append("=HYPERLINK(\"x\") 司马兰芳说得对")
    for row in rows[2:]:
        row.append("")
    with seg.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)


SECRETS = ("司马兰芳", "司馬蘭芳", "SIMA LANFANG", "司马 兰芳", "兰芳婶", "司马书记")


def _grep(data: bytes, where: str) -> list[str]:
    text = data.decode("utf-8", errors="ignore")
    return [f"{where}: {s}" for s in SECRETS if s in text]


def test_the_corpus_holds_no_spelling_of_a_name(project):
    from analysis.inputs.corpus import build_corpus

    _plant_everywhere(project)
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    raw, problems = validate_project(project, config, "config.yaml", SCHEMAS)
    assert problems == [], [p.render() for p in problems]
    tables = build_corpus(raw, SCHEMAS)
    found = []
    for name, frame in tables.items():
        found += _grep(frame.astype(str).to_csv().encode("utf-8"), name)
    assert found == []
    body = tables["documents"]["body"].iloc[0]
    assert "〔K01-P01〕、〔K01-P01〕、〔K01-P01〕、〔K01-P01〕和〔某书记〕" in body


def test_export_masks_every_text_field_and_says_so(project):
    from analysis.exchange.refi_commands import run_export_qdpx

    _plant_everywhere(project)
    out = project / "K01.qdpx"
    summary = run_export_qdpx(project, "config.yaml", "K01", str(out))
    with zipfile.ZipFile(out) as archive:
        found = [hit for name in archive.namelist() for hit in _grep(archive.read(name), name)]
        qde = archive.read("project.qde").decode("utf-8")
    assert found == []
    assert "〔K01-P01〕" in qde and "<Description>在〔K01-P01〕家里访谈</Description>" in qde
    assert "'=HYPERLINK" in qde  # the memo's formula is neutralised for a spreadsheet
    assert "the leak gate found none left" in summary


def test_export_stops_when_another_case_names_cannot_be_read(project):
    """A second case's participants.csv that cannot be read let its names out unmasked."""
    from analysis.inputs.problems import InputError
    from analysis.exchange.refi_commands import run_export_qdpx

    other = project / "data/cases/K02"
    other.mkdir(parents=True)
    (other / "participants.csv").write_bytes("participant_id,name\nK02-P01,司马兰芳\n".encode("gbk"))
    path = project / CASE / "transcripts/K01-D01.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n司马兰芳\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        run_export_qdpx(project, "config.yaml", "K01", str(project / "K01.qdpx"))
    assert "data/cases/K02/participants.csv" in str(err.value) and "not UTF-8" in str(err.value)
    assert not (project / "K01.qdpx").exists()


# --- the leak gate finds a name in every kind of output ---------------------------------------------------

def _parquet(text: str) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"text": ["无关", text]}).to_parquet(buffer, index=False)
    return buffer.getvalue()


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("sources/a.txt", text)
    return buffer.getvalue()


OUTPUTS = {
    "table.md": lambda t: f"| a |\n|---|\n| {t} |\n".encode(),
    "page.html": lambda t: f"<p>{t[:2]}<span class='x'>{t[2:]}</span></p>".encode(),
    "entities.html": lambda t: "".join(f"&#{ord(c)};" for c in t).encode(),
    "searchindex.js": lambda t: ("Search.setIndex(" + "".join(f"\\u{ord(c):04x}" for c in t) + ")").encode(),
    "cells.parquet": _parquet,
    "export.qdpx": _zip,
    "doctree.pickle": lambda t: b"\x80\x04\x95" + t.encode() + b"\x94",
    "log.txt": lambda t: f"done\n{t[:2]}\n{t[2:]}\n".encode(),
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_the_leak_gate_finds_a_name_in_each_kind_of_output(matcher, name):
    leaks = scan_member(name, OUTPUTS[name]("司马兰芳"), matcher, f"results/{name}")
    assert leaks and all(leak.file.startswith(f"results/{name}") for leak in leaks)
    assert "S02-P01" in leaks[0].what and "司马" not in leaks[0].what


def test_the_leak_gate_reads_a_tree_and_passes_clean_outputs(matcher, tmp_path):
    (tmp_path / "results/tables").mkdir(parents=True)
    (tmp_path / "results/tables/a.md").write_text("〔S02-P01〕说", encoding="utf-8")
    (tmp_path / "results/figure.png").write_bytes(b"\x89PNG" + "司马兰芳".encode())  # pictures hold no readable text
    assert scan_files([tmp_path / "results"], matcher, root=tmp_path) == (2, [])
    (tmp_path / "results/tables/b.md").write_text("ok\nSima Lanfang", encoding="utf-8")
    count, leaks = scan_files([tmp_path / "results"], matcher, root=tmp_path)
    assert count == 3 and [(leak.file, leak.where) for leak in leaks] == [("results/tables/b.md", "line 2")]
    # a single file, such as the Snakemake report beside the book, is read as it is
    report = tmp_path / "report.html"
    report.write_text("<p>Sima <b>Lanfang</b></p>", encoding="utf-8")
    count, leaks = scan_files([report], matcher, root=tmp_path)
    assert count == 1 and [leak.file for leak in leaks] == ["report.html"]


def test_a_file_name_holding_a_name_is_masked_in_messages(project, capsys):
    from analysis.cli.commands import main

    _with_names(project)
    path = project / CASE / "transcripts/K01-D01.md"
    path.rename(path.with_name("司马兰芳访谈.md"))
    assert main(["--root", str(project), "validate"]) == 2
    err = capsys.readouterr().err
    assert "transcripts/〔K01-P01〕访谈.md" in err and "司马兰芳" not in err


def test_import_messages_that_quote_a_cell_are_masked(project, capsys):
    from analysis.cli.commands import main

    _with_names(project)
    write_csv(project / "coded.csv", ["Document", "Code", "Segment"], [["司马兰芳访谈", "t.a", "x"]])
    assert main(["--root", str(project), "import-segments", str(project / "coded.csv"), "--case", "K01", "--coder", "C1"]) == 2
    err = capsys.readouterr().err
    assert "〔K01-P01〕访谈" in err and "司马兰芳" not in err


def test_an_alias_too_short_to_mask_safely_is_refused_without_quoting_it(project):
    write_csv(project / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "age_band", "name", "aliases"],
              [["K01-P01", "resident", "female", "60-74", "司马兰芳", "兰;主任"]])
    found = [p for p in problems_of(project) if "too short or too common" in p.what]
    assert [p.what.split(" of ")[0] for p in found] == ["alias 1", "alias 2"]
    assert all("兰" not in p.what and "主任" not in p.what for p in found)


#: The book's own text, the codebook, the evidence and the context facts are written by the team and
#: reach the book as they are: with participants bearing common names none may be refused or stop the
#: build. (The names are common given names with common surnames, and the names that the review of
#: this check found to be English words or a place in pinyin.)
COMMON = ("张伟 王伟 王芳 李伟 李娜 张敏 李静 王静 刘伟 王秀英 张丽 李秀英 王丽 张静 张秀英 李强 王敏 李敏 王磊 刘洋 王艳 "
          "王勇 李军 张勇 李杰 张杰 张磊 王强 李娟 王军 张艳 张涛 王涛 李艳 王超 李明 李勇 王娟 刘杰 刘敏 李霞 李丽 张军 "
          "王杰 张强 王秀兰 王刚 王平 刘芳 张燕 陈伟 陈静 杨洋 黄伟 赵静 周杰 吴敏 徐静 胡杰 朱伟 高峰 林静 何伟 郭涛 "
          "马丽 罗敏 梁伟 宋杰 郑伟 谢静 唐杰 冯伟 于芳 董伟 程伟 曹静 袁伟 邓伟 许静 傅伟 沈静 曾伟 彭伟 吕静 苏伟 "
          "任静 王成 李可 马克 马德 胡歌 倪策 莫德 游灿 何然 安娜").split()


def test_common_names_are_not_found_in_the_text_the_team_wrote():
    m = NameMatcher.from_rows([{"participant_id": f"P{i:03d}", "name": n} for i, n in enumerate(COMMON)])
    files = [*sorted((ROOT / "paper").glob("*.md")), ROOT / "paper/references.bib", ROOT / "data/codebook.yaml",
             ROOT / "data/process_tracing.yaml", ROOT / "data/context/context_facts.csv", ROOT / "config.yaml"]
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.name == "config.yaml":  # its values, not the comments that show how to fill it in
            text = yaml.safe_dump(yaml.safe_load(text), allow_unicode=True)
        found += [f"{path.name}: {COMMON[int(h.form.owners[0][1:])]} at {text[max(0, h.start - 10):h.end + 10]!r}"
                  for h in m.find(text, strict=True)]
    assert found == []


def test_the_leak_gate_does_not_stop_the_build_on_a_surname_with_a_title_in_prose():
    """discussion.md says 有助于社工站: with a participant surnamed 于 that must not stop the build."""
    m = NameMatcher.from_rows([{"participant_id": "P1", "name": "于芳"}])
    page = "<p>这一机制有助于社工站在村里立足；于书记也这样看。</p>".encode()
    assert scan_member("discussion.html", page, m) == []
    assert scan_member("discussion.html", "<p>于芳说</p>".encode(), m)  # the name itself still stops it
