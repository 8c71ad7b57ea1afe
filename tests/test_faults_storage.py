"""Issue #18: storage failures are one line that says what to do, and reading keeps working.

Disk full on a real small tmpfs and a read-only home (a read-only remount as root, ``chmod``
otherwise) run ``cchc`` as a separate process on a real index; ENOSPC in the middle of a write
is simulated at the storage layer; a corrupt catalog is real garbage bytes.
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from index.chroma_store import ChromaStore
from index.embedders import get_embedder
from index.ingestion import ensure_consistent, ingest_paths
from index.storage import StorageError
from index.store import Index

ROOT = Path(__file__).resolve().parent.parent
NOISE = ("Traceback", "Logging error", "internal error", "lỗi nội bộ")
REPORT = ("Báo cáo kết quả công tác cải cách hành chính năm 2031 của Sở Tư pháp tỉnh.\n\n"
          "I. KẾT QUẢ\n\n" + "".join(f"Trong quý {q}, Sở tiếp nhận {q * 111} hồ sơ trực tuyến và giải quyết "
                                        f"đúng hạn {q * 97} hồ sơ theo quy định.\n\n" for q in range(1, 40)))


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.helpers.cli_fake", *args, "--home", str(home),
                           "--embedder", "fake"], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _one_line_error(res: subprocess.CompletedProcess, *words: str) -> str:
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert res.returncode == 1 and len(lines) == 1, res.stderr[-2000:]
    assert not any(n in res.stderr for n in NOISE) and all(w in lines[0] for w in words), lines[0]
    return lines[0]


def _reads_work(home: Path, n_docs: int = 5) -> None:
    docs = _cli(home, "docs")
    assert docs.returncode == 0 and len(docs.stdout.splitlines()) == n_docs and not docs.stderr.strip(), docs.stderr
    found = _cli(home, "search", "Quyết định 1078/QĐ-UBND", "--k", "3")
    assert found.returncode == 0 and "1078/QĐ-UBND" in found.stdout and not found.stderr.strip(), found.stderr


def _check(home: Path) -> str:
    res = subprocess.run([sys.executable, "-m", "tests.helpers.ingest_worker", str(home), "fake", "--check"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    return res.stdout.strip()


@pytest.fixture
def tmpfs(tmp_path):
    """A 40 MB tmpfs (root with CAP_SYS_ADMIN only); unmounted afterwards."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root with CAP_SYS_ADMIN")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _home_in(folder: Path, built_home: Path) -> Path:
    home = folder / "home"
    shutil.copytree(built_home, home)
    with sqlite3.connect(home / "catalog.sqlite") as con:  # as after a first `cchc` run
        con.execute("INSERT OR REPLACE INTO info VALUES ('samples_loaded', '1')")
    return home


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * (1 << 20))
                fh.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC
    return filler


@pytest.mark.slow
def test_disk_full_is_one_line_reading_works_and_nothing_is_left_half_done(tmpfs, built_home, tmp_path):
    home = _home_in(tmpfs, built_home)
    report = tmp_path / "bao-cao-2031.txt"
    report.write_text(REPORT, encoding="utf-8")
    filler = _fill(tmpfs)
    _one_line_error(_cli(home, "ingest", str(report)), "is full", "free some space")
    _reads_work(home)  # during
    filler.unlink()
    again = _cli(home, "ingest", str(report))
    assert again.returncode == 0 and "bao-cao-2031.txt: ingested" in again.stdout, again.stderr
    _reads_work(home, 6)  # after
    assert _check(home).startswith("consistent ")  # catalog, Chroma and keyword index agree: zero orphans


def _make_read_only(folder: Path) -> None:
    if os.geteuid() == 0:  # root ignores file modes: a read-only bind mount of the folder over itself
        for cmd in (["mount", "--bind", str(folder), str(folder)], ["mount", "-o", "remount,bind,ro", str(folder)]):
            res = subprocess.run(cmd, capture_output=True)
            if res.returncode:
                pytest.skip(f"root without mount rights: chmod does not stop root ({res.stderr.strip()!r})")
    else:
        for p in [folder, *folder.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)


@pytest.fixture
def ro_folder(tmp_path):
    """A folder the test makes read-only (bind mount as root, chmod otherwise); writable again after."""
    folder = tmp_path / "ro"
    folder.mkdir()
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    else:
        for p in [folder, *folder.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)


@pytest.mark.slow
def test_read_only_home_reads_and_refuses_writes_in_one_line(ro_folder, built_home, tmp_path):
    home = _home_in(ro_folder, built_home)
    report = tmp_path / "bao-cao-2031.txt"
    report.write_text(REPORT, encoding="utf-8")
    _make_read_only(ro_folder)
    _reads_work(home)
    _one_line_error(_cli(home, "ingest", str(report)), "cannot write to", "make it writable")
    _one_line_error(_cli(home, "remove", "000_2e45de5cd4b14c3f.txt"), "cannot write to")


def test_enospc_in_the_middle_of_a_write_stops_cleanly_and_the_next_open_repairs(tmp_path, monkeypatch, samples):
    from cchc.config import setup_logging

    home = tmp_path / "home"
    log_file = setup_logging(home)
    real_upsert = ChromaStore.upsert

    def upsert_then_full(self, ids, vectors, metadatas, documents):
        real_upsert(self, ids, vectors, metadatas, documents)  # the vectors land, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    try:
        index = Index(home, get_embedder("fake"))
        monkeypatch.setattr(ChromaStore, "upsert", upsert_then_full)
        with pytest.raises(StorageError) as caught:
            ingest_paths(index, [samples])
        assert "\n" not in str(caught.value) and "is full" in str(caught.value)
        assert index.store.count() > 0 and index.catalog.docs(status="complete") == []  # orphans for now
        monkeypatch.setattr(ChromaStore, "upsert", real_upsert)
        reopened = Index(home, get_embedder("fake"))
        ensure_consistent(reopened)  # what every command does on open
        assert reopened.store.count() == 0 and reopened.catalog.docs(status="pending") == []
        statuses = ingest_paths(reopened, [samples])
        assert {s.status for s in statuses} == {"ingested"}
        assert sorted(reopened.store.ids_of()) == sorted(c.chunk_id for c in reopened.catalog.chunks())
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_file)]:
            logging.getLogger().removeHandler(h)
            h.close()
    assert "storage error" in log_file.read_text(encoding="utf-8")


def test_catalog_write_refused_mid_ingest_is_one_line(tmp_path, monkeypatch, samples):
    from index.catalog import Catalog

    def full(self, doc_name):
        raise sqlite3.OperationalError("database or disk is full")

    index = Index(tmp_path / "home", get_embedder("fake"))
    monkeypatch.setattr(Catalog, "complete_doc", full)
    with pytest.raises(StorageError, match="is full"):
        ingest_paths(index, [samples / "001_1378d54d2ddf81bf.txt"])


def test_corrupt_catalog_says_rebuild_and_rebuild_works(home_copy, samples):
    (home_copy / "catalog.sqlite").write_bytes(b"this is not a database" * 300)
    for name in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
        (home_copy / name).unlink(missing_ok=True)
    _one_line_error(_cli(home_copy, "docs"), "corrupt", "--rebuild")
    res = _cli(home_copy, "ingest", "--rebuild", str(samples / "001_1378d54d2ddf81bf.txt"))
    assert res.returncode == 0 and "ingested" in res.stdout, res.stderr
    assert "corrupt" in (home_copy / "cchc.log").read_text(encoding="utf-8")
