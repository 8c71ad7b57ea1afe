"""Ingest files and folders into an :class:`~index.store.Index`, one status line per file.

Large folders: reports are prepared one by one (read, normalised, chunked: ~1% of the time) and
embedded in batches of about :data:`BATCH_CHUNKS` chunks across reports, so the embedder always
gets long, length-sorted batches and keeps both cores busy. Each report stays ``pending`` until its
vectors are written: a killed ingest loses at most the batch in flight, and running the same command
again skips every finished report (``unchanged``) and redoes the rest. :class:`ProgressBar` shows
the progress with an ETA.
"""
from __future__ import annotations

import ctypes
import logging
import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import Callable, Iterable, TextIO

from index.names import NameBook
from index.storage import storage_error
from index.store import Index, IngestStatus, Prepared
from ingest.readers import SUPPORTED_EXTENSIONS, read_file
from ingest.records import IngestError

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
BATCH_CHUNKS = int(os.environ.get("CCHC_INGEST_BATCH", "256"))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the supported files inside named folders (sorted, recursive)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS))
        else:
            out.append(p)
    return out


def _rejected(doc_name: str, path: Path, e: Exception) -> IngestStatus:
    if isinstance(e, IngestError):
        return IngestStatus(doc_name, "rejected", f"{e.reason_vi} / {e.reason_en}")
    log.error("ingest failed for %s", path, exc_info=e)  # keep the batch going; details go to the log
    return IngestStatus(doc_name, "rejected", f"lỗi nội bộ, xem nhật ký / internal error, see the log "
                                              f"({type(e).__name__})")


def _prepare_one(index: Index, path: Path, doc_name: str, renamed_from: str = "") -> Prepared | IngestStatus:
    """Read and chunk one file: a :class:`Prepared` report, or its final status."""
    try:
        raw = read_file(path, display_name=doc_name)
        warnings = list(raw.warnings)
        if renamed_from:
            warnings.append(f"một báo cáo khác đã mang tên {renamed_from}; tệp này lưu thành «{doc_name}» / another "
                            f"report is already called {renamed_from}; this file is kept as «{doc_name}»")
        if raw.hidden_text:
            warnings.append(f"phát hiện {len(raw.hidden_text)} đoạn chữ ẩn, đã loại bỏ / "
                            f"{len(raw.hidden_text)} hidden text passages found and excluded")
        return index.prepare(doc_name, raw.text, kind=raw.kind, warnings=warnings, hidden=raw.hidden_text)
    except Exception as e:  # noqa: BLE001 - one bad file never stops the others
        return _rejected(doc_name, path, e)


class _Batcher:
    """Collects prepared reports and writes them together once they hold enough chunks."""

    def __init__(self, index: Index, limit: int):
        self.index, self.limit = index, limit
        self.pending: list[tuple[int, Path, Prepared]] = []
        self.statuses: dict[int, IngestStatus] = {}

    def add(self, i: int, path: Path, item: Prepared | IngestStatus) -> None:
        if isinstance(item, IngestStatus):
            self.statuses[i] = item
            return
        if any(p.doc_name == item.doc_name for _, _, p in self.pending):
            self.flush()  # the same name twice: the later file replaces the earlier one, in order
        self.pending.append((i, path, item))
        if sum(len(p.chunks) for _, _, p in self.pending) >= self.limit:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            done = self.index.write_batch([p for _, _, p in batch])
        except Exception as e:  # noqa: BLE001 - find the culprit: write the reports one by one
            if storage_error(e, self.index.home):
                raise  # the disk, not a report: stop here (index.writing says what to do)
            self.index.recover()
            done = [self._write_alone(path, p) for _, path, p in batch]
        for (i, _, _), status in zip(batch, done):
            self.statuses[i] = status
        _trim_heap()

    def _write_alone(self, path: Path, prepared: Prepared) -> IngestStatus:
        try:
            return self.index.write_batch([prepared])[0]
        except Exception as e:  # noqa: BLE001
            if storage_error(e, self.index.home):
                raise
            self.index.recover()
            return _rejected(prepared.doc_name, path, e)


def _trim_heap() -> None:
    """Give the heap freed by a batch back to the OS. glibc keeps the fragments of the embedder's
    variable-size buffers: measured here, +600 MB of RSS per 10 batches of 128 chunks without this,
    +110 MB with it (a 1,000-report ingest would otherwise climb past 6 GB)."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: nothing to do
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM = None


def ingest_paths(index: Index, paths: Iterable[Path], progress: Progress | None = None,
                 names: list[str] | None = None, batch_chunks: int = BATCH_CHUNKS) -> list[IngestStatus]:
    """Ingest every file; bad files get a ``rejected`` status and the rest still go in.

    ``names`` optionally gives the report name to use for each path (uploads stored under
    generated names keep their original base name). ``progress(i, n, name)`` is called as each
    file starts, and once more with ``i == n`` at the end.
    """
    files = expand_paths(paths) if names is None else [Path(p) for p in paths]
    with index.writing():
        index.recover()
        index.catalog.set_info("keyword_dirty", "1")
        batcher, book = _Batcher(index, max(1, batch_chunks)), NameBook(index.catalog)
        for i, path in enumerate(files):
            if progress:
                progress(i, len(files), path.name)
            doc_name, renamed_from = book.name_for(path, names[i] if names else None)
            batcher.add(i, path, _prepare_one(index, path, doc_name, renamed_from))
        batcher.flush()
        index.rebuild_keyword()
        index.catalog.set_info("keyword_dirty", "0")
        if progress:
            progress(len(files), len(files), "")
    return [batcher.statuses[i] for i in range(len(files))]


def ensure_consistent(index: Index) -> None:
    """After a crash, or after an upgrade of the keyword tokenizer: rebuild the keyword index."""
    if (index.catalog.get_info("keyword_dirty") == "1" or index.catalog.docs(status="pending")
            or index.keyword_outdated()):
        try:
            with index.writing():
                index.recover()
                index.sweep_orphans()
                index.rebuild_keyword()
                index.catalog.set_info("keyword_dirty", "0")
        except Exception as e:  # another writer is at work (it will finish the job), or a read-only home
            log.info("consistency check not done: %s", " ".join(str(e).split()))


class ProgressBar:
    """A :data:`Progress` callback for long ingests: a bar with the ETA on a terminal, else one
    line every ``every_s`` seconds (``120/1000 báo cáo · 5.2/phút · còn ~2h49m``). The rate is that
    of the last ``window_s`` seconds, so the burst of already-indexed files skipped at the start of
    a resumed ingest does not make the ETA optimistic for long."""

    def __init__(self, stream: TextIO | None = None, every_s: float = 30.0, tty: bool | None = None,
                 window_s: float = 300.0):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every_s, self.window_s = every_s, window_s
        self.start = time.monotonic()
        self.last = 0.0
        self.marks: deque[tuple[float, int]] = deque([(self.start, 0)])
        self._bar = None

    def __call__(self, i: int, n: int, name: str) -> None:
        now = time.monotonic()
        self.marks.append((now, i))
        while len(self.marks) > 2 and now - self.marks[1][0] > self.window_s:
            self.marks.popleft()
        if self.tty:
            self._tty(i, n, name)
        elif now - max(self.last, self.start) >= self.every_s or (i >= n and self.last):
            self.last = now  # short ingests stay silent; long ones log a line every every_s
            print(self.line(i, n), file=self.stream, flush=True)

    def _tty(self, i: int, n: int, name: str) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=n, unit=" báo cáo", file=self.stream, dynamic_ncols=True,
                             bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}] {postfix}")
        self._bar.total = n
        self._bar.update(i - self._bar.n)
        rate, eta = self._rate(), self._eta(i, n)
        self._bar.set_postfix_str(f"{rate:.1f}/phút{' · còn ~' + eta if eta else ''} · {name[:30]}", refresh=True)

    def _rate(self) -> float:
        """Reports per minute over the recent window."""
        (t0, i0), (t1, i1) = self.marks[0], self.marks[-1]
        return (i1 - i0) / max(t1 - t0, 1e-6) * 60

    def _eta(self, i: int, n: int) -> str:
        rate = self._rate()
        return _duration((n - i) / rate * 60) if 0 < i < n and rate > 0 else ""

    def line(self, i: int, n: int) -> str:
        """One status line: done/total, reports per minute (recent), time so far, time left."""
        eta = self._eta(i, n)
        return (f"{i}/{n} báo cáo / reports · {self._rate():.1f}/phút / min · {_duration(time.monotonic() - self.start)}"
                + (f" · còn ~{eta} / ETA" if eta else ""))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"
