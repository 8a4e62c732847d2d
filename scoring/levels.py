"""Interpretation tables 1.1–1.6 of the Методика, as data.

Each table is a list of bands from the top down. A band holds a value that reaches its
lower bound: `value >= bound`, or `value > bound` where the printed table says «более»
(Таблицы 1.3 and 1.4: 95.0 itself falls in the band below). The printed ranges have gaps
(«от 90 % до 94 %», «от 80 % до 89 %»); methodology.md closes them as half-open
intervals, which is exactly what lower bounds do. The texts are copied from the Методика
verbatim, including its slip in the last row of Таблица 1.4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NO_DATA = "нет данных"
# Values are compared after rounding to this many decimals, so that 89.99999999999999
# (a float artefact of 4.5 / 5 × 100) is read as the 90.0 it means.
COMPARE_DECIMALS = 9


@dataclass(frozen=True)
class Band:
    bound: float
    text: str
    strict: bool = False

    def holds(self, value: float) -> bool:
        return value > self.bound if self.strict else value >= self.bound


@dataclass(frozen=True)
class Scale:
    """One interpretation table: its number in the Методика and its bands, top down."""

    table: str
    bands: tuple[Band, ...]

    def level(self, value: float | None) -> str:
        if value is None or math.isnan(value):
            return NO_DATA
        rounded = round(value, COMPARE_DECIMALS)
        return next(band.text for band in self.bands if band.holds(rounded))


_BOTTOM = -math.inf

K_UD = Scale("1.1", (
    Band(95, "Очень высокий уровень удовлетворенности (практическая полная удовлетворенность)"),
    Band(90, "Высокий уровень удовлетворенности"),
    Band(80, "Уровень удовлетворенности выше среднего"),
    Band(60, "Средний уровень удовлетворенности"),
    Band(40, "Низкий уровень удовлетворенности"),
    Band(_BOTTOM, "Очень низкий уровень удовлетворенности (практически полная неудовлетворенность)"),
))

K_MNK = Scale("1.2", (
    Band(80, "Очень высокий уровень доступности получения муниципальных услуг"),
    Band(60, "Высокий уровень доступности получения муниципальных услуг"),
    Band(40, "Средний уровень доступности получения муниципальных услуг"),
    Band(20, "Низкий уровень доступности получения муниципальных услуг"),
    Band(_BOTTOM, "Очень низкий уровень доступности получения муниципальных услуг"),
))

U_S = Scale("1.3", (
    Band(95, "Очень высокий уровень соблюдения стандартов предоставления муниципальных услуг", strict=True),
    Band(85, "Высокий уровень соблюдения стандартов предоставления муниципальных услуг"),
    Band(60, "Средний уровень соблюдения стандартов предоставления муниципальных услуг"),
    Band(50, "Низкий уровень соблюдения стандартов предоставления муниципальных услуг"),
    Band(_BOTTOM, "Очень низкий уровень соблюдения стандартов предоставления муниципальных услуг"),
))

U_AR = Scale("1.4", (
    Band(95, "Очень высокий уровень работы с административными регламентами", strict=True),
    Band(90, "Высокий уровень работы с административными регламентами"),
    Band(80, "Уровень работы с административными регламентами выше среднего"),
    Band(70, "Средний уровень работы с административными регламентами"),
    Band(60, "Вызывающий беспокойство (ниже среднего) уровень работы с административными регламентами"),
    Band(50, "Низкий уровень работы с административными регламентами"),
    Band(_BOTTOM, "Очень низкий уровень соблюдения стандартов предоставления муниципальных услуг"),
))

K_PR = Scale("1.5", (
    Band(95, "Очень высокий уровень качества и доступности предоставления муниципальных услуг"),
    Band(85, "Высокий уровень качества и доступности предоставления муниципальных услуг"),
    Band(70, "Уровень качества и доступности предоставления муниципальных услуг выше среднего"),
    Band(50, "Средний уровень качества и доступности предоставления муниципальных услуг"),
    Band(30, "Вызывающий беспокойство (ниже среднего) уровень качества и доступности "
             "предоставления муниципальных услуг"),
    Band(15, "Низкий уровень качества и доступности предоставления муниципальных услуг"),
    Band(_BOTTOM, "Очень низкий уровень качества и доступности предоставления муниципальных услуг"),
))

K_EF = Scale("1.6", (
    Band(90, "Очень высокий уровень эффективности"),
    Band(80, "Высокий уровень эффективности"),
    Band(70, "Уровень эффективности выше среднего"),
    Band(50, "Средний уровень эффективности"),
    Band(30, "Вызывающий беспокойство (ниже среднего) уровень эффективности"),
    Band(15, "Низкий уровень эффективности"),
    Band(_BOTTOM, "Очень низкий уровень эффективности"),
))

SCALES: dict[str, Scale] = {
    "k_ud": K_UD, "k_mnk": K_MNK, "u_s": U_S, "u_ar": U_AR, "k_pr": K_PR, "k_ef": K_EF,
}


def level(key: str, value: float | None) -> str:
    """The interpretation text of an indicator (`k_ud`, `k_mnk`, `u_s`, `u_ar`, `k_pr`, `k_ef`)."""
    return SCALES[key].level(value)
