"""`painmap crawl …` command group: one-off crawls.

`painmap crawl yandex --org-id ID` crawls one organisation's Yandex Maps reviews. With
`--out FILE` the reviews are written as JSON lines and no database is touched; without
it they are ingested into the organisation's Yandex source. A captcha keeps what was
fetched before it and exits with code 3.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.console import console, err_console
from vocabulary.errors import SourceBlocked, UserError
from vocabulary.numbers import number

app = typer.Typer(no_args_is_help=True, help="Разовый сбор отзывов с внешних площадок.")

REAL_BASE_URL = "https://yandex.ru"


@dataclass
class Target:
    """Where and how to crawl: from the flags, else from the configured/stored source."""

    base_url: str | None
    slug: str | None
    max_pages: int | None
    delay: float | None
    source_id: int | None = None
    label: str = ""


OrgId = Annotated[str, typer.Option("--org-id", help="Идентификатор организации в Яндекс Картах.",
                                     show_default=False)]
BaseUrl = Annotated[str | None, typer.Option(
    "--base-url", help="Адрес сайта (по умолчанию base_url источника в конфигурации, иначе "
                       "https://yandex.ru; «replay» — записанные страницы из [replay] dir).")]
MaxPages = Annotated[int | None, typer.Option("--max-pages", min=1, help="Не больше стольких страниц.")]
Out = Annotated[Path | None, typer.Option(
    "--out", help="Записать отзывы в файл JSON Lines вместо загрузки в базу.")]
OrgRef = Annotated[str | None, typer.Option(
    "--org", help="Организация (код или наименование), в чей источник загрузить отзывы.")]
Slug = Annotated[str | None, typer.Option("--slug", help="Часть адреса карточки перед идентификатором.")]
Incremental = Annotated[bool, typer.Option(
    "--incremental", help="Остановиться на первой странице без отзывов новее сохранённых.")]
Full = Annotated[bool, typer.Option(
    "--full", help="Все порядки сортировки (новые, по оценке, по релевантности) по 12 страниц, "
                   "объединённые по идентификатору отзыва: больше 600 отзывов.")]
Since = Annotated[str | None, typer.Option(
    "--since", help="Остановиться на первой странице, где все отзывы не новее этой даты (ISO 8601).")]
Delay = Annotated[float | None, typer.Option(
    "--delay", min=0, help="Пауза между запросами, с (по умолчанию 3; 0,05 для локального адреса).")]


@app.command("yandex")
def yandex(ctx: typer.Context, org_id: OrgId, base_url: BaseUrl = None, max_pages: MaxPages = None,
           out: Out = None, org: OrgRef = None, slug: Slug = None, incremental: Incremental = False,
           since: Since = None, delay: Delay = None, full: Full = False) -> None:
    """Собрать отзывы организации с Яндекс Карт (страницы отзывов, новые сначала)."""
    from flows.commands.common import config_from

    config = config_from(ctx)
    since_at = _since(since)
    if out is not None:
        target = _target_from_config(config, org_id, base_url, slug, max_pages, delay)
        _to_file(config, org_id, target, out, since_at, full)
    else:
        _to_store(config, org_id, org, base_url, slug, max_pages, delay, incremental and not full, since_at,
                  full)


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    from crawlers.yandex.items import ItemError, parse_time

    try:
        return parse_time(text, "--since")
    except ItemError as exc:
        raise UserError(f"--since: {exc}") from None


def _target_from_config(config: Any, org_id: str, base_url: str | None, slug: str | None,
                        max_pages: int | None, delay: float | None) -> Target:
    """Flags first, then the settings of a configured Yandex source with this id."""
    settings: dict[str, Any] = {}
    for _org, src in config.sources():
        if src.kind == "yandex" and src.external_id == org_id:
            settings = src.settings()
            break
    return Target(base_url=base_url or settings.get("base_url"), slug=slug or settings.get("slug"),
                  max_pages=max_pages or settings.get("max_pages"),
                  delay=delay if delay is not None else settings.get("delay"))


def _replay_dir(config: Any) -> Path | None:
    return config.resolve(config.replay.dir) if config.replay else None


# --- to a file --------------------------------------------------------------------------------

def _to_file(config: Any, org_id: str, target: Target, out: Path, since: datetime | None,
             full: bool = False) -> None:
    from crawlers.yandex.run import crawl, endpoint

    with endpoint(target.base_url, _replay_dir(config)) as base, _pages(org_id) as progress:
        result = crawl(org_id, base, max_pages=target.max_pages, since=since, slug=target.slug,
                       delay=target.delay, progress=progress, full=full)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for item in result.items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    tmp.replace(out)
    console.print(f"Яндекс Карты, организация {org_id}: отзывов {len(result.items)}, страниц {result.pages} "
                  f"→ {out}")
    _warn_rejected(result.rejected)
    _finish(result, org_id, len(result.items))


# --- to the store -----------------------------------------------------------------------------

def _to_store(config: Any, org_id: str, org_ref: str | None, base_url: str | None, slug: str | None,
              max_pages: int | None, delay: float | None, incremental: bool, since: datetime | None,
              full: bool = False) -> None:
    from crawlers.yandex.run import endpoint
    from ingest.yandex import crawl_into_source
    from models.config import prepare_store

    prepare_store(config)
    target = _stored_source(config, org_id, org_ref)
    base_url = base_url or target.base_url
    with endpoint(base_url, _replay_dir(config)) as base, _pages(org_id) as progress:
        done = crawl_into_source(
            target.source_id or 0, org_id, base_url=base, max_pages=max_pages or target.max_pages,
            slug=slug or target.slug, delay=delay if delay is not None else target.delay,
            incremental=incremental, since=since, progress=progress, full=full)
    coverage = done.crawl.coverage
    console.print(f"Яндекс Карты, организация {org_id} → {target.label} (запуск №{done.run_id}): "
                  f"страниц {done.crawl.pages}, отзывов {len(done.crawl.items)}"
                  + (f" из {done.crawl.review_count} ({number(100 * coverage, 1)} %)"
                     if coverage is not None and done.crawl.review_count else ""))
    if done.ingest is not None:
        console.print(f"  новых: {done.n_new}, обновлено: {done.n_updated}, "
                      f"без изменений: {done.n_unchanged}, в карантине: {done.n_quarantined}")
        for reason in done.ingest.reasons[:5]:
            err_console.print(f"  [yellow]карантин:[/] {reason}")
    _finish(done.crawl, org_id, len(done.crawl.items))


def _stored_source(config: Any, org_id: str, org_ref: str | None) -> Target:
    """The Yandex source with this id: the configured one, else one in the store, else a new
    one of `--org` (or of a new organisation `yandex-<ID>`, with a warning)."""
    from flows.commands.common import resolve_org
    from models.db import session_scope

    with session_scope() as session:
        wanted = resolve_org(session, org_ref, config) if org_ref is not None else None
        found = _existing_source(session, org_id, wanted)
        if found is None:
            organisation = wanted or _fallback_org(session, org_id)
            found = (_new_source(session, organisation, org_id), organisation)
        source, organisation = found
        settings = dict(source.settings or {})
        return Target(base_url=settings.get("base_url"), slug=settings.get("slug"),
                      max_pages=settings.get("max_pages"), delay=settings.get("delay"),
                      source_id=source.id, label=f"{organisation.code} / {source.name}")


def _existing_source(session: Any, org_id: str, org: Any | None) -> tuple[Any, Any] | None:
    from sqlmodel import select

    from models.tables import Organisation, Source

    query = select(Source, Organisation).join(Organisation).where(
        Source.kind == "yandex", Source.external_id == org_id)
    if org is not None:
        query = query.where(Organisation.id == org.id)
    row = session.exec(query.order_by(Source.id)).first()  # type: ignore[arg-type]
    return (row[0], row[1]) if row else None


def _fallback_org(session: Any, org_id: str) -> Any:
    from models.repo import ensure_organisation

    code = f"yandex-{org_id}"
    organisation, created = ensure_organisation(session, code, f"Организация Яндекс Карт {org_id}")
    if created:
        err_console.print(
            f"[yellow]Внимание:[/] источник Яндекс Карт {org_id} не найден ни в конфигурации, ни в базе — "
            f"отзывы загружаются в новую организацию «{code}». Укажите --org или добавьте источник "
            "в painmap.toml.")
    return organisation


def _new_source(session: Any, organisation: Any, org_id: str) -> Any:
    """`yandex`, unless the organisation already has a `yandex` source for another card."""
    from sqlmodel import select

    from models.repo import ensure_source
    from models.tables import Source

    taken = session.exec(select(Source).where(Source.org_id == organisation.id,
                                              Source.name == "yandex")).first()
    name = "yandex" if taken is None else f"yandex-{org_id}"
    try:
        return ensure_source(session, organisation, "yandex", name, external_id=org_id)
    except ValueError as exc:
        raise UserError(str(exc)) from None


# --- shared -------------------------------------------------------------------------------------

@contextmanager
def _pages(org_id: str) -> Iterator[Callable[[Any], None]]:
    """A page counter on stderr; its total becomes known from the first page's params."""
    from flows.console import progress

    bar = progress()
    with bar:
        task = bar.add_task(f"Яндекс Карты {org_id}: страницы", total=None)

        def advance(page: Any) -> None:
            if page.total_pages:
                bar.update(task, total=max(page.total_pages, page.page))
            bar.update(task, completed=page.page,
                       description=f"Яндекс Карты {org_id}: отзывов {page.items}")

        yield advance


def _warn_rejected(rejected: list[Any]) -> None:
    if rejected:
        err_console.print(f"[yellow]Отзывов не прошли проверку: {len(rejected)}[/] (не записаны)")
        for item in rejected[:5]:
            err_console.print(f"  {item.location}: {item.reason}")


def _finish(result: Any, org_id: str, kept: int) -> None:
    """Exit codes: 0 done, 3 blocked by a captcha, 1 any other failure; what was fetched
    before the stop is kept in every case."""
    if result.blocked:
        raise SourceBlocked(
            f"Яндекс Карты заблокировали сбор (капча на странице {result.blocked_page}) для организации "
            f"{org_id}. Сохранено отзывов, полученных до блокировки: {kept}. Повторите сбор позже.")
    if result.error:
        raise UserError(f"сбор отзывов организации {org_id} прерван: {result.error}. "
                        f"Сохранено отзывов с предыдущих страниц: {kept}.")
    console.print(f"Сбор завершён: {result.stop_message}.")
