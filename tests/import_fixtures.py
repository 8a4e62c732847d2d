"""Realistic input files for the importer tests, written the way people send them.

Each builder writes a file in the channel's real layout with a few good rows and the bad
rows a real file has (a rating of 7, a missing date, garbage, an unknown service), and
documents what the importer must make of it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

POS_HEADER = [
    "Номер", "Номер ЕПГУ", "Источник", "Верхнеуровневый ЛКО", "Категория", "Подкатегория", "Факт",
    "Организация, в которую поступило сообщение", "Организация, в которой находится сообщение",
    "Дата поступления", "Дата планируемого завершения работ", "Дата фактического завершения работ",
    "Стадия", "Статус", "Просрочено", "Фаст-трек", "ФЗ", "Заявитель выбрал подачу по 59-ФЗ", "Тип решения",
    "Направлено по email в ФОИВ, не подключенный к ПОС", "Оценка ответа заявителем",
    "Повторное рассмотрение", "ФИО координатора", "ФИО исполнителя", "ФИО руководителя",
    "Текст сообщения", "Ответ",
]
ORG = "Управление ЗАГС города Тестово"


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], title: str = "Лист1",
               extra_sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = ()) -> Path:
    """Rows as given; None cells stay empty, `[]` makes a blank row."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for name, sheet_rows in extra_sheets:  # sheets before the data, e.g. an instruction sheet
        other = book.create_sheet(name, 0)
        for row in sheet_rows:
            other.append(list(row))
    for row in rows:
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def csv_bytes(rows: Sequence[Sequence[Any]], *, delimiter: str = ";", encoding: str = "utf-8",
              bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write_csv(path: Path, rows: Sequence[Sequence[Any]], **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows, **kwargs))
    return path


def pos_row(number: str, received: Any, rating: Any = "-", text: str = "-", *, overdue: str = "Нет",
            category: str = "Государственные и муниципальные услуги", done: Any = "15.03.2025") -> list[Any]:
    values = {
        "Номер": number, "Номер ЕПГУ": "2824887743", "Источник": "Виджет ПОС на сайте",
        "Верхнеуровневый ЛКО": "Администрация города Тестово", "Категория": category,
        "Подкатегория": "ЗАГС", "Факт": "Качество обслуживания",
        "Организация, в которую поступило сообщение": ORG, "Организация, в которой находится сообщение": ORG,
        "Дата поступления": received, "Дата планируемого завершения работ": "01.04.2025",
        "Дата фактического завершения работ": done, "Стадия": "Завершено", "Статус": "Ответ направлен",
        "Просрочено": overdue, "Фаст-трек": "Нет", "ФЗ": "-", "Заявитель выбрал подачу по 59-ФЗ": "Нет",
        "Тип решения": "Разъяснено", "Направлено по email в ФОИВ, не подключенный к ПОС": "Нет",
        "Оценка ответа заявителем": rating, "Повторное рассмотрение": "Нет",
        "ФИО координатора": "Петрова Е.А.", "ФИО исполнителя": "Смирнов А.В.",
        "ФИО руководителя": "Орлова Н.П.", "Текст сообщения": text,
        "Ответ": "Ваше обращение рассмотрено, запись на приём доступна на Госуслугах.",
    }
    return [values[h] for h in POS_HEADER]


def pos_export(path: Path) -> Path:
    """A ПОС console export: 4 good messages (3 rated, one of them dated by an Excel serial
    number), then a rating of 7, a missing date, a garbage date, a row of garbage and a
    repeated number — 5 rows for quarantine. A blank row sits in the middle."""
    rows: list[list[Any]] = [
        POS_HEADER,
        pos_row("67250000041", "10.03.2025", "5", "Спасибо за быструю регистрацию рождения сына."),
        pos_row("67250000042", "11.03.2025", "-", "Не могу дозвониться в ЗАГС третий день, телефон занят.",
                overdue="Да"),
        pos_row("67250000043", 45729, "2", "Очередь два часа, электронная очередь не работает."),
        [],
        pos_row("67250000044", "14.03.2025", 4, "Прошу разъяснить порядок выдачи повторного свидетельства."),
        pos_row("67250000045", "15.03.2025", "7", "Оценка вне шкалы"),
        pos_row("67250000046", "-", "3", "Нет даты поступления"),
        pos_row("67250000047", "вчера", "3", "Дата словами"),
        ["ыфвафыва", None, None, "!!!"],
        pos_row("67250000041", "16.03.2025", "1", "Тот же номер ещё раз"),
    ]
    return write_xlsx(path, rows, title="Сообщения")


GOSUSLUGI_SERVICES = ["Государственная регистрация рождения", "Государственная регистрация заключения брака",
                      "Государственная регистрация смерти"]


def gosuslugi_table(path: Path) -> Path:
    """Таблица 2 as an office fills it: title rows, decimal commas, a total row, bad rows."""
    rows: list[list[Any]] = [
        ["Таблица 2. Оценка качества оказания услуг на Едином портале госуслуг"],
        [f"{ORG}, 2025 год"],
        [],
        ["Наименование услуги", "Индекс CSI", "Количество оценок"],
        ["Государственная регистрация рождения", "4,80", 200],
        ["государственная регистрация заключения  брака", 4.2, "100"],  # case and spaces differ
        ["Государственная регистрация смерти", "3,5", "50"],
        ["Выдача справки о том, чего нет", "4,5", 10],  # unknown service
        ["Государственная регистрация рождения", "7", 10],  # CSI out of scale (and a repeat)
        ["Истребование документов", "отлично", 5],  # garbage CSI
        ["Итого", "4,45", 350],
    ]
    return write_xlsx(path, rows, title="Таблица 2")


KALUGA_HEADER = [
    "Отметка времени", "Какую услугу вы получали?",
    "Оцените качество работы органа, в который вы обращались (от 1 до 5)",
    "Оцените сроки предоставления услуги и время ожидания в очереди (от 1 до 5)",
    "Оцените качество информации о порядке предоставления услуги: полноту, ясность, доступность (от 1 до 5)",
    "Ваши замечания и предложения",
]


def kaluga_rows() -> list[list[Any]]:
    """Google Forms rows: 4 good, then a 7, a missing timestamp, garbage, an unknown service."""
    return [
        KALUGA_HEADER,
        ["10.03.2025 10:15:02", "Государственная регистрация рождения", "5", "4", "5", ""],
        ["10.03.2025 11:20:45", "Государственная регистрация смерти", "3", "2", "4",
         "Долго ждали в коридоре, негде присесть"],
        ["11.03.2025 09:01:00", "Государственная регистрация заключения брака", "4", "4", "4", ""],
        ["12.03.2025 16:40:13", "", "5", "", "5", "Всё хорошо"],
        ["13.03.2025 12:00:00", "Государственная регистрация рождения", "7", "5", "5", ""],
        ["", "Государственная регистрация рождения", "5", "5", "5", ""],
        ["14.03.2025 12:00:00", "Государственная регистрация рождения", "пять", "5", "5", ""],
        ["15.03.2025 12:00:00", "Регистрация космических кораблей", "5", "5", "5", ""],
    ]


TERMINAL_HEADER = ["Дата", "Время", "Департамент", "Отдел", "Сотрудник", "Услуга", "Оценка", "Комментарий"]


def terminal_rows() -> list[list[Any]]:
    """A desk tablet log: 4 good rows (two identical visits in one minute), then an unknown
    grade, a missing date, garbage, an unknown service."""
    dept, unit = "Управление ЗАГС", "Отдел регистрации брака"
    petrova, smirnov = "Петрова Елена Александровна", "Смирнов Алексей Викторович"
    s = GOSUSLUGI_SERVICES
    return [
        TERMINAL_HEADER,
        ["03.03.2025", "09:15", dept, unit, petrova, s[0], "Хорошо", ""],
        ["03.03.2025", "09:15", dept, unit, petrova, s[0], "Хорошо", ""],
        ["03.03.2025", "10:02", dept, unit, smirnov, s[1], "Средне", "Долго искали документы"],
        ["04.03.2025", "14:47", dept, unit, smirnov, s[2], "Плохо", "Нагрубили, не объяснили, что делать"],
        ["04.03.2025", "15:00", dept, unit, smirnov, s[2], "Отлично", ""],
        ["", "15:10", dept, unit, smirnov, s[2], "Хорошо", ""],
        ["%%%", "@@", "###", "", "", "", "", ""],
        ["05.03.2025", "11:11", dept, unit, smirnov, "Выдача лицензий на охоту", "Хорошо", ""],
    ]


VK_HEADER = ["Номер оценки", "Дата оценки", "Ведомство", "Услуга", "Время предоставления услуги",
             "Время ожидания в очереди", "Вежливость и компетентность сотрудника",
             "Комфортность условий в помещении", "Доступность информации о порядке предоставления услуги",
             "Комментарий"]


def vk_rows() -> list[list[Any]]:
    """«Ваш контроль»: 3 good ratings, then a 7, a missing date, garbage grades, an unknown service."""
    s = GOSUSLUGI_SERVICES
    return [
        VK_HEADER,
        ["VK-1", "05.03.2025 10:00", ORG, s[0], "Отлично", "Хорошо", "Отлично", "Нормально", "Хорошо",
         "Всё быстро"],
        ["VK-2", "05.03.2025 11:30", ORG, s[1], "Плохо", "Очень плохо", "Нормально", "Плохо", "Нормально",
         "Очередь два часа"],
        ["VK-3", "06.03.2025 09:05", ORG, s[2], "5", "5", "4", "4", None, None],
        ["VK-4", "06.03.2025 09:10", ORG, s[2], "7", "5", "4", "4", "5", None],
        ["VK-5", None, ORG, s[2], "Отлично", "Отлично", "Отлично", "Отлично", "Отлично", None],
        ["VK-6", "06.03.2025 09:20", ORG, s[2], "Супер", "Хорошо", "Хорошо", "Хорошо", "Хорошо", None],
        ["VK-7", "06.03.2025 09:30", ORG, "Несуществующая услуга", "Хорошо", "Хорошо", "Хорошо", "Хорошо",
         "Хорошо", None],
    ]


# Every file channel's fixture file, named as a drop folder names them (`<kind>_<org>_<year>`) and
# written the way the channel sends it: a BOM'd comma CSV from Google Forms, cp1251 from the terminal.
CHANNEL_FILES: dict[str, Callable[[Path], Path]] = {
    "pos": lambda d: pos_export(d / "pos_zags_2025.xlsx"),
    "gosuslugi": lambda d: gosuslugi_table(d / "gosuslugi_zags_2025.xlsx"),
    "survey": lambda d: write_csv(d / "survey_zags_2025.csv", kaluga_rows(), delimiter=",", bom=True),
    "terminal": lambda d: write_csv(d / "terminal_zags_2025.csv", terminal_rows(), encoding="cp1251"),
    "vashkontrol": lambda d: write_xlsx(d / "vashkontrol_zags_2025.xlsx", vk_rows()),
}


def channel_files(directory: Path) -> dict[str, Path]:
    """All of `CHANNEL_FILES`, written into `directory`."""
    return {kind: build(directory) for kind, build in CHANNEL_FILES.items()}
