"""Which reports a question points at: the departments it names, and the reports to steer to.

Among hundreds of look-alike reports (same headings, other province, department or year), the
province and department written in the question are what single out the right one.
:func:`find_departments` reads the department (``Sở KH&CN``, ``So KH&CN``, ``Sở Khoa học và Công
nghệ``, ``Department of Science and Technology``, ``DOST``); :func:`steer_docs` turns the named
province(s) and department(s) into the set of reports that match them, using only the values the
index holds (a department not held in that province is dropped rather than matching nothing).

    >>> find_departments("Sở KH&CN Quảng Ngãi và Sở TT&TT")
    ['Sở Khoa học và Công nghệ', 'Sở Thông tin và Truyền thông']
"""
from __future__ import annotations

import re
from typing import Iterable

from ingest.records import DocMeta
from ingest.textkeys import fold

# Department names as ingest.metadata writes them (``Sở`` + name), with the short forms and the
# English names officials use. Short English acronyms that are also words (DOC, DOT) are left out.
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Khoa học và Công nghệ": ("Sở KH&CN", "Sở KHCN", "Sở KH-CN", "Department of Science and Technology", "DOST"),
    "Nội vụ": ("Department of Home Affairs",),
    "Tư pháp": ("Department of Justice",),
    "Tài chính": ("Department of Finance",),
    "Kế hoạch và Đầu tư": ("Sở KH&ĐT", "Sở KHĐT", "Department of Planning and Investment"),
    "Giáo dục và Đào tạo": ("Sở GD&ĐT", "Sở GDĐT", "Department of Education and Training", "DOET"),
    "Y tế": ("Department of Health",),
    "Xây dựng": ("Department of Construction",),
    "Giao thông vận tải": ("Sở GTVT", "Department of Transport", "Department of Transportation"),
    "Công Thương": ("Department of Industry and Trade",),
    "Nông nghiệp và Phát triển nông thôn": ("Sở NN&PTNT", "Sở NNPTNT", "DARD",
                                            "Department of Agriculture and Rural Development"),
    "Nông nghiệp và Môi trường": ("Sở NN&MT", "Department of Agriculture and Environment"),
    "Tài nguyên và Môi trường": ("Sở TN&MT", "Sở TNMT", "DONRE", "Department of Natural Resources and Environment"),
    "Lao động - Thương binh và Xã hội": ("Sở LĐ-TB&XH", "Sở LĐTBXH", "DOLISA",
                                         "Department of Labour, Invalids and Social Affairs",
                                         "Department of Labor, Invalids and Social Affairs"),
    "Văn hóa, Thể thao và Du lịch": ("Sở VH-TT&DL", "Sở VHTTDL", "Department of Culture, Sports and Tourism"),
    "Văn hóa và Thể thao": ("Department of Culture and Sports",),
    "Thông tin và Truyền thông": ("Sở TT&TT", "Sở TTTT", "Department of Information and Communications",
                                  "Department of Information and Communication"),
    "Ngoại vụ": ("Department of Foreign Affairs",),
    "Du lịch": ("Department of Tourism",),
    "Dân tộc và Tôn giáo": ("Department of Ethnic and Religious Affairs",),
}


def _key(text: str) -> str:
    return " " + re.sub(r"[^\w&]+", " ", fold(text)).strip() + " "


_KEYS = [(f"Sở {name}", [_key(f"Sở {name}")] + [_key(a) for a in aliases]) for name, aliases in DEPARTMENTS.items()]


def find_departments(query: str) -> list[str]:
    """Departments named in the question, as report metadata writes them (``Sở …``)."""
    folded = _key(query)
    return [body for body, keys in _KEYS if any(k in folded for k in keys)]


def steer_docs(metas: dict[str, DocMeta], provinces: Iterable[str], bodies: Iterable[str]) -> set[str] | None:
    """Reports of the named province(s) and department(s) the index holds; ``None`` when the
    question names none of them or when they cover every report (nothing to steer)."""
    held_p = {p for p in provinces if any(m.province == p for m in metas.values())}
    held_b = {b for b in bodies if any(m.body == b for m in metas.values())}
    if not held_p and not held_b:
        return None

    def match(meta: DocMeta, with_body: bool) -> bool:
        return (not held_p or meta.province in held_p) and (not with_body or not held_b or meta.body in held_b)

    docs = {d for d, m in metas.items() if match(m, True)} or {d for d, m in metas.items() if match(m, False)}
    return docs if docs and len(docs) < len(metas) else None
