"""Document kinds, symbol parts and issuers of Vietnamese administrative documents.

The form is regulated (Nghị định 30/2020/NĐ-CP): "Quyết định số 12/QĐ-SNV ngày 05/3/2021 của
Sở Nội vụ về việc …". State documents write ``number[/year]/KIND-ISSUER[-UNIT]``, party documents
``number-KIND/ISSUER`` (``05-NQ/TU``), official letters ``number/ISSUER-UNIT`` (``59/SNV-VP``).
Nothing here imports ingest, index or assistant.
"""
from __future__ import annotations

# Kind written in full -> its symbol abbreviation(s) (first one canonical).
KINDS: dict[str, tuple[str, ...]] = {
    "Quyết định": ("QĐ",), "Kế hoạch": ("KH",), "Công văn": ("CV",), "Nghị quyết": ("NQ",),
    "Chỉ thị": ("CT",), "Thông tư liên tịch": ("TTLT",), "Thông tư": ("TT",),
    "Nghị định": ("NĐ",), "Thông báo": ("TB",), "Báo cáo": ("BC",), "Hướng dẫn": ("HD",),
    "Luật": ("L", "QH"), "Đề án": ("ĐA",), "Tờ trình": ("TTr",), "Chương trình": ("CTr",),
    "Kết luận": ("KL",), "Quy định": ("QĐi",), "Pháp lệnh": ("PL",), "Công điện": ("CĐ",),
    "Văn bản": (),
}
# Symbol abbreviation -> kind (also read when a code stands alone: "theo 15/KH-UBND").
KIND_OF_SYMBOL: dict[str, str] = {a: k for k, abbrs in KINDS.items() for a in abbrs if a not in ("L", "QH")}
# Abbreviations written as the kind in running text: "QĐ số 12", "CV số 59".
KIND_ABBREVIATIONS: dict[str, str] = {"QĐ": "Quyết định", "KH": "Kế hoạch", "CV": "Công văn",
                                      "NQ": "Nghị quyết", "CT": "Chỉ thị", "TB": "Thông báo"}

# Issuing bodies written as the issuer part of a symbol.
ISSUERS: dict[str, str] = {
    "TTg": "Thủ tướng Chính phủ", "CP": "Chính phủ", "VPCP": "Văn phòng Chính phủ",
    "TW": "Ban Chấp hành Trung ương", "BCT": "Bộ Chính trị", "TU": "Tỉnh ủy", "TƯ": "Ban Chấp hành Trung ương",
    "HU": "Huyện ủy", "TP": "Thành ủy", "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân",
    "VPUBND": "Văn phòng Ủy ban nhân dân", "QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "BNV": "Bộ Nội vụ", "BKHCN": "Bộ Khoa học và Công nghệ", "BTC": "Bộ Tài chính",
    "BTTTT": "Bộ Thông tin và Truyền thông", "BTP": "Bộ Tư pháp", "BYT": "Bộ Y tế",
    "BCĐ": "Ban Chỉ đạo", "BTV": "Ban Thường vụ",
}
# Sector abbreviations: "S" + sector is a provincial department (Sở), "B" + sector a ministry.
SECTORS: dict[str, str] = {
    "KHCN": "Khoa học và Công nghệ", "NV": "Nội vụ", "TTTT": "Thông tin và Truyền thông",
    "TC": "Tài chính", "KHĐT": "Kế hoạch và Đầu tư", "TP": "Tư pháp", "GDĐT": "Giáo dục và Đào tạo",
    "YT": "Y tế", "XD": "Xây dựng", "GTVT": "Giao thông vận tải", "TNMT": "Tài nguyên và Môi trường",
    "NNPTNT": "Nông nghiệp và Phát triển nông thôn", "CT": "Công Thương", "CN": "Công nghệ",
    "LĐTBXH": "Lao động - Thương binh và Xã hội", "VHTTDL": "Văn hóa, Thể thao và Du lịch",
    "NN": "Nông nghiệp", "NNMT": "Nông nghiệp và Môi trường", "DL": "Du lịch",
}


def issuer_of_symbol(part: str) -> str:
    """Name of the body an issuer part stands for: ``TTg`` → Thủ tướng Chính phủ, ``SNV`` → Sở Nội vụ,
    ``SKHCN`` → Sở Khoa học và Công nghệ; an unknown part is returned as written."""
    if part in ISSUERS:
        return ISSUERS[part]
    for prefix, body in (("S", "Sở"), ("B", "Bộ")):
        if part.startswith(prefix) and part[1:] in SECTORS:
            return f"{body} {SECTORS[part[1:]]}"
    return part


# Roles that precede a responsible person's name or a unit.
ROLES: tuple[str, ...] = (
    "Phó Chủ tịch", "Chủ tịch", "Phó Giám đốc", "Giám đốc", "Phó Trưởng ban", "Trưởng ban",
    "Phó Chánh Văn phòng", "Chánh Văn phòng", "Phó Trưởng phòng", "Trưởng phòng", "Chánh Thanh tra",
    "Phó Bí thư", "Bí thư", "Thứ trưởng", "Bộ trưởng", "Tổ trưởng", "Phó Cục trưởng", "Cục trưởng",
    "Phó Chi cục trưởng", "Chi cục trưởng", "Thủ trưởng",
)
# Common Vietnamese family names: a name is a capitalised run that starts with one of them.
SURNAMES: frozenset[str] = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh "
    "Trương Lâm Mai Tô Hà Cao Lương Đinh Tạ Châu Quách Phùng Lưu Từ Thái Kiều Nông Triệu La Văn "
    "Hứa Mạc Lại Ông Thân Diệp Chu Khúc Kim Giang Tăng Thạch".split())

# Words that qualify a counted figure in CCHC reports.
QUALIFIERS: tuple[str, ...] = (
    "trễ hạn", "quá hạn", "đúng hạn", "trước hạn", "đúng và trước hạn", "đang giải quyết",
    "trực tuyến toàn trình", "trực tuyến một phần", "mức độ 4", "mức độ 3", "mức độ 2",
    "trực tuyến", "qua dịch vụ bưu chính công ích", "bưu chính công ích", "tồn", "tiếp nhận",
    "giải quyết", "đã giải quyết", "chưa giải quyết", "ban hành", "sửa đổi, bổ sung", "bãi bỏ",
    "thay thế", "công bố", "đạt", "hài lòng",
)


# The formulas that open or close an administrative document: "Trên đây là báo cáo …",
# "Nơi nhận:", "Kính gửi:". They restate the title; they never answer what the report says.
import re as _re  # noqa: E402

FORMULA = _re.compile(r"^\s*(?:Trên đây là|Nơi nhận|Kính gửi|Kính đề nghị|Xin trân trọng|Trân trọng)\b", _re.I)
