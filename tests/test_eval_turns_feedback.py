"""Conversation items, paired compare, feedback drafts and --no-samples, with a fake assistant."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import evals.runner as runner
from evals.cli import register
from evals.compare import compare_text, paired_tests
from evals.feedback import drafts_from_feedback, guess_lang
from evals.metrics import Corpus
from evals.runner import load_items, run_eval

DOC = "gl_snv_2021.txt"
REPORT = ("Căn cứ Kế hoạch số 15/KH-SNV ngày 12/01/2021 của Sở Nội vụ tỉnh Gia Lai. "
          "Năm 2019 thực hiện Kế hoạch số 88/KH-SNV ngày 03/02/2019.")
CONV = {"id": "gl_01", "question": "Sở Nội vụ Gia Lai ban hành kế hoạch CCHC 2021 bằng văn bản nào?",
        "must_include": ["15/KH-SNV"], "doc": DOC, "evidence": "Kế hoạch số 15/KH-SNV ngày 12/01/2021",
        "category": "decision_lookup", "lang": "vi",
        "turns": [{"question": "Còn năm 2019 thì sao?", "must_include": ["88/KH-SNV"], "doc": DOC,
                   "evidence": "Kế hoạch số 88/KH-SNV ngày 03/02/2019"},
                  {"question": "Có bao nhiêu dịch vụ công mức độ 4?", "category": "unanswerable"}]}


class ChatFake:
    """Answers from the last user turn of the history it is given (as the chat would)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list | None]] = []

    def describe(self) -> dict:
        return {"embedder": "fake", "generator": "extractive", "n_docs": 1}

    def ask(self, question: str, qid: str, history: list[dict] | None = None) -> dict:
        self.calls.append((qid, history))
        chunk = {"doc": DOC, "text": REPORT}
        if "2019" in question and history:
            ans, abst = "Kế hoạch số 88/KH-SNV [1]", False
        elif "mức độ 4" in question:
            ans, abst = "Các báo cáo không có thông tin này.", True
        else:
            ans, abst = "Kế hoạch số 15/KH-SNV [1]", False
        return {"id": qid, "question": question, "answer": ans, "abstained": abst,
                "citations": [] if abst else [{"n": 1, "doc": DOC, "quote": ans.split(" [")[0]}],
                "retrieved": [chunk], "timings": {"total_ms": 1.0}}


def write(path: Path, rows: list) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def test_turns_parsed_and_asked_with_history(tmp_path: Path) -> None:
    qs = write(tmp_path / "conv.jsonl", [CONV])
    loaded = load_items(qs)
    assert not loaded.errors and [t.id for t in loaded.items[0].turns] == ["gl_01#1", "gl_01#2"]
    assert loaded.items[0].turns[0].category == "decision_lookup"      # inherited
    fake = ChatFake()
    run = run_eval(fake, loaded.items, tmp_path / "run", questions=qs, corpus_dir=tmp_path,
                   progress=False)
    assert [c[0] for c in fake.calls] == ["gl_01", "gl_01#1", "gl_01#2"]
    assert fake.calls[0][1] is None
    hist = fake.calls[2][1]
    assert [m["role"] for m in hist] == ["user", "assistant", "user", "assistant"]
    assert hist[3]["content"] == "Kế hoạch số 88/KH-SNV [1]"
    assert [r["gold"]["turn"] for r in run.results] == [0, 1, 2]
    conv = run.metrics["conversation"]
    assert conv["accuracy_by_turn"] == {"0": 1.0, "1": 1.0, "2": 1.0}
    assert conv["conversations_all_correct"] == 1.0


def test_turn_without_history_support_fails_the_turn(tmp_path: Path) -> None:
    class NoMemory(ChatFake):
        def ask(self, question, qid, history=None):  # ignores the history: "2019" unresolved
            return super().ask(question, qid, None)
    qs = write(tmp_path / "conv.jsonl", [CONV])
    run = run_eval(NoMemory(), load_items(qs).items, tmp_path / "r", questions=qs, progress=False)
    assert run.metrics["conversation"]["accuracy_by_turn"]["1"] == 0.0
    assert run.metrics["conversation"]["conversations_all_correct"] == 0.0


def test_bad_turns_are_reported() -> None:
    from evals.metrics import parse_item
    with pytest.raises(ValueError, match="turn 1: answerable item without must_include"):
        parse_item({**CONV, "turns": [{"question": "Còn 2019?"}]})
    with pytest.raises(ValueError, match="'turns' must be a list"):
        parse_item({**CONV, "turns": "Còn 2019?"})


def test_compare_same_run_twice_and_a_flip(tmp_path: Path) -> None:
    qs = write(tmp_path / "conv.jsonl", [CONV])
    items = load_items(qs).items
    a = run_eval(ChatFake(), items, tmp_path / "a", questions=qs, progress=False)
    text = compare_text(tmp_path / "a", tmp_path / "a")
    assert "accuracy: 0 fixed, 0 broken, exact McNemar p = 1" in text

    class NoMemory(ChatFake):
        def ask(self, question, qid, history=None):
            return super().ask(question, qid, None)
    b = run_eval(NoMemory(), items, tmp_path / "b", questions=qs, progress=False)
    t = paired_tests(a.results, b.results)["correctness"]["accuracy"]
    assert (t["fixed"], t["broken"], t["p_value"]) == (0, 1, 1.0)     # 1 discordant pair: p = 1
    assert [f["id"] for f in t["flips"]["broken"]] == ["gl_01#1"]


def test_corpus_falls_back_to_the_indexed_text(tmp_path: Path) -> None:
    texts = Corpus(tmp_path, fallback={DOC: REPORT}.get)
    assert texts(DOC) == REPORT and texts("other.txt") is None


FEEDBACK = [
    {"question": "Sở Nội vụ Gia Lai có bao nhiêu hồ sơ trễ hạn năm 2021?", "answer": "12 hồ sơ [1]",
     "citations": [{"n": 1, "doc": DOC, "section": "II", "quote": "12 hồ sơ"}], "vote": "down",
     "comment": "Sai: báo cáo ghi 21 hồ sơ", "time": "2026-12-01T09:00:00+0700"},
    {"question": "How many plans?", "answer": "2", "citations": [], "vote": "up", "comment": "",
     "time": "t"},
    {"question": "sở nội vụ gia lai có bao nhiêu hồ sơ trễ hạn năm 2021?", "answer": "?",
     "citations": [], "vote": "down", "comment": "vẫn sai", "time": "t2"},
]


def test_feedback_drafts(tmp_path: Path) -> None:
    path = write(tmp_path / "feedback.jsonl", FEEDBACK)
    path.write_text(path.read_text("utf-8") + "{broken\n", "utf-8")
    drafts, errors = drafts_from_feedback(path)
    assert len(drafts) == 1 and errors == [f"{path}:4: invalid JSON (Expecting property name "
                                           "enclosed in double quotes)"]
    d = drafts[0]
    assert d["id"].startswith("fb_") and d["lang"] == "vi" and d["docs"] == [DOC]
    assert d["category"] == "" and d["must_include"] == []
    assert d["feedback"]["comment"] == "Sai: báo cáo ghi 21 hồ sơ | vẫn sai"
    assert guess_lang("How many plans?") == "en" and guess_lang("Co bao nhieu") == "en"
    out = tmp_path / "draft.jsonl"
    out.write_text(json.dumps(d, ensure_ascii=False) + "\n", "utf-8")
    assert "missing field(s): category" in load_items(out).errors[0]   # never scored unfinished


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def version() -> None:
        """Print nothing."""
    register(app)
    return app


def test_cli_from_feedback_and_no_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fb = write(tmp_path / "feedback.jsonl", FEEDBACK)
    out = tmp_path / "draft.jsonl"
    res = CliRunner().invoke(_app(), ["eval", "from-feedback", str(fb), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 draft item(s)" in res.output and len(out.read_text("utf-8").splitlines()) == 1
    seen = []
    monkeypatch.setattr(runner, "open_system", lambda home, llm, k, baseline=False, samples=True:
                        (seen.append((home, samples)) or ChatFake(), None))
    qs = write(tmp_path / "conv.jsonl", [CONV])
    lib = tmp_path / "lib"
    lib.mkdir()
    for extra, expect in (([], True), (["--corpus", str(lib)], False),
                          (["--no-samples"], False)):
        res = CliRunner().invoke(_app(), ["eval", str(qs), "--home", str(tmp_path / "h"), "-q",
                                          "--out", str(tmp_path / "o"), *extra])
        assert res.exit_code == 0, res.output
        assert seen[-1] == (tmp_path / "h", expect)
    assert "strict" in res.output and "[" in res.output
