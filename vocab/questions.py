"""How Vietnamese (and English) questions ask for each kind of answer.

The patterns are question grammar, not report content: "Quyết định nào …", "số mấy", "bao
nhiêu …", "ngày nào", "ai ký …", "những … nào", "… không?" / "… chưa?". The first kind whose
pattern matches wins, in the order of :data:`KIND_PATTERNS` (a question asking "bao nhiêu phần
trăm" is a percentage before it is a count; "có … không" is yes/no unless it asks "bao nhiêu").

    >>> import re
    >>> next(k for k, rx in KIND_PATTERNS if rx.search("QĐ ban hành kế hoạch CCHC là quyết định số mấy?"))
    'decision'
"""
from __future__ import annotations

import re

_I = re.IGNORECASE

# Document kinds an official names in a question ("theo quyết định nào", "văn bản số mấy").
DOC_KIND_WORDS = (
    "quyết định", "qđ", "kế hoạch", "kh", "văn bản", "vb", "công văn", "cv", "nghị quyết", "nq",
    "nghị định", "nđ", "chỉ thị", "ct", "thông tư", "tt", "thông báo", "tb", "hướng dẫn", "hd",
    "báo cáo", "đề án", "chương trình", "tờ trình", "luật", "decision", "plan", "document",
    "official letter", "resolution", "decree", "directive", "circular",
)
_KINDS = "|".join(sorted(map(re.escape, DOC_KIND_WORDS), key=len, reverse=True))

KIND_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("percent", re.compile(r"phần trăm|tỷ lệ|tỉ lệ|bao nhiêu\s*%|\bpercent|\bpercentage|\bshare\b|\brate\b|"
                           r"\bmức (?:độ )?tự chủ|self-financing level|bao nhiêu điểm|mấy điểm|đạt (?:bao nhiêu|mấy)|"
                           r"\bscore\b|\bpoints?\b|xếp (?:thứ|hạng) (?:mấy|bao nhiêu|nào)|\brank(?:ing|ed)?\b", _I)),
    ("decision", re.compile(rf"\b(?:{_KINDS})\s*(?:số\s*)?(?:nào|mấy|gì)\b|\bsố (?:hiệu|mấy)\b|"
                            rf"(?:theo|bằng|tại|căn cứ)\s+(?:{_KINDS})\s+nào|\bwhich (?:decision|plan|document|"
                            rf"official letter|resolution|directive)|\b(?:decision|document) number", _I)),
    ("date", re.compile(r"ngày nào|ngày bao nhiêu|ngày mấy|khi nào|bao giờ|thời gian nào|thời điểm nào|"
                        r"từ (?:khi|lúc|tháng) nào|tháng nào|năm nào|\bwhen\b|what date|since when|which date", _I)),
    ("count", re.compile(r"\bbao nhiêu\b|\bmấy\b|how many|how much|"  # "số lượng" asks a count unless the question
                         # ends as a yes/no one does ("… vượt số lượng cấp phó không?")
                         r"(?:số lượng|number of)(?!.*(?:\bkhông|\bchưa|\bor not)\s*\??\s*(?:\(.*\))?\s*$)", _I)),
    ("yesno", re.compile(r"(?:\bcó\b|\bđã\b|\bđược\b|\bis\b|\bare\b|\bdid\b|\bdoes\b|\bwas\b|\bwere\b|\bhas\b|\bhave\b).*"
                         r"(?:\bkhông|\bchưa|\bhay không|\bor not)\s*\??\s*(?:\(.*\))?\s*$|^(?:is|are|was|were|did|does|do|"
                         r"has|have|can)\b", _I)),
    ("person", re.compile(r"\bai\b|\bngười nào\b|người ký|\bwho\b|\bwhom\b", _I)),
    ("list", re.compile(r"\bnhững\b.*\b(?:nào|gì)\b|\bgồm\b.*\b(?:gì|nào|những)\b|\bcác\b.*\bnào\b|"
                        r"\bwhat (?:are|were) the\b|\blist\b|\bwhich\b.*\b(?:are|were)\b", _I)),
    ("entity", re.compile(r"\b(?:cơ quan|đơn vị|tổ chức|phần mềm|hệ thống|trung tâm|phòng|ban|sở|bộ|"
                          r"chức danh|chức vụ|lĩnh vực|hình thức|nội dung|tên)\s+(?:nào|gì)\b|\bnào\b|\bgì\b|"
                          r"\bwhich\b|\bwhat\b", _I)),
)

# Words that ask, not words the answering sentence must contain.
QUESTION_WORDS = (
    "bao nhiêu", "mấy", "nào", "gì", "ai", "không", "chưa", "hay", "là", "số mấy", "ra sao", "thế nào",
    "như thế nào", "khi nào", "bao giờ", "có", "được", "đã", "thì", "sao", "hỏi", "cho biết", "tổng cộng",
    "what", "which", "how", "many", "much", "who", "when", "did", "does", "is", "are", "was", "were",
    "the", "of", "in", "and", "to", "a", "an", "for", "by", "its", "their", "has", "have",
)

# "… của Sở" (the department's own document) vs "… của tỉnh / UBND tỉnh" (the province's).
PROVINCE_LEVEL = re.compile(r"(?:của|do)\s+(?:tỉnh|ubnd|ủy ban nhân dân|chủ tịch ubnd)|\bubnd tỉnh\b.*\bban hành|"
                            r"\b(?:kế hoạch|quyết định|chương trình)\s+(?:\w+\s+){0,4}của tỉnh\b|"
                            r"\bprovincial\b|people'?s committee", _I)
OWN_LEVEL = re.compile(r"của (?:chính )?(?:sở|cơ quan|đơn vị)\b|\bsở\b[^?]{0,60}\bban hành\b|"
                       r"\bdepartment'?s own\b", _I)

# A year the question names ("năm 2020", "2017-2020", "6 tháng đầu năm 2020").
YEAR = re.compile(r"(?<![\d/.-])((?:19[89]|20[0-4])\d)(?![\d/])")

# What a count counts, by the noun written right after the number ("05 hồ sơ", "62 TTHC",
# "18 công chức, viên chức"). Nouns of one group count the same things (a "công chức" is a
# "người"); nouns of two groups never do: "02 thủ tục hành chính" does not answer "bao nhiêu
# hồ sơ TTHC" (a dossier is one application of a procedure). Abbreviations are listed as
# reports write them. Used only to set aside a number that counts another thing.
COUNT_NOUN_GROUPS: tuple[tuple[str, ...], ...] = (
    ("hồ sơ",),
    ("thủ tục", "tthc"),
    ("công chức", "viên chức", "cán bộ", "ccvc", "cbcc", "cbccvc", "người", "nhân viên", "lao động",
     "đảng viên", "học viên"),
    ("văn bản", "quyết định", "kế hoạch", "công văn", "báo cáo", "thông báo", "chỉ thị", "hướng dẫn"),
    ("phòng", "đơn vị", "cơ quan", "tổ chức", "trung tâm", "chi cục"),
    ("lớp", "khóa"),
    ("đề tài", "dự án", "nhiệm vụ"),
    ("dịch vụ", "dvc", "dvctt"),
    ("doanh nghiệp",),
    ("ngày",),
    ("tin", "bài", "tin bài"),
)
