"""Figures of ``bench/scale.py``: merge rows into ``scale.json``, draw ``scale.png``, write ``results.md``."""
from __future__ import annotations

import json
from pathlib import Path


def merge_rows(path: Path, rows: list[dict]) -> list[dict]:
    """Add or replace rows (one per embedder and size) in the JSON file; returns all rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    keep = {(r["embedder"], r["size"]): r for r in old}
    keep.update({(r["embedder"], r["size"]): r for r in rows})
    merged = sorted(keep.values(), key=lambda r: (r["embedder"], r["size"]))
    path.write_text(json.dumps(merged, ensure_ascii=False, indent=1), encoding="utf-8")
    return merged


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def table(rows: list[dict]) -> str:
    """The markdown table of every row."""
    head = ("| reports | chunks | ingest | reports/min | disk | peak RSS ingest / search / eval | search p50 / p95 "
            "| recall@5 (strict) | accuracy | without steering: recall@5 (strict) / accuracy |\n"
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    lines = []
    for r in rows:
        ev, ab = r.get("eval") or {}, r.get("eval_nosteer") or {}
        ab_txt = f"{_pct(ab.get('recall@5'))} ({_pct(ab.get('strict_recall@5'))}) / {_pct(ab.get('accuracy'))}" \
            if ab else "—"
        lines.append(
            f"| {r['size']} | {r['chunks']:,} | {_dur(r['ingest_s'])} | {r['reports_per_min']} | {r['disk_mb']:.0f} MB "
            f"| {r['ingest_peak_rss_mb']:.0f} / {r['search_peak_rss_mb']:.0f} / {ev.get('peak_rss_mb', 0):.0f} MB "
            f"| {r['search_p50_ms']:.0f} / {r['search_p95_ms']:.0f} ms "
            f"| {_pct(ev.get('recall@5'))} ({_pct(ev.get('strict_recall@5'))}) | {_pct(ev.get('accuracy'))} | {ab_txt} |")
    return head + "\n".join(lines) + "\n"


def _dur(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {s:02d} s" if m else f"{s} s"


def plot(rows: list[dict], dest: Path) -> None:
    """Search latency and recall/accuracy against collection size (log x)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if r.get("eval")]
    sizes = [r["size"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(sizes, [r["search_p50_ms"] for r in rows], "o-", label="p50")
    left.plot(sizes, [r["search_p95_ms"] for r in rows], "s--", label="p95")
    left.axhline(200, color="grey", lw=0.8, ls=":", label="200 ms")
    left.set(xscale="log", xlabel="reports", ylabel="warm search latency (ms)", title="Search latency (2 cores)")
    left.legend()
    for key, style, label in (("recall@5", "o-", "evidence recall@5"), ("strict_recall@5", "^-", "strict recall@5"),
                              ("accuracy", "s--", "answer accuracy (extractive)")):
        right.plot(sizes, [100 * (r["eval"].get(key) or 0) for r in rows], style, label=label)
    if any(r.get("eval_nosteer") for r in rows):
        ab = [r for r in rows if r.get("eval_nosteer")]
        right.plot([r["size"] for r in ab], [100 * ab_r["eval_nosteer"]["strict_recall@5"] for ab_r in ab], "x:",
                   color="grey", label="strict recall@5, no steering")
    right.set(xscale="log", xlabel="reports (5 originals + distractors)", ylabel="%", ylim=(0, 100),
              title="Dev set among distractors")
    right.legend(loc="lower left", fontsize=8)
    for ax in (left, right):
        ax.set_xticks(sizes, [str(x) for x in sizes])
        ax.minorticks_off()
    fig.tight_layout()
    fig.savefig(dest, dpi=110)
    plt.close(fig)


def write_outputs(out: Path) -> None:
    rows = json.loads((out / "scale.json").read_text(encoding="utf-8"))
    for emb in sorted({r["embedder"] for r in rows}):
        mine = [r for r in rows if r["embedder"] == emb]
        suffix = "" if emb == "e5" else f"-{emb}"
        plot(mine, out / f"scale{suffix}.png")
        (out / f"results{suffix}.md").write_text(
            f"# Scale figures ({emb})\n\nWritten by `bench/scale.py` from `scale.json`; see `README.md` here.\n\n"
            + table(mine), encoding="utf-8")
