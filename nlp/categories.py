"""The pain categories of ../shared/taxonomy.md: codes in report order and Russian titles.

One definition for the whole product lives in `vocabulary.categories`; NLP reads it under
its own names."""

from __future__ import annotations

from vocabulary.categories import CATEGORIES, CATEGORY_NAMES

TITLES: dict[str, str] = CATEGORY_NAMES
CODES: tuple[str, ...] = CATEGORIES
