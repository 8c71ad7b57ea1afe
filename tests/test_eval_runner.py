"""The evaluation runner, report, compare and CLI with a fake assistant."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import evals.runner as runner
from evals.cli import register
from evals.compare import compare_text, flipped
from evals.report import write_report
from evals.runner import load_items, load_run, run_eval

REPO = Path(__file__).resolve().parent.parent
DOC = "000_2e45de5cd4b14c3f.txt"
EVIDENCE = ("Rà soát báo cáo Sở Thông tin và Truyền thông thu hồi 31 tài khoản mail công vụ "
            "của cá nhân và đơn vị ít sử dụng.")
LINES = [
    {"id": "q1", "question": "Bao nhiêu tài khoản mail bị thu hồi?", "answer": "31 tài khoản",
     "must_include": ["31"], "doc": DOC, "evidence": EVIDENCE, "category": "count", "lang": "vi"},
    "{not json",
    {"id": "q2", "question": "Sở KH&CN Hà Nội có bao nhiêu TTHC?", "must_include": [],
     "category": "unanswerable", "lang": "vi"},
    {"id": "q3", "question": "missing category", "must_include": ["1"]},
    {"id": "q4", "question": "How many accounts?", "answer": "31", "must_include": ["31"],
     "docs": [DOC], "evidence": [EVIDENCE], "category": "count", "lang": "en"},
]


def write_set(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                              for x in LINES) + "\n", encoding="utf-8")
    return path


class FakeSystem:
    """Answers q1 right, guesses on q2 (wrong), and raises on q4 unless ``fixed``."""

    def __init__(self, fixed: bool = False):
        self.fixed = fixed
        self.asked: list[str] = []

    def describe(self) -> dict:
        return {"embedder": "fake-emb", "generator": "extractive", "chunker_version": "t-1",
                "n_docs": 5, "n_chunks": 42}

    def ask(self, question: str, qid: str) -> dict:
        self.asked.append(qid)
        if qid == "q4" and not self.fixed:
            raise RuntimeError("boom")
        chunk = {"doc": DOC, "section": "III", "chunk_id": "c1", "score": 0.9,
                 "text": "Rà soát báo cáo Sở Thông tin và Truyền thông\nthu hồi 31 tài khoản "
                         "mail công vụ của cá nhân và đơn vị ít sử dụng."}
        answer = "Có 12 TTHC." if qid == "q2" else "Thu hồi 31 tài khoản [1]."
        return {"id": qid, "question": question, "answer": answer, "abstained": False,
                "citations": [{"n": 1, "doc": DOC, "section": "III", "quote":
                               "thu hồi 31 tài khoản mail công vụ", "start": 0, "end": 10}],
                "retrieved": [chunk], "timings": {"retrieve_ms": 5.0, "generate_ms": 1.0,
                                                  "total_ms": 7.0, "first_token_ms": 7.0}}


def test_bad_lines_reported_with_line_number_and_rest_run(tmp_path: Path) -> None:
    path = write_set(tmp_path)
    loaded = load_items(path)
    assert [i.id for i in loaded.items] == ["q1", "q2", "q4"]
    assert len(loaded.errors) == 2
    assert loaded.errors[0].startswith(f"{path}:2: invalid JSON")
    assert loaded.errors[1] == f"{path}:4: missing field(s): category"
    fake = FakeSystem()
    run = run_eval(fake, loaded.items, tmp_path / "run", questions=path,
                   errors=loaded.errors, progress=False)
    assert fake.asked == ["q1", "q2", "q4"]
    by_id = {r["id"]: r for r in run.results}
    assert by_id["q1"]["scores"]["correct"] and by_id["q1"]["scores"]["recall@1"] == 1.0
    assert by_id["q1"]["scores"]["quotes_verbatim"] == 1
    assert not by_id["q2"]["scores"]["correct"]
    assert "boom" in by_id["q4"]["response"]["error"]           # failure kept, run continued
    assert run.metrics["errors"] == 1 and run.metrics["input_errors"] == loaded.errors


def test_run_writes_results_metrics_report_and_plots(tmp_path: Path) -> None:
    path = write_set(tmp_path)
    loaded = load_items(path)
    out = tmp_path / "run"
    run = run_eval(FakeSystem(fixed=True), loaded.items, out, questions=path,
                   errors=loaded.errors, options={"llm": "extractive", "k": 5}, progress=False)
    write_report(out, run.metrics, run.results)
    metrics, results = load_run(out)
    assert len(results) == 3 and results[0]["response"]["answer"]
    assert metrics["accuracy"] == pytest.approx(2 / 3)
    assert metrics["accuracy_by_lang"]["en"]["accuracy"] == 1.0
    prov = metrics["run"]
    for key in ("git_commit", "embedder", "generator", "chunker_version", "n_chunks", "date"):
        assert key in prov
    assert prov["embedder"] == "fake-emb" and prov["k"] == 5
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## By category" in report and "| unanswerable | 1 |" in report
    assert "Sở KH&CN Hà Nội có bao nhiêu TTHC?" in report and "Có 12 TTHC." in report
    assert f":2: invalid JSON" in report
    for png in ("accuracy_by_category.png", "latency.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"


def test_report_with_baseline_and_compare_lists_flips(tmp_path: Path) -> None:
    path = write_set(tmp_path)
    items = load_items(path).items
    a = run_eval(FakeSystem(), items, tmp_path / "a", questions=path, progress=False)
    b = run_eval(FakeSystem(fixed=True), items, tmp_path / "b", questions=path, progress=False)
    write_report(tmp_path / "b", b.metrics, b.results, (a.metrics, a.results))
    report = (tmp_path / "b" / "report.md").read_text(encoding="utf-8")
    assert "llama-index baseline" in report and "+33.3 pt" in report
    flips = flipped(a.results, b.results)
    assert [f["id"] for f in flips["fixed"]] == ["q4"] and flips["broken"] == []
    text = compare_text(tmp_path / "a", tmp_path / "b")
    assert "wrong in A, correct in B: 1" in text and "q4" in text
    assert "accuracy" in text and "+0.3333" in text


def test_cli_eval_and_compare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_set(tmp_path)
    monkeypatch.setattr(runner, "open_system",
                        lambda home, llm, k, baseline=False, samples=True: (FakeSystem(fixed=True),
                                                              FakeSystem() if baseline else None))
    app = typer.Typer()

    @app.command()
    def version() -> None:  # a second command so that sub-commands are named
        """Print nothing."""

    register(app)
    cli = CliRunner()
    out = tmp_path / "cli"
    res = cli.invoke(app, ["eval", str(path), "--llm", "extractive", "--k", "5",
                           "--out", str(out), "--baseline", "-q"])
    assert res.exit_code == 0, res.output
    assert ":2: invalid JSON" in res.output and ":4: missing field" in res.output
    assert (out / "results.jsonl").exists() and (out / "baseline" / "metrics.json").exists()
    assert "llama-index baseline" in (out / "report.md").read_text(encoding="utf-8")
    res = cli.invoke(app, ["eval", "compare", str(out / "baseline"), str(out)])
    assert res.exit_code == 0, res.output
    assert "wrong in A, correct in B: 1" in res.output


def test_cli_eval_draft_scores_given_drafts(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"id": "t1", "instruction": "Soạn năm 2021",
                                 "key_facts": ["tiếp nhận 109 hồ sơ"]}) + "\n", encoding="utf-8")
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text(json.dumps({"id": "t1", "draft": {
        "markdown": "Tiếp nhận 109 hồ sơ [1], năm 2021 có 77 hồ sơ.",
        "citations": [{"n": 1, "doc": DOC, "quote": "tiếp nhận 109 hồ sơ"}],
        "placeholders": []}}) + "\n", encoding="utf-8")
    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(app, ["eval-draft", str(tasks), "--drafts", str(drafts),
                                   "--out", str(tmp_path / "d")])
    assert res.exit_code == 1                     # 77 is invented
    assert '"unsupported_numbers": 1' in res.output and '"key_fact_coverage": 1.0' in res.output


def test_shipped_dev_set_loads_cleanly() -> None:
    loaded = load_items(REPO / "evals" / "sets" / "dev.jsonl")
    assert loaded.errors == [] and len(loaded.items) == 34
    assert {i.category for i in loaded.items} >= {"ambiguous", "comparison_cross_doc",
                                                  "unanswerable"}
    corpus = REPO / "cchc" / "samples"
    for it in loaded.items:                       # every gold span is in its reports
        texts = " ".join((corpus / d).read_text(encoding="utf-8") for d in it.docs)
        assert all(_in(e, texts) for e in it.evidence), it.id


def _in(span: str, text: str) -> bool:
    from evals.textnorm import span_in
    return span_in(span, text)


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder (no model download)."""

    id = "hash-64"
    passages = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(64)
        for w in text.casefold().split():
            v[hash(w) % 64] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed(self, texts: list[str]) -> np.ndarray:  # the index.embedders protocol
        self.passages += len(texts)
        return np.stack([self._vec(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


def test_llamaindex_baseline_extractive_shape(tmp_path: Path) -> None:
    pytest.importorskip("index.llamaindex_adapter")
    from assistant.baseline import open_baseline, pick_sentence

    assert pick_sentence("Mở đầu. Thu hồi 31 tài khoản mail. Kết thúc.",
                         "bao nhiêu tài khoản mail") == "Thu hồi 31 tài khoản mail."

    class Asst:
        embedder, generator = HashEmbedder(), None

        def describe(self) -> dict:
            return {"home": str(tmp_path)}

    base = open_baseline(Asst(), k=3)
    assert Asst.embedder.passages == base.describe()["n_chunks"]
    again = open_baseline(Asst(), k=3)            # the embedded index is cached under home
    assert Asst.embedder.passages == base.describe()["n_chunks"]
    assert again.describe() == base.describe()
    assert list((tmp_path / "baseline-llamaindex").iterdir())
    desc = base.describe()
    assert desc["n_docs"] == 5 and desc["n_chunks"] > 5 and "SentenceSplitter" in desc["chunker_version"]
    out = base.ask("thu hồi bao nhiêu tài khoản mail công vụ", qid="x")
    assert set(out) >= {"id", "question", "answer", "abstained", "citations", "retrieved", "timings"}
    assert len(out["retrieved"]) == 3 and out["citations"][0]["doc"] == out["retrieved"][0]["doc"]
    assert out["answer"].endswith("[1]") and out["abstained"] is False
    cached = again.ask("thu hồi bao nhiêu tài khoản mail công vụ", qid="x")
    assert [r["text"] for r in cached["retrieved"]] == [r["text"] for r in out["retrieved"]]
