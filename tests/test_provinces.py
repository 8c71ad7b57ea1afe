"""Old and new province names (Nghị quyết 202/2025/QH15): every CSV row, and a report of an old
province (written for this test) found and labelled when asked by the new province's name."""
import csv

import pytest

from assistant.api import open_assistant
from index.retriever import parse_hints
from vocab import provinces as P

ROWS = list(csv.DictReader(P.DATA.open(encoding="utf-8")))

KON_TUM = """SỞ NỘI VỤ TỈNH KON TUM

BÁO CÁO
Kết quả công tác cải cách hành chính năm 2021

Căn cứ Quyết định số 27/QĐ-SNV ngày 20/01/2021 của Giám đốc Sở Nội vụ tỉnh Kon Tum ban hành Kế hoạch cải cách hành chính năm 2021, Sở Nội vụ báo cáo như sau:

I. KẾT QUẢ
- Năm 2021, Sở tiếp nhận 842 hồ sơ, trễ hạn 06 hồ sơ.
"""


def test_every_row_is_loaded_63_old_34_new():
    assert len(ROWS) == 63
    m = P.mapping()
    assert len(m) == 63 and len(set(m.values())) == 34
    for r in ROWS:
        old, new = P.bare(r["province_before_2025"]), P.bare(r["province_from_2025"])
        assert P.new_province(old) == new
        assert old in P.old_provinces(new) and old in P.expand([new])
        assert P.province_label(old) == old or f"nay thuộc" in P.province_label(old) and new in P.province_label(old)


def test_new_names_expand_to_the_old_ones_and_old_names_stay():
    assert set(P.expand(["Quảng Ngãi"])) == {"Quảng Ngãi", "Kon Tum"}
    assert set(P.expand(["Khánh Hòa"])) == {"Khánh Hòa", "Ninh Thuận"}
    assert P.expand(["Kon Tum"]) == ["Kon Tum"]
    assert {"Bình Định", "Gia Lai"} <= set(parse_hints("So KH&CN Gia Lai nam 2020").provinces)
    assert P.after_merger([2026]) and not P.after_merger([2020])


@pytest.fixture(scope="module")
def asst(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kt")
    (folder / "kon-tum-2021.txt").write_text(KON_TUM, encoding="utf-8")
    a = open_assistant(tmp_path_factory.mktemp("kth") / "home", llm="extractive", embedder="fake",
                       load_samples=False)
    a.ingest([folder / "kon-tum-2021.txt"])
    return a


def test_a_kon_tum_report_answers_a_question_naming_quang_ngai(asst):
    ans = asst.ask("Năm 2021 Sở Nội vụ Quảng Ngãi có bao nhiêu hồ sơ trễ hạn?")
    assert not ans.abstained and "06" in ans.text, ans.text
    assert "Kon Tum (nay thuộc tỉnh Quảng Ngãi)" in ans.text
    assert asst.docs()[0].meta.province_now == "Quảng Ngãi"


def test_asked_by_its_old_name_it_answers_without_the_caveat(asst):
    ans = asst.ask("Kế hoạch CCHC năm 2021 của Sở Nội vụ Kon Tum được ban hành theo quyết định nào?")
    assert "27/QĐ-SNV" in ans.text and "nay thuộc" not in ans.text, ans.text


def test_a_period_after_the_merger_is_not_answered_from_a_pre_merger_report(asst):
    ans = asst.ask("Năm 2026 Sở Nội vụ Quảng Ngãi có bao nhiêu hồ sơ trễ hạn?")
    assert ans.abstained, ans.text
