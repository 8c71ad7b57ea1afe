"""Typer commands of the evaluation harness, mounted on ``cchc`` by :func:`register`.

User-facing forms::

    cchc eval QUESTIONS.jsonl [--llm extractive] [--k 5] [--out DIR] [--baseline] [--corpus DIR]
    cchc eval compare RUN_A RUN_B
    cchc eval from-feedback FEEDBACK.jsonl --out DRAFT.jsonl
    cchc eval-draft TASKS.jsonl [--drafts DRAFTS.jsonl] [--out DIR]

``cchc eval QUESTIONS.jsonl`` is ``cchc eval run QUESTIONS.jsonl``: the ``eval`` group
forwards any first argument that is not one of its sub-commands to ``run``.
"""
from __future__ import annotations

import datetime as _dt
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from evals.runner import DEFAULT_CORPUS

HELP_OPTS = ("--help", "-h")


class DefaultRunGroup(TyperGroup):
    """A group whose first argument, when not a sub-command, is handed to ``run``."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:  # noqa: ANN001 - click ctx
        if args and args[0] not in self.commands and args[0] not in HELP_OPTS:
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(cls=DefaultRunGroup, no_args_is_help=True, add_completion=False,
                       help="Evaluate cchc on a question set or compare runs. "
                            "`cchc eval QUESTIONS.jsonl [OPTIONS]` is short for "
                            "`cchc eval run QUESTIONS.jsonl [OPTIONS]`.")

HomeOpt = Annotated[Optional[Path], typer.Option("--home", envvar="CCHC_HOME",
                                                 help="cchc data directory (index, models).")]
LlmOpt = Annotated[str, typer.Option("--llm", envvar="CCHC_LLM",
                                     help="Generator back-end: extractive, local, …")]
CorpusOpt = Annotated[Path, typer.Option("--corpus", help="Directory of the reports that "
                                         "quotes are checked against.")]


def _default_out(prefix: str, llm: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("eval-runs") / f"{stamp}-{prefix}-{llm}"


def _print_summary(label: str, m: dict) -> None:
    """One line of headline metrics on stderr."""
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.1f}%"
    def ci(v: list | None) -> str:
        return "" if not v else f" [{100 * v[0]:.1f}–{100 * v[1]:.1f}]"
    r, c, a, st = m["retrieval"], m["citations"], m["abstention"], m.get("strict") or {}
    typer.echo(f"{label}: accuracy {pct(m['accuracy'])}{ci(m.get('accuracy_ci95'))} · strict "
               f"{pct(st.get('accuracy'))}{ci(st.get('accuracy_ci95'))} · recall@5 {pct(r['recall@5'])} · "
               f"MRR {r['mrr'] or 0:.3f} · quotes verbatim {pct(c['quotes_verbatim'])} · "
               f"cites gold {pct(c['cites_gold_report'])} · abstention recall "
               f"{pct(a['unanswerable_recall'])} · false abstention "
               f"{pct(a['false_abstention_rate'])} · p50 total "
               f"{m['latency']['total_p50_ms'] or 0:.0f} ms", err=True)


@eval_app.command("run")
def run_cmd(
    questions: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                              help="Question set (JSONL).")],
    llm: LlmOpt = "extractive",
    k: Annotated[int, typer.Option("--k", min=1, help="Chunks given to the generator.")] = 5,
    out: Annotated[Optional[Path], typer.Option("--out", help="Run directory.")] = None,
    baseline: Annotated[bool, typer.Option("--baseline", help="Also run the plain "
                                           "llama-index pipeline and compare.")] = False,
    corpus: CorpusOpt = DEFAULT_CORPUS,
    home: HomeOpt = None,
    samples: Annotated[Optional[bool], typer.Option(
        "--samples/--no-samples", envvar="CCHC_EVAL_SAMPLES",
        help="Load the bundled sample reports into --home first. Default: yes unless "
             "--corpus names another directory (evaluating your own library).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run every question through the assistant; write results.jsonl, metrics.json, report.md."""
    from evals.report import write_report
    from evals.runner import load_items, open_system, run_eval

    loaded = load_items(questions)
    for err in loaded.errors:
        typer.echo(f"skipped: {err}", err=True)
    if not loaded.items:
        typer.echo(f"no valid question in {questions}", err=True)
        raise typer.Exit(2)
    out = out or _default_out("eval", llm)
    if samples is None:
        samples = Path(corpus).resolve() == DEFAULT_CORPUS.resolve()
    system, base = open_system(home, llm, k, baseline=baseline, samples=samples)
    opts = {"llm": llm, "k": k, "home": str(home) if home else None, "samples_loaded": samples}
    kw = dict(questions=questions, corpus_dir=corpus, errors=loaded.errors, progress=not quiet)
    main = run_eval(system, loaded.items, out, options=opts, label="cchc", **kw)
    base_run = None
    if base is not None:
        base_run = run_eval(base, loaded.items, out / "baseline", options=opts,
                            label="baseline", **kw)
        write_report(base_run.out_dir, base_run.metrics, base_run.results)
    write_report(out, main.metrics, main.results,
                 (base_run.metrics, base_run.results) if base_run else None)
    _print_summary("cchc", main.metrics)
    if base_run:
        _print_summary("baseline", base_run.metrics)
    typer.echo(str(out / "report.md"))


@eval_app.command("compare")
def compare_cmd(
    run_a: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Run directory A.")],
    run_b: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Run directory B.")],
) -> None:
    """Print metric deltas (B − A) and the items whose correctness flipped."""
    from evals.compare import compare_text

    typer.echo(compare_text(run_a, run_b))


@eval_app.command("from-feedback")
def from_feedback_cmd(
    feedback: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                             help="CCHC_HOME/feedback.jsonl written by the chat.")],
    out: Annotated[Path, typer.Option("--out", help="Draft question set to write (JSONL).")],
) -> None:
    """Turn 👎 feedback into draft items (question format) for an evaluator to complete."""
    from evals.feedback import drafts_from_feedback
    from evals.runner import write_jsonl

    drafts, errors = drafts_from_feedback(feedback)
    for err in errors:
        typer.echo(f"skipped: {err}", err=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(out, drafts)
    typer.echo(f"{len(drafts)} draft item(s) -> {out}: fill answer, must_include, category, "
               "evidence, then add them to a set.")


def _load_drafts(path: Path) -> dict[str, dict]:
    """Drafts by task id from JSONL lines ``{"id", "draft": {...}}`` (or the draft itself)."""
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out[str(obj["id"])] = obj.get("draft", obj)
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            typer.echo(f"skipped: {path}:{n}: {type(err).__name__}: {err}", err=True)
    return out


def _make_drafts(tasks: list[dict], home: Optional[Path], llm: str, k: int) -> dict[str, dict]:
    """Drafts from the assistant's ``draft`` method (once the drafting feature exists)."""
    from assistant.api import open_assistant

    asst = open_assistant(home=home, llm=llm, k=k)
    if not hasattr(asst, "draft"):
        typer.echo("this cchc has no drafting feature yet: pass --drafts DRAFTS.jsonl", err=True)
        raise typer.Exit(2)
    out = {}
    for task in tasks:
        d = asst.draft(task["instruction"], source_docs=task.get("source_docs"))
        out[task["id"]] = d.to_json() if hasattr(d, "to_json") else dict(d)
    return out


def eval_draft_cmd(
    tasks_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                               help="Drafting tasks (JSONL).")],
    drafts: Annotated[Optional[Path], typer.Option("--drafts", exists=True, dir_okay=False,
                      help="Drafts to score (JSONL of {id, draft}).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Run directory.")] = None,
    llm: LlmOpt = "extractive",
    k: Annotated[int, typer.Option("--k", min=1)] = 5,
    corpus: CorpusOpt = DEFAULT_CORPUS,
    home: HomeOpt = None,
) -> None:
    """Score drafts: key facts carried over with a citation; invented numbers (must be 0)."""
    from evals.drafting import score_draft
    from evals.metrics import Corpus
    from evals.runner import write_jsonl

    tasks = [json.loads(x) for x in tasks_file.read_text(encoding="utf-8").splitlines() if x.strip()]
    by_id = _load_drafts(drafts) if drafts else _make_drafts(tasks, home, llm, k)
    texts = Corpus(corpus)
    rows = [score_draft(t, by_id[t["id"]], texts) for t in tasks if t["id"] in by_id]
    for t in tasks:
        if t["id"] not in by_id:
            typer.echo(f"no draft for task {t['id']}", err=True)
    cov = [r["key_fact_coverage"] for r in rows if r["key_fact_coverage"] is not None]
    summary = {"n": len(rows), "key_fact_coverage": sum(cov) / len(cov) if cov else None,
               "unsupported_numbers": sum(r["unsupported_numbers"] for r in rows)}
    out = out or _default_out("draft", llm)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "results.jsonl", rows)
    (out / "metrics.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if summary["unsupported_numbers"]:
        sys.exit(1)


def register(app: typer.Typer) -> None:
    """Mount ``eval`` (with ``run``/``compare``) and ``eval-draft`` on the cchc app."""
    app.add_typer(eval_app, name="eval")
    app.command("eval-draft")(eval_draft_cmd)
