"""Cue words: where in a text the lexicon saw a pain, for highlighting on the analysts'
drill-down page. Offsets are of the text as given (the masked text), so the page can wrap
exactly those characters in <mark>."""

from __future__ import annotations

from nlp.document import analyse
from nlp.lemmas import info
from nlp.lexicon import Pattern, pains
from nlp.tokens import token_spans


def _words(patterns: list[Pattern]) -> tuple[frozenset[str], tuple[str, ...]]:
    lemmas: set[str] = set()
    prefixes: list[str] = []
    for pattern in patterns:
        for item in pattern.items:
            lemmas |= item.lemmas
            prefixes += item.prefixes
    return frozenset(lemmas), tuple(prefixes)


def cue_spans(text: str, category: str) -> list[tuple[int, int]]:
    """(start, end) of the words of the category's complaint patterns that fired in `text`.

    When no pattern fired (the model decided from other evidence), the anchor words of all
    the category's complaint patterns are marked instead, so the analyst still sees why.
    """
    if not text:
        return []
    lexicon = pains()
    mine = [p for p in lexicon.patterns if p.key == (category, "complaint")]
    fired = [p for p in lexicon.fired(analyse(text)) if p.key == (category, "complaint")]
    if fired:
        lemmas, prefixes = _words(fired)
    else:
        lemmas = frozenset().union(*(p.items[0].lemmas for p in mine)) if mine else frozenset()
        prefixes = tuple(x for p in mine for x in p.items[0].prefixes)
    spans = []
    for span in token_spans(text):
        if not any(ch.isalpha() for ch in span.text):
            continue
        lemma = info(span.text.lower().replace("ё", "е")).lemma
        if lemma in lemmas or any(lemma.startswith(p) for p in prefixes):
            spans.append((span.start, span.stop))
    return spans
