"""Rating terminals at the desk (`seeds/003`): one Хорошо/Средне/Плохо per visit.

The log carries the time (one column, or «Дата» and «Время» apart), department, unit,
employee, service, the grade and an optional comment. The grade is mapped to the 1–5
`rating` by the `scale` option (default Хорошо 5, Средне 3, Плохо 1, as the Методика
contract says); `rating_raw` keeps the word. Department, unit and employee go to `extra`
because the terminal's own views average per department, unit and employee. Logs have no
ids, so each row gets a content hash (see `RowIds`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.files import Column, Located, Row, locate, norm, text_value
from ingest.rows import Outcome, ParseOptions, RowIds, Services, moment_of, outcomes, texts_of
from vocabulary.errors import UserError

DEFAULT_SCALE: dict[str, float] = {"Хорошо": 5, "Средне": 3, "Плохо": 1}
COLUMNS = (
    Column("date", ("Дата", "Дата и время", "Дата оценки", "Время оценки", "Дата/время", "Timestamp"),
           ("дата",), required=True),
    Column("time", ("Время",)),
    Column("department", ("Департамент", "Управление", "Подразделение")),
    Column("unit", ("Отдел", "Сектор")),
    Column("employee", ("Сотрудник", "ФИО сотрудника", "Специалист", "Оператор")),
    Column("service", ("Услуга", "Наименование услуги")),
    Column("grade", ("Оценка", "Результат оценки"), ("оценка",), required=True),
    Column("comment", ("Комментарий", "Отзыв", "Комментарий посетителя"), ("комментари",)),
)
_EXTRA = ("department", "unit", "employee")


def parse_terminal(path: Path, options: ParseOptions | None = None) -> Iterator[Outcome]:
    options = options or ParseOptions()
    scale = grade_scale(options.scale)
    located = locate(path, COLUMNS, "журнал оценок терминала", options.max_bytes)
    return _rows(located, options, scale)


def grade_scale(configured: Mapping[str, float] | None) -> dict[str, float]:
    """The configured grade → score mapping, keyed by normalised grade; scores must be 1–5."""
    scale = dict(configured or DEFAULT_SCALE)
    out: dict[str, float] = {}
    for grade, score in scale.items():
        try:
            value = float(score)
        except (TypeError, ValueError):
            raise UserError(f"шкала терминала: оценке «{grade}» сопоставлено не число ({score!r})") from None
        if not 1 <= value <= 5:
            raise UserError(f"шкала терминала: оценке «{grade}» сопоставлено {score}, "
                            "а нужно число от 1 до 5")
        out[norm(grade)] = value
    return out


def _rows(located: Located, options: ParseOptions, scale: dict[str, float]) -> Iterator[Outcome]:
    ids = RowIds("terminal")
    services = Services(options.services)
    grades = " / ".join(g.capitalize() for g in scale)

    def identify(row: Row) -> tuple[str, str | None]:
        # Identity without the comment: fixing a typo in it updates the item, not adds one.
        identity = [row.get(located.columns.get(k)) for k in ("date", "time", *_EXTRA, "service", "grade")]
        return ids.make(identity), None

    return outcomes(located, lambda row: _row(located, row, options, scale, services, grades), identify)


def _row(located: Located, row: Row, options: ParseOptions, scale: dict[str, float],
         services: Services, grades: str) -> dict[str, Any] | str:
    cols = located.columns
    grade = text_value(row.get(cols["grade"]))
    if grade is None:
        return "нет оценки"
    score = scale.get(norm(grade))
    if score is None:
        return f"неизвестная оценка «{grade}»: ожидается {grades}"
    moment = moment_of(row.get(cols["date"]), options.tz, "нет даты оценки",
                       time_cell=row.get(cols.get("time")))
    if isinstance(moment, str):
        return moment
    service, unknown = services.of_row(located, row)
    if unknown:
        return unknown
    return {"published_at": moment, "rating": score, "rating_raw": grade, "service": service,
            "text": text_value(row.get(cols.get("comment"))), "extra": texts_of(located, row, _EXTRA)}
