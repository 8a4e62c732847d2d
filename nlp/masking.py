"""Personal data masking: names, phones, e-mails, СНИЛС, passports, street addresses.

Regular expressions find the formatted kinds; names come from patterns over capitalised
words checked against pymorphy3's name/surname/patronymic tags («Иванова С.И.», «Светлана
Ивановна», «Петров Денис», «спасибо Марине»), and natasha's NER is asked only about the
sentences where a capitalised word is still unexplained — it is by far the slowest part.
Office names, cities, «Госуслуги», «МФЦ» stay: they are not about a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from nlp.lemmas import info
from nlp.people import is_role, oblique_prepositions

PLACEHOLDERS = {"name": "[ФИО]", "phone": "[ТЕЛЕФОН]", "email": "[EMAIL]", "snils": "[СНИЛС]",
                "passport": "[ПАСПОРТ]", "address": "[АДРЕС]"}


@dataclass(frozen=True, slots=True)
class PiiSpan:
    kind: str
    start: int
    stop: int
    text: str


EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Zа-яА-Я]{2,}")
SNILS = re.compile(
    r"(?<![\d-])\d{3}[- ]?\d{3}[- ]?\d{3}[- ]\d{2}(?![\d-])"
)
SNILS_CUED = re.compile(r"(?i)снилс[\s:№-]*(\d{11})(?!\d)")
PASSPORT = re.compile(
    r"(?:(?<=серия)|(?<=паспорт)|(?<=паспорта)|(?<=паспорте))?"
    r"(?<![\d-])\d{2}\s?\d{2}\s*(?:№|N|номер|н\.)?\s*\d{6}(?![\d-])",
    re.IGNORECASE,
)
PASSPORT_CUED = re.compile(
    r"(?i)(?:серия|паспорт\w*)[\s:]*(\d{2}\s?\d{2})[\s,]*(?:№|N|номер)?\s*(\d{6})(?!\d)")
PASSPORT_SHAPE = re.compile(r"\d{4}(?:\s+|\s*№\s*)\d{6}|\d{2}\s\d{2}\s*(?:№|N)?\s*\d{6}")
PHONE = re.compile(
    r"(?<![\w+\d-])(?:\+\s?7|8|7)?[\s\-.]*\(?\d{3,5}\)?[\s\-.]*\d{1,3}[\s\-.]*\d{2}[\s\-.]*\d{2}(?![\d-])"
    r"|(?<![\w\d-])\d{2,3}-\d{2}-\d{2}(?![\d-])"
)
STREET = (r"(?:ул\.|ул |пр\.|улиц[аеуы]|пр-т\.?|пр-кт\.?|просп\.|проспект[аеу]?|пер\.|переул(?:ок|ке|ка)|"
          r"ш\.|шоссе|б-р\.?|бульвар[аеу]?|наб\.|набережн(?:ая|ой)|пл\.|площад[ьи]|мкр\.?|микрорайон[аеу]?|"
          r"проезд[аеу]?|туп\.|тупик[аеу]?|кв-л|квартал[аеу]?)")
ADDRESS = re.compile(
    r"(?:(?:г\.|город[аеу]?|гор\.|пос\.|пгт\.?|пос[её]л(?:ок|ке|ка)|с\.|сел[оеа]|д\.|дер\.|деревн[яеи])\s*"
    r"[А-ЯЁ][\w-]+(?:\s[А-ЯЁ][\w-]+)?,?\s*)?"
    + STREET +
    r"\s*(?:[А-ЯЁ0-9][\w.-]*(?:\s[А-ЯЁ][\w-]*){0,2})"
    r"(?:,?\s*(?:д\.|дом|д)\s*№?\s*\d+[а-яА-Я]?(?:/\d+)?|,\s*\d+[а-я]?(?:/\d+)?(?:-\d+)?(?![\d:.]))"
    r"(?:,?\s*(?:корп\.|корпус|к\.|стр\.|строение)\s*\d+[а-я]?)?"
    r"(?:,?\s*(?:кв\.|квартира|кв|оф\.|офис|ком\.|комната)\s*\d+[а-я]?)?"
)
ADDRESS_CUED = re.compile(
    r"(?i)(?<=по адресу)[:\s]+[^.;\n!?]{3,80}?\d+[а-я]?(?:[-/]\d+)?(?:,?\s*(?:кв\.?|квартира)\s*\d+)?"
    r"|(?<=адрес)[:\s]+[^.;\n!?]{3,80}?\d+[а-я]?(?:[-/]\d+)?(?:,?\s*(?:кв\.?|квартира)\s*\d+)?"
)
# House before street: «дома №5 по ул. Садовой», «в доме 12 по улице Мира, кв. 3»
ADDRESS_HOUSE_FIRST = re.compile(
    r"(?i:дом[ауе]?|д\.)\s*№?\s*\d+[а-яА-Я]?(?:/\d+)?"
    r"(?:,?\s*(?i:корп\.|корпус|стр\.)\s*\d+)?\s+(?i:по)\s+"
    r"(?i:ул\.|улиц[еы]|пр\.|проспект[ау]|пер\.|переулк[ау]|бульвар[ау]|шоссе|наб\.|набережной|пл\.|площади)"
    r"\s*[А-ЯЁ0-9][\w.-]*(?:\s[А-ЯЁ][\w-]*){0,2}"
    r"(?:,?\s*(?i:кв\.|квартира)\s*\d+)?"
)

_CAP_WORD = re.compile(r"(?<![А-Яа-яЁёA-Za-z])[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?![А-Яа-яЁё])")
_NAME_TOKEN = re.compile(r"(?<![А-Яа-яЁёA-Za-z])(?:[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?![А-Яа-яЁё])"
                         r"|[А-ЯЁ]\.(?:\s?[А-ЯЁ]\.)?)")
_SURNAME_END = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ская|ский|ова|ева|ина|ына|енко|ко|ук|юк|их|ых|ян|дзе|швили|ер)$")
_PATRONYMIC = re.compile(r"(?:ович|евич|ич|овна|евна|ична|инична)(?:а|у|ем|е|ом|ой|ы|ну|не|ной)?$")
NAME_GAP = re.compile(r"^[ \u00a0]{1,2}$")
STAFF_CUES = frozenset({"сотрудник", "сотрудница", "специалист", "инспектор", "оператор", "регистратор",
                        "администратор", "консультант", "начальник", "руководитель", "заведующий",
                        "менеджер", "юрист", "психолог", "секретарь", "паспортистка", "паспортист", "девушка",
                        "работник", "служащий", "главный", "заместитель", "директор", "инженер",
                        "кассир", "социальный", "эксперт", "делопроизводитель", "глава"})
PLACE_CUES = frozenset({"на", "ул", "улица", "проспект", "пр", "им", "имени", "переулок", "площадь",
                        "бульвар", "г", "город", "село", "деревня", "район", "в", "во", "из", "до"})
NOT_NAMES = frozenset({"госуслуги", "госуслуга", "мфц", "загс", "спасибо", "благодарю", "огромное",
                       "большое", "здравствуйте", "добрый", "уважаемые", "прошу", "пенсионный",
                       "социальный", "администрация", "налоговая", "опека", "соцзащита", "центр",
                       "управление", "отдел", "окно", "кабинет", "россия", "заречье", "яндекс",
                       "мира", "победы", "юность", "карл", "госключ", "мая", "марта", "мир", "май",
                       "ленина", "гагарина"})
# First names that are also common words: a name only next to another part of a name.
AMBIGUOUS_NAMES = frozenset({"вера", "веры", "вере", "веру", "надежда", "надежды", "надежде", "надежду",
                             "любовь", "любови", "слава", "роза", "лилия", "майя", "лев", "льва",
                             "ангелина", "марина", "мариной", "зарина", "милана", "ян", "дина"})


_NUMBER_RUN = re.compile(r"\d[\d \-()]{4,}\d")
# Where an address may be: searched in the lower-cased text without IGNORECASE (whose
# alternations Python cannot skip through quickly); the address patterns then run only in a
# window around each hint, since every address holds one.
_STREET_HINT = re.compile(r"ул\b|улиц|пр\.|пр-|просп|пер\.|переул|ш\.|шоссе|б-р|бульвар|наб\.|набережн|"
                          r"пл\.|площад|мкр|микрорайон|проезд|туп|квартал|кв-л|адрес")
HINT_BEFORE, HINT_AFTER = 60, 160  # characters around a hint that an address can reach


def _formatted(text: str) -> list[PiiSpan]:
    """E-mails, СНИЛС, passports, phones, addresses: the kinds with a shape. The cheap
    checks first: most feedback has no «@» and many texts have no digits at all."""
    spans: list[PiiSpan] = []
    if "@" in text:
        spans += [PiiSpan("email", m.start(), m.end(), m.group()) for m in EMAIL.finditer(text)]
    spans += _addresses(text)
    if not _NUMBER_RUN.search(text):  # every other kind has six digits or more close together
        return spans
    spans += [PiiSpan("snils", m.start(), m.end(), m.group()) for m in SNILS.finditer(text)]
    for m in SNILS_CUED.finditer(text):
        spans.append(PiiSpan("snils", m.start(1), m.end(1), m.group(1)))
    for m in PASSPORT_CUED.finditer(text):
        spans.append(PiiSpan("passport", m.start(1), m.end(2), text[m.start(1):m.end(2)]))
    spans += [PiiSpan("passport", m.start(), m.end(), m.group()) for m in PASSPORT.finditer(text)
              if PASSPORT_SHAPE.fullmatch(m.group().strip())]
    for m in PHONE.finditer(text):
        if _is_phone(m.group()):
            start = m.start() + len(m.group()) - len(m.group().lstrip(" .-"))
            spans.append(PiiSpan("phone", start, m.end(), text[start:m.end()]))
    return spans


def _addresses(text: str) -> list[PiiSpan]:
    found: dict[tuple[int, int], PiiSpan] = {}
    covered = -1
    for hint in _STREET_HINT.finditer(text.lower()):
        if hint.start() < covered:
            continue
        lo, hi = max(0, hint.start() - HINT_BEFORE), min(len(text), hint.end() + HINT_AFTER)
        for regex in (ADDRESS, ADDRESS_CUED, ADDRESS_HOUSE_FIRST):
            for m in regex.finditer(text, lo, hi):
                found.setdefault((m.start(), m.end()), PiiSpan("address", m.start(), m.end(), m.group()))
        covered = hi - HINT_AFTER // 2
    return list(found.values())


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if len(digits) == 11:
        return digits[0] in "78"
    if len(digits) == 10:
        return digits[0] in "9834" and bool(re.search(r"[\s\-()]", candidate.strip()) or digits[0] == "9")
    if len(digits) in (6, 7):
        return candidate.count("-") >= 2
    return False


class _Word(NamedTuple):
    start: int
    stop: int
    text: str
    kind: str  # "name", "surname", "patronymic", "initials", "cap"


_KINDS: dict[str, str] = {}


def _classify_word(word: str) -> str:
    """name / surname / patronymic / weak (a name that is also a word) / cap / other (cached)."""
    kind = _KINDS.get(word)
    if kind is None:
        if len(_KINDS) > 200_000:
            _KINDS.clear()
        kind = _KINDS[word] = _word_kind(word)
    return kind


def _word_kind(word: str) -> str:
    lower = word.lower().replace("ё", "е")
    if lower in NOT_NAMES:
        return "other"
    if lower in AMBIGUOUS_NAMES:
        return "weak"
    w = info(lower)
    if "Patr" in w.name_tags or (_PATRONYMIC.search(lower) and not w.known):
        return "patronymic"
    if "Name" in w.name_tags and w.name_score >= 0.2:
        return "name"
    if "Surn" in w.name_tags:
        return "surname"
    if not w.known or _SURNAME_END.search(lower):
        return "cap"
    return "other"


def _name_groups(text: str, taken: list[tuple[int, int]]) -> list[list[_Word]]:
    """Runs of adjacent capitalised words and initials that could form a name."""
    words: list[_Word] = []
    for m in _NAME_TOKEN.finditer(text):
        if taken and any(a <= m.start() < b for a, b in taken):
            continue
        token = m.group()
        initials = token.endswith(".") and len(token.replace(" ", "")) <= 4
        kind = "initials" if initials else _classify_word(token)
        words.append(_Word(m.start(), m.end(), token, kind))
    for i, w in enumerate(words):
        if w.kind not in ("initials", "patronymic"):
            continue
        # «Бережная З.Ф.», «Марине Сергеевне Лапиной»: a capitalised word beside initials or
        # after a patronymic is a surname, whatever else the dictionary thinks it is
        sides = (i - 1, i + 1) if w.kind == "initials" else (i + 1, i - 2)
        for j in sides:
            if not 0 <= j < len(words) or words[j].kind != "other" or words[j].text.lower() in NOT_NAMES:
                continue
            if j == i - 2 and (words[i - 1].kind not in ("name", "weak")
                               or _sentence_initial(text, words[j].start)):
                continue
            a, b = min(i, j), max(i, j)
            if all(_adjacent(text, words[k], words[k + 1]) for k in range(a, b)):
                words[j] = _Word(words[j].start, words[j].stop, words[j].text, "cap")
    groups: list[list[_Word]] = []
    for w in words:
        last = groups[-1] if groups else []
        closed = bool(last) and last[-1].kind == "initials" and any(x.kind != "initials" for x in last)
        if last and not closed and _adjacent(text, last[-1], w) and w.kind != "other" \
                and last[-1].kind != "other":
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?\n«\"(—:"


def _adjacent(text: str, a: _Word, b: _Word) -> bool:
    return bool(NAME_GAP.match(text[a.stop:b.start] or "x"))


def _is_name(group: list[_Word], text: str) -> bool:
    kinds = [w.kind for w in group]
    if "other" in kinds and (len(group) > 1 or not _noun_surname_shape(group[0].text)):
        return False
    if len(group) >= 2:
        # «Петров Денис», «Светлана Ивановна», «Иванова С.И.»: two name-like words together
        return kinds != ["initials", "initials"] and (
            any(k in ("name", "surname", "patronymic", "weak") for k in kinds) or "initials" in kinds)
    if kinds == ["weak"]:
        return False
    word = group[0]
    before = text[max(0, word.start - 40):word.start].lower()
    prev_words = re.findall(r"[а-яё]+", before)
    prev = prev_words[-1] if prev_words else ""
    if prev_words[-2:] == ["по", "имени"]:
        return True
    if prev in PLACE_CUES or before.rstrip().endswith(("ул.", "г.", "им.", "пр.")):
        return False
    sentence_start = not before.strip() or before.rstrip()[-1:] in ".!?\n"
    role = any(is_role(w) for w in prev_words[-2:])
    staff_cue = role or prev in {"спасибо", "благодарность", "благодарю"}
    oblique = prev in oblique_prepositions() and not sentence_start_before(before, prev)
    lower = word.text.lower()
    if info(lower).place and not staff_cue and not (word.kind == "surname" and _acts(text, word)):
        return False
    if word.kind == "name":
        return staff_cue or not sentence_start or info(lower).name_score >= 0.5
    if word.kind == "surname":
        # a sentence may open with a surname: «Смирнова из архива даже не выслушала» — when
        # the dictionary reads the word mostly as a surname, it is one
        score = info(lower).name_score
        return staff_cue or oblique or score >= (0.7 if sentence_start else 0.5)
    if word.kind in ("cap", "other"):
        # «сотрудница Лапина», «у врача Лапиной», «к Лапиной»: after a role word or a governing
        # preposition a surname-shaped word is a name even when the dictionary knows it as a
        # common word (an adjective «к Новой школе» is not surname-shaped)
        shaped = bool(_SURNAME_END.search(lower.replace("ё", "е"))) or _noun_surname_shape(word.text)
        if word.kind == "other":
            return staff_cue or oblique
        # «Ткаченко спасибо», «Лавриненко грубит»: a word no dictionary knows, shaped as a
        # surname, opening a short comment
        unknown_surname = shaped and not info(lower).known
        return (staff_cue and (shaped or not info(lower).known)) or (oblique and shaped) or unknown_surname
    return False


def _acts(text: str, word: _Word) -> bool:
    """The word is followed by a verb: a person doing something («Зуева разговаривала»), not
    a place that shares its name with a surname."""
    following = re.match(r"\s+([а-яё]+)", text[word.stop:].lower())
    return following is not None and info(following.group(1)).pos == "VERB"


_OBLIQUE_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын)(?:а|ой|у|ым|ым|ом|е)$")


def _noun_surname_shape(word: str) -> bool:
    """«Лапиной», «Лапину»: a surname's oblique form that the dictionary reads as a noun."""
    lower = word.lower()
    return bool(_OBLIQUE_SURNAME.search(lower)) and info(lower).pos == "NOUN"


def sentence_start_before(before: str, prev: str) -> bool:
    """Whether the preposition `prev` itself opens the sentence («К Новому году…» is not a
    surname in an oblique case; «записалась к Петрову» is)."""
    head = before.rstrip()
    head = head[: len(head) - len(prev)].rstrip() if head.lower().endswith(prev) else head
    return not head or head[-1] in ".!?\n"


class Masker:
    """Finds personal data spans and replaces them with placeholders."""

    def __init__(self, ner: bool = True):
        self.ner = ner

    def spans(self, text: str) -> list[PiiSpan]:
        if not text:
            return []
        found = _resolve(_formatted(text))
        taken = [(s.start, s.stop) for s in found]
        names: list[PiiSpan] = []
        for group in _name_groups(text, taken):
            if _is_name(group, text):
                start, stop = group[0].start, group[-1].stop
                names.append(PiiSpan("name", start, stop, text[start:stop]))
        if self.ner:
            names += self._ner_names(text, taken + [(s.start, s.stop) for s in names])
        return _resolve(found + names)

    def _ner_names(self, text: str, taken: list[tuple[int, int]]) -> list[PiiSpan]:
        """natasha NER, only on sentence units with a capitalised word nothing else explained."""
        from nlp.units import units

        out: list[PiiSpan] = []
        if not _needs_ner(text, 0, taken):  # the common case: no sentence to ask about
            return out
        for sent in units(text):
            if not _needs_ner(sent.text, sent.start, taken):
                continue
            for span in ner_spans(sent.text):
                start, stop = sent.start + span[0], sent.start + span[1]
                if not any(a < stop and start < b for a, b in taken) and not _after_place_cue(text, start):
                    out.append(PiiSpan("name", start, stop, text[start:stop]))
        return out

    def mask(self, text: str | None) -> tuple[str, list[PiiSpan]]:
        if not text:
            return text or "", []
        spans = self.spans(text)
        parts: list[str] = []
        pos = 0
        for s in spans:
            parts.append(text[pos:s.start])
            parts.append(PLACEHOLDERS[s.kind])
            pos = s.stop
        parts.append(text[pos:])
        return "".join(parts), spans


def _after_place_cue(text: str, start: int) -> bool:
    """«МФЦ на Пушкина», «ул. Королёва»: a surname that names a street is not a person."""
    before = text[max(0, start - 20):start].lower()
    words = re.findall(r"[а-яё]+", before)
    return (bool(words) and words[-1] in PLACE_CUES) or before.rstrip().endswith(("ул.", "пр.", "им."))


# Offices people name like persons («в Росреестре», «из Соцфонда»): never asked about.
OFFICE_STEMS = ("росреестр", "соцфонд", "пенсионн", "минсоц", "минздрав", "минобр", "госуслуг", "гибдд",
                "роспотребнадзор", "роскомнадзор", "казначейств", "прокуратур")


def _needs_ner(sentence: str, offset: int, taken: list[tuple[int, int]]) -> bool:
    """Whether NER could find a name here that the patterns did not: a capitalised word that
    is not a sentence start, not taken, not an office, not right after a place cue (a name
    NER found there would be dropped as a street or a village anyway), and that the
    dictionary knows as a name or does not know at all."""
    for m in _CAP_WORD.finditer(sentence):
        if m.start() == 0 or sentence[max(0, m.start() - 3):m.start()].rstrip()[-1:] in ".!?«\"(…\n":
            continue
        pos = offset + m.start()
        if any(a <= pos < b for a, b in taken):
            continue
        lower = m.group().lower().replace("ё", "е")
        if lower in NOT_NAMES or lower.startswith(OFFICE_STEMS):
            continue
        w = info(lower)
        if (w.name_tags or not w.known) and not _after_place_cue(sentence, m.start()):
            return True
    return False


@lru_cache(maxsize=1)
def _ner() -> Any:
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def ner_spans(sentence: str) -> list[tuple[int, int]]:
    from natasha import Doc as NatashaDoc

    segmenter, tagger = _ner()
    doc = NatashaDoc(sentence)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    out = []
    for span in doc.spans:
        if span.type == "PER" and span.text.lower().replace("ё", "е") not in NOT_NAMES:
            out.append((span.start, span.stop))
    return out


def _resolve(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Sorted, non-overlapping: the longer span wins an overlap (an address beats a phone-like
    house number, a СНИЛС beats the phone pattern it also matches)."""
    out: list[PiiSpan] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.stop - s.start))):
        if out and s.start < out[-1].stop:
            if s.stop - s.start > out[-1].stop - out[-1].start:
                out[-1] = s
            continue
        out.append(s)
    return out
