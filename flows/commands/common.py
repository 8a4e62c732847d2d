"""What several commands need: the config from the root options, an initialised store,
resolution of `--org`."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session

from flows.console import err_console
from models.config import AppConfig, load_config
from models.repo import ensure_organisation
from models.tables import Organisation


def config_from(ctx: typer.Context) -> AppConfig:
    root = ctx.find_root()
    path: Path | None = (root.obj or {}).get("config") if root.obj else None
    return load_config(path)


def resolve_org(session: Session, ref: str, config: AppConfig) -> Organisation:
    """`--org` names an organisation by code or name; an unknown one is created with a
    warning so that one-off imports work without a config."""
    org_cfg = config.organisation(ref)
    org, created = ensure_organisation(session, ref, org_cfg.name if org_cfg else None)
    if created:
        err_console.print(
            f"[yellow]Внимание:[/] организация «{ref}» не найдена ни в базе, ни в конфигурации — "
            "создана новая. Укажите её в painmap.toml, чтобы задать полное наименование."
        )
    return org
