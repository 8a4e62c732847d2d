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

from ingest.files import Column, Located, Row, file_error, locate, text_value
from ingest.rows import (
    SCALE_WORDS,
    Outcome,
    ParseOptions,
    Services,
    given_or_hashed,
    mean,
    moment_of,
    outcomes,
    score_value,
    texts_of,
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
    services = Services(options.services)
    return outcomes(located, lambda row: _row(located, row, options, services),
                    given_or_hashed(located, "vk"))


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
    moment = moment_of(row.get(cols["date"]), options.tz, "нет даты оценки")
    if isinstance(moment, str):
        return moment
    service, unknown = services.of_row(located, row)
    if unknown:
        return unknown
    return {"published_at": moment, "criteria": criteria, "rating": mean(criteria.values()),
            "rating_raw": " / ".join(raw), "service": service,
            "text": text_value(row.get(cols.get("comment"))),
            "extra": texts_of(located, row, ("authority", "office"))}
