"""One entry point for file channels: parse a file of a kind into a source, through the pipeline.

The CLI (`painmap import KIND FILE`) and the nightly flow both call `import_file`; the
per-kind options come from the source's config settings (`ParseOptions.from_settings`)
and, for the CLI, from flags. The file is checked and its header matched *before* the
import transaction starts, so a file that is not what it claims fails fast with a Russian
message, and the failure is still recorded as a failed ingest run of the source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from ingest.gosuslugi import parse_gosuslugi
from ingest.pipeline import IngestResult, ingest_records
from ingest.pos import api_records, parse_pos
from ingest.records import FeedbackRecord, Rejected
from ingest.rows import Outcome, ParseOptions
from ingest.runs import record_failed_run
from ingest.survey import parse_survey
from ingest.terminal import parse_terminal
from ingest.vashkontrol import parse_vashkontrol
from models.db import session_scope
from models.settings import get_settings
from models.tables import Service, Source
from vocabulary.dates import DateWindow
from vocabulary.errors import UserError
from vocabulary.periods import Period, parse_period

Parser = Callable[[Path, ParseOptions], Iterator[Outcome]]
PARSERS: dict[str, Parser] = {
    "pos": parse_pos,
    "gosuslugi": parse_gosuslugi,
    "survey": parse_survey,
    "terminal": parse_terminal,
    "vashkontrol": parse_vashkontrol,
}
KIND_NAMES = {
    "pos": "ПОС",
    "gosuslugi": "Госуслуги (Таблица 2)",
    "survey": "Опрос",
    "terminal": "Терминал оценки",
    "vashkontrol": "«Ваш контроль»",
}


@dataclass
class ImportResult(IngestResult):
    """The pipeline's counts plus the rows left out because they fall outside `--period`."""

    n_outside: int = 0


def parse_file(kind: str, path: Path, options: ParseOptions | None = None) -> Iterator[Outcome]:
    """Records and rejected rows of a file; raises `UserError` before yielding anything when
    the file is unreadable or its header is not the kind's."""
    if kind not in PARSERS:
        raise UserError(f"неизвестный вид файла «{kind}»; допустимы: {', '.join(PARSERS)}")
    return PARSERS[kind](Path(path), options or ParseOptions())


def options_from(settings: Mapping[str, Any] | None, base: Path | None = None,
                 **overrides: Any) -> ParseOptions:
    """Options from a source's settings; a relative form YAML path is taken relative to
    `base` (the config file's directory), as every path in the config is."""
    options = ParseOptions.from_settings(settings, **overrides)
    form = options.form
    is_file = bool(form) and str(form).lower().endswith((".yaml", ".yml"))
    if form and is_file and base is not None and not Path(form).is_absolute():
        options.form = str(base / form)
    return options


def import_file(kind: str, path: Path, source_id: int,
                options: ParseOptions | Mapping[str, Any] | None = None, *, url: str | None = None,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Parse `path` as `kind` and ingest it into source `source_id` in one transaction.

    When the options name no services, the organisation's declared services (from the
    config) are used, so a row naming another service is quarantined whenever the
    organisation declares any; services an earlier one-off import created do not count.
    For dated channels `options.period` keeps only the rows of that period.
    """
    if not isinstance(options, ParseOptions):
        options = ParseOptions.from_settings(options)
    path = Path(path)
    options = _with_services(source_id, kind, options, url)
    try:
        window = _window(kind, options)
        records = _Within(parse_file(kind, path, options), window, options)
    except UserError as exc:
        record_failed_run(source_id, kind=kind, error=str(exc), origin=str(path), url=url)
        raise
    dates = DateWindow(earliest=get_settings().earliest_date, tz=options.tz)
    result = ingest_records(source_id, records, kind=kind, origin=str(path), url=url, progress=progress,
                            dates=dates)
    return ImportResult(**vars(result), n_outside=records.outside)


def _with_services(source_id: int, kind: str, options: ParseOptions, url: str | None) -> ParseOptions:
    with session_scope(url) as session:
        source = session.get(Source, source_id)
        if source is None:
            raise UserError(f"источник с идентификатором {source_id} не найден в базе")
        if source.kind != kind:
            raise UserError(f"источник «{source.name}» — это {source.kind}, а файл импортируется как {kind}")
        if options.services:
            return options
        names = session.exec(select(Service.name).where(Service.org_id == source.org_id,
                                                        col(Service.declared))).all()
    options.services = sorted(names)
    return options


def _window(kind: str, options: ParseOptions) -> Period | None:
    """Госуслуги use the period as the table's period; other channels filter by it."""
    if kind == "gosuslugi" or not options.period:
        return None
    try:
        return parse_period(str(options.period))
    except ValueError as exc:
        raise UserError(str(exc)) from None


class _Within:
    """Pass records dated inside the window (all when there is none), count the others;
    rejected rows always pass, so they reach quarantine."""

    def __init__(self, outcomes: Iterable[Outcome], window: Period | None, options: ParseOptions) -> None:
        self.outcomes, self.outside = outcomes, 0
        self.bounds = window.utc_bounds(options.tz) if window else None

    def __iter__(self) -> Iterator[FeedbackRecord | Rejected]:
        for outcome in self.outcomes:
            if self.bounds and isinstance(outcome, FeedbackRecord) and outcome.published_at is not None:
                start, end = self.bounds
                if not start <= outcome.published_at < end:
                    self.outside += 1
                    continue
            yield outcome


def import_pos_api(source_id: int, settings: Mapping[str, Any] | None = None, *, since: date | None = None,
                   url: str | None = None, progress: Callable[[int], None] | None = None,
                   **overrides: Any) -> IngestResult:
    """Fetch every message of the ПОС API (`crawlers.pos_api`) into a `pos` source.

    `settings` are the source's config settings (`base_url`, `token`, `per_page`…;
    `overrides` win). The whole walk is one transaction: an API failure half-way stores
    nothing and leaves a failed run, so the next night simply tries again.
    """
    from crawlers.pos_api import PosApiClient, PosApiConfig

    options = ParseOptions.from_settings(settings)
    with session_scope(url) as session:
        source = session.get(Source, source_id)
        if source is None:
            raise UserError(f"источник с идентификатором {source_id} не найден в базе")
        if source.kind != "pos":
            raise UserError(f"источник «{source.name}» — это {source.kind}, а не pos")
        stored = dict(source.settings or {})
    try:
        config = PosApiConfig.from_settings({**stored, **(settings or {})}, **overrides)
    except UserError as exc:
        record_failed_run(source_id, kind="pos", error=str(exc), url=url)
        raise
    with PosApiClient(config) as api:
        return ingest_records(source_id, api_records(api.items(since), options.tz), kind="pos",
                              origin=config.base_url, url=url, progress=progress)
