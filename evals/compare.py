"""``cchc eval compare RUN_A RUN_B``: metric deltas, paired tests and the items that flipped.

Correctness (lenient and strict) is compared with the two-sided exact McNemar test on the
items both runs share; per-item means (recall@5, MRR, nDCG@10, answer length) with a paired
bootstrap of the differences B − A. The same run twice gives no flipped item and p = 1.
"""
from __future__ import annotations

from pathlib import Path

from evals.runner import load_run
from evals.stats import mcnemar_exact, paired_bootstrap

_SKIP = {"run", "input_errors", "accuracy_by_category", "accuracy_by_lang", "recall_curve"}
PAIRED_CORRECTNESS = (("accuracy", "correct"), ("strict accuracy", "strict_correct"))
PAIRED_MEANS = (("evidence recall@5", "recall@5"), ("MRR", "rr"), ("nDCG@10", "ndcg@10"),
                ("answer chars", "answer_chars"))


def flatten(metrics: dict, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a metrics dict as ``a.b.c -> value`` (provenance left out)."""
    out: dict[str, float] = {}
    for key, value in metrics.items():
        if key in _SKIP and (not prefix or key == "recall_curve"):
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


def _pairs(results_a: list[dict], results_b: list[dict]) -> list[tuple[dict, dict]]:
    by_id = {r["id"]: r for r in results_b}
    return [(ra, by_id[ra["id"]]) for ra in results_a if ra["id"] in by_id]


def flipped(results_a: list[dict], results_b: list[dict],
            key: str = "correct") -> dict[str, list[dict]]:
    """Items present in both runs whose ``key`` score changed: ``fixed`` and ``broken``."""
    out: dict[str, list[dict]] = {"fixed": [], "broken": []}
    for ra, rb in _pairs(results_a, results_b):
        a, b = bool(ra["scores"].get(key)), bool(rb["scores"].get(key))
        if a == b:
            continue
        entry = {"id": ra["id"], "question": ra["response"].get("question"),
                 "answer_a": ra["response"].get("answer"), "answer_b": rb["response"].get("answer")}
        out["fixed" if b else "broken"].append(entry)
    return out


def paired_tests(results_a: list[dict], results_b: list[dict]) -> dict:
    """McNemar on correctness and paired bootstrap on per-item means (B − A)."""
    pairs = _pairs(results_a, results_b)
    out: dict = {"n_paired": len(pairs), "correctness": {}, "means": {}}
    for label, key in PAIRED_CORRECTNESS:
        f = flipped(results_a, results_b, key)
        b, c = len(f["fixed"]), len(f["broken"])
        out["correctness"][label] = {"fixed": b, "broken": c, "p_value": mcnemar_exact(b, c),
                                     "flips": f}
    for label, key in PAIRED_MEANS:
        out["means"][label] = paired_bootstrap([ra["scores"].get(key) for ra, _ in pairs],
                                               [rb["scores"].get(key) for _, rb in pairs])
    return out


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.4g}"


def _test_lines(tests: dict) -> list[str]:
    lines = ["", f"paired tests on {tests['n_paired']} shared items (B − A):"]
    for label, t in tests["correctness"].items():
        lines.append(f"  {label}: {t['fixed']} fixed, {t['broken']} broken, exact McNemar "
                     f"p = {t['p_value']:.4g}")
    for label, t in tests["means"].items():
        if t is None:
            lines.append(f"  {label}: –")
            continue
        ci = t["ci95"] or [None, None]
        lines.append(f"  {label}: mean Δ {t['mean_diff']:+.4g}  95% CI "
                     f"[{_num(ci[0])}, {_num(ci[1])}]  (n={t['n']}, paired bootstrap)")
    return lines


def compare_text(run_a: Path, run_b: Path) -> str:
    """Human-readable comparison of two run directories (B relative to A)."""
    ma, ra = load_run(run_a)
    mb, rb = load_run(run_b)
    lines = [f"A: {run_a}  ({_describe(ma)})", f"B: {run_b}  ({_describe(mb)})", "",
             f"{'metric':44} {'A':>10} {'B':>10} {'B-A':>10}"]
    for name, a, b in metric_deltas(ma, mb):
        delta = f"{b - a:+.4g}" if a is not None and b is not None else "–"
        lines.append(f"{name:44} {_num(a):>10} {_num(b):>10} {delta:>10}")
    tests = paired_tests(ra, rb)
    lines += _test_lines(tests)
    for label, t in tests["correctness"].items():
        for kind, title in (("fixed", "wrong in A, correct in B"),
                            ("broken", "correct in A, wrong in B")):
            lines += ["", f"{label} — {title}: {len(t['flips'][kind])}"]
            for f in t["flips"][kind]:
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
