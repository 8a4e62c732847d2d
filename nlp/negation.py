"""Negation scope: which words of a clause are negated.

«очереди не было», «без очереди», «очередей нет», «никто не нахамил» mention a pain only to
say it was absent, so the words in scope are marked and both the lexicon and the model see
`очередь` and `¬очередь` as different things. A cue negates forward up to a few words,
stopping at clause punctuation and at contrast words («но», «однако»); predicates of
absence («нет», «не было», «отсутствует») also negate backwards, over the noun before them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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
    return structure(lemmas)[0]


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


class Vectorised:
    """`structure` over a batch of units as arrays of lemma ids (`nlp.lemmas.lemma_id`):
    the same scopes and clause boundaries, computed with a few array operations per step
    of the window instead of a Python loop per token. `unit` gives each token's unit;
    scopes never cross units."""

    def __init__(self) -> None:
        from nlp.lemmas import lemma_id

        def ids(words: frozenset[str]) -> np.ndarray:
            return np.array(sorted(lemma_id(w) for w in words), dtype=np.int64)

        self.boundary, self.forward, self.absence = ids(BOUNDARIES), ids(FORWARD_CUES), ids(ABSENCE)
        self.after_ne, self.ne = ids(AFTER_NE_ABSENCE), lemma_id("не")

    def __call__(self, ids: np.ndarray, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(ids)
        boundary = np.isin(ids, self.boundary)
        forward = np.isin(ids, self.forward)
        negated = np.zeros(n, dtype=bool)
        cues = np.flatnonzero(forward)
        self._walk(cues, 1, FORWARD_WINDOW, unit, boundary, forward, negated)
        after = np.zeros(n, dtype=bool)
        after[:-1] = np.isin(ids[1:], self.after_ne) & (unit[1:] == unit[:-1])
        backward = np.isin(ids, self.absence) | ((ids == self.ne) & after)
        self._walk(np.flatnonzero(backward), -1, BACKWARD_WINDOW, unit, boundary, forward, negated)
        # clause numbers: a boundary token gets a number of its own, like `structure`
        counted = np.cumsum(boundary)
        clauses = 2 * counted - boundary
        return negated, clauses

    @staticmethod
    def _walk(cues: np.ndarray, step: int, window: int, unit: np.ndarray, boundary: np.ndarray,
              forward: np.ndarray, negated: np.ndarray) -> None:
        """From every cue, mark up to `window` tokens in `step` direction, skipping other
        forward cues and stopping at a boundary or the unit's edge."""
        n = len(unit)
        alive = np.ones(len(cues), dtype=bool)
        seen = np.zeros(len(cues), dtype=np.int64)
        pos = cues.copy()
        while alive.any():
            pos = pos + step
            inside = (pos >= 0) & (pos < n)
            alive &= inside
            safe = np.clip(pos, 0, n - 1)
            alive &= unit[safe] == unit[cues]
            alive &= ~boundary[safe]
            mark = alive & ~forward[safe]
            negated[safe[mark]] = True
            seen += mark
            alive &= seen < window
