"""Issue #18: report names cannot collide, and look the same however they were spelled.

Real files in real folders, ingested into a real catalog and Chroma on disk (fake embedder).
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

from index.embedders import get_embedder
from index.ingestion import ingest_paths
from index.names import clean_name
from index.store import Index

TEXT = ("Báo cáo kết quả thực hiện công tác cải cách hành chính năm {year} của Sở. "
        "Trong năm, Sở tiếp nhận {n} hồ sơ, giải quyết đúng hạn {n} hồ sơ.\n\n") * 6


def _write(path: Path, year: int, n: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEXT.format(year=year, n=n), encoding="utf-8")
    return path


def _index(home: Path) -> Index:
    return Index(home, get_embedder("fake"))


def _consistent(index: Index) -> None:
    ids = sorted(c.chunk_id for c in index.catalog.chunks())
    assert sorted(index.store.ids_of()) == ids == sorted(index.keyword().ids)


def test_same_base_name_in_two_folders_keeps_both(tmp_path):
    a = _write(tmp_path / "in" / "2020" / "bao-cao.txt", 2020, 120)
    b = _write(tmp_path / "in" / "2021" / "bao-cao.txt", 2021, 345)
    index = _index(tmp_path / "home")
    statuses = ingest_paths(index, [tmp_path / "in"])
    assert [s.status for s in statuses] == ["ingested", "ingested"]
    assert [s.file for s in statuses] == ["bao-cao.txt", "bao-cao (2021).txt"]
    assert "bao-cao.txt" in statuses[1].detail  # said, not silent
    assert [d.doc_name for d in index.docs()] == ["bao-cao (2021).txt", "bao-cao.txt"]
    assert "345 hồ sơ" in index.doc_text("bao-cao (2021).txt") and "120 hồ sơ" in index.doc_text("bao-cao.txt")
    _consistent(index)
    # the second folder alone, in a later run: still its own report, never the first one replaced
    again = ingest_paths(_index(tmp_path / "home"), [b])
    assert [(s.file, s.status) for s in again] == [("bao-cao (2021).txt", "unchanged")]
    assert [(s.file, s.status) for s in ingest_paths(index, [a])] == [("bao-cao.txt", "unchanged")]


def test_same_path_changed_is_replaced_not_duplicated(tmp_path):
    b = _write(tmp_path / "2021" / "bao-cao.txt", 2021, 345)
    _write(tmp_path / "2020" / "bao-cao.txt", 2020, 120)
    index = _index(tmp_path / "home")
    ingest_paths(index, [tmp_path / "2020", b])
    _write(b, 2021, 999)
    [status] = ingest_paths(index, [b])
    assert (status.file, status.status) == ("bao-cao (2021).txt", "ingested")
    assert len(index.docs()) == 2 and "999 hồ sơ" in index.doc_text("bao-cao (2021).txt")
    assert "120 hồ sơ" in index.doc_text("bao-cao.txt")
    _consistent(index)


def test_nfd_and_nfc_spellings_are_one_report(tmp_path):
    nfc = "Báo cáo CCHC Sở Nội vụ.txt"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    index = _index(tmp_path / "home")
    [first] = ingest_paths(index, [_write(tmp_path / "in" / nfd, 2021, 7)])
    assert first.file == nfc and first.status == "ingested"
    (tmp_path / "in" / nfd).unlink()
    [second] = ingest_paths(index, [_write(tmp_path / "in" / nfc, 2021, 7)])
    assert (second.file, second.status) == (nfc, "unchanged")
    assert [d.doc_name for d in index.docs()] == [nfc]


def test_bidi_and_control_characters_are_removed_from_names(tmp_path):
    spoofed = "bao-cao-\u202etxt.exe\u202c-2021.txt"
    index = _index(tmp_path / "home")
    statuses = ingest_paths(index, [_write(tmp_path / "in" / spoofed, 2021, 5),
                                    _write(tmp_path / "in" / "dong\nmoi\u200b.txt", 2021, 6)])
    assert [s.status for s in statuses] == ["ingested", "ingested"]
    names = sorted(d.doc_name for d in index.docs())
    assert names == ["bao-cao-txt.exe-2021.txt", "dong moi.txt"]
    assert all(unicodedata.category(c)[0] != "C" for n in names for c in n)
    assert clean_name(" \u200fa\u0007b.txt\u2066 ") == "ab.txt"
