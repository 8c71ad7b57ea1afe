"""Drafting new report sections from past reports: instruction parsing, section matching, the
grounding check (with a fake model), source choice, DOCX round trip, CLI and UI rendering, and the
grounding invariant on the bundled reports."""
from __future__ import annotations

import json

import pytest

from assistant.api import open_assistant
from assistant.draft_check import check_markdown, placeholders, unsupported
from assistant.draft_request import parse_request
from assistant.outline import area_of, find_section
from evals.drafting import score_draft, unsupported_numbers
from ingest.normalize import normalize_text
from ingest.structure import build_sections
from tests.fakes import ScriptedGenerator

KH_TTHC = "Soạn mục 'Cải cách thủ tục hành chính' cho báo cáo CCHC năm 2021 của Sở KH&CN Khánh Hòa"
OWN_INSTRUCTIONS = [  # written for these tests, not taken from the dev set
    "Soạn mục 'Cải cách tài chính công' cho báo cáo CCHC năm 2024 của Sở KH&CN Nghệ An",
    "Soan muc hien dai hoa hanh chinh cho bao cao nam 2021 cua So KHCN Khanh Hoa",
    "Soạn mục 'Xây dựng và nâng cao chất lượng đội ngũ công chức, viên chức' cho báo cáo cả năm 2020 "
    "của Sở KH&CN Bình Định, dựa trên báo cáo 6 tháng đầu năm 2020",
    "Soạn mục 'Cải cách TTHC' và 'Cải cách thể chế' cho báo cáo năm 2021 của Sở KH&CN Quảng Ngãi",
    "Soạn đề cương báo cáo CCHC năm 2024 của Sở KH&CN Nghệ An theo bố cục báo cáo năm 2023",
    "Soạn mục 'Công tác chỉ đạo, điều hành' cho báo cáo 6 tháng đầu năm 2021 của Sở KH&CN Khánh Hòa",
]


@pytest.fixture
def asst(home_copy):
    return open_assistant(home_copy, llm="extractive", embedder="fake")


def _periods(asst, draft) -> list[str]:
    metas = {d.doc_name: d.meta for d in asst.docs()}
    return [metas[s].period for s in draft.sources if metas[s].period]


def _assert_grounded(asst, draft) -> None:
    """The invariant: every figure is in a quote cited on its line, a placeholder, the instruction
    or the source's period; quotes are verbatim; the evaluation finds no unsupported number."""
    quotes = {c.n: c.quote for c in draft.citations}
    assert unsupported(draft.markdown, quotes, [draft.instruction] + _periods(asst, draft)) == []
    for c in draft.citations:
        assert asst.doc_text(c.doc)[c.start:c.end] == c.quote and c.quote.strip()
    task = {"instruction": draft.instruction}
    assert unsupported_numbers(task, draft.to_json(), asst.doc_text) == []


# ---- pure parts ---------------------------------------------------------------------------------
def test_instruction_parsing():
    r = parse_request(KH_TTHC + ", dựa trên báo cáo CCHC năm 2020.")
    assert (r.kind, r.titles, r.target.label, r.base.label, r.province) == \
        ("section", ("Cải cách thủ tục hành chính",), "năm 2021", "năm 2020", "Khánh Hòa")
    r = parse_request("soan muc cai cach the che cho bao cao 6 thang dau nam 2021 cua So KHCN Binh Dinh")
    assert r.titles == ("cai cach the che",) and r.target.label == "6 tháng đầu năm 2021"
    assert r.province == "Bình Định"
    r = parse_request("Soạn đề cương báo cáo CCHC năm 2021 theo bố cục báo cáo năm 2020")
    assert (r.kind, r.target.label, r.base.label) == ("outline", "năm 2021", "năm 2020")


def test_section_matching_is_fuzzy(samples):
    paras = build_sections(normalize_text((samples / "004_174b6c4ae34f5b29.txt").read_text(encoding="utf-8")))
    m = find_section(paras, "cai cach TTHC")
    assert m.heading.text.startswith("2. Cải cách thủ tục hành chính") and m.paragraphs
    assert find_section(paras, "Hiện đại hóa hành chính").heading.text.startswith("6. Xây dựng Chính quyền điện tử")
    assert find_section(paras, "Khó khăn, vướng mắc") is None  # this report has no such section
    assert area_of("4. Cải cách chế độ công vụ công chức").key == "cong_chuc"


def test_section_fallback_without_matching_heading(samples):
    from assistant.outline import find_paragraphs

    paras = build_sections(normalize_text((samples / "001_1378d54d2ddf81bf.txt").read_text(encoding="utf-8")))
    assert find_section(paras, "Ứng dụng công nghệ thông tin") is None
    m = find_paragraphs(paras, "Ứng dụng công nghệ thông tin")
    assert m and all("công nghệ thông tin" in p.text.lower() or "hiện đại hóa" in p.text.lower()
                     for p in m.paragraphs)


def test_sentences_are_carried_or_rewritten_for_the_new_period():
    from assistant.draft_compose import Context, classify, render, template_repls
    from assistant.draft_request import Period, year_period

    ctx = Context(year_period(2024), year_period(2023), {"2024"})
    plan = "Kế hoạch cải cách hành chính năm 2023 (Kế hoạch số 59/SKHCN-VP ngày 31/01/2023 của Giám đốc Sở);"
    assert classify(plan, ctx) == "template"
    assert render(plan, template_repls(plan, ctx)) == ("Kế hoạch cải cách hành chính năm 2024 (Kế hoạch số "
                                                       "[cập nhật: số hiệu văn bản] ngày [cập nhật: ngày ban hành] "
                                                       "của Giám đốc Sở);")
    law = "Thực hiện Nghị định số 60/2021/NĐ-CP ngày 21/6/2021 của Chính phủ về tự chủ tài chính."
    assert classify(law, ctx) == "carry"
    assert classify("Năm 2023, không có đơn thư phản ánh.", ctx) == "placeholder"
    figs = "Trả trước hạn: 137 hồ sơ; trả quá hạn: 3 hồ sơ, mức độ 3 cho 13/28 TTHC."
    out = render(figs, template_repls(figs, ctx))
    assert "137" not in out and "13/28" not in out and "mức độ 3" in out and out.count("[cập nhật:") == 3
    half = Context(year_period(2020), Period("6 tháng đầu năm 2020", 2020, 2020, 1, 6), {"2020"})
    assert classify("Kế hoạch số 930/KH-SKHCN ngày 16/12/2019 về Kế hoạch CCHC năm 2020.", half) == "carry"
    assert render("Trong 6 tháng đầu năm 2020, Sở đã rà soát 02 TTHC.",
                  template_repls("Trong 6 tháng đầu năm 2020, Sở đã rà soát 02 TTHC.", half)).startswith(
        "Trong năm 2020, Sở đã rà soát [cập nhật: số TTHC")


def test_check_replaces_invented_figures():
    quotes = {1: "Năm 2020, Sở tiếp nhận 109 hồ sơ theo Quyết định số 48/QĐ-SKHCN ngày 26/3/2020."}
    md = ("## 2. Cải cách TTHC\n- Năm 2020 tiếp nhận 109 hồ sơ [1]\n- Năm 2021 tiếp nhận 125 hồ sơ, "
          "Quyết định 77/QĐ-UBND ngày 01/02/2021 [1]\n- Số liệu [cập nhật: 300 hồ sơ] đúng hạn 131")
    out = check_markdown(md, quotes, ["báo cáo năm 2021"])
    assert out.removed == ["125", "77/QĐ-UBND", "01/02/2021", "131"]
    assert "109 hồ sơ [1]" in out.markdown and "125" not in out.markdown and "131" not in out.markdown
    assert "[cập nhật: số hiệu văn bản]" in out.markdown and "[cập nhật: ngày]" in out.markdown
    assert "Năm 2021" in out.markdown and "## 2. Cải cách" in out.markdown  # instruction year, list numbering
    assert unsupported(out.markdown, quotes, ["báo cáo năm 2021"]) == []
    assert placeholders("a [cập nhật: x] b [cập nhật: x]") == ["[cập nhật: x]"]


# ---- with the index of the bundled reports --------------------------------------------------------
def test_fake_model_with_invented_number_is_grounded(asst):
    gen = ScriptedGenerator("Năm 2021, Sở đã tiếp nhận 125 hồ sơ TTHC [1], tăng 15% so với năm 2020.")
    asst.generator = gen  # the assistant's own back-end (llm=None) is the fake model
    d = asst.draft(KH_TTHC)
    intro = next(line for line in d.markdown.split("\n") if line.startswith("*Gợi ý mở đầu"))
    assert "125" not in intro and "15%" not in intro and "[cập nhật: số liệu]" in intro
    assert "Năm 2021" in intro and gen.seen and "Cải cách thủ tục hành chính" in gen.seen[0][1]["content"]
    assert "125" in d.removed and d.backend == "fake:scripted"
    _assert_grounded(asst, d)


def test_section_draft_carries_facts_and_leaves_new_figures_open(asst):
    d = asst.draft(KH_TTHC + ", dựa trên báo cáo CCHC năm 2020.", llm="extractive")
    assert d.sources == ["000_2e45de5cd4b14c3f.txt"] and d.kind == "section"
    md = d.markdown
    assert "### 2. Cải cách thủ tục hành chính" in md
    assert "Quyết định số 48/QĐ-SKHCN ngày 26/3/2020" in md  # decision carried verbatim
    assert "Trong năm 2021, Sở đã tiếp nhận [cập nhật:" in md  # the new period's figure is open
    ref = next(line for line in md.split("\n") if "tiếp nhận 109" in line)
    assert ref.startswith("> *Kỳ trước (năm 2020)* [1]:")  # the old figure only as a cited reference
    assert d.citations[0].quote.startswith("Công tác cải cách hành chính năm 2020")  # period, cited to the title
    assert "### 3. Cơ chế một cửa, một cửa liên thông" in md  # same-area section that follows
    assert not any("109" in line and "2021" in line for line in md.split("\n"))
    task = {"instruction": d.instruction, "key_facts": [
        "Quyết định số 48/QĐ-SKHCN ngày 26/3/2020 áp dụng biên lai điện tử",
        "năm 2020 tiếp nhận 109, giải quyết 108 TTHC"]}
    assert score_draft(task, d.to_json(), asst.doc_text)["key_fact_coverage"] == 1.0
    _assert_grounded(asst, d)


@pytest.mark.parametrize("instruction", OWN_INSTRUCTIONS)
def test_grounding_invariant_on_bundled_reports(asst, instruction):
    d = asst.draft(instruction, llm="extractive")
    assert d.citations and d.placeholders and d.sources
    _assert_grounded(asst, d)


def test_source_choice_and_override(asst):
    d = asst.draft("Soạn mục 'Cải cách thể chế' cho báo cáo năm 2024 của Sở KH&CN Nghệ An", llm="extractive")
    assert d.sources == ["004_174b6c4ae34f5b29.txt"] and "Tham mưu dự thảo Nghị quyết" in d.markdown
    d = asst.draft("Soạn mục 'Cải cách thể chế' cho báo cáo năm 2021", llm="extractive",
                   source_docs=["000_2e45de5cd4b14c3f.txt"])
    assert d.sources == ["000_2e45de5cd4b14c3f.txt"] and "1078/QĐ-UBND" in d.markdown
    d = asst.draft("Soạn mục 'Cải cách thể chế' cho báo cáo năm 2021 của Sở KH&CN Hà Nội", llm="extractive")
    assert d.sources == [] and d.citations == [] and any("Hà Nội" in n for n in d.notes)


def test_outline_lists_updates_and_missing_standard_sections(asst):
    d = asst.draft("Soạn đề cương báo cáo CCHC năm 2024 của Sở KH&CN Nghệ An theo bố cục báo cáo năm 2023",
                   llm="extractive")
    md = d.markdown
    assert d.kind == "outline" and "## I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH" in md
    assert "## IV. PHƯƠNG HƯỚNG, NHIỆM VỤ CCHC NĂM [cập nhật: năm 2025]" in md
    assert md.count("*Cần cập nhật:*") >= 10 and "### Khó khăn, tồn tại, hạn chế" in md
    assert "13/28" in next(line for line in md.split("\n") if "Số liệu kỳ trước" in line and "13/28" in line)
    _assert_grounded(asst, d)


def test_docx_round_trip(asst, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    from assistant.draft_docx import SOURCES_TITLE, write_docx

    d = asst.draft(KH_TTHC, llm="extractive")
    path = write_docx(d, tmp_path / "du-thao.docx")
    doc = Document(str(path))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "2. Cải cách thủ tục hành chính" in heads and SOURCES_TITLE in heads
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Quyết định số 48/QĐ-SKHCN ngày 26/3/2020" in body and "[cập nhật:" in body
    for c in d.citations:  # every citation: report, section and the verbatim quote
        assert f"[{c.n}] " in body and c.section in body and c.quote in body
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman" and fonts.get(qn("w:cs")) == "Times New Roman"
    assert any(r.font.superscript for p in doc.paragraphs for r in p.runs if r.text.startswith("["))


def test_cli_draft_json_and_docx(home_copy, tmp_path):
    from typer.testing import CliRunner

    from cchc.cli import app

    out = tmp_path / "d.docx"
    res = CliRunner().invoke(app, ["draft", KH_TTHC, "--llm", "extractive", "--json", "--docx", str(out),
                                   "--home", str(home_copy), "--embedder", "fake"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout[res.stdout.index("{"):])
    assert {"markdown", "citations", "placeholders"} <= set(obj) and obj["citations"][0]["quote"]
    assert out.exists() and out.stat().st_size > 5000


def test_ui_draft_html_escapes_report_text():
    from assistant.drafting import ReportDraft
    from assistant.records import Citation
    from cchc.ui_draft import draft_html

    evil = '<script>window.__pwned=1</script><img src=x onerror="alert(1)">'
    d = ReportDraft("x", "section", f"## 2. Mục {evil}\n- Nội dung {evil} [1]\n> *Kỳ trước:* cũ [1]\n"
                    "[cập nhật: số hồ sơ]", [Citation(1, "a<b>.txt", evil, evil, 0, 5)])
    html = draft_html(d)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html and "\n" not in html
    assert '<sup class="cchc-n">[1]</sup>' in html and "<mark" in html and "<h4>" in html
