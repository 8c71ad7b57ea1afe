"""English → Vietnamese terms of administrative-reform reports, for questions asked in English.

The reports are Vietnamese; an English question shares no words with them, so keyword search
and sentence scoring get the Vietnamese equivalents of the English terms it contains. The
multilingual embedder already bridges languages for dense search; this helps the rest.

    >>> expand_english("How many administrative procedures were received?")
    'thủ tục hành chính TTHC tiếp nhận'
"""
from __future__ import annotations

import re

GLOSSARY: dict[str, str] = {
    "administrative reform": "cải cách hành chính CCHC",
    "administrative procedures": "thủ tục hành chính TTHC",
    "administrative procedure": "thủ tục hành chính TTHC",
    "department of science and technology": "Sở Khoa học và Công nghệ KH&CN",
    "provincial people's committee": "UBND tỉnh",
    "people's committee": "UBND",
    "decision": "quyết định",
    "plan": "kế hoạch",
    "directive": "chỉ thị",
    "resolution": "nghị quyết",
    "decree": "nghị định",
    "official letter": "công văn",
    "dossiers": "hồ sơ", "dossier": "hồ sơ", "applications": "hồ sơ", "files": "hồ sơ",
    "received": "tiếp nhận", "receive": "tiếp nhận",
    "overdue": "trễ hạn", "late": "trễ hạn", "on time": "đúng hạn",
    "online public services": "dịch vụ công trực tuyến", "online": "trực tuyến",
    "public service center": "Trung tâm Phục vụ hành chính công",
    "email accounts": "tài khoản mail công vụ", "email": "mail thư điện tử", "accounts": "tài khoản",
    "revocation": "thu hồi", "revoke": "thu hồi", "rarely used": "ít sử dụng",
    "civil servants": "công chức", "public employees": "viên chức", "officials": "cán bộ công chức",
    "staff": "biên chế", "training": "đào tạo bồi dưỡng", "trained": "đào tạo",
    "specialized divisions": "phòng chuyên môn", "divisions": "phòng", "division": "phòng",
    "units": "đơn vị", "affiliated units": "đơn vị trực thuộc",
    "deputy": "cấp phó", "deputies": "cấp phó", "head": "người đứng đầu", "director": "Giám đốc",
    "quality management system": "hệ thống quản lý chất lượng HTQLCL ISO",
    "contract": "hợp đồng", "postal": "bưu điện bưu chính", "post office": "bưu điện",
    "share": "tỷ lệ", "percentage": "tỷ lệ phần trăm", "percent": "phần trăm",
    "score": "điểm", "index": "chỉ số", "satisfaction": "hài lòng",
    "inspection": "kiểm tra", "propaganda": "tuyên truyền", "communication": "tuyên truyền",
    "budget": "kinh phí ngân sách", "funding": "kinh phí", "public finance": "tài chính công",
    "e-government": "chính quyền điện tử", "digital": "số", "information technology": "công nghệ thông tin CNTT",
    "approved": "phê duyệt", "issued": "ban hành", "established": "thành lập",
    "merged": "hợp nhất", "merger": "hợp nhất", "centre": "trung tâm", "center": "trung tâm",
    "streamlining": "tinh giản", "job positions": "vị trí việc làm", "competency framework": "khung năng lực",
    "seminar": "tọa đàm", "conclusion": "kết luận", "report": "báo cáo",
    "first half": "6 tháng đầu năm", "year": "năm",
}
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(GLOSSARY, key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)
_VI_LETTERS = set("ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def looks_english(text: str) -> bool:
    """No Vietnamese letters and at least two common English words."""
    lowered = f" {text.lower()} "
    if any(c in _VI_LETTERS for c in lowered):
        return False
    return sum(w in lowered for w in (" the ", " what ", " how ", " which ", " did ", " does ", " of ", " is ",
                                      " many ", " when ", " who ")) >= 2


def expand_english(text: str) -> str:
    """Vietnamese equivalents of the glossary terms found in an English ``text`` ('' if none)."""
    if not looks_english(text):
        return ""
    return " ".join(GLOSSARY[m.group(1).lower()] for m in _PATTERN.finditer(text))


# Vietnamese terms that mean the same in these reports: spelling variants (i/y), synonyms that
# differ between provinces ("quá hạn" / "trễ hạn") and the abbreviations every report uses.
# In report text each term of a group also indexes as every other one (index/keyword.py), so a
# question in any wording of a group finds it; questions themselves are not expanded.
EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("trễ hạn", "quá hạn", "trễ hẹn"),
    ("tỷ lệ", "tỉ lệ"), ("quy định", "qui định"), ("quy trình", "qui trình"), ("quy chế", "qui chế"),
    ("quy mô", "qui mô"), ("kỹ thuật", "kĩ thuật"), ("lý do", "lí do"),
    ("thủ tục hành chính", "TTHC"), ("cải cách hành chính", "CCHC"), ("ủy ban nhân dân", "UBND"),
    ("khoa học và công nghệ", "KH&CN", "KHCN"),
    ("cơ quan hành chính nhà nước", "CQHCNN"), ("hệ thống quản lý chất lượng", "HTQLCL"),
    ("công nghệ thông tin", "CNTT"), ("văn bản quy phạm pháp luật", "VBQPPL"),
    ("cán bộ, công chức, viên chức", "CBCCVC"), ("dịch vụ công trực tuyến", "DVCTT"),
)
