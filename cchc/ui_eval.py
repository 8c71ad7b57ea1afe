"""The "Đánh giá" tab: run a question set, read accuracy with its 95% interval, download the report.

A thin layer over :mod:`evals` (which itself uses only :mod:`assistant.api`): pick a bundled set
(``evals/sets/*.jsonl``) or upload one, choose the back-end, run with a progress bar, read the
summary and the plot, download the run (``report.md``, plots, ``metrics.json``, ``results.jsonl``
zipped), and compare two runs of this session (exact McNemar, flipped items).

Runs are written to ``CCHC_HOME/eval-runs/<time>-<set>-<back-end>/``. Built by :func:`eval_tab`
inside the app's ``gr.Tabs`` (one hook line in :mod:`cchc.ui`).
"""
from __future__ import annotations

import datetime as _dt
import logging
import shutil
from pathlib import Path

import gradio as gr

from evals.runner import DEFAULT_CORPUS, load_items, run_eval

log = logging.getLogger(__name__)
SETS_DIR = Path(__file__).resolve().parent.parent / "evals" / "sets"
BACKENDS = ["extractive", "local"]
UPLOADED = "(tệp tải lên / uploaded file)"


def bundled_sets() -> list[str]:
    """Question sets shipped in ``evals/sets`` (drafting tasks are not question sets)."""
    return sorted(p.name for p in SETS_DIR.glob("*.jsonl") if not p.name.startswith("drafting"))


def _system(asst, llm: str):
    """The open assistant when its back-end is the one chosen, else a new one on the same home."""
    from evals.runner import open_system

    if getattr(asst, "llm", None) == llm:
        from evals.runner import as_system
        return as_system(asst)
    system, _ = open_system(Path(asst.index.home), llm, getattr(asst, "k", 5), samples=False)
    return system


def _pct(v, ci) -> str:
    if v is None:
        return "–"
    return f"{100 * v:.1f}%" + (f" [95% CI {100 * ci[0]:.1f}–{100 * ci[1]:.1f}%]" if ci else "")


def summary_md(m: dict, questions: str) -> str:
    """Headline figures with intervals (Markdown; no text from the question file but its name)."""
    st, r = m.get("strict") or {}, m.get("retrieval") or {}
    return "\n".join([
        f"### Kết quả: {Path(questions).name} — {m.get('n')} câu, back-end `{m['run'].get('llm')}`",
        f"- **Độ chính xác (accuracy)**: {_pct(m.get('accuracy'), m.get('accuracy_ci95'))}",
        f"- **Độ chính xác chặt (strict)**: {_pct(st.get('accuracy'), st.get('accuracy_ci95'))}",
        f"- Câu trả lời ngắn (short): {_pct(st.get('short_rate'), st.get('short_rate_ci95'))}",
        f"- Evidence recall@5: {_pct(r.get('recall@5'), r.get('recall@5_ci95'))}"
        f" · nDCG@10: {r.get('ndcg@10') or 0:.3f}",
        f"- Từ chối đúng (unanswerable): "
        f"{_pct(m['abstention'].get('unanswerable_recall'), m['abstention'].get('unanswerable_recall_ci95'))}",
    ])


def _questions_path(choice: str | None, upload) -> Path:
    if upload:
        return Path(upload if isinstance(upload, str) else upload.name)
    if not choice or choice == UPLOADED or choice not in bundled_sets():
        raise gr.Error("Chọn một bộ câu hỏi hoặc tải tệp .jsonl lên / pick a set or upload a .jsonl file.")
    return SETS_DIR / choice


def make_run(asst):
    """The click handler: run the set, write the report, return summary, plot, zip, runs."""
    def run(choice, upload, llm, runs, progress=gr.Progress()):
        path = _questions_path(choice, upload)
        try:
            loaded = load_items(path)
        except (OSError, UnicodeDecodeError) as err:
            raise gr.Error(f"Không đọc được tệp câu hỏi / cannot read the file: {err}") from None
        if not loaded.items:
            raise gr.Error(f"Không có câu hỏi hợp lệ trong {path.name} / no valid question "
                           f"({'; '.join(loaded.errors[:3]) or 'empty file'}).")
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path(asst.index.home) / "eval-runs" / f"{stamp}-{path.stem}-{llm}"
        progress(0, desc="Đang đánh giá…")
        res = run_eval(_system(asst, llm), loaded.items, out, questions=path,
                       corpus_dir=DEFAULT_CORPUS, errors=loaded.errors,
                       options={"llm": llm, "k": getattr(asst, "k", 5)}, progress=False,
                       step=lambda i, n: progress(i / n, desc=f"{i}/{n} câu"))
        from evals.report import write_report
        write_report(out, res.metrics, res.results)
        archive = shutil.make_archive(str(out), "zip", out)
        runs = [*(runs or []), str(out)]
        notes = "" if not loaded.errors else f"\n\n{len(loaded.errors)} dòng bị bỏ qua (xem report.md)."
        choices = gr.update(choices=runs, value=runs[-1])
        return (summary_md(res.metrics, str(path)) + notes, str(out / "accuracy_by_category.png"),
                [archive, str(out / "report.md")], runs, choices,
                gr.update(choices=runs, value=runs[-2] if len(runs) > 1 else runs[-1]))
    return run


def compare_runs(a: str | None, b: str | None) -> str:
    """``cchc eval compare A B`` as text for two runs of this session."""
    if not a or not b:
        return "Chạy ít nhất hai lần để so sánh / run twice to compare."
    from evals.compare import compare_text
    return compare_text(Path(a), Path(b))


def eval_tab(asst) -> dict:
    """Build the "Đánh giá" tab (call inside the app's ``gr.Tabs``)."""
    with gr.Tab("Đánh giá", id="eval"):
        gr.Markdown("Chạy một bộ câu hỏi qua trợ lý và đọc độ chính xác kèm khoảng tin cậy 95%.")
        runs = gr.State([])
        with gr.Row():
            sets = bundled_sets()
            choice = gr.Dropdown(sets, value="dev.jsonl" if "dev.jsonl" in sets else None,
                                 label="Bộ câu hỏi có sẵn", elem_id="cchc-eval-set", scale=3)
            upload = gr.File(file_types=[".jsonl"], label="…hoặc tải bộ câu hỏi (.jsonl)",
                             elem_id="cchc-eval-upload", scale=3)
            llm = gr.Dropdown(BACKENDS, value=getattr(asst, "llm", "extractive"), label="Back-end",
                              elem_id="cchc-eval-llm", scale=1)
        go = gr.Button("Chạy đánh giá", variant="primary", elem_id="cchc-eval-run")
        summary = gr.Markdown("", elem_id="cchc-eval-summary")
        plot = gr.Image(label="Độ chính xác theo loại câu hỏi (khoảng tin cậy 95%)", type="filepath",
                        interactive=False, elem_id="cchc-eval-plot")
        files = gr.File(label="Tải báo cáo đánh giá", file_count="multiple", interactive=False,
                        elem_id="cchc-eval-report")
        with gr.Accordion("So sánh hai lần chạy (McNemar)", open=False):
            with gr.Row():
                run_b = gr.Dropdown([], label="Lần chạy B", elem_id="cchc-eval-b")
                run_a = gr.Dropdown([], label="Lần chạy A", elem_id="cchc-eval-a")
            cmp_btn = gr.Button("So sánh", elem_id="cchc-eval-compare")
            cmp_out = gr.Textbox(lines=16, label="B so với A", interactive=False, elem_id="cchc-eval-cmp")
        go.click(make_run(asst), [choice, upload, llm, runs], [summary, plot, files, runs, run_b, run_a],
                 api_visibility="private", concurrency_id="eval", concurrency_limit=1)
        cmp_btn.click(compare_runs, [run_a, run_b], cmp_out, api_visibility="private")
    return dict(choice=choice, upload=upload, llm=llm, go=go, summary=summary, plot=plot, files=files)
