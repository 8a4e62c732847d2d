"""The CLI speaks Russian to the end: usage errors, help, value errors (Click's and Typer's
own texts included), a broken JSON line."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.russian import usage_error

runner = CliRunner()
ENGLISH = re.compile(r"\b(Usage|Missing|Try|Error|Show this|Invalid|Got unexpected|No such|Input should|"
                     r"Options|Arguments|Commands|required|default)\b")


@pytest.mark.parametrize(("args", "expected"), [
    (["classify"], "Не указан обязательный параметр '--input' / '-i'."),
    (["classify", "-i", "a", "-o", "b", "--batch-size", "abc"],
     "Недопустимое значение '--batch-size': ожидается целое число"),
    (["classify", "-i", "a", "-o", "b", "--batch-size", "0"], "должно быть не меньше 1"),
    (["classify", "-i", "a", "-o", "b", "лишний"], "Лишние аргументы: лишний"),
    (["scores", "--nosuch"], "Нет такого параметра: --nosuch."),
    (["nosuch"], "Нет такой команды 'nosuch'."),
    (["classify", "--input"], "Параметру '--input' нужно значение."),
])
def test_usage_errors_are_russian(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert expected in text
    assert not ENGLISH.search(text.replace("[OPTIONS]", "").replace("COMMAND [ARGS]", "")), text


def test_a_missing_option_prints_russian_usage() -> None:
    text = " ".join(runner.invoke(app, ["classify"]).output.split())
    assert "Использование: painmap classify [OPTIONS]" in text and "Справка: «painmap classify -h»." in text


@pytest.mark.parametrize("args", [["--help"], ["classify", "--help"], ["report", "-h"], ["crawl", "--help"]])
def test_help_is_russian(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Показать эту справку и выйти." in text and "Параметры" in text
    assert "Show this message" not in text and " Options " not in text


@pytest.mark.parametrize(("english", "russian"), [
    ("Missing option '--period'.", "Не указан обязательный параметр '--period'."),
    ("Missing argument 'PATH'.", "Не указан обязательный аргумент 'PATH'."),
    ("No such option: --perod (Possible options: --period)",
     "Нет такого параметра: --perod. Может быть: --period?"),
    ("Invalid value for '--out': File 'x.docx' is a directory.",
     "Недопустимое значение '--out': Файл 'x.docx' — каталог, а нужен файл."),
    ("Something new in a later Typer", "Something new in a later Typer"),
])
def test_usage_error_table(english: str, russian: str) -> None:
    assert usage_error(english) == russian


def test_broken_json_line_is_explained_in_russian(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "ok"}\n{"id": 2 "text": "ok"}\n', "utf-8")
    result = runner.invoke(app, ["classify", "-i", str(source), "-o", str(tmp_path / "o.jsonl"), "--no-ner"])
    assert result.exit_code != 0  # main() prints the UserError; the runner calls the app itself
    assert "строка 2: некорректный JSON (пропущена запятая, символ 10)" in str(result.exception)
