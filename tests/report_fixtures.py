"""A small region in the store for the report tests, built row by row so that every number
of the report can be predicted: three offices — «zags» monitored with every channel and
practice data for 2024 and 2025, «szn» monitored on feedback only (no practice data), and
«arch» with fewer than 50 requests (not monitored, п. 4.4).

Raw texts carry a citizen's name and phone; their masked versions carry placeholders. The
report may show only the masked ones.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from practice_fixtures import REGULATIONS, SERVICES, Reg, Svc, template_workbook
from sqlmodel import Session

from ingest.practice import read_practice
from ingest.practice.store import store_practice
from models.db import session_scope
from models.painmap import PainRow, pain_map
from models.repo import ensure_organisation, ensure_service, ensure_source
from models.tables import Classification, EmployeeMention, Feedback, utcnow
from reports.build import Built, build_report
from service.scores import OrgScores, organisation_scores
from vocabulary.periods import parse_period

REGION = "Администрация городского округа «Город Тестов»"
RAW_NAME = "Иванова Мария Петровна"
RAW_PHONE = "+7 912 345-67-89"
RUDE_RAW = f"Сотрудница {RAW_NAME} нахамила мне у окна, мой телефон {RAW_PHONE}, перезвоните."
RUDE_MASKED = "Сотрудница [ФИО] нахамила мне у окна, мой телефон [ТЕЛЕФОН], перезвоните."
QUEUE_BEST = "Очередь на подачу заявления — три часа в душном коридоре, окно работало одно."
QUEUE_PRAISE = "Очереди совсем не было, приняли сразу, спасибо за быструю работу."
PHONE_CLEARED = "Звонила в ЗАГС узнать про справку, всё объяснили по телефону вежливо."
BOOKING = "Терминал электронной очереди не выдаёт талоны уже неделю, все стоят в общей толпе."
SZN_PHONE = "Дозвониться в соцзащиту невозможно: никто не берёт трубку целыми днями."
ORGS = {
    "zags": "Управление ЗАГС города Тестов",
    "szn": "Управление социальной защиты населения города Тестов",
    "arch": "Архивный отдел города Тестов",
}
# 2024 practice of ЗАГС: more requests handled late than in 2025, so Кпр rises in 2025.
SERVICES_2024 = [SERVICES[0], replace(SERVICES[1], on_time=2400, late=550), *SERVICES[2:]]
ARCHIVE_SERVICES = [
    Svc("Выдача архивных справок", 1, 20, 20, 0, 0, True, 0, True, 5, True, 3),
    Svc("Предоставление доступа к архивным документам", 1, 10, 9, 1, 0, False, 0, False, 0, False, 0),
]
ARCHIVE_REGULATIONS = [Reg(s.name, 1, 1, 1) for s in ARCHIVE_SERVICES]
GOSUSLUGI_2025 = [(SERVICES[0].name, 4.5, 40), (SERVICES[1].name, 4.0, 10)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Writer:
    """Adds feedback items with unique external ids and optional model/analyst labels."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.n = 0

    def item(self, source_id: int, when: str, *, rating: float | None = None, text: str | None = None,
             masked: str | None = None, categories: dict[str, float] | None = None,
             polarity: str | None = None, criteria: dict[str, float] | None = None,
             extra: dict[str, Any] | None = None, service_id: int | None = None,
             analyst: list[str] | None = None) -> Feedback:
        self.n += 1
        fb = Feedback(source_id=source_id, external_id=f"r{self.n}", content_hash=f"h{self.n}",
                      published_at=at(when), rating=rating, text=text,
                      text_masked=masked if masked is not None else text, criteria=criteria or {},
                      extra=extra or {}, service_id=service_id, polarity=polarity,
                      scores=dict(categories or {}), classified_hash=f"h{self.n}")
        if analyst is not None:
            fb.analyst_labeled_at = utcnow()
        self.session.add(fb)
        self.session.flush()
        assert fb.id is not None
        for category, probability in (categories or {}).items():
            self.session.add(Classification(feedback_id=fb.id, category=category, probability=probability,
                                            origin="model", model_version="test"))
        for category in analyst or []:
            self.session.add(Classification(feedback_id=fb.id, category=category, origin="analyst"))
        self.session.flush()
        return fb


def _practice(session: Session, org: Any, period: str, path: Path, **kwargs: Any) -> None:
    store_practice(session, org, period, read_practice(template_workbook(path, **kwargs)))


THANKED = "Петрова Анна Сергеевна"  # a name a citizen thanks: only the admin edition prints it


def populate(session: Session, tmp_path: Path) -> None:
    w = Writer(session)
    zags, _ = ensure_organisation(session, "zags", ORGS["zags"])
    for svc in SERVICES:
        ensure_service(session, zags, svc.name)
    src = {kind: ensure_source(session, zags, kind).id for kind in
           ("yandex", "pos", "survey", "gosuslugi", "terminal")}
    # Yandex 2025: mean 2.8 → Куд 56 %; 10 texts: queue ×5 (one is praise), booking ×2, rudeness ×1,
    # phone ×1 cleared by an analyst, one without a pain.
    y = src["yandex"]
    w.item(y, "2025-02-03T09:00", rating=1, text=QUEUE_BEST, categories={"queue": 0.97}, polarity="negative")
    w.item(y, "2025-03-04T09:00", rating=2, text="Стояли в очереди полдня, народу очень много, ждать "
           "пришлось бесконечно долго.", categories={"queue": 0.81}, polarity="negative")
    w.item(y, "2025-04-05T09:00", rating=2, text="Очередь огромная.", categories={"queue": 0.99},
           polarity="negative")
    w.item(y, "2025-05-06T09:00", rating=3, text="Долгое ожидание в очереди, хотя пришла по записи к "
           "назначенному времени и всё равно ждала час.", categories={"queue": 0.74, "booking": 0.55},
           polarity="negative")
    praise = w.item(y, "2025-06-07T09:00", rating=5, text=QUEUE_PRAISE, categories={"queue": 0.9},
                    polarity="positive")
    session.add(EmployeeMention(feedback_id=praise.id, name=THANKED, polarity="positive",  # type: ignore[arg-type]
                                sentence=QUEUE_PRAISE))
    w.item(y, "2025-07-08T09:00", rating=2, text=BOOKING, categories={"booking": 0.93}, polarity="negative")
    w.item(y, "2025-08-09T09:00", rating=1, text=RUDE_RAW, masked=RUDE_MASKED, categories={"rudeness": 0.88},
           polarity="negative")
    w.item(y, "2025-09-10T09:00", rating=4, text=PHONE_CLEARED, categories={"phone": 0.95},
           polarity="positive", analyst=[])
    w.item(y, "2025-10-11T09:00", rating=4, text="Нормально, без особых впечатлений.", polarity="neutral")
    w.item(y, "2025-11-12T09:00", rating=4)
    # Yandex 2024: mean 3.4 → 68 %; one queue complaint of 5 texts.
    for i, stars in enumerate([3, 3, 4, 4, 3]):
        w.item(y, f"2024-0{i + 2}-10T09:00", rating=stars, text=f"Отзыв 2024 года номер {i + 1}, всё обычно.",
               categories={"queue": 0.8} if i == 0 else None, polarity="negative" if i == 0 else "neutral")
    for stars in (5, 4, None):
        w.item(src["pos"], "2025-05-20T10:00", rating=stars)
    for answers in ({"quality": 5, "time": 4, "information": 4}, {"quality": 4, "time": 3, "information": 5}):
        w.item(src["survey"], "2025-06-15T10:00", rating=4.3, criteria=answers)
    for name, csi, count in GOSUSLUGI_2025:
        service = ensure_service(session, zags, name)
        w.item(src["gosuslugi"], "2025-01-01T00:00", rating=csi, service_id=service.id,
               extra={"ratings_count": count, "period": "2025"})
    for stars in (5, 5, 3, 1):
        w.item(src["terminal"], "2025-09-01T12:00", rating=stars)
    _practice(session, zags, "2025", tmp_path / "zags_2025.xlsx")
    _practice(session, zags, "2024", tmp_path / "zags_2024.xlsx", services=SERVICES_2024,
              regulations=REGULATIONS)

    szn, _ = ensure_organisation(session, "szn", ORGS["szn"])
    s = ensure_source(session, szn, "yandex").id
    for stars in (1, 2, 2):
        w.item(s, "2025-04-01T10:00", rating=stars, text=SZN_PHONE + f" Уже {stars + 2} дня пытаюсь.",
               categories={"phone": 0.96}, polarity="negative")

    arch, _ = ensure_organisation(session, "arch", ORGS["arch"])
    w.item(ensure_source(session, arch, "yandex").id, "2025-03-03T10:00", rating=5,
           text="Быстро выдали архивную справку.", polarity="positive")
    _practice(session, arch, "2025", tmp_path / "arch_2025.xlsx", services=ARCHIVE_SERVICES,
              regulations=ARCHIVE_REGULATIONS, approved=2)


# --- the report built once per test module ---------------------------------------------------

PERIOD = "2025"


@dataclass
class BuiltReport:
    """The documents of the fixture region and, independently, what scoring says about it."""

    root: Path
    built: Built
    scores: dict[str, OrgScores]
    pains: dict[str, PainRow]
    doc: Any  # docx.Document
    book: Any  # openpyxl.Workbook

    def text(self) -> str:
        return docx_text(self.doc)


def reset_store_caches() -> None:
    from models.db import dispose_engines
    from models.settings import get_settings

    dispose_engines()
    get_settings.cache_clear()


def expected(url: str | None = None, org: str | None = None,
             period: str = PERIOD) -> tuple[dict[str, OrgScores], dict[str, PainRow]]:
    """Scores and pain map straight from the scoring and pain-map modules."""
    chosen = parse_period(period)
    with session_scope(url) as session:
        scores = {o.code: o for o in organisation_scores(session, chosen, org)}
        start, end = chosen.utc_bounds("Europe/Moscow")
        pains = {r.org: r for r in pain_map(session, start, end,
                                            previous=chosen.previous().utc_bounds("Europe/Moscow"), org=org)}
    return scores, pains


def build_fixture_report(root: Path) -> BuiltReport:
    """Populate a fresh store (the current PAINMAP_DATABASE_URL) and build the report."""
    from models.migrate import upgrade

    upgrade()
    with session_scope() as session:
        populate(session, root)
    built = build_report(parse_period(PERIOD), root / "report.docx", root / "report.xlsx", region=REGION)
    scores, pains = expected()
    return BuiltReport(root, built, scores, pains, Document(str(built.docx)), load_workbook(built.xlsx))


@pytest.fixture(scope="module")
def built_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltReport]:
    """The fixture region's report on SQLite, built once per module (building takes seconds)."""
    root = tmp_path_factory.mktemp("report")
    patch = pytest.MonkeyPatch()
    patch.setenv("PAINMAP_DATABASE_URL", f"sqlite:///{root / 'painmap.db'}")
    reset_store_caches()
    try:
        yield build_fixture_report(root)
    finally:
        patch.undo()
        reset_store_caches()


# --- reading the documents -------------------------------------------------------------------

def docx_text(doc: Any) -> str:
    """Every paragraph and every table cell, in document order."""
    parts = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
        elif tag == "tbl":
            for t in block.iter(qn("w:t")):
                parts.append(t.text or "")
    return "\n".join(parts)


def headings(doc: Any, level: int = 1) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def table_rows(table: Any) -> list[list[str]]:
    """Cell texts per row, merged cells repeated as python-docx reports them."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def find_tables(doc: Any, *header: str) -> list[list[list[str]]]:
    """The tables whose first row starts with the given header texts."""
    out = []
    for table in doc.tables:
        rows = table_rows(table)
        if rows and rows[0][:len(header)] == list(header):
            out.append(rows)
    return out


def section(text: str, start: str, end: str | None) -> str:
    """The text between the heading that starts with `start` and the next one named `end`."""
    begin = text.index("\n" + start)
    stop = text.index("\n" + end, begin + 1) if end else len(text)
    return text[begin:stop]


def archive_strings(path: Path) -> str:
    """All XML of a DOCX/XLSX package as one string (to look for leaked personal data)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist()
                         if name.endswith(".xml"))
