"""Fast tests of the chat UI's pure helpers: escaping, chips, highlighting, scope, exports, auth."""
from __future__ import annotations

import json
from pathlib import Path

from cchc import ui_render as R

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def test_escape_neutralises_html():
    out = R.esc(EVIL)
    assert "<script" not in out and "<img" not in out and "&lt;script&gt;" in out
    assert 'onerror="' not in out and "&quot;" in out


def test_markdown_images_and_links_become_text():
    out = R.safe_text("xem ![logo](http://evil.example/x.png) và [trang](https://evil.example/a \"t\") nhé [1]")
    assert "http" not in out and "logo" in out and "trang" in out and out.endswith("[1]")


def test_chips_link_to_cards_and_skip_unknown_numbers():
    html = R.chips("Kết quả A [1] và B [2] <b>x</b>", turn=3, known=[1])
    assert f'href="#{R.anchor_id(3, 1)}"' in html and ">[1]</a>" in html
    assert "B [2]" in html and "&lt;b&gt;" in html


def test_highlight_marks_exact_span_and_escapes():
    text = "trước <i>câu trích</i> sau"
    html = R.highlight(text, 6, 22, "hit")
    assert html == 'trước <mark id="hit">&lt;i&gt;câu trích&lt;/i&gt;</mark> sau'


def test_source_card_uses_chunk_paragraph_and_marks_quote():
    doc = "Mở đầu. Đoạn một có câu cần trích dẫn ở đây. Đoạn hai." + " x" * 400
    start = doc.index("câu cần")
    span = R.Span(2, "a.txt", "I › 1. Mục", start, start + len("câu cần trích dẫn"), "Khánh Hòa", "năm 2020")
    card = R.source_card(span, doc, 0, chunks=[("a.txt", 8, 52)])
    assert 'id="cchc-src-0-2"' in card and "<mark>câu cần trích dẫn</mark>" in card
    assert "Khánh Hòa · năm 2020 · a.txt" in card and "I › 1. Mục" in card and "Mở đầu" not in card
    assert "\n" not in card


def test_source_card_falls_back_to_context_window():
    doc = "a" * 1000 + "TRICH" + "b" * 1000
    span = R.Span(1, "d.txt", "", 1000, 1005)
    card = R.source_card(span, doc, 1)
    assert "<mark>TRICH</mark>" in card and len(card) < 1000
    assert "không còn toàn văn" in R.source_card(span, None, 1)


def test_answer_html_has_cards_and_no_newlines():
    span = R.Span(1, "<b>.txt", "s", 0, 3)
    html = R.answer_html("dòng 1 [1]\ndòng 2 " + EVIL, [span], 0, [R.source_card(span, "abc def", 0)])
    assert "\n" not in html and "<br>" in html and "<script" not in html and "&lt;b&gt;.txt" in html
    assert "Nguồn trích dẫn" in html


def test_fulltext_marks_hit_for_scrolling():
    text = f"đầu {EVIL}\nđích cuối"
    i = text.index("đích")
    html = R.fulltext_html(text, R.Span(1, "r.txt", "", i, i + 4), "r.txt")
    assert '<mark id="cchc-hit">đích</mark>' in html and "<script" not in html
    assert "Không tìm thấy" in R.fulltext_html(None, None, "<x>.txt")


def test_scope_text():
    assert R.scope_text() == "Phạm vi: tất cả báo cáo"
    assert R.scope_text(["a.txt"], ["Khánh Hòa"], [2020]) == "Phạm vi: 1 báo cáo (a.txt) · tỉnh Khánh Hòa · năm 2020"


def test_markdown_export_lists_citations():
    turns = [{"question": "Q?", "answer": "Đáp [1]", "citations": [
        {"n": 1, "doc": "a.txt", "section": "I", "quote": "trích ![i](http://x/y.png)", "province": "Bình Định",
         "period": "năm 2020"}]}]
    md = R.to_markdown(turns)
    assert "## Câu hỏi 1" in md and "[1] Bình Định, năm 2020 (a.txt)" in md and "> trích i" in md
    assert "http" not in md


def test_docx_export_and_feedback(tmp_path):
    from docx import Document

    from cchc.ui import export_files, record_feedback

    turns = [{"question": "Q?", "answer": "A [1]", "citations": [
        {"n": 1, "doc": "a.txt", "section": "I", "quote": "q", "province": None, "period": None}]}]
    doc = Document(export_files(turns, "docx"))
    assert any("Câu hỏi 1" in p.text for p in doc.paragraphs)
    assert Path(export_files(turns, "md")).read_text(encoding="utf-8").startswith("# Hội thoại")
    assert "Đã ghi nhận" in record_feedback(tmp_path, turns, -1, "down", " sai số liệu ")
    row = json.loads((tmp_path / "feedback.jsonl").read_text(encoding="utf-8"))
    assert row["vote"] == "down" and row["comment"] == "sai số liệu" and row["citations"][0]["doc"] == "a.txt"
    assert "Chưa có" in record_feedback(tmp_path, [], -1, "up")


def test_auth_file_pbkdf2(tmp_path, monkeypatch):
    from cchc.ui import hash_password, load_auth

    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"an": hash_password("mật khẩu", iterations=1000)}), encoding="utf-8")
    check = load_auth(path)
    assert check("an", "mật khẩu") and not check("an", "sai") and not check("bình", "mật khẩu")
    monkeypatch.delenv("CCHC_AUTH_FILE", raising=False)
    assert load_auth(None) is None
    monkeypatch.setenv("CCHC_AUTH_FILE", str(path))
    assert load_auth(None)("an", "mật khẩu")


def test_stage_uploads_uses_generated_names(tmp_path):
    from cchc.ui import stage_uploads

    good, bad = tmp_path / "Báo cáo.txt", tmp_path / "x.exe"
    good.write_text("nội dung", encoding="utf-8")
    bad.write_text("x", encoding="utf-8")
    paths, names, rejected = stage_uploads(tmp_path / "home", [str(good), str(bad)])
    assert names == ["Báo cáo.txt"] and len(rejected) == 1 and "x.exe" in rejected[0]
    assert paths[0].parent == tmp_path / "home" / "uploads" and len(paths[0].stem) == 32
    assert paths[0].suffix == ".txt" and paths[0].read_text(encoding="utf-8") == "nội dung"


def test_doc_label_names_the_report_with_its_file_secondary():
    from ingest.records import DocMeta

    meta = DocMeta(title="BÁO CÁO Công tác cải cách hành chính 6 tháng", province="Bình Định",
                   body="Sở Khoa học và Công nghệ", doc_type="báo cáo", period="6 tháng đầu năm 2020")
    label = R.doc_label(meta, "003_x.txt")
    assert "Báo cáo Công tác cải cách hành chính 6 tháng" in label and "Sở Khoa học và Công nghệ" in label
    assert "Bình Định (nay thuộc tỉnh Gia Lai) · 6 tháng đầu năm 2020" in label
    assert label.index("003_x.txt") > label.index("Gia Lai") and 'class="cchc-doc-name">003_x.txt' in label
    assert R.title_of(DocMeta(title="Số: /BC-SKHCN", doc_type="báo cáo")) == "Báo cáo"  # not a title
    span = R.Span(1, "003_x.txt", "I", 0, 3, "Bình Định", "6 tháng đầu năm 2020")
    assert "cchc-doc-title" in R.source_card(span, "abc def", 0, meta=meta)


def test_footnote_marks_render_as_superscripts_and_other_tags_stay_text():
    out = R.chips("04 văn bản QPPL<sup>3</sup> và <sup>x</sup> [1]", 0, [1])
    assert "QPPL<sup>3</sup>" in out and "&lt;sup&gt;x&lt;/sup&gt;" in out and "cchc-chip" in out


def test_quick_answer_is_marked_checking_and_final_is_not():
    quick = R.answer_html("Nhanh [1]", [R.Span(1, "a.txt", "", 0, 1)], 2, checking=True, rewritten="Hỏi <b>lại</b>")
    assert R.CHECKING in quick and "cchc-final" not in quick and "Hiểu là: Hỏi &lt;b&gt;lại&lt;/b&gt;" in quick
    final = R.answer_html("Xong", [], 2)
    assert R.CHECKING not in final and "cchc-final" in final and "Hiểu là" not in final
    assert "Nguồn của câu trả lời 3" in R.sources_html(["<div>c</div>"], 2)
    assert "sẽ hiện ở đây" in R.sources_html([]) and "<li>Câu &lt;2&gt;</li>" in R.waiting_html(["Câu <2>"])


def test_questions_typed_while_one_is_answered_are_answered_in_order():
    from cchc.ui_chat import Waiting, make_drain, make_enqueue

    class Req:
        session_hash = "s1"

    answered = []

    def respond(question, chat, turns, *scope):
        answered.append(question)
        if question == "một":  # while the first is answered, the user sends two more
            assert enqueue("hai", [], [], [], Req())[0] == "" and enqueue("ba", [], [], [], Req())[0] == ""
            assert len(list(make_drain(respond, waiting)([], [], Req()))) == 1  # a second drain leaves at once
        yield chat + [question], turns + [question], "", f"panel {question}"

    waiting = Waiting(limit=2)
    enqueue = make_enqueue(waiting)
    enqueue("một", [], [], [], Req())
    *_, last = make_drain(respond, waiting)([], [], Req())
    assert answered == ["một", "hai", "ba"] and last[0] == ["một", "hai", "ba"] and last[2] == "panel ba"
    assert last[4] == "" and waiting.claim("s1")  # the line is empty and the drain has ended
