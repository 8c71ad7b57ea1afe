"""Prompt templates as plain files (``*.txt``), rendered with ``string.Template`` (``$name``).

    >>> render("answer_user", passages="[1] …", question="Có bao nhiêu hồ sơ trễ hạn?")
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template

FOLDER = Path(__file__).parent


def names() -> list[str]:
    """Every template shipped (file stems)."""
    return sorted(p.stem for p in FOLDER.glob("*.txt"))


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    path = FOLDER / f"{name}.txt"
    if not path.exists():
        raise KeyError(f"no prompt template {name!r}; known: {', '.join(names())}")
    return Template(path.read_text(encoding="utf-8"))


def placeholders(name: str) -> set[str]:
    """The ``$names`` a template needs."""
    return {m.group("named") or m.group("braced") for m in Template.pattern.finditer(_template(name).template)
            if m.group("named") or m.group("braced")}


def render(name: str, **values: str) -> str:
    """Fill template ``name``; a missing value is an error (never a silent ``$name`` left in)."""
    return _template(name).substitute(**values)
