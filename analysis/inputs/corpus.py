"""The de-identified corpus: validated raw inputs turned into analysis tables.

:func:`build_corpus` is the ingest stage. It drops confidential columns (a
participant's ``name`` and ``aliases``), masks every form of any participant's
name or alias in every transcript (:mod:`analysis.inputs.deid` says which forms) with
that participant's pseudonymous id, moves segment offsets to match, and joins
each segment to its case, document kind and speaker's actor type.
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.deid import CONFIDENTIAL_COLUMNS, NameMatcher, move_offset
from analysis.inputs.io import RawCase, RawProject
from analysis.inputs.names import project_names
from analysis.inputs.problems import InputError
from analysis.inputs.schemas import typed_table
from analysis.methods.codebook import codebook_frame

DOCUMENT_COLUMNS = ["document_id", "case_id", "kind", "date", "interviewer", "participants", "coded_by", "n_chars", "body"]
SEGMENT_COLUMNS = ["segment_id", "case_id", "document_id", "participant_id", "start", "end", "code_id", "coder_id", "text"]
#: The running text of each pooled table: most of its bytes, and needed only by the rules that quote.
TEXT_COLUMNS = {"segments": "text", "documents": "body"}


def read_segments(path, coder: str | None = None, text: bool = False) -> pd.DataFrame:
    """The pooled segments (rule ``corpus``): only ``coder``'s codings when given, and the quoted
    ``text`` only when asked for.

    Both are applied as the Parquet file is read, so a rule that counts codes does not decode the
    text of every segment: at 1,940 stations that is 1.5 s of each rule's 1.6 s of reading. The rows
    come in the file's order, numbered from 0.
    """
    return _read_pooled(path, "segments", text, [("coder_id", "==", coder)] if coder is not None else None)


def read_documents(path, body: bool = False) -> pd.DataFrame:
    """The pooled documents (rule ``corpus``), with each document's ``body`` only when asked for."""
    return _read_pooled(path, "documents", body, None)


def _read_pooled(path, table: str, text: bool, filters) -> pd.DataFrame:
    import pyarrow.parquet as pq

    columns = [c for c in pq.read_schema(path).names if text or c != TEXT_COLUMNS[table]]
    return pd.read_parquet(path, columns=columns, filters=filters).reset_index(drop=True)


def case_people(case: str, raw: RawCase, schemas: dict, names: NameMatcher | None = None) -> tuple[dict, pd.DataFrame]:
    """A case's station attributes and its participants, without confidential columns.

    The station's free-text ``note`` stays behind; every other text (a participant's ``role``)
    is masked with ``names`` as well, though validation already refuses a name there.
    """
    station = {k: v for k, v in raw.station.items() if k != "note"} | {"case_id": case}
    people = typed_table(raw.participants, schemas["participants"]).drop(columns="_line")
    people = people.drop(columns=[c for c in CONFIDENTIAL_COLUMNS if c in people])
    if names:
        people = people.apply(lambda column: column.map(names.masked) if column.dtype == object else column)
    return station, people.assign(case_id=case)


def case_corpus(case: str, raw: RawCase, names: NameMatcher, schemas: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One case's de-identified documents and its segments with offsets into the masked bodies.

    ``names`` holds the participants of *every* case (:func:`analysis.inputs.names.read_names`), since
    a person may be named in another station's transcripts.
    """
    documents, rewritten = [], {}
    for t in raw.transcripts:
        body, spans = names.mask(t.body)
        rewritten[t.header["id"]] = (body, spans)
        documents.append({
            "document_id": t.header["id"], "case_id": case, "kind": t.header["kind"],
            "date": str(t.header["date"]), "interviewer": t.header["interviewer"],
            "participants": ";".join(t.header.get("participants") or []),
            "coded_by": ";".join(t.header.get("coded_by") or []),
            "n_chars": len(body), "body": body,
        })
    seg = typed_table(raw.segments, schemas["segments"]).drop(columns="_line")
    if "participant_id" not in seg:
        seg["participant_id"] = ""
    starts, ends, texts = [], [], []
    for row in seg.itertuples():
        body, spans = rewritten[row.document_id]
        s, e = move_offset(int(row.start), spans, False), move_offset(int(row.end), spans, True)
        starts.append(s)
        ends.append(e)
        texts.append(body[s:e])
    seg = seg.assign(start=starts, end=ends, text=texts, case_id=case)
    return pd.DataFrame(documents, columns=DOCUMENT_COLUMNS), seg[SEGMENT_COLUMNS]


def pool_documents(documents: list[pd.DataFrame]) -> pd.DataFrame:
    """Every case's documents in one table, with each document's ``order`` within its case by date."""
    docs = pd.concat(documents, ignore_index=True).sort_values(["case_id", "date", "document_id"], kind="stable")
    docs["order"] = docs.groupby("case_id").cumcount() + 1
    return docs.reset_index(drop=True)


def pool_segments(segments: list[pd.DataFrame], documents: pd.DataFrame, people: pd.DataFrame,
                  codes: pd.DataFrame) -> pd.DataFrame:
    """Every case's segments, joined to the document kind, the speaker's actor type and the code's theme."""
    seg = pd.concat(segments, ignore_index=True)
    seg = seg.merge(documents[["document_id", "kind"]], on="document_id", how="left")
    seg = seg.merge(people[["participant_id", "actor_type"]], on="participant_id", how="left")
    seg["actor_type"] = seg["actor_type"].fillna("none")
    seg = seg.merge(codes[["code_id", "theme"]], on="code_id", how="left")
    return seg.sort_values(["case_id", "document_id", "start", "segment_id"], kind="stable").reset_index(drop=True)


def pool_people(cases: dict[str, RawCase], schemas: dict, names: NameMatcher | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stations table (one row per case) and the participants table of every case."""
    stations, participants = zip(*(case_people(case, raw, schemas, names) for case, raw in cases.items()))
    return pool_shard_people([pd.DataFrame(list(stations))], list(participants))


def pool_shard_people(stations: list[pd.DataFrame], people: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shards' stations and participants tables (each from :func:`pool_people`) as one of each,
    in the same order :func:`pool_people` gives all cases at once."""
    pooled = pd.concat(stations, ignore_index=True).sort_values("case_id", kind="stable").reset_index(drop=True)
    everyone = pd.concat(people, ignore_index=True).sort_values("participant_id", kind="stable").reset_index(drop=True)
    return pooled, everyone


def build_corpus(project: RawProject, schemas: dict) -> dict[str, pd.DataFrame]:
    """Turn a validated project into the ingest tables (all cases at once).

    The workflow runs the same steps one shard of cases at a time (rules
    ``ingest_shard`` and ``corpus``), so that a change in one case re-ingests
    only its shard.

    Returns
    -------
    dict of DataFrame
        ``stations`` (one row per case), ``participants`` (without confidential
        columns), ``documents`` (one row per transcript, with the de-identified
        ``body`` and its ``order`` within the case by date), ``segments`` (one row
        per coding, offsets into the de-identified body, with ``text``,
        ``case_id``, ``kind``, ``actor_type`` and ``theme``) and ``codes`` (the
        codebook as a table, see :func:`analysis.methods.codebook.codebook_frame`).
    """
    problems: list = []
    names = project_names(project, problems)  # every name source, as the workflow reads them
    if problems:
        raise InputError(problems)
    stations, people = pool_people(project.cases, schemas, names)
    parts = [case_corpus(case, raw, names, schemas) for case, raw in project.cases.items()]
    codes = codebook_frame(project.codebook)
    docs = pool_documents([d for d, _ in parts])
    return {
        "stations": stations,
        "participants": people,
        "documents": docs,
        "segments": pool_segments([s for _, s in parts], docs, people, codes),
        "codes": codes,
    }
