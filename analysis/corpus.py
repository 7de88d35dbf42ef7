"""The de-identified corpus: validated raw inputs turned into analysis tables.

:func:`build_corpus` is the ingest stage. It drops confidential columns (a
participant's ``name`` and ``aliases``), masks every occurrence of any
participant's name or alias in every transcript with that participant's
pseudonymous id, moves segment offsets to match, and joins each segment to its case, document kind and speaker's actor type.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import pandas as pd

from analysis.codebook import codebook_frame
from analysis.io import RawCase
from analysis.validate import RawProject, typed_table

#: Columns of the participants table that never leave ingest.
CONFIDENTIAL_COLUMNS = ("name", "aliases")
#: What replaces a name that more than one participant bears.
SHARED_NAME_TOKEN = "〔受访者〕"
DOCUMENT_COLUMNS = ["document_id", "case_id", "kind", "date", "interviewer", "participants", "coded_by", "n_chars", "body"]
SEGMENT_COLUMNS = ["segment_id", "case_id", "document_id", "participant_id", "start", "end", "code_id", "coder_id", "text"]


def name_tokens(participants: pd.DataFrame) -> dict[str, str]:
    """Every confidential name and alias, mapped to the token that replaces it.

    A name or alias maps to ``〔participant_id〕``; one that several
    participants share maps to a neutral token, so masking never points to the
    wrong person.

    Examples
    --------
    >>> people = pd.DataFrame({"participant_id": ["P1", "P2"], "name": ["王秀兰", "李军"],
    ...                        "aliases": ["秀兰;王主任", "王主任"]})
    >>> name_tokens(people)
    {'王秀兰': '〔P1〕', '秀兰': '〔P1〕', '王主任': '〔受访者〕', '李军': '〔P2〕'}
    """
    owners: dict[str, set[str]] = {}
    for row in participants.to_dict("records"):
        name, aliases = row.get("name"), row.get("aliases")
        forms = [name if isinstance(name, str) else ""] + (aliases.split(";") if isinstance(aliases, str) else [])
        for form in (f.strip() for f in forms):
            if form:
                owners.setdefault(form, set()).add(row["participant_id"])
    return {form: f"〔{next(iter(ids))}〕" if len(ids) == 1 else SHARED_NAME_TOKEN for form, ids in owners.items()}


@dataclass(frozen=True)
class Redaction:
    """Where a body was rewritten: ``old`` span -> ``new`` span, both [start, end)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


def redact(body: str, replacements: dict[str, str]) -> tuple[str, list[Redaction]]:
    """Replace every occurrence of each key by its value; longer keys win.

    Returns the new body and the list of rewritten spans, for :func:`move_offset`.

    Examples
    --------
    >>> new, spans = redact("李桂英说：李桂英来了。", {"李桂英": "〔S01-P03〕"})
    >>> new
    '〔S01-P03〕说：〔S01-P03〕来了。'
    >>> [(s.old_start, s.new_start) for s in spans]
    [(0, 0), (5, 11)]
    """
    hits: list[tuple[int, int, str]] = []
    taken = [False] * len(body)
    for key in sorted((k for k in replacements if k), key=len, reverse=True):
        start = body.find(key)
        while start != -1:
            end = start + len(key)
            if not any(taken[start:end]):
                hits.append((start, end, replacements[key]))
                taken[start:end] = [True] * (end - start)
            start = body.find(key, end)
    hits.sort()
    pieces, spans, cursor, shift = [], [], 0, 0
    for start, end, token in hits:
        pieces += [body[cursor:start], token]
        spans.append(Redaction(start, end, start + shift, start + shift + len(token)))
        shift += len(token) - (end - start)
        cursor = end
    pieces.append(body[cursor:])
    return "".join(pieces), spans


def move_offset(offset: int, spans: list[Redaction], is_end: bool) -> int:
    """Where an offset of the original body lands in the redacted body.

    An offset inside a rewritten span moves to that span's start (for a segment
    start) or end (for a segment end), so a segment keeps the whole token.

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


def case_people(case: str, raw: RawCase, schemas: dict) -> tuple[dict, pd.DataFrame]:
    """A case's station attributes and its participants, without confidential columns."""
    station = {k: v for k, v in raw.station.items() if k != "note"} | {"case_id": case}
    people = typed_table(raw.participants, schemas["participants"]).drop(columns="_line")
    people = people.drop(columns=[c for c in CONFIDENTIAL_COLUMNS if c in people])
    return station, people.assign(case_id=case)


def case_corpus(case: str, raw: RawCase, names: dict[str, str], schemas: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One case's de-identified documents and its segments with offsets into the masked bodies.

    ``names`` comes from :func:`name_tokens` over the participants of *every*
    case, since a person may be named in another station's transcripts.
    """
    documents, rewritten = [], {}
    for t in raw.transcripts:
        body, spans = redact(t.body, names)
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


def pool_people(cases: dict[str, RawCase], schemas: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stations table (one row per case) and the participants table of every case."""
    stations, participants = zip(*(case_people(case, raw, schemas) for case, raw in cases.items()))
    stations = pd.DataFrame(list(stations)).sort_values("case_id", kind="stable").reset_index(drop=True)
    people = pd.concat(participants, ignore_index=True).sort_values("participant_id", kind="stable")
    return stations, people.reset_index(drop=True)


def all_names(cases: dict[str, RawCase]) -> dict[str, str]:
    """The masking tokens for the names and aliases of every participant of every case."""
    return name_tokens(pd.concat([raw.participants for raw in cases.values()], ignore_index=True))


def build_corpus(project: RawProject, schemas: dict) -> dict[str, pd.DataFrame]:
    """Turn a validated project into the ingest tables (all cases at once).

    The workflow runs the same steps one case at a time (rules ``ingest_case``
    and ``corpus``), so that a change in one case re-ingests only that case.

    Returns
    -------
    dict of DataFrame
        ``stations`` (one row per case), ``participants`` (without confidential
        columns), ``documents`` (one row per transcript, with the de-identified
        ``body`` and its ``order`` within the case by date), ``segments`` (one row
        per coding, offsets into the de-identified body, with ``text``,
        ``case_id``, ``kind``, ``actor_type`` and ``theme``) and ``codes`` (the
        codebook as a table, see :func:`analysis.codebook.codebook_frame`).
    """
    names = all_names(project.cases)
    stations, people = pool_people(project.cases, schemas)
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
