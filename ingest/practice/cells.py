"""Reading one cell of a practice table the way staff type it in Excel: numbers stored as
text («1 234», «12,0»), dashes for zero, да/нет/Да/ДА, 0,5 with a decimal comma.

Each reader returns the value or raises `CellError` with a Russian reason; the table
reader adds the sheet, row and column.
"""

from __future__ import annotations

import re
from typing import Any

_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']+")
_DASHES = {"-", "—", "–", "−"}
_YES = {"да", "д", "yes", "y", "+", "1", "истина", "true", "имеется", "есть"}
_NO = {"нет", "н", "no", "n", "0", "ложь", "false", "отсутствует"} | _DASHES
_WORD = re.compile(r"^[\w+\-—–−]+")


class CellError(ValueError):
    """A cell that cannot be read as the column requires."""


def text(value: Any) -> str:
    """A cell as trimmed text ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise(value: Any) -> str:
    """Text for matching headers and labels: lower case, ё → е, no quotes, single spaces."""
    out = text(value).lower().replace("ё", "е")
    out = re.sub(r"[«»\"“”„']", "", out)
    return re.sub(r"\s+", " ", out).strip()


def is_blank(value: Any) -> bool:
    return text(value) == ""


def number(value: Any) -> float | None:
    """A number from a cell, or None when the cell holds no number at all."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    raw = _SPACES.sub("", text(value)).replace(",", ".")
    if raw in _DASHES:
        return 0.0
    try:
        return float(raw)
    except ValueError:
        return None


def count(value: Any) -> int | None:
    """A non-negative whole number; None for an empty cell, 0 for a dash."""
    if is_blank(value):
        return None
    parsed = number(value)
    if parsed is None:
        raise CellError(f"ожидается целое число, а не «{text(value)}»")
    if not parsed.is_integer():
        raise CellError(f"ожидается целое число, а не {text(value)}")
    if parsed < 0:
        raise CellError(f"количество не может быть отрицательным: {text(value)}")
    return int(parsed)


def yes_no(value: Any) -> bool | None:
    """да/нет in any case (also «Да, с 2024 г.»); None for an empty cell."""
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    word = normalise(value)
    first = _WORD.match(word)
    for candidate in (word, first.group(0) if first else ""):
        if candidate in _YES:
            return True
        if candidate in _NO:
            return False
    raise CellError(f"ожидается «да» или «нет», а не «{text(value)}»")


def points(value: Any, allowed: tuple[float, ...]) -> float | None:
    """A score of Таблица 5 (1/0, or 1/0,5/0 for timeliness); да/нет read as 1/0."""
    if is_blank(value):
        return None
    parsed = number(value)
    if parsed is None:
        raw = normalise(value).removesuffix(" балла").removesuffix(" балл").removesuffix(" баллов")
        parsed = number(raw)
    if parsed is None:
        try:
            flag = yes_no(value)
        except CellError:
            flag = None
        parsed = None if flag is None else float(flag)
    if parsed is None or parsed not in allowed:
        shown = " / ".join(f"{a:g}".replace(".", ",") for a in sorted(allowed, reverse=True))
        raise CellError(f"ожидается {shown}, а не «{text(value)}»")
    return parsed
