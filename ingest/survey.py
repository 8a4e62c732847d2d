"""Municipal surveys: Google Forms and Yandex Forms exports (CSV or XLSX).

A form says which column is which: the built-in question sets live in `ingest/forms/*.yaml`
(`kaluga` — the three criteria of Таблица 1; `kaltan` — the 15-question questionnaire of
seeds/002), a form YAML of the same shape can be given by path, and any other form is
described by a column mapping in the source's config:

    [organisations.sources.mapping]
    timestamp = "Дата заполнения"           # required
    service = "Какую услугу получали"       # optional: id, service, comment
    comment = "Ваши пожелания"
    quality = "Оцените работу специалиста"  # Таблица 1 criteria: quality, time, information;
    time = ["Оцените сроки", "Оцените ожидание"]  # several questions → their mean

With no form given, the built-in form whose questions match the header best is used.

Each response becomes one record: `criteria` holds the Таблица 1 scores (`quality`,
`time`, `information`), `rating` their mean (for display), `text` the free comment (it
goes to NLP like a review), `extra["answers"]` every answer keyed by question number (by
header text for mapped forms), `extra["form"]` the form's name. A response with a score
outside 1–5 or without a timestamp is quarantined with the question named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.files import (
    Column,
    Located,
    Row,
    file_error,
    locate,
    match_columns,
    norm,
    text_value,
)
from ingest.rows import (
    SCALE_WORDS,
    Outcome,
    ParseOptions,
    Services,
    given_or_hashed,
    mean,
    moment_of,
    outcomes,
    score_value,
)
from vocabulary.errors import UserError

FORMS_DIR = Path(__file__).with_name("forms")
BUILTIN_FORMS = ("kaluga", "kaltan")
SURVEY_CRITERIA = ("quality", "time", "information")
META = ("timestamp", "id", "service", "comment")
QUESTION_TYPES = ("scale", "choice", "multi", "text")


@dataclass(frozen=True)
class Question:
    number: str
    type: str
    text: str
    names: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    @property
    def column(self) -> Column:
        return Column(f"q:{self.number}", self.names, self.contains)


@dataclass(frozen=True)
class Form:
    """A question set: how to find each column and which questions feed which criterion."""

    name: str
    title: str
    meta: dict[str, Column]
    questions: tuple[Question, ...]
    criteria: dict[str, tuple[str, ...]]
    keep_other_columns: bool = False  # mapped forms keep unmapped columns as answers
    by_number: dict[str, Question] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_number.update({q.number: q for q in self.questions})

    def columns(self) -> list[Column]:
        """Questions first (their phrases are the most specific), then the service/comment."""
        return [*(q.column for q in self.questions), *self.meta.values()]


# --- loading forms ----------------------------------------------------------------------------

def load_form(spec: str | Path, origin: str | None = None) -> Form:
    """A built-in form by name or a form YAML by path."""
    text = str(spec)
    if text in BUILTIN_FORMS:
        return _builtin(text)
    path = Path(text)
    if path.suffix.lower() not in {".yaml", ".yml"}:
        raise UserError(f"неизвестная анкета «{spec}»: укажите {', '.join(BUILTIN_FORMS)} или путь к файлу "
                        "анкеты .yaml")
    if not path.is_file():
        raise UserError(f"файл анкеты {path} не найден")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise UserError(f"файл анкеты {path}: ошибка YAML: {exc}") from None
    return form_from_data(data, origin or str(path))


@cache
def _builtin(name: str) -> Form:
    data = yaml.safe_load((FORMS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return form_from_data(data, f"встроенная анкета {name}")


def form_from_data(data: Any, origin: str) -> Form:
    """Validate a form description, with errors naming where it came from."""
    if not isinstance(data, Mapping):
        raise UserError(f"{origin}: описание анкеты должно быть словарём")
    meta = {key: _column(key, (data.get("columns") or {}).get(key), origin) for key in META}
    if not meta["timestamp"].names and not meta["timestamp"].contains:
        raise UserError(f"{origin}: не указан столбец времени заполнения (columns.timestamp)")
    questions = tuple(_question(q, origin) for q in data.get("questions") or [])
    numbers = {q.number for q in questions}
    criteria: dict[str, tuple[str, ...]] = {}
    for key, refs in (data.get("criteria") or {}).items():
        if key not in SURVEY_CRITERIA:
            raise UserError(f"{origin}: неизвестный критерий «{key}»; допустимы {', '.join(SURVEY_CRITERIA)}")
        refs = tuple(str(r) for r in (refs if isinstance(refs, list) else [refs]))
        bad = [r for r in refs if r not in numbers]
        if bad:
            raise UserError(f"{origin}: критерий {key} ссылается на несуществующие вопросы {', '.join(bad)}")
        criteria[key] = refs
    if not criteria:
        raise UserError(f"{origin}: не задан ни один критерий (quality, time, information)")
    return Form(name=str(data.get("name") or "custom"), title=str(data.get("title") or ""), meta=meta,
                questions=questions, criteria=criteria,
                keep_other_columns=bool(data.get("keep_other_columns", False)))


def _column(key: str, spec: Any, origin: str) -> Column:
    if spec is None:
        return Column(key)
    if isinstance(spec, str | list):
        return Column(key, tuple(_strings(spec)))
    if isinstance(spec, Mapping):
        return Column(key, tuple(_strings(spec.get("names", []))), tuple(_strings(spec.get("contains", []))))
    raise UserError(f"{origin}: столбец {key} задан непонятно: {spec!r}")


def _question(spec: Any, origin: str) -> Question:
    if not isinstance(spec, Mapping) or "number" not in spec:
        raise UserError(f"{origin}: у вопроса нет номера (number): {spec!r}")
    kind = str(spec.get("type", "scale"))
    if kind not in QUESTION_TYPES:
        raise UserError(f"{origin}: вопрос {spec['number']}: тип «{kind}», а допустимы "
                        f"{', '.join(QUESTION_TYPES)}")
    names, contains = tuple(_strings(spec.get("names", []))), tuple(_strings(spec.get("contains", [])))
    if not names and not contains:
        raise UserError(f"{origin}: вопрос {spec['number']}: не указано, как найти его столбец "
                        "(names или contains)")
    return Question(number=str(spec["number"]), type=kind, text=str(spec.get("text") or names[:1] or ""),
                    names=names, contains=contains, options=tuple(_strings(spec.get("options", []))))


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if v is not None and str(v).strip()]


def mapping_form(mapping: Mapping[str, Any]) -> Form:
    """A form from the config's column mapping (header texts; a list means several
    questions whose mean is the criterion)."""
    origin = "настройка mapping источника"
    unknown = [k for k in mapping if k not in (*META, *SURVEY_CRITERIA)]
    if unknown:
        raise UserError(f"{origin}: неизвестные ключи {', '.join(unknown)}; допустимы "
                        f"{', '.join((*META, *SURVEY_CRITERIA))}")
    if "timestamp" not in mapping:
        raise UserError(f"{origin}: не указан столбец времени заполнения (timestamp)")
    questions: list[dict[str, Any]] = []
    criteria: dict[str, list[str]] = {}
    for key in SURVEY_CRITERIA:
        for i, header in enumerate(_strings(mapping.get(key, []))):
            number = f"{key}{i + 1}" if i else key
            questions.append({"number": number, "type": "scale", "text": header, "names": [header],
                              "contains": [header]})
            criteria.setdefault(key, []).append(number)
    data = {"name": "mapping", "title": "анкета по настройке mapping", "criteria": criteria,
            "questions": questions, "keep_other_columns": True,
            "columns": {k: {"names": _strings(mapping[k]), "contains": _strings(mapping[k])}
                        for k in META if k in mapping}}
    return form_from_data(data, origin)


# --- parsing --------------------------------------------------------------------------------

def parse_survey(path: Path, options: ParseOptions | None = None) -> Iterator[Outcome]:
    options = options or ParseOptions()
    forms = _candidate_forms(options)
    located, form = _locate(path, forms, options)
    return _rows(located, form, options)


def _candidate_forms(options: ParseOptions) -> list[Form]:
    if options.mapping:
        return [mapping_form(options.mapping)]
    if options.form and options.form not in {"auto", "mapping"}:
        return [load_form(options.form)]
    if options.form == "mapping":
        raise UserError("анкета задана как mapping, но таблица mapping в настройках источника не указана")
    return [_builtin(name) for name in BUILTIN_FORMS]


def _locate(path: Path, forms: Sequence[Form], options: ParseOptions) -> tuple[Located, Form]:
    """Find the header by the timestamp column, then pick the form whose questions match it
    best (criteria questions first): one read of the file whatever the number of forms."""
    stamp = Column("timestamp", tuple(n for f in forms for n in f.meta["timestamp"].names),
                   tuple(c for f in forms for c in f.meta["timestamp"].contains), required=True)
    header = locate(path, [stamp], "выгрузку анкет (Google Формы / Яндекс Формы)", options.max_bytes)

    def fit(form: Form) -> tuple[int, int]:
        found = match_columns(header.header.cells, form.columns())
        scored = sum(1 for refs in form.criteria.values() if any(f"q:{r}" in found for r in refs))
        return scored, sum(1 for q in form.questions if f"q:{q.number}" in found)

    form = max(forms, key=fit)
    if fit(form)[0] == 0:
        expected = "; ".join(f"{f.name}: «{f.by_number[f.criteria[next(iter(f.criteria))][0]].text}»"
                             for f in forms)
        raise file_error(path, "не найдено ни одного вопроса анкеты с оценкой 1–5 "
                               f"(ожидались, например, {expected}). Укажите анкету (form) или "
                               "сопоставление столбцов (mapping) в настройках источника")
    columns = match_columns(header.header.cells, form.columns())
    columns["timestamp"] = header.columns["timestamp"]
    return Located(header.table, header.header, columns), form


def _rows(located: Located, form: Form, options: ParseOptions) -> Iterator[Outcome]:
    services = Services(options.services)
    claimed = set(located.columns.values())
    others = [i for i, h in enumerate(located.header.cells)
              if form.keep_other_columns and i not in claimed and text_value(h) is not None]
    return outcomes(located, lambda row: _response(located, row, form, options, services, others),
                    given_or_hashed(located, f"survey-{form.name}"))


def _response(located: Located, row: Row, form: Form, options: ParseOptions, services: Services,
              others: list[int]) -> dict[str, Any] | str:
    answers: dict[str, Any] = {}
    for question in form.questions:
        cell = row.get(located.columns.get(f"q:{question.number}"))
        try:
            value = answer_value(question, cell)
        except ValueError as exc:
            return str(exc)
        if value is not None:
            answers[question.number] = value
    for index in others:
        value = text_value(row.get(index))
        if value is not None:
            answers[str(located.header.get(index))] = value
    comment = text_value(row.get(located.columns.get("comment")))
    if not answers and comment is None:
        return "пустая анкета: нет ни одного ответа"
    moment = moment_of(row.get(located.columns["timestamp"]), options.tz, "нет времени заполнения анкеты",
                       what="время заполнения")
    if isinstance(moment, str):
        return moment
    service, unknown = services.of_row(located, row)
    if unknown:
        return unknown
    criteria = {key: score for key, refs in form.criteria.items()
                if (score := mean(float(answers[r]) for r in refs if r in answers)) is not None}
    return {"published_at": moment, "criteria": criteria, "rating": mean(criteria.values()),
            "service": service, "text": comment, "extra": {"form": form.name, "answers": answers}}


def answer_value(question: Question, cell: Any) -> Any:
    """A scale answer as a number (ValueError naming the question when it is not 1–5); a
    choice as its canonical option; a multiple choice as a list of options."""
    if question.type == "scale":
        score = score_value(cell, f"вопрос {question.number} «{question.text}»", SCALE_WORDS)
        return None if score is None else (int(score) if score.is_integer() else score)
    value = text_value(cell)
    if value is None:
        return None
    if question.type == "choice":
        return next((o for o in question.options if norm(o) == norm(value)), value)
    if question.type == "multi":
        return split_choices(value, question.options)
    return value


def split_choices(value: str, options: Sequence[str]) -> list[str]:
    """Google Forms joins checkbox answers with commas, and options contain commas
    themselves («Внесение дополнительной информации, документов»): known options are taken
    out first (longest first), whatever is left is split on `,`/`;` as free answers."""
    rest = value
    chosen: list[tuple[int, str]] = []
    for option in sorted(options, key=len, reverse=True):
        match = re.search(re.escape(option), rest, flags=re.IGNORECASE)
        if match:
            chosen.append((value.lower().find(option.lower()), option))
            rest = rest[:match.start()] + "," + rest[match.end():]
    free = [part.strip(" :;-–—") for part in re.split(r"[,;]", rest) if part.strip(" :;-–—")]
    return [option for _, option in sorted(chosen)] + free
