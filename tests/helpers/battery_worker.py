"""Ingest files in this process, as ``cchc ingest`` does, and report one JSON line per file with
the time and the memory it took: ``python -m tests.helpers.battery_worker HOME FILE...``."""
import json
import resource
import sys
import time
from pathlib import Path

from tests.fakes import register_fakes


def _peak_kb() -> int:
    """This process's own peak RSS (VmHWM). Not ``ru_maxrss``: across fork+exec Linux keeps the
    parent's peak there, so a worker started by a 2 GB pytest would report 2 GB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    register_fakes()
    from index.embedders import get_embedder
    from index.ingestion import ingest_paths
    from index.store import Index

    home, *paths = sys.argv[1:]
    index = Index(Path(home), get_embedder("fake"))
    import underthesea  # noqa: F401 - a heavy first import, not charged to the first file

    marks: list[tuple[float, int]] = []

    def progress(i: int, n: int, name: str) -> None:
        marks.append((time.monotonic(), _peak_kb()))

    statuses = ingest_paths(index, [Path(p) for p in paths], progress)
    for i, s in enumerate(statuses):
        (t0, m0), (t1, m1) = marks[i], marks[i + 1]
        print(json.dumps({"file": s.file, "status": s.status, "detail": s.detail, "line": s.line(),
                          "n_chunks": s.n_chunks, "seconds": round(t1 - t0, 2),
                          "rss_growth_mb": round((m1 - m0) / 1024), "peak_mb": round(m1 / 1024)},
                         ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
