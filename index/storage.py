"""Storage failures — disk full, read-only or unwritable home, corrupt SQLite, Chroma refusing —
as one line that says what to do (:class:`StorageError`), with the details in ``cchc.log``.

When the index cannot be opened for writing, it is opened for reading: the catalog read-only
(``immutable`` as a last resort, e.g. on a full disk where SQLite cannot create its ``-shm``
file) and, if Chroma will not open, no vector store (:class:`NullStore`: the keyword index
answers alone). ``cchc docs`` and ``cchc search`` keep working; every write says why it cannot.
"""
from __future__ import annotations

import errno
import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_DENIED = (errno.EROFS, errno.EACCES, errno.EPERM)
_SIGNS = (  # lower-case fragments of SQLite / Chroma / OS messages, and what they mean
    ("full", ("database or disk is full", "no space left", "disk quota", "disk is full", "code: 13)")),
    ("denied", ("readonly database", "read-only file system", "permission denied", "unable to open database",
                "code: 8)", "code: 14)")),
    ("corrupt", ("file is not a database", "malformed", "code: 26)", "code: 11)")),
    ("io", ("disk i/o error", "code: 10)", "input/output error")),
)


class StorageError(Exception):
    """The index's files cannot be written or read; the message says what to do."""

    kind = "io"  # full | denied | corrupt | io


def _message(kind: str, home: Path) -> str:
    return {
        "full": f"Ổ đĩa chứa {home} đã đầy; hãy giải phóng dung lượng rồi chạy lại lệnh (báo cáo đã nạp xong vẫn "
                f"còn nguyên) / the disk holding {home} is full: free some space and run the command again "
                "(reports already ingested are kept)",
        "denied": f"Không ghi được vào {home} (chỉ đọc hoặc không có quyền); hãy cấp quyền ghi hoặc dùng --home "
                  f"khác / cannot write to {home} (read-only or no permission): make it writable or use another "
                  "--home; reading still works",
        "corrupt": f"Tệp chỉ mục trong {home} bị hỏng; hãy chạy `cchc ingest --rebuild <thư mục báo cáo>` (tệp báo "
                   f"cáo gốc không bị ảnh hưởng) / the index files in {home} are corrupt: run `cchc ingest "
                   "--rebuild <report folder>` (your report files are not touched)",
        "io": f"Lỗi đọc/ghi ổ đĩa tại {home}; hãy kiểm tra dung lượng trống và ổ đĩa rồi chạy lại lệnh / disk "
              f"I/O error at {home}: check the free space and the disk, then run the command again",
    }[kind]


def _kind(exc: BaseException) -> str | None:
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return "full"
    if isinstance(exc, OSError) and exc.errno in _DENIED:
        return "denied"
    if isinstance(exc, OSError) and exc.errno == errno.EIO:
        return "io"
    if isinstance(exc, (OSError, sqlite3.Error)) or "chromadb" in type(exc).__module__:
        text = str(exc).lower()
        return next((kind for kind, signs in _SIGNS if any(s in text for s in signs)), None)
    return None


def _no_space(home: Path, margin: int = 1 << 20) -> bool:
    try:
        st = os.statvfs(home)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def storage_error(exc: BaseException, home: Path) -> StorageError | None:
    """The :class:`StorageError` ``exc`` (or an exception it was raised from) amounts to, else None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, StorageError):
            return exc
        seen.add(id(exc))
        kind = _kind(exc)
        if kind == "io" and _no_space(Path(home)):
            kind = "full"  # SQLite says "disk I/O error" when it cannot grow its -shm file
        if kind:
            err = StorageError(_message(kind, Path(home)))
            err.kind = kind
            return err
        exc = exc.__cause__ or exc.__context__
    return None


@contextmanager
def storage_guard(home: Path) -> Iterator[None]:
    """Turn a storage failure inside the block into a logged :class:`StorageError`."""
    try:
        yield
    except StorageError:
        raise
    except Exception as e:
        err = storage_error(e, home)
        if err is None:
            raise
        log.error("storage error under %s: %s", home, err, exc_info=e)
        raise err from None


def read_only_catalog(path: Path):
    """The catalog opened for reading only: ``mode=ro``, else ``immutable`` (nothing can change it
    while this process looks: used only when the home cannot be written)."""
    from index.catalog import Catalog

    catalog = Catalog.__new__(Catalog)
    uri = path.absolute().as_uri()
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            catalog.db = sqlite3.connect(uri + query, uri=True, check_same_thread=False, isolation_level=None)
            catalog.db.execute("SELECT count(*) FROM docs").fetchone()
            return catalog
        except sqlite3.Error as e:
            last = e
    raise last


class NullStore:
    """Stands in for Chroma when it cannot be opened: no vectors to search, every write refused."""

    chunker_version = None

    def __init__(self, error: StorageError):
        self.error = error

    def query(self, vector, k: int, where: dict | None) -> list[tuple[str, float]]:
        return []

    def ids_of(self, doc_name: str | None = None) -> list[str]:
        return []

    def count(self) -> int:
        return 0

    def upsert(self, *args, **kwargs) -> None:
        raise self.error

    def delete_doc(self, doc_name: str) -> None:
        raise self.error

    def delete_ids(self, ids: list[str]) -> None:
        raise self.error

    def drop(self) -> None:
        raise self.error
