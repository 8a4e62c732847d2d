"""The pain categories of ../shared/taxonomy.md: codes in report order and Russian titles.

One definition for the whole product lives with the stored labels (`models.labels`); NLP
reads it from there under its own names."""

from __future__ import annotations

from models.labels import CATEGORIES, CATEGORY_NAMES

TITLES: dict[str, str] = CATEGORY_NAMES
CODES: tuple[str, ...] = CATEGORIES
