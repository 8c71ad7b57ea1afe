"""Benchmark the index on the bundled reports: prints medians.

* ingest time of the five sample reports from scratch (fresh CCHC_HOME each run),
* chunks embedded per second,
* warm ``search`` latency p50/p95 over the dev questions.

Usage: python bench/bench_index.py [--embedder e5] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.embedders import get_embedder  # noqa: E402
from index.ingestion import ingest_paths  # noqa: E402
from index.retriever import Retriever  # noqa: E402
from index.store import Index  # noqa: E402

SAMPLES = ROOT / "cchc" / "samples"
DEV = ROOT / "evals" / "sets" / "dev.jsonl"


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_ingest(embedder_name: str, runs: int) -> tuple[list[float], list[float], Path]:
    times, rates = [], []
    home = Path()
    for _ in range(runs):
        home = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
        embedder = get_embedder(embedder_name, home=Path.home() / ".cchc")
        index = Index(home, embedder)
        t = time.perf_counter()
        statuses = ingest_paths(index, [SAMPLES])
        dt = time.perf_counter() - t
        n = sum(s.n_chunks for s in statuses)
        times.append(dt)
        rates.append(n / dt)
    return times, rates, home


def bench_search(home: Path, embedder_name: str, rounds: int = 3) -> list[float]:
    index = Index(home, get_embedder(embedder_name, home=Path.home() / ".cchc"))
    retriever = Retriever(index)
    questions = [json.loads(x)["question"] for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    retriever.search(questions[0], k=5)  # warm-up: loads the keyword index and chunk table
    lat = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            retriever.search(q, k=5)
            lat.append((time.perf_counter() - t) * 1000)
    return lat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="e5")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    times, rates, home = bench_ingest(args.embedder, args.runs)
    lat = bench_search(home, args.embedder)
    print(f"embedder: {get_embedder(args.embedder, home=Path.home() / '.cchc').id}")
    print(f"ingest 5 reports from scratch: median {statistics.median(times):.1f} s over {args.runs} runs")
    print(f"chunks embedded per second: median {statistics.median(rates):.1f}")
    print(f"warm search latency: p50 {statistics.median(lat):.1f} ms, p95 {percentile(lat, 0.95):.1f} ms "
          f"({len(lat)} queries)")


if __name__ == "__main__":
    main()
