"""Text normalisation before analysis.

Citizens type in a hurry: ё and е mixed, Latin look-alike letters inside Russian words,
«!!!!», «оооочень», emoji, missing spaces after full stops and stray spaces before commas.
Everything downstream (lemmas, lexicon, model) sees one spelling of each word, so the
training corpus and real texts meet on the same ground. Case is kept: names need it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

_LATIN_TO_CYRILLIC = str.maketrans("aAeEoOpPcCxXyKkMHTBu", "аАеЕоОрРсСхХуКкМНТВи")
_LATIN = re.compile(r"[a-zA-Z]")
_MIXED_WORD = re.compile(r"\b(?=\w*[а-яА-ЯёЁ])(?=\w*[a-zA-Z])\w+\b")
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\U00002B00-\U00002BFF"
    "\U0000FE00-\U0000FE0F\U0000200D\U000020E3]+"
)
_REPEATED_PUNCT = re.compile(r"([!?.,;:)(])\1{1,}")
_ELLIPSIS = re.compile(r"\.{3,}|…")
_REPEATED_LETTER = re.compile(r"([а-яА-Яa-zA-Z])\1{2,}")
_MISSING_SPACE = re.compile(r"(?<=[а-яА-Я)»])([,.!?;:])(?=[а-яА-Я«(])")
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\w)\s+([,!?;:])(?=\s|$)|(?<=\w)\s+([,])(?=\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_DASHES = str.maketrans({"\u2012": "-", "\u2013": "-", "\u2014": "—", "\u2212": "-", "\u2010": "-"})

_EMOJI_CHARS = re.compile("[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U00002B00-\U00002BFF\u263a\u2639]")
POSITIVE_EMOJI = frozenset("😀😃😄😁😊🙂😍🥰😘👍👌❤💖💗💐🌹🙏✨🎉🤗😇💯⭐🌟☺")
NEGATIVE_EMOJI = frozenset("😡😠🤬👎😤😞😢😭😩😫🤮💩😒🙄😱😖😣😔☹🤦")

SPELLING_FILE = Path(__file__).with_name("lexicons") / "spelling.yaml"


@lru_cache(maxsize=1)
def spelling() -> dict[str, str]:
    """Whole-word fixes kept as data: merged words («немогу»), slang and shorthand («оч»)."""
    data = yaml.safe_load(SPELLING_FILE.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): str(v) for k, v in data.get("words", {}).items()}


def _fix_mixed(match: re.Match[str]) -> str:
    word = match.group(0)
    return word.translate(_LATIN_TO_CYRILLIC)


def emoji_balance(text: str) -> tuple[int, int]:
    """Count positive and negative emoji: they carry the polarity of emoji-heavy texts."""
    found = "".join(_EMOJI_CHARS.findall(text))
    if not found:
        return 0, 0
    pos = sum(1 for ch in found if ch in POSITIVE_EMOJI)
    neg = sum(1 for ch in found if ch in NEGATIVE_EMOJI)
    return pos, neg


# A plain word with at most one punctuation mark after it needs no normalisation (unless a
# letter repeats three times): most chunks of a text are like this.
_PLAIN = re.compile(r"[а-яА-Я]+[,.!?:;)]?")
_TRIPLE = re.compile(r"(.)\1\1")


def normalize(text: str | None) -> str:
    """Return a cleaned copy of `text` for analysis (not for display: offsets change)."""
    if not text:
        return ""
    if _PLAIN.fullmatch(text) and not _TRIPLE.search(text):
        return text
    text = unicodedata.normalize("NFC", text)
    text = text.replace("ё", "е").replace("Ё", "Е").translate(_DASHES)
    text = _EMOJI.sub(" ", text)
    if _LATIN.search(text):  # the look-ahead pattern is costly; most texts have no Latin at all
        text = _MIXED_WORD.sub(_fix_mixed, text)
    text = _ELLIPSIS.sub("…", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _REPEATED_LETTER.sub(r"\1", text)
    text = _MISSING_SPACE.sub(r"\1 ", text)
    text = _SPACE_BEFORE_PUNCT.sub(lambda m: (m.group(1) or m.group(2) + " "), text)
    text = _SPACES.sub(" ", text)
    return text.strip()
