"""One line of a JSONL file of texts (`painmap classify` input, the labelled corpus): the
checks both readers share, with errors naming the file, the line and the field."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from vocabulary.errors import UserError

# What the json module says (its messages are fixed English texts) → Russian.
JSON_ERRORS = {
    "Expecting value": "ожидается значение",
    "Expecting property name enclosed in double quotes": "ожидается имя поля в двойных кавычках",
    "Expecting ',' delimiter": "пропущена запятая",
    "Expecting ':' delimiter": "пропущено двоеточие",
    "Unterminated string starting at": "незакрытая строка",
    "Extra data": "лишние данные после объекта",
    "Invalid control character at": "недопустимый управляющий символ",
    "Invalid \\escape": "недопустимая escape-последовательность",
    "Invalid \\uXXXX escape": "недопустимая последовательность \\uXXXX",
}


def json_object(line: str, where: str, required: Sequence[str]) -> dict[str, Any]:
    """The line as a JSON object that has every `required` field; `where` is «file, строка N»."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        reason = JSON_ERRORS.get(exc.msg, exc.msg)
        raise UserError(f"{where}: некорректный JSON ({reason}, символ {exc.colno})") from None
    if not isinstance(item, dict):
        raise UserError(f"{where}: ожидается объект JSON")
    for key in required:
        if key not in item:
            raise UserError(f"{where}: нет поля «{key}»")
    return item


def text_field(item: dict[str, Any], where: str) -> str | None:
    """The item's `text`: a string or null (an empty review), nothing else."""
    text = item["text"]
    if text is not None and not isinstance(text, str):
        raise UserError(f"{where}, поле «text»: ожидается строка")
    return text
