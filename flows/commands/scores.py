"""`painmap scores`: Куд per channel and overall, Кпр, Кэф of each organisation for a
period, from stored data, with the previous comparable period and the change."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from flows.console import console
from service.scores import resolve_period
from vocabulary.channels import CHANNEL_NAMES
from vocabulary.numbers import number as russian
from vocabulary.numbers import signed
from vocabulary.periods import PERIOD_HELP, parse_period


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def number(value: float | None, suffix: str = "") -> str:
    return russian(value) + ("" if value is None else suffix)


def org_table(org: dict[str, Any], period_label: str, previous_label: str, min_n: int = 30) -> Table:
    """One organisation: channels, then Куд, Кпр, Кэф, each against the previous period."""
    table = Table(title=f"{org['name']} ({org['org']}) — {period_label}", title_justify="left")
    table.add_column("Показатель", overflow="fold")
    table.add_column("n", justify="right")
    table.add_column("CSI", justify="right")
    table.add_column("Значение, %", justify="right")
    table.add_column("Интерпретация", overflow="fold", ratio=3)
    table.add_column(f"{previous_label}, %", justify="right")
    table.add_column("Изменение", justify="right")
    previous = org["previous"]
    before = {c["channel"]: c for c in previous["channels"]}
    for i, c in enumerate(org["channels"], start=1):
        old = before.get(c["channel"], {})
        few = c.get("small_sample") or old.get("small_sample")  # shown, not interpreted or compared
        table.add_row(CHANNEL_NAMES.get(c["channel"], c["channel"]), str(c["n"]), number(c["csi"]),
                      number(c["k_ud"]), f"[yellow]мало данных (n < {min_n})[/]" if c.get("small_sample")
                      else c["level"], number(old.get("k_ud")),
                      "—" if few else signed(previous["diff"]["channels"].get(c["channel"])),
                      end_section=i == len(org["channels"]))
    titles = {"k_ud": "Куд, среднее по каналам", "k_pr": "Кпр", "k_ef": "Кэф"}
    for key, title in titles.items():
        few = key == "k_ud" and (org.get("small_sample") or previous.get("small_sample"))
        level = "[yellow]мало данных[/]" if key == "k_ud" and org.get("small_sample") else org["levels"][key]
        table.add_row(f"[bold]{title}[/]", "", "", number(org[key]), level,
                      number(previous[key]), "—" if few else signed(previous["diff"][key]))
    return table


def print_table(data: dict[str, Any]) -> None:
    current = parse_period(data["period"])
    if not data["organisations"]:
        console.print("Нет организаций в базе данных: выполните painmap init с конфигурацией.")
    for org in data["organisations"]:
        console.print(org_table(org, current.label, current.previous().label, data.get("min_sample", 30)))
        for note in org["notes"]:
            console.print(f"  • {note}")
        for note in org["previous"]["notes"]:
            console.print(f"  • {current.previous().label}: {note}")
        console.print()


def register(app: typer.Typer) -> None:
    @app.command("scores")
    def scores(
        ctx: typer.Context,
        period: Annotated[str | None, typer.Option("--period", "-p", help=PERIOD_HELP)] = None,
        start: Annotated[str | None, typer.Option("--from", help="Начало периода (ГГГГ-ММ-ДД).")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Конец периода, включительно.")] = None,
        org: Annotated[str | None, typer.Option("--org", help="Код или наименование организации.")] = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json или csv.")] = Format.table,
    ) -> None:
        """Коэффициенты Методики по сохранённым данным: Куд по каналам и общий, Кпр, Кэф,
        сравнение с предыдущим периодом."""
        from flows.commands.common import config_from
        from models.config import prepare_store
        from models.db import session_scope
        from service.scores import organisation_scores, scores_csv, scores_json

        chosen = resolve_period(period, start, end)
        config = config_from(ctx)
        prepare_store(config)
        with session_scope() as session:
            data = scores_json(chosen, organisation_scores(session, chosen, org, config.region.timezone),
                               config.region.min_sample)
        if fmt is Format.json:
            typer.echo(json.dumps(data, ensure_ascii=False))
        elif fmt is Format.csv:
            typer.echo(scores_csv(data), nl=False)
        else:
            print_table(data)
