"""Run a question set through an ``ask`` callable and write the run directory.

The runner depends only on a :class:`System`: ``ask(question, qid) -> dict`` returning
the ``cchc ask --jsonl`` JSON and ``describe() -> dict``; :func:`open_system` builds one
from the public assistant API (or the llama-index baseline). A run directory holds
``results.jsonl`` (one line per question: the response plus its scores),
``metrics.json`` (metrics, provenance and input errors) and ``report.md`` with plots.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from evals.metrics import Corpus, EvalItem, aggregate, parse_item, score_item
from evals.turns import history_after

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "cchc" / "samples"


class System(Protocol):
    """What the runner needs from an assistant (the real one, the baseline or a fake)."""

    def ask(self, question: str, qid: str) -> dict: ...  # + ``history=`` for conversations

    def describe(self) -> dict: ...


@dataclass
class LoadResult:
    """Valid items of a set and one message per bad line (``FILE:LINE: reason``)."""

    items: list[EvalItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def load_items(path: Path) -> LoadResult:
    """Read a JSONL question set; bad lines become messages, the others still load."""
    out = LoadResult()
    seen: set[str] = set()
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = parse_item(json.loads(line), lineno)
            if item.id in seen:
                raise ValueError(f"duplicate id {item.id!r}")
        except json.JSONDecodeError as err:
            out.errors.append(f"{path}:{lineno}: invalid JSON ({err.msg} at column {err.colno})")
            continue
        except ValueError as err:
            out.errors.append(f"{path}:{lineno}: {err}")
            continue
        seen.add(item.id)
        out.items.append(item)
    return out


def _git(*args: str) -> str | None:
    """Output of a read-only git command in this checkout, or None."""
    try:
        res = subprocess.run(["git", *args], cwd=DEFAULT_CORPUS.parent.parent, text=True,
                             capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def provenance(system: System, questions: Path, options: dict) -> dict:
    """What produced a run: commit, embedder, generator, chunker, index size, date, set."""
    desc = dict(system.describe())
    status = _git("status", "--porcelain", "--untracked-files=no")
    data = Path(questions).read_bytes()
    return {
        "git_commit": _git("rev-parse", "HEAD") or "unknown",
        "git_dirty": bool(status) if status is not None else None,
        **desc,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "questions": str(questions),
        "questions_sha256": hashlib.sha256(data).hexdigest(),
        "python": sys.version.split()[0],
        **options,
    }


def ask_one(system: System, item: EvalItem, history: list[dict] | None = None) -> dict:
    """One response; an exception becomes an empty abstaining response with ``error``."""
    t0 = time.perf_counter()
    try:
        resp = dict(system.ask(item.question, item.id, history=history) if history
                    else system.ask(item.question, item.id))
    except Exception as err:  # noqa: BLE001 - one failing question must not stop the run
        resp = {"id": item.id, "question": item.question, "answer": "", "abstained": False,
                "citations": [], "retrieved": [], "error": f"{type(err).__name__}: {err}",
                "timings": {"total_ms": (time.perf_counter() - t0) * 1000}}
    resp.setdefault("id", item.id)
    return resp


def _progress(items: list[EvalItem], label: str, show: bool):
    """Iterate ``items`` with a tqdm bar on stderr (plain iteration when hidden)."""
    if not show:
        return items
    from tqdm import tqdm
    return tqdm(items, desc=label, unit="q", file=sys.stderr)


def result_line(item: EvalItem, resp: dict, scores: dict) -> dict:
    """The ``results.jsonl`` line: gold fields, the response and its scores."""
    gold = {"category": item.category, "lang": item.lang, "must_include": item.must_include,
            "docs": item.docs, "expected": item.answer, "turn": item.turn}
    return {"id": item.id, "gold": gold, "response": resp, "scores": scores}


@dataclass
class Run:
    """A finished run: its metrics (with provenance) and its result lines."""

    metrics: dict
    results: list[dict]
    out_dir: Path


def run_eval(system: System, items: list[EvalItem], out_dir: Path, *, questions: Path,
             corpus_dir: Path = DEFAULT_CORPUS, errors: list[str] | None = None,
             options: dict | None = None, label: str = "cchc",
             progress: bool = True, step: Callable[[int, int], None] | None = None) -> Run:
    """Ask every item, score it, and write ``results.jsonl`` and ``metrics.json``.

    ``report.md`` is written separately by :func:`evals.report.write_report` so that a
    baseline run can be shown next to this one. ``step(done, total)`` is called after each
    item (the UI's progress bar).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(corpus_dir, fallback=getattr(system, "doc_text", None))
    prov = provenance(system, questions, {"system": label, "corpus": str(corpus_dir),
                                          **(options or {})})
    responses, scores = [], []
    t0 = time.perf_counter()
    asked: list[EvalItem] = []
    for done, item in enumerate(_progress(items, label, progress), 1):
        history: list[dict] = []
        for one in (item, *item.turns):
            resp = ask_one(system, one, history)
            history = history_after(history, one.question, str(resp.get("answer") or ""))
            asked.append(one)
            responses.append(resp)
            scores.append(score_item(one, resp, corpus))
        if step is not None:
            step(done, len(items))
    items = asked
    metrics = aggregate(items, scores, responses)
    metrics["wall_s"] = round(time.perf_counter() - t0, 3)
    metrics["input_errors"] = list(errors or [])
    metrics["run"] = prov
    results = [result_line(i, r, s) for i, r, s in zip(items, responses, scores)]
    write_jsonl(out_dir / "results.jsonl", results)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    return Run(metrics=metrics, results=results, out_dir=out_dir)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """Write one JSON object per line (UTF-8, non-ASCII kept)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def load_run(run_dir: Path) -> tuple[dict, list[dict]]:
    """``metrics.json`` and ``results.jsonl`` of a run directory."""
    run_dir = Path(run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    results = [json.loads(x) for x in
               (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return metrics, results


class _Adapter:
    """A :class:`System` over an object whose ``ask`` returns an ``Answer``-like value."""

    def __init__(self, obj: object):
        self.obj = obj

    def ask(self, question: str, qid: str, history: list[dict] | None = None) -> dict:
        ans = (self.obj.ask(question, qid=qid, history=history) if history
               else self.obj.ask(question, qid=qid))
        return ans.to_json() if hasattr(ans, "to_json") else dict(ans)

    def describe(self) -> dict:
        return dict(self.obj.describe())

    def doc_text(self, name: str) -> str | None:
        """The indexed text of a report (quotes of a library outside ``--corpus``)."""
        return self.obj.doc_text(name) if hasattr(self.obj, "doc_text") else None


def as_system(assistant: object) -> System:
    """A :class:`System` over an already open ``Assistant`` (the UI's own)."""
    return _Adapter(assistant)


def open_system(home: Path | None, llm: str, k: int, baseline: bool = False,
                opener: Callable | None = None,
                samples: bool = True) -> tuple[System, System | None]:
    """The assistant (and, when asked, the llama-index baseline over the same models).

    ``samples=False`` opens ``home`` as it is: a department's own library is evaluated
    without the bundled sample reports being added to it.
    """
    if opener is None:
        from assistant.api import open_assistant as opener
    asst = opener(home=home, llm=llm, k=k, load_samples=samples)
    base = None
    if baseline:
        from assistant.baseline import open_baseline
        base = _Adapter(open_baseline(asst, k=k))
    return _Adapter(asst), base
