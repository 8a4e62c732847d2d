"""The TOML configuration: organisations, their services and sources, schedule, NLP.

A broken file is reported with the file, the line and the key, in Russian, because the
people who edit it are the monitoring office's staff, not developers.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from models.settings import get_settings
from models.tables import SOURCE_KINDS
from vocabulary.channels import Channel
from vocabulary.dates import DEFAULT_TIMEZONE
from vocabulary.errors import UserError
from vocabulary.incidents import SIGNALS
from vocabulary.validation import pydantic_message

DEFAULT_CONFIG = Path("painmap.toml")
SourceKind = Channel


class ConfigError(UserError):
    """A configuration problem located in the file: shown to the user as is."""

    def __init__(self, path: Path, message: str, line: int | None = None, key: str | None = None):
        self.path, self.line, self.key, self.message = path, line, key, message
        where = str(path)
        if line is not None:
            where += f", строка {line}"
        if key:
            where += f", ключ «{key}»"
        super().__init__(f"Ошибка в конфигурации {where}: {message}")


class SourceConfig(BaseModel):
    """One channel instance. Keys beyond the known ones are kept as the source's settings."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    kind: SourceKind
    external_id: str | None = None
    base_url: str | None = None
    path: str | None = Field(default=None, description="drop folder or glob for file channels")
    enabled: bool = True

    @field_validator("external_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    def settings(self) -> dict[str, Any]:
        known = {"name", "kind", "external_id", "enabled"}
        return {k: v for k, v in self.model_dump().items() if k not in known and v is not None}


class OrganisationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1)
    services: list[str] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)
    practice: dict[str, str] = Field(
        default_factory=dict, description="period → practice workbook (Таблицы 3, 3.1, 5)"
    )
    responsible: str | None = Field(default=None, description="who handles the office's incidents")


class ScheduleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cron: str = "0 2 * * *"
    timezone: str = DEFAULT_TIMEZONE

    @field_validator("cron")
    @classmethod
    def _cron_fields(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError("cron должен состоять из 5 полей, например «0 2 * * *»")
        return value


class NlpConfig(BaseModel):
    """`[nlp]`: the classifier. The nightly run retrains it when `retrain_min_labels` new
    analyst labels have gathered (0 turns retraining off) and keeps the new model, saved
    in `models_dir`, only if it does not lose on the validation set. `corpus` and
    `validation` replace the package's corpus v2 + v1 and validation set."""

    model_config = ConfigDict(extra="forbid")
    ner: bool = True
    batch_size: int = Field(default=512, ge=1, le=100_000)
    model_path: str | None = None
    retrain_min_labels: int = Field(default=50, ge=0)
    models_dir: str = "models"
    corpus: list[str] | None = None
    validation: str | None = None


class ReplayConfig(BaseModel):
    """Recorded Yandex pages replayed on loopback (the demo, offline trials)."""

    model_config = ConfigDict(extra="forbid")
    dir: str


class RegionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "Муниципальное образование"
    timezone: str = DEFAULT_TIMEZONE
    # Below this many ratings a figure is shown as «мало данных»: not interpreted, not compared.
    min_sample: int = Field(default=30, ge=1, le=10_000)


class AlertsConfig(BaseModel):
    """`[alerts]`: when the nightly run opens an incident, and by when someone must act.

    Item signals (a bad rating, an unanswered review, an overdue ПОС message) look only at
    items published in the last `lookback_days` (ПОС messages: `pos_lookback_days`, since
    their deadlines are weeks long): a year-old backlog belongs in the report, not in
    tonight's incidents. A spike compares an office × category's last `recent_days` with
    its `baseline_days` before them by a one-sided Poisson test at `spike_alpha`, and needs
    at least `spike_min_count` complaints. `sla_hours` gives a deadline per signal."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    lookback_days: int = Field(default=7, ge=1, le=366)
    pos_lookback_days: int = Field(default=60, ge=1, le=366)
    recent_days: int = Field(default=7, ge=1, le=60)
    baseline_days: int = Field(default=90, ge=7, le=730)
    spike_min_count: int = Field(default=3, ge=1)
    spike_alpha: float = Field(default=0.001, gt=0, lt=0.5)
    new_pain_min_count: int = Field(default=2, ge=1)
    reply_hours: int = Field(default=24, ge=1)
    source_down_runs: int = Field(default=3, ge=1)
    default_responsible: str = "руководитель органа"
    sla_hours: dict[str, int] = Field(default_factory=dict)

    @field_validator("sla_hours")
    @classmethod
    def _known_signals(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(SIGNALS))
        if unknown:
            raise ValueError(f"неизвестный сигнал {unknown[0]!r}; допустимы: " + ", ".join(SIGNALS))
        if any(hours < 1 for hours in value.values()):
            raise ValueError("срок в часах должен быть не меньше 1")
        return value

    def sla(self, signal: str) -> int:
        """Hours to handle an incident of this signal (24 by default)."""
        return self.sla_hours.get(signal, 24)


class Recipient(BaseModel):
    """`[[notify.recipients]]`: who hears about which offices and signals (empty = all)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    webhook: str | None = Field(default=None, pattern=r"^https?://")
    orgs: list[str] = Field(default_factory=list)
    signals: list[str] = Field(default_factory=list)
    digest: bool = True
    immediate: bool = True  # a «Плохо» is sent at once, not only in the morning digest

    @field_validator("signals")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SIGNALS))
        if unknown:
            raise ValueError(f"неизвестный сигнал {unknown[0]!r}; допустимы: " + ", ".join(SIGNALS))
        return value

    def hears(self, org: str, signal: str) -> bool:
        return (not self.orgs or org in self.orgs) and (not self.signals or signal in self.signals)


class NotifyConfig(BaseModel):
    """`[notify]`: how messages leave. SMTP when `smtp_host` is set (login and password from
    the environment variables named here, never from the file); a webhook is signed with
    HMAC-SHA256 of the body under the secret in `webhook_secret_env`; `outbox`, a folder,
    keeps a copy of every message as files (the demo's only transport)."""

    model_config = ConfigDict(extra="forbid")
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_from: str = "painmap@localhost"
    smtp_user_env: str = "PAINMAP_SMTP_USER"
    smtp_password_env: str = "PAINMAP_SMTP_PASSWORD"
    smtp_timeout: float = Field(default=20.0, gt=0)
    webhook_secret_env: str = "PAINMAP_WEBHOOK_SECRET"
    webhook_timeout: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)  # within one run, per transport
    max_attempts: int = Field(default=5, ge=1)  # runs that may retry a failed message
    outbox: str | None = None
    base_url: str | None = None  # the pages' address, for links in messages
    recipients: list[Recipient] = Field(default_factory=list)


class FleetConfig(BaseModel):
    """`[fleet]`: how one night's work is shared by the workers of a Prefect work pool
    (docs/scale-out.md).

    Sources go out in tasks of up to `batch` sources (the Yandex ones of a task are crawled
    in one crawler process), items to classify in tasks of `classify_chunk`. A worker holds
    a task under a lease of `lease_seconds`, renewed while it works; a killed worker's task
    goes to another worker once the lease has run out. `shards` is how many workers the
    night asks for: 0 — one per online worker of `pool`."""

    model_config = ConfigDict(extra="forbid")
    pool: str = "painmap"
    shards: int = Field(default=0, ge=0, le=500)
    batch: int = Field(default=5, ge=1, le=1000)
    classify_chunk: int = Field(default=2000, ge=100)
    lease_seconds: float = Field(default=60.0, ge=2.0, le=3600.0)


class AppConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fleet: FleetConfig = Field(default_factory=FleetConfig)
    region: RegionConfig = Field(default_factory=RegionConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    nlp: NlpConfig = Field(default_factory=NlpConfig)
    drop_dir: str | None = None
    replay: ReplayConfig | None = None
    organisations: list[OrganisationConfig] = Field(default_factory=list)
    path: Path | None = Field(default=None, exclude=True)

    def resolve(self, relative: str) -> Path:
        """Paths in the file are relative to the file itself, not to the working directory."""
        p = Path(relative)
        if p.is_absolute() or self.path is None:
            return p
        return self.path.parent / p

    def organisation(self, code: str) -> OrganisationConfig | None:
        return next((o for o in self.organisations if o.code == code), None)

    def sources(self) -> list[tuple[OrganisationConfig, SourceConfig]]:
        return [(o, s) for o in self.organisations for s in o.sources]


def config_path(explicit: Path | None = None) -> Path | None:
    """--config, then PAINMAP_CONFIG, then ./painmap.toml if it exists."""
    if explicit:
        return explicit
    if get_settings().config:
        return get_settings().config
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_config(path: Path | None = None, *, required: bool = False) -> AppConfig:
    """Load and validate the config; an absent optional config is an empty one."""
    resolved = config_path(path)
    if resolved is None:
        if required:
            raise ConfigError(DEFAULT_CONFIG, "файл конфигурации не найден")
        return AppConfig()
    if not resolved.exists():
        raise ConfigError(resolved, "файл не найден")
    text = resolved.read_text(encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise ConfigError(resolved, f"синтаксическая ошибка TOML: {exc}", line) from None
    try:
        config = AppConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise ConfigError(
            resolved, _russian(err), locate_key(text, loc), format_key(loc)
        ) from None
    config.path = resolved.resolve()
    _check_unique(config, text)
    return config


def _check_unique(config: AppConfig, text: str) -> None:
    seen: set[str] = set()
    for i, org in enumerate(config.organisations):
        if org.code in seen:
            loc: tuple[str | int, ...] = ("organisations", i, "code")
            raise ConfigError(config.path or DEFAULT_CONFIG,
                              f"код организации «{org.code}» повторяется",
                              locate_key(text, loc), format_key(loc))
        seen.add(org.code)
        names: set[str] = set()
        for j, src in enumerate(org.sources):
            if src.name in names:
                loc = ("organisations", i, "sources", j, "name")
                raise ConfigError(config.path or DEFAULT_CONFIG,
                                  f"источник «{src.name}» повторяется",
                                  locate_key(text, loc), format_key(loc))
            names.add(src.name)


# Where the file's wording differs from the shared one (vocabulary.validation).
_MESSAGES = {
    "missing": "обязательный ключ отсутствует",
    "extra_forbidden": "неизвестный ключ",
    "string_pattern_mismatch": "допустимы только латинские буквы, цифры и знаки _ . -",
    "greater_than_equal": "значение слишком мало",
    "less_than_equal": "значение слишком велико",
}


def _russian(err: ErrorDetails) -> str:
    if err["type"] == "literal_error":
        return (f"недопустимое значение {err.get('input')!r}; допустимы: "
                + ", ".join(SOURCE_KINDS))
    return pydantic_message(err, _MESSAGES)


def format_key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]+\")\s*=")


def locate_key(text: str, loc: tuple[Any, ...]) -> int | None:
    """Find the line of a validation error's location in TOML text.

    tomllib keeps no positions, so the file is walked line by line, tracking the current
    table path with array-of-tables indices; good for the usual hand-written layout.
    """
    counters: dict[tuple[str, ...], int] = {}
    current: tuple[Any, ...] = ()
    best: int | None = None
    target = tuple(loc)
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            names = tuple(p.strip().strip('"') for p in header.group(2).split("."))
            path: list[Any] = []
            for depth, name in enumerate(names):
                path.append(name)
                array_key = tuple(map(str, path))
                if header.group(1) == "[[" and depth == len(names) - 1:
                    counters[array_key] = counters.get(array_key, -1) + 1
                    path.append(counters[array_key])
                elif array_key in counters:  # a table inside the latest array element
                    path.append(counters[array_key])
            current = tuple(path)
            if target[: len(current)] == current:
                best = number
            continue
        key = _KEY.match(line)
        if key:
            full = (*current, key.group(1).strip('"'))
            if target[: len(full)] == full:
                best = number
    return best


def _line_from_message(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def apply_config(session: Any, config: AppConfig) -> None:
    """Make the store's organisations, services and sources match the config (additively:
    nothing is deleted, so history of a source removed from the file is kept)."""
    from models.repo import ensure_organisation, ensure_service, ensure_source

    for org_cfg in config.organisations:
        org, _ = ensure_organisation(session, org_cfg.code, org_cfg.name)
        for service in org_cfg.services:
            ensure_service(session, org, service)
        for src in org_cfg.sources:
            ensure_source(session, org, src.kind, src.name, src.external_id, src.settings())


def prepare_store(config: AppConfig) -> None:
    """Bring the schema up to date and the organisations/sources in line with the config."""
    from models.db import session_scope
    from models.migrate import upgrade

    upgrade()
    with session_scope() as session:
        apply_config(session, config)
