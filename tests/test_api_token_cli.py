"""`painmap token create|list|revoke`: the token is the last line of output and works."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from flows.cli import app

runner = CliRunner()


def test_token_lifecycle(sqlite_store: str) -> None:
    made = runner.invoke(app, ["token", "create", "--role", "analyst", "--name", "Отдел мониторинга"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("pm_") and len(secret) > 30
    with TestClient(create_app()) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/sources", headers=headers).status_code == 200
        assert client.get("/api/v1/mentions", headers=headers).status_code == 403
    listed = runner.invoke(app, ["token", "list"])
    assert "аналитик" in listed.stdout and secret not in listed.stdout
    assert runner.invoke(app, ["token", "revoke", "1"]).exit_code == 0
    again = runner.invoke(app, ["token", "revoke", "1"])
    assert again.exit_code != 0


def test_unknown_role_is_refused(sqlite_store: str) -> None:
    result = runner.invoke(app, ["token", "create", "--role", "root"])
    assert result.exit_code != 0
    assert "неизвестная роль" in str(result.exception) or "неизвестная роль" in result.output
