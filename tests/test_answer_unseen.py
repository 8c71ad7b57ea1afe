"""Questions about a report nobody tuned on (tests/data: a fictional Sở Tư pháp Lào Cai 2022
report written for this test, other department, province, symbols and figures than the bundled
samples), answered by the unchanged product code: the proof that nothing is fitted to the samples."""
from pathlib import Path

import pytest

from assistant.api import open_assistant
from evals.textnorm import contains_token

REPORT = Path(__file__).parent / "data" / "bao-cao-so-tu-phap-lao-cai-2022.txt"
QUESTIONS = [  # question, tokens the short answer must hold
    ("Kế hoạch CCHC năm 2022 của Sở Tư pháp Lào Cai được ban hành theo quyết định nào?", ["45/QĐ-STP", "18/01/2022"]),
    ("Kế hoạch CCHC năm 2022 của UBND tỉnh Lào Cai là văn bản số mấy?", ["210/KH-UBND"]),
    ("Ban Chỉ đạo CCHC của Sở Tư pháp Lào Cai được kiện toàn theo quyết định nào?", ["131/QĐ-STP"]),
    ("Ban Chỉ đạo CCHC của Sở Tư pháp Lào Cai có bao nhiêu thành viên?", ["07"]),
    ("Năm 2022 Sở Tư pháp Lào Cai có bao nhiêu hồ sơ trễ hạn?", ["15"]),
    ("Năm 2022 Sở Tư pháp Lào Cai tiếp nhận bao nhiêu hồ sơ thủ tục hành chính?", ["1.245"]),
    ("Tỷ lệ hồ sơ giải quyết trực tuyến của Sở Tư pháp Lào Cai năm 2022 là bao nhiêu phần trăm?", ["87,5%"]),
    ("Chỉ số CCHC năm 2021 của Sở Tư pháp Lào Cai đạt bao nhiêu điểm?", ["86,42"]),
    ("Kế hoạch tuyên truyền CCHC năm 2022 của Sở Tư pháp Lào Cai ban hành ngày nào?", ["02/3/2022"]),
    ("Ai ký báo cáo CCHC năm 2022 của Sở Tư pháp Lào Cai?", ["Trần Thị Mai Anh"]),
    ("so tu phap lao cai nam 2022 co bao nhieu ho so tre han?", ["15"]),
]


@pytest.fixture(scope="module")
def asst(tmp_path_factory):
    home = tmp_path_factory.mktemp("unseen") / "home"
    a = open_assistant(home, llm="extractive", embedder="fake", load_samples=False)
    [status] = a.ingest([REPORT])
    assert status.status == "ingested", status.line()
    return a


@pytest.mark.parametrize("question,tokens", QUESTIONS, ids=[q[0][:40] for q in QUESTIONS])
def test_an_unseen_report_is_answered_short_and_right(asst, question, tokens):
    ans = asst.ask(question)
    assert not ans.abstained, ans.text
    assert all(contains_token(ans.text, t) for t in tokens), ans.text
    assert len(ans.text) <= 220, ans.text  # the fact, not a pasted paragraph
    for c in ans.citations:
        assert asst.doc_text(c.doc)[c.start:c.end] == c.quote


def test_a_year_the_report_does_not_cover_is_declined(asst):
    ans = asst.ask("Năm 2025 Sở Tư pháp Lào Cai có bao nhiêu hồ sơ trễ hạn?")
    assert ans.abstained, ans.text
