"""``cchc eval compare RUN_A RUN_B``: metric deltas and the items that flipped."""
from __future__ import annotations

from pathlib import Path

from evals.runner import load_run

_SKIP = {"run", "input_errors", "accuracy_by_category", "accuracy_by_lang"}


def flatten(metrics: dict, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a metrics dict as ``a.b.c -> value`` (provenance left out)."""
    out: dict[str, float] = {}
    for key, value in metrics.items():
        if not prefix and key in _SKIP:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = float(value)
    for group in ("accuracy_by_category", "accuracy_by_lang"):
        for sub, m in (metrics.get(group) or {}).items() if not prefix else ():
            if isinstance(m, dict) and m.get("accuracy") is not None:
                out[f"{group}.{sub}"] = float(m["accuracy"])
    return out


def metric_deltas(a: dict, b: dict) -> list[tuple[str, float | None, float | None]]:
    """``(name, value_a, value_b)`` for every metric present in either run, sorted."""
    fa, fb = flatten(a), flatten(b)
    return [(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb))]


def flipped(results_a: list[dict], results_b: list[dict]) -> dict[str, list[dict]]:
    """Items present in both runs whose correctness changed: ``fixed`` and ``broken``."""
    by_id = {r["id"]: r for r in results_b}
    out: dict[str, list[dict]] = {"fixed": [], "broken": []}
    for ra in results_a:
        rb = by_id.get(ra["id"])
        if rb is None or ra["scores"]["correct"] == rb["scores"]["correct"]:
            continue
        entry = {"id": ra["id"], "question": ra["response"].get("question"),
                 "answer_a": ra["response"].get("answer"), "answer_b": rb["response"].get("answer")}
        out["fixed" if rb["scores"]["correct"] else "broken"].append(entry)
    return out


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.4g}"


def compare_text(run_a: Path, run_b: Path) -> str:
    """Human-readable comparison of two run directories (B relative to A)."""
    ma, ra = load_run(run_a)
    mb, rb = load_run(run_b)
    lines = [f"A: {run_a}  ({_describe(ma)})", f"B: {run_b}  ({_describe(mb)})", "",
             f"{'metric':44} {'A':>10} {'B':>10} {'B-A':>10}"]
    for name, a, b in metric_deltas(ma, mb):
        delta = f"{b - a:+.4g}" if a is not None and b is not None else "–"
        lines.append(f"{name:44} {_num(a):>10} {_num(b):>10} {delta:>10}")
    flips = flipped(ra, rb)
    for kind, title in (("fixed", "wrong in A, correct in B"), ("broken", "correct in A, wrong in B")):
        lines += ["", f"{title}: {len(flips[kind])}"]
        for f in flips[kind]:
            lines.append(f"  {f['id']}: {_short(f['question'])}")
            lines.append(f"      A: {_short(f['answer_a'])}")
            lines.append(f"      B: {_short(f['answer_b'])}")
    only = sorted({r["id"] for r in ra} ^ {r["id"] for r in rb})
    if only:
        lines += ["", f"items in only one run: {', '.join(only)}"]
    return "\n".join(lines)


def _describe(metrics: dict) -> str:
    run = metrics.get("run") or {}
    return ", ".join(f"{k}={run.get(k)}" for k in ("system", "generator", "git_commit", "date")
                     if run.get(k) is not None)


def _short(text: object, n: int = 110) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"
