"""The catalog: which reports are in the index, their text, metadata and chunks (SQLite).

A report is ``pending`` while its chunks are being written and ``complete`` only after all of
them are in Chroma, so a killed ingest is detected and redone on the next run. Only complete
reports are searched.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from index.facts_store import SCHEMA as _FACTS_SCHEMA, StoredFact, backfill, delete_facts, query_facts, write_facts
from ingest.records import Chunk, DocMeta

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc_name TEXT PRIMARY KEY, doc_id TEXT NOT NULL, sha256 TEXT NOT NULL,
    status TEXT NOT NULL, meta TEXT NOT NULL, text TEXT NOT NULL,
    n_chunks INTEGER NOT NULL DEFAULT 0, warnings TEXT NOT NULL DEFAULT '[]',
    hidden TEXT NOT NULL DEFAULT '[]', kind TEXT NOT NULL DEFAULT '', added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_name TEXT NOT NULL, ordinal INTEGER NOT NULL,
    section TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_name, ordinal);
"""


@dataclass
class DocRecord:
    """One report as the catalog knows it."""

    doc_name: str
    doc_id: str
    sha256: str
    status: str
    meta: DocMeta
    n_chunks: int
    warnings: list[str]
    hidden: list[str]
    kind: str
    added_at: float


class Catalog:
    """Thin SQLite wrapper; one connection per thread is not needed (check_same_thread=False + WAL)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA + _FACTS_SCHEMA)  # an older catalog gains the facts tables here

    def get_info(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM info WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_info(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (key, value))

    def begin_doc(self, doc_name: str, doc_id: str, sha256: str, meta: DocMeta, text: str,
                  chunks: list[Chunk], warnings: list[str], hidden: list[str], kind: str,
                  facts: list[StoredFact] | None = None) -> None:
        """Record the report as ``pending`` with its chunks and facts, in one transaction
        (``facts=None``: none stored now, :meth:`facts` back-fills them from the text)."""
        with self._tx():
            write_facts(self.db, doc_name, sha256, facts)
            self.db.execute("DELETE FROM chunks WHERE doc_name=?", (doc_name,))
            self.db.execute(
                "INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (doc_name, doc_id, sha256, "pending", json.dumps(meta.to_dict(), ensure_ascii=False), text,
                 len(chunks), json.dumps(warnings, ensure_ascii=False), json.dumps(hidden, ensure_ascii=False),
                 kind, time.time()))
            self.db.executemany(
                'INSERT INTO chunks VALUES (?,?,?,?,?,?,?)',
                [(c.chunk_id, doc_name, c.ordinal, c.section, c.start, c.end, c.text) for c in chunks])

    def complete_doc(self, doc_name: str) -> None:
        self.db.execute("UPDATE docs SET status='complete' WHERE doc_name=?", (doc_name,))

    def remove_doc(self, doc_name: str) -> None:
        with self._tx():
            self.db.execute("DELETE FROM chunks WHERE doc_name=?", (doc_name,))
            delete_facts(self.db, doc_name)
            self.db.execute("DELETE FROM docs WHERE doc_name=?", (doc_name,))

    def docs(self, status: str | None = None, doc_name: str | None = None) -> list[DocRecord]:
        sql = "SELECT doc_name, doc_id, sha256, status, meta, n_chunks, warnings, hidden, kind, added_at FROM docs"
        where = [(c, v) for c, v in (("status", status), ("doc_name", doc_name)) if v is not None]
        sql += (" WHERE " + " AND ".join(f"{c}=?" for c, _ in where) if where else "") + " ORDER BY doc_name"
        rows = self.db.execute(sql, [v for _, v in where]).fetchall()
        return [DocRecord(r[0], r[1], r[2], r[3], DocMeta.from_dict(json.loads(r[4])), r[5],
                          json.loads(r[6]), json.loads(r[7]), r[8], r[9]) for r in rows]

    def doc(self, doc_name: str) -> DocRecord | None:
        """One report by name (one indexed lookup: ingest asks this for every file of a large folder)."""
        found = self.docs(doc_name=doc_name)
        return found[0] if found else None

    def doc_text(self, doc_name: str) -> str | None:
        row = self.db.execute("SELECT text FROM docs WHERE doc_name=?", (doc_name,)).fetchone()
        return row[0] if row else None

    def chunks(self, doc_name: str | None = None, complete_only: bool = True) -> list[Chunk]:
        sql = ('SELECT c.chunk_id, d.doc_id, c.doc_name, c.section, c.text, c.start, c."end", c.ordinal '
               "FROM chunks c JOIN docs d ON d.doc_name = c.doc_name")
        where, args = [], []
        if complete_only:
            where.append("d.status='complete'")
        if doc_name:
            where.append("c.doc_name=?")
            args.append(doc_name)
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.doc_name, c.ordinal"
        return [Chunk(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in self.db.execute(sql, args)]

    def chunk(self, chunk_id: str) -> Chunk | None:
        r = self.db.execute('SELECT c.chunk_id, d.doc_id, c.doc_name, c.section, c.text, c.start, c."end", '
                            "c.ordinal FROM chunks c JOIN docs d ON d.doc_name=c.doc_name WHERE chunk_id=?",
                            (chunk_id,)).fetchone()
        return Chunk(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) if r else None

    def facts(self, kind: str | None = None, doc_name: str | None = None) -> list[StoredFact]:
        """Facts of the complete reports (see :mod:`index.facts_store`); reports ingested before
        the facts table existed are back-filled from their stored text first."""
        backfill(self.db, self._tx)
        return query_facts(self.db, kind, doc_name)

    def _tx(self):
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
