"""The standard outline of a CCHC report and fuzzy matching of a report's headings to it.

A CCHC report is laid out as: chỉ đạo, điều hành; kết quả by area (thể chế, TTHC, tổ chức bộ máy,
công chức, tài chính công, hiện đại hóa); đánh giá chung; khó khăn; phương hướng; kiến nghị.
Reports word and number their headings differently (``2. Cải cách TTHC``, ``2.2. Kết quả thực
hiện nhóm nhiệm vụ, giải pháp về cải cách thủ tục hành chính``), so headings are matched
tone-folded, with abbreviations expanded and each heading mapped to an :class:`Area`.

    >>> area_of("6. Xây dựng Chính quyền điện tử, Chính quyền số").key
    'hien_dai_hoa'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.structure import Paragraph, SEP, strip_markup
from ingest.textkeys import fold

_NUMBERING = re.compile(r"^\s*(?:[IVXLC]{1,6}\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\))\s+", re.I)
_SYNONYMS = (("vbqppl", "van ban quy pham phap luat"), ("qppl", "quy pham phap luat"),
             ("tthc", "thu tuc hanh chinh"), ("cchc", "cai cach hanh chinh"), ("cntt", "cong nghe thong tin"),
             ("cbccvc", "can bo cong chuc vien chuc"), ("ccvc", "cong chuc vien chuc"),
             ("cbcc", "can bo cong chuc"), ("htqlcl", "he thong quan ly chat luong"),
             ("kh&cn", "khoa hoc va cong nghe"), ("khcn", "khoa hoc va cong nghe"), ("dvc", "dich vu cong"),
             ("ubnd", "uy ban nhan dan"), ("hdnd", "hoi dong nhan dan"))
_WEAK = {"va", "ve", "cua", "cac", "nhung", "trong", "cho", "tai", "doi", "voi", "cong", "tac", "ket", "qua",
         "thuc", "hien", "nhom", "nhiem", "vu", "giai", "phap", "chu", "yeu", "tinh", "hinh", "viec", "duoc",
         "so", "nam", "bao", "cao", "muc", "phan", "noi", "dung"}
MATCH_FLOOR = 0.55
PARAGRAPH_RECALL = 0.6  # fallback without a matching heading: paragraphs holding most of the title's terms
MAX_FALLBACK_PARAGRAPHS = 8
AREA_FLOOR = 0.6  # a heading of the asked area matches even when worded differently
AREA_MIN = 2  # phrase weight needed to place a heading in an area


@dataclass(frozen=True)
class Area:
    """One item of the standard outline; ``update`` says what a new report must bring up to date."""

    key: str
    title: str
    phrases: tuple[tuple[str, int], ...]
    update: str
    parent: str | None = None


STANDARD: tuple[Area, ...] = (
    Area("chi_dao", "Công tác chỉ đạo, điều hành cải cách hành chính",
         (("chi dao", 3), ("dieu hanh", 3), ("tuyen truyen", 2), ("kiem tra cai cach", 2), ("thanh tra", 2),
          ("direction", 3), ("leadership", 2)),
         "kế hoạch CCHC {period} (số, ngày ban hành); văn bản chỉ đạo, điều hành; kết quả kiểm tra, "
         "tuyên truyền CCHC {period}"),
    Area("ket_qua", "Kết quả thực hiện công tác cải cách hành chính", (("ket qua thuc hien", 2), ("results", 2)),
         "kết quả theo từng lĩnh vực {period}"),
    Area("the_che", "Cải cách thể chế", (("the che", 3), ("quy pham phap luat", 3), ("institutional", 3)),
         "văn bản quy phạm pháp luật đã tham mưu, ban hành, rà soát, kiểm tra {period}", "ket_qua"),
    Area("tthc", "Cải cách thủ tục hành chính", (("thu tuc hanh chinh", 3), ("mot cua", 2), ("administrative procedure", 3),
                                                      ("administrative procedures", 3), ("one stop", 2)),
         "số TTHC đang thực hiện; số hồ sơ tiếp nhận, giải quyết, đúng hạn, quá hạn {period}; dịch vụ công "
         "trực tuyến; quyết định công bố, đơn giản hóa TTHC", "ket_qua"),
    Area("bo_may", "Cải cách tổ chức bộ máy hành chính nhà nước", (("bo may", 3), ("phan cap", 2), ("apparatus", 3), ("organizational", 3)),
         "cơ cấu tổ chức; biên chế được giao và có mặt; văn bản kiện toàn tổ chức {period}", "ket_qua"),
    Area("cong_chuc", "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
         (("cong chuc", 3), ("cong vu", 3), ("doi ngu", 2), ("vien chuc", 2), ("civil servants", 3),
          ("civil service", 3)),
         "số công chức, viên chức; tuyển dụng, bổ nhiệm, đào tạo, bồi dưỡng (số lượt) {period}", "ket_qua"),
    Area("tai_chinh", "Cải cách tài chính công", (("tai chinh cong", 3), ("tai chinh", 2), ("tu chu", 1),
                                                   ("public finance", 3)),
         "dự toán, giao quyền tự chủ, thực hành tiết kiệm {period}; phương án tự chủ của đơn vị sự nghiệp",
         "ket_qua"),
    Area("hien_dai_hoa", "Hiện đại hóa hành chính",
         (("hien dai hoa", 3), ("chinh quyen dien tu", 3), ("chinh quyen so", 3), ("cong nghe thong tin", 2),
          ("chuyen doi so", 3), ("iso", 2), ("modernization", 3), ("modernisation", 3),
          ("e government", 3), ("digital", 2)),
         "kế hoạch ứng dụng CNTT, chuyển đổi số {period}; văn bản điện tử, chữ ký số; dịch vụ công trực "
         "tuyến; hệ thống quản lý chất lượng ISO", "ket_qua"),
    Area("danh_gia", "Đánh giá chung", (("danh gia chung", 3), ("danh gia", 1), ("uu diem", 2),
                                                  ("assessment", 3)),
         "đánh giá chung kết quả {period}: ưu điểm, nguyên nhân"),
    Area("kho_khan", "Khó khăn, tồn tại, hạn chế", (("kho khan", 3), ("ton tai", 3), ("han che", 3),
                                                    ("vuong mac", 2), ("difficulties", 3), ("shortcomings", 3)),
         "khó khăn, tồn tại, hạn chế và nguyên nhân {period}"),
    Area("phuong_huong", "Phương hướng, nhiệm vụ", (("phuong huong", 3), ("nhiem vu cai cach", 3), ("nhiem vu giai phap", 2),
                                                 ("nhiem vu trong tam", 2), ("orientation", 3), ("next year", 2)),
         "phương hướng, nhiệm vụ kỳ tiếp theo sau {period}"),
    Area("kien_nghi", "Đề xuất, kiến nghị", (("kien nghi", 3), ("de xuat", 2), ("recommendations", 3), ("proposals", 2)),
         "đề xuất, kiến nghị với cơ quan cấp trên"),
)
BY_KEY = {a.key: a for a in STANDARD}
TOP_LEVEL = tuple(a for a in STANDARD if a.parent is None)


def expand(text: str) -> str:
    """Tone-folded text with numbering removed and abbreviations spelled out."""
    s = " " + re.sub(r"[^\w&]+", " ", fold(_NUMBERING.sub("", strip_markup(text)))) + " "
    for short, long in _SYNONYMS:
        s = s.replace(f" {short} ", f" {long} ")
    return " ".join(s.split())


def area_of(text: str) -> Area | None:
    """The standard-outline area a heading (or title) belongs to, if any."""
    s = f" {expand(text)} "
    best, best_score = None, 0
    for area in STANDARD:
        score = sum(w for phrase, w in area.phrases if f" {phrase} " in s)
        if score > best_score:
            best, best_score = area, score
    return best if best_score >= AREA_MIN else None


def _terms(text: str) -> dict[str, float]:
    words = expand(text).split()
    out = {w: (0.25 if w in _WEAK else 1.0) for w in words}
    out.update({f"{a} {b}": 1.0 for a, b in zip(words, words[1:])})
    return out


def title_score(query: str, heading: str) -> float:
    """How well ``heading`` matches the asked section title (0–1.3): recall of the query's terms,
    some precision, and a bonus when both belong to the same standard area."""
    q, h = _terms(query), _terms(heading)
    if not q or not h:
        return 0.0
    shared = set(q) & set(h)
    recall = sum(q[t] for t in shared) / sum(q.values())
    precision = sum(h[t] for t in shared) / sum(h.values())
    qa, ha = area_of(query), area_of(heading)
    score = 0.75 * recall + 0.25 * precision
    return max(score + 0.3, AREA_FLOOR) if qa is not None and qa == ha else score


@dataclass
class SectionMatch:
    """A section of one report: its heading, the headings above it and its paragraphs (sub-headings too)."""

    heading: Paragraph
    parents: list[Paragraph]
    paragraphs: list[Paragraph]
    score: float


def is_closing(p: Paragraph) -> bool:
    """The closing formula or the distribution list that ends a report's body."""
    return fold(strip_markup(p.text)).startswith(("tren day", "noi nhan", "tran trong"))


def headings(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Section headings of the report body (not the title block, nor the signature block)."""
    out = []
    for p in paragraphs:
        if is_closing(p):
            break
        if p.is_heading and p.section:
            out.append(p)
    return out


def section_of(paragraphs: list[Paragraph], heading: Paragraph, score: float = 1.0) -> SectionMatch:
    """The paragraphs under ``heading`` (until the next heading of the same or a higher level)."""
    path = heading.section
    i = paragraphs.index(heading)
    body = []
    for p in paragraphs[i + 1:]:
        if not (p.section == path or p.section.startswith(path + SEP)) or is_closing(p):
            break
        body.append(p)
    by_path = {h.section: h for h in paragraphs if h.is_heading and h.section}
    parts = path.split(SEP)
    parents = [by_path[SEP.join(parts[:k])] for k in range(1, len(parts)) if SEP.join(parts[:k]) in by_path]
    return SectionMatch(heading, parents, body, score)


def find_section(paragraphs: list[Paragraph], title: str) -> SectionMatch | None:
    """The report section that best matches ``title`` (None when nothing matches well)."""
    scored = {h.section: (title_score(title, h.text), h) for h in headings(paragraphs)}
    if not scored:
        return None
    score, heading = max(scored.values(), key=lambda sh: (round(sh[0], 3), -sh[1].section.count(SEP)))
    if score < MATCH_FLOOR:
        return None
    area = area_of(heading.text)
    while SEP in heading.section:  # prefer the whole section when its parent is the same area
        parent = scored.get(heading.section.rsplit(SEP, 1)[0])
        if parent is None or area is None or area_of(parent[1].text) != area or parent[0] < score - 0.15:
            break
        score, heading = parent
    match = section_of(paragraphs, heading, score)
    if area is not None and area.parent == "ket_qua" and area == area_of(title):
        _add_siblings(paragraphs, match, area)
    return match


def _add_siblings(paragraphs: list[Paragraph], match: SectionMatch, area: Area) -> None:
    """Append the following sections of the same level and area (``2. Cải cách TTHC`` then
    ``3. Cơ chế một cửa``): reports split one area of the standard outline over several headings."""
    parent = match.heading.section.rsplit(SEP, 1)[0] if SEP in match.heading.section else ""
    while True:
        last = match.paragraphs[-1] if match.paragraphs else match.heading
        i = paragraphs.index(last) + 1
        if i >= len(paragraphs):
            return
        nxt = paragraphs[i]
        nxt_parent = nxt.section.rsplit(SEP, 1)[0] if SEP in nxt.section else ""
        if not nxt.is_heading or nxt_parent != parent or area_of(nxt.text) != area or is_closing(nxt):
            return
        match.paragraphs += [nxt] + section_of(paragraphs, nxt).paragraphs


def find_paragraphs(paragraphs: list[Paragraph], title: str) -> SectionMatch | None:
    """Fallback for a report without a matching heading: the body paragraphs that hold most of the
    title's terms (or belong to its area), in report order, under a heading named after the title."""
    q = _terms(title)
    area = area_of(title)
    total = sum(q.values()) or 1.0
    picked = []
    for p in paragraphs:
        if p.is_heading or is_closing(p):
            continue
        words = set(_terms(p.text))
        recall = sum(w for t, w in q.items() if t in words) / total
        if recall >= PARAGRAPH_RECALL or (area is not None and area_of(p.text[:160]) == area):
            picked.append(p)
    if not picked:
        return None
    heading = Paragraph(title, picked[0].start, picked[0].start, picked[0].section, is_heading=True)
    return SectionMatch(heading, [], picked[:MAX_FALLBACK_PARAGRAPHS], 0.0)
