"""The model chooses, code decides: a local model picks among numbered candidates.

Small models are far better at choosing than at writing. When the runner-up candidate scores
close to the best (:data:`CHOOSE_MARGIN`), the model reads the question and up to
:data:`MAX_OPTIONS` candidates (each with its source sentence, cut to :data:`SENTENCE_CHARS`) and
answers with one digit. Anything but a valid option number keeps the code's choice; "0" (none
answers) is only taken as a hint, never as an abstention: the abstention decision stays in code.

    >>> pick_number("2")
    2
    >>> pick_number("Phương án đúng là 3.")
    3
"""
from __future__ import annotations

import logging
import re

import prompts
from assistant.answer.candidates import Candidate
from assistant.answer.compose import trim

log = logging.getLogger(__name__)
CHOOSE_MARGIN = 0.12  # ask only when the runner-up is this close (score units of select.py; tune.jsonl)
MAX_OPTIONS = 4       # options shown: more costs prompt time (~3 s per 100 tokens here) for little gain
SENTENCE_CHARS = 160  # source sentence shown per option
MAX_TOKENS = 3        # one digit (and whatever the tokenizer adds)


def options(ranked: list[Candidate]) -> list[Candidate]:
    """Distinct candidates (by value), best first, at most :data:`MAX_OPTIONS`."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for c in ranked:
        key = re.sub(r"\s+", " ", c.value.strip().lower())
        if key not in seen:
            seen.add(key)
            out.append(c)
        if len(out) == MAX_OPTIONS:
            break
    return out


def worth_asking(ranked: list[Candidate]) -> bool:
    """Two or more distinct candidates and the runner-up within :data:`CHOOSE_MARGIN`."""
    opts = options(ranked)
    return len(opts) > 1 and opts[0].score - opts[1].score < CHOOSE_MARGIN


def messages(question: str, opts: list[Candidate]) -> list[dict]:
    lines = "\n".join(prompts.render("choose_option", n=str(i + 1), value=trim(c.value, 120),
                                     sentence=trim(c.unit.text, SENTENCE_CHARS)).strip() for i, c in enumerate(opts))
    return [{"role": "system", "content": prompts.render("choose_system").strip()},
            {"role": "user", "content": prompts.render("choose_user", question=question, options=lines).strip()}]


def pick_number(reply: str) -> int | None:
    m = re.search(r"\d", reply or "")
    return int(m.group(0)) if m else None


def choose(generator, question: str, ranked: list[Candidate]) -> Candidate | None:
    """The candidate the model picks, or None (keep the code's choice)."""
    opts = options(ranked)
    try:
        reply = "".join(generator.generate(messages(question, opts), max_tokens=MAX_TOKENS, temperature=0.0))
    except Exception as e:  # a failing model never costs the answer
        log.warning("chooser failed: %s", e)
        return None
    n = pick_number(reply)
    if n is None or not 1 <= n <= len(opts):
        return None
    return opts[n - 1]
