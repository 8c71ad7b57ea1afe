"""A reproducible large collection: the five sample reports plus look-alike *distractors*.

Copy ``i`` (``i >= 5``) rewrites sample ``i % 5`` as another department's report: another province
(everywhere, header ``UBND TỈNH …`` included), another department (names, short forms, the ministry,
the agency part of document codes, web sites), the period shifted by a whole number of years, every
date shifted by the same number of days, every count, score and percentage and every decision serial
redrawn (one mapping per copy, so a number repeated in the text stays repeated), another signer.
The facts of the five originals (their decision numbers, dates, counts) therefore appear only in the
originals. A copy depends only on ``(seed, i)``: the 50-report collection is a subset of the 200 one.

    .venv/bin/python bench/make_corpus.py --size 200 --out /tmp/cchc-scale/corpus-200
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.metadata import PROVINCES, extract_metadata  # noqa: E402
from ingest.normalize import normalize_text  # noqa: E402
from ingest.textkeys import CODE, DATE, fold, tokens  # noqa: E402

SAMPLES = ROOT / "cchc" / "samples"
SEED = 20240607
_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}
DISTRACTOR_PROVINCES = tuple(p for p in PROVINCES if p not in _CITIES)


@dataclass(frozen=True)
class Dept:
    """A department as it is written: full name, short form after ``Sở``, agency code, ministry."""

    name: str
    short: str
    code: str
    ministry: str
    slug: str


DEPARTMENTS = (
    Dept("Tư pháp", "Tư pháp", "STP", "Tư pháp", "stp"),
    Dept("Y tế", "Y tế", "SYT", "Y tế", "syt"),
    Dept("Tài chính", "Tài chính", "STC", "Tài chính", "stc"),
    Dept("Kế hoạch và Đầu tư", "KH&ĐT", "SKHĐT", "Kế hoạch và Đầu tư", "skhdt"),
    Dept("Giáo dục và Đào tạo", "GD&ĐT", "SGDĐT", "Giáo dục và Đào tạo", "sgddt"),
    Dept("Xây dựng", "Xây dựng", "SXD", "Xây dựng", "sxd"),
    Dept("Giao thông vận tải", "Giao thông vận tải", "SGTVT", "Giao thông vận tải", "sgtvt"),
    Dept("Công Thương", "Công Thương", "SCT", "Công Thương", "sct"),
    Dept("Nông nghiệp và Phát triển nông thôn", "Nông nghiệp và Phát triển nông thôn", "SNNPTNT",
         "Nông nghiệp và Phát triển nông thôn", "snnptnt"),
    Dept("Tài nguyên và Môi trường", "TN&MT", "STNMT", "Tài nguyên và Môi trường", "stnmt"),
    Dept("Lao động - Thương binh và Xã hội", "Lao động - Thương binh và Xã hội", "SLĐTBXH",
         "Lao động - Thương binh và Xã hội", "sldtbxh"),
    Dept("Văn hóa, Thể thao và Du lịch", "Văn hóa, Thể thao và Du lịch", "SVHTTDL",
         "Văn hóa, Thể thao và Du lịch", "svhttdl"),
    Dept("Thông tin và Truyền thông", "TT&TT", "STTTT", "Thông tin và Truyền thông", "stttt"),
)
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
             "Dương", "Lý")
_MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Công")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hùng", "Khoa", "Lâm", "Long", "Nam", "Phong",
          "Quang", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Yến", "Hạnh", "Hương", "Lan", "Mai")
_LATEST_YEAR = 2025

# ---- the numeric rewrite: one regex, first alternative wins at a position ---------------------
_NUMERIC = re.compile("|".join([
    r"(?P<keep>(?m:^[#*\s]*\d+(?:\.\d+)*\.(?=\s))|<sup>\d+</sup>|\(\d+\)|(?:TC\s*|TCVN\s*)?ISO\s*\d+(?::\s*\d{4})?"
    r"|\b(?:9001|17025)(?::\s*\d{4})?|(?i:covid)\s*-\s*\d+|mức độ\s*\d(?:\s*,\s*\d)*|\b\d\.0\b|\b6 (?i:tháng))",
    r"(?P<wdate>ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})",
    r"(?P<mword>tháng\s+\d{1,2}\s+năm\s+\d{4})",
    rf"(?P<date>{DATE})",
    rf"(?P<code>{CODE})",
    r"(?P<myear>\b\d{1,2}/(?:19|20)\d\d\b)",
    r"(?P<pair>\d+(?:[.,]\d+)*/\d+(?:[.,]\d+)*)",
    r"(?P<pct>\d+(?:[.,]\d+)?\s?%)",
    r"(?P<year>\b(?:19[89]\d|20[0-4]\d)\b)",
    r"(?P<num>\d+(?:[.,]\d+)*)",
]))


@dataclass(frozen=True)
class Plan:
    """What copy ``index`` changes: its source sample, province, department, years and days."""

    index: int
    source: str
    province: str
    dept: str
    year_offset: int
    day_shift: int
    signer: str


def plan_copy(index: int, source: Path, years: tuple[int, ...], src_province: str | None, seed: int) -> Plan:
    rng = random.Random(f"{seed}:{index}")
    province = rng.choice([p for p in DISTRACTOR_PROVINCES if p != src_province])
    dept = rng.choice(DEPARTMENTS)
    latest = max(years or (2020,)) + 1
    offsets = [o for o in range(-5, 6) if o and 2012 <= min(years or (2020,)) + o and latest + o <= _LATEST_YEAR]
    signer = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    shift = rng.choice([d for d in range(-45, 46) if abs(d) >= 3])
    return Plan(index, source.name, province, dept.name, rng.choice(offsets), shift, signer)


class Rewriter:
    """Rewrites one sample's text according to a :class:`Plan` (deterministic for the plan)."""

    def __init__(self, plan: Plan, src_meta, forbidden: set[str], seed: int):
        self.plan = plan
        self.meta = src_meta
        self.dept = next(d for d in DEPARTMENTS if d.name == plan.dept)
        self.rng = random.Random(f"{seed}:{plan.index}:numbers")
        self.forbidden = forbidden  # canonical code/date tokens of the originals
        self.counts: dict[int, int] = {}

    def rewrite(self, text: str) -> str:
        text = self._department(text)
        text = self._web(text)
        text = self._province(text)
        if self.meta.signer:
            text = text.replace(self.meta.signer, self.plan.signer)
        text = _NUMERIC.sub(self._numeric, text)
        header = f"UBND TỈNH {self.plan.province.upper()}\nSỞ {self.dept.name.upper()}\n\n"
        return header + text.lstrip()

    # ---- names ---------------------------------------------------------------------------
    def _department(self, text: str) -> str:
        d = self.dept
        text = re.sub(r"Sở Khoa học và Công nghệ \(KH&CN\)", f"Sở {d.name}", text)
        text = re.sub(r"Sở\s+Khoa\s+học\s+và\s+Công\s+nghệ", f"Sở {d.name}", text)
        text = re.sub(r"SỞ\s+KHOA\s+HỌC\s+VÀ\s+CÔNG\s+NGHỆ", f"SỞ {d.name.upper()}", text)
        text = re.sub(r"Sở\s+(?:KH&CN|KHCN|KH-CN)\b", f"Sở {d.short}", text)
        text = re.sub(r"Bộ\s+(?:Khoa\s+học\s+và\s+Công\s+nghệ|KH&CN|KHCN)", f"Bộ {d.ministry}", text)
        text = re.sub(r"ngành\s+(?:KH&CN|KHCN|khoa học và công nghệ)", f"ngành {d.short}", text)
        return re.sub(r"(?<=[/-])(\s?)S?KHH?-?CH?N\b", lambda m: m.group(1) + d.code, text)

    def _web(self, text: str) -> str:
        slug = fold(self.plan.province).replace(" ", "")
        site = f"{self.dept.slug}.{slug}.gov.vn"
        return re.sub(r"(https?://)?[\w.-]+\.gov\.vn\b/?", lambda m: (m.group(1) or "") + site, text)

    def _province(self, text: str) -> str:
        if not self.meta.province:
            return text
        folded = "".join(f if len(f := fold(c)) == 1 else c.lower() for c in text)
        key = r"\s+".join(map(re.escape, fold(self.meta.province).split()))
        out, pos = [], 0
        for m in re.finditer(rf"(?<!\w){key}(?!\w)", folded):
            span = text[m.start():m.end()]
            out += [text[pos:m.start()], self.plan.province.upper() if span.isupper() else self.plan.province]
            pos = m.end()
        return "".join(out) + text[pos:]

    # ---- numbers -------------------------------------------------------------------------
    def _numeric(self, m: re.Match) -> str:
        kind, tok = m.lastgroup, m.group(0)
        if kind == "keep":
            return tok
        self._context = m.string[max(0, m.start() - 40):m.start()].lower()
        return getattr(self, f"_{kind}")(tok)

    def _year_of(self, y: int) -> int:
        return y + self.plan.year_offset

    def _year(self, tok: str) -> str:
        return str(self._year_of(int(tok)))

    def _shift(self, day: int, month: int, year: int) -> dt.date:
        base = dt.date(self._year_of(year), month, min(day, 28 if month == 2 else 30))
        new = base + dt.timedelta(days=self.plan.day_shift)
        while _canon_date(new) in self.forbidden:
            new += dt.timedelta(days=1)
        return new

    def _date(self, tok: str) -> str:
        sep = re.search(r"\D", tok).group(0)
        d, mo, y = (int(x) for x in re.split(r"\D", tok))
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return tok
        parts = tok.split(sep)
        new = self._shift(d, mo, y)
        return sep.join([_pad(new.day, parts[0]), _pad(new.month, parts[1]), str(new.year)])

    def _wdate(self, tok: str) -> str:
        d, mo, y = (int(x) for x in re.findall(r"\d+", tok))
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return tok
        nums = re.findall(r"\d+", tok)
        new = self._shift(d, mo, y)
        return f"ngày {_pad(new.day, nums[0])} tháng {_pad(new.month, nums[1])} năm {new.year}"

    def _mword(self, tok: str) -> str:
        return re.sub(r"\d{4}", lambda y: self._year(y.group(0)), tok)

    def _myear(self, tok: str) -> str:
        month, year = tok.split("/")
        return f"{month}/{self._year_of(int(year))}"

    def _code(self, tok: str) -> str:
        parts = re.split(r"([/\-–]\s?)", tok)
        serial = re.match(r"(\d+)(.*)", parts[0])
        out = [self._count_str(serial.group(1)) + serial.group(2)]
        out += [self._year(p) if re.fullmatch(r"(?:19|20)\d\d", p) else p for p in parts[1:]]
        rest = "".join(out)[len(out[0]) - len(serial.group(2)):]
        number = int(out[0][:len(out[0]) - len(serial.group(2))])
        while _canon_code(f"{number}{rest}") in self.forbidden:  # never an original's decision number
            number += 1
        return _fmt_int(number, serial.group(1)) + rest

    def _pair(self, tok: str) -> str:
        a, b = tok.split("/")
        if "," in a or "," in b:  # a score such as 10,25/11,00: keep the maximum, redraw the score
            top = _parse(b)
            new = round(top * self.rng.uniform(0.55, 0.97), 2)
            return f"{_fmt_dec(new, a)}/{b}"
        ia, ib = int(_parse(a)), int(_parse(b))
        if 1 <= ia <= 31 and 1 <= ib <= 12 and (ia > ib or "ngày" in self._context):
            new = self._shift(ia, ib, 2020)
            return f"{_pad(new.day, a)}/{_pad(new.month, b)}"
        if ia == ib:
            return f"{self._count_str(a)}/{self._count_str(b)}"
        na, nb = self._count(ia), self._count(ib)
        if (na <= nb) != (ia <= ib):  # keep "a of b" (or "a over b") the way round it was
            na, nb = nb, na
        return f"{_fmt_int(na, a)}/{_fmt_int(nb, b)}"

    def _pct(self, tok: str) -> str:
        num = re.match(r"\d+(?:[.,]\d+)?", tok).group(0)
        value = _parse(num)
        new = value
        while abs(new - value) < 0.005:
            new = round(min(100.0, value * self.rng.uniform(0.7, 1.12)) if value >= 40
                        else self.rng.uniform(0.2, 39), 2)
        return _fmt_dec(new, num) + tok[len(num):]

    def _num(self, tok: str) -> str:
        if "," in tok and not re.fullmatch(r"\d{1,3}(?:\.\d{3})+", tok):
            value = _parse(tok)
            return _fmt_dec(round(value * self.rng.uniform(0.5, 1.5) + 0.25, 2), tok)
        return self._count_str(tok)

    def _count_str(self, tok: str) -> str:
        return _fmt_int(self._count(int(_parse(tok))), tok)

    def _count(self, value: int) -> int:
        """One redrawn value per original value (so repeated numbers stay repeated)."""
        if value == 0:
            return 0
        if value not in self.counts:
            new = value
            while new == value:
                new = self.rng.randint(1, max(12, value + 5)) if value <= 12 else \
                    max(1, round(value * self.rng.uniform(0.55, 1.6)))
            self.counts[value] = new
        return self.counts[value]

    _context = ""  # the 40 characters before the number being rewritten


def _parse(tok: str) -> float:
    tok = tok.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", tok):
        return float(tok.replace(".", ""))
    return float(tok.replace(",", "."))


def _pad(value: int, like: str) -> str:
    return f"{value:02d}" if like.startswith("0") else str(value)


def _fmt_int(value: int, like: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", like) or (value >= 1000 and "." in like):
        return f"{value:,}".replace(",", ".")
    return f"{value:02d}" if like.startswith("0") and len(like) == 2 else str(value)


def _fmt_dec(value: float, like: str) -> str:
    sep = "," if "," in like else "." if "." in like else ""
    decimals = len(re.split(r"[.,]", like)[1]) if sep else 0
    text = f"{value:.{decimals}f}"
    return text.replace(".", sep) if sep else text


def _canon_code(tok: str) -> str:
    found = tokens(tok)
    return found[0] if found else tok.lower()


def _canon_date(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


@dataclass
class Source:
    """One original sample, normalised, with its metadata."""

    path: Path
    text: str
    meta: object


def load_sources(samples: Path = SAMPLES) -> list[Source]:
    out = []
    for p in sorted(samples.glob("*.txt")):
        text = normalize_text(p.read_text(encoding="utf-8"))
        out.append(Source(p, text, extract_metadata(text)))
    return out


def original_facts(sources: list[Source]) -> set[str]:
    """Canonical decision numbers and dates written in the originals (never reused by a copy)."""
    facts: set[str] = set()
    for s in sources:
        facts |= {t for t in tokens(s.text) if t[0].isdigit() and ("/" in t or "-" in t)}
    return facts


def make_copy(index: int, sources: list[Source], forbidden: set[str], seed: int = SEED) -> tuple[str, str, Plan]:
    """``(file name, text, plan)`` of distractor ``index`` (``index >= len(sources)``)."""
    src = sources[index % len(sources)]
    plan = plan_copy(index, src.path, src.meta.years, src.meta.province, seed)
    text = Rewriter(plan, src.meta, forbidden, seed).rewrite(src.text)
    name = f"{index:04d}_{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
    return name, text, plan


def make_corpus(out: Path, size: int, seed: int = SEED, samples: Path = SAMPLES) -> list[Path]:
    """Write the originals plus ``size - 5`` distractors into ``out`` (plus ``manifest.json``)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sources = load_sources(samples)
    forbidden = original_facts(sources)
    written, manifest = [], []
    for s in sources[:size]:
        dest = out / s.path.name
        dest.write_bytes(s.path.read_bytes())
        written.append(dest)
    for i in range(len(sources), size):
        name, text, plan = make_copy(i, sources, forbidden, seed)
        dest = out / name
        if not dest.exists() or dest.read_text(encoding="utf-8") != text:
            dest.write_text(text, encoding="utf-8")
        written.append(dest)
        manifest.append({"file": name, **asdict(plan)})
    (out / "manifest.json").write_text(json.dumps({"seed": seed, "size": size, "copies": manifest},
                                                  ensure_ascii=False, indent=1), encoding="utf-8")
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, required=True, help="reports in total, originals included")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    files = make_corpus(args.out, args.size, args.seed)
    print(f"{len(files)} reports in {args.out}")


if __name__ == "__main__":
    main()
