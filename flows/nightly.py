"""The nightly job: for each configured source ingest what is new (crawl, drop-folder files
or API), import the practice workbooks, classify new and changed feedback, recompute the
scores of the affected periods, and store a run summary.

The flow reads like the process it runs; every step is a call into a package. Each source
is a Prefect task with retries and a timeout: one failing or blocked source is recorded as
such and the others still complete.

The night's work — batches of sources, shares of the items to classify, shares of the
periods to recompute — is planned as tasks in the store (`models.shards`) and taken one by
one by whoever works the night: this process alone (`painmap nightly`), or, when the night
runs as a deployment of a work pool, this process and `shard_flow` helpers on the pool's
other workers (`flows.fleet`, docs/scale-out.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE as NO_CACHE
from prefect.client.schemas.objects import State
from prefect.schedules import Cron

from crawlers.identity import Identity, identity_from
from crawlers.yandex.page import BY_TIME, RANKINGS
from crawlers.yandex.run import CrawlJob, CrawlResult, crawl_many, endpoint, merge
from flows.fleet import (
    holder_name,
    launch_helpers,
    online_workers,
    settle_helpers,
    share_out,
    work,
    worker_of,
)
from ingest.drops import import_new_files, new_files
from ingest.importers import import_pos_api, options_from
from ingest.pipeline import IngestResult
from ingest.practice.store import import_practice_file
from ingest.runs import (
    blocked_nights,
    changed_days,
    latest_published_at,
    mark_source,
    record_nightly,
    resting,
    source_id_of,
)
from ingest.yandex import SourceCrawl, crawl_into_source, ingest_crawl, kept_cookies
from models import shards
from models.config import AppConfig, OrganisationConfig, SourceConfig, load_config, prepare_store
from models.locks import held
from models.shards import Taken
from nlp.batch import (
    BatchCounts,
    classify_pending,
    count_pending,
    pending_pages,
    pending_ranges,
    store_page,
)
from nlp.classifier import Classifier, Result
from nlp.registry import RetrainPlan, active_model
from nlp.registry import retrain as run_retrain
from nlp.training import TRAIN_DIRS, VALIDATION_DIR
from service.scores import recompute_changes
from vocabulary.errors import SourceBlocked, UserError
from vocabulary.periods import affected, month, parse_period, quarter, year


@dataclass
class SourceOutcome:
    """What one source gave in this run (all counts summed over its files/pages)."""

    org: str
    source: str
    kind: str
    status: str = "ok"  # ok | unchanged | blocked | failed | skipped
    n_new: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_quarantined: int = 0
    files: int = 0
    files_skipped: int = 0
    detail: str | None = None
    blocked_nights: int = 0  # runs in a row this source has been blocked, this one included
    seconds: float = 0.0
    worker: str | None = None  # the crawl identity of the worker that did it
    attempts: int = 1  # more than 1: a worker was lost on it and another one redid it
    changed_ids: list[int] = field(default_factory=list)

    def add(self, result: IngestResult | SourceCrawl) -> None:
        self.n_new += result.n_new
        self.n_updated += result.n_updated
        self.n_unchanged += result.n_unchanged
        self.n_quarantined += result.n_quarantined
        self.changed_ids += list(result.changed_ids)

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["changed"] = len(data.pop("changed_ids"))
        return data


# --- steps ------------------------------------------------------------------------------------

@task(name="prepare-store", cache_policy=NO_CACHE)
def prepare(config: AppConfig) -> None:
    """Schema up to date; organisations, services and sources as the config declares."""
    prepare_store(config)


def is_file_source(src: SourceConfig) -> bool:
    return src.kind != "yandex" and not (src.kind == "pos" and src.base_url and not src.path) \
        and bool(src.path)


def ingest_files(config: AppConfig, src: SourceConfig, source_id: int, out: SourceOutcome) -> None:
    """The source's new drop files, each imported in its own transaction."""

    if not src.path:
        out.status, out.detail = "skipped", "не указан path (каталог или маска файлов)"
        return

    def done(result: IngestResult) -> None:
        out.files += 1
        out.add(result)

    options = options_from(src.settings(), config.path.parent if config.path else None,
                           timezone=config.region.timezone)
    out.files_skipped = import_new_files(src.kind, source_id, config.resolve(src.path), options, done)


@task(name="crawl-yandex", cache_policy=NO_CACHE)
def crawl_yandex_sources(config: AppConfig, sources: list[tuple[OrganisationConfig, SourceConfig]],
                         identity: Identity) -> dict[str, CrawlResult]:
    """The Yandex sources of a task in one crawler process per endpoint, one organisation
    after another, as this worker's crawl identity (politeness holds per host and identity
    across the fleet). Incremental: each stops at the first page with nothing newer than its
    newest stored review; a source with nothing stored yet reads every sort order. Per
    source the result is then stored by its own task; one that failed here is crawled
    again there."""

    replay_dir = config.resolve(config.replay.dir) if config.replay else None
    groups: dict[tuple[Any, Any], list[tuple[str, SourceConfig, int]]] = {}
    for org, src in sources:
        member = (f"{org.code}/{src.name}", src, source_id_of(org.code, src.name))
        groups.setdefault(site_of(src), []).append(member)
    fetched: dict[str, CrawlResult] = {}
    for (base_setting, delay), members in groups.items():
        crawlable = [m for m in members if m[1].external_id]
        with endpoint(base_setting, replay_dir) as base_url:
            plans = [_jobs(src, base_url, source_id, identity) for _, src, source_id in crawlable]
            pause = float(delay) if delay is not None else None
            results = crawl_many([j for plan in plans for j in plan], pause, identity=identity)
        for (name, _, _), plan in zip(crawlable, plans, strict=True):
            fetched[name] = merge(results[:len(plan)])
            results = results[len(plan):]
    return fetched


def site_of(src: SourceConfig) -> tuple[Any, Any]:
    """What Yandex sources crawled in one crawler process share: the site and the delay."""
    settings = src.settings()
    return settings.get("base_url"), settings.get("delay")


def _jobs(src: SourceConfig, base_url: str, source_id: int, identity: Identity) -> list[CrawlJob]:
    """Newest first since the newest stored review, with the cookies the site gave this
    identity last time; every sort order for a new source."""
    settings, since = src.settings(), latest_published_at(source_id)
    cookies = kept_cookies(source_id, identity=identity)
    rankings = RANKINGS if since is None else (BY_TIME,)
    return [CrawlJob(src.external_id or "", base_url, settings.get("max_pages"), since, settings.get("slug"),
                     ranking, cookies, settings.get("strategy", "pages")) for ranking in rankings]


def crawl_yandex(config: AppConfig, src: SourceConfig, source_id: int, out: SourceOutcome,
                 identity: Identity, fetched: CrawlResult | None = None) -> None:
    """Store the batch's result for this source, or crawl it alone (a retry, a batch failure)."""

    settings = src.settings()
    if fetched is not None and fetched.error is None:
        result = ingest_crawl(source_id, fetched, slug=settings.get("slug"), identity=identity)
    else:
        replay_dir = config.resolve(config.replay.dir) if config.replay else None
        with endpoint(settings.get("base_url"), replay_dir) as base_url:
            delay = settings.get("delay")
            result = crawl_into_source(source_id, src.external_id or "", base_url=base_url,
                                       max_pages=settings.get("max_pages"), slug=settings.get("slug"),
                                       delay=float(delay) if delay is not None else None,
                                       strategy=settings.get("strategy", "pages"), identity=identity)
    out.add(result)
    if result.status == "blocked":
        raise SourceBlocked(result.note or "капча")
    if result.status in ("failed", "partial"):
        raise UserError(result.note or "сбор отзывов не удался")


def pull_pos_api(src: SourceConfig, source_id: int, out: SourceOutcome) -> None:

    out.add(import_pos_api(source_id, src.settings()))


@task(name="ingest-source", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def ingest_source(config: AppConfig, org: OrganisationConfig, src: SourceConfig, identity: Identity,
                  fetched: CrawlResult | None = None) -> SourceOutcome:
    """One source, whatever its channel. A captcha is not retried: the source is blocked."""
    logger = get_run_logger()
    started = time.perf_counter()
    out = SourceOutcome(org.code, src.name, src.kind)
    source_id = source_id_of(org.code, src.name)
    try:
        if src.kind == "yandex":
            crawl_yandex(config, src, source_id, out, identity, fetched)
        elif is_file_source(src) or src.kind != "pos":
            ingest_files(config, src, source_id, out)
        else:
            pull_pos_api(src, source_id, out)
    except SourceBlocked as exc:
        out.status, out.detail = "blocked", str(exc)
        out.blocked_nights = blocked_nights(source_id)
        out.seconds = round(time.perf_counter() - started, 2)
        logger.warning("%s/%s: источник заблокирован (%s), запусков подряд: %d; сохранено новых: %d",
                       org.code, src.name, exc, out.blocked_nights, out.n_new)
        return out
    if out.status == "ok" and not (out.n_new or out.n_updated):
        out.status = "unchanged"
    out.seconds = round(time.perf_counter() - started, 2)
    logger.info("%s/%s: новых %d, изменённых %d, без изменений %d, в карантине %d, "
                "файлов %d (пропущено %d)", org.code, src.name, out.n_new, out.n_updated,
                out.n_unchanged, out.n_quarantined, out.files, out.files_skipped)
    return out


@task(name="import-practice", cache_policy=NO_CACHE)
def import_practice(config: AppConfig) -> list[dict[str, Any]]:
    """The practice workbooks (Таблицы 3, 3.1, 5) named in the config; unchanged ones are no-ops."""

    logger = get_run_logger()
    done = []
    for org_cfg in config.organisations:
        for period, relative in sorted(org_cfg.practice.items()):
            path = config.resolve(relative)
            changed, warnings = import_practice_file(org_cfg.code, period, path)
            for warning in warnings:
                logger.warning("%s, %s: %s", org_cfg.code, path.name, warning)
            done.append({"org": org_cfg.code, "period": period, "changed": changed})
    return done


def _model_path(config: AppConfig) -> str | None:
    """The model in use: the newest one the nightly retraining accepted, else the config's."""

    path, _ = active_model(_configured_model(config))
    return str(path)


def _configured_model(config: AppConfig) -> Path | None:
    return config.resolve(config.nlp.model_path) if config.nlp.model_path else None


def retrain_plan(config: AppConfig) -> RetrainPlan:

    nlp = config.nlp
    return RetrainPlan(
        models_dir=config.resolve(nlp.models_dir), min_labels=nlp.retrain_min_labels,
        corpus_dirs=[config.resolve(d) for d in nlp.corpus] if nlp.corpus else TRAIN_DIRS,
        validation_dir=config.resolve(nlp.validation) if nlp.validation else VALIDATION_DIR,
        fallback_model=_configured_model(config))


@task(name="retrain", cache_policy=NO_CACHE)
def retrain(config: AppConfig) -> dict[str, Any]:
    """Retrain on the corpus plus analysts' labels when enough new ones exist; keep the
    candidate only when it does not lose to the model in use on the validation set."""

    logger = get_run_logger()
    if config.nlp.retrain_min_labels <= 0:
        return {"status": "off"}
    outcome = run_retrain(retrain_plan(config))
    if outcome.status == "skipped":
        logger.info("Переобучение не требуется: %s", outcome.reason)
    else:
        c, b = outcome.candidate, outcome.current
        logger.info("Переобучение (%s меток аналитиков, новых %s): новая модель micro-F1 %.3f, "
                    "macro-F1 %.3f, тональность %.3f; текущая micro-F1 %.3f, macro-F1 %.3f, "
                    "тональность %.3f — %s (%s)",
                    outcome.labels, outcome.new_labels, c["micro_f1"], c["macro_f1"], c["polarity_accuracy"],
                    b["micro_f1"], b["macro_f1"], b["polarity_accuracy"],
                    "принята" if outcome.status == "accepted" else "отклонена", outcome.reason)
    return outcome.as_dict()


def classify_share(config: AppConfig, lo: int, hi: int) -> dict[str, Any]:
    """Categories, polarity, masking and mentions for the new or changed items of one share
    of the backlog (lo < id ≤ hi), with this process's copy of the model."""

    logger = get_run_logger()
    last = [0]

    def progress(done: int, total: int) -> None:
        if done - last[0] >= 5000 or done == total:
            logger.info("Классификация, доля %d–%d: %d из %d", lo + 1, hi, done, total)
            last[0] = done

    counts = classify_pending(batch_size=config.nlp.batch_size, id_range=(lo, hi), progress=progress,
                              classifier=_classifier(_model_path(config), config.nlp.ner))
    return counts.as_dict()


def classify_night(config: AppConfig, night: str, holder: str, dispatch: Callable[[Taken], dict[str, Any]],
                   give_up: Callable[[Taken], dict[str, Any]], alone: bool = False) -> dict[str, Any]:
    """The backlog cut into shares (`[fleet] classify_chunk` items; one share when `alone`)
    that this process and the night's helpers classify side by side: no item is in two
    shares, and a lost worker's share goes to another (what it stored already is no longer
    pending)."""

    ranges = pending_ranges(2**31 if alone else config.fleet.classify_chunk)
    get_run_logger().info("Классификация: к обработке %d, долей %d", count_pending(), len(ranges))
    parts = share_out(night, holder, config.fleet.lease_seconds, CLASSIFY,
                      [{"lo": lo, "hi": hi} for lo, hi in ranges], dispatch, give_up)
    return BatchCounts.total(parts, _classifier(_model_path(config), config.nlp.ner).version).as_dict()


@lru_cache(maxsize=2)
def _classifier(model_path: str | None, ner: bool) -> Classifier:
    """One loaded model per worker process."""

    return Classifier.load(model_path, ner=ner)


@task(name="classify-chunk", cache_policy=NO_CACHE)
def classify_chunk(texts: list[str | None], ratings: list[float | None], model_path: str | None,
                   ner: bool) -> list[Result]:
    """A pure transform (texts → results) that a Dask worker runs; storing stays with the flow."""
    return _classifier(model_path, ner).classify_batch(texts, ratings)


def classify_parallel(config: AppConfig, chunk: int = 1000, window: int = 4) -> dict[str, Any]:
    """The backlog in pages of `window` chunks classified concurrently by the task runner's
    workers; each chunk's results are stored as they come."""

    logger = get_run_logger()
    model_path = _model_path(config)
    counts = BatchCounts(model_version=_classifier(model_path, config.nlp.ner).version)
    total = count_pending()
    for rows in pending_pages(chunk * window):
        parts = [rows[i:i + chunk] for i in range(0, len(rows), chunk)]
        futures = [classify_chunk.submit([r.text for r in part], [r.rating for r in part], model_path,
                                         config.nlp.ner) for part in parts]
        for part, future in zip(parts, futures, strict=True):
            store_page(part, future.result(), counts)
        logger.info("Классификация: %d из %d", counts.classified, total)
    return counts.as_dict()


KEEP_TASKS_DAYS = 30  # the night_tasks of older nights are deleted (the summaries stay)
SCORE_PERIODS_PER_TASK = 4  # a year, a quarter and two months: shares of similar weight


def touched_periods(days: set[date], practice_years: set[int]) -> list[str]:
    """Every period a changed item falls in, and every period of a year whose practice
    workbook changed (its Кпр and Кэф move), as keys."""
    periods = {p.key for p in affected(days)}
    for y in practice_years:
        periods |= {p.key for p in [year(y), *(quarter(y, q) for q in range(1, 5)),
                                    *(month(y, m) for m in range(1, 13))]}
    return sorted(periods)


def recompute_share(config: AppConfig, keys: list[str]) -> dict[str, Any]:
    """One share of the recomputation: these periods' scores, in one transaction."""
    return {"changes": recompute_changes([parse_period(k) for k in keys], config.region.timezone)}


def recompute_night(config: AppConfig, night: str, holder: str, days: set[date], practice_years: set[int],
                    dispatch: Callable[[Taken], dict[str, Any]], give_up: Callable[[Taken], dict[str, Any]],
                    alone: bool = False) -> list[dict[str, Any]]:
    """Scores of every period the night touched, recomputed in shares of a few periods by
    this process and the night's helpers (periods are independent; `alone`, all in one
    share: SQL aggregates over all of them at once); returns the indicators whose value
    moved."""
    keys = touched_periods(days, practice_years)
    n = max(1, len(keys)) if alone else SCORE_PERIODS_PER_TASK
    parts = share_out(night, holder, config.fleet.lease_seconds, SCORES,
                      [{"periods": keys[i:i + n]} for i in range(0, len(keys), n)], dispatch, give_up)
    changes = [c for part in parts for c in part.get("changes", [])]
    changes.sort(key=lambda c: (c["org"], c["channel"], c["period"]))
    get_run_logger().info("Пересчитано периодов: %d; изменившихся показателей: %d", len(keys), len(changes))
    return changes


@task(name="raise-incidents", cache_policy=NO_CACHE)
def raise_incidents(config: AppConfig) -> dict[str, Any]:
    """Tonight's signals as incidents: new ones opened, known ones updated, none twice."""
    from service.incidents import raise_incidents as record_incidents

    found = record_incidents(config)
    get_run_logger().info("Инциденты: сигналов %d, новых %d, обновлено %d; открыто %d, просрочено %d",
                          found["signals"], found["new"], found["updated"], found["open"], found["overdue"])
    return found


@task(name="notify", cache_policy=NO_CACHE)
def notify(config: AppConfig, urgent: list[int], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The morning digests and the immediate messages about a «Плохо»; failures are kept and
    retried by the next run, never raised."""
    from service.notify import send_notifications

    sent = send_notifications(config, urgent, changes)
    logger = get_run_logger()
    logger.info("Уведомления: новых %d, отправлено %d, не доставлено %d", sent["new"], sent["sent"],
                sent["failed"])
    for error in sent["errors"]:
        logger.warning("Уведомление не доставлено: %s", error)
    return sent


def alerts(config: AppConfig, changes: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Incidents, then notifications; a failure of either is logged and kept in the summary,
    never a failed night (the data and scores are stored by then)."""
    if not config.alerts.enabled:
        return {"status": "off"}, {"status": "off"}
    state = raise_incidents(config, return_state=True)
    if not state.is_completed():
        get_run_logger().error("Инциденты не сформированы: %s", _error_text(state))
        return {"status": "failed", "detail": _error_text(state)}, {"status": "skipped"}
    found: dict[str, Any] = state.result()
    sent = notify(config, found["urgent_ids"], changes, return_state=True)
    if not sent.is_completed():
        get_run_logger().error("Уведомления не отправлены: %s", _error_text(sent))
        return found, {"status": "failed", "detail": _error_text(sent)}
    return found, sent.result()


class Stopwatch:
    """Seconds spent in each stage, kept in the run summary."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now


# --- the night's tasks -----------------------------------------------------------------------

SOURCES, CLASSIFY, SCORES = "sources", "classify", "scores"


def plan_sources(chosen: list[tuple[OrganisationConfig, SourceConfig]], size: int | None
                 ) -> list[tuple[str, dict[str, Any]]]:
    """The night's sources as tasks: the Yandex ones of one endpoint `size` at a time (one
    crawler process each; all of them when nobody shares the night), first, since they take
    longest; every other source on its own."""
    groups: dict[tuple[Any, Any], list[str]] = {}
    others = []
    for org, src in chosen:
        name = f"{org.code}/{src.name}"
        if src.kind == "yandex":
            groups.setdefault(site_of(src), []).append(name)
        else:
            others.append(name)
    batches = [names[i:i + (size or len(names))] for names in groups.values()
               for i in range(0, len(names), size or len(names))]
    return [(SOURCES, {"sources": batch}) for batch in [*batches, *([n] for n in others)]]


def by_name(config: AppConfig) -> dict[str, tuple[OrganisationConfig, SourceConfig]]:
    """The config's sources by the names tasks carry (`код_органа/имя`)."""
    return {f"{o.code}/{s.name}": (o, s) for o, s in config.sources()}


def run_sources(config: AppConfig, names: list[str], identity: Identity) -> list[SourceOutcome]:
    """One task's sources: its Yandex ones crawled in one batch, then each source stored (or,
    for files and APIs, ingested) by its own Prefect task with retries and a timeout."""
    logger = get_run_logger()
    known = by_name(config)
    pairs = [known[n] for n in names if n in known]
    batch = crawl_yandex_sources(config, [(o, s) for o, s in pairs if s.kind == "yandex"], identity,
                                 return_state=True)
    # A batch that could not run at all leaves each Yandex source to crawl (and fail) alone.
    crawled: dict[str, CrawlResult] = batch.result() if batch.is_completed() else {}
    outcomes = []
    for org, src in pairs:
        settings = src.settings()
        state = ingest_source.with_options(
            timeout_seconds=float(settings.get("timeout", 3600)),
            retries=int(settings.get("retries", 2)),
            retry_delay_seconds=float(settings.get("retry_delay", 5)),
            task_run_name=f"ingest-{org.code}-{src.name}",
        )(config, org, src, identity, crawled.get(f"{org.code}/{src.name}"), return_state=True)
        if state.is_completed():
            outcomes.append(state.result())
        else:
            error = _error_text(state)
            logger.error("%s/%s: ошибка: %s", org.code, src.name, error)
            _mark_failed(org.code, src.name, error)
            outcomes.append(SourceOutcome(org.code, src.name, src.kind, status="failed", detail=error))
    return outcomes


def tasks_of(config: AppConfig, identity: Identity) -> tuple[Callable[[Taken], dict[str, Any]],
                                                             Callable[[Taken], dict[str, Any]]]:
    """How this worker does a task of the night, and what a task that failed too often says."""

    def dispatch(taken: Taken) -> dict[str, Any]:
        if taken.kind == CLASSIFY:
            return classify_share(config, taken.payload["lo"], taken.payload["hi"])
        if taken.kind == SCORES:
            return recompute_share(config, taken.payload["periods"])
        outcomes = run_sources(config, taken.payload["sources"], identity)
        ids = [i for o in outcomes for i in o.changed_ids]
        return {"outcomes": [o.summary() for o in outcomes],
                "days": sorted(d.isoformat() for d in changed_days(ids, config.region.timezone))}

    def give_up(taken: Taken) -> dict[str, Any]:
        detail = (f"задача не выполнена за {taken.attempts - 1} попыток: рабочие терялись на ней "
                  "или она завершалась ошибкой (см. журнал Prefect)")
        if taken.kind == CLASSIFY:
            return {"classified": 0, "error": detail}
        if taken.kind == SCORES:
            return {"changes": [], "error": detail}
        known = by_name(config)
        return {"outcomes": [SourceOutcome(o.code, s.name, s.kind, status="failed", detail=detail).summary()
                             for o, s in (known[n] for n in taken.payload["sources"] if n in known)],
                "days": []}

    return dispatch, give_up


def gathered(night: str) -> tuple[list[SourceOutcome], set[date], list[dict[str, Any]]]:
    """Every source task's outcomes, whoever did it; the days they changed; the takeovers."""
    outcomes, days, takeovers = [], set(), []
    fields = {f.name for f in dataclasses.fields(SourceOutcome)}
    for t in shards.tasks(night, SOURCES):
        worker = worker_of(t.holders[-1]) if t.holders else None
        for data in t.result.get("outcomes", []):
            out = SourceOutcome(**{k: v for k, v in data.items() if k in fields})
            out.worker, out.attempts = worker, t.attempts
            outcomes.append(out)
        days |= {date.fromisoformat(d) for d in t.result.get("days", [])}
        lost = [worker_of(h) for h in t.holders[:-1] if h != t.holders[-1]]
        if lost:  # (a task a worker gave back after an error and took again is no takeover)
            takeovers.append({"sources": t.payload["sources"], "by": worker,
                              "from": list(dict.fromkeys(lost))})
    return outcomes, days, takeovers


def new_night() -> str:
    """The night's key: the coordinator's flow run id (a fresh one outside Prefect)."""
    from prefect.runtime import flow_run

    return str(flow_run.get_id() or uuid.uuid4())


# --- the flows --------------------------------------------------------------------------------

def selected(config: AppConfig, only: str | None) -> list[tuple[OrganisationConfig, SourceConfig]]:
    chosen = [(o, s) for o, s in config.sources() if s.enabled and
              (only is None or only in (s.name, f"{o.code}/{s.name}"))]
    if only is not None and not chosen:
        raise UserError(f"источник «{only}» не найден в конфигурации (укажите имя или код_органа/имя)")
    return chosen


def idle_sources(config: AppConfig,
                 chosen: list[tuple[OrganisationConfig, SourceConfig]]) -> list[SourceOutcome]:
    """Sources with nothing to do tonight, taken out of `chosen`: a Yandex card resting
    after nights of captchas, a drop folder with no new file (no task to run for it)."""
    logger = get_run_logger()
    outcomes = []
    for org, src in list(chosen):
        source_id = source_id_of(org.code, src.name)
        if src.kind == "yandex":
            pause = resting(source_id)
            if pause is not None:  # blocked night after night: give the site a rest
                logger.warning("%s/%s: пропущен — %s", org.code, src.name, pause)
                outcomes.append(SourceOutcome(org.code, src.name, src.kind, status="skipped", detail=pause))
                chosen.remove((org, src))
        elif is_file_source(src) and src.path:
            fresh, skipped = new_files(source_id, config.resolve(src.path))
            if not fresh:
                outcomes.append(SourceOutcome(org.code, src.name, src.kind, status="unchanged",
                                              files_skipped=skipped))
                chosen.remove((org, src))
    return outcomes


@flow(name="painmap-nightly", log_prints=False)
def nightly_flow(config_path: str | None = None, source: str | None = None,
                 parallel: bool = False, shards_wanted: int | None = None) -> dict[str, Any]:
    """The night. `shards_wanted` — None: this process does all the work; 0: one share per
    online worker of the `[fleet] pool` (this one included); N: N shares."""
    logger = get_run_logger()
    clock = Stopwatch()
    config = load_config(Path(config_path) if config_path else None)
    me = identity_from()
    holder = holder_name(me)
    lease = config.fleet.lease_seconds
    dispatch, give_up = tasks_of(config, me)
    with held("nightly", "Ночной прогон"):  # two runs would classify the same items twice
        prepare(config)
        clock.lap("prepare")
        chosen = selected(config, source)
        idle = idle_sources(config, chosen)
        night = new_night()
        alone = shards_wanted is None  # no helpers: one crawler process per site saves start-ups
        shards.prune(KEEP_TASKS_DAYS)
        planned = shards.plan(night, plan_sources(chosen, None if alone else config.fleet.batch))
        helpers: list[str] = []
        try:
            helpers = _helpers(config, config_path, night, shards_wanted)
            work(night, holder, lease, dispatch, give_up, kind=SOURCES)
            done, days, takeovers = gathered(night)
            outcomes = idle + done
            for moved in takeovers:
                logger.warning("Источники %s перезапущены рабочим %s после потери %s",
                               ", ".join(moved["sources"]), moved["by"], ", ".join(moved["from"]))
            clock.lap("ingest")
            practice = import_practice(config) if source is None else []
            clock.lap("practice")
            classified = classify_parallel(config) if parallel else \
                classify_night(config, night, holder, dispatch, give_up, alone)
            clock.lap("classify")
            retrained = retrain(config) if source is None else {"status": "skipped"}
            if retrained["status"] == "accepted":  # the new model reads every item again
                _classifier.cache_clear()
                again = classify_parallel(config) if parallel else \
                    classify_night(config, night, holder, dispatch, give_up, alone)
                classified["reclassified"] = again["classified"]
            clock.lap("retrain")
            years = {int(p["period"]) for p in practice if p["changed"] and str(p["period"]).isdigit()}
            changes = recompute_night(config, night, holder, days, years, dispatch, give_up, alone)
            clock.lap("scores")
        finally:
            shards.close(night)  # the helpers stop
        incidents, notifications = alerts(config, changes) if source is None else ({}, {})
        clock.lap("alerts")
        fleet = _fleet_summary(night, len(planned), helpers, takeovers)
        failed = [o for o in outcomes if o.status in ("failed", "blocked")]
        summary: dict[str, Any] = {
            "sources": [o.summary() for o in outcomes],
            "practice": practice,
            "classified": classified,
            "retrain": retrained,
            "scores_changed": changes,
            "incidents": incidents,
            "notifications": notifications,
            "fleet": fleet,
            "timings": clock.laps,
        }
        summary["run_id"] = record_nightly(summary, "partial" if failed else "ok")
        logger.info("Ночной прогон завершён: источников %d (с ошибками или заблокировано: %d), "
                    "классифицировано %d, изменившихся показателей %d; рабочих %d, перезапущено задач %d",
                    len(outcomes), len(failed), classified.get("classified", 0), len(changes),
                    len(fleet["workers"]), len(takeovers))
        return summary


def _helpers(config: AppConfig, config_path: str | None, night: str, wanted: int | None) -> list[str]:
    """Ask the pool for helpers: as many shard runs as shares wanted, less this one."""
    if wanted is None:
        return []
    count = wanted or online_workers(config.fleet.pool)
    if count <= 1:
        return []
    runs = launch_helpers(count - 1, {"night": night, "config_path": config_path})
    get_run_logger().info("Помощников в пуле «%s» запрошено: %d", config.fleet.pool, len(runs))
    return runs


def _fleet_summary(night: str, planned: int, helpers: list[str],
                   takeovers: list[dict[str, Any]]) -> dict[str, Any]:
    everything = shards.tasks(night)
    workers = Counter(worker_of(t.holders[-1]) for t in everything if t.holders)
    return {"night": night, "source_tasks": planned,
            "tasks": sum(1 for t in everything if t.kind != shards.CLOSED),
            "workers": dict(sorted(workers.items())), "taken_over": takeovers,
            "helpers": settle_helpers(helpers) if helpers else {}}


@flow(name="painmap-shard", log_prints=False)
def shard_flow(night: str, config_path: str | None = None) -> dict[str, Any]:
    """A helper of one night: takes the night's tasks (sources to crawl and store, shares of
    items to classify) as this worker's crawl identity until the coordinator closes it."""
    config = load_config(Path(config_path) if config_path else None)
    me = identity_from()
    holder = holder_name(me)
    dispatch, give_up = tasks_of(config, me)
    get_run_logger().info("Рабочий %s помогает ночи %s", holder, night)
    done = work(night, holder, config.fleet.lease_seconds, dispatch, give_up, until_closed=True,
                idle_limit=max(600.0, 10 * config.fleet.lease_seconds))
    return {"worker": holder, "tasks": done}


def _error_text(state: State[Any]) -> str:
    try:
        state.result()
    except BaseException as exc:  # the task's own exception, re-raised by Prefect
        return str(exc) or type(exc).__name__
    return state.message or "неизвестная ошибка"


def _mark_failed(org_code: str, name: str, error: str) -> None:

    mark_source(source_id_of(org_code, name), "failed", error)


def run_nightly(config_path: str | None = None, source: str | None = None,
                task_runner: str = "default") -> dict[str, Any]:
    """Run the flow once with the chosen task runner (`dask` needs the `scale` extra)."""
    if task_runner == "default":
        return nightly_flow(config_path, source)
    if task_runner != "dask":
        raise UserError(f"неизвестный task runner «{task_runner}»: default или dask")
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise UserError("для --task-runner dask установите extra scale: "
                        "pip install 'painmap[scale]'") from None
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True,
                                            "dashboard_address": None})
    return nightly_flow.with_options(task_runner=runner)(  # type: ignore[arg-type]  # prefect-dask's generics
        config_path, source, parallel=True)


def deployment(config: AppConfig, task_runner: str = "default") -> Any:  # prefect: sync or async
    """The nightly deployment on the config's cron (default 02:00 Europe/Moscow)."""

    return nightly_flow.to_deployment(
        name="painmap-nightly",
        schedules=[Cron(config.schedule.cron, timezone=config.schedule.timezone)],
        parameters={"config_path": str(config.path) if config.path else None,
                    "parallel": task_runner == "dask"},
        description="Ночной прогон painmap: сбор, импорт, классификация, пересчёт коэффициентов.",
        tags=["painmap"],
    )


PROJECT_ROOT = Path(__file__).resolve().parent.parent


def deploy_to_pool(config: AppConfig, pool: str | None = None) -> list[str]:
    """The nightly (on the config's cron) and its helper as deployments of a process work
    pool (created when missing), run by any worker of the pool from this checkout's path,
    which every worker machine must have (docs/scale-out.md). Returns the deployment names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    pool = pool or config.fleet.pool
    # A second deploy finds the pool and updates the deployments only.
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(
            name=pool, type="process", base_job_template=ProcessWorker.get_default_base_job_template()))
    env = {"OPENBLAS_NUM_THREADS": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    config_path = str(config.path) if config.path else None
    names = []
    for entry, name, schedules, parameters in (
        ("nightly_flow", "painmap-nightly", [Cron(config.schedule.cron, timezone=config.schedule.timezone)],
         {"config_path": config_path, "shards_wanted": config.fleet.shards}),
        ("shard_flow", "painmap-shard", [], {"config_path": config_path}),
    ):
        source = flow.from_source(source=str(PROJECT_ROOT), entrypoint=f"flows/nightly.py:{entry}")
        source.deploy(name=name, work_pool_name=pool, schedules=schedules,  # type: ignore[union-attr]
                      parameters=parameters, job_variables={"env": env}, tags=["painmap"],
                      print_next_steps=False)
        names.append(f"{name}/{name}")
    return names
