"""Each channel's parser on realistic files with bad rows: the good rows become records, the
bad ones `Rejected` with a reason naming the row. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.gosuslugi import parse_gosuslugi
from ingest.pos import parse_pos
from ingest.records import FeedbackRecord, Rejected
from ingest.rows import ParseOptions
from ingest.survey import load_form, parse_survey, split_choices
from ingest.terminal import parse_terminal
from ingest.vashkontrol import parse_vashkontrol
from tests.import_fixtures import (
    GOSUSLUGI_SERVICES,
    KALUGA_HEADER,
    VK_HEADER,
    gosuslugi_table,
    kaluga_rows,
    pos_export,
    terminal_rows,
    vk_rows,
    write_csv,
    write_xlsx,
)
from vocabulary.errors import UserError


def split(outcomes: Any) -> tuple[list[FeedbackRecord], list[Rejected]]:
    items = list(outcomes)
    records = [o for o in items if isinstance(o, FeedbackRecord)]
    return records, [o for o in items if isinstance(o, Rejected)]


def reasons(rejected: list[Rejected]) -> dict[str, str]:
    """location's row → reason."""
    return {r.location.rsplit("строка ", 1)[1]: r.reason for r in rejected}


# --- ПОС ------------------------------------------------------------------------------------

def test_pos_export_good_rows_land_and_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    records, rejected = split(parse_pos(pos_export(tmp_path / "pos_zags_2025.xlsx")))
    assert [r.external_id for r in records] == ["67250000041", "67250000042", "67250000043", "67250000044"]
    assert [r.rating for r in records] == [5.0, None, 2.0, 4.0]
    assert records[2].published_at == datetime(2025, 3, 13, tzinfo=UTC)  # Excel serial 45729
    assert records[0].location == "pos_zags_2025.xlsx, лист «Сообщения», строка 2"
    assert records[3].location.endswith("строка 6")  # the blank row 5 is not renumbered away
    first = records[0]
    assert first.text == "Спасибо за быструю регистрацию рождения сына."
    assert first.reply_text and first.reply_text.startswith("Ваше обращение рассмотрено")
    assert first.extra["category"] == "Государственные и муниципальные услуги"
    assert first.extra["subcategory"] == "ЗАГС" and first.extra["fact"] == "Качество обслуживания"
    assert first.extra["status"] == "Ответ направлен" and first.extra["stage"] == "Завершено"
    assert first.extra["planned_at"] == "2025-04-01" and first.extra["completed_at"] == "2025-03-15"
    assert first.extra["overdue"] is False and records[1].extra["overdue"] is True
    assert "law" not in first.extra  # «ФЗ» was «-»
    assert not any("Петрова" in str(v) for v in first.extra.values())  # staff names are not kept
    assert reasons(rejected) == {
        "7": "оценка ответа заявителем: оценка 7 вне шкалы 1–5",
        "8": "нет даты поступления",
        "9": "дата поступления: непонятная дата «вчера»",
        "10": "нет даты поступления",
        "11": "номер 67250000041 повторяется (впервые в строке 2)",
    }
    bad = next(r for r in rejected if r.location.endswith("строка 7"))
    assert bad.payload["Оценка ответа заявителем"] == "7" and bad.payload["Номер"] == "67250000045"


def test_pos_columns_matched_by_header_in_any_order_with_minimal_export(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "pos.xlsx", [
        ["Содержание", "Оценка ответа заявителем", "Дата поступления", "Номер ЕПГУ", "Номер"],
        ["Сломан пандус у входа", "3", "01.02.2025", "111", 67250000099.0],
    ])
    (record,) = parse_pos(path)
    assert isinstance(record, FeedbackRecord)
    assert record.external_id == "67250000099" and record.extra["epgu_id"] == "111"
    assert record.text == "Сломан пандус у входа" and record.rating == 3.0


def test_pos_without_the_number_column_is_a_clear_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "pos.xlsx", [["Дата поступления", "Текст"], ["01.02.2025", "x"]])
    with pytest.raises(UserError, match="не похоже на выгрузку сообщений ПОС: не найдены столбцы «Номер»"):
        parse_pos(path)


# --- Госуслуги ----------------------------------------------------------------------------

def test_gosuslugi_table_2(tmp_path: Path) -> None:
    path = gosuslugi_table(tmp_path / "gosuslugi_zags_2025.xlsx")
    records, rejected = split(parse_gosuslugi(path, ParseOptions(services=GOSUSLUGI_SERVICES)))
    assert [(r.service, r.rating, r.extra) for r in records] == [
        (GOSUSLUGI_SERVICES[0], 4.8, {"ratings_count": 200, "period": "2025"}),
        (GOSUSLUGI_SERVICES[1], 4.2, {"ratings_count": 100, "period": "2025"}),  # canonical name
        (GOSUSLUGI_SERVICES[2], 3.5, {"ratings_count": 50, "period": "2025"}),
    ]
    assert {r.published_at for r in records} == {datetime(2025, 1, 1, tzinfo=UTC)}
    assert reasons(rejected) == {
        "8": "неизвестная услуга «Выдача справки о том, чего нет»: её нет среди услуг организации",
        "9": "индекс CSI: оценка 7 вне шкалы 1–5",
        "10": "неизвестная услуга «Истребование документов»: её нет среди услуг организации",
    }  # the «Итого» row is skipped, not quarantined


def test_gosuslugi_accepts_any_service_when_none_are_declared(tmp_path: Path) -> None:
    records, rejected = split(parse_gosuslugi(gosuslugi_table(tmp_path / "g_2025.xlsx")))
    assert len(records) == 4
    assert reasons(rejected) == {"9": "индекс CSI: оценка 7 вне шкалы 1–5",
                                 "10": "индекс CSI: ожидается оценка от 1 до 5, а не «отлично»"}


@pytest.mark.parametrize(("name", "period", "key", "start"), [
    ("gosuslugi_zags_2024.xlsx", None, "2024", datetime(2024, 1, 1, tzinfo=UTC)),
    ("gosuslugi_zags_2024.xlsx", "2025", "2025", datetime(2025, 1, 1, tzinfo=UTC)),  # the flag wins
    ("ratings.xlsx", "2025-Q3", "2025-Q3", datetime(2025, 7, 1, tzinfo=UTC)),
])
def test_gosuslugi_period(tmp_path: Path, name: str, period: str | None, key: str, start: datetime) -> None:
    records, _ = split(parse_gosuslugi(gosuslugi_table(tmp_path / name), ParseOptions(period=period)))
    assert {(r.extra["period"], r.published_at) for r in records} == {(key, start)}
    assert records[0].external_id.startswith(f"{key}:")


@pytest.mark.parametrize(("name", "period", "message"), [
    ("ratings.xlsx", None, "период не указан — задайте его параметром --period"),
    ("ratings_2024_2025.xlsx", None, "период не указан"),
    ("ratings.xlsx", "прошлый год", "непонятный период «прошлый год»"),
])
def test_gosuslugi_without_a_period_is_a_clear_error(tmp_path: Path, name: str, period: str | None,
                                                     message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_gosuslugi(gosuslugi_table(tmp_path / name), ParseOptions(period=period))


def test_gosuslugi_csv_cp1251(tmp_path: Path) -> None:
    rows = [["Наименование услуги", "Индекс CSI", "Количество оценок"],
            ["Государственная регистрация рождения", "4,8", "1 200"]]
    path = write_csv(tmp_path / "gosuslugi_2025.csv", rows, encoding="cp1251")
    (record,) = parse_gosuslugi(path)
    assert isinstance(record, FeedbackRecord) and record.extra["ratings_count"] == 1200


# --- surveys -------------------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "bom", "delimiter"), [
    ("utf-8", False, ","), ("utf-8", True, ","), ("utf-8", True, ";"), ("cp1251", False, ";"),
])
def test_google_forms_kaluga_survey(tmp_path: Path, encoding: str, bom: bool, delimiter: str) -> None:
    path = write_csv(tmp_path / "survey.csv", kaluga_rows(), encoding=encoding, bom=bom, delimiter=delimiter)
    records, rejected = split(parse_survey(path, ParseOptions(services=GOSUSLUGI_SERVICES)))
    assert [r.criteria for r in records] == [
        {"quality": 5, "time": 4, "information": 5},
        {"quality": 3, "time": 2, "information": 4},
        {"quality": 4, "time": 4, "information": 4},
        {"quality": 5, "information": 5},  # an unanswered question is not a score
    ]
    assert [r.rating for r in records] == [pytest.approx(14 / 3), 3.0, 4.0, 5.0]
    assert records[0].published_at == datetime(2025, 3, 10, 7, 15, 2, tzinfo=UTC)
    assert records[1].text == "Долго ждали в коридоре, негде присесть"
    assert records[1].service == "Государственная регистрация смерти"
    assert records[0].extra == {"form": "kaluga", "answers": {"1": 5, "2": 4, "3": 5}}
    assert reasons(rejected) == {
        "6": "вопрос 1 «Удовлетворённость качеством работы органа»: оценка 7 вне шкалы 1–5",
        "7": "нет времени заполнения анкеты",
        "8": "вопрос 1 «Удовлетворённость качеством работы органа»: ожидается оценка от 1 до 5, а не «пять»",
        "9": "неизвестная услуга «Регистрация космических кораблей»: её нет среди услуг организации",
    }


def test_survey_ids_are_stable_and_distinct(tmp_path: Path) -> None:
    rows = [*kaluga_rows()[:3], kaluga_rows()[1]]  # the same response twice
    path = write_csv(tmp_path / "s.csv", rows, delimiter=",")
    first = [r.external_id for r in parse_survey(path) if isinstance(r, FeedbackRecord)]
    again = [r.external_id for r in parse_survey(path) if isinstance(r, FeedbackRecord)]
    assert first == again and len(set(first)) == 3
    assert first[2] == first[0] + "-2"


KALTAN_SCALES = {"1": 4, "2": 3, "3": 5, "10": 4, "15": 5}


def kaltan_file(tmp_path: Path) -> Path:
    """A Yandex Forms XLSX export of the Kaltan questionnaire, headers numbered as on paper."""
    form = load_form("kaltan")
    header = ["ID", "Время создания", *[f"{q.number}. {q.text}" for q in form.questions], "Комментарий"]
    answers = {**KALTAN_SCALES, "4": "Достаточно", "5": "недостаточно", "6": "Не удовлетворяет",
               "6.1": "Длительное ожидание в очереди, Недостаточно мест для ожидания",
               "7": "Удовлетворен", "11": "Интернет, Знакомые", "13": "Не удовлетворяют",
               "14": "Внесение дополнительной информации, документов, приходил дважды"}
    good = [2125001, "2025-03-05 10:00:00", *[answers.get(q.number) for q in form.questions], "Тесно"]
    bad = [2125002, "2025-03-05 11:00:00", *[9 if q.number == "15" else None for q in form.questions], None]
    return write_xlsx(tmp_path / "anketa.xlsx", [header, good, bad], title="Ответы")


def test_kaltan_questionnaire_maps_to_table_1_and_keeps_every_answer(tmp_path: Path) -> None:
    records, rejected = split(parse_survey(kaltan_file(tmp_path)))  # form detected from the header
    (record,) = records
    assert record.external_id == "2125001"
    assert record.criteria == {"quality": 5, "time": 3, "information": 4}  # Q15, Q2, Q10
    answers = record.extra["answers"]
    assert {k: answers[k] for k in KALTAN_SCALES} == KALTAN_SCALES
    assert answers["5"] == "Недостаточно"  # canonical option
    assert answers["6.1"] == ["Длительное ожидание в очереди", "Недостаточно мест для ожидания"]
    assert answers["11"] == ["Интернет", "Знакомые"]
    assert answers["14"] == ["Внесение дополнительной информации, документов", "приходил дважды"]
    assert record.extra["form"] == "kaltan" and record.text == "Тесно"
    assert reasons(rejected) == {
        "3": "вопрос 15 «Качество предоставления услуги в целом»: оценка 9 вне шкалы 1–5"}


def test_form_given_as_a_table_in_the_config_is_a_mapping() -> None:
    options = ParseOptions.from_settings({"form": {"timestamp": "Когда", "quality": "Оценка"}, "path": "x"})
    assert options.mapping == {"timestamp": "Когда", "quality": "Оценка"} and options.form is None


def test_survey_column_mapping_from_config(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "custom.csv", [
        ["Дата заполнения", "Ваш возраст", "Как вас обслужили?", "Сколько ждали?", "Понятно ли объяснили?",
         "Насколько удобно записаться?", "Пожелания"],
        ["01.04.2025", "30-39", "Отлично", "3", "4", "2", "Сделайте запись онлайн"],
    ])
    mapping = {"timestamp": "Дата заполнения", "comment": "Пожелания", "quality": "Как вас обслужили?",
               "time": ["Сколько ждали?", "Насколько удобно записаться?"],
               "information": "Понятно ли объяснили?"}
    (record,) = parse_survey(path, ParseOptions(mapping=mapping))
    assert isinstance(record, FeedbackRecord)
    assert record.criteria == {"quality": 5, "time": 2.5, "information": 4}
    assert record.extra["answers"]["Ваш возраст"] == "30-39"
    assert record.text == "Сделайте запись онлайн"


@pytest.mark.parametrize(("mapping", "message"), [
    ({"quality": "Как вас обслужили?"}, "не указан столбец времени заполнения"),
    ({"timestamp": "Дата", "speed": "x"}, "неизвестные ключи speed"),
    ({"timestamp": "Дата"}, "не задан ни один критерий"),
])
def test_bad_mapping_is_a_clear_error(tmp_path: Path, mapping: dict[str, Any], message: str) -> None:
    path = write_csv(tmp_path / "s.csv", [["Дата", "Как вас обслужили?"], ["01.04.2025", "5"]])
    with pytest.raises(UserError, match=message):
        parse_survey(path, ParseOptions(mapping=mapping))


def test_form_yaml_by_path(tmp_path: Path) -> None:
    form = tmp_path / "myform.yaml"
    form.write_text("name: library\ncolumns:\n  timestamp: [Когда]\ncriteria:\n  quality: [q1]\n"
                    "questions:\n  - number: q1\n    type: scale\n    text: Работа библиотеки\n"
                    "    contains: [работу библиотеки]\n", encoding="utf-8")
    path = write_csv(tmp_path / "s.csv", [["Когда", "Оцените работу библиотеки"], ["01.04.2025 12:00", "4"]])
    (record,) = parse_survey(path, ParseOptions(form=str(form)))
    assert isinstance(record, FeedbackRecord)
    assert record.criteria == {"quality": 4} and record.extra["form"] == "library"


def test_survey_that_matches_no_form_is_a_clear_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Отметка времени", "Любимый цвет"], ["01.04.2025 12:00", "синий"]])
    with pytest.raises(UserError, match="не найдено ни одного вопроса анкеты с оценкой 1–5"):
        parse_survey(path)


def test_explicit_form_that_does_not_fit_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", kaluga_rows(), delimiter=",")
    with pytest.raises(UserError, match="не найдено ни одного вопроса"):
        parse_survey(path, ParseOptions(form="kaltan"))
    with pytest.raises(UserError, match="неизвестная анкета «kazan»"):
        parse_survey(path, ParseOptions(form="kazan"))


@pytest.mark.parametrize(("value", "options", "expected"), [
    ("Газета, Интернет", ["Газета", "Интернет", "Знакомые"], ["Газета", "Интернет"]),
    ("Внесение дополнительной информации, документов", ["Внесение дополнительной информации, документов"],
     ["Внесение дополнительной информации, документов"]),
    ("интернет; сосед сказал", ["Газета", "Интернет"], ["Интернет", "сосед сказал"]),
    ("Другое: нагрубили, Некорректное поведение", ["Некорректное поведение", "Другое"],
     ["Другое", "Некорректное поведение", "нагрубили"]),
    ("", ["Газета"], []),
])
def test_multiple_choice_splitting(value: str, options: list[str], expected: list[str]) -> None:
    assert split_choices(value, options) == expected


def test_kaluga_header_with_google_and_xlsx_both_read(tmp_path: Path) -> None:
    rows = [KALUGA_HEADER, [datetime(2025, 3, 10, 10, 15, 2), "x", 5, 4, 5, None]]
    (record,) = parse_survey(write_xlsx(tmp_path / "s.xlsx", rows))
    assert isinstance(record, FeedbackRecord)
    assert record.published_at == datetime(2025, 3, 10, 7, 15, 2, tzinfo=UTC)


# --- terminal ------------------------------------------------------------------------------

def test_terminal_log_cp1251_semicolon(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "terminal.csv", terminal_rows(), encoding="cp1251", delimiter=";")
    records, rejected = split(parse_terminal(path, ParseOptions(services=GOSUSLUGI_SERVICES)))
    assert [(r.rating, r.rating_raw) for r in records] == [(5, "Хорошо"), (5, "Хорошо"), (3, "Средне"),
                                                           (1, "Плохо")]
    assert records[0].published_at == datetime(2025, 3, 3, 6, 15, tzinfo=UTC)
    assert records[0].extra == {"department": "Управление ЗАГС", "unit": "Отдел регистрации брака",
                                "employee": "Петрова Елена Александровна"}
    assert records[3].text == "Нагрубили, не объяснили, что делать"
    assert len({r.external_id for r in records}) == 4  # two identical visits are two visits
    assert reasons(rejected) == {
        "6": "неизвестная оценка «Отлично»: ожидается Хорошо / Средне / Плохо",
        "7": "нет даты оценки",
        "8": "нет оценки",
        "9": "неизвестная услуга «Выдача лицензий на охоту»: её нет среди услуг организации",
    }


def test_terminal_scale_is_configurable_and_checked(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", terminal_rows()[:5])
    scale = {"хорошо": 5, "средне": 4, "плохо": 2}
    records, _ = split(parse_terminal(path, ParseOptions(scale=scale)))
    assert [r.rating for r in records] == [5, 5, 4, 2]
    with pytest.raises(UserError, match="оценке «Плохо» сопоставлено 0"):
        parse_terminal(path, ParseOptions(scale={"Хорошо": 5, "Плохо": 0}))


def test_terminal_single_datetime_column_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["Дата и время", "Сотрудник", "Оценка"],
                                           [datetime(2025, 3, 3, 9, 15), "Петрова", "плохо"],
                                           [45719.5, "Петрова", "Хорошо"]])
    records, rejected = split(parse_terminal(path))
    assert not rejected
    assert [(r.published_at, r.rating) for r in records] == [
        (datetime(2025, 3, 3, 6, 15, tzinfo=UTC), 1), (datetime(2025, 3, 3, 9, 0, tzinfo=UTC), 5)]


# --- «Ваш контроль» ------------------------------------------------------------------------

def test_vashkontrol(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "vk.xlsx", vk_rows(), title="Оценки")
    records, rejected = split(parse_vashkontrol(path, ParseOptions(services=GOSUSLUGI_SERVICES)))
    assert [r.external_id for r in records] == ["VK-1", "VK-2", "VK-3"]
    assert records[0].criteria == {"service_time": 5, "queue_time": 4, "politeness": 5, "comfort": 3,
                                   "information": 4}
    assert records[1].criteria == {"service_time": 2, "queue_time": 1, "politeness": 3, "comfort": 2,
                                   "information": 3}
    assert records[2].criteria == {"service_time": 5, "queue_time": 5, "politeness": 4, "comfort": 4}
    assert records[0].rating == pytest.approx(4.2)
    assert records[1].text == "Очередь два часа"
    assert reasons(rejected) == {
        "5": "«Время предоставления услуги»: оценка 7 вне шкалы 1–5",
        "6": "нет даты оценки",
        "7": "«Время предоставления услуги»: ожидается оценка от 1 до 5, а не «Супер»",
        "8": "неизвестная услуга «Несуществующая услуга»: её нет среди услуг организации",
    }


def test_vashkontrol_csv_without_ids_gets_stable_ids(tmp_path: Path) -> None:
    rows = [VK_HEADER[1:], *[r[1:] for r in vk_rows()[1:4]]]
    path = write_csv(tmp_path / "vk.csv", rows, bom=True)
    ids = [r.external_id for r in parse_vashkontrol(path) if isinstance(r, FeedbackRecord)]
    assert len(set(ids)) == 3 and all(i.startswith("vk-") for i in ids)
    assert ids == [r.external_id for r in parse_vashkontrol(path) if isinstance(r, FeedbackRecord)]


@pytest.mark.parametrize("name", ["kaluga", "kaltan"])
def test_builtin_forms_recognise_their_own_question_texts(name: str) -> None:
    """Each question's short text must be found by its own key phrases, so a form exported
    with shortened headers still reads."""
    from ingest.files import match_columns

    form = load_form(name)
    found = match_columns([q.text for q in form.questions], [q.column for q in form.questions])
    assert found == {f"q:{q.number}": i for i, q in enumerate(form.questions)}
