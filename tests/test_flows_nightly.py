"""The nightly flow under Prefect's test harness: the whole demo, an idle second run, a
failing and a blocked source next to healthy ones, a crash in the middle of an import, and
the dask task runner giving the same results as the default one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from flows.nightly import run_nightly
from models.db import session_scope
from models.tables import (
    Classification,
    Feedback,
    IngestRun,
    Organisation,
    ScoreSnapshot,
    Source,
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture
def region(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo region (tests edit files and replay scenarios)."""
    target = tmp_path / "demo"
    shutil.copytree(demo_dir, target)
    return target


def by_source(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{s['org']}/{s['source']}": s for s in summary["sources"]}


def feedback_count(org: str, source: str) -> int:
    with session_scope() as session:
        return session.execute(
            select(func.count(Feedback.id)).join(Source, Source.id == Feedback.source_id)
            .join(Organisation, Organisation.id == Source.org_id)
            .where(Organisation.code == org, Source.name == source)).scalar_one()


def test_demo_run_then_an_idle_second_run(sqlite_store: str, region: Path) -> None:
    first = run_nightly(str(region / "painmap.toml"))
    sources = by_source(first)
    assert len(sources) == 19
    assert all(s["status"] == "ok" for s in sources.values()), sources
    assert sources["szn/yandex"]["n_new"] == 245
    assert sources["zags/terminal"]["n_new"] == 1780 + 8  # two years and the last week
    # The last week's queues at the ЗАГС: a spike and three «Плохо», each an incident with an
    # owner; the digests and the immediate messages are written to the demo's outbox.
    incidents = first["incidents"]
    signals = sorted(i["signal_name"] for i in incidents["items"])
    assert signals == ["Всплеск жалоб", "Плохая оценка", "Плохая оценка", "Плохая оценка"], incidents
    assert {i["responsible"] for i in incidents["items"]} == {"Начальник управления ЗАГС"}
    outbox = sorted(p.name for p in (region / "outbox").glob("*.eml"))
    assert first["notifications"]["failed"] == 0 and first["notifications"]["transports"] == ["outbox"]
    assert sum(name.startswith("digest_") for name in outbox) == 2  # the monitoring office and the ЗАГС
    assert sum(name.startswith("now_") for name in outbox) == 6  # three «Плохо» to each of them
    assert first["classified"]["classified"] > 5000
    # text-less ПОС messages are coded by their «Факт»; a value without a rule is listed
    assert first["classified"]["pos_mapped"] > 20
    assert any("Взаимодействие ведомств" in value for value in first["classified"]["pos_unmapped"])
    assert {p["org"] for p in first["practice"]} == {"szn", "zags", "opeka", "archive"}
    with session_scope() as session:
        assert session.execute(select(func.count(Classification.id))).scalar_one() > 500
        masked = session.execute(select(func.count(Feedback.id)).where(
            Feedback.text.is_not(None), Feedback.text_masked.is_(None))).scalar_one()  # type: ignore[union-attr]
        assert masked == 0
        overall = session.execute(select(ScoreSnapshot).join(Organisation)
                                  .where(Organisation.code == "szn", ScoreSnapshot.period == "2025",
                                         ScoreSnapshot.channel == "overall")).scalar_one()
        assert overall.k_ud is not None and overall.k_pr is not None and overall.k_ef is not None
        run = session.get(IngestRun, first["run_id"])
        assert run is not None and run.kind == "nightly" and run.status == "ok"

    second = run_nightly(str(region / "painmap.toml"))
    again = by_source(second)
    assert all(s["n_new"] == 0 and s["n_updated"] == 0 for s in again.values())
    assert all(s["status"] == "unchanged" for s in again.values())
    assert sum(s["files_skipped"] for s in again.values()) == 31  # every drop file, untouched
    assert second["classified"]["classified"] == 0
    assert second["scores_changed"] == []
    assert second["incidents"]["new"] == 0 and second["incidents"]["updated"] == 4
    assert second["notifications"]["new"] == 0 and second["notifications"]["sent"] == 0
    assert sorted(p.name for p in (region / "outbox").glob("*.eml")) == outbox


def test_failing_and_blocked_sources_leave_the_others_complete(sqlite_store: str, region: Path) -> None:
    (region / "yandex/1000000001/scenario.json").write_text(json.dumps({"captcha_pages": [2]}), "utf-8")
    (region / "drop/pos/pos_zags_2025.xlsx").write_bytes(b"\x00\x01 not a workbook \xff" * 50)
    config = (region / "painmap.toml").read_text("utf-8")
    config = config.replace('path = "drop/pos/pos_zags_*.xlsx"',
                            'path = "drop/pos/pos_zags_*.xlsx"\nretries = 0')
    # and a mail server that is down: the messages fail, the night does not
    config = config.replace('outbox = "outbox"', 'outbox = "outbox"\nsmtp_host = "127.0.0.1"\nsmtp_port = 9\n'
                                                 'retries = 0')
    (region / "painmap.toml").write_text(config, "utf-8")

    summary = run_nightly(str(region / "painmap.toml"))
    assert summary["incidents"]["new"] >= 4
    assert summary["notifications"]["failed"] == 8 and summary["notifications"]["sent"] == 0
    assert len(list((region / "outbox").glob("*.eml"))) == 8  # the copies are kept all the same
    sources = by_source(summary)
    assert sources["szn/yandex"]["status"] == "blocked"
    assert "капч" in sources["szn/yandex"]["detail"]
    assert sources["szn/yandex"]["n_new"] == 50  # page 1, fetched before the captcha, is kept
    assert sources["zags/pos"]["status"] == "failed"
    assert "pos_zags_2025.xlsx" in sources["zags/pos"]["detail"]
    healthy = [k for k in sources if k not in ("szn/yandex", "zags/pos")]
    assert all(sources[k]["status"] == "ok" and sources[k]["n_new"] > 0 for k in healthy)
    assert feedback_count("zags", "terminal") == 1780 + 8
    with session_scope() as session:
        status = dict(session.execute(
            select(Organisation.code + "/" + Source.name, Source.status)
            .join(Organisation, Organisation.id == Source.org_id)).all())
        assert status["szn/yandex"] == "blocked" and status["zags/pos"] == "failed"
        assert status["zags/terminal"] == "ok"
        assert session.get(IngestRun, summary["run_id"]).status == "partial"  # type: ignore[union-attr]
    assert sources["szn/yandex"]["blocked_nights"] == 1
    # The next night the captcha comes at once: blocked two nights running, and said so.
    (region / "yandex/1000000001/scenario.json").write_text(json.dumps({"captcha_pages": [1]}), "utf-8")
    again = by_source(run_nightly(str(region / "painmap.toml")))
    assert again["szn/yandex"]["status"] == "blocked" and again["szn/yandex"]["blocked_nights"] == 2
    # Blocked twice in a row: the next run leaves the site alone for a while.
    third = by_source(run_nightly(str(region / "painmap.toml")))
    assert third["szn/yandex"]["status"] == "skipped" and "пауза до" in third["szn/yandex"]["detail"]


def test_a_crash_mid_import_leaves_no_partial_rows(sqlite_store: str, region: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.pipeline
    from ingest.store import FeedbackWriter

    monkeypatch.setitem(ingest.pipeline.ingest_records.__kwdefaults__, "chunk_size", 100)
    original = FeedbackWriter.write
    calls: dict[int, int] = {}

    def crashing(self: FeedbackWriter, rows: list[Any]) -> Any:
        calls[self.source_id] = calls.get(self.source_id, 0) + 1
        if self.source_id == target[0] and calls[self.source_id] == 3:
            raise RuntimeError("диск отключился посреди импорта")
        return original(self, rows)

    target = [0]
    monkeypatch.setattr(FeedbackWriter, "write", crashing)
    config = (region / "painmap.toml").read_text("utf-8").replace(
        'path = "drop/terminal/terminal_szn_*.csv"', 'path = "drop/terminal/terminal_szn_*.csv"\nretries = 0')
    (region / "painmap.toml").write_text(config, "utf-8")
    from models.config import load_config, prepare_store

    prepare_store(load_config(region / "painmap.toml"))
    with session_scope() as session:
        target[0] = session.execute(
            select(Source.id).join(Organisation, Organisation.id == Source.org_id)
            .where(Organisation.code == "szn", Source.name == "terminal")).scalar_one()

    summary = run_nightly(str(region / "painmap.toml"))
    sources = by_source(summary)
    assert sources["szn/terminal"]["status"] == "failed"
    assert "диск отключился" in sources["szn/terminal"]["detail"]
    assert feedback_count("szn", "terminal") == 0  # the 200 rows written before the crash are gone
    with session_scope() as session:
        failed = session.execute(select(IngestRun).where(IngestRun.source_id == target[0],
                                                         IngestRun.status == "failed")).scalars().all()
        assert failed and "диск отключился" in (failed[0].error or "")
    assert feedback_count("szn", "pos") == 130 and sources["szn/pos"]["status"] == "ok"


def _results() -> dict[str, Any]:
    with session_scope() as session:
        labels = session.execute(
            select(Feedback.external_id, Classification.category)
            .join(Classification, Classification.feedback_id == Feedback.id)).all()
        polarity = dict(session.execute(select(Feedback.external_id, Feedback.polarity)).all())
        masked = dict(session.execute(select(Feedback.external_id, Feedback.text_masked)).all())
        scores = session.execute(select(Organisation.code, ScoreSnapshot.channel, ScoreSnapshot.period,
                                        ScoreSnapshot.k_ud, ScoreSnapshot.k_pr, ScoreSnapshot.k_ef)
                                 .join(Organisation)).all()
    return {"labels": sorted(labels), "polarity": polarity, "masked": masked, "scores": sorted(scores)}


def test_dask_runner_matches_the_default(tmp_path: Path, region: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("prefect_dask")
    from models.db import dispose_engines
    from models.migrate import upgrade
    from models.settings import get_settings

    results = {}
    for runner in ("default", "dask"):
        monkeypatch.setenv("PAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / runner}.db")
        get_settings.cache_clear()
        dispose_engines()
        upgrade()
        summary = run_nightly(str(region / "painmap.toml"), task_runner=runner)
        assert summary["classified"]["classified"] > 5000
        results[runner] = _results()
    dispose_engines()
    assert results["dask"] == results["default"]


def test_a_crawl_batch_that_cannot_start_fails_only_the_yandex_sources(sqlite_store: str,
                                                                       region: Path) -> None:
    shutil.rmtree(region / "yandex")  # the replay recordings are gone
    config = (region / "painmap.toml").read_text("utf-8").replace("max_pages = 12",
                                                                  "max_pages = 12\nretries = 0")
    (region / "painmap.toml").write_text(config, "utf-8")
    sources = by_source(run_nightly(str(region / "painmap.toml")))
    yandex = [v for k, v in sources.items() if k.endswith("/yandex")]
    assert len(yandex) == 4 and all(s["status"] == "failed" for s in yandex)
    assert all("каталог записанных страниц" in s["detail"] for s in yandex)
    assert all(v["status"] == "ok" for k, v in sources.items() if not k.endswith("/yandex"))


def test_no_personal_data_in_any_quote_the_report_prints(sqlite_store: str, region: Path,
                                                          tmp_path: Path) -> None:
    """Every italic quote of the demo report, for both years, is free of the personal data the
    demo texts carry (names — lone surnames after a role word too —, phones, e-mails,
    addresses, СНИЛС, passports), and the report as a whole never prints a raw one."""
    from docx import Document

    from reports.build import build_report
    from vocabulary.periods import parse_period

    run_nightly(str(region / "painmap.toml"))
    spans = _demo_pii()
    assert {"Лапина"} <= set(spans)  # the lone surname after «сотрудница» that once leaked
    quotes: list[str] = []
    for year in ("2024", "2025"):
        out = tmp_path / f"report-{year}.docx"
        build_report(parse_period(year), out)
        document = Document(str(out))
        body = "\n".join(p.text for p in document.paragraphs)
        body += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
        quotes += [p.text for p in document.paragraphs if any(r.italic for r in p.runs) and "«" in p.text]
        leaked = [s for s in spans if s in body]
        assert not leaked, leaked
    assert len(quotes) >= 10
    role_surname = re.compile(r"\b(?i:сотрудни\w*|специалист\w*|инспектор\w*|регистратор\w*|врач\w*|"
                              r"начальни\w*|секретар\w*)\s+[А-ЯЁ][а-яё]{2,}")
    assert not [q for q in quotes if role_surname.search(q)]


def _demo_pii() -> list[str]:
    """Every personal-data span the demo's hand-written texts are annotated with."""
    from ingest.demo.pool import POOL_FILE

    out = set()
    for line in POOL_FILE.read_text(encoding="utf-8").splitlines():
        for span in json.loads(line).get("pii", []):
            out.add(span["text"])
    return sorted(out, key=len)


def test_a_nightly_retrain_that_would_lose_is_rejected(sqlite_store: str, region: Path,
                                                        tmp_path: Path) -> None:
    """Analysts' labels trigger a retrain; a candidate worse than the model in use on the
    validation set is recorded with both figures and not used (a tiny corpus and garbage
    labels make sure it loses; a small validation set keeps the test quick)."""
    from models.labels import set_analyst_labels
    from models.tables import NlpModel
    from nlp.training import CORPUS_DIR, VALIDATION_DIR

    tiny, validation = tmp_path / "tiny", tmp_path / "validation"
    tiny.mkdir()
    validation.mkdir()
    (tiny / "a.jsonl").write_text("\n".join((CORPUS_DIR / "a_yandex.jsonl").read_text("utf-8")
                                            .splitlines()[:40]) + "\n", "utf-8")
    (validation / "v.jsonl").write_text("\n".join((VALIDATION_DIR / "v1.jsonl").read_text("utf-8")
                                                  .splitlines()[:150]) + "\n", "utf-8")
    config = region / "painmap.toml"
    settings = f'retrain_min_labels = 20\ncorpus = ["{tiny}"]\nvalidation = "{validation}"'
    config.write_text(config.read_text("utf-8").replace("retrain_min_labels = 50", settings), "utf-8")
    first = run_nightly(str(config))
    assert first["retrain"]["status"] == "skipped"
    with session_scope() as session:
        ids = session.execute(select(Feedback.id).where(Feedback.text.is_not(None))  # type: ignore[union-attr]
                              .order_by(Feedback.id).limit(25)).scalars().all()
        for fid in ids:
            set_analyst_labels(session, fid, ["corruption", "online"], "positive", author="test")
    second = run_nightly(str(config))
    retrain = second["retrain"]
    assert retrain["status"] == "rejected" and retrain["labels"] == 25
    assert retrain["candidate"]["micro_f1"] < retrain["current"]["micro_f1"]
    assert "reclassified" not in second["classified"]
    with session_scope() as session:
        row = session.execute(select(NlpModel)).scalar_one()
        assert not row.accepted and row.figures == retrain["candidate"] and row.baseline == retrain["current"]
    assert not (region / "models").exists()


def test_a_second_nightly_run_while_one_runs_stops_at_once(sqlite_store: str, region: Path) -> None:
    from models.locks import Busy, held

    with held("nightly", "Ночной прогон"), pytest.raises(Busy, match="уже выполняется в другом процессе"):
        run_nightly(str(region / "painmap.toml"))
    with session_scope() as session:  # the refused run stored nothing
        assert session.execute(select(func.count(Feedback.id))).scalar_one() == 0
        assert session.execute(select(func.count(Organisation.id))).scalar_one() == 0
