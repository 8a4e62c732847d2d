"""People in feedback texts: which words name a staff role, which prepositions govern a
lone surname, and the nominative of a name as written («Ивановой» → «Иванова»).

The word lists are data (`nlp/lexicons/people.yaml`); masking reads them to find lone
surnames, mentions read them to tell staff and to normalise names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from nlp.lemmas import morph

LEXICON = Path(__file__).with_name("lexicons") / "people.yaml"
NAME_TAGS = ("Surn", "Name", "Patr")


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    return yaml.safe_load(LEXICON.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def role_lemmas() -> frozenset[str]:
    return frozenset(str(w).replace("ё", "е") for w in _data()["roles"])  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def oblique_prepositions() -> dict[str, str]:
    return {str(k): str(v) for k, v in _data()["oblique_prepositions"].items()}  # type: ignore[attr-defined]


def is_role(word: str) -> bool:
    """Whether a lower-cased word form is a staff role («сотрудницы», «врачу»)."""
    from nlp.lemmas import info

    form = word.replace("ё", "е")
    return form in role_lemmas() or info(form).lemma in role_lemmas()


@lru_cache(maxsize=50_000)
def nominative(name: str, case: str | None = None, gender: str | None = None) -> str:
    """The nominative of a name as written: «Марине Викторовне» → «Марина Викторовна»,
    «к Петрову» (case datv) → «Петров». Initials and words pymorphy3 cannot inflect stay as
    written; `case`/`gender` (from a preposition or a role word) pick among ambiguous parses
    («Петрову»: masc dative or femn accusative)."""
    words = name.split()
    gender = gender or _gender_of(words)
    return " ".join(_nominative_word(w, case, gender) for w in words)


def _gender_of(words: list[str]) -> str | None:
    """A first name or patronymic tells the gender of the whole name."""
    for word in words:
        if word.endswith("."):
            continue
        for parse in morph().parse(word.lower()):
            if ("Name" in parse.tag or "Patr" in parse.tag) and parse.tag.gender in ("masc", "femn"):
                return str(parse.tag.gender)
    return None


def _nominative_word(word: str, case: str | None, gender: str | None) -> str:
    if word.endswith(".") or "-" in word or not word[:1].isupper():
        return word
    parses = [p for p in morph().parse(word.lower()) if any(t in p.tag for t in NAME_TAGS)]
    if not parses:
        parses = [p for p in morph().parse(word.lower()) if p.tag.POS == "NOUN"]
    if not parses:
        return word

    def fit(p: object) -> tuple[bool, bool, bool]:
        tag = p.tag  # type: ignore[attr-defined]
        return (case is not None and tag.case == case, gender is not None and tag.gender == gender,
                tag.case == "nomn")

    best = max(parses, key=fit)
    form = best.inflect({"nomn"})
    if form is None:
        return word
    out = form.word
    return out[:1].upper() + out[1:]
