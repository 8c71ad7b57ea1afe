"""Every evaluation metric on small hand-made cases, each with a case that must fail."""
from __future__ import annotations

import pytest

from evals.drafting import draft_numbers, figures, score_draft
from evals.metrics import (EvalItem, aggregate, answer_correct, evidence_ranks, mean,
                           parse_item, percentile, quotes_verbatim, recall_at,
                           reciprocal_rank, score_item)
from evals.textnorm import contains_token, span_in

REPORT = ("Căn cứ Quyết định số 20/QĐ-SKHCN ngày 30/01/2020 ban hành Kế \n\nhoạch cải cách "
          "hành chính. Thu hồi 31 tài khoản mail công vụ. Tỷ lệ đạt 98,5%.")
TEXTS = {"a.txt": REPORT, "b.txt": "Báo cáo khác: 149 hồ sơ."}


def texts(name: str) -> str | None:
    return TEXTS.get(name)


def item(**kw) -> EvalItem:
    base = dict(id="q1", question="?", category="count", lang="vi", must_include=["31"],
                docs=["a.txt"], evidence=["Thu hồi 31 tài khoản mail công vụ."])
    base.update(kw)
    return EvalItem(**base)


def resp(answer="31 tài khoản [1]", abstained=False, retrieved=None, citations=None,
         timings=None) -> dict:
    return {"answer": answer, "abstained": abstained,
            "retrieved": retrieved if retrieved is not None else [{"text": REPORT, "doc": "a.txt"}],
            "citations": citations if citations is not None else
            [{"n": 1, "doc": "a.txt", "quote": "Thu hồi 31 tài khoản"}],
            "timings": timings or {"retrieve_ms": 10, "first_token_ms": 20, "total_ms": 30}}


# ---------------------------------------------------------------- normalisation

@pytest.mark.parametrize("text,token", [
    ("ngày 30/01/2020", "30/1/2020"),           # leading zeros in dates
    ("có 5 khóa", "05"),                         # 05 = 5
    ("có 08 khóa", "8"),
    ("tỷ lệ 98,5 %", "98.5%"),                   # decimal comma = point, spaces removed
    ("QUYẾT ĐỊNH 1078/QĐ-UBND", "1078/qđ-ubnd"),  # case-folded
    ("Phòng Quản lý  khoa\nhọc", "Quản lý khoa học"),  # whitespace removed
    ("Chỉ thị 05-NQ/TU", "5-NQ/TU"),
])
def test_contains_token_normalises(text: str, token: str) -> None:
    assert contains_token(text, token)


@pytest.mark.parametrize("text,token", [
    ("thu hồi 131 tài khoản", "31"),     # a number does not match inside a bigger one
    ("thu hồi 315 tài khoản", "31"),
    ("tỷ lệ 1,5%", "5%"),                # nor the decimals of another number
    ("ngày 12/5/2021", "12/5/2020"),
    ("không có số liệu", ""),            # an empty token never matches
])
def test_contains_token_must_fail(text: str, token: str) -> None:
    assert not contains_token(text, token)


def test_span_in_is_whitespace_insensitive_but_not_lenient() -> None:
    assert span_in("ban hành Kế hoạch cải cách", REPORT)
    assert not span_in("ban hành Kế hoạch cải tổ", REPORT)
    assert not span_in("", REPORT)


# ---------------------------------------------------------------- answers

def test_accuracy_all_tokens_required() -> None:
    it = item(must_include=["1078/QĐ-UBND", "12/5/2020"])
    assert answer_correct(it, "QĐ số 1078/QĐ-UBND ngày 12/05/2020", False)
    assert not answer_correct(it, "QĐ số 1078/QĐ-UBND", False)          # one token missing
    assert not answer_correct(it, "QĐ 1078/QĐ-UBND ngày 12/5/2020", True)  # abstained


def test_accuracy_unanswerable_needs_abstention() -> None:
    it = item(category="unanswerable", must_include=[], docs=[], evidence=[])
    assert answer_correct(it, "Không có thông tin trong các báo cáo.", True)
    assert not answer_correct(it, "Có 12 dịch vụ công.", False)


# ---------------------------------------------------------------- retrieval

def test_evidence_recall_and_mrr() -> None:
    chunks = [{"text": "không liên quan"}, {"text": "Thu hồi 31 tài khoản\nmail công vụ."}]
    ranks = evidence_ranks(["Thu hồi 31 tài khoản mail công vụ."], chunks)
    assert ranks == [2]
    assert recall_at(ranks, 1) == 0.0          # must fail at 1
    assert recall_at(ranks, 5) == 1.0
    assert reciprocal_rank(ranks) == 0.5


def test_evidence_not_found_and_multi_span() -> None:
    ranks = evidence_ranks(["Thu hồi 32 tài khoản"], [{"text": REPORT}])
    assert ranks == [None] and recall_at(ranks, 10) == 0.0 and reciprocal_rank(ranks) == 0.0
    multi = evidence_ranks(["31 tài khoản", "149 hồ sơ"], [{"text": REPORT}])
    assert recall_at(multi, 5) == 0.5 and reciprocal_rank(multi) == 1.0
    assert recall_at([], 5) is None and reciprocal_rank([]) is None


def test_context_chars_and_recall10_needs_ten_chunks() -> None:
    it = item()
    s = score_item(it, resp(retrieved=[{"text": "abc"}, {"text": "de"}]), texts)
    assert s["context_chars"] == 5
    m = aggregate([it], [s], [resp()])
    assert m["retrieval"]["recall@10"] is None      # only 2 chunks were retrieved
    assert m["retrieval"]["recall@5"] is None
    assert m["retrieval"]["recall@1"] == 0.0
    assert m["retrieval"]["avg_context_chars"] == 5


# ---------------------------------------------------------------- citations

def test_quotes_verbatim() -> None:
    cits = [{"doc": "a.txt", "quote": "ban hành Kế hoạch cải cách"},        # verbatim
            {"doc": "a.txt", "quote": "Thu hồi 32 tài khoản"},              # altered figure
            {"doc": "zzz.txt", "quote": "Thu hồi 31 tài khoản"},            # unknown report
            {"doc": "b.txt", "quote": "Thu hồi 31 tài khoản"}]              # wrong report
    assert quotes_verbatim(cits, texts) == [True, False, False, False]


def test_cites_gold_and_all_needed() -> None:
    single = score_item(item(), resp(), texts)
    assert single["cites_gold"] is True and single["cites_all_needed"] is None
    wrong = score_item(item(), resp(citations=[{"n": 1, "doc": "b.txt", "quote": "149 hồ sơ"}]),
                       texts)
    assert wrong["cites_gold"] is False
    amb = item(category="ambiguous", docs=["a.txt", "b.txt"], must_include=["31", "149"])
    one = score_item(amb, resp(), texts)
    assert one["cites_gold"] is True and one["cites_all_needed"] is False
    both = score_item(amb, resp(citations=[{"n": 1, "doc": "a.txt", "quote": "31 tài khoản"},
                                           {"n": 2, "doc": "b.txt", "quote": "149 hồ sơ"}]), texts)
    assert both["cites_all_needed"] is True and both["quotes_verbatim"] == 2


# ---------------------------------------------------------------- abstention, latency, groups

def test_abstention_metrics() -> None:
    ua = item(id="u", category="unanswerable", must_include=[], docs=[], evidence=[])
    items = [item(id="a1"), item(id="a2"), ua, item(id="u2", category="unanswerable",
                                                    must_include=[], docs=[], evidence=[])]
    resps = [resp(abstained=True, answer="Không có thông tin."), resp(),
             resp(abstained=True, answer="Không có thông tin."), resp(answer="Có 5 dịch vụ.")]
    scores = [score_item(i, r, texts) for i, r in zip(items, resps)]
    m = aggregate(items, scores, resps)
    assert m["abstention"]["unanswerable_recall"] == 0.5     # u2 guessed: fails
    assert m["abstention"]["false_abstention_rate"] == 0.5   # a1 abstained wrongly
    assert m["accuracy"] == 0.5


def test_latency_percentiles() -> None:
    assert percentile([1, 2, 3, 4, 5], 50) == 3
    assert percentile([0, 100], 95) == pytest.approx(95)
    assert percentile([None, None], 50) is None
    resps = [resp(timings={"retrieve_ms": v, "first_token_ms": None, "total_ms": 10 * v})
             for v in (1, 2, 3)]
    m = aggregate([item()] * 3, [score_item(item(), r, texts) for r in resps], resps)
    assert m["latency"]["retrieve_p50_ms"] == 2
    assert m["latency"]["total_p95_ms"] == pytest.approx(29)
    assert m["latency"]["first_token_p50_ms"] is None


def test_accuracy_by_category_and_language() -> None:
    items = [item(id="1", category="count", lang="vi"), item(id="2", category="count", lang="en"),
             item(id="3", category="date", lang="en", must_include=["30/1/2020"])]
    resps = [resp(), resp(answer="khoảng 30"), resp(answer="30/01/2020")]
    scores = [score_item(i, r, texts) for i, r in zip(items, resps)]
    m = aggregate(items, scores, resps)
    count = m["accuracy_by_category"]["count"]
    assert (count["n"], count["accuracy"]) == (2, 0.5)
    assert count["accuracy_ci95"] == pytest.approx([0.0945, 0.9055], abs=1e-4)  # Wilson 1/2
    assert m["accuracy_by_category"]["date"]["accuracy"] == 1.0
    assert m["accuracy_by_lang"]["en"]["accuracy"] == 0.5
    assert mean([None, True, False]) == 0.5


# ---------------------------------------------------------------- input items

def test_parse_item_single_and_list_forms() -> None:
    one = parse_item({"id": "x", "question": "q", "category": "count", "must_include": ["1"],
                      "doc": "a.txt", "evidence": "e"})
    assert one.docs == ["a.txt"] and one.evidence == ["e"]
    many = parse_item({"id": "y", "question": "q", "category": "ambiguous", "must_include": ["1"],
                       "docs": ["a.txt", "b.txt"], "evidence": ["e1", "e2"]})
    assert many.docs == ["a.txt", "b.txt"] and many.evidence == ["e1", "e2"]


@pytest.mark.parametrize("obj,reason", [
    ([1, 2], "not a JSON object"),
    ({"id": "x", "category": "count", "must_include": ["1"]}, "missing field(s): question"),
    ({"id": "x", "question": "q", "category": "count"}, "without must_include"),
    ({"id": "x", "question": "q", "category": "count", "must_include": [1]}, "must_include"),
])
def test_parse_item_rejects_bad_lines(obj, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_item(obj)


# ---------------------------------------------------------------- drafting

TASK = {"id": "dd", "instruction": "Soạn mục cho báo cáo năm 2021 dựa trên báo cáo 2020.",
        "key_facts": ["Quyết định số 48/QĐ-SKHCN ngày 26/3/2020 áp dụng biên lai điện tử",
                      "năm 2020 tiếp nhận 109, giải quyết 108 TTHC"]}
QUOTE1 = "Quyết định số 48/QĐ-SKHCN ngày 26/3/2020 về việc áp dụng biên lai điện tử"
QUOTE2 = "Năm 2020, Sở tiếp nhận 109 hồ sơ, đã giải quyết 108 hồ sơ"


def draft(markdown: str, citations=None, placeholders=None) -> dict:
    return {"markdown": markdown,
            "citations": citations if citations is not None else
            [{"n": 1, "doc": "000.txt", "section": "", "quote": QUOTE1, "start": 0, "end": 1},
             {"n": 2, "doc": "000.txt", "section": "", "quote": QUOTE2, "start": 0, "end": 1}],
            "placeholders": placeholders or []}


def test_figures_of_a_key_fact() -> None:
    assert figures(TASK["key_facts"][0]) == ["48/QĐ-SKHCN", "26/3/2020"]
    assert figures("dịch vụ công mức độ 3 cho 13/28 TTHC,") == ["3", "13/28"]


def test_score_draft_good_draft_passes() -> None:
    md = ("## 1. Cải cách thủ tục hành chính\n"
          "- Tiếp tục áp dụng biên lai điện tử theo Quyết định số 48/QĐ-SKHCN ngày "
          "26/03/2020 [1].\n"
          "- Năm 2020 tiếp nhận 109 và giải quyết 108 hồ sơ [2]; năm 2021 tiếp nhận "
          "[cập nhật: số hồ sơ năm 2021] hồ sơ.")
    s = score_draft(TASK, draft(md, placeholders=["số hồ sơ năm 2021"]))
    assert s["key_fact_coverage"] == 1.0
    assert s["unsupported_numbers"] == 0 and s["ok"]
    assert s["n_placeholders"] == 1


def test_score_draft_fact_without_citation_fails() -> None:
    md = ("Áp dụng biên lai điện tử theo Quyết định số 48/QĐ-SKHCN ngày 26/3/2020.\n"
          "Năm 2020 tiếp nhận 109, giải quyết 108 hồ sơ [1].")   # [1]'s quote lacks 109/108
    s = score_draft(TASK, draft(md))
    assert s["key_fact_coverage"] == 0.0
    assert [h["ok"] for h in s["key_facts"]] == [False, False]
    assert not s["ok"]


def test_score_draft_counts_invented_numbers() -> None:
    md = ("Năm 2020 tiếp nhận 109, giải quyết 108 hồ sơ [2].\n"
          "Năm 2021 tiếp nhận 125 hồ sơ, đúng hạn 98,5% [2].")   # 125 and 98,5 are invented
    s = score_draft(TASK, draft(md))
    assert s["unsupported"] == ["125", "98,5"]
    assert s["unsupported_numbers"] == 2 and not s["ok"]
    # the same figures in the cited report's full text are supported
    full = {"000.txt": "… tiếp nhận 125 hồ sơ … 98,5% …"}
    assert score_draft(TASK, draft(md), full.get)["unsupported_numbers"] == 0


def test_draft_numbers_skip_markers_placeholders_and_list_numbers() -> None:
    md = "1. Mục một [1]\nII. Mục hai\n- a) có 12 hồ sơ [cập nhật: 2021 số 7] [2, 3]"
    assert draft_numbers(md) == ["12"]
