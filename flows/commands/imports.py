"""`painmap import pos|gosuslugi|survey|terminal|vashkontrol FILE… --org ORG`.

Each file is one ingest run into the organisation's source of that kind (`--source`,
default: the one source of that kind in the config, else a source named after the kind).
Options of the source in the config (survey `form`/`mapping`, terminal `scale`,
`timezone`) apply; flags override them. The counts of the run are printed, with the first
quarantined rows and why, so the person importing can fix the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.console import console, err_console
from vocabulary.errors import UserError

app = typer.Typer(no_args_is_help=True, help="Импорт файлов каналов обратной связи в базу.")

Files = Annotated[list[Path], typer.Argument(help="Файл(ы) выгрузки: .xlsx или .csv.", show_default=False)]
Org = Annotated[str, typer.Option("--org", help="Код или наименование организации.", show_default=False)]
SourceName = Annotated[str | None, typer.Option(
    "--source", help="Имя источника организации (по умолчанию — источник этого вида из конфигурации).")]
PeriodOpt = Annotated[str | None, typer.Option(
    "--period", help="Период: 2025, 2025-Q3, 2025-07. Для Госуслуг — период таблицы (иначе год из имени "
                     "файла); для остальных — загрузить только записи этого периода.")]


@app.command("pos")
def import_pos(ctx: typer.Context, files: Files, org: Org, source: SourceName = None,
               period: PeriodOpt = None) -> None:
    """Выгрузка сообщений ПОС (.xlsx из консоли): оценка ответа заявителем, категории, статусы."""
    _run(ctx, "pos", files, org, source, {"period": period})


@app.command("gosuslugi")
def import_gosuslugi(ctx: typer.Context, files: Files, org: Org, source: SourceName = None,
                     period: PeriodOpt = None) -> None:
    """Оценки услуг на Госуслугах (Таблица 2: услуга, индекс CSI, количество оценок)."""
    _run(ctx, "gosuslugi", files, org, source, {"period": period})


@app.command("survey")
def import_survey(
    ctx: typer.Context, files: Files, org: Org, source: SourceName = None, period: PeriodOpt = None,
    form: Annotated[str | None, typer.Option(
        "--form", help="Анкета: kaluga (три критерия Таблицы 1), kaltan (опросный лист из 15 вопросов), "
                       "auto или путь к файлу анкеты .yaml.")] = None,
) -> None:
    """Ответы на опрос из Google Форм или Яндекс Форм (.csv или .xlsx)."""
    _run(ctx, "survey", files, org, source, {"period": period, "form": form})


@app.command("terminal")
def import_terminal(
    ctx: typer.Context, files: Files, org: Org, source: SourceName = None, period: PeriodOpt = None,
    scale: Annotated[str | None, typer.Option(
        "--scale", help="Перевод оценок в баллы, например «Хорошо=5,Средне=3,Плохо=1» (это и умолчание).")]
    = None,
) -> None:
    """Журнал терминала оценки: Хорошо / Средне / Плохо с отделом, сотрудником и услугой."""
    _run(ctx, "terminal", files, org, source, {"period": period, "scale": parse_scale(scale)})


@app.command("vashkontrol")
def import_vashkontrol(ctx: typer.Context, files: Files, org: Org, source: SourceName = None,
                       period: PeriodOpt = None) -> None:
    """Оценки «Ваш контроль»: пять критериев (Очень плохо … Отлично) и комментарий."""
    _run(ctx, "vashkontrol", files, org, source, {"period": period})


@app.command("pos-api")
def import_pos_api(
    ctx: typer.Context, org: Org, source: SourceName = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Адрес ПОС API (по умолчанию base_url источника в конфигурации).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Только сообщения, изменённые с этой даты (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ).")] = None,
) -> None:
    """Сообщения ПОС из JSON API (токен — PAINMAP_POS_API_TOKEN)."""
    from flows.commands.common import config_from
    from ingest.importers import ImportResult, import_pos_api
    from models.config import prepare_store
    from vocabulary.periods import parse_date

    try:
        since_day = parse_date(since) if since else None
    except ValueError as exc:
        raise UserError(f"--since: {exc}") from None
    config = config_from(ctx)
    prepare_store(config)
    source_id, label, options = _source(config, "pos", org, source, {})
    with _progress("ПОС API") as advance:
        result = import_pos_api(source_id, {"timezone": options.timezone}, since=since_day, progress=advance,
                                base_url=base_url)
    _report("pos", base_url or "ПОС API", label, ImportResult(**vars(result)))


def parse_scale(text: str | None) -> dict[str, float] | None:
    """`Хорошо=5,Средне=3,Плохо=1` → mapping; the values are checked by the terminal parser."""
    if text is None:
        return None
    scale: dict[str, float] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        grade, sep, score = part.partition("=")
        try:
            if not sep:
                raise ValueError
            scale[grade.strip()] = float(score.strip().replace(",", "."))
        except ValueError:
            raise UserError(f"--scale: непонятная пара «{part.strip()}», ожидается «Оценка=балл»") from None
    return scale


def _run(ctx: typer.Context, kind: str, files: list[Path], org_ref: str, source_name: str | None,
         overrides: dict[str, Any]) -> None:
    from flows.commands.common import config_from
    from ingest.importers import import_file
    from models.config import prepare_store

    config = config_from(ctx)
    prepare_store(config)
    source_id, label, options = _source(config, kind, org_ref, source_name, overrides)
    failed = 0
    for path in files:
        try:
            with _progress(path.name) as advance:
                result = import_file(kind, path, source_id, options, progress=advance)
        except UserError as exc:
            if len(files) == 1:
                raise
            err_console.print(f"[bold red]Ошибка:[/] {exc}")
            failed += 1
            continue
        _report(kind, path.name, label, result)
    if failed:
        raise UserError(f"не загружено файлов: {failed} из {len(files)}")


def _source(config: Any, kind: str, org_ref: str, name: str | None,
            overrides: dict[str, Any]) -> tuple[int, str, Any]:
    """The source's id, a label for messages and the parse options (config, then flags)."""
    from flows.commands.common import resolve_org
    from ingest.importers import options_from
    from models.db import session_scope
    from models.repo import ensure_source

    with session_scope() as session:
        org = resolve_org(session, org_ref, config)
        name = name or _configured_source(config, org.code, kind) or kind
        try:
            source = ensure_source(session, org, kind, name)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        settings = dict(source.settings or {})
        settings.setdefault("timezone", config.region.timezone)
        base = config.path.parent if config.path else None
        assert source.id is not None
        return source.id, f"{org.code} / {source.name}", options_from(settings, base, **overrides)


def _configured_source(config: Any, org_code: str, kind: str) -> str | None:
    org = config.organisation(org_code)
    names = [s.name for s in (org.sources if org else []) if s.kind == kind]
    return names[0] if len(names) == 1 else None


class _progress:
    """A Rich bar on stderr advanced by the pipeline after each chunk of records; nothing when
    stderr is not a terminal (a log file needs no animation)."""

    def __init__(self, what: str) -> None:
        from flows.console import progress

        self.bar = progress() if err_console.is_terminal else None
        self.what = what

    def __enter__(self) -> Any:
        if self.bar is None:
            return None
        self.bar.start()
        task = self.bar.add_task(f"Загрузка: {self.what}", total=None)
        return lambda n: self.bar.advance(task, n) if self.bar else None

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(kind: str, what: str, label: str, result: Any) -> None:
    from ingest.importers import KIND_NAMES

    console.print(f"{KIND_NAMES[kind]}: {what} → {label} (запуск №{result.run_id})")
    console.print(f"  новых: {result.n_new}, обновлено: {result.n_updated}, без изменений: "
                  f"{result.n_unchanged}, в карантине: {result.n_quarantined}")
    if result.n_duplicates:
        console.print(f"  повторов внутри файла (сохранены один раз): {result.n_duplicates}")
    if result.n_outside:
        console.print(f"  пропущено записей вне периода: {result.n_outside}")
    if result.reasons:
        console.print("  Карантин (первые строки):")
        for reason in result.reasons[:10]:
            console.print(f"    {reason}", markup=False, soft_wrap=True)


try:  # `painmap import practice` lives in its own module
    from flows.commands.import_practice import register_practice
except ImportError:  # pragma: no cover - the practice importer is optional
    pass
else:
    register_practice(app)
