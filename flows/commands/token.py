"""`painmap token …`: API tokens for the monitoring office and analysts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import col, select

from flows.console import console

app = typer.Typer(no_args_is_help=True, help="Токены доступа к API и страницам аналитика.")


@app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="Роль: viewer, analyst или admin.")],
    name: Annotated[str | None, typer.Option("--name", help="Кому выдан токен.")] = None,
) -> None:
    """Создать токен. Токен печатается последней строкой и больше нигде не хранится."""
    from api.tokens import ROLE_NAMES, create_token
    from models.db import session_scope
    from models.migrate import upgrade

    upgrade()
    with session_scope() as session:
        row, secret = create_token(session, role, name)
        console.print(f"Создан токен №{row.id}, роль: {ROLE_NAMES[role]}. Сохраните его — "
                      "показать его ещё раз невозможно.")
    print(secret)


@app.command("list")
def list_tokens() -> None:
    """Список токенов (без самих секретов)."""
    from api.tokens import ROLE_NAMES
    from models.db import session_scope
    from models.migrate import upgrade
    from models.tables import ApiToken

    upgrade()
    table = Table("№", "Роль", "Кому", "Создан", "Отозван")
    with session_scope() as session:
        for row in session.exec(select(ApiToken).order_by(col(ApiToken.id))):
            table.add_row(str(row.id), ROLE_NAMES.get(row.role, row.role), row.name or "",
                          row.created_at.strftime("%d.%m.%Y %H:%M"),
                          row.revoked_at.strftime("%d.%m.%Y %H:%M") if row.revoked_at else "")
    console.print(table)


@app.command("revoke")
def revoke_token(token_id: Annotated[int, typer.Argument(help="Номер токена.")]) -> None:
    """Отозвать токен."""
    from api.tokens import revoke
    from models.db import session_scope
    from vocabulary.errors import UserError

    with session_scope() as session:
        if not revoke(session, token_id):
            raise UserError(f"токен №{token_id} не найден или уже отозван")
    console.print(f"Токен №{token_id} отозван.")
