"""Negation scope: which words of a clause are negated.

«очереди не было», «без очереди», «очередей нет», «никто не нахамил» mention a pain only to
say it was absent, so the words in scope are marked and both the lexicon and the model see
`очередь` and `¬очередь` as different things. A cue negates forward up to a few words,
stopping at clause punctuation and at contrast words («но», «однако»); predicates of
absence («нет», «не было», «отсутствует») also negate backwards, over the noun before them.
"""

from __future__ import annotations

from collections.abc import Sequence

FORWARD_CUES = frozenset({"не", "ни", "без", "нет", "нету", "отсутствие", "никакой"})
ABSENCE = frozenset({"нет", "нету", "отсутствовать"})
AFTER_NE_ABSENCE = frozenset({"быть", "оказаться", "наблюдаться", "возникнуть", "случиться",
                              "замечать", "заметить", "стоять"})
CLAUSE_PUNCT = frozenset({",", ".", "!", "?", ";", ":", "—", "-", "(", ")", "…", "\"", "«", "»"})
CONTRAST = frozenset({"но", "однако", "а", "зато", "хотя", "только"})
FORWARD_WINDOW = 3
BACKWARD_WINDOW = 3


BOUNDARIES = CLAUSE_PUNCT | CONTRAST
_CUES = FORWARD_CUES | ABSENCE | {"не"}


def is_boundary(lemma: str) -> bool:
    return lemma in BOUNDARIES


def structure(lemmas: Sequence[str]) -> tuple[list[bool], list[int]]:
    """Negation scope and clause numbers in one pass (a boundary token gets a number of its
    own, so no clause spans it)."""
    n = len(lemmas)
    negated = [False] * n
    clauses = [0] * n
    current = 0
    for i, lem in enumerate(lemmas):
        if lem in BOUNDARIES:
            current += 1
            clauses[i] = current
            current += 1
            if lem not in _CUES:
                continue
        else:
            clauses[i] = current
        if lem in _CUES:
            if lem in FORWARD_CUES:
                _mark_forward(lemmas, negated, i)
            if lem in ABSENCE or (lem == "не" and i + 1 < n and lemmas[i + 1] in AFTER_NE_ABSENCE):
                _mark_backward(lemmas, negated, i)
    return negated, clauses


def scope(lemmas: Sequence[str]) -> list[bool]:
    """For each token (lemmas, punctuation included) whether it is in a negation scope."""
    n = len(lemmas)
    negated = [False] * n
    for i, lem in enumerate(lemmas):
        if lem in FORWARD_CUES:
            _mark_forward(lemmas, negated, i)
        backward = lem in ABSENCE or (lem == "не" and i + 1 < n and lemmas[i + 1] in AFTER_NE_ABSENCE)
        if backward:
            _mark_backward(lemmas, negated, i)
    return negated


def _mark_forward(lemmas: Sequence[str], negated: list[bool], cue: int) -> None:
    seen = 0
    for j in range(cue + 1, len(lemmas)):
        if lemmas[j] in BOUNDARIES or seen >= FORWARD_WINDOW:
            return
        if lemmas[j] in FORWARD_CUES:
            continue
        negated[j] = True
        seen += 1


def _mark_backward(lemmas: Sequence[str], negated: list[bool], cue: int) -> None:
    seen = 0
    for j in range(cue - 1, -1, -1):
        if lemmas[j] in BOUNDARIES or seen >= BACKWARD_WINDOW:
            return
        if lemmas[j] in FORWARD_CUES:
            continue
        negated[j] = True
        seen += 1
