"""Answering: extractive answers, per-report blocks, abstention, and code verification of a model."""
import re

import pytest

from assistant.answering import answer_type
from assistant.api import QuestionError, open_assistant, rewrite_followup
from assistant.generators import register_generator
from assistant.verify import facts, verify_answer


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


def test_a_reports_line_prefers_its_sentence_about_the_year_asked(asst):
    """Quảng Ngãi names its 2020 plan only in a footnote ("năm 2020: Quyết định số 314/…")."""
    ans = asst.ask("Quyết định nào đã ban hành kế hoạch cải cách hành chính năm 2020?")
    line = next(x for x in ans.text.splitlines() if "002_66aa62caed93e12d.txt" in x)
    assert "314/QĐ-SKHCHN" in line, ans.text


def test_unknown_province_abstains(asst):
    ans = asst.ask("Sở KH&CN Hà Nội năm 2022 có bao nhiêu thủ tục hành chính trực tuyến?")
    assert ans.abstained and ans.citations == [] and "không" in ans.text.lower()


def test_per_report_answer_cites_each_report(asst):
    ans = asst.ask("Quyết định nào đã ban hành kế hoạch cải cách hành chính năm 2020?")
    docs = {c.doc for c in ans.citations}
    assert len(docs) >= 2, ans.text
    assert ans.text.count("\n- ") == len(docs)  # one line per report, each with its citation(s)
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


def _passages(asst, question, with_unrelated=False):
    """The passages the model would get; ``with_unrelated`` adds one from a hit without 1078."""
    from assistant.generation import build_passages
    from assistant.sentences import rank_units
    from assistant.verify import Passage

    hits = asst.search(question, 5)
    ps = build_passages(question, hits, rank_units(question, hits, asst._idf(question)), asst._idf(question))
    if with_unrelated:
        j = next(j for j, h in enumerate(hits) if "1078" not in h.chunk.text and j + 1 not in {p.n for p in ps})
        c = hits[j].chunk
        ps.append(Passage(j + 1, hits[j], c.start, c.start + 200, c.text[:200]))
    return ps


def test_verify_keeps_grounded_and_drops_invented(asst):
    ps = _passages(asst, "Quyết định 1078/QĐ-UBND ngày 12/5/2020 Quy chế xét tặng Giải thưởng")
    n = next(p.n for p in ps if "1078/QĐ-UBND" in p.text)
    ok = verify_answer(f"Quy chế ban hành theo Quyết định số 1078/QĐ-UBND ngày 12/5/2020 [{n}].", ps)
    assert ok and "1078/QĐ-UBND" in ok.text and ok.citations[0].n == n
    assert ok.citations[0].quote in next(p for p in ps if p.n == n).text and "1078" in ok.citations[0].quote
    bad = verify_answer("Quy chế ban hành theo Quyết định số 9999/QĐ-UBND [1].", ps)
    assert bad is None
    mixed = verify_answer(f"Quyết định số 1078/QĐ-UBND [{n}]. Tổng kinh phí là 777 triệu đồng [1].", ps)
    assert "1078/QĐ-UBND" in mixed.text and "777" not in mixed.text


def test_verify_drops_a_figureless_claim_its_passage_does_not_word(asst):
    ps = _passages(asst, "Quyết định 1078/QĐ-UBND ngày 12/5/2020 Quy chế xét tặng Giải thưởng")
    n = next(p.n for p in ps if "1078/QĐ-UBND" in p.text)
    assert verify_answer(f"Đơn vị chủ trì là Ban Chỉ đạo Trung ương về phòng chống thiên tai [{n}].", ps) is None
    kept = verify_answer(f"Quy chế xét tặng Giải thưởng do UBND tỉnh Khánh Hòa ban hành [{n}].", ps)
    assert kept and kept.citations[0].n == n


def test_verify_adds_missing_citation_and_strips_links(asst):
    ps = _passages(asst, "Quyết định 1078/QĐ-UBND ngày 12/5/2020 Quy chế xét tặng Giải thưởng", True)
    n = next(p.n for p in ps if "1078/QĐ-UBND" in p.text)
    other = next(p.n for p in ps if p.n != n and "1078" not in p.text)
    d = verify_answer(f"Đó là Quyết định 1078/QĐ-UBND [{other}] ![x](http://evil.example/a.png) "
                      f"[xem](https://evil.example) [99].", ps)
    assert d and f"[{n}]" in d.text and "[99]" not in d.text
    assert "evil" not in d.text and "http" not in d.text


def test_comparison_wording_is_not_content():
    from assistant.sentences import content_terms

    terms = content_terms("Quảng Ngãi và Nghệ An mỗi nơi tiếp nhận bao nhiêu hồ sơ TTHC, nơi nào nhiều hơn?")
    assert {"tiep", "nhan", "ho", "tthc"} <= set(terms) and not {"moi", "noi", "nhieu"} & set(terms)


def test_facts_are_numbers_codes_dates():
    assert facts("Quyết định 20/QĐ-SKHCN ngày 30/01/2020, 05 hồ sơ [3]") == {"20/qđ-skhcn", "30/1/2020", "5"}


def test_model_answer_used_when_grounded(home_copy):
    gen = ScriptedGenerator()
    register_generator("scripted", lambda **_: gen)
    asst = open_assistant(home_copy, llm="scripted", embedder="fake")
    q = "Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy?"
    ps = _passages(asst, q)
    n = next(p.n for p in ps if "1078/QĐ-UBND" in p.text)
    gen.reply = f"Quyết định số 1078/QĐ-UBND ngày 12/5/2020 [{n}]."
    events = list(asst.ask_stream(q))
    ans = events[-1]
    assert "".join(e for e in events[:-1]) == gen.reply
    assert ans.text.startswith("Quyết định số 1078/QĐ-UBND") and ans.citations[0].n == n
    assert ans.answered_by == "model" and ans.to_json()["answered_by"] == "model"
    system = gen.seen[0][0]["content"]
    assert "Chỉ trả lời dựa trên" in system
    _assert_quotes_verbatim(asst, ans)


def test_model_invention_falls_back_to_extractive(home_copy):
    gen = ScriptedGenerator("Quyết định số 4242/QĐ-UBND ngày 01/01/2021 [1].")
    register_generator("scripted", lambda **_: gen)
    asst = open_assistant(home_copy, llm="scripted", embedder="fake")
    ans = asst.ask("Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy?")
    assert "4242" not in ans.text and "1078/QĐ-UBND" in ans.text
    assert ans.answered_by == "fallback"


def test_model_failure_falls_back(home_copy):
    class Broken:
        name = "broken"

        def generate(self, *a, **k):
            raise RuntimeError("boom")
            yield ""

    register_generator("broken", lambda **_: Broken())
    asst = open_assistant(home_copy, llm="broken", embedder="fake")
    ans = asst.ask("Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy?")
    assert "1078/QĐ-UBND" in ans.text


def test_grounded_but_unacceptable_model_answers_fall_back(home_copy):
    q = "Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy?"
    gen = ScriptedGenerator()
    register_generator("scripted", lambda **_: gen)
    asst = open_assistant(home_copy, llm="scripted", embedder="fake")
    ps = _passages(asst, q)
    n = next(p.n for p in ps if "1078/QĐ-UBND" in p.text)
    gen.reply = f"Quy chế xét tặng Giải thưởng được UBND tỉnh ban hành [{n}]."  # no decision number
    assert "1078/QĐ-UBND" in asst.ask(q).text
    gen.reply = f"Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa được ban hành theo quyết định số mấy [{n}]."
    assert "1078/QĐ-UBND" in asst.ask(q).text  # restating the question is no answer
