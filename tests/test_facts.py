"""Facts extraction on report text the team wrote (other provinces, departments, shapes) and on the samples."""
import collections
import glob
import json
import pathlib
import re

from ingest.facts import DocRef, extract_facts, extract_lists, extract_people, extract_quantities, extract_references

DATA = pathlib.Path(__file__).parent / "data"
CORPUS = sorted(glob.glob(str(pathlib.Path(__file__).parents[1] / "cchc" / "samples" / "*.txt")))


def _gold():
    return [json.loads(line) for line in (DATA / "facts_gold_composed.jsonl").read_text().splitlines() if line]


def test_composed_gold_numbers_and_attachments():
    gold = found = right = attached = total_attr = 0
    for item in _gold():
        got = {r.number: r for r in extract_references(item["text"])}
        gold += len(item["refs"])
        found += len(got)
        for g in item["refs"]:
            r = got.get(g["number"])
            if r is None:
                print("MISSED", g["number"])
                continue
            right += 1
            for key in ("kind", "date", "issuer", "subject"):
                total_attr += 1
                ok = getattr(r, key) == g[key]
                attached += ok
                if not ok:
                    print("ATTR", g["number"], key, repr(getattr(r, key)), "!=", repr(g[key]))
    print(f"recall {right / gold:.3f} precision {right / found:.3f} attributes {attached / total_attr:.3f}")
    assert right / gold >= 0.97 and right / found >= 0.98
    assert attached / total_attr >= 0.95


def test_offsets_are_verbatim_quotes_with_base():
    text = "Mở đầu. Quyết định số 15/QĐ-SNV ngày 12/02/2021 về việc ban hành kế hoạch; trễ hạn 05 hồ sơ."
    for f in extract_facts(text, base=1000):
        assert text[f.start - 1000:f.end - 1000].strip()
    ref = extract_references(text, base=1000)[0]
    assert text[ref.start - 1000:ref.end - 1000] == "Quyết định số 15/QĐ-SNV"


def test_quantities_never_read_numbers_dates_or_years_as_counts():
    text = ("Theo Quyết định số 402/QĐ-STP ngày 15/6/2023, trong năm 2023 Sở tiếp nhận 1.234 hồ sơ, "
            "trễ hạn 05 hồ sơ, đạt 21,75/36,00 điểm, xếp thứ 9/20; tỷ lệ trực tuyến đạt 22,4%.")
    qs = extract_quantities(text)
    values = [q.value for q in qs]
    print(values)
    assert values == ["1.234", "05", "21,75/36,00", "9/20", "22,4%"]
    by = {q.value: q for q in qs}
    assert by["1.234"].number == 1234 and by["1.234"].noun == "hồ sơ" and by["1.234"].qualifier == "tiếp nhận"
    assert by["05"].qualifier == "trễ hạn" and by["05"].period == "năm 2023"
    assert by["21,75/36,00"].number == 21.75 and by["21,75/36,00"].noun == "điểm"
    assert by["22,4%"].number == 22.4


def test_people_and_lists():
    text = ("Giám đốc Sở Tư pháp Lê Thị Hồng Nhung chỉ đạo. Trưởng ban: Phạm Quốc Bảo.\n"
            "Các nhiệm vụ trọng tâm:\n- Rà soát thủ tục hành chính\n- Số hóa hồ sơ\n\nHết.")
    people = extract_people(text)
    assert [(p.name, p.role, p.unit) for p in people] == [
        ("Lê Thị Hồng Nhung", "Giám đốc", "Sở Tư pháp"), ("Phạm Quốc Bảo", "Trưởng ban", None)]
    lists = extract_lists(text)
    assert lists[0].heading == "Các nhiệm vụ trọng tâm" and lists[0].items == ("Rà soát thủ tục hành chính", "Số hóa hồ sơ")


def test_sample_reports_numbers_against_gold():
    gold_rows = [json.loads(l) for l in (DATA / "facts_gold_samples.jsonl").read_text().splitlines() if l]
    gold = collections.Counter((g["report"], g["number"]) for g in gold_rows)
    got = collections.Counter()
    for path in CORPUS:
        for r in extract_references(pathlib.Path(path).read_text()):
            got[(pathlib.Path(path).name, r.number)] += 1
    hit = sum((gold & got).values())
    recall, precision = hit / sum(gold.values()), hit / sum(got.values())
    print(f"samples: gold {sum(gold.values())} found {sum(got.values())} recall {recall:.3f} precision {precision:.3f}")
    print("missed", dict(gold - got)); print("extra", dict(got - gold))
    assert recall >= 0.97 and precision >= 0.98


def test_standard_numbers_headings_and_levels_are_not_counts():
    text = ("2. Cải cách thủ tục hành chính\nÁp dụng TCVN ISO 9001:2015 do dịch Covid-19; cung cấp 45 dịch vụ\n"
            "công trực tuyến mức độ 4, cử 07 công\nchức đi học.")
    qs = extract_quantities(text)
    print([(q.value, q.noun, q.qualifier) for q in qs])
    assert [q.value for q in qs] == ["45", "07"]
    assert qs[0].noun == "dịch vụ" and qs[0].qualifier in ("mức độ 4", "trực tuyến")
    assert qs[1].noun == "công"  # a noun never runs across a line break
