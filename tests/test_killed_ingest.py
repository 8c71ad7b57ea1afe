"""Issue #6 part 2: nothing lost when killed, and one writer at a time.

An ingest of the sample reports is SIGKILLed at random points 5 times (each kill lands while
it reads, embeds, writes Chroma, the catalog or the keyword index), then run to the end: the
index must equal a clean ingest (same chunk ids and counts, no duplicates, every chunk found
by its own text). A second process that wants to write while another one does fails at once
with a clear message; readers keep working.
"""
from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.embedders import get_embedder
from index.ingestion import ensure_consistent
from index.retriever import Retriever
from index.store import Index, indexed_text

ROOT = Path(__file__).resolve().parent.parent
KILLS = 5
CHUNK_DELAY_S = 0.02  # the fake-kill embedder's time per chunk


def _worker(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.helpers.ingest_worker", str(home), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _snapshot(index: Index) -> dict:
    return {d.doc_name: sorted(c.chunk_id for c in index.catalog.chunks(d.doc_name)) for d in index.docs()}


def _remaining(home: Path, total: int) -> int:
    """Chunks still to write: ``total`` minus those of complete reports (read without Chroma)."""
    if not (home / "catalog.sqlite").exists():
        return total
    with sqlite3.connect(home / "catalog.sqlite") as con:
        done = con.execute("SELECT COALESCE(SUM(n_chunks), 0) FROM docs WHERE status = 'complete'").fetchone()[0]
    return total - done


def _kill_at_random(home: Path, samples: Path, rng: random.Random, total: int) -> tuple[bool, int]:
    """Start an ingest and SIGKILL it at a random point of the work it has left.

    Returns whether the kill hit a running ingest, and how many files it had started."""
    span = CHUNK_DELAY_S * _remaining(home, total) + 1.5  # what is left, plus the keyword rebuild
    p = _worker(home, "fake-kill", str(samples))
    assert p.stdout.readline().strip() == "ready", p.stderr.read()
    time.sleep(rng.uniform(0.0, span))
    p.send_signal(signal.SIGKILL)
    out, _ = p.communicate(timeout=30)
    return p.returncode == -signal.SIGKILL, sum(x.startswith("file ") for x in out.splitlines())


def _search_all(index: Index) -> list[list[str]]:
    retriever = Retriever(index)
    return [[h.chunk.chunk_id for h in retriever.search(c.text, k=3)] for c in index.catalog.chunks()]


@pytest.mark.slow
def test_five_random_kills_then_resume_gives_the_clean_index(built_home, tmp_path, samples):
    clean = Index(built_home, get_embedder("fake"))
    total = len(clean.catalog.chunks())
    home, rng, kills, attempts = tmp_path / "killed", random.Random(6), [], 0
    while len(kills) < KILLS and attempts < 3 * KILLS:
        hit, started = _kill_at_random(home, samples, rng, total)
        attempts += 1
        if hit:
            kills.append(started)
    assert len(kills) == KILLS, f"only {len(kills)} of {attempts} kills hit a running ingest"
    print("\nkilled after", kills, "files started")
    final = _worker(home, "fake-kill", str(samples))
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err[-3000:]
    resumed = Index(home, get_embedder("fake"))
    ensure_consistent(resumed)
    assert resumed.catalog.docs(status="pending") == [] and resumed.catalog.get_info("keyword_dirty") == "0"
    assert _snapshot(resumed) == _snapshot(clean)
    ids = resumed.store.ids_of()
    assert len(ids) == len(set(ids)) == resumed.store.count() == len(resumed.catalog.chunks())
    assert sorted(ids) == sorted(clean.store.ids_of()) == sorted(resumed.keyword().ids)
    assert [d.n_chunks for d in resumed.docs()] == [d.n_chunks for d in clean.docs()]
    metas = {d.doc_name: d.meta for d in resumed.docs()}
    for c in resumed.catalog.chunks():  # every chunk is the nearest vector to its own text
        vec = resumed.embedder.embed([indexed_text(metas[c.doc_name], c)])[0]
        assert resumed.store.query(vec, 1, None)[0][0] == c.chunk_id
    assert _search_all(resumed) == _search_all(clean)  # and the hybrid search answers as on a clean index


def _cli(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.helpers.cli_fake", *args, "--home", str(home),
                           "--embedder", "fake"], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_second_writer_process_fails_fast_and_readers_still_work(home_copy, samples):
    Index(home_copy, get_embedder("fake")).catalog.set_info("samples_loaded", "1")  # as after a first `cchc` run
    holder = _worker(home_copy, "fake", "--hold-lock")
    try:
        assert holder.stdout.readline().strip() == "locked"
        t = time.monotonic()
        res = _cli(home_copy, "ingest", str(samples / "001_1378d54d2ddf81bf.txt"))
        assert res.returncode == 1 and time.monotonic() - t < 30
        lines = [x for x in res.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and "another process" in lines[0] and "Traceback" not in res.stderr, res.stderr
        res = _cli(home_copy, "search", "Quyết định 1078/QĐ-UBND", "--k", "3")
        assert res.returncode == 0 and "1078/QĐ-UBND" in res.stdout, res.stderr
    finally:
        holder.kill()
        holder.wait()
