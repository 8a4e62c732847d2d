"""pydantic's validation messages in the product's language, by error type: one table for
the API's 422 bodies, the CLI's bad parameters and the config file's errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES = {
    "missing": "обязательный параметр не указан",
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число",
    "float_parsing": "ожидается число",
    "float_type": "ожидается число",
    "bool_parsing": "ожидается true или false",
    "bool_type": "ожидается true или false",
    "string_type": "ожидается строка",
    "less_than_equal": "должно быть не больше {le}",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than": "должно быть меньше {lt}",
    "greater_than": "должно быть больше {gt}",
    "literal_error": "допустимые значения: {expected}",
    "enum": "допустимые значения: {expected}",
    "string_too_long": "не длиннее {max_length} символов",
    "string_too_short": "значение не может быть пустым",
    "json_invalid": "некорректный JSON",
    "model_attributes_type": "ожидается объект JSON",
    "list_type": "ожидается список",
    "dict_type": "ожидается таблица",
    "date_parsing": "ожидается дата ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "ожидается дата ГГГГ-ММ-ДД",
    "datetime_parsing": "ожидается дата и время",
    "datetime_from_date_parsing": "ожидается дата и время",
    "path_type": "ожидается путь к файлу",
}


def pydantic_message(error: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> str:
    """The Russian message of one pydantic error (its English one when the type is unknown)."""
    kind = str(error.get("type", ""))
    template = (overrides or {}).get(kind) or MESSAGES.get(kind)
    context = dict(error.get("ctx") or {})
    if "expected" in context:  # "'json' or 'csv'" → "json, csv"
        context["expected"] = str(context["expected"]).replace("'", "").replace(" or ", ", ")
    if kind == "value_error":  # a validator's own (Russian) message
        return str(error.get("msg", "")).removeprefix("Value error, ")
    try:
        return template.format(**context) if template else str(error.get("msg", ""))
    except (KeyError, IndexError):
        return str(error.get("msg", ""))
