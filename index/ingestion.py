"""Ingest files and folders into an :class:`~index.store.Index`, one status line per file."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterable

from index.store import Index, IngestStatus
from ingest.readers import SUPPORTED_EXTENSIONS, read_file
from ingest.records import IngestError

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the supported files inside named folders (sorted, recursive)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS))
        else:
            out.append(p)
    return out


def _ingest_one(index: Index, path: Path, name: str | None) -> IngestStatus:
    doc_name = name or path.name
    try:
        raw = read_file(path, display_name=doc_name)
        warnings = list(raw.warnings)
        if raw.hidden_text:
            warnings.append(f"phát hiện {len(raw.hidden_text)} đoạn chữ ẩn, đã loại bỏ / "
                            f"{len(raw.hidden_text)} hidden text passages found and excluded")
        return index.ingest_text(doc_name, raw.text, kind=raw.kind, warnings=warnings, hidden=raw.hidden_text)
    except IngestError as e:
        return IngestStatus(doc_name, "rejected", f"{e.reason_vi} / {e.reason_en}")
    except Exception as e:  # keep the batch going; details go to the log
        log.exception("ingest failed for %s", path)
        return IngestStatus(doc_name, "rejected", f"lỗi nội bộ, xem nhật ký / internal error, see the log "
                                                  f"({type(e).__name__})")


def ingest_paths(index: Index, paths: Iterable[Path], progress: Progress | None = None,
                 names: list[str] | None = None) -> list[IngestStatus]:
    """Ingest every file; bad files get a ``rejected`` status and the rest still go in.

    ``names`` optionally gives the report name to use for each path (uploads stored under
    generated names keep their original base name).
    """
    files = expand_paths(paths) if names is None else [Path(p) for p in paths]
    statuses: list[IngestStatus] = []
    with index.writing():
        index.recover()
        index.catalog.set_info("keyword_dirty", "1")
        for i, path in enumerate(files):
            if progress:
                progress(i, len(files), path.name)
            statuses.append(_ingest_one(index, path, names[i] if names else None))
        index.rebuild_keyword()
        index.catalog.set_info("keyword_dirty", "0")
        if progress:
            progress(len(files), len(files), "")
    return statuses


def ensure_consistent(index: Index) -> None:
    """After a crash: rebuild the keyword index if a write did not finish."""
    if index.catalog.get_info("keyword_dirty") == "1" or index.catalog.docs(status="pending"):
        try:
            with index.writing():
                index.recover()
                index.rebuild_keyword()
                index.catalog.set_info("keyword_dirty", "0")
        except Exception:  # another writer is at work: it will finish the job
            log.info("index busy; consistency check left to the writer")
