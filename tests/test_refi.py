"""REFI-QDA import and export (analysis/exchange/refi_*.py, analysis/exchange/qdpx_safety.py).

The fixtures are built here from the REFI-QDA project schema
(tests/reference/REFI-QDA-Project.xsd, MIT, kept in the repository) and the programs' documented ways
of counting text positions: NVivo counts UTF-16 code units with every line end
as CRLF (two), QualCoder, ATLAS.ti and MAXQDA count Unicode characters. The
expected offsets are computed independently of the module, from the raw text
with Python's own UTF-16 encoder.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
import yaml

from analysis.cli.commands import main
from analysis.inputs.io import read_case, read_transcript
from analysis.inputs.problems import InputError
from analysis.exchange.qdpx_safety import Limits
from analysis.exchange.refi_export import export_qdc, export_qdpx, validate_qde
from analysis.exchange.refi_import import import_qdpx, write_case
from analysis.exchange.refi_read import NS_CODEBOOK, stable_guid
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import check_codebook, validate_project

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT / "tests" / "reference" / "REFI-QDA-Project.xsd"
NS = "urn:QDA-XML:project:1.0"


def guid(n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fixture:{n}"))


ANNA, WANG = guid(1), guid(2)
USERS = f'<Users><User guid="{ANNA}" name="Anna Li"/><User guid="{WANG}" name="王芳"/></Users>'
TRUST, SOCIAL, HELP, WATCH, POLICY = guid(101), guid(102), guid(103), guid(104), guid(105)
CODES = f"""<CodeBook><Codes>
  <Code guid="{TRUST}" name="社区韧性" isCodable="false">
    <Code guid="{SOCIAL}" name="social TRUST" isCodable="true" color="#0a0"/>
    <Code guid="{HELP}" name="邻里互助" isCodable="true" color="#00aa00"><Description>邻居之间互相帮忙。</Description>
      <Code guid="{WATCH}" name="Night watch" isCodable="true"/>
    </Code>
  </Code>
  <Code guid="{POLICY}" name="inst.policy" isCodable="true"/>
</Codes></CodeBook>"""


def _bilingual(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _code(ident: str, parent: str | None, zh: str, en: str) -> dict:
    return {"id": ident, "parent": parent, "label": _bilingual(zh, en),
            **{f: _bilingual(f"{zh}的{f}", f"{en} {f}") for f in ("definition", "when_to_use", "when_not_to_use", "example")}}


CODEBOOK = {"version": 1, "codes": [
    _code("res", None, "社区韧性", "Community resilience"), _code("res.social_trust", "res", "社会信任", "Social trust"),
    _code("inst", None, "制度框架", "Institutional framework"), _code("inst.policy", "inst", "政策授权", "Policy mandate"),
]}

# An interview with Chinese text, an emoji and a character outside the BMP (𠀀) before the selections, CRLF line ends.
RAW = "**访谈者**：您好😀，请讲讲。\r\n\r\n**受访者**：𠀀村的社工站来了以后，村里热闹多了。\r\n大家都愿意出来帮忙。\r\n"
BODY = RAW.replace("\r\n", "\n")
S1, S2, S3 = "社工站来了以后", "村里热闹多了。\r\n大家", "大家都愿意出来帮忙"


def utf16(text: str, k: int) -> int:
    """UTF-16 code units before code point ``k`` of ``text``, by Python's encoder."""
    return len(text[:k].encode("utf-16-le")) // 2


def position(text: str, sub: str, unit: str) -> tuple[int, int]:
    k = text.index(sub)
    if unit == "utf16":
        return utf16(text, k), utf16(text, k + len(sub))
    return k, k + len(sub)


def attrs(**kw) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in kw.items() if v is not None)


def coding(n: int, code: str, user: str | None = None, note: str | None = None) -> str:
    ref = f'<NoteRef targetGUID="{note}"/>' if note else ""
    return f'<Coding {attrs(guid=guid(n), creatingUser=user)}><CodeRef targetGUID="{code}"/>{ref}</Coding>'


def selection(n: int, span: tuple[int, int], codings: list[str], name: str | None = None, user: str | None = None,
              description: str | None = None, notes: tuple[str, ...] = ()) -> str:
    desc = f"<Description>{escape(description)}</Description>" if description else ""
    refs = "".join(f'<NoteRef targetGUID="{g}"/>' for g in notes)
    return (f"<PlainTextSelection {attrs(guid=guid(n), name=name, startPosition=span[0], endPosition=span[1], creatingUser=user)}>"
            f"{desc}{''.join(codings)}{refs}</PlainTextSelection>")


def text_source(n: int, name: str, selections: list[str], path: str | None = None, content: str | None = None,
                description: str | None = None) -> str:
    desc = f"<Description>{escape(description)}</Description>" if description else ""
    inline = f"<PlainTextContent>{escape(content)}</PlainTextContent>" if content is not None else ""
    return f"<TextSource {attrs(guid=guid(n), name=name, plainTextPath=path)}>{desc}{inline}{''.join(selections)}</TextSource>"


def qde_xml(origin: str, sources: list[str], *, cases: str = "", variables: str = "", notes: str = "",
            ns: str = NS, root: str = "Project", prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}<{root} xmlns="{ns}" name="fixture" origin="{origin}">\n'
            f"{USERS}\n{CODES}\n{variables}{cases}<Sources>{''.join(sources)}</Sources>{notes}</{root}>\n")


def write_qdpx(path: Path, qde: str | None, members: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        if qde is not None:
            zf.writestr("project.qde", qde.encode("utf-8"))
        for name, data in (members or {}).items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


def run_import(path: Path, case: str = "K9", **kw):
    return import_qdpx(path, case, CODEBOOK, known_coders={"C1", "C2"}, **kw)


def segments(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result.files["segments.csv"].decode("utf-8"))))


def nvivo_project(tmp_path: Path, unit: str = "utf16", origin: str = "NVivo 14", folder: str = "Sources",
                  raw: str = RAW, names: bool = True) -> Path:
    """Written as NVivo writes: UTF-16 offsets over CRLF text, the source file under Sources/, two coders."""
    p1, p2, p3 = (position(raw, s, unit) for s in (S1, S2, S3))
    name = (lambda s: s) if names else (lambda s: None)
    sels = [
        selection(11, p1, [coding(21, SOCIAL, ANNA), coding(22, SOCIAL, WANG)], name=name(S1)),
        selection(12, p2, [coding(23, HELP)], name=name(S2), user=WANG),
        selection(13, p3, [coding(24, WATCH, ANNA), coding(25, POLICY, ANNA)], name=name(S3)),
    ]
    src = text_source(10, "访谈 1.docx", sels, path=f"internal://{guid(10)}.txt")
    return write_qdpx(tmp_path / "nvivo.qdpx", qde_xml(origin, [src]),
                      {f"{folder}/{guid(10)}.txt": raw.encode("utf-8")})


# ---------------------------------------------------------------------------- imports from each program


def test_nvivo_utf16_offsets_over_crlf_land_on_the_selected_text(tmp_path):
    result = run_import(nvivo_project(tmp_path))
    rows = segments(result)
    assert [(r["text"], r["code_id"], r["coder_id"]) for r in rows] == [
        (S1, "res.social_trust", "U" + ANNA.replace("-", "")[:4].upper()),
        ("大家都愿意出来帮忙", "imported.code_" + HELP.replace("-", "")[:6] + ".night_watch", "U" + ANNA.replace("-", "")[:4].upper()),
        ("大家都愿意出来帮忙", "inst.policy", "U" + ANNA.replace("-", "")[:4].upper()),
        (S1, "res.social_trust", "U" + WANG.replace("-", "")[:4].upper()),
        (S2.replace("\r\n", "\n"), "imported.code_" + HELP.replace("-", "")[:6], "U" + WANG.replace("-", "")[:4].upper()),
    ]
    for r in rows:  # offsets are code points into the body with \n line ends
        assert BODY[int(r["start"]):int(r["end"])] == r["text"]
    assert int(rows[0]["start"]) == BODY.index(S1) != utf16(RAW, RAW.index(S1))
    summary = "\n".join(result.summary)
    assert "UTF-16 code units, every line end counted as two (CRLF) (as expected for origin 'NVivo 14')" in summary
    assert "3 of 3 selections" in summary
    assert "'Anna Li'" in summary and "'王芳'" in summary


def test_a_transcript_keeps_the_text_and_leaves_unknown_fields_to_fill(tmp_path):
    result = run_import(nvivo_project(tmp_path))
    text = result.files["transcripts/K9-D01.md"].decode("utf-8")
    assert text.endswith("---\n" + BODY)
    header = yaml.safe_load(text.split("---\n")[1])
    assert header == {"id": "K9-D01"}  # nothing invented
    assert "# date: YYYY-MM-DD" in text and "# kind: interview | focus_group | field_note | document" in text
    todo = result.files["TODO.md"].decode("utf-8")
    assert "transcripts/K9-D01.md: fill in participants, date, interviewer, kind" in todo
    assert "config.yaml: add K9 to `cases`" in todo and "station.yaml: fill in unit_type" in todo


def test_atlas_ti_counts_characters_with_crlf_as_it_stands(tmp_path):
    k = RAW.index(S1)
    sels = [selection(11, (k, k + len(S1)), [coding(21, SOCIAL, ANNA)], name="社工站来…"),
            selection(12, position(RAW, S2, "chars"), [coding(22, SOCIAL, ANNA)], name=S2)]
    path = write_qdpx(tmp_path / "atlas.qdpx", qde_xml("ATLAS.ti 23.2.1", [text_source(10, "D1", sels, path="internal://d1.txt")]),
                      {"sources/d1.txt": RAW.encode("utf-8")})
    result = run_import(path)
    assert [r["text"] for r in segments(result)] == [S1, S2.replace("\r\n", "\n")]
    assert "Unicode characters, line ends counted as they stand in the source text (as expected" in "\n".join(result.summary)


def test_maxqda_inline_text_with_cases_and_variables(tmp_path):
    text = "甲：我们村有个换工队。\n乙：对，大家轮流帮忙。"
    a, b = position(text, "我们村有个换工队", "chars"), position(text, "大家轮流帮忙", "chars")
    sels = [selection(11, a, [coding(21, SOCIAL, ANNA)], name="我们村有个换工队"),
            selection(12, b, [coding(22, SOCIAL, ANNA)], name="大家轮流帮忙")]
    gender, age, job = guid(301), guid(302), guid(303)
    variables = (f'<Variables><Variable guid="{gender}" name="Gender" typeOfVariable="Text"/>'
                 f'<Variable guid="{age}" name="age band" typeOfVariable="Text"/>'
                 f'<Variable guid="{job}" name="Occupation" typeOfVariable="Text"/></Variables>')

    def value(var, v):
        return f'<VariableValue><VariableRef targetGUID="{var}"/><TextValue>{v}</TextValue></VariableValue>'

    cases = (f'<Cases><Case guid="{guid(201)}" name="王阿姨">{value(gender, "女")}{value(age, "60-74")}{value(job, "farmer")}'
             f'<SourceRef targetGUID="{guid(10)}"/><SelectionRef targetGUID="{guid(11)}"/></Case>'
             f'<Case guid="{guid(202)}" name="K9-P07">{value(gender, "Male")}'
             f'<SourceRef targetGUID="{guid(10)}"/><SelectionRef targetGUID="{guid(12)}"/></Case></Cases>')
    qde = qde_xml("MAXQDA 2022 (Release 22.0.1)", [text_source(10, "Gruppe", sels, content=text)], cases=cases, variables=variables)
    result = run_import(write_qdpx(tmp_path / "maxqda.qdpx", qde))
    people = list(csv.DictReader(io.StringIO(result.files["participants.csv"].decode("utf-8"))))
    assert people == [
        {"participant_id": "K9-P01", "actor_type": "", "gender": "female", "age_band": "60-74", "name": "王阿姨"},
        {"participant_id": "K9-P07", "actor_type": "", "gender": "male", "age_band": "", "name": ""},
    ]
    assert [r["participant_id"] for r in segments(result)] == ["K9-P01", "K9-P07"]
    header = yaml.safe_load(result.files["transcripts/K9-D01.md"].decode("utf-8").split("---\n")[1])
    assert header["participants"] == ["K9-P01", "K9-P07"]
    summary = "\n".join(result.summary)
    assert "case variable 'Occupation'" in summary and "case '王阿姨' -> K9-P01" in summary
    assert "confidential" in result.files["TODO.md"].decode("utf-8")


def test_qualcoder_notes_and_descriptions_become_memos(tmp_path):
    text = "社工先问老人愿不愿意，才开始记录。"
    span = position(text, "先问老人愿不愿意", "chars")
    note, free = guid(401), guid(402)
    sels = [selection(11, span, [coding(21, SOCIAL, ANNA, note=note)], name="先问老人愿不愿意", description="知情同意")]
    notes = (f'<Notes><Note guid="{note}" name="memo"><PlainTextContent>尊重当事人</PlainTextContent></Note>'
             f'<Note guid="{free}" name="free"><PlainTextContent>unused</PlainTextContent></Note></Notes>')
    src = text_source(10, "field note", sels, path="internal://fn.txt", description="现场观察，匿名")
    path = write_qdpx(tmp_path / "qc.qdpx", qde_xml("QualCoder 3.5", [src], notes=notes), {"sources/fn.txt": text.encode("utf-8")})
    result = run_import(path)
    assert [r["memo"] for r in segments(result)] == ["知情同意\n\n尊重当事人"]
    header = yaml.safe_load(result.files["transcripts/K9-D01.md"].decode("utf-8").split("---\n")[1])
    assert header["note"] == "现场观察，匿名"
    # A project memo that nothing points to is kept beside the case and reported, never dropped.
    assert "unused" in result.files["project-memos.md"].decode("utf-8")
    assert any(line.startswith("project memos: 1 note(s)") for line in result.summary)
    # The case folder is an ordinary folder, readable like the others (not mkdtemp's private 0700).
    target = write_case(result, tmp_path / "cases")
    assert target.stat().st_mode & 0o055 == (tmp_path / "cases").stat().st_mode & 0o055


def test_a_wrong_origin_is_overruled_by_the_selected_text_and_said(tmp_path):
    result = run_import(nvivo_project(tmp_path, unit="chars", origin="NVivo 12 (Windows)"))
    assert [r["text"] for r in segments(result)][0] == S1
    summary = "\n".join(result.summary)
    assert "NOT the convention expected for origin 'NVivo 12 (Windows)'" in summary
    assert "Unicode characters" in summary.split("offsets: ")[1].split(":")[0]


def test_without_recorded_text_the_selections_edges_are_checked_and_that_is_said(tmp_path):
    # NVivo writes name="" on selections: the edges decide. Under UTF-16 with CRLF, 4 of the 6 edges of
    # S1-S3 lie on a boundary (S1 starts after 的, S2 ends before 都); under characters only 1 of 6.
    result = run_import(nvivo_project(tmp_path, names=False))
    assert [r["text"] for r in segments(result)][0] == S1
    offsets = next(line for line in result.summary if line.startswith("offsets"))
    assert "no selection records its text, so checked by the selections' edges: 67% of them" in offsets
    assert "17% under Unicode characters" in offsets


def test_without_recorded_text_clean_edges_overrule_a_wrong_origin(tmp_path):
    result = run_import(nvivo_project(tmp_path, names=False, origin="ATLAS.ti 9"))
    assert [r["text"] for r in segments(result)][0] == S1
    offsets = next(line for line in result.summary if line.startswith("offsets"))
    assert offsets.startswith("offsets: UTF-16 code units") and "that overrules the convention expected" in offsets


def test_codes_are_matched_by_label_or_id_and_the_rest_added_under_imported(tmp_path):
    result = run_import(nvivo_project(tmp_path))
    added = yaml.safe_load(result.files["codebook-additions.yaml"].decode("utf-8"))
    help_id = "imported.code_" + HELP.replace("-", "")[:6]
    assert [(c["id"], c["parent"]) for c in added["codes"]] == [
        ("imported", None), (help_id, "imported"), (f"{help_id}.night_watch", help_id)]
    helper = added["codes"][1]
    assert helper["label"] == {"zh": "邻里互助", "en": ""} and helper["definition"]["zh"] == "邻居之间互相帮忙。"
    assert helper["colour"] == "#00AA00" and helper["guid"] == HELP
    summary = "\n".join(result.summary)
    assert "'社区韧性' -> res" in summary and "'social TRUST' -> res.social_trust" in summary
    assert "'inst.policy' -> inst.policy" in summary
    # merged into the codebook as they are, the additions validate: an imported code keeps the one
    # language it came in, and the fields nobody could know stay empty
    schema = load_schemas(ROOT / "workflow" / "schemas")["codebook"]
    merged = {"version": 1, "codes": CODEBOOK["codes"] + added["codes"]}
    assert check_codebook(merged, "data/codebook.yaml", schema) == []


def test_reimporting_matches_the_added_codes_by_guid(tmp_path):
    first = run_import(nvivo_project(tmp_path))
    added = yaml.safe_load(first.files["codebook-additions.yaml"].decode("utf-8"))["codes"]
    for code in added:  # the user fills in the empty fields and merges
        for f in ("label", "definition", "when_to_use", "when_not_to_use", "example"):
            code[f] = {k: v or "filled" for k, v in code[f].items()}
    merged = {"version": 1, "codes": CODEBOOK["codes"] + added}
    second = import_qdpx(nvivo_project(tmp_path), "K9", merged, known_coders={"C1"})
    assert "codebook-additions.yaml" not in second.files
    assert [r["code_id"] for r in segments(second)] == [r["code_id"] for r in segments(first)]


# ---------------------------------------------------------------------------- round trip and export


def test_round_trip_of_the_synthetic_case_gives_back_segments_codes_and_coders(tmp_path):
    codebook = yaml.safe_load((ROOT / "data" / "codebook.yaml").read_text(encoding="utf-8"))
    data, summary = export_qdpx(ROOT, "data/cases", "S01", codebook)
    path = tmp_path / "S01.qdpx"
    path.write_bytes(data)
    result = import_qdpx(path, "S01", codebook, known_coders={"C1", "C2"})
    original = ROOT / "data" / "cases" / "S01"
    assert result.files["segments.csv"] == (original / "segments.csv").read_bytes()
    assert result.files["participants.csv"] == (original / "participants.csv").read_bytes()
    assert "codebook-additions.yaml" not in result.files
    target = write_case(result, tmp_path / "cases")
    problems: list = []
    back = {t.header["id"]: t for t in read_case(tmp_path, "cases", "S01", problems).transcripts}
    for path in sorted((original / "transcripts").glob("*.md")):
        t = read_transcript(path, problems)
        assert back[t.header["id"]].body == t.body and back[t.header["id"]].header == t.header
    assert not problems and (target / "TODO.md").is_file()


def test_round_trip_keeps_memos_and_masks_confidential_names(project, tmp_path):
    case = project / "data" / "cases" / "K01"
    body = (case / "transcripts" / "K01-D01.md").read_text(encoding="utf-8")
    (case / "transcripts" / "K01-D01.md").write_text(body.replace("您好。", "王秀兰您好。"), encoding="utf-8")
    new_body = read_transcript(case / "transcripts" / "K01-D01.md", []).body
    rows = list(csv.DictReader((case / "segments.csv").open(encoding="utf-8")))
    with (case / "segments.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, [*rows[0], "memo"], lineterminator="\n")
        writer.writeheader()
        for i, r in enumerate(rows):
            k = new_body.index(r["text"])
            writer.writerow(r | {"start": k, "end": k + len(r["text"]), "memo": "备注\n第二行" if i == 0 else ""})
    codebook = yaml.safe_load((project / "data" / "codebook.yaml").read_text(encoding="utf-8"))
    data, _ = export_qdpx(project, "data/cases", "K01", codebook)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        source = zf.read(f"sources/{stable_guid('document', 'K01-D01')}.txt").decode("utf-8")
        qde = zf.read("project.qde")
    assert "王秀兰" not in source and source.startswith("**访谈者**：〔K01-P01〕您好。")
    assert b"<Notes>" in qde and b"<Cases>" in qde and validate_qde(qde, XSD) == []
    (tmp_path / "k.qdpx").write_bytes(data)
    back = segments(import_qdpx(tmp_path / "k.qdpx", "K01", codebook, known_coders={"C1", "C2"}))
    assert [(r["segment_id"], r["text"], r["code_id"], r["coder_id"], r["memo"]) for r in back] == [
        (r["segment_id"], r["text"], r["code_id"], r["coder_id"], "备注\n第二行" if i == 0 else "") for i, r in enumerate(rows)]


def test_export_is_deterministic_and_fits_the_schema():
    codebook = yaml.safe_load((ROOT / "data" / "codebook.yaml").read_text(encoding="utf-8"))
    first, _ = export_qdpx(ROOT, "data/cases", "S01", codebook)
    second, _ = export_qdpx(ROOT, "data/cases", "S01", codebook)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert zf.namelist()[0] == "project.qde" and all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        qde = zf.read("project.qde")
    assert XSD.is_file(), "the REFI-QDA schema is expected at tests/reference"
    assert validate_qde(qde, XSD) == []
    broken = qde.replace(b'isCodable="true"', b'isCodable="maybe"', 1)
    assert validate_qde(broken, XSD)  # the check can fail
    assert f'guid="{stable_guid("code", "inst.policy")}"'.encode() in qde
    assert stable_guid("code", "inst.policy") == str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_DNS, "casebook.refi-qda"),
                                                                "code:inst.policy"))


def test_qdc_is_a_codebook_tree_whose_codes_fit_the_project_schema():
    import xmlschema

    codebook = yaml.safe_load((ROOT / "data" / "codebook.yaml").read_text(encoding="utf-8"))
    data = export_qdc(codebook)
    assert data == export_qdc(codebook)
    from xml.etree import ElementTree as ET

    root = ET.fromstring(data)
    assert root.tag == f"{{{NS_CODEBOOK}}}CodeBook"
    top = root.findall(f"{{{NS_CODEBOOK}}}Codes/{{{NS_CODEBOOK}}}Code")
    themes = [c for c in codebook["codes"] if c["parent"] is None]
    assert [c.get("name") for c in top] == [t["label"]["zh"] for t in themes]
    assert len(root.findall(f".//{{{NS_CODEBOOK}}}Code")) == len(codebook["codes"])
    # the codebook schema is not published with the project schema; its Code elements are the project's CodeType
    head = f'<CodeBook xmlns="{NS_CODEBOOK}" origin="casebook">'.encode()
    assert head in data
    as_project = data.replace(head, f'<Project xmlns="{NS}" name="x"><CodeBook>'.encode())
    as_project = as_project.replace(b"</CodeBook>", b"</CodeBook></Project>")
    assert xmlschema.XMLSchema(str(XSD)).is_valid(as_project.decode("utf-8"))


# ---------------------------------------------------------------------------- malformed and malicious files


def assert_refused(project_root: Path, path: Path, *fragments: str, capsys, extra: tuple[str, ...] = ()) -> str:
    """The import exits 2, prints the problem without a traceback, and writes nothing."""
    dest = project_root / "out"
    code = main(["--root", str(project_root), "import-qdpx", str(path), "--case", "K9", "--dest", str(dest), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "nothing was written" in err
    for fragment in fragments:
        assert fragment in err
    assert not dest.exists()
    return err


def test_a_zip_slip_member_is_refused(project, tmp_path, capsys):
    for i, bad in enumerate(["../../evil.txt", "/etc/evil.txt"]):
        path = write_qdpx(tmp_path / f"slip{i}.qdpx", project_xml_ok(), {bad: b"x"})
        assert_refused(project, path, "unsafe", capsys=capsys)
    assert not (tmp_path.parent / "evil.txt").exists()


def project_xml_ok() -> str:
    return qde_xml("QualCoder 3.5", [text_source(10, "D1", [], content="text")])


def test_entity_expansion_is_refused(project, tmp_path, capsys):
    laughs = ('<!DOCTYPE Project [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')
    qde = qde_xml("QualCoder", [text_source(10, "D1", [], content="&lol3;")], prolog=laughs).replace("&amp;lol3;", "&lol3;")
    assert "&lol3;" in qde
    assert_refused(project, write_qdpx(tmp_path / "laughs.qdpx", qde), "declares a DTD", capsys=capsys)


def test_a_truncated_zip_and_a_file_that_is_no_zip_are_named(project, tmp_path, capsys):
    whole = nvivo_project(tmp_path).read_bytes()
    cut = tmp_path / "cut.qdpx"
    cut.write_bytes(whole[: len(whole) // 2])
    assert_refused(project, cut, "damaged or truncated", capsys=capsys)
    text = tmp_path / "notes.qdpx"
    text.write_text("just some text", encoding="utf-8")
    assert_refused(project, text, "not a zip archive", capsys=capsys)


def test_an_archive_that_is_not_a_project_is_named(project, tmp_path, capsys):
    assert_refused(project, write_qdpx(tmp_path / "empty.qdpx", None, {"readme.txt": b"x"}), "no project.qde", capsys=capsys)
    wrong_ns = project_xml_ok().replace(NS, "urn:example:other")
    assert_refused(project, write_qdpx(tmp_path / "ns.qdpx", wrong_ns), "namespace 'urn:example:other'", capsys=capsys)
    codebook = f'<CodeBook xmlns="{NS_CODEBOOK}"><Codes/></CodeBook>'
    assert_refused(project, write_qdpx(tmp_path / "cb.qdpx", codebook), "codebook (root CodeBook), not a project", capsys=capsys)


def test_a_missing_source_file_is_named(project, tmp_path, capsys):
    src = text_source(10, "访谈", [], path="internal://gone.txt")
    path = write_qdpx(tmp_path / "gone.qdpx", qde_xml("NVivo 14", [src]))
    assert_refused(project, path, "'gone.txt' is not in the archive's sources/ folder", capsys=capsys)


def test_selections_that_cannot_be_placed_are_named(project, tmp_path, capsys):
    cases = {
        "out": ([(0, 9999)], "lies outside the text"),
        "reversed": ([(5, 2)], "is reversed (start 5 after end 2)"),
        # under UTF-16 the second selection splits 𠀀; counting characters, the first runs past the end
        "surrogate": ([(4, 6), (1, 4)], "splits a surrogate pair"),
    }
    for name, (spans, message) in cases.items():
        sels = [selection(11 + i, span, [coding(21 + i, SOCIAL, ANNA)]) for i, span in enumerate(spans)]
        path = write_qdpx(tmp_path / f"{name}.qdpx", qde_xml("NVivo 14", [text_source(10, "D", sels, content="𠀀𠀀ab")]))
        err = assert_refused(project, path, message, capsys=capsys)
        assert f"PlainTextSelection {guid(11 + len(spans) - 1)}" in err


def test_duplicate_codings_are_named(project, tmp_path, capsys):
    k = position(RAW, S1, "utf16")
    sels = [selection(11, k, [coding(21, SOCIAL, ANNA)], name=S1), selection(12, k, [coding(22, SOCIAL, ANNA)], name=S1)]
    path = write_qdpx(tmp_path / "dup.qdpx", qde_xml("NVivo 14", [text_source(10, "D", sels, path="internal://d.txt")]),
                      {"sources/d.txt": RAW.encode("utf-8")})
    assert_refused(project, path, "duplicates the coding", f"selection {guid(11)}", capsys=capsys)


def test_the_caps_on_size_and_member_count_hold(tmp_path):
    path = nvivo_project(tmp_path)
    with pytest.raises(InputError, match="decompresses to more than 100 bytes"):
        run_import(path, limits=Limits(max_bytes=100))
    with pytest.raises(InputError, match="holds 2 members, more than the cap of 1"):
        run_import(path, limits=Limits(max_members=1))


def test_an_existing_case_is_replaced_only_with_force(project, tmp_path, capsys):
    path = nvivo_project(tmp_path)
    dest = tmp_path / "cases"
    (dest / "K9").mkdir(parents=True)
    (dest / "K9" / "mine.txt").write_text("keep", encoding="utf-8")
    args = ["--root", str(project), "import-qdpx", str(path), "--case", "K9", "--dest", str(dest)]
    assert main(args) == 2
    assert "the case folder exists already" in capsys.readouterr().err
    assert (dest / "K9" / "mine.txt").is_file()
    assert main([*args, "--force"]) == 0
    out = capsys.readouterr().out
    assert "casebook: imported" in out and "to do (also in" in out
    assert not (dest / "K9" / "mine.txt").exists() and (dest / "K9" / "segments.csv").is_file()
    assert sorted(p.name for p in dest.iterdir()) == ["K9"]  # no staging folder left behind


def test_validate_points_at_what_the_import_could_not_know(project, tmp_path):
    path = nvivo_project(tmp_path)
    assert main(["--root", str(project), "import-qdpx", str(path), "--case", "K9"]) == 0
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["cases"].append("K9")
    _, problems = validate_project(project, config, "config.yaml", load_schemas(project / "workflow" / "schemas"))
    found = [(p.file, p.what) for p in problems]
    assert ("data/cases/K9/station.yaml", "the required field 'unit_type' is missing") in found
    assert ("data/cases/K9/transcripts/K9-D01.md", "the required field 'date' is missing") in found
    assert not any("coder" in w or "code '" in w for _, w in found)  # the header comes first: its segments wait
    doc = project / "data" / "cases" / "K9" / "transcripts" / "K9-D01.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("id: K9-D01\n", "id: K9-D01\nparticipants: []\ndate: 2021-06-01\ninterviewer: I1\nkind: interview\n"),
                   encoding="utf-8")
    _, problems = validate_project(project, config, "config.yaml", load_schemas(project / "workflow" / "schemas"))
    found = [(p.file, p.what) for p in problems]
    coder = "U" + ANNA.replace("-", "")[:4].upper()
    assert any(f"the coder '{coder}' is not in config.yaml coders.known" in w for _, w in found)
    assert any("the code 'imported.code_" in w and "is not in the codebook" in w for _, w in found)
    assert not any("text column does not match" in w or "overlaps" in w or "beyond" in w for _, w in found)


def test_the_export_commands_write_files_or_exit_2(project, tmp_path, capsys):
    out = tmp_path / "exports" / "k.qdpx"
    assert main(["--root", str(project), "export-qdpx", "--case", "K01", "--out", str(out), "--xsd", str(XSD)]) == 0
    assert "project.qde fits" in capsys.readouterr().out and zipfile.is_zipfile(out)
    qdc = tmp_path / "cb.qdc"
    assert main(["--root", str(project), "export-qdc", "--out", str(qdc), "--labels", "en"]) == 0
    codebook = yaml.safe_load((project / "data" / "codebook.yaml").read_text(encoding="utf-8"))
    assert qdc.read_bytes() == export_qdc(codebook, "en")
    assert main(["--root", str(project), "export-qdpx", "--case", "K77", "--out", str(tmp_path / "x.qdpx")]) == 2
    err = capsys.readouterr().err
    assert "the folder of case K77 does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "x.qdpx").exists()


def test_coding_comes_back_with_update_and_leaves_the_rest_of_the_case_alone(project, tmp_path, capsys):
    """Export, (code on in the QDA program,) import with --update: only segments.csv is rewritten.

    The participant's confidential name is spoken before the coded text, so the exported
    offsets count in the masked text and must be moved back onto the raw transcript.
    """
    case = project / "data/cases/K01"
    doc = case / "transcripts/K01-D01.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("**访谈者**：您好。", "**访谈者**：王秀兰您好。"), encoding="utf-8")
    seg = case / "segments.csv"
    rows = list(csv.DictReader(io.StringIO(seg.read_text(encoding="utf-8"))))
    for r in rows:
        r["start"], r["end"] = str(int(r["start"]) + 3), str(int(r["end"]) + 3)
    with open(seg, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    before = {p.name: p.read_bytes() for p in case.rglob("*") if p.is_file()}
    qdpx = tmp_path / "k01.qdpx"
    assert main(["--root", str(project), "export-qdpx", "--case", "K01", "--out", str(qdpx)]) == 0
    with zipfile.ZipFile(qdpx) as zf:
        assert "王秀兰".encode() not in b"".join(zf.read(n) for n in zf.namelist())  # the export is de-identified
    assert main(["--root", str(project), "import-qdpx", str(qdpx), "--case", "K01", "--update"]) == 0
    assert "updated the coding of case K01" in capsys.readouterr().out
    after = {p.name: p.read_bytes() for p in case.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    assert {k for k in after if after[k] != before[k]} <= {"segments.csv"}
    back = list(csv.DictReader(io.StringIO(seg.read_text(encoding="utf-8"))))
    key = lambda r: (r["document_id"], r["start"], r["end"], r["code_id"], r["coder_id"], r["text"])  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, rows))


def test_update_refuses_a_project_whose_text_was_edited(project, tmp_path, capsys):
    qdpx = tmp_path / "k01.qdpx"
    assert main(["--root", str(project), "export-qdpx", "--case", "K01", "--out", str(qdpx)]) == 0
    doc = project / "data/cases/K01/transcripts/K01-D01.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("热闹多了", "热闹得多了"), encoding="utf-8")
    seg = project / "data/cases/K01/segments.csv"
    before = seg.read_bytes()
    assert main(["--root", str(project), "import-qdpx", str(qdpx), "--case", "K01", "--update"]) == 2
    err = capsys.readouterr().err
    assert "K01-D01.md" in err and "differs" in err and "Traceback" not in err
    assert seg.read_bytes() == before


def test_files_written_all_at_once_get_ordinary_permissions(tmp_path):
    """mkstemp's private 0600 must not stick to a data file written through it."""
    import os

    from analysis.inputs.writers import write_atomic

    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.csv", b"a\n")
        assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644
        (tmp_path / "old.csv").write_bytes(b"x\n")
        (tmp_path / "old.csv").chmod(0o664)
        write_atomic(tmp_path / "old.csv", b"y\n")
        assert (tmp_path / "old.csv").stat().st_mode & 0o777 == 0o664 and (tmp_path / "old.csv").read_bytes() == b"y\n"
    finally:
        os.umask(umask)
