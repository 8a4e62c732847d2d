"""The ingest pipeline on both back ends: upsert, edits with versions, quarantine,
atomicity, run records and source health."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from ingest.pipeline import CHUNK_SIZE, SourceNotFound, ingest_records
from ingest.records import FeedbackRecord, Rejected
from ingest.runs import latest_published_at, mark_source, record_failed_run
from models.db import session_scope
from models.repo import ensure_organisation, ensure_service, ensure_source
from models.tables import Feedback, FeedbackVersion, IngestRun, Quarantine, Service, Source
from vocabulary.errors import UserError

START = datetime(2025, 1, 10, 9, tzinfo=UTC)


@pytest.fixture
def source_id(store: str) -> int:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "zags", "Управление ЗАГС")
        ensure_service(session, org, "Регистрация брака")
        source = ensure_source(session, org, "yandex", external_id="1000000001")
        assert source.id is not None
        return source.id


def _rec(i: int, **changes: object) -> FeedbackRecord:
    base = FeedbackRecord(external_id=f"r{i}", published_at=START + timedelta(hours=i), rating=1 + i % 5,
                          text=f"Отзыв номер {i}", service="Регистрация брака", extra={"likes": i})
    return base.model_copy(update=changes)


def _feedback(external_id: str) -> Feedback:
    with session_scope() as session:
        return session.exec(select(Feedback).where(Feedback.external_id == external_id)).one()


def _count(model: type) -> int:
    with session_scope() as session:
        return len(session.exec(select(model)).all())


def test_first_import_then_reimport_is_unchanged(source_id: int) -> None:
    records = [_rec(i) for i in range(30)]
    first = ingest_records(source_id, records, kind="yandex", origin="тест")
    assert (first.n_new, first.n_updated, first.n_unchanged, first.n_quarantined) == (30, 0, 0, 0)
    assert len(first.changed_ids) == 30
    before = _feedback("r3")
    second = ingest_records(source_id, records, kind="yandex")
    assert (second.n_new, second.n_updated, second.n_unchanged) == (0, 0, 30)
    assert second.changed_ids == []
    after = _feedback("r3")
    assert after.first_seen == before.first_seen and after.last_seen > before.last_seen
    assert after.content_hash == before.content_hash and after.ingest_run_id == first.run_id
    assert _count(Feedback) == 30 and _count(FeedbackVersion) == 0


def test_stored_values_are_normalised(source_id: int) -> None:
    msk = datetime(2025, 2, 1, 15, 30, tzinfo=UTC).astimezone(tz=None)
    ingest_records(source_id, [_rec(1, text="  Очередь\r\n\r\n\r\nдва часа ", published_at=msk, rating=3)],
                   kind="yandex")
    row = _feedback("r1")
    assert row.text == "Очередь\n\nдва часа" and row.rating == 3.0
    assert row.published_at == datetime(2025, 2, 1, 15, 30, tzinfo=UTC)
    assert row.extra == {"likes": 1} and row.scores == {} and row.criteria == {}


def test_edit_updates_in_place_and_keeps_previous_version(source_id: int) -> None:
    ingest_records(source_id, [_rec(i) for i in range(5)], kind="yandex")
    original = _feedback("r2")
    with session_scope() as session:  # NLP has classified it
        row = session.get(Feedback, original.id)
        assert row is not None
        row.classified_hash, row.text_masked = row.content_hash, "Отзыв номер 2"
        session.add(row)
    edited = [_rec(i) for i in range(5)]
    edited[2] = _rec(2, text="Отзыв номер 2, дополнен: нагрубили", rating=1, reply_text="Разберёмся")
    result = ingest_records(source_id, edited, kind="yandex")
    assert (result.n_new, result.n_updated, result.n_unchanged) == (0, 1, 4)
    assert result.changed_ids == [original.id]
    row = _feedback("r2")
    assert row.id == original.id and row.first_seen == original.first_seen
    assert (row.text, row.rating, row.reply_text) == ("Отзыв номер 2, дополнен: нагрубили", 1.0, "Разберёмся")
    assert row.classified_hash == original.content_hash != row.content_hash  # NLP sees it changed
    assert row.text_masked is None and row.ingest_run_id == result.run_id
    with session_scope() as session:
        versions = session.exec(select(FeedbackVersion)).all()
    assert len(versions) == 1
    v = versions[0]
    assert (v.feedback_id, v.text, v.rating, v.reply_text) == (
        original.id, "Отзыв номер 2", original.rating, None)
    assert v.content_hash == original.content_hash and v.published_at == original.published_at
    assert v.ingest_run_id == result.run_id


def test_extra_is_refreshed_without_counting_an_edit(source_id: int) -> None:
    ingest_records(source_id, [_rec(1)], kind="yandex")
    fresh = _rec(1, extra={"likes": 99, "status": "Ответ направлен"})
    result = ingest_records(source_id, [fresh], kind="yandex")
    assert (result.n_updated, result.n_unchanged, result.n_refreshed) == (0, 1, 1)
    assert _feedback("r1").extra == {"likes": 99, "status": "Ответ направлен"}
    assert _count(FeedbackVersion) == 0


def _bad(rating: object = 3, **changes: object) -> FeedbackRecord:
    data = _rec(50).model_dump() | {"rating": rating} | changes
    return FeedbackRecord.model_construct(**data)


def test_invalid_records_go_to_quarantine_once(source_id: int) -> None:
    records: list[FeedbackRecord | Rejected] = [
        _rec(1),
        Rejected(location="файл.xlsx, строка 7", payload={"Оценка": "семь"}, reason="оценка не число"),
        _bad(rating=7, external_id="bad-rating", location="страница 2, отзыв 3"),
        _bad(published_at=datetime(2025, 1, 1), external_id="naive"),
        _rec(1),  # the same item twice, identical: stored once
        _rec(1, text="Другой текст под тем же номером"),
    ]
    result = ingest_records(source_id, records, kind="pos", origin="файл.xlsx")
    assert (result.n_new, result.n_quarantined, result.n_duplicates) == (1, 4, 1)
    with session_scope() as session:
        rows = {q.location: q for q in session.exec(select(Quarantine)).all()}
    assert rows["файл.xlsx, строка 7"].reason == "оценка не число"
    assert rows["файл.xlsx, строка 7"].payload == {"Оценка": "семь"}
    assert "вне шкалы 1–5: 7" in rows["страница 2, отзыв 3"].reason
    assert rows["страница 2, отзыв 3"].payload["external_id"] == "bad-rating"
    assert "без часового пояса" in rows["external_id=naive"].reason
    assert "повторяется в одном импорте" in rows["external_id=r1"].reason
    assert all(q.source_id == source_id and q.ingest_run_id == result.run_id for q in rows.values())
    again = ingest_records(source_id, records, kind="pos")
    assert again.n_quarantined == 4 and _count(Quarantine) == 4  # idempotent by payload hash
    assert any("оценка не число" in r for r in again.reasons)


def test_duplicate_ids_across_chunks_are_caught(source_id: int) -> None:
    records = [_rec(i) for i in range(CHUNK_SIZE + 3)] + [_rec(0, text="правка в конце файла")]
    result = ingest_records(source_id, records, kind="pos")
    assert result.n_new == CHUNK_SIZE + 3 and result.n_quarantined == 1
    assert _feedback("r0").text == "Отзыв номер 0"


def test_services_are_resolved_and_created(source_id: int) -> None:
    ingest_records(source_id, [_rec(1), _rec(2, service="  Выдача  справок "), _rec(3, service=None)],
                   kind="pos")
    with session_scope() as session:
        services = {s.name: s.id for s in session.exec(select(Service)).all()}
    assert set(services) == {"Регистрация брака", "Выдача справок"}
    assert _feedback("r1").service_id == services["Регистрация брака"]
    assert _feedback("r2").service_id == services["Выдача справок"]
    assert _feedback("r3").service_id is None


def test_failure_mid_import_stores_nothing_but_a_failed_run(source_id: int) -> None:
    ingest_records(source_id, [_rec(0)], kind="pos")

    def broken() -> Iterator[FeedbackRecord]:
        yield from (_rec(i, text="изменено") for i in range(CHUNK_SIZE + 10))
        raise UserError("файл.xlsx, строка 5012: испорченная ячейка «Дата поступления»")

    with pytest.raises(UserError, match="строка 5012"):
        ingest_records(source_id, broken(), kind="pos", origin="файл.xlsx")
    assert _count(Feedback) == 1 and _feedback("r0").text == "Отзыв номер 0"
    assert _count(FeedbackVersion) == 0
    with session_scope() as session:
        runs = session.exec(select(IngestRun).order_by(IngestRun.id)).all()  # type: ignore[arg-type]
        source = session.get(Source, source_id)
    assert [r.status for r in runs] == ["ok", "failed"]
    assert runs[1].error == "файл.xlsx, строка 5012: испорченная ячейка «Дата поступления»"
    assert runs[1].origin == "файл.xlsx" and runs[1].finished_at is not None
    assert source is not None and source.status == "failed" and "строка 5012" in (source.status_detail or "")


def test_run_record_and_source_health(source_id: int) -> None:
    result = ingest_records(source_id, [_rec(1), _rec(2)], kind="yandex", origin="http://127.0.0.1/x",
                            status="blocked", note="капча на странице 2")
    with session_scope() as session:
        run = session.get(IngestRun, result.run_id)
        source = session.get(Source, source_id)
    assert run is not None and source is not None
    assert (run.status, run.n_new, run.kind, run.origin, run.error) == (
        "blocked", 2, "yandex", "http://127.0.0.1/x", "капча на странице 2")
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert (source.status, source.status_detail) == ("blocked", "капча на странице 2")
    assert source.last_run_at == run.finished_at
    ingest_records(source_id, [_rec(1)], kind="yandex")
    with session_scope() as session:
        source = session.get(Source, source_id)
    assert source is not None and (source.status, source.status_detail) == ("ok", None)


def test_unknown_source_is_a_user_error(store: str) -> None:
    with pytest.raises(SourceNotFound, match="не найден"):
        ingest_records(999, [_rec(1)], kind="pos")
    with session_scope() as session:
        run = session.exec(select(IngestRun)).one()
    assert run.status == "failed" and run.source_id is None


def test_progress_reports_every_record(source_id: int) -> None:
    seen: list[int] = []
    ingest_records(source_id, [_rec(i) for i in range(CHUNK_SIZE + 7)], kind="pos", progress=seen.append)
    assert seen == [CHUNK_SIZE, 7]


def test_run_helpers(source_id: int) -> None:
    assert latest_published_at(source_id) is None
    ingest_records(source_id, [_rec(1), _rec(7), _rec(3)], kind="yandex")
    assert latest_published_at(source_id) == START + timedelta(hours=7)
    run_id = record_failed_run(source_id, kind="yandex", error="капча на странице 1", status="blocked")
    mark_source(source_id, "partial", "страница 3: испорченный JSON")
    with session_scope() as session:
        run = session.get(IngestRun, run_id)
        source = session.get(Source, source_id)
    assert run is not None and (run.status, run.error, run.n_new) == ("blocked", "капча на странице 1", 0)
    assert source is not None and source.status == "partial" and source.last_run_at is not None
    with pytest.raises(ValueError, match="unknown run status"):
        record_failed_run(source_id, kind="yandex", error="x", status="weird")
