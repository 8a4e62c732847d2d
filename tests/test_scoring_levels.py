"""Interpretation tables 1.1–1.6: every boundary, and the texts exactly as in the Методика."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import levels
from scoring.levels import K_EF, K_MNK, K_PR, K_UD, NO_DATA, SCALES, U_AR, U_S

METHODIKA = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_a6d272f11ae81513.txt"


def band(scale: levels.Scale, index: int) -> str:
    return scale.bands[index].text


CASES = [
    # Таблица 1.1 (Куд): lower bounds inclusive, gaps closed
    (K_UD, 100, 0),
    (K_UD, 95, 0),
    (K_UD, 94.99, 1),
    (K_UD, 90, 1),
    (K_UD, 89.99, 2),
    (K_UD, 80, 2),
    (K_UD, 79.99, 3),
    (K_UD, 60, 3),
    (K_UD, 59.99, 4),
    (K_UD, 54, 4),
    (K_UD, 40, 4),
    (K_UD, 39.99, 5),
    (K_UD, 20, 5),
    (K_UD, 0, 5),
    # float artefacts of x / 5 × 100 are read as the value they mean
    (K_UD, 89.99999999999999, 1),
    (K_UD, 94.99999999999999, 0),
    # Таблица 1.2 (Кмнк)
    (K_MNK, 100, 0),
    (K_MNK, 80, 0),
    (K_MNK, 79.99, 1),
    (K_MNK, 60, 1),
    (K_MNK, 59.99, 2),
    (K_MNK, 40, 2),
    (K_MNK, 39.99, 3),
    (K_MNK, 20, 3),
    (K_MNK, 19.99, 4),
    (K_MNK, 0, 4),
    # Таблица 1.3 (Уs): «более 95 %» — 95.0 itself is «Высокий»
    (U_S, 100, 0),
    (U_S, 95.01, 0),
    (U_S, 95, 1),
    (U_S, 85, 1),
    (U_S, 84.99, 2),
    (U_S, 60, 2),
    (U_S, 59.99, 3),
    (U_S, 50, 3),
    (U_S, 49.99, 4),
    (U_S, 0, 4),
    # Таблица 1.4 (Уар): «более 95 %»
    (U_AR, 95.01, 0),
    (U_AR, 95, 1),
    (U_AR, 90, 1),
    (U_AR, 89.99, 2),
    (U_AR, 80, 2),
    (U_AR, 79.99, 3),
    (U_AR, 70, 3),
    (U_AR, 69.99, 4),
    (U_AR, 60, 4),
    (U_AR, 59.99, 5),
    (U_AR, 50, 5),
    (U_AR, 49.99, 6),
    # Таблица 1.5 (Кпр): «95% – 100%» includes 95
    (K_PR, 100, 0),
    (K_PR, 95, 0),
    (K_PR, 94.99, 1),
    (K_PR, 85, 1),
    (K_PR, 84.99, 2),
    (K_PR, 70, 2),
    (K_PR, 69.99, 3),
    (K_PR, 50, 3),
    (K_PR, 49.99, 4),
    (K_PR, 30, 4),
    (K_PR, 29.99, 5),
    (K_PR, 15, 5),
    (K_PR, 14.99, 6),
    (K_PR, 0, 6),
    # Таблица 1.6 (Кэф)
    (K_EF, 100, 0),
    (K_EF, 90, 0),
    (K_EF, 89.99, 1),
    (K_EF, 80, 1),
    (K_EF, 79.99, 2),
    (K_EF, 70, 2),
    (K_EF, 69.99, 3),
    (K_EF, 50, 3),
    (K_EF, 49.99, 4),
    (K_EF, 30, 4),
    (K_EF, 29.99, 5),
    (K_EF, 15, 5),
    (K_EF, 14.99, 6),
    (K_EF, 0, 6),
]


@pytest.mark.parametrize(("scale", "value", "index"), CASES, ids=[f"{s.table}-{v}" for s, v, _ in CASES])
def test_boundaries(scale: levels.Scale, value: float, index: int) -> None:
    assert scale.level(value) == band(scale, index)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("k_ud", 95.0, "Очень высокий уровень удовлетворенности (практическая полная удовлетворенность)"),
        ("k_ud", 90.0, "Высокий уровень удовлетворенности"),
        ("k_ud", 88.0, "Уровень удовлетворенности выше среднего"),
        ("k_ud", 54.0, "Низкий уровень удовлетворенности"),
        ("u_s", 95.0, "Высокий уровень соблюдения стандартов предоставления муниципальных услуг"),
        ("u_ar", 40.0, "Очень низкий уровень соблюдения стандартов предоставления муниципальных услуг"),
        ("k_pr", 95.0, "Очень высокий уровень качества и доступности предоставления муниципальных услуг"),
        ("k_ef", 65.0, "Средний уровень эффективности"),
        ("k_mnk", 20.0, "Низкий уровень доступности получения муниципальных услуг"),
    ],
)
def test_level_by_key(key: str, value: float, expected: str) -> None:
    assert levels.level(key, value) == expected


@pytest.mark.parametrize("key", sorted(SCALES))
def test_missing_value_is_no_data(key: str) -> None:
    assert levels.level(key, None) == NO_DATA
    assert levels.level(key, float("nan")) == NO_DATA


@pytest.mark.parametrize(
    ("scale", "count"), [(K_UD, 6), (K_MNK, 5), (U_S, 5), (U_AR, 7), (K_PR, 7), (K_EF, 7)]
)
def test_each_table_has_its_rows(scale: levels.Scale, count: int) -> None:
    assert len(scale.bands) == count
    bounds = [b.bound for b in scale.bands]
    assert bounds == sorted(bounds, reverse=True)


@pytest.mark.skipif(not METHODIKA.exists(), reason="the Методика seed is not next to the checkout")
@pytest.mark.parametrize("scale", list(SCALES.values()), ids=list(SCALES))
def test_texts_are_copied_verbatim_from_the_methodika(scale: levels.Scale) -> None:
    lines = {line.strip() for line in METHODIKA.read_text(encoding="utf-8").splitlines()}
    for b in scale.bands:
        assert b.text in lines, b.text
