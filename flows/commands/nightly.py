"""`painmap nightly`: run the nightly job once through Prefect, then show what it did, the
scores of the latest year and the top pains of each office."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from sqlmodel import Session

from flows.commands.common import config_from
from flows.console import console
from vocabulary.numbers import number
from vocabulary.periods import Period, year

STATUS_NAMES = {"ok": "загружено", "unchanged": "без изменений", "blocked": "заблокирован (капча)",
                "failed": "ошибка", "skipped": "пропущен"}


def summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Источники", title_justify="left")
    for column in ("Орган", "Источник", "Состояние", "Новых", "Изменено", "Без изменений", "В карантине"):
        table.add_column(column, justify="right" if column in ("Новых", "Изменено", "Без изменений",
                                                                 "В карантине") else "left")
    for s in summary["sources"]:
        state = STATUS_NAMES.get(s["status"], s["status"])
        if s.get("detail") and s["status"] in ("blocked", "failed", "skipped"):
            state += f": {s['detail']}"
        table.add_row(s["org"], s["source"], state, str(s["n_new"]), str(s["n_updated"]),
                      str(s["n_unchanged"]), str(s["n_quarantined"]))
    return table


SUMMARY_MIN_ITEMS = 30  # a year with fewer items (a week into January) says little yet


def _latest_year(session: Session) -> Period | None:
    """The latest calendar year with feedback (what the summary shows), or None; the year
    before when the latest has fewer than SUMMARY_MIN_ITEMS items and that one has more."""
    from models.queries import count_published, latest_published
    from service.region import timezone

    latest = latest_published(session)
    if latest is None:
        return None
    current, previous = year(latest.year), year(latest.year - 1)
    tz = timezone()
    if count_published(session, *current.utc_bounds(tz)) < SUMMARY_MIN_ITEMS <= \
            count_published(session, *previous.utc_bounds(tz)):
        return previous
    return current


def top_pains(limit: int = 3) -> Table | None:
    """The most frequent pains of each office in the latest year with feedback."""
    from models.db import session_scope
    from service.painmap import pain_map_of
    from vocabulary.categories import CATEGORY_NAMES

    with session_scope() as session:
        period = _latest_year(session)
        if period is None:
            return None
        rows = pain_map_of(session, period)
    table = Table(title=f"Главные боли — {period.label}", title_justify="left")
    table.add_column("Орган")
    table.add_column("Отзывов с текстом", justify="right")
    table.add_column("Боли (доля отзывов, изменение к прошлому году)")
    for row in rows:
        top = sorted(row.cells.items(), key=lambda kv: -kv[1].count)[:limit]
        parts = [f"{CATEGORY_NAMES[c]} — {_num(cell.share)}%"
                 + (f" ({'+' if cell.change > 0 else ''}{_num(cell.change)} п. п.)"
                    if cell.change is not None else "")
                 for c, cell in top if cell.count]
        table.add_row(row.org_name, str(row.texts), "\n".join(parts) or "—")
    return table


def _num(value: float) -> str:
    return number(value, 1)


def register(app: typer.Typer) -> None:
    @app.command("nightly")
    def nightly(
        ctx: typer.Context,
        source: Annotated[str | None, typer.Option(
            "--source", help="Только этот источник (имя или код_органа/имя).")] = None,
        task_runner: Annotated[str, typer.Option(
            "--task-runner", help="default или dask (параллельная классификация, extra scale).")] = "default",
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Без таблиц итогов.")] = False,
    ) -> None:
        """Ночной прогон: сбор и импорт, классификация, пересчёт коэффициентов."""
        config = config_from(ctx)
        from flows.nightly import run_nightly

        summary = run_nightly(str(config.path) if config.path else None, source, task_runner)
        if quiet:
            return
        console.print(summary_table(summary))
        _print_fleet(summary.get("fleet") or {})
        classified = summary["classified"]
        console.print(f"Классифицировано отзывов: {classified.get('classified', 0)} "
                      f"(модель {classified.get('model_version', '—')}); "
                      f"изменившихся показателей: {len(summary['scores_changed'])}.")
        _print_pos_facts(classified)
        _print_retrain(summary.get("retrain") or {})
        _print_incidents(summary.get("incidents") or {}, summary.get("notifications") or {})
        pains = top_pains()
        if pains is not None:
            console.print(pains)
        _print_scores(ctx)

    register_schedule(app)


def register_schedule(app: typer.Typer) -> None:
    @app.command("schedule")
    def schedule(ctx: typer.Context) -> None:
        """Запустить ночной прогон по расписанию из конфигурации (cron, по умолчанию 02:00 МСК).

        Процесс работает, пока его не остановят (Ctrl+C); под сервером Prefect с PostgreSQL
        и рабочими пулами — см. README."""
        from prefect import serve

        from flows.nightly import deployment

        config = config_from(ctx)
        console.print(f"Расписание ночного прогона: «{config.schedule.cron}» ({config.schedule.timezone}). "
                      "Остановка — Ctrl+C.")
        serve(deployment(config))


def fleet_lines(fleet: dict[str, Any]) -> list[str]:
    """Who did the night's work, when more than one worker did, and whose work was redone."""
    lines = []
    workers = fleet.get("workers") or {}
    if len(workers) > 1:
        lines.append("Рабочие: " + ", ".join(f"{name} — задач {n}" for name, n in workers.items()) + ".")
    for moved in fleet.get("taken_over") or []:
        lines.append(f"Рабочий {', '.join(moved['from'])} потерян; его источники "
                     f"{', '.join(moved['sources'])} заново обработал {moved['by']}.")
    return lines


def _print_fleet(fleet: dict[str, Any]) -> None:
    for line in fleet_lines(fleet):
        console.print(line)


def _print_pos_facts(classified: dict[str, Any]) -> None:
    """Text-less ПОС messages coded by their ПОС classification, and the values no rule of
    `nlp/lexicons/pos_categories.yaml` covers (they count in no pain until a rule is added)."""
    if classified.get("pos_mapped"):
        console.print(f"Сообщения ПОС без текста, отнесённые к болям по классификатору ПОС: "
                      f"{classified['pos_mapped']}.")
    unmapped = classified.get("pos_unmapped") or {}
    if unmapped:
        console.print("Значения классификатора ПОС без правила в таблице соответствия "
                      f"({sum(unmapped.values())} сообщений) — добавьте их "
                      "в nlp/lexicons/pos_categories.yaml:")
        for value, n in list(unmapped.items())[:20]:
            console.print(f"  {value} — {n}")


def incidents_table(incidents: dict[str, Any]) -> Table:
    """The incidents this run opened: number, office, signal, what, deadline, owner."""
    from service.region import timezone
    from vocabulary.dates import local_minute

    table = Table(title="Новые инциденты", title_justify="left")
    for column in ("№", "Орган", "Сигнал", "Что случилось", "Срок", "Ответственный"):
        table.add_column(column, justify="right" if column == "№" else "left")
    tz = timezone()
    for item in incidents["items"][:30]:
        table.add_row(str(item["id"]), item["org_name"], item["signal_name"], item["title"],
                      local_minute(item["deadline"], tz), item["responsible"] or "—")
    if len(incidents["items"]) > 30:
        table.caption = f"и ещё {len(incidents['items']) - 30} — страница «Инциденты»"
    return table


def _print_incidents(incidents: dict[str, Any], notifications: dict[str, Any]) -> None:
    if incidents.get("status") in ("off", "failed"):
        if incidents["status"] == "failed":
            console.print(f"[red]Инциденты не сформированы: {incidents.get('detail')}[/red]")
        return
    if "new" not in incidents:
        return
    console.print(f"Инциденты: новых {incidents['new']}, обновлено {incidents['updated']}; "
                  f"всего открыто {incidents['open']}, из них просрочено {incidents['overdue']}.")
    if incidents["items"]:
        console.print(incidents_table(incidents))
    if notifications.get("status") == "failed":
        console.print(f"[red]Уведомления не отправлены: {notifications.get('detail')}[/red]")
    elif "sent" in notifications:
        if notifications.get("transports") == ["outbox"]:  # nothing leaves the machine (the demo)
            console.print(f"Уведомления: новых {notifications['new']}; SMTP и webhook не настроены — "
                          f"письма записаны в {notifications['outbox']}.")
            return
        where = f"; копии писем — в {notifications['outbox']}" if notifications.get("outbox") else ""
        console.print(f"Уведомления: новых {notifications['new']}, отправлено {notifications['sent']}, "
                      f"не доставлено {notifications['failed']}{where}.")


def _print_retrain(retrain: dict[str, Any]) -> None:
    status = retrain.get("status")
    if status in ("accepted", "rejected"):
        c, b = retrain["candidate"], retrain["current"]
        verdict = "принята" if status == "accepted" else "отклонена"
        console.print(f"Переобучение модели по {retrain['labels']} меткам аналитиков: новая модель {verdict} "
                      f"({retrain['reason']}). Проверочный набор: новая micro-F1 {c['micro_f1']:.3f}, "
                      f"тональность {c['polarity_accuracy']:.3f}; текущая micro-F1 {b['micro_f1']:.3f}, "
                      f"тональность {b['polarity_accuracy']:.3f}.")


def _print_scores(ctx: typer.Context) -> None:
    from flows.commands.scores import print_table
    from models.db import session_scope
    from service.scores import organisation_scores, scores_json

    config = config_from(ctx)
    with session_scope() as session:
        period = _latest_year(session)
        if period is None:
            return
        data = scores_json(period, organisation_scores(session, period, None, config.region.timezone),
                           config.region.min_sample)
    print_table(data)
