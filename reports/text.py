"""Russian wording of numbers and changes, in the style of the 2022 Kaluga report
(seeds/000): «составила 89,32%», «средняя оценка – 2,7 балла (54%)», «снизилась на 4%».

Percent figures carry two decimals and a decimal comma; changes of a percentage are
percentage points («п. п.»), and the verb agrees with the subject's gender
(«Куд увеличился», «оценка увеличилась», «значение увеличилось»).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vocabulary.numbers import DASH, NBSP, integer, number, percent, signed
from vocabulary.periods import Period

__all__ = ["DASH", "NBSP", "integer", "number", "percent", "signed"]  # re-exported for the report modules

EPSILON = 0.005  # changes smaller than half of the last shown decimal read as «не изменился»

_VERBS = {
    "m": ("увеличился", "снизился", "не изменился"),
    "f": ("увеличилась", "снизилась", "не изменилась"),
    "n": ("увеличилось", "снизилось", "не изменилось"),
    "p": ("увеличились", "снизились", "не изменились"),
}


def points(delta: float | None) -> str:
    """A change of a percentage: «4,00 п. п.» (always positive: the verb carries the sign)."""
    return DASH if delta is None else f"{number(abs(delta))}{NBSP}п.{NBSP}п."


def change(delta: float | None, gender: str = "m") -> str:
    """«увеличился на 4,00 п. п.», «снизилась на 1,20 п. п.», «не изменился»; empty without data."""
    if delta is None:
        return ""
    up, down, same = _VERBS[gender]
    if abs(delta) < EPSILON:
        return same
    return f"{up if delta > 0 else down} на {points(delta)}"


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """Russian plural: (1 «отзыв», 2 «отзыва», 5 «отзывов»)."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def count(n: int, forms: tuple[str, str, str]) -> str:
    """«12 отзывов», «1 оценка»."""
    return f"{integer(n)} {plural(n, forms)}"


def points_score(csi: float | None) -> str:
    """A mean 1–5 score as in the 2022 report: «2,7 балла», «4,4 балла», «5 баллов»."""
    if csi is None:
        return DASH
    value = round(csi, 2)
    if value == int(value):
        return f"{int(value)} {plural(int(value), ('балл', 'балла', 'баллов'))}"
    return f"{number(value, 2).rstrip('0')} балла"


def inline(text: str) -> str:
    """An interpretation text used inside a sentence: first letter in lower case."""
    return text[:1].lower() + text[1:] if text else text


def capital(text: str) -> str:
    """First letter in upper case, the rest untouched (str.capitalize would lower «Кпр», «III»)."""
    return text[:1].upper() + text[1:] if text else text


def join(items: Sequence[str], conjunction: str = "и") -> str:
    """«a», «a и b», «a, b и c»."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def quoted(text: str) -> str:
    """Russian quotation marks, with inner ones turned into „лапки“; a name that is itself a
    quotation («Ваш контроль») is not quoted twice."""
    if text.startswith("«") and text.endswith("»") and text.count("«") == 1:
        return text  # already quoted: «Ваш контроль»
    inner = text.replace("«", "„").replace("»", "“")
    return f"«{inner}»"


# --- periods in sentences --------------------------------------------------------------------

_MONTHS_PREP = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                "октябре", "ноябре", "декабре")
_MONTHS_ACC = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
               "октябрь", "ноябрь", "декабрь")
_MONTHS_INS = ("январём", "февралём", "мартом", "апрелем", "маем", "июнем", "июлем", "августом",
               "сентябрём", "октябрём", "ноябрём", "декабрём")
_ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class _Wording:
    """How one sentence role names a period: the three phrases differ only in the preposition
    and the case of «год», «квартал» and the month, so one function fills these templates."""

    year: str  # {y}
    quarter: str  # {q} (Roman), {y}
    month: str  # {month}, {y}
    months: tuple[str, ...]  # month names in this case
    span: str  # {start}, {end}


_IN = _Wording("в {y} году", "в {q} квартале {y} года", "в {month} {y} года", _MONTHS_PREP,
               "в период с {start} по {end}")
_FOR = _Wording("за {y} год", "за {q} квартал {y} года", "за {month} {y} года", _MONTHS_ACC,
                "за период с {start} по {end}")
_AGAINST = _Wording("по сравнению с {y} годом", "по сравнению с {q} кварталом {y} года",
                    "по сравнению с {month} {y} года", _MONTHS_INS,
                    "по сравнению с периодом с {start} по {end}")


def _phrase(period: Period, wording: _Wording) -> str:
    y, m = period.start.year, period.start.month
    if period.kind == "year":
        return wording.year.format(y=y)
    if period.kind == "quarter":
        return wording.quarter.format(q=_ROMAN[(m - 1) // 3], y=y)
    if period.kind == "month":
        return wording.month.format(month=wording.months[m - 1], y=y)
    return wording.span.format(start=f"{period.start:%d.%m.%Y}", end=f"{period.last_day:%d.%m.%Y}")


def period_in(period: Period) -> str:
    """«в 2025 году», «в III квартале 2025 года», «в июле 2025 года», «в период с … по …»."""
    return _phrase(period, _IN)


def period_for(period: Period) -> str:
    """«за 2025 год», «за III квартал 2025 года», «за июль 2025 года», «за период с … по …»."""
    return _phrase(period, _FOR)


def compared_with(period: Period) -> str:
    """«по сравнению с 2024 годом», «… с II кварталом 2025 года», «… с июнем 2025 года»."""
    return _phrase(period, _AGAINST)
