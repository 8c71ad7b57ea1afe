"""Tone restoration of toneless questions, from the reports' own words."""
from index.tones import ToneRestorer, is_toneless
from assistant.sentences import TYPE_PATTERNS

REPORT = ("Năm 2023, Sở Khoa học và Công nghệ cử trên 35 lượt công chức, viên chức tham gia các lớp "
          "đào tạo, bồi dưỡng. Số hồ sơ trễ hạn là 05 hồ sơ. Kế hoạch cải cách hành chính năm 2020.")


def test_restores_tones_from_corpus_and_question_words():
    r = ToneRestorer([REPORT])
    assert r.restore("nam 2023 So KH&CN cu bao nhieu luot cong chuc, vien chuc tham gia dao tao, boi duong?") == \
        "năm 2023 Sở KH&CN cử bao nhiêu lượt công chức, viên chức tham gia đào tạo, bồi dưỡng?"
    assert r.restore("Co bao nhieu ho so tre han?") == "Có bao nhiêu hồ sơ trễ hạn?"


def test_leaves_toned_and_unknown_words_alone():
    r = ToneRestorer([REPORT])
    assert r.restore("Có bao nhiêu hồ sơ trễ han?") == "Có bao nhiêu hồ sơ trễ han?"  # already has tones
    assert r.restore("xyzzy 20/QĐ-SKHCN") == "xyzzy 20/QĐ-SKHCN"
    assert is_toneless("ke hoach cchc") and not is_toneless("kế hoạch") and not is_toneless("Đ") \
        and not is_toneless("2020")


def test_count_ignores_codes_dates_and_years():
    count = TYPE_PATTERNS["count"]
    assert not count.search("Quyết định số 4764/QĐ-UBND ngày 28/12/2018 của UBND tỉnh năm 2019; ISO 9001:2015")
    assert count.findall("có 05 phòng, tiếp nhận 1.234 hồ sơ, đạt 95,5 điểm") == ["05", "1.234", "95,5"]


def test_dictionary_words_decide_when_the_reports_never_pair_the_syllables():
    """The reports write "Sở" more often than "số" and never "số hóa": underthesea's word list
    knows "số hoá" is a word."""
    from index.tones import ToneRestorer, lexicon_pairs

    assert ("số", "hóa") in lexicon_pairs()  # canonical tone placement, as in the index
    r = ToneRestorer(["Sở Khoa học. Sở Nội vụ. Số liệu. Hóa đơn điện tử. Hồ sơ."])
    assert r.restore("so hoa ho so") == "số hóa hồ sơ"
