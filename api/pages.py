"""Server-rendered pages for analysts, in Russian, working with no internet: the pain-map
heatmap, drill-down to the feedback behind a cell, label correction, the scores dashboard
and the incidents (bad ratings, spikes, overdue answers) with their status and history.
They log in with an API token kept in a cookie."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi import Path as FPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlmodel import Session, col
from starlette.datastructures import FormData

from api.deps import COOKIE, Caller, get_session
from api.exports import FEEDBACK_COLUMNS, incident_export, painmap_rows, rows_export, table_export
from api.queries import FeedbackFilter, evidence_text, get_feedback, list_feedback, queue_item
from api.tokens import ROLE_NAMES, lookup, role_allows
from models.edits import QUEUED, LabelEdit, save_labels
from models.labels import model_agreement
from models.tables import Organisation
from service.incidents import IncidentFilter, change, get_incident, list_incidents, open_counts
from service.painmap import pain_map_of
from service.periods import available_periods, latest_period
from service.ratings import yandex_overview
from service.region import min_sample, timezone
from service.scores import CSV_HEADERS_RU, scores_rows
from vocabulary.categories import CATEGORIES, CATEGORY_NAMES, POLARITIES, POLARITY_NAMES
from vocabulary.channels import CHANNEL_NAMES
from vocabulary.dates import local_minute
from vocabulary.errors import UserError
from vocabulary.incidents import SIGNAL_NAMES, SIGNALS, STATUS_NAMES, STATUSES
from vocabulary.numbers import number, short, signed
from vocabulary.periods import Period, parse_period

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same_origin(request: Request) -> None:
    """Refuse a state-changing page request sent from another site (CSRF). The pages
    authenticate by cookie, which the browser attaches whoever made the form; the browser
    also says who made it — `Origin` (every modern browser on a POST) or, failing that,
    `Referer` — and that must be this site. A request carrying neither is refused too."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("origin") or request.headers.get("referer") or ""
    host = request.headers.get("host", "")
    if not sent or sent == "null" or urlsplit(sent).netloc != host:
        raise HTTPException(403, "Запрос отклонён: форма отправлена не со страниц painmap. "
                                 "Откройте страницу заново и повторите.")


router = APIRouter(include_in_schema=False, dependencies=[Depends(same_origin)])
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
# One Russian number format on every page: «50,0», «+1,5», «3,67».
templates.env.filters.update(num=number, signed=signed, short=short)
PAGE_SIZE = 50


def page_caller(request: Request, session: Session = Depends(get_session)) -> Caller:
    secret = request.cookies.get(COOKIE)
    token = lookup(session, secret) if secret else None
    if token is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, headers={"Location": "/login?next=" + quote(here, safe="")})
    return Caller(token.id, token.role, token.name)  # type: ignore[arg-type]


PageCaller = Annotated[Caller, Depends(page_caller)]
DB = Annotated[Session, Depends(get_session)]
ItemId = Annotated[int, FPath(ge=1, le=2_147_483_647)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]  # as on the API: SQLite takes 64-bit integers only


def render(request: Request, name: str, who: Caller | None, **context: Any) -> HTMLResponse:
    context.update(who=who, role_name=ROLE_NAMES.get(who.role, "") if who else "",
                   names=CATEGORY_NAMES)
    return templates.TemplateResponse(request, name, context)


def period_or_default(session: Session, period: str | None) -> Period:
    try:
        return parse_period(period) if period else latest_period(session)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


def _when(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%d.%m.%Y") if value else ""


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return RedirectResponse("/painmap" if request.cookies.get(COOKIE) else "/login", 303)


def local_path(target: str, default: str = "") -> str:
    """`target` when it is a path on this site, else `default`. A `next`/`back` taken from a
    request must not send the user elsewhere: `//evil.example`, `/\\evil.example` (browsers
    read both as another host), `https://…` and control characters are refused."""
    if (not target.startswith("/") or target.startswith(("//", "/\\"))
            or any(ch in target for ch in "\\\r\n\t") or urlsplit(target).netloc):
        return default
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/painmap") -> HTMLResponse:
    return render(request, "login.html", None, next=local_path(next, "/painmap"))


@router.post("/login")
def login(request: Request, session: DB, token: str = Form(...),
          next: str = Form("/painmap")) -> Response:
    target = local_path(next, "/painmap")
    if lookup(session, token.strip()) is None:
        return render(request, "login.html", None, error="Неверный или отозванный токен.", next=target)
    response = RedirectResponse(target, 303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="lax", max_age=12 * 3600)
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request) -> HTMLResponse:
    """A link to /logout lands here: leaving takes a POST, so another site cannot log the
    analyst out."""
    return render(request, "logout.html", None)


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE)
    return response


def wrap(label: str, width: int = 16) -> str:
    """A long label in lines of about `width` characters joined by <br> (plotly's line break),
    so that a heatmap axis shows whole names instead of cutting them."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _orgs(session: Session) -> list[tuple[str, str]]:
    return [(code, name) for code, name in session.execute(
        select(col(Organisation.code), col(Organisation.name)).order_by(col(Organisation.name))).all()]


@router.get("/painmap", response_class=HTMLResponse)
def painmap_page(request: Request, who: PageCaller, session: DB, period: str | None = None,
                 measure: str = "share", org: str = "", channel: str = "") -> HTMLResponse:
    current = period_or_default(session, period)
    previous = current.previous()
    channel = channel if channel in CHANNEL_NAMES else ""
    rows = pain_map_of(session, current, org or None, channel=channel or None)
    max_share = max((c.share for r in rows for c in r.cells.values()), default=0.0)
    key = "share" if measure == "share" else "count"
    chart = {
        "x": [wrap(CATEGORY_NAMES[c], 11) for c in CATEGORIES],
        "y": [wrap(r.org_name, 28) for r in rows],
        "names": [CATEGORY_NAMES[c] for c in CATEGORIES],
        "z": [[round(getattr(r.cells[c], key), 1) for c in CATEGORIES] for r in rows],
        "custom": [[[r.org, c, r.org_name, CATEGORY_NAMES[c]] for c in CATEGORIES] for r in rows],
    }
    query = urlencode({k: v for k, v in (("period", current.key), ("org", org), ("channel", channel)) if v})
    return render(request, "painmap.html", who, nav="painmap", rows=rows, chart=chart,
                  max_share=max_share, period=current.key, period_label=current.label,
                  previous_label=previous.label, measure=measure, org=org, channel=channel,
                  orgs=_orgs(session), channels=list(CHANNEL_NAMES.items()), query=query,
                  periods=_with(available_periods(session), current.key),
                  categories=[(c, CATEGORY_NAMES[c]) for c in CATEGORIES])


@router.get("/painmap/export.{kind}")
def painmap_export(who: PageCaller, session: DB, kind: str, period: str | None = None, org: str = "",
                   channel: str = "") -> Response:
    """The table of the page as CSV/XLSX: one row per office × pain."""
    if kind not in ("csv", "xlsx"):
        raise HTTPException(404, "Выгрузка бывает в CSV или XLSX.")
    current = period_or_default(session, period)
    rows = pain_map_of(session, current, org or None, channel=channel if channel in CHANNEL_NAMES else None)
    return rows_export(painmap_rows(rows), f"painmap_{current.key}", kind, "Карта болей")


def _with(periods: list[str], current: str) -> list[str]:
    return periods if current in periods else [current, *periods]


@router.get("/painmap/cell", response_class=HTMLResponse)
def cell_page(request: Request, who: PageCaller, session: DB, org: str, category: str, period: str,
              channel: str = "", q: str = "", offset: Offset = 0) -> HTMLResponse:
    """The feedback behind one cell of the pain map."""
    if category not in CATEGORIES:
        raise HTTPException(404, "Нет такой категории.")
    return _feedback_list(request, who, session, period, org, category, channel, q, offset)


@router.get("/feedback", response_class=HTMLResponse)
def feedback_list_page(request: Request, who: PageCaller, session: DB, period: str | None = None,
                       org: str = "", category: str = "", channel: str = "", q: str = "",
                       offset: Offset = 0) -> HTMLResponse:
    """Every feedback item of a period, searched and filtered by office, channel and pain."""
    return _feedback_list(request, who, session, period, org, category, channel, q, offset)


def _list_filter(session: Session, period: str | None, org: str, category: str, channel: str,
                 q: str) -> tuple[Period, FeedbackFilter]:
    current = period_or_default(session, period)
    start, end = current.utc_bounds(timezone())
    return current, FeedbackFilter(org=org or None, category=category if category in CATEGORIES else None,
                                   channel=channel if channel in CHANNEL_NAMES else None,
                                   start=start, end=end, q=q.strip()[:200] or None)


def _feedback_list(request: Request, who: Caller, session: Session, period: str | None, org: str,
                   category: str, channel: str, q: str, offset: int) -> HTMLResponse:
    current, flt = _list_filter(session, period, org, category, channel, q)
    total, items = list_feedback(session, flt, PAGE_SIZE, offset)
    org_row = session.execute(select(Organisation).where(col(Organisation.code) == org)).scalar_one_or_none()
    for item in items:
        item["published"] = _when(item["published_at"])
        item["channel_name"] = CHANNEL_NAMES.get(item["channel"], item["channel"])
        item["html"] = highlight(item["text"] or "", item["evidence"], only=flt.category)
    query = urlencode({k: v for k, v in (("period", current.key), ("org", org), ("category", flt.category),
                                         ("channel", flt.channel), ("q", flt.q)) if v})
    base = request.url.path
    more = f"{base}?{query}&offset={offset + PAGE_SIZE}" if offset + PAGE_SIZE < total else None
    return render(request, "cell.html", who, nav="painmap", items=items, total=total, period=current.key,
                  period_label=current.label, org=org, org_name=org_row.name if org_row else None,
                  category=flt.category, category_name=CATEGORY_NAMES.get(flt.category or ""),
                  channel=flt.channel or "", q=flt.q or "", more=more, query=query, orgs=_orgs(session),
                  periods=_with(available_periods(session), current.key),
                  channels=list(CHANNEL_NAMES.items()),
                  categories=[(c, CATEGORY_NAMES[c]) for c in CATEGORIES],
                  back=str(request.url.path) + "?" + str(request.url.query))


@router.get("/feedback/export.{kind}")
def feedback_export(who: PageCaller, session: DB, kind: str, period: str | None = None, org: str = "",
                    category: str = "", channel: str = "", q: str = "") -> Response:
    """The list as CSV/XLSX (masked texts, as on the page), up to 100 000 items."""
    if kind not in ("csv", "xlsx"):
        raise HTTPException(404, "Выгрузка бывает в CSV или XLSX.")
    current, flt = _list_filter(session, period, org, category, channel, q)
    _, items = list_feedback(session, flt, 100_000, 0)
    rows = [{**i, "evidence": evidence_text(i["evidence"]), "channel": CHANNEL_NAMES.get(i["channel"]),
             "categories": [CATEGORY_NAMES[c] for c in i["categories"]]} for i in items]
    return rows_export(rows, f"feedback_{current.key}", kind, "Отзывы", FEEDBACK_COLUMNS)


def highlight(text: str, evidence: dict[str, list[dict[str, Any]]], only: str | None = None) -> Markup:
    """The text with each category's evidence sentence marked (titled with the category's
    names). A category without stored evidence (an analyst added it, or the item predates
    evidence) falls back to the words of the category's lexicon."""
    marks: dict[tuple[int, int], list[str]] = {}
    for category, items in evidence.items():
        if only is not None and category != only:
            continue
        for e in items:
            if "start" in e:
                marks.setdefault((e["start"], e["end"]), []).append(category)
    if only is not None and not marks:
        from nlp.cues import cue_spans

        for start, end in cue_spans(text, only):
            marks[(start, end)] = [only]
    out, last = [], 0
    for (start, end), cats in sorted(marks.items()):
        if start < last:  # overlapping evidence of two categories: the first one shows
            continue
        title = "; ".join(CATEGORY_NAMES[c] for c in cats)
        out += [escape(text[last:start]),
                Markup('<mark class="evidence" title="{}" data-categories="{}">').format(title,
                                                                                        " ".join(cats)),
                escape(text[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


# The labelling queue: one key per category (the digit row), one key per decision.
CATEGORY_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "=")
KEY_CODES = ("Digit1", "Digit2", "Digit3", "Digit4", "Digit5", "Digit6", "Digit7", "Digit8", "Digit9",
             "Digit0", "Minus", "Equal")
POLARITY_KEYS = {"negative": ("Z", "KeyZ"), "positive": ("X", "KeyX"), "mixed": ("C", "KeyC"),
                 "neutral": ("V", "KeyV")}


def _queue_url(org: str, period: str, **params: int | None) -> str:
    query = f"org={quote(org)}&period={quote(period)}"
    query += "".join(f"&{k}={v}" for k, v in params.items() if v is not None)
    return f"/labelling?{query}"


@router.get("/labelling", response_class=HTMLResponse)
def labelling_page(request: Request, who: PageCaller, session: DB, period: str | None = None,
                   org: str = "", item: int | None = None, after: int | None = None,
                   saved: int | None = None, queued: bool = False) -> HTMLResponse:
    """«Разметка»: the texts the model is least sure of, one at a time."""
    current = period_or_default(session, period)
    start, end = current.utc_bounds(timezone())
    position = queue_item(session, FeedbackFilter(org=org or None, start=start, end=end), item, after)
    shown = get_feedback(session, position.item_id) if position.item_id else None
    if shown is not None:
        shown["published"] = _when(shown["published_at"])
        shown["html"] = highlight(shown["text"] or "", shown["evidence"])
        shown["channel_name"] = CHANNEL_NAMES.get(shown["channel"], shown["channel"])
    orgs = _orgs(session)
    link = lambda **kw: _queue_url(org, current.key, **kw)  # noqa: E731
    return render(request, "labelling.html", who, nav="labelling", item=shown, pos=position,
                  period=current.key, period_label=current.label, org=org, orgs=orgs,
                  periods=_with(available_periods(session), current.key), saved=saved,
                  queued=QUEUED if queued else None,
                  can_edit=who.can("analyst"),
                  categories=[(c, CATEGORY_NAMES[c], k, code)
                              for c, k, code in zip(CATEGORIES, CATEGORY_KEYS, KEY_CODES, strict=True)],
                  polarities=[(p, POLARITY_NAMES[p], *POLARITY_KEYS[p]) for p in POLARITIES],
                  prev_url=link(item=position.previous_id) if position.previous_id else None,
                  next_url=link(item=position.next_id) if position.next_id else None)


@router.post("/labelling/{feedback_id}")
async def labelling_save(request: Request, who: PageCaller, session: DB, feedback_id: ItemId) -> Response:
    """Store the decision and go on to the next unlabelled text of the queue."""
    if not role_allows(who.role, "analyst"):
        raise HTTPException(403, "Размечать тексты может только аналитик.")
    form = await request.form()
    stored = save_labels(session, _edit(form, feedback_id, who))
    return RedirectResponse(_queue_url(str(form.get("org") or ""), str(form.get("period") or ""),
                                       after=feedback_id, saved=feedback_id, queued=int(not stored) or None),
                            303)


def _edit(form: FormData, feedback_id: int, who: Caller) -> LabelEdit:
    polarity = str(form.get("polarity") or "") or None
    return LabelEdit(feedback_id, [str(c) for c in form.getlist("categories")], polarity,
                     author=who.name or f"token#{who.token_id}")


@router.get("/feedback/{feedback_id}", response_class=HTMLResponse)
def feedback_page(request: Request, who: PageCaller, session: DB, feedback_id: ItemId, back: str = "",
                  saved: bool = False, queued: bool = False) -> HTMLResponse:
    item = get_feedback(session, feedback_id, unmasked=who.can("admin"))
    if item is None:
        raise HTTPException(404, "Отзыв не найден.")
    item["published"] = _when(item["published_at"])
    item["html"] = highlight(item["text"] or "", item["evidence"])
    return render(request, "feedback.html", who, item=item, saved=saved, queued=QUEUED if queued else None,
                  back=local_path(back),
                  channel_name=CHANNEL_NAMES.get(item["channel"], item["channel"]),
                  can_edit=who.can("analyst"),
                  categories=[(c, CATEGORY_NAMES[c]) for c in CATEGORIES],
                  polarities=[(p, POLARITY_NAMES[p]) for p in POLARITIES],
                  polarity_name=POLARITY_NAMES.get(item["polarity"] or "", "не определена"))


@router.post("/feedback/{feedback_id}")
async def feedback_save(request: Request, who: PageCaller, session: DB,
                        feedback_id: ItemId) -> Response:
    if not role_allows(who.role, "analyst"):
        raise HTTPException(403, "Исправлять разметку может только аналитик.")
    form = await request.form()
    stored = save_labels(session, _edit(form, feedback_id, who))
    back = local_path(str(form.get("back") or ""))
    target = (f"/feedback/{feedback_id}?saved=1" + ("" if stored else "&queued=1")
              + (f"&back={quote(back)}" if back else ""))
    return RedirectResponse(target, 303)


def _prev_channel(previous: dict[str, Any], channel: str) -> float | None:
    return next((c["k_ud"] for c in previous["channels"] if c["channel"] == channel), None)


def _prev_small(previous: dict[str, Any], channel: str) -> bool:
    return any(c.get("small_sample") for c in previous["channels"] if c["channel"] == channel)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, who: PageCaller, session: DB, period: str | None = None,
                   granularity: str | None = None, channel: str = "") -> HTMLResponse:
    from service.cache import scores_for
    from service.trends import AXIS_TITLES, GRANULARITIES, default_granularity, kud_trend

    current = period_or_default(session, period)
    granularity = granularity if granularity in GRANULARITIES else default_granularity(current)
    trend_error = None
    try:
        series = [s.__dict__ for s in kud_trend(session, current, granularity, channel or None)]
    except ValueError as exc:
        series, trend_error = [], str(exc)
    agreement = model_agreement(session, *current.utc_bounds(timezone()))
    yandex = yandex_overview(session, *current.utc_bounds(timezone()))
    return render(request, "dashboard.html", who, nav="dashboard", scores=scores_for(session, current, None),
                  agreement=agreement, yandex=yandex, fmt1=lambda v: number(v, 1),
                  signed1=lambda v: signed(v, 1),
                  series=series, trend_error=trend_error, period=current.key, period_label=current.label,
                  previous_label=current.previous().label, granularity=granularity, channel=channel,
                  granularities=list(GRANULARITIES.items()), channels=list(CHANNEL_NAMES.items()),
                  granularity_name=AXIS_TITLES[granularity], min_n=min_sample(),
                  can_report=getattr(request.app.state, "report_builder", None) is not None,
                  is_admin=role_allows(who.role, "admin"),
                  channel_names=CHANNEL_NAMES, periods=_with(available_periods(session), current.key),
                  fmt=number, signed=signed, prev_channel=_prev_channel, prev_small=_prev_small)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/dashboard/export.{kind}")
def scores_export(who: PageCaller, session: DB, kind: str, period: str | None = None) -> Response:
    """The dashboard's table of coefficients as CSV/XLSX (the rows of the API's export)."""
    from service.cache import scores_for

    if kind not in ("csv", "xlsx"):
        raise HTTPException(404, "Выгрузка бывает в CSV или XLSX.")
    current = period_or_default(session, period)
    return table_export(list(CSV_HEADERS_RU), scores_rows(scores_for(session, current, None)),
                        f"scores_{current.key}", kind, "Коэффициенты")


@router.get("/dashboard/report.{kind}")
def report_download(request: Request, who: PageCaller, session: DB, kind: str, period: str | None = None,
                    edition: str = "public") -> Response:
    """The period's monitoring report, as `painmap report` writes it (takes some seconds)."""
    import tempfile

    from api.exports import XLSX_TYPE

    builder = getattr(request.app.state, "report_builder", None)
    if builder is None or kind not in ("docx", "xlsx"):
        raise HTTPException(404, "Отчет выгружается со страниц painmap serve: DOCX или XLSX.")
    if edition == "admin" and not role_allows(who.role, "admin"):
        raise HTTPException(403, "Отчет с именами сотрудников доступен только администратору.")
    current = period_or_default(session, period)
    with tempfile.TemporaryDirectory(prefix="painmap-report-") as tmp:
        docx, xlsx = Path(tmp) / "report.docx", Path(tmp) / "report.xlsx"
        builder(current, docx, xlsx if kind == "xlsx" else None, edition == "admin")
        body = (xlsx if kind == "xlsx" else docx).read_bytes()
    name = quote(f"Отчет_мониторинга_{current.key}.{kind}")
    return Response(body, media_type=XLSX_TYPE if kind == "xlsx" else DOCX_TYPE,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.get("/followup")
def followup_page(request: Request) -> Response:
    """The old list of bad ratings is now the incidents of that signal: each «Плохо» has an
    owner, a status and a deadline there."""
    return RedirectResponse("/incidents?signal=bad_rating", 303)


def _incident_filter(org: str, status: str, signal: str, overdue: str, q: str) -> IncidentFilter:
    return IncidentFilter(org=org or None, status=status if status in STATUSES else None,
                          signal=signal if signal in SIGNALS else None,
                          overdue={"true": True, "false": False}.get(overdue), q=q.strip()[:200] or None)


def _local_time(value: str) -> str:
    return local_minute(value, timezone())


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, who: PageCaller, session: DB, org: str = "", status: str = "",
                   signal: str = "", overdue: str = "", q: str = "", offset: Offset = 0) -> HTMLResponse:
    flt = _incident_filter(org, status, signal, overdue, q)
    total, items = list_incidents(session, flt, PAGE_SIZE, offset)
    for item in items:
        item["created"], item["due"] = _local_time(item["created_at"]), _local_time(item["deadline"])
    orgs = _orgs(session)
    query = urlencode({k: v for k, v in (("org", org), ("status", status), ("signal", signal),
                                          ("overdue", overdue), ("q", q)) if v})
    return render(request, "incidents.html", who, nav="incidents", items=items, total=total, flt=flt,
                  orgs=orgs, statuses=list(STATUS_NAMES.items()), signals=list(SIGNAL_NAMES.items()),
                  overdue_total=open_counts(session, datetime.now(UTC))["overdue"], query=query,
                  offset=offset, page=PAGE_SIZE)


@router.get("/incidents/export.{kind}")
def incidents_export(who: PageCaller, session: DB, kind: str, org: str = "", status: str = "",
                     signal: str = "", overdue: str = "", q: str = "") -> Response:
    if kind not in ("csv", "xlsx"):
        raise HTTPException(404, "Выгрузка бывает в CSV или XLSX.")
    _, rows = list_incidents(session, _incident_filter(org, status, signal, overdue, q), 100_000, 0)
    return incident_export(rows, kind)


ACTIONS = {"created": "создан", "comment": "комментарий"}


def _event(event: dict[str, Any]) -> str:
    if event["action"] != "status":
        return ACTIONS.get(event["action"], event["action"])
    return f"статус: {STATUS_NAMES.get(event['from_status'] or '', '')} → {STATUS_NAMES[event['to_status']]}"


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, who: PageCaller, session: DB, incident_id: ItemId,
                  saved: int = 0, error: str = "") -> HTMLResponse:
    item = get_incident(session, incident_id)
    if item is None:
        raise HTTPException(404, "Инцидент не найден.")
    item["created"], item["seen"] = _local_time(item["created_at"]), _local_time(item["last_seen_at"])
    item["due"] = _local_time(item["deadline"])
    history = [{"when": _local_time(e["at"]), "author": e["author"], "comment": e["comment"],
                "what": _event(e)} for e in item["history"]]
    period = str(datetime.fromisoformat(item["created_at"]).astimezone(ZoneInfo(timezone())).year)
    return render(request, "incident.html", who, nav="incidents", item=item, history=history,
                  statuses=list(STATUS_NAMES.items()), can_edit=role_allows(who.role, "analyst"),
                  saved=saved, error=error[:300], period=period)


@router.post("/incidents/{incident_id}")
async def incident_save(request: Request, who: PageCaller, session: DB, incident_id: ItemId) -> Response:
    if not role_allows(who.role, "analyst"):
        raise HTTPException(403, "Менять статус инцидента может только аналитик.")
    form = await request.form()
    status = str(form.get("status") or "") or None
    try:
        changed = change(session, incident_id, who.name or f"token#{who.token_id}", status,
                         str(form.get("comment") or "")[:4000])
    except UserError as exc:
        return RedirectResponse(f"/incidents/{incident_id}?error={quote(str(exc))}", 303)
    if changed is None:
        raise HTTPException(404, "Инцидент не найден.")
    session.commit()
    return RedirectResponse(f"/incidents/{incident_id}?saved=1", 303)
