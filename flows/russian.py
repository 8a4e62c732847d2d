"""The CLI speaks Russian to the end: Click's and Typer's own messages (usage errors, help
headings, «Show this message and exit.») translated by tables.

Typer's own texts are marked for gettext (`_()`) but read the process's default domain,
which a product cannot fill without shipping `.mo` files and changing the user's locale:
the translation functions of its modules are replaced by lookups in MESSAGES. Typer's
panel titles are module constants computed at import, so they are set directly. The Click
that Typer carries (`typer._click`) writes plain English f-strings: its usage errors are
translated where they are shown (`format_message`) by the patterns of USAGE_ERRORS, and the
help option and the usage line get Russian texts. A text no table knows stays as written.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

MESSAGES = {
    "Aborted!": "Прервано.",
    "Aborted.": "Прервано.",
    "Missing command.": "Не указана команда.",
    "Options": "Параметры",
    "Positional arguments": "Аргументы",
    "Arguments": "Аргументы",
    "Commands": "Команды",
    "Usage:": "Использование:",
    "Error": "Ошибка",
    "Error: {message}": "Ошибка: {message}",
    "Missing argument": "Не указан аргумент",
    "Missing option": "Не указан параметр",
    "Missing parameter": "Не указан параметр",
    "Missing {param_type}": "Не указан параметр",
    "Missing parameter: {param_name}": "Не указан параметр: {param_name}",
    "Invalid value for {param_hint}: {message}": "Недопустимое значение {param_hint}: {message}",
    "Invalid value: {message}": "Недопустимое значение: {message}",
    "No such option {name!r}.": "Нет такого параметра {name!r}.",
    "No such command {name!r}.": "Нет такой команды {name!r}.",
    "Option {name!r} does not take a value.": "Параметр {name!r} не принимает значения.",
    "Argument {name!r} takes {nargs} values.": "Аргумент {name!r} принимает {nargs} значения.",
    "Try '{command} {option}' for help.": "Справка: «{command} {option}».",
    "Try [blue]'{command_path} {help_option}'[/] for help.":
        "Справка: [blue]«{command_path} {help_option}»[/].",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "%(prog)s, version %(version)s": "%(prog)s, версия %(version)s",
    "unknown error": "неизвестная ошибка",
    "Could not open file {filename!r}: {message}": "Не удалось открыть файл {filename!r}: {message}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} не существует.",
    "{name} {filename!r} is a file.": "{name} {filename!r} — файл, а нужен каталог.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} — каталог, а нужен файл.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} недоступен для чтения.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} недоступен для записи.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} не является исполняемым.",
    "file": "Файл",
    "directory": "Каталог",
    "path": "Путь",
    "{value!r} is not a valid {number_type}.": "{value!r} — не число ({number_type}).",
    "{value} is not in the range {range}.": "{value} вне допустимого диапазона {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} — не логическое значение. Допустимы: {states}",
    "{value!r} is not a valid UUID.": "{value!r} — не UUID.",
    "Choose from:\n\t{choices}": "Выберите из:\n\t{choices}",
    "Value must be an iterable.": "Значение должно быть списком.",
    "Invalid start character for option ({option})": "Недопустимый первый символ параметра ({option})",
    "Do you want to continue?": "Продолжить?",
    "Confirm the action without prompting.": "Подтвердить действие без вопроса.",
    "Repeat for confirmation": "Повторите для подтверждения",
    "Error: The two entered values do not match.": "Ошибка: введённые значения не совпадают.",
    "Error: invalid input": "Ошибка: недопустимый ввод",
    "Press any key to continue...": "Нажмите любую клавишу…",
    "required": "обязательный",
    "[required]": "[обязательный]",
    "default: {default}": "по умолчанию: {default}",
    "[default: {}]": "[по умолчанию: {}]",
    "env var: {var}": "переменная окружения: {var}",
    "[env var: {}]": "[переменная окружения: {}]",
    "(dynamic)": "(вычисляется)",
    "deprecated": "устарело",
    "(deprecated) ": "(устарело) ",
}
# singular msgid → (one, few/many): Russian has three forms, these texts need two
PLURALS = {
    "Got unexpected extra argument ({args})": ("Лишний аргумент ({args})", "Лишние аргументы ({args})"),
    "Takes {nargs} values but 1 was given.": ("Нужно значений: {nargs}, передано: 1.",
                                               "Нужно значений: {nargs}, передано: {len}."),
    "Did you mean {possibility}?": ("Может быть, {possibility}?", "(Может быть, одно из: {possibilities}?)"),
    "Option {name!r} requires an argument.": ("Параметру {name!r} нужно значение.",
                                               "Параметру {name!r} нужно значений: {nargs}."),
    "{value!r} is not {choice}.": ("{value!r} — не {choice}.", "{value!r} — не одно из: {choices}."),
    "{value!r} does not match the format {format}.": ("{value!r} не соответствует формату {format}.",
                                                      "{value!r} не соответствует форматам {formats}."),
    "{len_type} values are required, but {len_value} was given.": (
        "Нужно значений: {len_type}, передано: {len_value}.",
        "Нужно значений: {len_type}, передано: {len_value}."),
}
# English usage errors of typer._click (and the value errors inside them) → Russian.
USAGE_ERRORS = [(re.compile(pattern, re.S), russian) for pattern, russian in [
    (r"^Missing option (.+?)\.(?: (.*))?$", r"Не указан обязательный параметр \1.\2"),
    (r"^Missing argument (.+?)\.(?: (.*))?$", r"Не указан обязательный аргумент \1.\2"),
    (r"^Missing parameter (.+?)\.(?: (.*))?$", r"Не указан обязательный параметр \1.\2"),
    (r"^Missing parameter: (.+)$", r"Не указан параметр \1"),
    (r"^No such option: (\S+) \(Possible options: (.+)\)$", r"Нет такого параметра: \1. Может быть: \2?"),
    (r"^No such option: (\S+)$", r"Нет такого параметра: \1."),
    (r"^Invalid value for (.+?): (.*)$", r"Недопустимое значение \1: \2"),
    (r"^Invalid value: (.*)$", r"Недопустимое значение: \1"),
    (r"^Got unexpected extra argument\(s\) \((.*)\)$", r"Лишние аргументы: \1"),
    (r"^Option (.+?) requires an argument\.$", r"Параметру \1 нужно значение."),
    (r"^Option (.+?) requires (\d+) arguments\.$", r"Параметру \1 нужно значений: \2."),
    (r"^Option (.+?) does not take a value\.$", r"Параметр \1 не принимает значения."),
    (r"^Value (.+?) is not a valid (.+?)\.$", r"\1 — недопустимое значение (ожидается \2)."),
    (r"^(.+?) is not one of (.+?)\.$", r"\1 — не одно из: \2."),
    (r"^(.+?) is not in the range (.+?)\.$", r"\1 вне допустимого диапазона \2."),
    (r"^(\w+) (.+?) does not exist\.$", r"\1 \2 не существует."),
    (r"^(\w+) (.+?) is not readable\.$", r"\1 \2 недоступен для чтения."),
    (r"^(\w+) (.+?) is not writable\.$", r"\1 \2 недоступен для записи."),
    (r"^(\w+) (.+?) is a directory\.$", r"\1 \2 — каталог, а нужен файл."),
    (r"^(\w+) (.+?) is a file\.$", r"\1 \2 — файл, а нужен каталог."),
    (r"^Could not open file (.+?): (.*)$", r"Не удалось открыть файл \1: \2"),
]]
WORDS = {"File": "Файл", "Directory": "Каталог", "Path": "Путь", "integer": "целое число",
         "float": "число", "boolean": "да/нет", "true": "да", "false": "нет",
         "an argument": "значение", "1 argument": "одно значение"}
HELP_OPTION = "Показать эту справку и выйти."
USAGE_PREFIX = "Использование: "

MODULES = ("typer.core", "typer.main")
PANELS = {"ARGUMENTS_PANEL_TITLE": "Arguments", "OPTIONS_PANEL_TITLE": "Options",
          "COMMANDS_PANEL_TITLE": "Commands", "ERRORS_PANEL_TITLE": "Error", "ABORTED_TEXT": "Aborted.",
          "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
          "DEFAULT_STRING": "[default: {}]", "ENVVAR_STRING": "[env var: {}]",
          "REQUIRED_LONG_STRING": "[required]", "DEPRECATED_STRING": "(deprecated) "}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if n == 1 else plural
    return forms[0] if n == 1 else forms[1]


def usage_error(message: str) -> str:
    """An English usage error of typer._click in Russian (the message itself when unknown);
    a part of it may be another message (a value error inside «Invalid value for …»)."""
    for pattern, russian in USAGE_ERRORS:
        found = pattern.match(message)
        if found:
            parts = [_words(usage_error(g)) if g else "" for g in found.groups()]
            return re.sub(r"\\(\d)", lambda ref, got=parts: got[int(ref.group(1)) - 1], russian).rstrip()  # type: ignore[misc]
    return message


def _words(text: str) -> str:
    return WORDS.get(text, text)


def _translated(original: Callable[[Any], str]) -> Callable[[Any], str]:
    def format_message(self: Any) -> str:
        return usage_error(original(self))

    return format_message


def _classes(base: type) -> list[type]:
    out: list[type] = [base]
    subclasses: list[type] = base.__subclasses__()
    for sub in subclasses:
        out += _classes(sub)
    return out


def _first_error(exc: Any) -> str:
    """A bad value's message (typer checks values with pydantic): the first error, in Russian."""
    from vocabulary.validation import pydantic_message

    errors = exc.errors()
    return pydantic_message(errors[0]) if errors else str(exc)


def _russian_click() -> None:
    """typer._click: usage errors, the help option, the «Usage:» line; typer's value errors."""
    from typer import _coercion
    from typer._click import core, exceptions, formatting

    _coercion.get_error_msg = _first_error  # type: ignore[assignment]
    root = next(c for c in exceptions.ClickException.__mro__ if "format_message" in vars(c))
    for cls in _classes(root):
        if "format_message" in vars(cls):
            cls.format_message = _translated(vars(cls)["format_message"])  # type: ignore[attr-defined]
    original_help = core.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original_help(self, ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    core.Command.get_help_option = get_help_option  # type: ignore[method-assign]
    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]


def install() -> None:
    """Put the tables in place in Click and Typer (those already imported and those not)."""
    import importlib

    for name in MODULES:
        module = sys.modules.get(name) or importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    from typer import rich_utils

    for constant, message in PANELS.items():
        setattr(rich_utils, constant, gettext(message))
    _russian_click()
