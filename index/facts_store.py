"""The facts table: every fact :mod:`ingest.facts` finds in a report, stored with the report.

Facts are written in the same transaction as the report's chunks (see
:meth:`index.catalog.Catalog.begin_doc`), so re-ingesting a report replaces them, removing it
deletes them and a killed ingest leaves only facts of a ``pending`` report, which are never listed
and are dropped with it. Each row keeps its character offsets into the report's stored text and
the verbatim quote ``text[start:end]``.

Indexes built before this table existed get it on open (``CREATE TABLE IF NOT EXISTS``) and are
back-filled lazily from the stored report text the first time facts are read (:func:`backfill`).
``facts_done`` records, per report, the text hash and extractor version the facts were made from,
so a report whose facts are missing or stale (a newer :data:`FACTS_VERSION`) is redone.
"""
from __future__ import annotations

import bisect
import json
import logging
import sqlite3
from dataclasses import asdict, dataclass, field

from ingest.facts import DocRef, Fact, ListFact, Person, Quantity, extract_facts
from ingest.structure import build_sections

log = logging.getLogger(__name__)

FACTS_VERSION = "facts-1"  # bump when ingest/facts.py extracts differently: stored facts are redone
FACT_KINDS = ("ref", "quantity", "person", "list")

SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (
    doc_name TEXT NOT NULL, ordinal INTEGER NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
    date TEXT, subject TEXT, section TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    page INTEGER, quote TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (doc_name, ordinal));
CREATE INDEX IF NOT EXISTS facts_kind ON facts(kind, label);
CREATE TABLE IF NOT EXISTS facts_done (doc_name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, version TEXT NOT NULL);
"""


@dataclass(frozen=True)
class StoredFact:
    """One fact of one report as the catalog stores it.

    ``kind`` is one of :data:`FACT_KINDS`; ``label`` is the reference number ("45/QĐ-STP"), the
    value as written ("21,75/36"), the person's name or the list heading; ``quote`` is
    ``text[start:end]`` of the report's stored text; ``page`` is ``None`` when the source kept no
    page boundaries; ``detail`` holds the kind's other fields (issuer, noun, role, items…).
    """

    doc_name: str
    ordinal: int
    kind: str
    label: str
    date: str | None
    subject: str | None
    section: str
    start: int
    end: int
    page: int | None
    quote: str
    detail: dict = field(default_factory=dict)


def _fields(fact: Fact) -> tuple[str, str, str | None, str | None, dict]:
    """(kind, label, date, subject, detail) of one extracted fact."""
    if isinstance(fact, DocRef):
        return "ref", fact.number, fact.date, fact.subject, {"doc_kind": fact.kind, "issuer": fact.issuer,
                                                              "own": fact.own}
    if isinstance(fact, Quantity):
        return "quantity", fact.value, None, fact.noun, {"number": fact.number, "qualifier": fact.qualifier,
                                                          "period": fact.period}
    if isinstance(fact, Person):
        return "person", fact.name, None, fact.unit, {"role": fact.role, "unit": fact.unit}
    if isinstance(fact, ListFact):
        return "list", fact.heading, None, None, {"items": list(fact.items)}
    raise TypeError(f"unknown fact type {type(fact).__name__}")


def extract_stored(doc_name: str, text: str, page_starts: list[int] | None = None) -> list[StoredFact]:
    """Every fact of a report's stored (normalised) text, with its section path and quote.

    ``page_starts`` (the offset where each page begins, ascending) gives each fact its page
    number (1-based); without it ``page`` is ``None``."""
    paragraphs = build_sections(text)
    starts = [p.start for p in paragraphs]
    out = []
    for i, fact in enumerate(extract_facts(text)):
        kind, label, date, subject, detail = _fields(fact)
        at = bisect.bisect_right(starts, fact.start) - 1
        section = paragraphs[at].section if at >= 0 else ""
        page = bisect.bisect_right(page_starts, fact.start) if page_starts else None
        out.append(StoredFact(doc_name, i, kind, label, date, subject, section, fact.start, fact.end, page,
                              text[fact.start:fact.end], detail))
    return out


def write_facts(db: sqlite3.Connection, doc_name: str, sha256: str, facts: list[StoredFact] | None) -> None:
    """Replace the report's facts (the caller holds the transaction). ``None`` clears them and
    leaves the report to :func:`backfill`."""
    delete_facts(db, doc_name)
    if facts is None:
        return
    db.executemany("INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   [(doc_name, f.ordinal, f.kind, f.label, f.date, f.subject, f.section, f.start, f.end, f.page,
                     f.quote, json.dumps(f.detail, ensure_ascii=False)) for f in facts])
    db.execute("INSERT OR REPLACE INTO facts_done VALUES (?,?,?)", (doc_name, sha256, FACTS_VERSION))


def delete_facts(db: sqlite3.Connection, doc_name: str) -> None:
    """Drop the report's facts and its back-fill mark (the caller holds the transaction)."""
    db.execute("DELETE FROM facts WHERE doc_name=?", (doc_name,))
    db.execute("DELETE FROM facts_done WHERE doc_name=?", (doc_name,))


def query_facts(db: sqlite3.Connection, kind: str | None = None, doc: str | None = None) -> list[StoredFact]:
    """Facts of complete reports, by report then position; optionally of one kind / one report."""
    sql = ('SELECT f.doc_name, f.ordinal, f.kind, f.label, f.date, f.subject, f.section, f.start, f."end", '
           "f.page, f.quote, f.detail FROM facts f JOIN docs d ON d.doc_name=f.doc_name WHERE d.status='complete'")
    args = []
    for column, value in (("f.kind", kind), ("f.doc_name", doc)):
        if value is not None:
            sql += f" AND {column}=?"
            args.append(value)
    rows = db.execute(sql + " ORDER BY f.doc_name, f.start, f.ordinal", args).fetchall()
    return [StoredFact(*r[:11], json.loads(r[11])) for r in rows]


def stale_docs(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """(doc_name, sha256) of complete reports whose facts are missing or from another version."""
    return db.execute(
        "SELECT d.doc_name, d.sha256 FROM docs d LEFT JOIN facts_done f ON f.doc_name=d.doc_name "
        "WHERE d.status='complete' AND (f.doc_name IS NULL OR f.sha256<>d.sha256 OR f.version<>?) "
        "ORDER BY d.doc_name", (FACTS_VERSION,)).fetchall()


def backfill(db: sqlite3.Connection, transaction) -> int:
    """Extract and store the facts of every report that lacks them (an index built before the
    facts table, or by an older extractor). Extraction runs outside the transaction; the write
    checks the report's text did not change meanwhile (another process re-ingesting it).
    ``transaction()`` opens a write transaction. Returns the number of reports filled."""
    filled = 0
    for doc_name, sha in stale_docs(db):
        row = db.execute("SELECT text FROM docs WHERE doc_name=? AND sha256=?", (doc_name, sha)).fetchone()
        if row is None:
            continue
        facts = extract_stored(doc_name, row[0])
        try:
            with transaction():
                now = db.execute("SELECT sha256 FROM docs WHERE doc_name=? AND status='complete'",
                                 (doc_name,)).fetchone()
                if now is None or now[0] != sha:
                    continue  # re-ingested or removed meanwhile: its writer stored its facts
                write_facts(db, doc_name, sha, facts)
        except sqlite3.OperationalError:  # a read-only or locked catalog: list what is stored
            log.warning("facts of %s could not be stored (catalog not writable)", doc_name, exc_info=True)
            return filled
        filled += 1
    if filled:
        log.info("facts back-filled for %d reports", filled)
    return filled


def as_dict(fact: StoredFact) -> dict:
    """A plain dict of every field (JSON-ready)."""
    return asdict(fact)
