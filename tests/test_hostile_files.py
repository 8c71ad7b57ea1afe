"""Issue #6 part 1: a mixed batch of hostile and malformed files through the real ingest path.

All files of ``tests.helpers.hostile.CASES`` (generated here, good and hostile mixed) go through
``index.ingestion.ingest_paths`` in a separate process (as ``cchc ingest`` would run them), so a
hang is a timeout and the memory each file takes is measured. Each file must get exactly one
clear, one-line status; the good files are ingested; nothing partial is left in the index; no NUL
byte ever reaches Chroma; each file is bounded in time and memory.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from index.embedders import get_embedder
from index.store import Index
from ingest.textkeys import fold
from tests.helpers.hostile import BODY, CASES, Case

ROOT = Path(__file__).resolve().parents[1]
BATCH_TIMEOUT_S = 420
PER_FILE_SECONDS = 60      # the 1 MB one-line report takes ~12 s here; every hostile file < 1 s
PER_FILE_RSS_MB = 400      # growth of the worker's peak memory while one file is read
PEAK_RSS_MB = 1500
SAME_TEXT = {"utf16le_bom.txt", "utf16be_bom.txt", "utf16_no_bom.txt", "utf8_bom.md", "windows1258.txt",
             "tcvn3.txt", "vni.txt", "tcvn3_pasted.txt", "double_utf8.txt", "nfd.txt", "nul_bytes.txt",
             "cut_last_char.txt", "crlf_zero_width.md"}
# A reason must be the reader's own; these words would mean an unexpected exception reached the user.
INTERNAL = ("internal error", "lỗi nội bộ", "unexpected error", "Traceback")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = [str(c.build(folder)) for c in CASES]
    home = tmp_path_factory.mktemp("hostile_home")
    run = subprocess.run([sys.executable, "-m", "tests.helpers.battery_worker", str(home), *paths], cwd=ROOT,
                         capture_output=True, text=True, timeout=BATCH_TIMEOUT_S)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    return rows, home


@pytest.mark.slow
def test_battery_size_and_one_status_per_file(batch):
    rows, _ = batch
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)
    assert len(rows) == len(CASES)  # one status per file, in order
    for case, row in zip(CASES, rows):
        assert row["file"] == case.report_name


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[re.sub(r"\W", "_", c.name)[:40] for c in CASES])
def test_each_file_gets_its_one_clear_status(batch, case: Case):
    rows, _ = batch
    row = rows[CASES.index(case)]
    assert row["status"] == case.expect, row["line"]
    assert "\n" not in row["line"] and len(row["line"]) < 800
    assert case.keyword.lower() in row["detail"].lower(), row["line"]
    assert not any(x.lower() in row["line"].lower() for x in INTERNAL), row["line"]
    if case.expect == "rejected":
        assert " / " in row["detail"]  # Vietnamese / English, saying what to do
    else:
        assert row["n_chunks"] > 0
    assert row["seconds"] < PER_FILE_SECONDS, row
    assert row["rss_growth_mb"] < PER_FILE_RSS_MB and row["peak_mb"] < PEAK_RSS_MB, row


@pytest.mark.slow
def test_index_holds_exactly_the_good_files_and_nothing_partial(batch):
    rows, home = batch
    index = Index(home, get_embedder("fake"))
    good = {r["file"]: r["n_chunks"] for r in rows if r["status"] == "ingested"}
    assert {d.doc_name: d.n_chunks for d in index.docs()} == good
    assert index.catalog.docs(status="pending") == []
    chunk_ids = sorted(c.chunk_id for c in index.catalog.chunks())
    assert sorted(index.store.ids_of()) == chunk_ids == sorted(index.keyword().ids)
    assert len(chunk_ids) == len(set(chunk_ids)) == sum(good.values())
    for name in good:
        assert sorted(index.store.ids_of(name)) == sorted(c.chunk_id for c in index.catalog.chunks(name))


@pytest.mark.slow
def test_no_nul_byte_reaches_chroma(batch):
    _, home = batch
    got = Index(home, get_embedder("fake")).store.collection.get(include=["documents", "metadatas"])
    assert got["documents"]
    for doc, meta in zip(got["documents"], got["metadatas"]):
        assert "\x00" not in doc and not any("\x00" in str(v) for v in meta.values())


@pytest.mark.slow
def test_converted_files_hold_the_real_text_not_mojibake(batch):
    _, home = batch
    index = Index(home, get_embedder("fake"))
    want = _squash(BODY[200:900])
    for name in SAME_TEXT:
        text = index.doc_text(name)
        assert want in _squash(text), name
        assert "\x00" not in text and "\u200b" not in text


@pytest.mark.slow
def test_hidden_and_planted_text_is_flagged_and_kept_out(batch):
    _, home = batch
    index = Index(home, get_embedder("fake"))
    for name, secret in (("white_text.pdf", "XIN CHÀO"), ("hidden_runs.docx", "ẨN GIẤU"),
                         ("planted_instruction.md", "100% chỉ tiêu")):
        doc = index.catalog.doc(name)
        assert any("hidden" in w or "prompt injection" in w for w in doc.warnings), doc.warnings
        assert secret not in index.doc_text(name)
        assert not any(secret in c.text for c in index.catalog.chunks(name))
