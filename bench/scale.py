"""Scale benchmark: the five sample reports hidden among distractors (``bench/make_corpus.py``).

For each size: ingest time and reports/minute, index size on disk, peak memory (RSS) of the ingest,
search and eval processes, warm ``search`` latency p50/p95 over the dev questions, and the dev-set
evidence recall@5 and answer accuracy (``extractive``) through the public API. Recall is given as
the eval harness computes it (an evidence span found in any retrieved chunk) and *strict* (found in
a chunk of the gold report: a distractor may repeat a sentence that holds no number or name).
Results are merged into ``OUT/scale.json``; ``OUT/scale.png`` and ``OUT/results.md`` are redrawn.

Each phase runs in its own process (clean peak memory). Ingest is resumable: a run stopped by
``--max-minutes`` (or killed) continues where it stopped, and the times of all runs are added up.

    nice -n 10 .venv/bin/python bench/scale.py --sizes 5 50 200          # ~1 h here with e5
    nice -n 10 .venv/bin/python bench/scale.py --sizes 1000 --max-minutes 240
    .venv/bin/python bench/scale.py --sizes 30 --embedder fake            # plumbing check, seconds
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

DEV = ROOT / "evals" / "sets" / "dev.jsonl"
MODEL_CACHE = Path.home() / ".cchc" / "models" / "e5-small-st"


def _embedder(name: str, home: Path):
    if name.startswith("fake"):
        from tests.fakes import register_fakes

        register_fakes()
    from index.embedders import get_embedder

    return get_embedder(name, home=home)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _questions() -> list[str]:
    return [json.loads(x)["question"] for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]


# ---- phases (each in its own process; prints one JSON line) ----------------------------------
def phase_ingest(home: Path, corpus: Path, embedder: str) -> dict:
    from index.ingestion import ProgressBar, ingest_paths
    from index.store import Index

    t0 = time.perf_counter()
    index = Index(home, _embedder(embedder, home))
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    statuses = ingest_paths(index, [corpus], ProgressBar(every_s=60))
    seconds = time.perf_counter() - t1
    done = [s for s in statuses if s.status == "ingested"]
    run = {"seconds": round(seconds, 1), "model_load_s": round(load_s, 1), "ingested": len(done),
           "chunks": sum(s.n_chunks for s in done), "rejected": sum(s.status == "rejected" for s in statuses),
           "peak_rss_mb": _peak_mb(), "loadavg": os.getloadavg()[0]}
    return run


def phase_search(home: Path, embedder: str, rounds: int) -> dict:
    from index.ingestion import ensure_consistent
    from index.retriever import Retriever
    from index.store import Index

    index = Index(home, _embedder(embedder, home))
    ensure_consistent(index)  # e.g. a keyword index of an older tokenizer is rebuilt first
    retriever = Retriever(index)
    questions = _questions()
    t0 = time.perf_counter()
    retriever.search(questions[0], k=5)  # cold: chunk table, keyword index, tone model
    cold_ms = (time.perf_counter() - t0) * 1000
    lat = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            retriever.search(q, k=5)
            lat.append((time.perf_counter() - t) * 1000)
    return {"search_p50_ms": round(statistics.median(lat), 1), "search_p95_ms": round(_pct(lat, 0.95), 1),
            "search_cold_ms": round(cold_ms, 1), "queries": len(lat), "peak_rss_mb": _peak_mb(),
            "loadavg": os.getloadavg()[0]}


def phase_eval(home: Path, corpus: Path, embedder: str, out: Path, ablate: str) -> dict:
    from assistant.api import open_assistant
    from evals.runner import load_items, open_system, run_eval

    if embedder.startswith("fake"):
        _embedder(embedder, home)
    if ablate == "nosteer":  # what retrieval did before question steering (for comparison only)
        import index.retriever as r

        r.steer_docs = lambda *a, **k: None
        r.find_departments = lambda q: []
    items = load_items(DEV).items

    def opener(**kw):
        return open_assistant(embedder=embedder, load_samples=False, **kw)

    system, _ = open_system(home, "extractive", 5, opener=opener)
    run = run_eval(system, items, out, questions=DEV, corpus_dir=corpus, progress=False)
    m = run.metrics
    strict = strict_recall(items, [r["response"] for r in run.results], 5)
    return {"recall@5": m["retrieval"]["recall@5"], "strict_recall@5": strict, "accuracy": m["accuracy"],
            "recall@1": m["retrieval"]["recall@1"], "by_category": m["accuracy_by_category"],
            "retrieve_p50_ms": m["latency"]["retrieve_p50_ms"], "peak_rss_mb": _peak_mb(), "run_dir": str(out)}


def strict_recall(items, responses: list[dict], k: int) -> float | None:
    """Evidence recall@k counting only chunks of the gold report(s)."""
    from evals.textnorm import squash

    vals = []
    for item, resp in zip(items, responses):
        if not item.evidence:
            continue
        top = [(h.get("doc"), squash(h.get("text") or "")) for h in (resp.get("retrieved") or [])[:k]]
        found = [any(doc in item.docs and squash(span) in text for doc, text in top) for span in item.evidence]
        vals.append(sum(found) / len(found))
    return sum(vals) / len(vals) if vals else None


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


# ---- driver --------------------------------------------------------------------------------
def _child(args: list[str], timeout_s: float | None) -> dict | None:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.terminate()  # the ingest resumes from here next time
        proc.communicate(timeout=120)
        return None
    if proc.returncode != 0:
        raise SystemExit(f"phase {args[0]} failed ({proc.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def disk_mb(home: Path) -> float:
    total = 0
    for root, dirs, files in os.walk(home):
        dirs[:] = [d for d in dirs if d != "models"]
        total += sum((Path(root) / f).stat().st_size for f in files)
    return round(total / 2**20, 1)


def run_size(size: int, a: argparse.Namespace) -> dict:
    from bench.make_corpus import make_corpus

    corpus = a.work / f"corpus-{size}"
    make_corpus(corpus, size)
    home = a.work / f"home-{size}-{a.embedder}"
    (home / "models").mkdir(parents=True, exist_ok=True)
    if MODEL_CACHE.joinpath("modules.json").exists() and not (home / "models" / "e5-small-st").exists():
        (home / "models" / "e5-small-st").symlink_to(MODEL_CACHE)  # no second 488 MB export
    runs_file = home / "scale_runs.json"
    runs = json.loads(runs_file.read_text()) if runs_file.exists() else []
    run = _child(["ingest", str(home), str(corpus), a.embedder], a.max_minutes * 60)
    if run is None:
        print(f"{size}: ingest stopped after {a.max_minutes} min; run again to resume", file=sys.stderr)
        return {}
    if run["ingested"] or not runs:  # a re-run over a finished index adds no ingest time
        runs.append(run)
        runs_file.write_text(json.dumps(runs, indent=1))
    row = {"size": size, "embedder": a.embedder, "ingest_s": round(sum(r["seconds"] for r in runs), 1),
           "ingest_runs": len(runs), "chunks": sum(r["chunks"] for r in runs), "disk_mb": disk_mb(home),
           "ingest_peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}
    row["reports_per_min"] = round(size / row["ingest_s"] * 60, 1) if row["ingest_s"] else None
    row["chunks_per_s"] = round(row["chunks"] / row["ingest_s"], 2) if row["ingest_s"] else None
    row.update({f"search_{k}" if not k.startswith("search") else k: v for k, v in
                _child(["search", str(home), a.embedder, str(a.rounds)], None).items()})
    for ablate in ["none"] + (["nosteer"] if a.ablate else []):
        ev = _child(["eval", str(home), str(corpus), a.embedder, str(a.work / f"eval-{size}-{ablate}"), ablate], None)
        row["eval" if ablate == "none" else f"eval_{ablate}"] = ev
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 50, 200])
    ap.add_argument("--embedder", default="e5")
    ap.add_argument("--work", type=Path, default=Path("/tmp/cchc-scale"))
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "scale")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the dev questions for latency")
    ap.add_argument("--max-minutes", type=float, default=180, help="stop (resumably) an ingest after this")
    ap.add_argument("--ablate", action="store_true", help="also evaluate without question steering")
    ap.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        name, *rest = a.phase
        fn = {"ingest": lambda: phase_ingest(Path(rest[0]), Path(rest[1]), rest[2]),
              "search": lambda: phase_search(Path(rest[0]), rest[1], int(rest[2])),
              "eval": lambda: phase_eval(Path(rest[0]), Path(rest[1]), rest[2], Path(rest[3]), rest[4])}[name]
        print(json.dumps(fn(), ensure_ascii=False))
        return
    from bench.scale_report import merge_rows, write_outputs

    for size in a.sizes:
        row = run_size(size, a)
        if row:
            merge_rows(a.out / "scale.json", [row])
            print(json.dumps(row, ensure_ascii=False), flush=True)
    write_outputs(a.out)


if __name__ == "__main__":
    main()
