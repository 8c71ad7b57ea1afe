"""The model's context: tight passages chosen by code, and counts checked against them."""
from assistant.api import open_assistant
from assistant.generation import CONTEXT_CHARS, build_passages, detached_counts, messages_for
from assistant.sentences import rank_units
from assistant.verify import Passage


def _built(asst, question):
    hits, _, _ = asst._plan(question, None)
    idf = asst._idf(question)
    return build_passages(question, hits, rank_units(question, hits, idf), idf), hits


def test_passages_are_tight_verbatim_and_numbered_by_hit(built_home):
    asst = open_assistant(built_home, embedder="fake")
    for q in ("Tại thời điểm báo cáo CCHC năm 2023, Sở KH&CN Nghệ An có bao nhiêu công chức và bao nhiêu "
              "viên chức trong biên chế?", "Quy chế xét tặng Giải thưởng KH&CN tỉnh Khánh Hòa ban hành theo QĐ nào?"):
        ps, hits = _built(asst, q)
        assert ps and sum(len(p.text) for p in ps) <= CONTEXT_CHARS
        for p in ps:
            assert p.hit is hits[p.n - 1]
            assert asst.doc_text(p.hit.chunk.doc_name)[p.start:p.end] == p.text
        user = messages_for(q, ps)[-1]["content"]
        assert q in user and all(f"[{p.n}]" in user for p in ps)
        assert ".txt" not in user  # no file names: every token costs prefill time


def test_second_sentence_joins_when_it_covers_what_the_first_misses(built_home):
    asst = open_assistant(built_home, embedder="fake")
    ps, _ = _built(asst, "Tại thời điểm báo cáo CCHC năm 2023, Sở KH&CN Nghệ An có bao nhiêu công chức và "
                         "bao nhiêu viên chức trong biên chế?")
    text = " ".join(p.text for p in ps)
    assert "39 người" in text and "44 người" in text


def test_detached_counts():
    ps = [Passage(1, None, 0, 0, "Số biên chế viên chức có mặt tại là 44 người; công chức là 39 người."),
          Passage(2, None, 0, 0, "3 Giấy chứng nhận doanh nghiệp khoa học và công nghệ 10 ngày làm việc 07 ngày làm việc")]
    assert detached_counts("Có 44 công chức [1].", ps) == ["44"]
    assert detached_counts("còn 3 ngày [2]", ps) == ["3"]
    assert detached_counts("còn 7 ngày làm việc [2]; 39 người là công chức [1]", ps) == []
    assert detached_counts("Quyết định 20/QĐ-SKHCN ngày 30/01/2020 [1]", ps) == []


def test_model_count_on_the_wrong_noun_falls_back_to_the_source_sentence(home_copy):
    from assistant.generators import register_generator
    from tests.fakes import ScriptedGenerator

    gen = ScriptedGenerator()
    register_generator("scripted-count", lambda **_: gen)
    asst = open_assistant(home_copy, llm="scripted-count", embedder="fake")
    q = ("Tại thời điểm báo cáo CCHC năm 2023, Sở KH&CN Nghệ An có bao nhiêu công chức và bao nhiêu viên chức "
         "trong biên chế?")
    ps, _ = _built(asst, q)
    n = next(p.n for p in ps if "44 người" in p.text and "39 người" in p.text)
    gen.reply = f"Có 44 công chức và 39 viên chức [{n}]."  # swapped: the report has them the other way
    ans = asst.ask(q)
    assert gen.seen and "44 công chức" not in ans.text and not ans.abstained and ans.citations
    gen.reply = f"Công chức là 39 người, viên chức là 44 người [{n}]."
    assert asst.ask(q).text.startswith("Công chức là 39 người")
