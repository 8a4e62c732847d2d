"""The store's tables.

Every importable thing has a natural unique key, so that re-running an import is an
upsert and never a duplicate: sources by (organisation, name), feedback by
(source, external id), practice rows by (organisation, period, service), score snapshots
by (organisation, channel, period), quarantine rows by (source, payload hash).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlalchemy import text as sa_text
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from vocabulary.channels import CHANNELS

SOURCE_KINDS = CHANNELS  # a source is one instance of a channel


def utcnow() -> datetime:
    """Every timestamp in the store is timezone-aware UTC (SQLModel's UTCDateTime enforces it)."""
    return datetime.now(UTC)


def json_column() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Organisation(SQLModel, table=True):
    """An орган: the unit the Методика scores (управление ЗАГС, отдел опеки…)."""

    __tablename__ = "organisations"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=100)
    name: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Service(SQLModel, table=True):
    """A municipal service provided by an organisation. `declared`: named in the config
    (the list imports check service names against); an import that meets an unknown name
    while the organisation declares none creates an undeclared one."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_services_org_name"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=1000)
    declared: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})


class Source(SQLModel, table=True):
    """A channel instance: one Yandex card, one ПОС export stream, one survey…"""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_sources_org_name"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20, index=True)
    external_id: str | None = Field(default=None, max_length=200)
    settings: dict[str, Any] = json_column()
    status: str = Field(default="ok", max_length=20)
    status_detail: str | None = Field(default=None, sa_column=Column(Text))
    last_run_at: datetime | None = None
    # What a crawler keeps between nights (the site's cookies), apart from the config's settings.
    crawl_state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(
        JSON, nullable=False, server_default=sa_text("'{}'")))


class IngestRun(SQLModel, table=True):
    """One import or crawl of one source (or one nightly run when source_id is null)."""

    __tablename__ = "ingest_runs"
    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    kind: str = Field(max_length=30)
    origin: str | None = Field(default=None, max_length=1000)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=20)
    n_new: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_quarantined: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    summary: dict[str, Any] = json_column()


class Feedback(SQLModel, table=True):
    """One citizen's feedback item from any channel.

    `text` keeps the raw text (personal data included) and never leaves the store except to
    the admin role; `text_masked` is what everything else shows. `classified_hash` is the
    `content_hash` the current classification was made for, so "new or changed" items are
    those where the two differ.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_feedback_source_external"),
        Index("ix_feedback_source_published", "source_id", "published_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id")
    external_id: str = Field(max_length=200)
    service_id: int | None = Field(default=None, foreign_key="services.id")
    published_at: datetime | None = None
    rating_raw: str | None = Field(default=None, max_length=100)
    rating: float | None = None
    criteria: dict[str, Any] = json_column()
    text: str | None = Field(default=None, sa_column=Column(Text))
    text_masked: str | None = Field(default=None, sa_column=Column(Text))
    reply_text: str | None = Field(default=None, sa_column=Column(Text))
    extra: dict[str, Any] = json_column()
    content_hash: str = Field(max_length=64)
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    ingest_run_id: int | None = Field(default=None, foreign_key="ingest_runs.id")
    polarity: str | None = Field(default=None, max_length=10)
    polarity_origin: str | None = Field(default=None, max_length=10)
    scores: dict[str, Any] = json_column()
    model_version: str | None = Field(default=None, max_length=100)
    classified_hash: str | None = Field(default=None, max_length=64)
    analyst_labeled_at: datetime | None = None
    # Per predicted category, the sentence that triggered it: character spans in `text` and
    # in `text_masked`, and the sentence's score (or the ПОС field that decided it).
    evidence: dict[str, Any] = json_column()
    # How unsure the model is (1 = a category exactly at its threshold): the labelling queue
    # shows the least sure texts first.
    uncertainty: float | None = Field(default=None, index=True)


class NlpModel(SQLModel, table=True):
    """A classifier trained by the nightly run from the corpus plus analysts' labels, and
    the verdict on it: kept only when it does not lose to the model in use on the fixed
    validation set. The newest accepted one whose file exists is the model in use."""

    __tablename__ = "nlp_models"
    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=100)
    path: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    accepted: bool = False
    n_analyst: int = 0
    # validation figures of this model and of the one in use when it was judged
    figures: dict[str, Any] = json_column()
    baseline: dict[str, Any] = json_column()
    reason: str | None = Field(default=None, sa_column=Column(Text))


class FeedbackVersion(SQLModel, table=True):
    """A previous version of an edited feedback item (text, rating or reply changed)."""

    __tablename__ = "feedback_versions"
    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    content_hash: str = Field(max_length=64)
    rating: float | None = None
    text: str | None = Field(default=None, sa_column=Column(Text))
    reply_text: str | None = Field(default=None, sa_column=Column(Text))
    criteria: dict[str, Any] = json_column()
    published_at: datetime | None = None
    replaced_at: datetime = Field(default_factory=utcnow)
    ingest_run_id: int | None = Field(default=None, foreign_key="ingest_runs.id")


class Classification(SQLModel, table=True):
    """A pain category assigned to a feedback item, by the model or by an analyst.

    Only assigned categories are stored. An item an analyst has labelled
    (`Feedback.analyst_labeled_at` set) is described by its analyst rows alone, which may be
    none at all; model rows are then kept for comparison but not used.
    """

    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint("feedback_id", "category", "origin", name="uq_classification"),
        Index("ix_classifications_category", "category", "origin"),
    )
    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    category: str = Field(max_length=30)
    probability: float = 1.0
    model_version: str | None = Field(default=None, max_length=100)
    origin: str = Field(default="model", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    author: str | None = Field(default=None, max_length=200)


class EmployeeMention(SQLModel, table=True):
    """A named staff member in a feedback text, with the attitude of the naming sentence.

    Personal data: readable only by the admin role.
    """

    __tablename__ = "employee_mentions"
    __table_args__ = (UniqueConstraint("feedback_id", "name", name="uq_mention"),)
    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    name: str = Field(max_length=300)
    polarity: str = Field(max_length=10)
    sentence: str | None = Field(default=None, sa_column=Column(Text))


class PracticeServiceRow(SQLModel, table=True):
    """One row of Таблица 3 (requests per municipal service) for an organisation and year."""

    __tablename__ = "practice_services"
    __table_args__ = (
        UniqueConstraint("org_id", "period", "service", name="uq_practice_service"),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisations.id", index=True)
    period: str = Field(max_length=20)
    service: str = Field(max_length=1000)
    staff: int | None = None
    requests: int = 0
    on_time: int = 0
    late: int = 0
    refusals: int = 0
    prebooking: bool = False
    complaints: int = 0
    electronic: bool = False
    via_epgu: int = 0
    mfc: bool = False
    via_mfc: int = 0


class PracticeSummary(SQLModel, table=True):
    """Таблица 3.1: the organisation's summary for the year, as the organisation reported it."""

    __tablename__ = "practice_summaries"
    __table_args__ = (UniqueConstraint("org_id", "period", name="uq_practice_summary"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisations.id", index=True)
    period: str = Field(max_length=20)
    services: int | None = None
    electronic_services: int | None = None
    mfc_services: int | None = None
    prebooking_services: int | None = None
    staff: int | None = None
    requests: int | None = None
    via_epgu: int | None = None
    via_mfc: int | None = None
    on_time: int | None = None
    complaints: int | None = None
    regulations: int | None = None
    origin: str | None = Field(default=None, max_length=1000)
    imported_at: datetime = Field(default_factory=utcnow)


class PracticeRegulationRow(SQLModel, table=True):
    """One row of Таблица 5 (administrative regulation quality) for an organisation and year."""

    __tablename__ = "practice_regulations"
    __table_args__ = (
        UniqueConstraint("org_id", "period", "service", name="uq_practice_regulation"),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisations.id", index=True)
    period: str = Field(max_length=20)
    service: str = Field(max_length=1000)
    law_210: int = 0
    law_other: int = 0
    timeliness: float = 0.0


class ScoreSnapshot(SQLModel, table=True):
    """Computed coefficients of one organisation, channel (or `overall`) and period."""

    __tablename__ = "score_snapshots"
    __table_args__ = (
        UniqueConstraint("org_id", "channel", "period", name="uq_score_snapshot"),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisations.id", index=True)
    channel: str = Field(max_length=30)
    period: str = Field(max_length=30)
    n: int = 0
    csi: float | None = None
    k_ud: float | None = None
    k_pr: float | None = None
    k_ef: float | None = None
    levels: dict[str, Any] = json_column()
    computed_at: datetime = Field(default_factory=utcnow)


class RatingSnapshot(SQLModel, table=True):
    """The rating the public sees on a Yandex Maps card when a crawl read it: `ratingData
    {ratingValue, ratingCount, reviewCount}` and Yandex's aspects, one row per crawl."""

    __tablename__ = "rating_snapshots"
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True)
    taken_at: datetime = Field(default_factory=utcnow, index=True)
    rating_value: float | None = None
    rating_count: int | None = None
    review_count: int | None = None
    reviews_stored: int | None = None  # reviews the crawl reached: coverage = stored / review_count
    aspects: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Quarantine(SQLModel, table=True):
    """A rejected input record, kept with the reason and where it came from."""

    __tablename__ = "quarantine"
    __table_args__ = (
        UniqueConstraint("source_id", "payload_hash", name="uq_quarantine_payload"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    ingest_run_id: int | None = Field(default=None, foreign_key="ingest_runs.id")
    location: str | None = Field(default=None, max_length=1000)
    payload: dict[str, Any] = json_column()
    payload_hash: str = Field(max_length=64)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """An API token: only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=10)
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class Incident(SQLModel, table=True):
    """A case someone has to handle: a signal of the nightly run (scoring/signals.py) with an
    office, a responsible person or role, a status (new → in_work → answered → closed) and a
    deadline from the signal's SLA.

    `key` names what the incident is about (`pain:<org>:<category>` for a spike or a new
    pain, `item:<feedback id>` for a bad rating or an overdue ПОС message,
    `source:<source id>` for a source down); `open_key` is the same while the incident is
    not closed and NULL after, so that the unique index lets one open incident per key
    exist — the next night's same signal updates it instead of opening a second one.
    """

    __tablename__ = "incidents"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    open_key: str | None = Field(default=None, max_length=200, unique=True)
    signal: str = Field(max_length=20, index=True)
    org_id: int = Field(foreign_key="organisations.id", index=True)
    category: str | None = Field(default=None, max_length=40)
    feedback_id: int | None = Field(default=None, foreign_key="feedback.id")
    source_id: int | None = Field(default=None, foreign_key="sources.id")
    title: str = Field(sa_column=Column(Text, nullable=False))
    facts: dict[str, Any] = json_column()
    status: str = Field(default="new", max_length=20, index=True)
    responsible: str | None = Field(default=None, max_length=300)
    deadline: datetime
    comment: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    nights: int = 1  # nightly runs that raised this signal


class IncidentEvent(SQLModel, table=True):
    """One line of an incident's history: created, seen again, status changed, commented."""

    __tablename__ = "incident_events"
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incidents.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    author: str = Field(max_length=200)
    action: str = Field(max_length=20)  # created | seen | status | comment
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    comment: str | None = Field(default=None, sa_column=Column(Text))


class Notification(SQLModel, table=True):
    """A message to a recipient: a morning digest or an immediate one about a «Плохо».

    `key` is what makes it once-only (`digest:<recipient>:<local date>`,
    `now:<recipient>:<incident id>`): a second run finds the key and sends nothing. A
    message is retried by later runs while it is `failed` and has attempts left; `sent` is
    final. `deliveries` records per transport (email, webhook, outbox) when it went out,
    so that a retry after a half-failed send does not repeat the half that worked."""

    __tablename__ = "notifications"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    kind: str = Field(max_length=20)  # digest | immediate
    recipient: str = Field(max_length=200)
    subject: str = Field(max_length=500)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text))
    payload: dict[str, Any] = json_column()
    status: str = Field(default="pending", max_length=20, index=True)  # pending | sent | failed
    attempts: int = 0
    deliveries: dict[str, Any] = json_column()
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class NightTask(SQLModel, table=True):
    """A share of one night's work that any worker of the fleet may take: a batch of sources
    to crawl and store, or a range of items to classify.

    A worker holds a task under a lease (`lease_until`, seconds since the epoch on the
    database's clock) that it renews while it works; a killed worker stops renewing, and
    another one takes the task when the lease runs out. `holders` lists every worker that
    took it, in order, so the night's summary can say who redid whose work; `result` is
    what the last holder reported (outcomes, counts)."""

    __tablename__ = "night_tasks"
    __table_args__ = (UniqueConstraint("night", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    night: str = Field(max_length=64, index=True)
    seq: int
    kind: str = Field(max_length=20)  # sources | classify
    payload: dict[str, Any] = json_column()
    status: str = Field(default="pending", max_length=20)  # pending | running | done
    holder: str | None = Field(default=None, max_length=200)
    lease_until: float | None = None
    attempts: int = 0
    holders: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = json_column()
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class HostPace(SQLModel, table=True):
    """The next moment (seconds since the epoch on the database's clock) one crawl identity
    may send a request to one host: politeness kept across every worker of the fleet."""

    __tablename__ = "host_pace"
    key: str = Field(max_length=300, primary_key=True)  # host@identity
    next_at: float = 0.0
