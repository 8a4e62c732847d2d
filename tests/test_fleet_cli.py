"""`painmap deploy` and `painmap worker`: the fleet's two commands, and what the deployments
they register look like to the Prefect server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crawlers.identity import Identity
from flows.cli import app
from vocabulary.errors import UserError

runner = CliRunner()


@pytest.mark.parametrize("command", [["deploy"], ["worker", "--identity", "w1"]])
def test_without_a_prefect_server_the_commands_say_what_is_missing(
        command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    (tmp_path / "painmap.toml").write_text("", "utf-8")
    result = runner.invoke(app, ["--config", str(tmp_path / "painmap.toml"), *command])
    assert isinstance(result.exception, UserError)  # `painmap` prints it in red and exits 2
    assert "PREFECT_API_URL" in str(result.exception) and "docs/scale-out.md" in str(result.exception)


def test_a_worker_is_a_prefect_process_worker_with_its_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}

    def execve(path: str, args: list[str], env: dict[str, str]) -> None:
        started.update(path=path, args=args, env=env)

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    monkeypatch.setattr("os.execve", execve)
    result = runner.invoke(app, ["worker", "--pool", "region", "--identity", "w7", "--proxy",
                                 "http://10.0.0.7:3128", "--name", "machine-7"])
    assert result.exit_code == 0, result.output
    assert Path(started["path"]).name == "prefect"
    assert started["args"][1:] == ["worker", "start", "--pool", "region", "--type", "process",
                                   "--limit", "1", "--name", "machine-7"]
    assert {k: started["env"][k] for k in Identity("w7").env()} == {"PAINMAP_CRAWL_IDENTITY": "w7"}
    assert started["env"]["PAINMAP_CRAWL_PROXY"] == "http://10.0.0.7:3128"
    assert "PAINMAP_CRAWL_BIND" not in started["env"] or not started["env"]["PAINMAP_CRAWL_BIND"]


@pytest.mark.slow
def test_deploy_registers_the_night_and_its_helper_in_a_process_pool(prefect_harness: None,
                                                                     tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    from flows.nightly import deploy_to_pool
    from models.config import load_config

    path = tmp_path / "painmap.toml"
    path.write_text('[schedule]\ncron = "15 3 * * *"\n\n[fleet]\npool = "region"\nshards = 3\n', "utf-8")
    config = load_config(path)
    assert deploy_to_pool(config) == ["painmap-nightly/painmap-nightly", "painmap-shard/painmap-shard"]
    assert deploy_to_pool(config)  # again: the pool exists, the deployments are updated
    with get_client(sync_client=True) as client:
        assert client.read_work_pool("region").type == "process"
        nightly = client.read_deployment_by_name("painmap-nightly/painmap-nightly")
        shard = client.read_deployment_by_name("painmap-shard/painmap-shard")
    assert nightly.work_pool_name == shard.work_pool_name == "region"
    assert nightly.parameters == {"config_path": str(path.resolve()), "shards_wanted": 3}
    assert [s.schedule.cron for s in nightly.schedules] == ["15 3 * * *"]  # type: ignore[union-attr]
    assert shard.parameters == {"config_path": str(path.resolve())} and not shard.schedules
    assert nightly.entrypoint == "flows/nightly.py:nightly_flow"
    assert shard.entrypoint == "flows/nightly.py:shard_flow"


def test_each_crawl_identity_keeps_its_own_cookies(store: str) -> None:
    from ingest.yandex import keep_cookies, kept_cookies
    from models.db import session_scope
    from models.repo import ensure_organisation, ensure_source

    with session_scope() as session:
        org, _ = ensure_organisation(session, "zags", "ЗАГС")
        source = ensure_source(session, org, "yandex", "yandex")
        source_id = source.id
    assert source_id is not None
    keep_cookies(source_id, {"yandexuid": "111"})
    keep_cookies(source_id, {"yandexuid": "222"}, identity=Identity("w1"))
    keep_cookies(source_id, {"yandexuid": "333"}, identity=Identity("w2"))
    assert kept_cookies(source_id) == {"yandexuid": "111"}
    assert kept_cookies(source_id, identity=Identity("w1")) == {"yandexuid": "222"}
    assert kept_cookies(source_id, identity=Identity("w2")) == {"yandexuid": "333"}
    assert kept_cookies(source_id, identity=Identity("w3")) == {}  # a new address starts fresh
