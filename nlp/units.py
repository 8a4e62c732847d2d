"""Sentence units of a raw text: the pieces a long story is read in.

A complaint is usually one or two sentences inside a story, so the classifier scores every
unit as well as the whole text, and the unit that scores highest for a category is that
category's evidence. Units are spans of the text as given (offsets into the raw text), so
evidence can be highlighted in it.

The splitter is a regular expression, not razdel's sentenizer: it is ~20× cheaper, and
citizens' texts break sentences in ways (missing spaces «часа.Стульев», lines without a
full stop, «!!!») that it handles as well. Abbreviations and initials do not end a
sentence; very short pieces are joined to their neighbour, very long sentences are cut at
a semicolon or a dash between clauses.
"""

from __future__ import annotations

import re

from nlp.tokens import Span

# an end of sentence: terminal punctuation (then optional closing quotes/brackets) followed by
# a capital letter, a quote or a digit after optional spaces; or a line break
_END = re.compile(r"([.!?…]+[»\")]*)[ \t\u00a0]*(?=[А-ЯЁA-Z«\"(0-9—-])|\s*\n\s*")
# words that end with a full stop without ending a sentence (lower case), and initials
ABBREVIATIONS = frozenset((
    "ул", "г", "гор", "им", "пр", "просп", "пер", "д", "кв", "корп", "стр", "т", "е", "см", "тел",
    "руб", "р", "коп", "обл", "р-н", "пос", "пгт", "с", "ст", "мкр", "каб", "окн", "зам", "нач", "ген",
    "ср", "св", "рис", "гл", "п", "пп", "вх", "исх", "н", "напр", "др", "проф", "доц", "тыс", "млн",
    "млрд", "кг", "км", "мин", "сек", "ч", "ок", "прим", "т.е", "т.д", "т.п", "и.о",
))
_WORD_BEFORE = re.compile(r"[\w.-]+$")
_CLAUSE_CUT = re.compile(r"(?:;|\s[—–-]\s|:\s)")
MIN_UNIT = 12  # characters: shorter pieces («Ужас.», «5 звёзд.») join their neighbour
MAX_UNIT = 320  # characters: longer sentences are cut between clauses


def units(text: str) -> list[Span]:
    """Sentence units covering the text's non-blank content, in order."""
    if not text or text.isspace():
        return []
    pieces: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    for m in _END.finditer(text):
        if text[m.start()] == "." and _abbreviation(text, m.start()):
            continue
        stop = m.end(1) if m.group(1) else m.start()
        if stop > start:
            pieces.append((start, stop))
        start = m.end()
    stop = len(text.rstrip())
    if stop > start:
        pieces.append((start, stop))
    out: list[Span] = []
    for start, stop in _join_short(pieces, text):
        if stop - start <= MAX_UNIT:
            out.append(Span(start, stop, text[start:stop]))
        else:
            out.extend(_cut_long(text, start, stop))
    return out


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` closes an abbreviation («ул.», «т.е.») or an initial («С.»)."""
    if dot == 0 or not text[dot - 1].isalpha():
        return False
    word = _WORD_BEFORE.search(text, max(0, dot - 8), dot)
    if word is None:
        return False
    w = word.group().lstrip(".")
    return (len(w) == 1 and w.isupper()) or w.lower() in ABBREVIATIONS


def _strip(text: str, start: int, stop: int) -> tuple[int, int] | None:
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    return (start, stop) if stop > start else None


def _join_short(pieces: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, stop in pieces:
        if out and (stop - start < MIN_UNIT or out[-1][1] - out[-1][0] < MIN_UNIT) \
                and "\n\n" not in text[out[-1][1]:start]:
            out[-1] = (out[-1][0], stop)
        else:
            out.append((start, stop))
    return out


def _cut_long(text: str, start: int, stop: int) -> list[Span]:
    out: list[Span] = []
    begin = start
    for m in _CLAUSE_CUT.finditer(text, start, stop):
        if m.end() - begin >= MAX_UNIT // 2 and stop - m.end() >= MIN_UNIT * 3:
            piece = _strip(text, begin, m.start() + (1 if text[m.start()] == ";" else 0))
            if piece:
                out.append(Span(piece[0], piece[1], text[piece[0]:piece[1]]))
            begin = m.end()
    piece = _strip(text, begin, stop)
    if piece:
        out.append(Span(piece[0], piece[1], text[piece[0]:piece[1]]))
    return out
