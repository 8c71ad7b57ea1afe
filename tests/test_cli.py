"""The CLI contract: `cchc search --jsonl` and `cchc ask --jsonl` line shapes, docs, remove, errors."""
import json

from typer.testing import CliRunner

from cchc.cli import app

runner = CliRunner()


def _run(home, *args):
    return runner.invoke(app, [*args, "--home", str(home), "--embedder", "fake"], catch_exceptions=False)


def test_search_jsonl_shape(home_copy, tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text('{"id": "a", "question": "Quyết định 1078/QĐ-UBND"}\nnot json\n'
                 '{"id": "b", "question": "ke hoach cai cach hanh chinh nam 2020"}\n', encoding="utf-8")
    res = _run(home_copy, "search", "--jsonl", str(q), "--k", "5")
    assert res.exit_code == 0
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert [x["id"] for x in lines] == ["a", "b"]
    for line in lines:
        assert len(line["hits"]) == 5
        for h in line["hits"]:
            assert set(h) == {"doc", "section", "chunk_id", "score", "text"}
            assert h["doc"].endswith(".txt") and "/" not in h["doc"]
        scores = [h["score"] for h in line["hits"]]
        assert scores == sorted(scores, reverse=True)
    assert "q.jsonl:2" in res.stderr


def test_ask_jsonl_shape(home_copy, tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text('{"id": "x", "question": "Quy chế xét tặng Giải thưởng KH&CN được ban hành theo quyết định nào?"}\n',
                 encoding="utf-8")
    res = _run(home_copy, "ask", "--jsonl", str(q), "--llm", "extractive")
    assert res.exit_code == 0
    [line] = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert {"id", "question", "answer", "abstained", "citations", "retrieved", "timings"} <= set(line)
    assert set(line["timings"]) >= {"retrieve_ms", "generate_ms", "total_ms", "first_token_ms"}
    for c in line["citations"]:
        assert {"n", "doc", "section", "quote", "start", "end"} <= set(c)


def test_docs_and_remove(home_copy):
    res = _run(home_copy, "docs", "--json")
    rows = json.loads(res.stdout)
    assert len(rows) == 5 and {r["province"] for r in rows} >= {"Khánh Hòa", "Nghệ An"}
    assert _run(home_copy, "remove", "004_174b6c4ae34f5b29.txt").exit_code == 0
    res = runner.invoke(app, ["remove", "nope.txt", "--home", str(home_copy), "--embedder", "fake"])
    assert res.exit_code == 1 and "nope.txt" in res.stderr


def test_ingest_reports_one_line_per_file(home_copy, tmp_path, samples):
    (tmp_path / "bad.exe").write_bytes(b"MZ\x00\x00")
    res = runner.invoke(app, ["ingest", str(samples / "001_1378d54d2ddf81bf.txt"), str(tmp_path / "bad.exe"),
                              "--home", str(home_copy), "--embedder", "fake"])
    out = res.stdout.splitlines()
    assert any(x.startswith("001_1378d54d2ddf81bf.txt: unchanged") for x in out)
    assert any(x.startswith("bad.exe: rejected") for x in out)


def test_embedder_mismatch_is_a_one_line_error(home_copy):
    res = runner.invoke(app, ["docs", "--home", str(home_copy), "--embedder", "fake-other"])
    assert res.exit_code == 1
    assert "fake-hash-64" in res.stderr and "Traceback" not in res.stderr
