"""End-to-end answer latency per back-end, through the public API on real questions.

For each back-end (default: ``extractive``, ``local-0.5b``, ``local``) it opens the assistant
on one CCHC_HOME (the bundled reports), answers a warm-up question, then streams the answers
to ``--n`` questions of the dev set and prints the medians (and p90) of time to first token
and total answer time, plus how often the model's answer was kept (not replaced by the
extractive fallback) and the share of answers with a citation. The questions where the model is
not consulted (per-report answers, clear "not found": their time is the extractive time) are in
the first row; a second row gives the medians over the questions the model was asked.

    .venv/bin/python bench/bench_answer.py [--backends extractive local] [--n 20] [--home DIR]

Run it on a quiet machine: llama.cpp on 2 cores slows down many times when other processes
compete for the CPU.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.api import open_assistant  # noqa: E402
from assistant.records import Answer  # noqa: E402

DEV = ROOT / "evals" / "sets" / "dev.jsonl"


def questions(n: int, path: Path = DEV) -> list[str]:
    """The first ``n`` questions of a set (every category is spread over the file)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows[:n]]


def one(asst, question: str) -> dict:
    """Stream one answer; wall-clock first piece and total, and whether the model spoke."""
    t0 = time.perf_counter()
    first, answer, pieces = None, None, []
    for event in asst.ask_stream(question):
        if isinstance(event, Answer) and event.final:
            answer = event
        else:  # a text piece, or the quick answer shown while the model chooses
            first = first if first is not None else time.perf_counter() - t0
            pieces.append(event)
    total = time.perf_counter() - t0
    assert answer is not None
    return {"first_s": first if first is not None else total, "total_s": total,
            "model_ms": answer.timings.get("generate_ms", 0.0),
            "asked_model": answer.answered_by != "extractive",
            "used_model": answer.answered_by == "model",
            "cited": bool(answer.citations), "abstained": answer.abstained}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def bench(backend: str, home: Path | None, qs: list[str]) -> dict:
    t0 = time.perf_counter()
    asst = open_assistant(home, llm=backend)
    load = time.perf_counter() - t0
    one(asst, "Kế hoạch cải cách hành chính năm 2020 của Sở Khoa học và Công nghệ?")  # warm-up
    rows = []
    for i, q in enumerate(qs, 1):
        r = one(asst, q)
        rows.append(r)
        print(f"  {backend:11} {i:2}/{len(qs)} first {r['first_s']:6.2f}s total {r['total_s']:6.2f}s"
              f"{'  (model)' if r['used_model'] else ''}", flush=True)
    asked = [r for r in rows if r["asked_model"]]
    return {"backend": backend, "load_s": load, "n": len(rows), **_medians(rows, ""),
            "asked": len(asked), **_medians(asked, "asked_"),
            "model_kept": sum(r["used_model"] for r in rows), "cited": sum(r["cited"] for r in rows)}


def _medians(rows: list[dict], prefix: str) -> dict:
    firsts, totals = [r["first_s"] for r in rows], [r["total_s"] for r in rows]
    return {f"{prefix}first_p50": statistics.median(firsts) if rows else float("nan"),
            f"{prefix}first_p90": _pct(firsts, 0.9),
            f"{prefix}total_p50": statistics.median(totals) if rows else float("nan"),
            f"{prefix}total_p90": _pct(totals, 0.9)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["extractive", "local-0.5b", "local"])
    parser.add_argument("--n", type=int, default=20, help="number of questions")
    parser.add_argument("--set", type=Path, default=DEV, help="question set (default: evals/sets/dev.jsonl)")
    parser.add_argument("--home", type=Path, default=None, help="CCHC_HOME (default: the usual one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    qs = questions(args.n, args.set)
    rows = [bench(b, args.home, qs) for b in args.backends]
    print(f"\n{'back-end':12} {'load':>6} {'n':>3} {'first p50':>10} {'first p90':>10} {'total p50':>10} "
          f"{'total p90':>10} {'model kept':>11} {'cited':>6}")
    for r in rows:
        print(f"{r['backend']:12} {r['load_s']:5.1f}s {r['n']:3} {r['first_p50']:9.2f}s {r['first_p90']:9.2f}s "
              f"{r['total_p50']:9.2f}s {r['total_p90']:9.2f}s {r['model_kept']:11} {r['cited']:6}")
        if r["asked"] and r["asked"] < r["n"]:
            print(f"{'  model asked':12} {'':>6} {r['asked']:3} {r['asked_first_p50']:9.2f}s "
                  f"{r['asked_first_p90']:9.2f}s {r['asked_total_p50']:9.2f}s {r['asked_total_p90']:9.2f}s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
