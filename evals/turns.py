"""Conversation items: follow-up questions scored turn by turn.

An item may carry ``turns``: a list of follow-ups asked after it in the same conversation,
each a JSON object in the question format without ``id`` (it becomes ``<id>#<n>``, n = 1…)
and with ``category``/``lang`` defaulting to the parent's::

    {"id": "gl_01", "question": "Sở Nội vụ Gia Lai ban hành kế hoạch CCHC năm 2021 bằng văn bản nào?",
     "must_include": ["15/KH-SNV"], "doc": "gl.txt", "evidence": "…", "category": "decision_lookup",
     "turns": [{"question": "Còn năm 2019 thì sao?", "must_include": ["88/KH-SNV"],
                "doc": "gl.txt", "evidence": "…"}]}

Turn *n* is asked through ``Assistant.ask(question, history=...)`` with the earlier
questions and the assistant's own earlier answers as ``[{"role": "user"|"assistant",
"content": …}]`` — exactly what the chat sends — so a wrong first answer can sink a turn.
Each turn is scored like an item (one ``results.jsonl`` line, ``gold.turn`` = n).
"""
from __future__ import annotations

from collections import defaultdict


def parse_turns(obj: dict, parse_item, line: int) -> list:
    """The follow-up items of ``obj`` (``parse_item`` validates each one)."""
    raw = obj.get("turns")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ValueError("field 'turns' must be a list of JSON objects")
    out = []
    for n, turn in enumerate(raw, 1):
        full = {"category": obj.get("category"), "lang": obj.get("lang"), **turn,
                "id": f"{obj.get('id')}#{n}"}
        full.pop("turns", None)
        try:
            item = parse_item(full, line)
        except ValueError as err:
            raise ValueError(f"turn {n}: {err}") from None
        item.turn = n
        out.append(item)
    return out


def history_after(history: list[dict], question: str, answer: str) -> list[dict]:
    """The chat history once ``question`` was answered with ``answer``."""
    return [*history, {"role": "user", "content": question},
            {"role": "assistant", "content": answer}]


def conversation_metrics(rows: list[tuple]) -> dict | None:
    """Accuracy by turn index and the share of conversations right at every turn."""
    if not any(i.turn for i, _ in rows):
        return None
    by_turn: dict[int, list[bool]] = defaultdict(list)
    convs: dict[str, list[bool]] = defaultdict(list)
    for i, s in rows:
        by_turn[i.turn].append(s["correct"])
        convs[i.id.split("#")[0]].append(s["correct"])
    multi = [all(v) for v in convs.values() if len(v) > 1]
    return {"accuracy_by_turn": {str(t): sum(v) / len(v) for t, v in sorted(by_turn.items())},
            "n_conversations": len(multi),
            "conversations_all_correct": sum(multi) / len(multi) if multi else None}
