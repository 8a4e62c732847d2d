"""`painmap deploy` and `painmap worker`: the nightly on a fleet of machines (one Prefect
server, one PostgreSQL, any number of workers; docs/scale-out.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from flows.commands.common import config_from
from flows.console import console
from vocabulary.errors import UserError


def register(app: typer.Typer) -> None:
    @app.command("deploy")
    def deploy(
        ctx: typer.Context,
        pool: Annotated[str | None, typer.Option(
            "--pool", help="Рабочий пул Prefect (по умолчанию [fleet] pool, «painmap»).")] = None,
    ) -> None:
        """Зарегистрировать ночной прогон и его помощника в рабочем пуле сервера Prefect
        (PREFECT_API_URL); запуск — по расписанию из конфигурации."""
        _need_server()
        from flows.nightly import deploy_to_pool

        config = config_from(ctx)
        names = deploy_to_pool(config, pool)
        pool = pool or config.fleet.pool
        console.print(f"Зарегистрировано в пуле «{pool}»: {', '.join(names)}; расписание "
                      f"«{config.schedule.cron}» ({config.schedule.timezone}).")
        console.print(f"Рабочие: painmap worker --pool {pool} --identity ИМЯ [--proxy URL] на каждой машине; "
                      "запустить сейчас: prefect deployment run painmap-nightly/painmap-nightly")

    @app.command("worker")
    def worker(
        pool: Annotated[str, typer.Option("--pool", help="Рабочий пул Prefect.")] = "painmap",
        identity: Annotated[str | None, typer.Option(
            "--identity",
            help="Имя для сайтов: свои cookies и своя вежливая пауза (по умолчанию имя машины).")] = None,
        proxy: Annotated[str | None, typer.Option(
            "--proxy", help="Прокси для всех запросов этого рабочего (http://хост:порт).")] = None,
        bind: Annotated[str | None, typer.Option(
            "--bind", help="Локальный адрес, с которого уходят запросы.")] = None,
        name: Annotated[str | None, typer.Option("--name", help="Имя рабочего в Prefect.")] = None,
        limit: Annotated[int, typer.Option(
            "--limit", min=1, help="Сколько прогонов рабочий выполняет одновременно.")] = 1,
    ) -> None:
        """Запустить рабочего Prefect для пула (prefect worker start --type process) со своей
        идентичностью обхода. Работает, пока его не остановят (Ctrl+C)."""
        _need_server()
        from crawlers.identity import Identity, identity_from

        # The options override the environment; what neither gives has identity_from's default.
        who = identity_from({**os.environ, **Identity(identity or "", proxy, bind).env()})
        env = {**os.environ, **who.env(), "OPENBLAS_NUM_THREADS": "1"}
        prefect = Path(sys.executable).with_name("prefect")
        command = [str(prefect), "worker", "start", "--pool", pool, "--type", "process",
                   "--limit", str(limit), "--name", name or f"{who.name}-{os.getpid()}"]
        console.print(f"Рабочий «{who.name}» пула «{pool}» ({os.environ['PREFECT_API_URL']}); "
                      "остановка — Ctrl+C.")
        sys.stdout.flush()
        os.execve(command[0], command, env)


def _need_server() -> None:
    if not os.environ.get("PREFECT_API_URL"):
        raise UserError("не задан PREFECT_API_URL — адрес сервера Prefect (например "
                        "http://prefect.local:4200/api); см. docs/scale-out.md")
