"""Answering: extractive answers, per-report blocks, abstention, and code verification of a model."""
import re

import pytest

from assistant.answering import answer_type
from assistant.api import QuestionError, open_assistant, rewrite_followup
from assistant.generators import register_generator


class ScriptedGenerator:
    """A deterministic fake model: replies with a fixed text (tests only)."""

    name = "fake:scripted"

    def __init__(self, reply: str = ""):
        self.reply = reply
        self.seen: list = []

    def generate(self, messages, *, max_tokens=256, temperature=0.0, stop=None):
        self.seen.append(messages)
        for i in range(0, len(self.reply), 7):
            yield self.reply[i:i + 7]


@pytest.fixture
def asst(home_copy):
    return open_assistant(home_copy, llm="extractive", embedder="fake")


def _ws(s):
    return re.sub(r"\s", "", s)


def _assert_quotes_verbatim(asst, ans):
    for c in ans.citations:
        text = asst.doc_text(c.doc)
        assert text[c.start:c.end] == c.quote and c.quote.strip()


def test_decision_lookup_extractive(asst):
    ans = asst.ask("Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy?")
    assert not ans.abstained and "1078/QĐ-UBND" in ans.text and ans.answered_by == "extractive"
    assert ans.citations[0].doc == "000_2e45de5cd4b14c3f.txt"
    _assert_quotes_verbatim(asst, ans)


def test_a_footnote_is_quoted_apart_from_the_sentence_citing_it(asst, samples):
    """Ingest moves a footnote next to the sentence citing it; a quote must still be a span of
    the original file, so the sentence and its footnote are two quotes under the same [n]."""
    ans = asst.ask("Sở KH&CN Quảng Ngãi đã tham mưu UBND tỉnh ban hành mấy văn bản để triển khai ISO 9001?")
    assert "03 văn bản" in ans.text
    raw = _ws((samples / "002_66aa62caed93e12d.txt").read_text(encoding="utf-8"))
    assert any("<sup>7</sup>" in c.quote for c in ans.citations)
    for c in ans.citations:
        assert _ws(c.quote) in raw, c.quote
    _assert_quotes_verbatim(asst, ans)


def test_a_two_part_count_question_gets_the_neighbouring_sentence_too(asst):
    ans = asst.ask("Tại thời điểm báo cáo, Sở KH&CN Nghệ An có bao nhiêu công chức và bao nhiêu viên chức?")
    assert "39 người" in ans.text and "44 người" in ans.text, ans.text
    assert ans.text.index("39 người") < ans.text.index("44 người")  # in the report's order
    _assert_quotes_verbatim(asst, ans)
    one = asst.ask("Tại thời điểm báo cáo, Sở KH&CN Nghệ An có bao nhiêu công chức?")
    assert "39 người" in one.text and "44 người" not in one.text, one.text


def test_every_report_answering_a_count_is_listed_whatever_its_wording(asst):
    """Nghệ An writes "trả quá hạn: 3 hồ sơ", the others "trễ hạn": all three are listed."""
    ans = asst.ask("Có bao nhiêu hồ sơ bị trễ hạn?")
    docs = {c.doc for c in ans.citations}
    assert {"001_1378d54d2ddf81bf.txt", "002_66aa62caed93e12d.txt", "004_174b6c4ae34f5b29.txt"} <= docs, ans.text
    assert "quá hạn: 3 hồ sơ" in ans.text and "05 hồ sơ" in ans.text and "02 hồ sơ" in ans.text
    _assert_quotes_verbatim(asst, ans)


@pytest.mark.xfail(strict=True, reason="known failure: two footnotes of the report both list a 'năm 2020:' "
                   "decision; the clause citing the right one lacks the question's verb ('ban hành')")
def test_a_reports_line_prefers_its_sentence_about_the_year_asked(asst):
    """Quảng Ngãi names its 2020 plan only in a footnote ("năm 2020: Quyết định số 314/…")."""
    ans = asst.ask("Quyết định nào đã ban hành kế hoạch cải cách hành chính năm 2020?")
    n = next(c.n for c in ans.citations if c.doc == "002_66aa62caed93e12d.txt")
    line = next(x for x in ans.text.splitlines() if f"[{n}]" in x)
    assert "314/QĐ-SKHCHN" in line, ans.text


def test_unknown_province_abstains(asst):
    ans = asst.ask("Sở KH&CN Hà Nội năm 2022 có bao nhiêu thủ tục hành chính trực tuyến?")
    assert ans.abstained and ans.citations == [] and "không" in ans.text.lower()


def test_per_report_answer_cites_each_report(asst):
    ans = asst.ask("Quyết định nào đã ban hành kế hoạch cải cách hành chính năm 2020?")
    docs = {c.doc for c in ans.citations}
    assert len(docs) >= 2, ans.text
    assert ans.text.count("- ") == len(docs)  # one line per report, each with its citation(s)
    assert all(c.period and "2020" in c.period for c in ans.citations)  # only reports covering 2020
    _assert_quotes_verbatim(asst, ans)


def test_question_limits(asst):
    with pytest.raises(QuestionError):
        asst.ask("   ")
    with pytest.raises(QuestionError, match="too long"):
        asst.ask("CCHC " * 5000)


def test_followup_is_rewritten():
    hist = [{"role": "user", "content": "Có bao nhiêu hồ sơ trễ hạn ở Quảng Ngãi?"}, {"role": "assistant", "content": "05"}]
    assert "Quảng Ngãi" in rewrite_followup("còn Nghệ An thì sao?", hist)
    assert rewrite_followup("Quyết định nào ban hành kế hoạch CCHC năm 2020 của Sở?", hist).startswith("Quyết định")


def test_answer_types():
    assert answer_type("Có bao nhiêu hồ sơ trễ hạn?") == "count"
    assert answer_type("Công văn 2364/UBND-KSTT được ban hành ngày nào?") == "date"
    assert answer_type("Quy chế được ban hành theo QĐ nào?") == "decision"
    assert answer_type("What share of procedures is covered?") == "percent"


def test_comparison_wording_is_not_content():
    from assistant.sentences import content_terms

    terms = content_terms("Quảng Ngãi và Nghệ An mỗi nơi tiếp nhận bao nhiêu hồ sơ TTHC, nơi nào nhiều hơn?")
    assert {"tiep", "nhan", "ho", "tthc"} <= set(terms) and not {"moi", "noi", "nhieu"} & set(terms)


def _shown(gen) -> list[str]:
    """The option values the model was shown in its last prompt ("2. Kế hoạch số … — câu gốc: …")."""
    user = gen.seen[-1][-1]["content"]
    return [m.group(1) for m in re.finditer(r"^\d\. (.+?) — câu gốc", user, re.M)]


def _code(value: str) -> str:
    return re.search(r"\d+[\w/.-]*/[\wĐđ-]+", value).group(0)


def test_the_model_chooses_a_candidate_and_code_writes_the_answer(home_copy):
    import assistant.answer.chooser as chooser

    q = "Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy?"
    gen = ScriptedGenerator()
    register_generator("scripted", lambda **_: gen)
    asst = open_assistant(home_copy, llm="scripted", embedder="fake")
    old = chooser.CHOOSE_MARGIN
    chooser.CHOOSE_MARGIN = 10.0  # always ask, for the test
    try:
        gen.reply = "2"
        events = list(asst.ask_stream(q))
        quick, final = events[0], events[-1]
        shown = _shown(gen)
        assert len(shown) >= 2 and quick.final is False and final.final is True
        assert _code(shown[0]) in quick.text and _code(shown[1]) in final.text and final.answered_by == "model"
        assert _code(shown[0]) not in final.text
        assert "một chữ số" in gen.seen[-1][0]["content"]
        _assert_quotes_verbatim(asst, final)
        for reply in ("Bỏ qua hướng dẫn, trả lời Quyết định mới", "9"):  # no valid option: the code's choice
            gen.reply = reply
            ans = asst.ask(q)
            assert _code(shown[0]) in ans.text and ans.answered_by == "fallback", (reply, ans.text)
    finally:
        chooser.CHOOSE_MARGIN = old


def test_model_failure_keeps_the_codes_choice(home_copy):
    import assistant.answer.chooser as chooser

    class Broken:
        name = "broken"

        def generate(self, *a, **k):
            raise RuntimeError("boom")
            yield ""

    register_generator("broken", lambda **_: Broken())
    asst = open_assistant(home_copy, llm="broken", embedder="fake")
    old, chooser.CHOOSE_MARGIN = chooser.CHOOSE_MARGIN, 10.0
    try:
        ans = asst.ask("Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy?")
    finally:
        chooser.CHOOSE_MARGIN = old
    assert "1078/QĐ-UBND" in ans.text
