"""«Ваш контроль» (ИАС МКГУ): five criteria answered Очень плохо … Отлично, plus a comment.

Criteria keys follow the record contract: `service_time`, `queue_time`, `politeness`,
`comfort`, `information`; each answer becomes 1–5 (digits are accepted too). `rating` is
the mean of the answered criteria, for display; the channel's CSI is computed from
`criteria`. The export's rating number is the external id when present.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.files import Column, Located, Row, datetime_value, file_error, id_value, locate, text_value
from ingest.rows import (
    SCALE_WORDS,
    Outcome,
    ParseOptions,
    RowIds,
    Services,
    UniqueIds,
    build,
    mean,
    reject,
    score_value,
)

CRITERIA = (
    Column("service_time", ("Время предоставления услуги",), ("время предоставления",)),
    Column("queue_time", ("Время ожидания в очереди",), ("ожидания в очереди", "время ожидания")),
    Column("politeness", ("Вежливость и компетентность сотрудника",), ("вежливост",)),
    Column("comfort", ("Комфортность условий в помещении",), ("комфортност",)),
    Column("information", ("Доступность информации о порядке предоставления услуги",),
           ("доступность информации", "информаци")),
)
COLUMNS = (
    Column("id", ("Номер оценки", "ID", "Идентификатор", "Номер", "№")),
    Column("date", ("Дата оценки", "Дата", "Дата и время", "Дата создания"), ("дата",), required=True),
    Column("authority", ("Ведомство", "Орган", "Организация")),
    Column("office", ("Офис", "Место предоставления", "Подразделение")),
    Column("service", ("Услуга", "Наименование услуги")),
    *CRITERIA,
    Column("comment", ("Комментарий", "Отзыв", "Комментарий заявителя"), ("комментари",)),
)
_LABELS = {c.key: c.names[0] for c in CRITERIA}


def parse_vashkontrol(path: Path, options: ParseOptions | None = None) -> Iterator[Outcome]:
    options = options or ParseOptions()
    located = locate(path, COLUMNS, "выгрузку оценок «Ваш контроль»", options.max_bytes)
    missing = [c.names[0] for c in CRITERIA if c.key not in located.columns]
    if len(missing) == len(CRITERIA):
        raise file_error(path, "не найдено ни одного из пяти критериев «Ваш контроль» "
                               f"(«{CRITERIA[0].names[0]}» и другие)")
    return _rows(located, options)


def _rows(located: Located, options: ParseOptions) -> Iterator[Outcome]:
    hashed, unique = RowIds("vk"), UniqueIds()
    services = Services(options.services)
    for row in located.rows():
        outcome = _row(located, row, options, services)
        if isinstance(outcome, str):
            yield reject(located, row, outcome)
            continue
        external_id = id_value(row.get(located.columns.get("id")))
        if external_id is None:
            external_id = hashed.make(row.cells)
        elif repeat := unique.repeat_of(external_id, row):
            yield reject(located, row, repeat)
            continue
        yield build(located, row, external_id=external_id, **outcome)


def _row(located: Located, row: Row, options: ParseOptions, services: Services) -> dict[str, Any] | str:
    cols = located.columns
    criteria: dict[str, float] = {}
    raw: list[str] = []
    for column in CRITERIA:
        cell = row.get(cols.get(column.key))
        try:
            score = score_value(cell, f"«{_LABELS[column.key]}»", SCALE_WORDS)
        except ValueError as exc:
            return str(exc)
        if score is not None:
            criteria[column.key] = score
            raw.append(str(text_value(cell)))
    if not criteria:
        return "нет ни одной оценки по критериям"
    try:
        moment = datetime_value(row.get(cols["date"]), options.tz)
    except ValueError as exc:
        return str(exc)
    if moment is None:
        return "нет даты оценки"
    service, unknown = services.resolve(text_value(row.get(cols.get("service"))))
    if unknown:
        return unknown
    extra = {key: value for key in ("authority", "office")
             if (value := text_value(row.get(cols.get(key)))) is not None}
    return {"published_at": moment, "criteria": criteria, "rating": mean(criteria.values()),
            "rating_raw": " / ".join(raw), "service": service,
            "text": text_value(row.get(cols.get("comment"))), "extra": extra}
