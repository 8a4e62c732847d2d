"""The feedback channels of the Методика (п. 3.2) and their Russian names, in its order."""

from __future__ import annotations

from typing import Literal, get_args

Channel = Literal["yandex", "pos", "gosuslugi", "survey", "terminal", "vashkontrol"]
CHANNELS: tuple[str, ...] = get_args(Channel)
CHANNEL_NAMES = {
    "yandex": "Отзывы в Яндекс Картах",
    "pos": "Платформа обратной связи (ПОС)",
    "gosuslugi": "Оценки на Госуслугах",
    "survey": "Опрос клиентов",
    "terminal": "Терминал оценки",
    "vashkontrol": "«Ваш контроль»",
}
