"""Issue #14, storage: facts extracted at ingest live in the catalog with their report, section,
offsets and verbatim quote; re-ingest replaces them, remove deletes them, a killed ingest leaves
none listed, an older catalog without the facts table is upgraded on open; `cchc facts` lists
and exports them. The report below is composed for these tests (a fictional Sở Tư pháp)."""
from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from assistant.api import open_assistant
from assistant.facts_api import FactKindError
from cchc.cli import app
from index.facts_store import FACTS_VERSION, extract_stored

NAME = "bao-cao-cchc-stp-dien-bien-2023.txt"
REPORT = """ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN
SỞ TƯ PHÁP
Số: 88/BC-STP
BÁO CÁO
Công tác cải cách hành chính năm 2023
I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH
1. Kế hoạch cải cách hành chính
Sở Tư pháp đã ban hành Quyết định số 45/QĐ-STP ngày 12/02/2023 của Sở Tư pháp về việc ban hành Kế hoạch cải cách hành chính năm 2023; Kế hoạch số 17/KH-STP ngày 20 tháng 3 năm 2023 về tuyên truyền cải cách hành chính.
Giám đốc Sở Tư pháp Nguyễn Văn Hùng làm Trưởng ban chỉ đạo.
Các nhiệm vụ trọng tâm gồm:
- Rà soát thủ tục hành chính thuộc thẩm quyền;
- Đẩy mạnh dịch vụ công trực tuyến;
- Kiểm tra công tác cải cách hành chính tại các phòng.
Sở đã tổ chức quán triệt kế hoạch tới toàn thể công chức.
II. KẾT QUẢ THỰC HIỆN
1. Cải cách thủ tục hành chính
Trong năm 2023, Sở tiếp nhận 1.250 hồ sơ, trễ hạn 03 hồ sơ; tỷ lệ hồ sơ trực tuyến đạt 64,5%.
Sở đã công khai đầy đủ thủ tục hành chính trên Cổng dịch vụ công.
"""
runner = CliRunner()


def _write(tmp_path, text: str = REPORT):
    src = tmp_path / "src" / NAME
    src.parent.mkdir(exist_ok=True)
    src.write_text(text, encoding="utf-8")
    return src


@pytest.fixture
def asst(tmp_path):
    """A fresh index on disk (fake embedder, no samples) holding the composed report."""
    a = open_assistant(tmp_path / "home", embedder="fake", load_samples=False)
    [status] = a.ingest([_write(tmp_path)])
    assert status.status == "ingested"
    return a


def _rows(home, table: str = "facts") -> list[tuple]:
    """Rows of the catalog on disk, read by a separate connection."""
    with sqlite3.connect(home / "catalog.sqlite") as con:
        return con.execute(f"SELECT * FROM {table}").fetchall()


def test_ingest_stores_facts_with_verbatim_quotes_and_sections(asst):
    facts = asst.facts()
    text = asst.doc_text(NAME)
    assert {f.kind for f in facts} == {"ref", "quantity", "person", "list"}
    for f in facts:
        assert text[f.start:f.end] == f.quote and f.quote.strip()
        assert f.doc == NAME and f.report == asst.docs()[0].meta.label()
        assert f.page is None  # a .txt file has no pages
    by_value = {f.value: f for f in facts}
    qd = by_value["45/QĐ-STP"]
    assert (qd.kind, qd.kind_label, qd.date, qd.issuer) == ("ref", "Quyết định", "12/02/2023", "Sở Tư pháp")
    assert qd.subject == "ban hành Kế hoạch cải cách hành chính năm 2023"
    assert qd.quote == "Quyết định số 45/QĐ-STP"
    assert qd.section == "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH › 1. Kế hoạch cải cách hành chính"
    assert by_value["17/KH-STP"].date == "20/03/2023"
    late = by_value["03"]
    assert late.kind == "quantity" and late.detail["qualifier"] == "trễ hạn" and late.detail["number"] == 3.0
    assert late.subject == "trễ hạn · hồ sơ · năm 2023"
    assert late.section.startswith("II. KẾT QUẢ THỰC HIỆN")
    assert by_value["Nguyễn Văn Hùng"].detail == {"role": "Giám đốc", "unit": "Sở Tư pháp"}
    [lst] = [f for f in facts if f.kind == "list"]
    assert lst.detail["items"][1] == "Đẩy mạnh dịch vụ công trực tuyến;" and len(lst.detail["items"]) == 3
    assert len(_rows(asst.index.home)) == len(facts)  # stored, not recomputed per call


def test_filters_by_kind_report_and_text(asst):
    refs = asst.facts(kind="decision")
    assert [f.value for f in refs] == ["88/BC-STP", "45/QĐ-STP", "17/KH-STP"]
    assert asst.facts(kind="ref") == refs
    assert [f.value for f in asst.facts(kind="figure")] == ["1.250", "03", "64,5%"]
    assert [f.value for f in asst.facts(query="tuyen truyen")] == ["17/KH-STP"]  # typed without diacritics
    assert [f.value for f in asst.facts(kind="ref", query="KẾ HOẠCH CẢI CÁCH")] == ["45/QĐ-STP"]
    assert asst.facts(doc="other.txt") == [] and len(asst.facts(doc=NAME)) == len(asst.facts())
    with pytest.raises(FactKindError):
        asst.facts(kind="bogus")


def test_reingest_of_changed_text_replaces_the_facts(asst, tmp_path):
    changed = REPORT.replace("45/QĐ-STP ngày 12/02/2023", "46/QĐ-STP ngày 15/02/2023").replace("03 hồ sơ", "07 hồ sơ")
    [status] = asst.ingest([_write(tmp_path, changed)])
    assert status.status == "ingested"
    facts = asst.facts()
    values = [f.value for f in facts]
    assert "46/QĐ-STP" in values and "45/QĐ-STP" not in values and "07" in values and "03" not in values
    assert {f.value: f for f in facts}["46/QĐ-STP"].date == "15/02/2023"
    text = asst.doc_text(NAME)
    assert all(text[f.start:f.end] == f.quote for f in facts)
    assert len(_rows(asst.index.home)) == len(facts)  # no row of the old text left
    [again] = asst.ingest([_write(tmp_path, changed)])
    assert again.status == "unchanged" and asst.facts() == facts


def test_remove_deletes_the_facts(asst):
    assert asst.facts()
    assert asst.remove(NAME)
    assert asst.facts() == []
    assert _rows(asst.index.home) == [] and _rows(asst.index.home, "facts_done") == []


def test_a_killed_write_leaves_no_listed_facts_and_recover_drops_them(asst, tmp_path, monkeypatch):
    """The report is written ``pending`` with its facts, then the embedder dies (as in a killed
    ingest): none of the new facts are listed, and the recovery deletes them with the report."""
    index = asst.index
    changed = REPORT.replace("45/QĐ-STP", "99/QĐ-STP")
    prepared = index.prepare(NAME, changed)

    def dead(_texts):
        raise RuntimeError("killed")

    monkeypatch.setattr(index.embedder, "embed", dead)
    with pytest.raises(RuntimeError):
        index.write_batch([prepared])
    assert index.catalog.doc(NAME).status == "pending"
    assert any("99/QĐ-STP" in r for r in _rows(index.home))  # written in the report's transaction ...
    assert asst.facts() == []  # ... but never listed while pending
    assert index.recover() == [NAME]
    assert _rows(index.home) == [] and _rows(index.home, "facts_done") == []


def _make_old(home) -> None:
    """Turn the catalog on disk into one written before the facts table existed."""
    with sqlite3.connect(home / "catalog.sqlite") as con:
        con.execute("DROP TABLE facts")
        con.execute("DROP TABLE facts_done")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "facts" not in tables


def test_an_old_catalog_without_facts_is_upgraded_on_open(asst):
    home, before = asst.index.home, asst.facts()
    asst.index.catalog.db.close()
    _make_old(home)
    again = open_assistant(home, embedder="fake", load_samples=False)
    assert _rows(home) == []  # the table exists (created on open), not yet filled
    assert again.facts() == before  # back-filled from the stored report text
    assert len(_rows(home)) == len(before)
    assert {r[1:] for r in _rows(home, "facts_done")} == {(again.docs()[0].sha256, FACTS_VERSION)}


def test_facts_of_an_older_extractor_are_redone(asst):
    home, before = asst.index.home, asst.facts()
    with sqlite3.connect(home / "catalog.sqlite") as con:
        con.execute("UPDATE facts SET label='STALE'")
        con.execute("UPDATE facts_done SET version='facts-0'")
    assert asst.facts() == before
    assert not any(r[3] == "STALE" for r in _rows(home))


def test_pages_are_counted_from_page_starts():
    text = "Trang một.\nQuyết định số 45/QĐ-STP ngày 12/02/2023.\nTrang hai có Kế hoạch số 17/KH-STP."
    second = text.index("Trang hai")
    facts = {f.label: f for f in extract_stored("x.pdf", text, page_starts=[0, second])}
    assert facts["45/QĐ-STP"].page == 1 and facts["17/KH-STP"].page == 2


def _cli(home, *args):
    return runner.invoke(app, [*args, "--home", str(home), "--embedder", "fake"], catch_exceptions=False)


def test_cli_facts_table_csv_and_jsonl(tmp_path):
    home = tmp_path / "home"
    assert _cli(home, "ingest", str(_write(tmp_path))).exit_code == 0
    with sqlite3.connect(home / "catalog.sqlite") as con:
        con.execute("INSERT OR REPLACE INTO info VALUES ('samples_loaded', '1')")  # this report only
    res = _cli(home, "facts", "--kind", "ref")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].startswith("Loại") and "Số hiệu / giá trị" in lines[0] and "Trích dẫn" in lines[0]
    assert len(lines) == 2 + 3 and "45/QĐ-STP" in lines[3] and "12/02/2023" in lines[3]
    out = tmp_path / "out" / "facts.csv"
    res = _cli(home, "facts", "--search", "ke hoach", "--csv", str(out))
    assert res.exit_code == 0 and str(out) in res.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Vietnamese correctly
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["Loại", "Số hiệu / giá trị", "Ngày", "Trích yếu / nội dung"]
    qd = next(r for r in rows[1:] if r[1] == "45/QĐ-STP")
    assert qd[0] == "Quyết định" and qd[2] == "12/02/2023" and qd[-1] == "Quyết định số 45/QĐ-STP"
    res = _cli(home, "facts", "--jsonl", "--kind", "person")
    [person] = [json.loads(x) for x in res.stdout.splitlines()]
    assert person["value"] == "Nguyễn Văn Hùng" and person["doc"] == NAME
    bad = runner.invoke(app, ["facts", "--kind", "bogus", "--home", str(home), "--embedder", "fake"])
    assert bad.exit_code == 2 and "bogus" in bad.stderr
    missing = runner.invoke(app, ["facts", "--doc", "nope.txt", "--home", str(home), "--embedder", "fake"])
    assert missing.exit_code == 1 and "nope.txt" in missing.stderr
