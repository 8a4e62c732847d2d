"""Normalisation and hashing: pure functions, no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.normalise import (
    RecordError,
    clean_label,
    clean_text,
    content_hash,
    full_clean,
    is_clean,
    normalise,
)
from ingest.records import FeedbackRecord

MSK = timezone(timedelta(hours=3))


@pytest.mark.parametrize(("raw", "clean"), [
    ("Всё хорошо", "Всё хорошо"),
    ("  Очередь\u00a0два часа  ", "Очередь два часа"),
    ("Строка 1\r\nСтрока 2\rСтрока 3", "Строка 1\nСтрока 2\nСтрока 3"),
    ("Абзац 1\n\n\n\nАбзац 2", "Абзац 1\n\nАбзац 2"),
    ("Абзац 1\n\nАбзац 2", "Абзац 1\n\nАбзац 2"),
    ("пробел в конце строки   \nследующая", "пробел в конце строки\nследующая"),
    ("не\u200bвидимый\ufeff знак\u00ad", "невидимый знак"),
    ("табуляция\tи\x07звонок", "табуляция и звонок"),
    ("е\u0308лка", "ёлка"),  # NFD ё → NFC ё: the same text for the hash
    ("   ", None),
    ("", None),
    (None, None),
])
def test_clean_text(raw: str | None, clean: str | None) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(("raw", "clean"), [
    ("  Выдача   свидетельств\n о рождении ", "Выдача свидетельств о рождении"),
    ("", None),
    (None, None),
])
def test_clean_label(raw: str | None, clean: str | None) -> None:
    assert clean_label(raw) == clean


def _record(**changes: object) -> FeedbackRecord:
    base = FeedbackRecord(external_id="a1", published_at=datetime(2025, 3, 1, 12, tzinfo=MSK), rating=4,
                          text="Хорошо", reply_text="Спасибо", service="Услуга")
    return base.model_copy(update=changes)


def test_dates_become_utc_and_ratings_float() -> None:
    row = normalise(_record())
    assert row.published_at == datetime(2025, 3, 1, 9, tzinfo=UTC) and row.published_at.tzinfo is UTC
    assert row.rating == 4.0 and isinstance(row.rating, float)


@pytest.mark.parametrize("field", ["text", "rating", "criteria", "reply_text", "published_at", "service"])
def test_hash_covers_each_content_field(field: str) -> None:
    other = {"text": "Плохо", "rating": 2, "criteria": {"time": 3.0}, "reply_text": "Разберёмся",
             "published_at": datetime(2025, 3, 2, tzinfo=UTC), "service": "Другая"}[field]
    assert normalise(_record(**{field: other})).content_hash != normalise(_record()).content_hash


@pytest.mark.parametrize("changes", [
    {"extra": {"likes": 5}},  # reactions change nightly: not an edit
    {"text": "  Хорошо \r\n"},  # invisible differences are not an edit
    {"published_at": datetime(2025, 3, 1, 9, tzinfo=UTC)},  # the same moment in another zone
    {"rating_raw": "4 звезды"},
])
def test_hash_ignores_what_is_not_an_edit(changes: dict[str, object]) -> None:
    assert normalise(_record(**changes)).content_hash == normalise(_record()).content_hash


def test_hash_does_not_confuse_fields() -> None:
    """Moving text between fields must change the hash (the join is unambiguous)."""
    a = content_hash("a", None, {}, None, None, None)
    b = content_hash(None, None, {}, "a", None, None)
    assert a != b


@pytest.mark.parametrize(("changes", "message"), [
    ({"rating": 7}, "вне шкалы"),
    ({"rating": 0}, "вне шкалы"),
    ({"rating": float("nan")}, "вне шкалы"),
    ({"criteria": {"time": 9}}, "по критерию time"),
    ({"published_at": datetime(2025, 1, 1)}, "без часового пояса"),
    ({"external_id": "   "}, "пустой внешний идентификатор"),
    ({"external_id": "x" * 201}, "длиннее 200"),
    ({"text": 42}, "строкой"),
])
def test_records_built_without_validation_are_refused(changes: dict[str, object], message: str) -> None:
    """Parsers may build records with model_construct; the pipeline checks again."""
    data = _record().model_dump() | changes
    record = FeedbackRecord.model_construct(**data)
    with pytest.raises(RecordError, match=message):
        normalise(record)


def test_extra_that_json_cannot_hold_is_stored_as_text() -> None:
    from decimal import Decimal

    row = normalise(_record(extra={"sum": Decimal("1.5"), 3: "ключ-число"}))
    assert '"sum":"1.5"' in row.extra_json and '"3":"ключ-число"' in row.extra_json


_ALPHABET = st.sampled_from([*"ab ёЁ\n\r\t.,", "\u00a0", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2003",
                             "\x07", "е\u0308", "\u3000", "\u2028", "🙂"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_fast_path_never_skips_a_needed_cleaning(text: str) -> None:
    """A text the fast check passes is exactly what full cleaning would give; cleaning is
    idempotent."""
    if is_clean(text):
        assert full_clean(text) == text
    cleaned = clean_text(text)
    assert cleaned is None or clean_text(cleaned) == cleaned
