"""👎 feedback to draft test items (``cchc eval from-feedback FEEDBACK.jsonl --out DRAFT.jsonl``).

The chat appends one line per vote to ``CCHC_HOME/feedback.jsonl``:
``{"question", "answer", "citations": [{"doc", "section", "quote", …}], "vote": "up"|"down",
"comment", "time"}``. Each 👎 line becomes a draft in the question format:

* ``id`` ``fb_<8 hex>`` (stable: a hash of question and time), ``question``, ``lang``
  (``vi`` when the question has Vietnamese letters, else ``en``);
* ``answer``, ``must_include`` and ``category`` left empty (``""``/``[]``) for the evaluator
  to fill — until ``category`` is filled the loader skips the line with
  ``missing field(s): category``, so a draft is never scored by accident;
* ``docs``: the reports the wrong answer cited (a starting point, to be checked);
* ``feedback``: what was answered, cited and said (``answer``, ``citations``, ``comment``,
  ``time``), ignored by the loader.

The same question voted down twice gives one draft (the comments are joined).
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")


def guess_lang(text: str) -> str:
    """``vi`` when the text has a Vietnamese letter or tone mark, else ``en``."""
    nfd = unicodedata.normalize("NFD", text or "")
    if any(ch in VI_LETTERS for ch in text or "") or any(unicodedata.combining(c) for c in nfd):
        return "vi"
    return "en"


def draft_item(row: dict) -> dict:
    """One draft question item from one 👎 feedback row."""
    question = unicodedata.normalize("NFC", str(row.get("question") or "")).strip()
    digest = hashlib.sha1(f"{question}\n{row.get('time', '')}".encode("utf-8")).hexdigest()[:8]
    cites = [c for c in row.get("citations") or [] if isinstance(c, dict)]
    docs = sorted({str(c["doc"]) for c in cites if c.get("doc")})
    return {"id": f"fb_{digest}", "question": question, "answer": "", "must_include": [],
            "docs": docs, "evidence": [], "category": "", "lang": guess_lang(question),
            "feedback": {"answer": row.get("answer", ""), "citations": cites,
                         "comment": str(row.get("comment") or "").strip(),
                         "time": row.get("time", "")}}


def drafts_from_feedback(path: Path) -> tuple[list[dict], list[str]]:
    """Draft items from the 👎 lines of a feedback file, and one message per bad line."""
    drafts: dict[str, dict] = {}
    errors: list[str] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            errors.append(f"{path}:{n}: invalid JSON ({err.msg})")
            continue
        if not isinstance(row, dict) or not str(row.get("question") or "").strip():
            errors.append(f"{path}:{n}: no question")
            continue
        if row.get("vote") != "down":
            continue
        item = draft_item(row)
        key = item["question"].casefold()
        if key in drafts:
            old = drafts[key]["feedback"]
            old["comment"] = " | ".join(x for x in (old["comment"], item["feedback"]["comment"]) if x)
        else:
            drafts[key] = item
    return list(drafts.values()), errors
