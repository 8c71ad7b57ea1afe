"""Issue #18: the write lock is taken before the embedding model loads.

A second ``cchc ingest`` on a home whose lock another process holds is told "busy" within 2 s,
even with an embedder that takes 20 s to load (the lock comes first, the model never loads).
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from index.embedders import get_embedder
from index.lock import IndexBusyError, write_lock
from index.store import Index

ROOT = Path(__file__).resolve().parent.parent


def _holder(home: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.helpers.ingest_worker", str(home), "fake", "--hold-lock"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_busy_home_is_said_before_the_model_loads(tmp_path):
    home, report = tmp_path / "home", tmp_path / "r.txt"
    report.write_text("Báo cáo kết quả cải cách hành chính năm 2021 của Sở. " * 20, encoding="utf-8")
    holder = _holder(home)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t = time.monotonic()
        res = subprocess.run([sys.executable, "-m", "tests.helpers.cli_fake", "ingest", str(report), "--home",
                              str(home), "--embedder", "fake-slowload"], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
        took = time.monotonic() - t
    finally:
        holder.kill()
        holder.wait()
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert res.returncode == 1 and took < 2.0, (took, res.stderr)
    assert len(lines) == 1 and "another process" in lines[0] and "Traceback" not in res.stderr, res.stderr


def test_lock_is_reentrant_in_one_thread_but_not_across_threads(tmp_path):
    import threading

    index = Index(tmp_path / "home", get_embedder("fake"))
    seen: list[str] = []

    def other() -> None:
        try:
            with index.writing():
                seen.append("got it")
        except IndexBusyError:
            seen.append("busy")

    with write_lock(tmp_path / "home"):
        with index.writing():  # the same thread again: no deadlock, no error
            t = threading.Thread(target=other)
            t.start()
            t.join()
    assert seen == ["busy"]
    with index.writing():  # released after the outer block
        pass
