"""Build the demo region's input files: every channel of every office for two years.

`painmap demo` and the tests call `build_demo(out)`. Everything is derived from
`region.yaml` and the hand-written `texts.jsonl` with a fixed seed, so two builds give the
same files. The files are written in the layouts real people send (see
`../shared/formats.md`): Yandex SSR pages, ПОС `.xlsx` export, Таблица 2 of Госуслуги, a
Google Forms CSV, a Yandex Forms XLSX with the Kaltan questionnaire, a cp1251 terminal log,
a «Ваш контроль» export and the practice workbook (Таблицы 3, 3.1, 5) as staff fill it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from crawlers.yandex.page import PAGE_SIZE, render_page
from ingest.demo.pool import TextPicker, load_pool
from ingest.demo.ratings import scores_with_mean

REGION_FILE = Path(__file__).with_name("region.yaml")
YEARS = (2024, 2025)
SEED = 2182
MSK = timedelta(hours=3)
MAX_REACHABLE = 600  # Yandex serves about 12 pages of 50


@dataclass
class DemoManifest:
    root: Path
    config: Path
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def load_region() -> dict[str, Any]:
    return yaml.safe_load(REGION_FILE.read_text(encoding="utf-8"))


def build_demo(out: Path, seed: int = SEED, region: dict[str, Any] | None = None,
               today: date | None = None) -> DemoManifest:
    """Write the demo into `out` (created if needed) and return what was written. `region`
    replaces `region.yaml` (the nightly benchmark builds a 50-office region this way).
    `today` (default: the real today) dates the last week's terminal log of the office
    marked `recent_spike`, so that the first nightly run has something to alert on."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    region = region or load_region()
    rng = random.Random(seed)
    picker = TextPicker(load_pool(), rng)
    manifest = DemoManifest(root=out, config=out / "painmap.toml")
    for org in region["organisations"]:
        _yandex(out, org, rng, picker, manifest)
        for year in YEARS:
            if org.get("pos"):
                _pos(out, org, year, rng, picker, manifest)
            if org.get("survey"):
                if org.get("kaltan_survey"):
                    _kaltan_survey(out, org, year, rng, picker, manifest)
                else:
                    _google_survey(out, org, year, rng, picker, manifest)
                _gosuslugi(out, org, year, rng, manifest)
            if org.get("terminal"):
                _terminal(out, org, year, rng, picker, manifest)
            if org.get("vashkontrol"):
                _vashkontrol(out, org, year, rng, picker, manifest)
            _practice(out, region, org, year, rng, manifest)
        if org.get("recent_spike") and org.get("terminal"):
            # its own generator: the years' draws of the other offices stay as they were
            _recent_week(out, org, today or date.today(), random.Random(seed + 1), manifest)
    _config(out, region, manifest)
    return manifest


# --- common -------------------------------------------------------------------------------

def _moments(year: int, n: int, rng: random.Random) -> list[datetime]:
    """n office-hours moments in the year (UTC), newest first."""
    start = datetime(year, 1, 9, tzinfo=UTC)
    end = datetime(year, 12, 27, tzinfo=UTC)
    span = (end - start).days
    out = []
    for _ in range(n):
        day = start + timedelta(days=rng.randrange(span))
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        local = day + timedelta(hours=rng.randint(8, 17), minutes=rng.randrange(60),
                                seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
        out.append(local - MSK)
    return sorted(out, reverse=True)


def _word(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _xlsx(path: Path, manifest: DemoManifest) -> Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest.files.append(path)
    wb = Workbook()
    wb.properties.creator = "painmap demo"
    wb.properties.created = wb.properties.modified = datetime(2026, 1, 15, 9, 0)
    return wb


def _widths(ws: Any, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _kind(org: dict[str, Any]) -> str:
    """The kind of office (szn, zags, opeka) whose profile an organisation follows."""
    return str(org.get("template", org["code"]))


def _text_or_none(entry: dict[str, Any] | None) -> str | None:
    return entry["text"] if entry else None


# --- Yandex -------------------------------------------------------------------------------

AUTHORS = ["Анастасия Б.", "Игорь", "Марина К.", "Сергей Петрович", "Ольга", "Dmitry S.",
           "Елена Викторовна", "Алексей М.", "Наталья", "Татьяна Ш.", "Виктор", "Юлия Р.",
           "Катерина", "Андрей", "Людмила Ивановна", "Артём", "Светлана", "Максим Л.",
           "Ирина В.", "Павел"]
REPLIES = [
    "Здравствуйте! Благодарим за отзыв. Ваше обращение передано руководителю управления, "
    "по каждому случаю проводится проверка.",
    "Добрый день! Приносим извинения за доставленные неудобства. Для записи на приём "
    "воспользуйтесь, пожалуйста, порталом Госуслуг.",
    "Спасибо за высокую оценку нашей работы! Будем рады видеть вас снова.",
    "Здравствуйте. Информация принята к сведению, с сотрудниками проведена беседа.",
]


def _yandex(out: Path, org: dict[str, Any], rng: random.Random, picker: TextPicker,
            manifest: DemoManifest) -> None:
    reviews: list[dict[str, Any]] = []
    for year in YEARS:
        spec = org["yandex"][year]
        ratings = scores_with_mean(spec["n"], spec["mean"], rng)
        for moment, rating in zip(_moments(year, spec["n"], rng), ratings, strict=True):
            entry = picker.pick(org["pool"], "yandex", rating) if rng.random() < 0.8 else None
            review: dict[str, Any] = {
                "reviewId": _word(rng, 33),
                "businessId": org["yandex_id"],
                "author": {
                    "name": rng.choice(AUTHORS),
                    "publicId": _word(rng, 26, string.ascii_lowercase + string.digits),
                    "avatarUrl": "https://avatars.mds.yandex.net/get-yapic/0/0-0/{size}",
                    "professionLevel": f"Знаток города {rng.randint(1, 9)} уровня",
                },
                "text": _text_or_none(entry) or "",
                "textLanguage": "ru",
                "rating": rating,
                "updatedTime": moment.strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{moment.microsecond // 1000:03d}Z",
                "reactions": {"likes": rng.randint(0, 12), "dislikes": rng.randint(0, 3)},
                "photos": [],
                "videos": [],
            }
            if rng.random() < (0.45 if rating <= 3 else 0.15):
                reply_at = moment + timedelta(days=rng.randint(1, 9))
                review["businessComment"] = {
                    "text": rng.choice(REPLIES[:2] if rating <= 3 else REPLIES[2:]),
                    "updatedTime": reply_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                }
            reviews.append(review)
    reviews.sort(key=lambda r: r["updatedTime"], reverse=True)
    for i in range(0, len(reviews) - 1, 7):  # by_time is not strictly monotonic
        reviews[i], reviews[i + 1] = reviews[i + 1], reviews[i]
    reachable = reviews[:MAX_REACHABLE]
    directory = out / "yandex" / org["yandex_id"]
    directory.mkdir(parents=True, exist_ok=True)
    meta = {"name": org["name"], "count": len(reviews), "slug": org["yandex_slug"]}
    (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    for page, start in enumerate(range(0, len(reachable), PAGE_SIZE), start=1):
        path = directory / f"page-{page}.html"
        path.write_text(render_page(reachable[start:start + PAGE_SIZE], page, len(reviews),
                                    org["name"]), "utf-8")
        manifest.files.append(path)
    manifest.counts["yandex"] = manifest.counts.get("yandex", 0) + len(reachable)


# --- ПОС ----------------------------------------------------------------------------------

POS_COLUMNS = [
    "Номер", "Номер ЕПГУ", "Источник", "Верхнеуровневый ЛКО", "Категория", "Подкатегория",
    "Факт", "Организация, в которую поступило сообщение",
    "Организация, в которой находится сообщение", "Дата поступления",
    "Дата планируемого завершения работ", "Дата фактического завершения работ", "Стадия",
    "Статус", "Просрочено", "Фаст-трек", "ФЗ", "Заявитель выбрал подачу по 59-ФЗ",
    "Тип решения", "Направлено по email в ФОИВ, не подключенный к ПОС",
    "Оценка ответа заявителем", "Повторное рассмотрение", "ФИО координатора",
    "ФИО исполнителя", "ФИО руководителя", "Текст сообщения", "Ответ",
]
POS_TOPICS = {
    "szn": [("Социальное обслуживание и защита", "Меры социальной поддержки", "Задержка выплат"),
            ("Социальное обслуживание и защита", "Работа органов соцзащиты", "Качество обслуживания"),
            ("Государственные и муниципальные услуги", "Порядок предоставления", "Нарушение сроков")],
    "zags": [("Государственные и муниципальные услуги", "ЗАГС", "Качество обслуживания"),
             ("Государственные и муниципальные услуги", "ЗАГС", "Запись на приём")],
    "opeka": [("Семья и дети", "Опека и попечительство", "Качество обслуживания")],
}
# Real ПОС exports often carry no message text, only ПОС's own classification: about a third of
# the demo's messages come that way, coded by their «Факт» (`nlp/lexicons/pos_categories.yaml`;
# the last one has no rule yet and shows up in the nightly summary).
TEXTLESS_SHARE = 0.35
TEXTLESS_TOPICS = [
    ("Государственные и муниципальные услуги", "Качество обслуживания", "Длительное ожидание в очереди"),
    ("Государственные и муниципальные услуги", "Качество обслуживания", "Грубость сотрудников"),
    ("Государственные и муниципальные услуги", "Порядок предоставления", "Нарушение сроков"),
    ("Государственные и муниципальные услуги", "Порядок предоставления", "Требование лишних документов"),
    ("Государственные и муниципальные услуги", "Запись на приём", "Невозможно записаться на приём"),
    ("Социальное обслуживание и защита", "Меры социальной поддержки", "Размер выплат"),
    ("Государственные и муниципальные услуги", "Качество обслуживания", "Не дозвониться по телефону"),
    ("Государственные и муниципальные услуги", "Работа МФЦ и ведомств", "Взаимодействие ведомств"),
]
POS_ANSWERS = [
    "Ваше обращение рассмотрено. Сообщаем, что выплата назначена и будет перечислена в "
    "установленный срок.",
    "По результатам проверки доводы подтвердились, специалисту объявлено замечание.",
    "Разъясняем, что порядок предоставления услуги установлен административным регламентом, "
    "размещённым на официальном сайте администрации.",
    "Запись на приём доступна через портал Госуслуг и по телефону приёмной.",
]
STAFF = ["Кабанова С.И.", "Петрова Е.А.", "Смирнов А.В.", "Орлова Н.П.", "Захарова Т.М.",
         "Волков Д.С.", "Ильина О.Г.", "Соколова М.Ю."]


def _pos(out: Path, org: dict[str, Any], year: int, rng: random.Random, picker: TextPicker,
         manifest: DemoManifest) -> None:
    path = out / "drop" / "pos" / f"pos_{org['code']}_{year}.xlsx"
    wb = _xlsx(path, manifest)
    ws = wb.active
    ws.title = "Сообщения"
    ws.append(POS_COLUMNS)
    n = org["pos"][year]
    rated = scores_with_mean(n, 3.0 if _kind(org) == "szn" else 3.8, rng)
    topics = POS_TOPICS.get(_kind(org), POS_TOPICS["opeka"])
    own = random.Random(f"demo-pos-textless-{org['code']}-{year}")
    for i, (moment, score) in enumerate(zip(_moments(year, n, rng), rated, strict=True)):
        entry = picker.pick(org["pool"], "pos", None)
        received = (moment + MSK).date()
        planned = received + timedelta(days=30)
        done = received + timedelta(days=rng.randint(3, 40)) if rng.random() < 0.9 else None
        overdue = (done is None and planned < date(year + 1, 1, 20)) or bool(done and done > planned)
        category, subcategory, fact = rng.choice(topics)
        textless = own.random() < TEXTLESS_SHARE  # a separate stream: the rest of the demo stays as it was
        if textless:
            category, subcategory, fact = own.choice(TEXTLESS_TOPICS)
        ws.append([
            f"{rng.randint(10, 99)}{year % 100}{i:05d}{rng.randint(10, 99)}",
            str(rng.randint(2_000_000_000, 3_999_999_999)) if rng.random() < 0.7 else "-",
            rng.choice(["ЕПГУ", "Виджет ПОС на сайте", "Мобильное приложение «Госуслуги. Решаем вместе»"]),
            "Администрация городского округа «Город Заречье»",
            category, subcategory, fact,
            org["name"], org["name"],
            received.strftime("%d.%m.%Y"), planned.strftime("%d.%m.%Y"),
            done.strftime("%d.%m.%Y") if done else "-",
            "Завершено" if done else "В работе",
            "Ответ направлен" if done else "На рассмотрении",
            "Да" if overdue else "Нет",
            "Нет", "-", "Нет", "Разъяснено" if done else "-", "Нет",
            str(score) if done and rng.random() < 0.65 else "-",
            "Нет", rng.choice(STAFF), rng.choice(STAFF), rng.choice(STAFF),
            "-" if textless else _text_or_none(entry) or "-",
            rng.choice(POS_ANSWERS) if done else "-",
        ])
    _widths(ws, [14, 12, 18, 30, 28, 28, 24, 40, 40, 14, 14, 14, 12, 16, 10, 8, 6, 8, 12, 8,
                 10, 10, 18, 18, 18, 80, 60])
    wb.save(path)
    manifest.counts["pos"] = manifest.counts.get("pos", 0) + n


# --- Госуслуги (Таблица 2) ----------------------------------------------------------------

def _gosuslugi(out: Path, org: dict[str, Any], year: int, rng: random.Random,
               manifest: DemoManifest) -> None:
    path = out / "drop" / "gosuslugi" / f"gosuslugi_{org['code']}_{year}.xlsx"
    wb = _xlsx(path, manifest)
    ws = wb.active
    ws.title = "Таблица 2"
    ws.append(["Таблица 2. Оценка качества оказания услуг на Едином портале госуслуг"])
    ws.append([f"{org['name']}, {year} год"])
    ws.append([])
    ws.append(["Наименование услуги", "Индекс CSI", "Количество оценок"])
    base = {"szn": 4.1, "zags": 4.6, "opeka": 4.5}.get(_kind(org), 4.3) + (0.1 if year == 2025 else 0)
    for service in org["services"][: max(3, len(org["services"]) // 2)]:
        csi = min(5.0, round(base + rng.uniform(-0.35, 0.3), 2))
        # Real exports write the index with a decimal comma, as text.
        ws.append([service, f"{csi:.2f}".replace(".", ","), rng.randint(15, 400)])
    _widths(ws, [90, 14, 18])
    wb.save(path)


# --- Surveys ------------------------------------------------------------------------------

GOOGLE_QUESTIONS = [
    "Оцените качество работы органа, в который вы обращались (от 1 до 5)",
    "Оцените сроки предоставления услуги и время ожидания в очереди (от 1 до 5)",
    "Оцените качество информации о порядке предоставления услуги: полноту, ясность, доступность (от 1 до 5)",
]


def _google_survey(out: Path, org: dict[str, Any], year: int, rng: random.Random,
                   picker: TextPicker, manifest: DemoManifest) -> None:
    """Google Forms CSV export (Russian account): `Отметка времени` first, 1–5 as strings."""
    path = out / "drop" / "survey" / f"survey_{org['code']}_{year}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    n = org["survey"][year]
    columns = [scores_with_mean(n, m, rng) for m in org["survey_means"][year]]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Отметка времени", "Какую услугу вы получали?", *GOOGLE_QUESTIONS,
                         "Ваши замечания и предложения"])
        for i, moment in enumerate(_moments(year, n, rng)):
            scores = [c[i] for c in columns]
            mean = round(sum(scores) / 3)
            entry = picker.pick(org["pool"], "survey", mean) if rng.random() < 0.3 else None
            local = moment + MSK
            writer.writerow([local.strftime("%d.%m.%Y %H:%M:%S"), rng.choice(org["services"]),
                             *map(str, scores), _text_or_none(entry) or ""])
    manifest.files.append(path)
    manifest.counts["survey"] = manifest.counts.get("survey", 0) + n


KALTAN_QUESTIONS = [
    ("Оцените по пятибалльной шкале, насколько удовлетворяет Вас место размещения учреждения, "
     "предоставляющего муниципальную услугу (условия доступа в учреждение, его местонахождение)?", "scale"),
    ("Оцените по пятибалльной шкале, насколько удовлетворяет Вас график работы учреждения, "
     "предоставляющего муниципальную услугу?", "scale"),
    ("Оцените по пятибалльной шкале насколько удовлетворяет Вас уровень комфортности оснащения "
     "помещения учреждения, в котором предоставляется услуга (места ожидания)?", "scale"),
    ("Достаточно ли столов для заполнения необходимых документов?", ["Достаточно", "Недостаточно"]),
    ("Достаточно ли канцелярских принадлежностей для заполнения необходимых документов?",
     ["Достаточно", "Недостаточно"]),
    ("Удовлетворяет ли Вас организация очереди в учреждении?", ["Удовлетворяет", "Не удовлетворяет"]),
    ("Если не удовлетворяет, то в чем причина?",
     ["Очередь не организована", "Длительное ожидание в очереди", "Недостаточно мест для ожидания"]),
    ("Удовлетворяет ли Вас уровень обслуживания со стороны работников учреждения в связи с "
     "оказанием услуги?", ["Удовлетворен", "Не удовлетворен"]),
    ("По каким причинам Вы не удовлетворены непосредственным взаимодействием с работниками "
     "учреждения?", ["Некорректное поведение", "Невнимательное отношение",
                     "Не получил ответа на интересующий вопрос"]),
    ("Приходилось ли Вам сталкиваться со следующими фактами:",
     ["Установление неофициальной очереди",
      "Требование предоставления документов, не предусмотренных законодательством"]),
    ("Оцените по пятибалльной шкале, насколько удовлетворяет Вас объем полученной информации об "
     "услуге (полнота информации, понятность изложения)?", "scale"),
    ("Укажите источники получения информации о предоставлении услуги:",
     ["Газета", "Интернет", "Знакомые", "Работники учреждения", "Информационные стенды", "Брошюры"]),
    ("Достаточно ли информации об услуге на информационных стендах?", ["Да", "Нет"]),
    ("Удовлетворяют ли Вас сроки предоставления услуги?", ["Удовлетворяют", "Не удовлетворяют"]),
    ("По каким причинам Вам приходилось повторно обращаться по одному и тому же вопросу?",
     ["Внесение дополнительной информации, документов",
      "Не успел решить все вопросы в течение рабочего дня"]),
    ("Оцените по пятибалльной шкале, насколько удовлетворяет Вас качество предоставления услуги "
     "в целом?", "scale"),
]


def _kaltan_survey(out: Path, org: dict[str, Any], year: int, rng: random.Random,
                   picker: TextPicker, manifest: DemoManifest) -> None:
    """Yandex Forms XLSX export of the Kaltan 15-question questionnaire (seeds/002)."""
    path = out / "drop" / "survey" / f"anketa_{org['code']}_{year}.xlsx"
    wb = _xlsx(path, manifest)
    ws = wb.active
    ws.title = "Ответы"
    ws.append(["ID", "Время создания", *[q for q, _ in KALTAN_QUESTIONS], "Другое / комментарий"])
    n = org["survey"][year]
    means = org["survey_means"][year]
    scale_means = [means[0] - 0.1, means[1], means[0] - 0.2, means[2], means[0]]
    scale_cols = iter([scores_with_mean(n, m, rng) for m in scale_means])
    columns: list[list[Any]] = []
    for _question, kind in KALTAN_QUESTIONS:
        if kind == "scale":
            columns.append(next(scale_cols))
        else:
            columns.append([None] * n)
    for i, moment in enumerate(_moments(year, n, rng)):
        row: list[Any] = [100000 + year * 1000 + i, (moment + MSK).strftime("%Y-%m-%d %H:%M:%S")]
        for (_question, kind), column in zip(KALTAN_QUESTIONS, columns, strict=True):
            if kind == "scale":
                row.append(column[i])
            else:
                options = list(kind)
                good = rng.random() < 0.85
                if len(options) == 2:
                    row.append(options[0] if good else options[1])
                else:
                    row.append("" if good else ", ".join(rng.sample(options, rng.randint(1, 2))))
        entry = picker.pick(org["pool"], "survey", round(sum(columns[-1][i:i + 1]) or 5)) \
            if rng.random() < 0.3 else None
        row.append(_text_or_none(entry) or "")
        ws.append(row)
    wb.save(path)
    manifest.counts["survey"] = manifest.counts.get("survey", 0) + n


# --- Rating terminal ----------------------------------------------------------------------

TERMINAL_GRADES = ("Хорошо", "Средне", "Плохо")
TERMINAL_UNITS = {
    "szn": ("Департамент социальной защиты", ["Отдел назначения пособий", "Отдел льгот и компенсаций",
                                              "Отдел по работе с многодетными семьями"]),
    "zags": ("Управление ЗАГС", ["Отдел регистрации рождения и смерти", "Отдел регистрации брака",
                                 "Архивный отдел ЗАГС"]),
    "opeka": ("Отдел опеки", ["Сектор опеки несовершеннолетних", "Сектор опеки совершеннолетних"]),
}
TERMINAL_STAFF = ["Кабанова Светлана Ивановна", "Петрова Елена Александровна",
                  "Смирнов Алексей Викторович", "Орлова Наталья Петровна", "Захарова Татьяна Михайловна",
                  "Волков Денис Сергеевич", "Ильина Ольга Геннадьевна"]


def _terminal(out: Path, org: dict[str, Any], year: int, rng: random.Random, picker: TextPicker,
              manifest: DemoManifest) -> None:
    """A cp1251 `;`-separated log as a desk tablet system exports it for Excel."""
    path = out / "drop" / "terminal" / f"terminal_{org['code']}_{year}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    n = org["terminal"][year]
    department, units = TERMINAL_UNITS[_kind(org)]
    staff = rng.sample(TERMINAL_STAFF, 4)
    with path.open("w", encoding="cp1251", errors="replace", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Дата", "Время", "Департамент", "Отдел", "Сотрудник", "Услуга", "Оценка",
                         "Комментарий"])
        for moment in _moments(year, n, rng):
            grade = rng.choices(TERMINAL_GRADES, weights=org["terminal_shares"][year])[0]
            rating = {"Хорошо": 5, "Средне": 3, "Плохо": 1}[grade]
            commented = grade != "Хорошо" and rng.random() < 0.35
            entry = picker.pick(org["pool"], "terminal", rating) if commented else None
            local = moment + MSK
            writer.writerow([local.strftime("%d.%m.%Y"), local.strftime("%H:%M"), department,
                             rng.choice(units), rng.choice(staff), rng.choice(org["services"]),
                             grade, _text_or_none(entry) or ""])
    manifest.files.append(path)
    manifest.counts["terminal"] = manifest.counts.get("terminal", 0) + n


# A week of queues at one office: the spike and the «Плохо» the nightly run must raise.
RECENT_COMMENTS = [
    ("Плохо", "Очередь два часа, работало одно окно из четырёх."),
    ("Плохо", "Простояла в очереди полтора часа, талоны закончились к десяти утра."),
    ("Средне", "Очень долго ждали в очереди, электронная очередь не работает."),
    ("Плохо", "Огромная очередь, люди стоят на улице, ожидание больше часа."),
    ("Средне", "Опять очередь, ждал приёма почти два часа."),
    ("Хорошо", ""),
    ("Хорошо", "Спасибо, всё быстро оформили."),
    ("Хорошо", ""),
]


def _recent_week(out: Path, org: dict[str, Any], today: date, rng: random.Random,
                 manifest: DemoManifest) -> None:
    """The terminal log of the last five working days before `today`, in the same layout."""
    path = out / "drop" / "terminal" / f"terminal_{org['code']}_recent.csv"
    department, units = TERMINAL_UNITS[_kind(org)]
    with path.open("w", encoding="cp1251", errors="replace", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Дата", "Время", "Департамент", "Отдел", "Сотрудник", "Услуга", "Оценка",
                         "Комментарий"])
        for i, (grade, comment) in enumerate(RECENT_COMMENTS):
            day = today - timedelta(days=1 + i % 5)
            writer.writerow([day.strftime("%d.%m.%Y"), f"{9 + i}:{rng.randrange(60):02d}", department,
                             units[0], rng.choice(TERMINAL_STAFF), rng.choice(org["services"]), grade,
                             comment])
    manifest.files.append(path)
    manifest.counts["terminal"] = manifest.counts.get("terminal", 0) + len(RECENT_COMMENTS)


# --- «Ваш контроль» -----------------------------------------------------------------------

VK_CRITERIA = [
    "Время предоставления услуги", "Время ожидания в очереди",
    "Вежливость и компетентность сотрудника", "Комфортность условий в помещении",
    "Доступность информации о порядке предоставления услуги",
]
VK_GRADES = ["Очень плохо", "Плохо", "Нормально", "Хорошо", "Отлично"]


def _vashkontrol(out: Path, org: dict[str, Any], year: int, rng: random.Random,
                 picker: TextPicker, manifest: DemoManifest) -> None:
    path = out / "drop" / "vashkontrol" / f"vashkontrol_{org['code']}_{year}.xlsx"
    wb = _xlsx(path, manifest)
    ws = wb.active
    ws.title = "Оценки"
    ws.append(["Номер оценки", "Дата оценки", "Ведомство", "Услуга", *VK_CRITERIA, "Комментарий"])
    n = org["vashkontrol"][year]
    base = org["survey_means"][year][0] - 0.15
    columns = [scores_with_mean(n, base + d, rng) for d in (0.0, -0.25, 0.05, -0.1, 0.0)]
    for i, moment in enumerate(_moments(year, n, rng)):
        scores = [c[i] for c in columns]
        entry = picker.pick(org["pool"], "vashkontrol", round(sum(scores) / 5)) \
            if rng.random() < 0.4 else None
        ws.append([f"VK-{year}-{org['code'].upper()}-{i:05d}", (moment + MSK).replace(tzinfo=None),
                   org["name"], rng.choice(org["services"]),
                   *[VK_GRADES[s - 1] for s in scores], _text_or_none(entry)])
        ws.cell(ws.max_row, 2).number_format = "DD.MM.YYYY HH:MM"
    wb.save(path)
    manifest.counts["vashkontrol"] = manifest.counts.get("vashkontrol", 0) + n


# --- Practice workbook (Таблицы 3, 3.1, 5) ------------------------------------------------

def _yes(rng: random.Random, value: bool) -> str:
    return rng.choice(["да", "Да", "ДА"]) if value else rng.choice(["нет", "Нет"])


def _practice(out: Path, region: dict[str, Any], org: dict[str, Any], year: int,
              rng: random.Random, manifest: DemoManifest) -> None:
    path = out / "practice" / f"practice_{org['code']}_{year}.xlsx"
    wb = _xlsx(path, manifest)
    mfc = region["region"]["mfc"]
    services = org["services"]
    total = org["requests"][year]
    weights = [rng.uniform(0.3, 3.0) for _ in services]
    requests = [max(1, int(total * w / sum(weights))) for w in weights]
    requests[0] += total - sum(requests)
    rows = []
    for i, (service, req) in enumerate(zip(services, requests, strict=True)):
        electronic = i % 3 != 2
        in_mfc = i % 4 != 3
        late = int(req * rng.uniform(0.0, 0.03 if year == 2025 else 0.05))
        refusals = int(req * rng.uniform(0.0, 0.04))
        via_epgu = int(req * rng.uniform(0.25, 0.55)) if electronic else 0
        via_mfc = int(req * rng.uniform(0.1, 0.3)) if in_mfc else 0
        rows.append({
            "service": service, "staff": rng.randint(1, 6), "requests": req,
            "on_time": req - late - refusals, "late": late, "refusals": refusals,
            "prebooking": not electronic or rng.random() < 0.6,
            "complaints": rng.randint(0, 3) if req > 100 else 0,
            "electronic": electronic, "via_epgu": via_epgu, "mfc": in_mfc, "via_mfc": via_mfc,
        })
    _table3(wb.active, org, year, mfc, rows, rng)
    _table31(wb.create_sheet("Таблица 3.1"), org, year, rows, rng)
    _table5(wb.create_sheet("Таблица 5"), org, year, rows, rng)
    wb.save(path)


def _table3(ws: Any, org: dict[str, Any], year: int, mfc: str, rows: list[dict[str, Any]],
            rng: random.Random) -> None:
    ws.title = "Таблица 3"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws["A1"] = "Таблица 3. Анализ объема запросов, поступивших на предоставление муниципальных услуг"
    ws["A1"].font = bold
    ws.merge_cells("A1:M1")
    ws["A2"] = f"{org['name']} за {year} год"
    ws.merge_cells("A2:M2")
    headers = [
        "№ п/п", "Наименование муниципальной услуги",
        "Количество муниципальных служащих, участвующих в предоставлении услуги",
        "Количество запросов на предоставление услуги ",
        "Результат работы с запросами на предоставление услуги", None, None,
        "Наличие возможности предварительной записи (да/нет)",
        "Количество поступивших жалоб на предоставление муниципальных услуг",
        "Перевод услуги в электронный вид (да/нет)",
        "Количество заявлений на предоставление услуги, поступивших через Единый портал "
        "государственных услуг",
        f"Предоставление услуги через {mfc} (да/нет)",
        f"Количество заявлений на предоставление услуги, поступивших через {mfc}",
    ]
    for col, text in enumerate(headers, start=1):
        if text:
            ws.cell(4, col, text).alignment = wrap
    for col, text in enumerate(["Рассмотрено в установленные сроки", "Рассмотрено с нарушением сроков",
                                "Количество отказов в приеме документов или в предоставлении услуги"],
                               start=5):
        ws.cell(5, col, text).alignment = wrap
    ws.merge_cells("E4:G4")
    for col in (1, 2, 3, 4, 8, 9, 10, 11, 12, 13):
        letter = get_column_letter(col)
        ws.merge_cells(f"{letter}4:{letter}5")
    for col in range(1, 14):
        ws.cell(6, col, col)
    r = 7
    for i, row in enumerate(rows, start=1):
        if i == len(rows) // 2 + 1:
            r += 1  # a blank row left in the middle, as people do
        as_text = rng.random() < 0.3  # numbers typed as text
        num = (lambda v: str(v)) if as_text else (lambda v: v)
        values = [i, row["service"], row["staff"], num(row["requests"]), num(row["on_time"]),
                  row["late"], row["refusals"], _yes(rng, row["prebooking"]), row["complaints"],
                  _yes(rng, row["electronic"]), num(row["via_epgu"]), _yes(rng, row["mfc"]),
                  row["via_mfc"]]
        for col, value in enumerate(values, start=1):
            ws.cell(r, col, value)
        r += 1
    total = ["Итого", None, sum(x["staff"] for x in rows), sum(x["requests"] for x in rows),
             sum(x["on_time"] for x in rows), sum(x["late"] for x in rows),
             sum(x["refusals"] for x in rows), None, sum(x["complaints"] for x in rows), None,
             sum(x["via_epgu"] for x in rows), None, sum(x["via_mfc"] for x in rows)]
    for col, value in enumerate(total, start=1):
        ws.cell(r, col, value).font = bold
    _widths(ws, [6, 60, 14, 12, 12, 12, 12, 14, 12, 12, 14, 14, 14])


SUMMARY_LABELS = [
    ("services", "Количество оказываемых муниципальных услуг:"),
    ("electronic_services", "Количество услуг, переведенных в электронный вид"),
    ("mfc_services", "Количество услуг, переданных для предоставления в МФЦ"),
    ("prebooking_services", "Количество муниципальных услуг с возможностью организации "
                            "предварительной записи на подачу документов"),
    ("staff", "Количество муниципальных служащих, оказывающих услуги"),
    ("requests", "Количество заявлений, поступивших на предоставление муниципальных услуг за {year} год :"),
    ("via_epgu", "Количество электронных заявлений, поступивших через Единый портал "
                 "государственных и муниципальных услуг"),
    ("via_mfc", "Количество заявлений, поступивших через многофункциональный центр предоставления "
                "государственных и муниципальных услуг"),
    ("on_time", "Количество заявлений, рассмотренных в установленный срок"),
    ("complaints", "Количество жалоб, поступивших на предоставление муниципальных услуг"),
    ("regulations", "Количество утвержденных административных регламентов предоставления услуг"),
]


def _table31(ws: Any, org: dict[str, Any], year: int, rows: list[dict[str, Any]],
             rng: random.Random) -> None:
    ws["A1"] = "Таблица 3.1. Общая информация о предоставлении услуг в Администрации, органе Администрации"
    ws["A1"].font = Font(bold=True)
    ws["A2"] = org["name"]
    regulations = len(rows) - (1 if len(rows) > 6 else 0)
    values = {
        "services": len(rows),
        "electronic_services": sum(r["electronic"] for r in rows),
        "mfc_services": sum(r["mfc"] for r in rows),
        "prebooking_services": sum(r["prebooking"] for r in rows),
        "staff": sum(r["staff"] for r in rows),
        "requests": sum(r["requests"] for r in rows),
        "via_epgu": sum(r["via_epgu"] for r in rows),
        "via_mfc": sum(r["via_mfc"] for r in rows),
        "on_time": sum(r["on_time"] for r in rows),
        "complaints": sum(r["complaints"] for r in rows),
        "regulations": regulations,
    }
    for i, (key, label) in enumerate(SUMMARY_LABELS, start=4):
        ws.cell(i, 1, label.format(year=year))
        ws.cell(i, 2, str(values[key]) if rng.random() < 0.3 else values[key])
    _widths(ws, [90, 14])


def _table5(ws: Any, org: dict[str, Any], year: int, rows: list[dict[str, Any]],
            rng: random.Random) -> None:
    wrap = Alignment(wrap_text=True, vertical="center")
    ws["A1"] = "Таблица 5. Определение коэффициента качества работы с административными регламентами"
    ws["A1"].font = Font(bold=True)
    ws.merge_cells("A1:E1")
    ws.cell(3, 1, "Наименование муниципальной услуги").alignment = wrap
    ws.cell(3, 2, "Соответствие административного регламента требованиям законодательства РФ")
    ws.cell(3, 2).alignment = wrap
    ws.cell(3, 4, "Своевременное внесение изменений в административный регламент").alignment = wrap
    ws.cell(3, 5, "Коэффициент качества работы с административными регламентами").alignment = wrap
    ws.cell(4, 2, "Соответствие административного регламента Федеральному закону от 27.07.2010 "
                  "№ 210-ФЗ «Об организации предоставления государственных и муниципальных услуг»")
    ws.cell(4, 3, "Соответствие административного регламента иным нормативным правовым актам, "
                  "регулирующим порядок предоставления муниципальной услуги")
    ws.merge_cells("B3:C3")
    for letter in "ADE":
        ws.merge_cells(f"{letter}3:{letter}4")
    coefficients = []
    for i, row in enumerate(rows, start=5):
        law_210 = 1 if rng.random() < 0.92 else 0
        law_other = 1 if rng.random() < (0.85 if year == 2024 else 0.9) else 0
        timely = rng.choices([1, 0.5, 0], weights=[0.75, 0.2, 0.05])[0]
        coefficient = ((1 if law_210 and law_other else 0) + timely) / 2 * 100
        coefficients.append(coefficient)
        ws.cell(i, 1, row["service"])
        ws.cell(i, 2, law_210)
        ws.cell(i, 3, law_other)
        ws.cell(i, 4, str(timely).replace(".", ",") if timely == 0.5 else timely)
        ws.cell(i, 5, coefficient)
    ws.cell(5 + len(rows), 1, "Итог:").font = Font(bold=True)
    ws.cell(5 + len(rows), 5, round(sum(coefficients) / len(coefficients), 2))
    _widths(ws, [60, 30, 30, 24, 24])


# --- Config -------------------------------------------------------------------------------

def _config(out: Path, region: dict[str, Any], manifest: DemoManifest) -> None:
    lines = [
        "# Demo region of painmap: every path is relative to this file.",
        "drop_dir = \"drop\"",
        "",
        "[region]",
        f"name = \"{region['region']['name'].replace(chr(34), chr(92) + chr(34))}\"",
        "timezone = \"Europe/Moscow\"",
        "",
        "[schedule]",
        "cron = \"0 2 * * *\"",
        "timezone = \"Europe/Moscow\"",
        "",
        "[nlp]",
        "ner = true",
        "batch_size = 512",
        "# the nightly run retrains on analysts' labels once this many new ones exist, and keeps",
        "# the new model (in models_dir) only if it does not lose on the validation set",
        "retrain_min_labels = 50",
        "models_dir = \"models\"",
        "",
        "[alerts]",
        "# item signals look at the last lookback_days; a spike compares the last recent_days",
        "# with the baseline_days before them (one-sided Poisson test at spike_alpha)",
        "lookback_days = 7",
        "spike_min_count = 3",
        "spike_alpha = 0.001",
        "",
        "[alerts.sla_hours]",
        "bad_rating = 24",
        "spike = 72",
        "new_pain = 72",
        "",
        "[notify]",
        "# no SMTP in the demo: every message is written to the outbox folder as an .eml file;",
        "# set smtp_host (login and password in PAINMAP_SMTP_USER / PAINMAP_SMTP_PASSWORD) to send",
        "outbox = \"outbox\"",
        "base_url = \"http://127.0.0.1:8000\"",
        "",
        "[[notify.recipients]]",
        "name = \"Отдел мониторинга качества услуг\"",
        "email = \"monitoring@example.ru\"",
        "",
        "[replay]",
        "# The package's loopback server replays the recorded Yandex pages of the demo;",
        "# sources with base_url = \"replay\" are crawled from it.",
        "dir = \"yandex\"",
    ]
    for org in region["organisations"]:
        code = org["code"]
        if org.get("responsible"):
            lines += ["", "[[notify.recipients]]", f"name = \"{org['responsible']}\"",
                      f"email = \"{code}@example.ru\"", f"orgs = [\"{code}\"]"]
    for org in region["organisations"]:
        code = org["code"]
        lines += ["", "[[organisations]]", f"code = \"{code}\"", f"name = \"{org['name']}\"",
                  f"responsible = \"{org.get('responsible', 'руководитель органа')}\"", "services = ["]
        lines += [f"  {json.dumps(s, ensure_ascii=False)}," for s in org["services"]]
        lines += ["]"]
        lines += ["", "[organisations.practice]"]
        lines += [f"\"{year}\" = \"practice/practice_{code}_{year}.xlsx\"" for year in YEARS]
        lines += ["", "[[organisations.sources]]", "name = \"yandex\"", "kind = \"yandex\"",
                  f"external_id = \"{org['yandex_id']}\"", f"slug = \"{org['yandex_slug']}\"",
                  "base_url = \"replay\"", "max_pages = 12"]
        file_sources = [("pos", "pos", f"drop/pos/pos_{code}_*.xlsx")]
        file_sources.append(("gosuslugi", "gosuslugi", f"drop/gosuslugi/gosuslugi_{code}_*.xlsx"))
        if org.get("kaltan_survey"):
            file_sources.append(("survey", "survey", f"drop/survey/anketa_{code}_*.xlsx"))
        else:
            file_sources.append(("survey", "survey", f"drop/survey/survey_{code}_*.csv"))
        file_sources += [("terminal", "terminal", f"drop/terminal/terminal_{code}_*.csv"),
                         ("vashkontrol", "vashkontrol", f"drop/vashkontrol/vashkontrol_{code}_*.xlsx")]
        for name, kind, pattern in file_sources:
            if not org.get(kind if kind != "gosuslugi" else "survey"):
                continue
            lines += ["", "[[organisations.sources]]", f"name = \"{name}\"", f"kind = \"{kind}\"",
                      f"path = \"{pattern}\""]
            if kind == "survey":
                lines.append(f"form = \"{'kaltan' if org.get('kaltan_survey') else 'kaluga'}\"")
    manifest.config.write_text("\n".join(lines) + "\n", "utf-8")
    manifest.files.append(manifest.config)


def fingerprint(manifest: DemoManifest) -> str:
    """A hash of every file written: equal for two builds with the same seed."""
    digest = hashlib.sha256()
    for path in sorted(manifest.files):
        if path.suffix != ".xlsx":  # xlsx zips carry write times
            digest.update(path.read_bytes())
    return digest.hexdigest()
