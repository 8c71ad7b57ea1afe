"""95% intervals for every rate of a run, stored beside each figure as ``<name>_ci95``.

Proportions of items (accuracy, strict accuracy, short rate, abstention rates, citing
shares) get the Wilson interval (:func:`evals.stats.wilson`); means of per-item values
(recall@k, MRR, nDCG@10) and the quote share (counted over quotes, resampled by item)
get a percentile bootstrap over items (:func:`evals.stats.bootstrap_mean`). Existing
metric names keep their meaning; ``metrics["accuracy_ci95"] == [lo, hi]`` sits beside
``metrics["accuracy"]``.
"""
from __future__ import annotations

from typing import Callable

from evals.stats import bootstrap_mean, wilson

Row = tuple  # (EvalItem, scores dict)


def wilson_of(values) -> list[float] | None:
    """Wilson interval of the non-None booleans in ``values``."""
    vals = [bool(v) for v in values if v is not None]
    ci = wilson(sum(vals), len(vals))
    return list(ci) if ci else None


def boot_of(values, weights=None) -> list[float] | None:
    """Bootstrap interval of the mean of the non-None values."""
    ci = bootstrap_mean(list(values), weights=list(weights) if weights is not None else None)
    return list(ci) if ci else None


def _pick(rows: list[Row], key: str, keep: Callable = lambda i: True) -> list:
    return [s.get(key) for i, s in rows if keep(i)]


def add_intervals(m: dict, rows: list[Row]) -> dict:
    """Add ``*_ci95`` beside every rate of the aggregated metrics ``m`` (in place)."""
    m["accuracy_ci95"] = wilson_of(_pick(rows, "correct"))
    for group, key in (("accuracy_by_category", lambda i: i.category),
                       ("accuracy_by_lang", lambda i: i.lang)):
        for name, sub in m[group].items():
            sub["accuracy_ci95"] = wilson_of(s["correct"] for i, s in rows if key(i) == name)
    r = m["retrieval"]
    for name in [k for k in list(r) if k.startswith("recall@") and r[k] is not None]:
        r[name + "_ci95"] = boot_of(_pick(rows, name))
    r["mrr_ci95"] = boot_of(_pick(rows, "rr"))
    r["ndcg@10_ci95"] = boot_of(_pick(rows, "ndcg@10"))
    c = m["citations"]
    c["quotes_verbatim_ci95"] = boot_of(_pick(rows, "quotes_verbatim"), _pick(rows, "quotes_total"))
    c["cites_gold_report_ci95"] = wilson_of(_pick(rows, "cites_gold", lambda i: i.answerable))
    c["cites_all_needed_ci95"] = wilson_of(_pick(rows, "cites_all_needed"))
    a = m["abstention"]
    a["unanswerable_recall_ci95"] = wilson_of(_pick(rows, "abstained", lambda i: not i.answerable))
    a["false_abstention_rate_ci95"] = wilson_of(_pick(rows, "abstained", lambda i: i.answerable))
    st = m["strict"]
    for name, key in (("accuracy", "strict_correct"), ("short_rate", "short"),
                      ("per_report_rate", "per_report_all"),
                      ("declined_cleanly_rate", "declined_cleanly")):
        st[name + "_ci95"] = wilson_of(_pick(rows, key))
    for name, sub in st["accuracy_by_category"].items():
        sub["accuracy_ci95"] = wilson_of(s["strict_correct"] for i, s in rows if i.category == name)
    return m
