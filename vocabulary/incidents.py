"""What an incident can be about and where it stands: one definition for the run, the pages,
the API and the messages."""

from __future__ import annotations

from typing import Literal, get_args

Signal = Literal["bad_rating", "spike", "new_pain", "unanswered", "pos_overdue", "source_down"]
SIGNALS: tuple[str, ...] = get_args(Signal)
SIGNAL_NAMES = {
    "bad_rating": "Плохая оценка",
    "spike": "Всплеск жалоб",
    "new_pain": "Новая боль",
    "unanswered": "Отзыв без ответа",
    "pos_overdue": "Просрочено в ПОС",
    "source_down": "Источник не работает",
}

Status = Literal["new", "in_work", "answered", "closed"]
STATUSES: tuple[str, ...] = get_args(Status)
STATUS_NAMES = {"new": "новый", "in_work": "в работе", "answered": "ответ дан", "closed": "закрыт"}
OPEN_STATUSES = ("new", "in_work")  # still waiting for someone: these can be overdue
