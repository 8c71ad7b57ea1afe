"""``report.md`` of a run: provenance, summary (with the baseline beside it when there
is one), the table per category, plots and the failed items."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from evals.intervals import wilson_of
from evals.metrics import mean

SUMMARY_ROWS: list[tuple[str, tuple[str, ...], str]] = [
    ("accuracy", ("accuracy",), "pct"),
    ("strict accuracy (short, per report, clean decline)", ("strict", "accuracy"), "pct"),
    ("answers short (≤ 200 chars per line before citations)", ("strict", "short_rate"), "pct"),
    ("ambiguous: each report's figure on its own line", ("strict", "per_report_rate"), "pct"),
    ("unanswerable: declined with no figure offered", ("strict", "declined_cleanly_rate"), "pct"),
    ("answer chars median", ("strict", "answer_chars_median"), "int"),
    ("answer chars p90", ("strict", "answer_chars_p90"), "int"),
    ("evidence recall@1", ("retrieval", "recall@1"), "pct"),
    ("evidence recall@5", ("retrieval", "recall@5"), "pct"),
    ("evidence recall@10", ("retrieval", "recall@10"), "pct"),
    ("MRR", ("retrieval", "mrr"), "f3"),
    ("nDCG@10", ("retrieval", "ndcg@10"), "f3"),
    ("avg context chars", ("retrieval", "avg_context_chars"), "int"),
    ("quotes verbatim in report", ("citations", "quotes_verbatim"), "pct"),
    ("answerable items citing a gold report", ("citations", "cites_gold_report"), "pct"),
    ("ambiguous/cross-doc: all reports cited", ("citations", "cites_all_needed"), "pct"),
    ("unanswerable: abstention recall", ("abstention", "unanswerable_recall"), "pct"),
    ("answerable: false abstention", ("abstention", "false_abstention_rate"), "pct"),
    ("retrieve p50 ms", ("latency", "retrieve_p50_ms"), "int"),
    ("retrieve p95 ms", ("latency", "retrieve_p95_ms"), "int"),
    ("first token p50 ms", ("latency", "first_token_p50_ms"), "int"),
    ("first token p95 ms", ("latency", "first_token_p95_ms"), "int"),
    ("total p50 ms", ("latency", "total_p50_ms"), "int"),
    ("total p95 ms", ("latency", "total_p95_ms"), "int"),
]
PROVENANCE_KEYS = ("system", "git_commit", "git_dirty", "embedder", "generator",
                   "chunker_version", "n_docs", "n_chunks", "k", "llm", "date", "questions",
                   "questions_sha256", "corpus")


def dig(d: dict, path: tuple[str, ...]):
    """``d[path[0]][path[1]]…`` or None."""
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def fmt(value, kind: str = "f3") -> str:
    """Format a metric for a Markdown cell (``–`` for None)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "int":
        return f"{value:,.0f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def fmt_ci(metrics: dict, path: tuple[str, ...], kind: str) -> str:
    """The value with its 95% interval when the run has one: ``77.8% [67.6–85.5]``."""
    value = fmt(dig(metrics, path), kind)
    ci = dig(metrics, (*path[:-1], path[-1] + "_ci95"))
    if not ci or kind == "int":
        return value
    lo, hi = (fmt(x, kind).rstrip("%") for x in ci)
    return f"{value} [{lo}–{hi}{'%' if kind == 'pct' else ''}]"


def cell(text: object) -> str:
    """Escape a value for a Markdown table cell (one line, no pipes)."""
    return " ".join(str(text if text is not None else "").split()).replace("|", "\\|")


def summary_table(metrics: dict, baseline: dict | None) -> list[str]:
    """Markdown rows of the headline metrics, with baseline and delta columns if given."""
    if baseline is None:
        rows = ["| metric | cchc [95% CI] |", "|---|---:|"]
        rows += [f"| {n} | {fmt_ci(metrics, p, k)} |" for n, p, k in SUMMARY_ROWS]
        return rows
    rows = ["| metric | cchc [95% CI] | llama-index baseline [95% CI] | Δ |",
            "|---|---:|---:|---:|"]
    for name, path, kind in SUMMARY_ROWS:
        a, b = dig(metrics, path), dig(baseline, path)
        delta = (a - b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
        d = "–" if delta is None else (f"{100 * delta:+.1f} pt" if kind == "pct"
                                       else f"{delta:+,.0f}" if kind == "int" else f"{delta:+.3f}")
        rows.append(f"| {name} | {fmt_ci(metrics, path, kind)} | {fmt_ci(baseline, path, kind)}"
                    f" | {d} |")
    return rows


def category_rows(results: list[dict]) -> dict[str, dict]:
    """Per category: n, accuracy, recall@5, cites gold, abstained share."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        groups[r["gold"]["category"]].append(r["scores"])
    return {cat: {"n": len(ss), "accuracy": mean(s["correct"] for s in ss),
                  "accuracy_ci95": wilson_of(s["correct"] for s in ss),
                  "strict": mean(s.get("strict_correct") for s in ss),
                  "recall@5": mean(s.get("recall@5") for s in ss),
                  "cites_gold": mean(s.get("cites_gold") for s in ss),
                  "abstained": mean(s["abstained"] for s in ss)}
            for cat, ss in sorted(groups.items())}


def category_table(results: list[dict], baseline: list[dict] | None) -> list[str]:
    """Markdown table per category (baseline accuracy beside cchc's when given)."""
    ours = category_rows(results)
    theirs = category_rows(baseline) if baseline is not None else {}
    head = ("| category | n | accuracy [95% CI] | strict accuracy | evidence recall@5 "
            "| cites gold report | abstained |")
    sep = "|---|---:|---:|---:|---:|---:|---:|"
    if baseline is not None:
        head += " baseline accuracy |"
        sep += "---:|"
    rows = [head, sep]
    for cat, m in ours.items():
        acc = fmt_ci(m, ("accuracy",), "pct")
        row = (f"| {cat} | {m['n']} | {acc} | {fmt(m['strict'], 'pct')} | {fmt(m['recall@5'], 'pct')}"
               f" | {fmt(m['cites_gold'], 'pct')} | {fmt(m['abstained'], 'pct')} |")
        if baseline is not None:
            row += f" {fmt((theirs.get(cat) or {}).get('accuracy'), 'pct')} |"
        rows.append(row)
    return rows


def failed_items(results: list[dict]) -> list[str]:
    """Markdown table of the items answered wrongly: question, expected, got, cited."""
    bad = [r for r in results if not r["scores"]["correct"]]
    if not bad:
        return ["All items correct."]
    rows = ["| id | category | question | expected | got | cited |", "|---|---|---|---|---|---|"]
    for r in bad:
        resp, gold = r["response"], r["gold"]
        expected = gold.get("expected") or ", ".join(gold["must_include"]) or "(abstain)"
        got = resp.get("error") or ("(abstained) " if resp.get("abstained") else "") + \
            str(resp.get("answer") or "")
        missing = r["scores"].get("missing_tokens") or []
        if missing:
            expected += f" — missing: {', '.join(missing)}"
        cited = ", ".join(r["scores"].get("cited_docs") or []) or "–"
        rows.append(f"| {r['id']} | {gold['category']} | {cell(resp.get('question'))} | "
                    f"{cell(expected)} | {cell(got[:400])} | {cell(cited)} |")
    return rows


def plot_accuracy(results: list[dict], baseline: list[dict] | None, path: Path) -> None:
    """Bar chart of accuracy by category (grouped with the baseline when given)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ours = category_rows(results)
    cats = list(ours)
    theirs = category_rows(baseline) if baseline is not None else None
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.4 if theirs else 0.7
    xs = range(len(cats))
    _bars(ax, [x - (width / 2 if theirs else 0) for x in xs], [ours[c] for c in cats], width,
          "cchc")
    if theirs:
        _bars(ax, [x + width / 2 for x in xs], [theirs.get(c) or {} for c in cats], width,
              "llama-index baseline")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xticks(list(xs), cats, rotation=30, ha="right")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Accuracy by category (bars: lenient with 95% Wilson interval; dots: strict)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _bars(ax, xs: list[float], rows: list[dict], width: float, label: str) -> None:
    """Accuracy bars with their 95% interval as error bars, strict accuracy as dots."""
    acc = [100 * (r.get("accuracy") or 0) for r in rows]
    cis = [r.get("accuracy_ci95") or [r.get("accuracy") or 0] * 2 for r in rows]
    err = [[a - 100 * lo for a, (lo, _) in zip(acc, cis)], [100 * hi - a for a, (_, hi) in zip(acc, cis)]]
    ax.bar(xs, acc, width, yerr=err, capsize=3, label=f"{label} accuracy")
    ax.plot(xs, [100 * (r.get("strict") or 0) for r in rows], "kD", markersize=5,
            label=f"{label} strict")


def plot_recall_curve(metrics: dict, baseline: dict | None, path: Path) -> None:
    """Evidence recall@k for k = 1..20 (points only where that many chunks were retrieved)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for m, label in ((metrics, "cchc"), (baseline, "llama-index baseline")):
        curve = dig(m or {}, ("retrieval", "recall_curve")) or {}
        pts = [(int(k), 100 * v) for k, v in curve.items() if v is not None]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=label)
    ax.set_xlabel("k (chunks retrieved)")
    ax.set_ylabel("evidence recall@k (%)")
    ax.set_xlim(0.5, 20.5)
    ax.set_ylim(0, 105)
    ax.set_title(f"Recall@k (nDCG@10 = {fmt(dig(metrics, ('retrieval', 'ndcg@10')))})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_latency(results: list[dict], baseline: list[dict] | None, path: Path) -> None:
    """Histogram of total latency per question (ms)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def totals(rows: list[dict]) -> list[float]:
        return [float(t) for r in rows
                if (t := (r["response"].get("timings") or {}).get("total_ms")) is not None]

    ours = totals(results)
    theirs = totals(baseline) if baseline is not None else []
    lo, hi = min(ours + theirs, default=0.0), max(ours + theirs, default=1.0)
    bins = [lo + (hi - lo) * i / 20 for i in range(21)] if hi > lo else 20
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(ours, bins=bins, alpha=0.7, label="cchc")
    if baseline is not None:
        ax.hist(theirs, bins=bins, alpha=0.5, label="llama-index baseline")
        ax.legend()
    ax.set_xlabel("total latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def conversation_lines(metrics: dict) -> list[str]:
    """Accuracy by turn when the set has conversation items."""
    conv = metrics.get("conversation")
    if not conv:
        return []
    rows = ["", "## Conversations", f"- conversations with follow-ups: {conv['n_conversations']}"
            f", right at every turn: {fmt(conv['conversations_all_correct'], 'pct')}",
            "", "| turn | accuracy |", "|---:|---:|"]
    rows += [f"| {t} | {fmt(a, 'pct')} |" for t, a in conv["accuracy_by_turn"].items()]
    return rows


def strict_failures(results: list[dict]) -> list[str]:
    """Items right by the lenient rule but failing a strict check, with the reason."""
    rows = ["| id | category | why | answer chars |", "|---|---|---|---:|"]
    for r in results:
        s = r["scores"]
        if not s["correct"] or s.get("strict_correct", True):
            continue
        why = [w for w, bad in (("too long", not s.get("short", True)),
                                ("a report's figure not on its own line",
                                 s.get("per_report_all") is False),
                                ("figure offered: " + ", ".join(s.get("offered_figures") or []),
                                 s.get("declined_cleanly") is False)) if bad]
        rows.append(f"| {r['id']} | {r['gold']['category']} | {cell('; '.join(why))} | "
                    f"{s.get('answer_chars', '')} |")
    return rows if len(rows) > 2 else ["None."]


def provenance_lines(metrics: dict) -> list[str]:
    """Bullet list of what produced the run."""
    run = metrics.get("run") or {}
    return [f"- **{k}**: `{run.get(k)}`" for k in PROVENANCE_KEYS if k in run]


def write_report(out_dir: Path, metrics: dict, results: list[dict],
                 baseline: tuple[dict, list[dict]] | None = None) -> Path:
    """Write ``report.md``, ``accuracy_by_category.png`` and ``latency.png`` into ``out_dir``."""
    out_dir = Path(out_dir)
    b_metrics, b_results = baseline if baseline is not None else (None, None)
    plot_accuracy(results, b_results, out_dir / "accuracy_by_category.png")
    plot_latency(results, b_results, out_dir / "latency.png")
    plot_recall_curve(metrics, b_metrics, out_dir / "recall_curve.png")
    lines = ["# cchc evaluation report", "", "## Run", *provenance_lines(metrics),
             f"- **questions evaluated**: {metrics.get('n')}  (wall time {metrics.get('wall_s')} s)"]
    if b_metrics is not None:
        lines += ["", "Baseline: plain llama-index pipeline (default `SentenceSplitter`, same "
                  "embedder, same top-k, same generator); its run is in `baseline/`."]
    lines += ["", "## Summary", *summary_table(metrics, b_metrics),
              "", "## By category", *category_table(results, b_results),
              "", "## By language", "| lang | n | accuracy |", "|---|---:|---:|"]
    for lang, m in (metrics.get("accuracy_by_lang") or {}).items():
        lines.append(f"| {lang} | {m['n']} | {fmt(m['accuracy'], 'pct')} |")
    lines += ["", "![accuracy by category](accuracy_by_category.png)",
              "", "![recall@k](recall_curve.png)", "", "![latency](latency.png)",
              *conversation_lines(metrics),
              "", "## Failed items (lenient)", *failed_items(results),
              "", "## Correct but failing a strict check", *strict_failures(results)]
    errors = metrics.get("input_errors") or []
    if errors:
        lines += ["", "## Input lines skipped", *[f"- `{cell(e)}`" for e in errors]]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
