"""Selection mechanisms on composed sentences (no index): each test fails without its term."""
from assistant.answer.candidates import numbers, propose, references
from assistant.answer.engine import candidates_for
from assistant.answer.question import analyse
from assistant.answer.select import rank
from assistant.sentences import Unit


def _unit(text: str, i: int = 0, score: float = 0.5) -> Unit:
    return Unit(i, "bao-cao.txt", 1000 * i, 1000 * i + len(text), text, score)


def test_the_plan_named_by_its_own_modifier_is_chosen():
    # two footnotes of one report, same year, same shape: only what the plan is tells them apart
    units = [_unit("<sup>3</sup> Sở ban hành Kế hoạch kiểm soát thủ tục hành chính năm 2023: Quyết định số "
                   "31/QĐ-STNMT ngày 20/02/2023.", 0, 0.55),
             _unit("<sup>4</sup> Sở ban hành Kế hoạch cải cách hành chính năm 2023: Quyết định số "
                   "05/QĐ-STNMT ngày 09/01/2023.", 1, 0.5)]
    q = analyse("Kế hoạch CCHC năm 2023 của Sở được ban hành theo quyết định nào?")
    ranked = rank(q, [c for u in units for c in references(u)], units, {})
    assert ranked[0].code == "05/QĐ-STNMT"


def test_a_sentence_that_enumerates_what_is_asked_beats_one_naming_the_topic():
    units = [_unit("Sở đẩy mạnh ứng dụng các phần mềm trong quản lý, điều hành.", 0, 0.55),
             _unit("Sở còn dùng các phần mềm khác như: quản lý đề tài; quản lý nhân sự; kế toán.", 1, 0.5)]
    q = analyse("Ngoài văn phòng điện tử, Sở còn dùng những phần mềm nào?")
    ranked = rank(q, propose("clause", units), units, {})
    assert ranked[0].unit is units[1]


def test_a_count_of_procedures_does_not_answer_a_count_of_dossiers():
    u = _unit("Sở đã rà soát, đăng ký đơn giản hóa 04 thủ tục hành chính thuộc thẩm quyền giải quyết.")
    q = analyse("Sở đã tiếp nhận bao nhiêu hồ sơ TTHC?")
    assert [c.value for c in numbers(u)] == ["04"]
    assert candidates_for(q, [u], {}, []) == []
