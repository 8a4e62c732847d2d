"""Employee mentions: a named staff member with the attitude of the sentence that names them.

A name in a feedback text is either a staff member («спасибо Марине Викторовне из 5 окна»,
«инспектор Петрова нахамила») or the citizen themself or their family (a ПОС signature, «мой
сын Артём»). Staff are told apart by the words around the name; the attitude comes from
the sentiment and pain lexicons applied to the naming sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.document import Doc, Text, analyse
from nlp.lexicon import pains, sentiment
from nlp.masking import STAFF_CUES, PiiSpan
from nlp.people import is_role, nominative, oblique_prepositions, role_lemmas
from nlp.units import units as unit_spans

# The patterns below are matched against lower-cased text (Python cannot skip quickly through
# an IGNORECASE alternation, and these run for every sentence that names someone).
THANKS = re.compile(r"спасиб|благодар|признател|молодец|умниц|низкий поклон|побольше бы таких|"
                    r"(?:огромн|больш)\w* человеческ")
STAFF_WORDS = re.compile(
    r"\b(?:" + "|".join(sorted(STAFF_CUES | role_lemmas())) + r")\w*|"
    r"\bокн[оаеу]\b|окошк|кабинет|\bприн(?:яла?|имала?)\b|"
    r"\bобъяснил|\bпомогл|\bпомог\b|\bнахамил|\bнагрубил|\bкричал|\bотказал|\bвыдал|\bподсказал|"
    r"\bконсультир|\bоформил|\bзаполнил|\bрегистрир|\bработ|\bведущ|\bисполнител|\bответ(?:ил|ила)\b|"
    r"\bсказал|\bговорит|\bговорил|\bзаявил|\bпотребовал|\bотправил|\bпопросил|\bпоздравил|\bпровел|"
    r"\bпровёл|\bсделал|\bпроверил|\bразъяснил|\bподготовил|\bбейдж|\bприем\b|\bприём\b|\bотвернул"
)
CITIZEN = re.compile(
    r"(?:меня зовут|\bя\s*[,—-]?|с уважением|для связи|контакт\w*|заявител\w*|\bфио\b|от имени|"
    r"на имя|\b(?:мо[йяеюё]|моего|моей|моему|моим|наш[аеу]?|нашего|нашей|нашему)\s+(?:сын\w*|доч\w*|мам\w*|"
    r"пап\w*|муж\w*|жен\w*|отц\w*|отец|мат\w*|бабушк\w*|дедушк\w*|внук\w*|внучк\w*|ребен\w*|ребён\w*|свекр\w*|"
    r"т[её]щ\w*|брат\w*|сестр\w*|сосед\w*|родител\w*|супруг\w*)|(?:сын|дочь|дочери|сына|мам[ауы]|маму|мужа|"
    r"жену|отца|бабушк[уаи]|дедушк[уа]|внук[аи]?|внучк[уи]|ребенка|ребёнка)|умерш\w*|покойн\w*|"
    r"проживающ\w*|собственник\w*)[\s,:—-]*$"
)

@dataclass(frozen=True, slots=True)
class Mention:
    """`name` is in the nominative («у Ивановой» → «Иванова»), as analysts search for it."""

    name: str
    polarity: str
    sentence: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "polarity": self.polarity, "sentence": self.sentence}


def sentence_polarity(sentence: str, doc: Doc | None = None) -> str:
    """positive / negative / neutral: thanks and praise against complaint and anger."""
    doc = doc or analyse(sentence, emoji=False)
    senti = sentiment().scores(doc)
    pain = pains().scores(doc)
    pos = senti.get(("sentiment", "positive"), 0.0)
    neg = senti.get(("sentiment", "negative"), 0.0)
    neg += sum(v for (_, side), v in pain.items() if side == "complaint") * 0.5
    pos += sum(v for (_, side), v in pain.items() if side == "praise") * 0.3
    if THANKS.search(sentence.lower()):
        pos += 2.0
    if pos - neg >= 0.5:
        return "positive"
    if neg - pos >= 0.5:
        return "negative"
    return "neutral"


def is_staff(span: PiiSpan, sentence: str, offset: int, text: str) -> bool:
    """Staff unless the words just before the name make it the author or their family, or
    the name closes the message as a signature."""
    local = sentence[: span.start - offset][-40:].lower()
    if CITIZEN.search(local):
        return False
    words_before = re.findall(r"[а-яё]+", local)
    if words_before and (is_role(words_before[-1]) or words_before[-1] in oblique_prepositions()
                         or (len(words_before) > 1 and is_role(words_before[-2]))):
        return True  # «сотрудница Лапина», «у Ивановой», «к врачу Петрову»
    tail = text[span.stop:].strip(" .,!\n")
    head = text[max(0, span.start - 80):span.start]
    if not tail and re.search(r"(?i)тел|связи|уважением|\d{2}-\d{2}|@", head):
        return False  # a signature at the end of a message
    lower = sentence.lower()
    return bool(STAFF_WORDS.search(lower) or THANKS.search(lower))


def mentions(text: str, spans: list[PiiSpan], text_polarity: str = "neutral",
             read_text: Text | None = None, attitudes: list[str] | None = None) -> list[Mention]:
    """Staff mentions among the name spans of `text` (each name once, first sentence wins).

    The attitude of the naming sentence comes from the classifier's unit scores when given
    (`attitudes`, one per unit of `read_text`: a complaint unit is negative, a praise unit
    positive — implicit ones too), else from the lexicons; thanks always count as positive.
    A sentence with no attitude of its own («Инспектор Петрова сказала принести справку»)
    takes the attitude of the whole text when that is clearly positive or negative.
    """
    names = [s for s in spans if s.kind == "name"]
    if not names:
        return []
    out: list[Mention] = []
    seen: set[str] = set()
    units = read_text.units if read_text is not None else unit_spans(text)
    docs: list[Doc | None] = list(read_text.docs) if read_text is not None else [None] * len(units)
    fallback = text_polarity if text_polarity in ("positive", "negative") else "neutral"
    for span in names:
        k = next((k for k, s in enumerate(units) if s.start <= span.start < s.stop), None)
        if k is None or span.text in seen:
            continue
        sent = units[k]
        if is_staff(span, sent.text, sent.start, text):
            seen.add(span.text)
            if attitudes is not None:
                polarity = "positive" if THANKS.search(sent.text.lower()) else attitudes[k]
            else:
                polarity = sentence_polarity(sent.text, docs[k])
            out.append(Mention(normal_name(span, text), fallback if polarity == "neutral" else polarity,
                               sent.text))
    return out


def normal_name(span: PiiSpan, text: str) -> str:
    """The name in the nominative; the preposition or role word just before it tells the
    case and gender of a lone surname («к Петрову» → «Петров», «сотрудница Лапиной» → «Лапина»)."""
    before = re.findall(r"[а-яё]+", text[max(0, span.start - 40):span.start].lower())
    case = oblique_prepositions().get(before[-1]) if before else None
    gender = None
    for word in reversed(before[-2:]):
        if is_role(word):
            gender = _role_gender(word)
            break
    return nominative(span.text, case, gender)


def _role_gender(word: str) -> str | None:
    """«сотрудница» → femn; «специалист» (either) → None."""
    from nlp.lemmas import morph

    gender = morph().parse(word)[0].tag.gender
    return str(gender) if gender in ("femn",) else None
