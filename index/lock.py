"""The index's write lock: one writer per home, taken before anything slow happens.

``cchc ingest`` takes it before the embedding model loads, so a second writer is told "busy" in
well under a second instead of after the model load. The lock is re-entrant within one thread
(the ingest command holds it while :meth:`index.store.Index.writing` takes it again), but another
thread or process that asks for it while it is held fails at once with :class:`IndexBusyError`.
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_HELD: dict[tuple[str, int], list[int]] = {}  # (lock file, thread id) -> [fd, depth]
_GUARD = threading.Lock()


class IndexBusyError(Exception):
    """Another process is writing this index."""


def busy_error(home: Path) -> IndexBusyError:
    return IndexBusyError(
        f"Chỉ mục {home} đang được tiến trình khác cập nhật / the index at {home} is being "
        "written by another process: wait for it to finish and try again")


def _acquire(home: Path, key: tuple[str, int]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(key[0], os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise busy_error(home) from None
    _HELD[key] = [fd, 0]


@contextmanager
def write_lock(home: Path) -> Iterator[None]:
    """Hold the exclusive write lock of ``home`` (a file lock); fails fast if someone else has it."""
    home = Path(home)
    key = (str((home / "write.lock").absolute()), threading.get_ident())
    with _GUARD:
        if key not in _HELD:
            _acquire(home, key)
        _HELD[key][1] += 1
    try:
        yield
    finally:
        with _GUARD:
            held = _HELD[key]
            held[1] -= 1
            if held[1] == 0:
                del _HELD[key]
                os.close(held[0])
