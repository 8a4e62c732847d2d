"""The pain categories of ../shared/taxonomy.md (codes in report order, Russian titles) and
the polarities of a text: one definition for the product."""

from __future__ import annotations

CATEGORIES = ("queue", "phone", "rudeness", "competence", "schedule", "premises", "booking",
              "information", "timeliness", "bureaucracy", "corruption", "online")
POLARITIES = ("negative", "positive", "mixed", "neutral")
CATEGORY_NAMES = {
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
POLARITY_NAMES = {"negative": "негативная", "positive": "позитивная", "mixed": "смешанная",
                  "neutral": "нейтральная"}
