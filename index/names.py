"""Report names that cannot collide, and look the same however the file system spelled them.

A report's name is the file's base name, in NFC, with control characters (line breaks become a
space) and invisible format characters (bidi overrides such as U+202E, zero-width marks) removed.
Each name remembers the file it came from (table ``doc_sources`` of the catalog, keyed by the
cleaned absolute path): the same file ingested again keeps its name (replaced or skipped as
before), while another file with the same base name gets the parent folder added —
``bao-cao (2021).docx`` — and never replaces the first. Names given by the caller (uploads
stored under generated names) are the identity the caller chose: they are only cleaned.
"""
from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

from index.catalog import Catalog

_SCHEMA = "CREATE TABLE IF NOT EXISTS doc_sources (doc_name TEXT PRIMARY KEY, source TEXT NOT NULL)"
_SPACES = {"\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"}
MAX_TRIES = 50


def clean_name(name: str) -> str:
    """NFC, no control or format characters (bidi overrides, zero-width), no outer spaces."""
    out = []
    for c in unicodedata.normalize("NFC", str(name)):
        if c in _SPACES:
            out.append(" ")
        elif unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"):
            out.append(c)
    return "".join(out).strip()


def source_key(path: Path) -> str:
    """The file a report comes from, spelled the same however the name was normalised."""
    return clean_name(os.path.abspath(path))


def _candidates(path: Path, base: str):
    """``base``, then with the parent folder(s) added before the extension, then numbered."""
    stem, dot, ext = base.rpartition(".")
    stem, ext = (stem, dot + ext) if stem else (base, "")
    parents = [clean_name(p.name) for p in Path(os.path.abspath(path)).parents if clean_name(p.name)]
    yield base
    for depth in range(1, min(3, len(parents)) + 1):
        yield f"{stem} ({'-'.join(reversed(parents[:depth]))}){ext}"
    tag = parents[0] if parents else "bản"
    for n in range(2, MAX_TRIES):
        yield f"{stem} ({tag} {n}){ext}"
    yield f"{stem} ({hashlib.sha1(source_key(path).encode()).hexdigest()[:8]}){ext}"


class NameBook:
    """Chooses the report name of each file of one ingest run."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.db = catalog.db
        self.db.execute(_SCHEMA)
        self.claimed: dict[str, str] = {}  # name -> source, in this run

    def _owner(self, name: str) -> str | None:
        """The source of the indexed report called ``name``; "" if unknown, None if no such report."""
        if not self.catalog.doc(name):
            return None
        row = self.db.execute("SELECT source FROM doc_sources WHERE doc_name=?", (name,)).fetchone()
        return row[0] if row else ""

    def _free_for(self, name: str, source: str) -> bool:
        if self.claimed.get(name, source) != source:
            return False
        owner = self._owner(name)
        return owner is None or owner in ("", source)  # "" : indexed before names had sources

    def _known_name(self, source: str) -> str | None:
        for (name,) in self.db.execute("SELECT doc_name FROM doc_sources WHERE source=?", (source,)):
            if self.claimed.get(name, source) == source and self.catalog.doc(name):
                return name
        return None

    def name_for(self, path: Path, given: str | None = None) -> tuple[str, str]:
        """The report name for ``path`` (``given``: the caller's name, only cleaned), and the
        name it would have had when another report holds that one (else "")."""
        if given is not None:
            return clean_name(given), ""
        source, base = source_key(path), clean_name(Path(path).name)
        name = self._known_name(source)
        if name is None:
            name = next((c for c in _candidates(path, base) if self._free_for(c, source)), base)
        if not name:
            return name, ""  # refused by the index as an empty name; nothing to remember
        self.claimed[name] = source
        self.db.execute("INSERT OR REPLACE INTO doc_sources VALUES (?, ?)", (name, source))
        return name, (base if name != base else "")
