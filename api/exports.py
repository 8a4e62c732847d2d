"""Tables as files a Russian office opens: CSV with `;`, decimal commas and a BOM (what Excel
in a Russian locale expects), or XLSX. Every cell goes through the export-cell rule
(`vocabulary.cells`), so that no imported text becomes a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from models.painmap import PainRow
from service.region import timezone
from vocabulary.categories import CATEGORY_NAMES
from vocabulary.cells import csv_cell, xlsx_put
from vocabulary.dates import local_minute

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}


def _local(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, bool):
        return "да" if value else "нет"
    return "" if value is None else value


# Field → column title of the exported tables (a field not named here keeps its key).
HEADERS = {
    "id": "№", "org": "Код органа", "org_name": "Орган", "channel": "Канал", "source": "Источник",
    "kind": "Канал", "published_at": "Дата", "rating": "Оценка", "text": "Текст",
    "text_raw": "Исходный текст",
    "categories": "Боли", "polarity": "Тональность", "evidence": "Основание", "service": "Услуга",
    "analyst_labeled": "Размечено аналитиком", "reply": "Ответ организации", "texts": "Отзывов с текстом",
    "category": "Код боли", "category_name": "Боль", "count": "Отзывов", "share": "Доля, %",
    "previous_count": "Отзывов в прошлом периоде", "previous_share": "Доля в прошлом периоде, %",
    "change": "Изменение, п. п.", "status": "Состояние", "status_detail": "Подробности",
    "last_run_at": "Последний запуск", "blocked_runs": "Блокировок подряд", "name": "Наименование",
    "started_at": "Начало", "finished_at": "Окончание", "n_new": "Новых", "n_updated": "Изменено",
    "n_unchanged": "Без изменений", "n_quarantined": "В карантине", "error": "Ошибка", "origin": "Файл",
    "taken_at": "Дата обхода", "rating_value": "Рейтинг", "rating_count": "Оценок", "review_count": "Отзывов",
    "reviews_stored": "Собрано отзывов", "coverage": "Доля собранных", "source_id": "Источник №",
    "external_id": "Внешний №", "period": "Период",
}


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def table_export(headers: Sequence[str], rows: Sequence[Sequence[Any]], name: str, format: str,
                 sheet: str) -> Response:
    if format == "xlsx":
        return table_xlsx(headers, rows, f"{name}.xlsx", sheet)
    return table_csv(headers, rows, f"{name}.csv")


# What a person exporting the feedback list wants to read (the API's CSV has every field).
FEEDBACK_COLUMNS = ("id", "published_at", "org_name", "channel", "service", "rating", "polarity",
                    "categories", "text", "evidence")


def rows_export(rows: Sequence[dict[str, Any]], name: str, format: str, sheet: str,
                columns: Sequence[str] | None = None) -> Response:
    """A list of JSON rows as CSV or XLSX with Russian column titles (`columns`: which
    fields, in order; every field of the first row by default)."""
    keys = list(columns) if columns else list(rows[0]) if rows else []
    headers = [HEADERS.get(k, k) for k in keys]
    return table_export(headers, [[_value(row.get(k)) for k in keys] for row in rows], name, format, sheet)


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(_local(v)) for v in row])
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers=_attachment(filename))


def table_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]], filename: str, sheet: str) -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    for column, header in enumerate(headers, start=1):
        xlsx_put(ws, 1, column, header).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            xlsx_put(ws, r, column, "да" if value is True else "нет" if value is False else value)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX_TYPE, headers=_attachment(filename))


INCIDENT_COLUMNS = (("id", "№"), ("created_at", "Создан"), ("org_name", "Орган"), ("signal_name", "Сигнал"),
                    ("title", "Что случилось"), ("status_name", "Статус"), ("responsible", "Ответственный"),
                    ("deadline", "Срок"), ("overdue", "Просрочен"), ("nights", "Ночей подряд"),
                    ("comment", "Комментарий"))


def incident_export(rows: list[dict[str, Any]], format: str) -> Response:
    """The incidents as the office's table: Russian headers, local times."""
    tz = timezone()

    def cell(row: dict[str, Any], key: str) -> Any:
        return local_minute(row[key], tz) if key in ("created_at", "deadline") else row[key]

    headers = [title for _, title in INCIDENT_COLUMNS]
    return table_export(headers, [[cell(r, key) for key, _ in INCIDENT_COLUMNS] for r in rows], "incidents",
                        format, "Инциденты")


def painmap_rows(rows: Sequence[PainRow]) -> list[dict[str, Any]]:
    """The pain map flat: one row per office × category (the API's JSON, the exports)."""
    return [
        {"org": r.org, "org_name": r.org_name, "texts": r.texts, "category": cat,
         "category_name": CATEGORY_NAMES[cat], "count": cell.count, "share": round(cell.share, 2),
         "previous_count": cell.previous_count,
         "previous_share": None if cell.previous_share is None else round(cell.previous_share, 2),
         "change": None if cell.change is None else round(cell.change, 2)}
        for r in rows for cat, cell in r.cells.items()
    ]
