"""Report metadata read from the text itself (never from the file name).

Example: for a report whose text says "… Sở Khoa học và Công nghệ … tỉnh Khánh Hòa …" and
"BÁO CÁO Công tác cải cách hành chính năm 2020", :func:`extract_metadata` gives province
``Khánh Hòa``, body ``Sở Khoa học và Công nghệ``, doc_type ``báo cáo``, period ``năm 2020``.
A report that names no province gets ``province=None``, not a guess.
"""
from __future__ import annotations

import re
from collections import Counter

from ingest.records import DocMeta
from vocab.documents import KINDS
from ingest.textkeys import fold

# The 63 provinces and cities in force for the sample period, plus the 2025 merged names.
PROVINCES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế", "Tiền Giang",
    "Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
_PROVINCE_KEYS = {fold(p): p for p in PROVINCES}
_PROVINCE_RE = re.compile(
    r"(?:tỉnh|thành phố|TP\.?)\s+(" + "|".join(sorted(map(re.escape, PROVINCES), key=len, reverse=True)) + r")",
    re.IGNORECASE,
)
_PLACE_DATE = re.compile(r"^\s*([A-ZĐ][\wÀ-ỹ ]{2,25}),\s*ngày\b", re.M)
_DOC_TYPES = ("báo cáo", "kết luận", "kế hoạch", "tờ trình", "quyết định", "thông báo", "công văn", "nghị quyết")
_DEPARTMENTS = (
    "Khoa học và Công nghệ", "Nội vụ", "Tư pháp", "Tài chính", "Kế hoạch và Đầu tư",
    "Giáo dục và Đào tạo", "Y tế", "Xây dựng", "Giao thông vận tải", "Công Thương",
    "Nông nghiệp và Phát triển nông thôn", "Nông nghiệp và Môi trường", "Tài nguyên và Môi trường",
    "Lao động - Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch", "Văn hóa và Thể thao",
    "Thông tin và Truyền thông", "Ngoại vụ", "Du lịch", "Dân tộc và Tôn giáo",
)
_DEPT_ABBREV = {"KH&CN": "Khoa học và Công nghệ", "KHCN": "Khoa học và Công nghệ",
                "KH&ĐT": "Kế hoạch và Đầu tư", "GD&ĐT": "Giáo dục và Đào tạo",
                "TN&MT": "Tài nguyên và Môi trường", "TT&TT": "Thông tin và Truyền thông"}
_BODY_RE = re.compile(
    r"\bSở (" + "|".join(map(re.escape, sorted(_DEPARTMENTS + tuple(_DEPT_ABBREV), key=len, reverse=True))) + r")"
)
_PERIODS = (
    (re.compile(r"6 tháng (đầu|cuối) năm (\d{4})", re.I), lambda m: (f"6 tháng {m.group(1).lower()} năm {m.group(2)}", (int(m.group(2)),))),
    (re.compile(r"giai đoạn (\d{4})\s*[-–]\s*(\d{4})", re.I), lambda m: (f"giai đoạn {m.group(1)}–{m.group(2)}", tuple(range(int(m.group(1)), int(m.group(2)) + 1)))),
    (re.compile(r"(?:quý|quí) ([IV]{1,3}|\d) năm (\d{4})", re.I), lambda m: (f"quý {m.group(1)} năm {m.group(2)}", (int(m.group(2)),))),
    (re.compile(r"\bnăm (\d{4})", re.I), lambda m: (f"năm {m.group(1)}", (int(m.group(1)),))),
)
_SIGNER_TITLE = re.compile(r"^\**\s*(?:KT\.\s*|TM\.\s*|Q\.\s*)?(?:PHÓ\s+)?(GIÁM ĐỐC|CHỦ TỊCH|TRƯỞNG BAN|CHÁNH VĂN PHÒNG)\b", re.M)
_NAME = re.compile(r"^\**\s*([A-ZĐ][a-zà-ỹđ]+(?: [A-ZĐ][a-zà-ỹđ]+){1,4})\s*\**\s*$")


def find_province(text: str) -> str | None:
    """Most-mentioned province (``tỉnh X``/``TP X`` or a ``X, ngày …`` header line), else ``None``."""
    counts: Counter[str] = Counter()
    for m in _PROVINCE_RE.finditer(text):
        name = _PROVINCE_KEYS.get(fold(m.group(1)))
        if name:
            counts[name] += 1
    for m in _PLACE_DATE.finditer(text[:1500]):
        name = _PROVINCE_KEYS.get(fold(m.group(1).strip()))
        if name:
            counts[name] += 3
    return counts.most_common(1)[0][0] if counts else None


def find_doc_type(text: str) -> str | None:
    """Document type from the first heading-like lines (``BÁO CÁO`` → ``báo cáo``)."""
    head = fold(text[:600])
    best: tuple[int, str] | None = None
    for t in _DOC_TYPES:
        pos = head.find(fold(t))
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, t)
    if best and best[0] < 300:
        return best[1]
    closing = re.search(r"Trên đây là (báo cáo|kết luận|kế hoạch)", text)
    return closing.group(1) if closing else None


def find_period(text: str) -> tuple[str | None, tuple[int, ...]]:
    """Period covered, from the title block, else from the closing ``Trên đây là báo cáo …``."""
    candidates = [text[:700]]
    closing = re.search(r"Trên đây là (?:báo cáo|kết luận)[^\n]{0,300}", text)
    if closing:
        candidates.append(closing.group(0))
    for chunk in candidates:
        for pattern, build in _PERIODS:
            m = pattern.search(chunk)
            if m:
                return build(m)
    return None, ()


def find_signer(text: str) -> str | None:
    """The name under the signing title at the end of the report, if any."""
    tail = text[-800:]
    m = None
    for m in _SIGNER_TITLE.finditer(tail):
        pass
    if not m:
        return None
    for line in tail[m.end():].split("\n")[1:6]:
        nm = _NAME.match(line.strip())
        if nm:
            return nm.group(1)
    return None


def find_body(text: str) -> str | None:
    """Issuing body: the most frequent ``Sở …``/``UBND …`` phrase of the first part."""
    counts = Counter(_DEPT_ABBREV.get(m.group(1), m.group(1)) for m in _BODY_RE.finditer(text))
    counts.pop("Nội vụ", None) if len(counts) > 1 else None  # reports are addressed to Sở Nội vụ
    return f"Sở {counts.most_common(1)[0][0]}" if counts else None


# The kind line; a wrapped-line join may have put the place-date line before it ("… năm 2023 BÁO CÁO").
_KIND_LINE = re.compile(r"(?:^|(?<=năm \d{4} ))(?:" + "|".join(k.upper() for k in sorted(KINDS, key=len, reverse=True))
                        + r")\b")
_BODY_START = re.compile(r"^(?:Căn cứ|Thực hiện|Theo|Trên cơ sở|Kính gửi|Ngày\s+\d|[IVX]+\.|\d+\.|[-+•])")
TITLE_LINES = 40    # the title block sits in the first lines (national motto, issuer, number, place-date)
TITLE_CHARS = 200


def find_title(text: str) -> str:
    """The document's name and its subject (trích yếu), as Nghị định 30/2020/NĐ-CP lays them
    out: the kind in capitals, then the subject lines until the body begins; '' when the
    report has no such block (a file that starts with its first heading).

    >>> find_title("SỞ TƯ PHÁP\\nSố: 12/BC-STP\\n\\nBÁO CÁO\\nKết quả CCHC năm 2022\\n\\nThực hiện Kế hoạch …")
    'BÁO CÁO Kết quả CCHC năm 2022'
    """
    lines = [re.sub(r"[#*]", "", x).strip() for x in text.split("\n")[:TITLE_LINES]]
    found = next(((i, m) for i, x in enumerate(lines) if (m := _KIND_LINE.search(x))), None)
    if found is None:
        return ""
    start, m = found
    out = [lines[start][m.start():]]
    for x in lines[start + 1:]:
        if _BODY_START.match(x):
            break
        if x:
            out.append(x)
        if len(" ".join(out)) >= TITLE_CHARS:
            break
    return " ".join(out)[:TITLE_CHARS]


_DOC_DATE = re.compile(r"(?m)^(?:[^\n,]{2,30},\s*)?[Nn]gày\s+(?:\d{1,2}/\d{1,2}/|\d{0,2}\s*tháng\s+\d{0,2}\s*năm\s+)(\d{4})")


def find_doc_year(text: str) -> int | None:
    """Year the report was written, from a date in its first lines (``Ngày 20/5/2020, …``)."""
    m = _DOC_DATE.search(text[:800])
    return int(m.group(1)) if m else None


def extract_metadata(text: str) -> DocMeta:
    """All metadata of one normalised report; ``years`` = period covered plus the year written."""
    period, years = find_period(text)
    written = find_doc_year(text)
    if written and written not in years:
        years = tuple(sorted(set(years) | {written}))
    return DocMeta(
        title=find_title(text),
        province=find_province(text),
        body=find_body(text),
        doc_type=find_doc_type(text),
        period=period,
        years=years,
        signer=find_signer(text),
    )
