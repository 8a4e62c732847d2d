"""The pain categories of ../shared/taxonomy.md: codes in report order and Russian titles."""

from __future__ import annotations

TITLES: dict[str, str] = {
    "queue": "Очереди и ожидание",
    "phone": "Дозвон и телефонная связь",
    "rudeness": "Грубость и неуважение",
    "competence": "Некомпетентность и консультирование",
    "schedule": "График работы и перерывы",
    "premises": "Помещение и доступная среда",
    "booking": "Электронная очередь и запись",
    "information": "Информирование о порядке",
    "timeliness": "Сроки и результат",
    "bureaucracy": "Лишние документы и хождение по кругу",
    "corruption": "Поборы и неформальные платежи",
    "online": "Электронные услуги и сайт",
}
CODES: tuple[str, ...] = tuple(TITLES)
