"""Provinces before and after the 2025 reorganisation (Nghị quyết 202/2025/QH15: 63 → 34 units).

Reports written before mid-2025 name the old province ("Sở KH&CN tỉnh Bình Định"); an official
in 2026 asks with the new one ("Sở KH&CN Gia Lai … năm 2020"). The mapping is shipped as data
(``vocab/data/provinces-2025.csv``, with its README and source); names are kept without the
"Thành phố"/"Tỉnh" prefix, as reports write them after "tỉnh"/"thành phố".

    >>> new_province("Bình Định")
    'Gia Lai'
    >>> sorted(old_provinces("Gia Lai"))
    ['Bình Định', 'Gia Lai']
    >>> province_label("Kon Tum")
    'Kon Tum (nay thuộc tỉnh Quảng Ngãi)'
    >>> province_label("Nghệ An")
    'Nghệ An'
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "provinces-2025.csv"
SOURCE = "Nghị quyết số 202/2025/QH15 của Quốc hội (hiệu lực từ 01/7/2025)"
MERGER_YEAR = 2025  # the new provincial authorities operate from 01/7/2025
_PREFIX = re.compile(r"^(?:Thành phố|Tỉnh|TP\.?)\s+", re.I)


def bare(name: str) -> str:
    """``Thành phố Hồ Chí Minh`` → ``Hồ Chí Minh``."""
    return _PREFIX.sub("", name.strip())


@lru_cache(maxsize=1)
def mapping() -> dict[str, str]:
    """Old province → the unit it belongs to since 2025 (both without prefix); every CSV row."""
    with DATA.open(encoding="utf-8") as f:
        return {bare(r["province_before_2025"]): bare(r["province_from_2025"]) for r in csv.DictReader(f)}


def new_province(old: str) -> str | None:
    return mapping().get(bare(old))


def old_provinces(new: str) -> list[str]:
    """Every old province merged into ``new`` (itself included when it was one)."""
    new = bare(new)
    olds = [o for o, n in mapping().items() if n == new]
    return olds or ([new] if new in mapping() else [])


def expand(names) -> list[str]:
    """Names as a question writes them → every old-province name a report may carry, in order:
    "Gia Lai" → Gia Lai, Bình Định; "Bình Định" → Bình Định."""
    out: list[str] = []
    for name in names:
        for p in [bare(name)] + old_provinces(name):
            if p not in out:
                out.append(p)
    return out


def province_label(old: str) -> str:
    """How an answer names a report's province: ``Bình Định (nay thuộc tỉnh Gia Lai)``."""
    new = new_province(old)
    if not new or new == bare(old):
        return old
    kind = "thành phố" if new in _CITIES else "tỉnh"
    return f"{old} (nay thuộc {kind} {new})"


_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}


def after_merger(years) -> bool:
    """The question asks about a period after the reorganisation."""
    return bool(years) and min(years) >= MERGER_YEAR
