"""Sentences and tokens, by razdel (rule-based, fast, made for Russian)."""

from __future__ import annotations

from dataclasses import dataclass

from razdel import sentenize, tokenize


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a text with its character offsets, so that masks map back to the raw text."""

    start: int
    stop: int
    text: str


def words(text: str) -> list[str]:
    """Token strings of `text` (words, numbers, punctuation), in order."""
    return [token.text for token in tokenize(text)]


def token_spans(text: str) -> list[Span]:
    return [Span(t.start, t.stop, t.text) for t in tokenize(text)]


def sentences(text: str) -> list[Span]:
    return [Span(s.start, s.stop, s.text) for s in sentenize(text)]
