"""From files to the Методика: after importing every file channel of one organisation,
`painmap scores --format json` shows each channel with the CSI and Куд the methodology
gives (methodology.md §1), computed here by hand from the fixture files."""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean

import pytest
from typer.testing import CliRunner

from flows.cli import app
from models.db import session_scope
from models.repo import ensure_organisation, ensure_service
from tests.import_fixtures import GOSUSLUGI_SERVICES, ORG, channel_files

runner = CliRunner()

# The good rows of the fixture files, as the methodology reads them.
POS = [5, 2, 4]  # «Оценка ответа заявителем» where present (one message is unrated)
SURVEY = {"quality": [5, 3, 4, 5], "time": [4, 2, 4], "information": [5, 4, 4, 5]}  # Таблица 1
GOSUSLUGI = [(4.8, 200), (4.2, 100), (3.5, 50)]  # Таблица 2: CSI weighted by the number of ratings
TERMINAL = [5, 5, 3, 1]  # Хорошо/Хорошо/Средне/Плохо → 5/3/1
VK = {"service_time": [5, 2, 5], "queue_time": [4, 1, 5], "politeness": [5, 3, 4], "comfort": [3, 2, 4],
      "information": [4, 3]}


def expected() -> dict[str, tuple[int, float]]:
    """channel → (n, CSI)."""
    ratings = sum(n for _, n in GOSUSLUGI)
    return {
        "pos": (len(POS), mean(POS)),
        "survey": (4, mean(mean(v) for v in SURVEY.values())),
        "gosuslugi": (ratings, sum(c * n for c, n in GOSUSLUGI) / ratings),
        "terminal": (len(TERMINAL), mean(TERMINAL)),
        "vashkontrol": (3, mean(mean(v) for v in VK.values())),
    }


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return channel_files(tmp_path)


def declare_services() -> None:
    """The organisation declares its services, so the survey's unknown service is quarantined."""
    with session_scope() as session:
        org, _ = ensure_organisation(session, "zags", ORG)
        for service in GOSUSLUGI_SERVICES:
            ensure_service(session, org, service)


def scores(period: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["scores", "--period", period, "--org", "zags", "--format", "json"])
    assert result.exit_code == 0, result.output
    (org,) = json.loads(result.stdout)["organisations"]
    return org  # type: ignore[no-any-return]


def test_pos_and_survey_give_the_methodology_scores(store: str, files: dict[str, Path], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    declare_services()
    for kind in ("pos", "survey"):
        result = runner.invoke(app, ["import", kind, str(files[kind]), "--org", "zags"])
        assert result.exit_code == 0, result.output
    org = scores("2025")
    channels = {c["channel"]: c for c in org["channels"]}
    want = expected()
    for kind in ("pos", "survey"):
        n, csi = want[kind]
        assert channels[kind]["n"] == n
        assert channels[kind]["csi"] == pytest.approx(round(csi, 2))
        assert channels[kind]["k_ud"] == pytest.approx(round(csi / 5 * 100, 2))
    assert channels["pos"]["k_ud"] == pytest.approx(73.33)  # 11/3 → 3.67 → 73.33 %
    assert channels["survey"]["k_ud"] == pytest.approx(80.56)  # (4.25 + 3.33 + 4.5) / 3 → 80.56 %
    assert org["k_ud"] == pytest.approx(round(mean([want[k][1] / 5 * 100 for k in ("pos", "survey")]), 2))
    assert all(c["k_ud"] is None for kind, c in channels.items() if kind not in ("pos", "survey"))


def test_every_file_channel_shows_in_scores(sqlite_store: str, files: dict[str, Path], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    declare_services()
    for kind, path in files.items():
        result = runner.invoke(app, ["import", kind, str(path), "--org", "zags"])
        assert result.exit_code == 0, result.output
    org_scores = scores("2025")
    channels = {c["channel"]: c for c in org_scores["channels"]}
    want = expected()
    for kind, (n, csi) in want.items():
        assert (channels[kind]["n"], channels[kind]["csi"]) == (n, pytest.approx(round(csi, 2))), kind
        assert channels[kind]["k_ud"] == pytest.approx(round(csi / 5 * 100, 2)), kind
    assert org_scores["k_ud"] == pytest.approx(round(mean(c / 5 * 100 for _, c in want.values()), 2))
    assert scores("2024")["k_ud"] is None  # nothing dated in the previous year
