"""Messages about incidents: one morning digest per recipient after the nightly run, and an
immediate message for each «Плохо».

The contract:
- `plan` writes what is due as `notifications` rows, each under a key that makes it
  once-only: `digest:<recipient>:<local date>` and `now:<recipient>:<incident id>`. A
  second run the same day finds the keys and plans nothing. A digest goes out only when
  there is something in it (new incidents since the recipient's last digest, or overdue
  ones).
- `deliver` sends every planned or failed message through each of the recipient's
  transports — the outbox folder, SMTP, the webhook — and records each transport that
  worked, committing at once: a retry (the next run, up to `max_attempts`) repeats only the
  transports that failed. A failure is logged and kept with the message; it never raises.
- Webhook bodies are JSON, signed `X-Painmap-Signature: sha256=<hex>` with HMAC-SHA256 of
  the exact body under the secret from the environment; no secret, no delivery.
- Texts are the masked ones; recipients are office heads, not administrators.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from models.config import AppConfig, NotifyConfig, Recipient
from models.tables import Notification
from service.incidents import incident_rows
from vocabulary.channels import CHANNEL_NAMES
from vocabulary.dates import local_minute
from vocabulary.numbers import number

log = logging.getLogger("painmap.notify")
SIGNATURE_HEADER = "X-Painmap-Signature"
ERROR_MAX = 2000


@dataclass
class Delivered:
    planned: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"planned": self.planned, "sent": self.sent, "failed": self.failed, "errors": self.errors[:10]}


def transports(config: NotifyConfig, recipient: Recipient) -> list[str]:
    """How this recipient can be reached with this config, in the order they are tried."""
    out = ["outbox"] if config.outbox else []
    if config.smtp_host and recipient.email:
        out.append("email")
    if recipient.webhook:
        out.append("webhook")
    return out


# --- planning ---------------------------------------------------------------------------------

def plan(session: Session, config: AppConfig, urgent: list[int], changes: list[dict[str, Any]],
         now: datetime | None = None) -> int:
    """Write tonight's due messages (see the contract); returns how many are new."""
    now = now or datetime.now(UTC)
    zone = ZoneInfo(config.region.timezone)
    planned = 0
    for recipient in config.notify.recipients:
        if not transports(config.notify, recipient):
            log.warning("Получатель «%s»: нет способа доставки (e-mail без SMTP, нет webhook и outbox)",
                        recipient.name)
            continue
        if recipient.immediate:
            for row in incident_rows(session, now, urgent):
                if recipient.hears(row["org"], row["signal"]):
                    planned += _add(session, f"now:{recipient.name}:{row['id']}", "immediate", recipient,
                                    *_immediate(row, zone, config.notify.base_url), now)
        if recipient.digest:
            planned += _plan_digest(session, config, recipient, changes, now)
    session.flush()
    return planned


def _plan_digest(session: Session, config: AppConfig, recipient: Recipient, changes: list[dict[str, Any]],
                 now: datetime) -> int:
    zone = ZoneInfo(config.region.timezone)
    key = f"digest:{recipient.name}:{now.astimezone(zone).date().isoformat()}"
    if session.execute(select(col(Notification.id)).where(col(Notification.key) == key)).first():
        return 0
    last = session.execute(select(col(Notification.created_at))
                           .where(col(Notification.kind) == "digest",
                                  col(Notification.recipient) == recipient.name)
                           .order_by(col(Notification.created_at).desc())).scalar()
    rows = [r for r in incident_rows(session, now) if recipient.hears(r["org"], r["signal"])]
    new = [r for r in rows if last is None or datetime.fromisoformat(r["created_at"]) > last]
    late = [r for r in rows if r["overdue"] and r not in new]
    if not new and not late:
        return 0
    moved = [c for c in changes if not recipient.orgs or c["org"] in recipient.orgs]
    composed = _digest(recipient, new, late, moved, now.astimezone(zone), zone, config.notify.base_url)
    return _add(session, key, "digest", recipient, *composed, now)


def _add(session: Session, key: str, kind: str, recipient: Recipient, subject: str, text: str, html: str,
         payload: dict[str, Any], now: datetime) -> int:
    if session.execute(select(col(Notification.id)).where(col(Notification.key) == key)).first():
        return 0
    session.add(Notification(key=key, kind=kind, recipient=recipient.name, subject=subject, body_text=text,
                             body_html=html, payload=payload, created_at=now))
    return 1


# --- composing (Russian, plain text + HTML) ----------------------------------------------------

def _line(row: dict[str, Any], zone: ZoneInfo) -> str:
    late = " — ПРОСРОЧЕН" if row["overdue"] else ""
    owner = row["responsible"] or "—"
    return (f"№ {row['id']} · {row['org_name']} · {row['signal_name']}: {row['title']} · "
            f"срок до {local_minute(row['deadline'], zone)}{late} · ответственный: {owner}")


def _link(base_url: str | None, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """What a webhook receiver gets about an incident."""
    keep = ("id", "signal", "signal_name", "org", "org_name", "category", "title", "status", "responsible",
            "deadline", "overdue", "created_at")
    return {k: row[k] for k in keep}


Composed = tuple[str, str, str, dict[str, Any]]  # subject, text, HTML, webhook payload


def _immediate(row: dict[str, Any], zone: ZoneInfo, base_url: str | None) -> Composed:
    facts = row["facts"]
    when = local_minute(facts["published_at"], zone) if facts.get("published_at") else ""
    channel = CHANNEL_NAMES.get(facts.get("channel", ""), "")
    subject = f"painmap: {row['title']} — {row['org_name']}, {when}".strip(", ")
    link = _link(base_url, f"/incidents/{row['id']}")
    lines = [f"{row['title']}.", f"Орган: {row['org_name']}.", f"Канал: {channel}, {when}."]
    if facts.get("text"):
        lines.append(f"Комментарий заявителя: «{facts['text']}»")
    lines += [f"Инцидент № {row['id']}, ответственный: {row['responsible'] or '—'}, "
              f"срок до {local_minute(row['deadline'], zone)}.", f"Открыть: {link}"]
    html = "".join(f"<p>{escape(x)}</p>" for x in lines[:-1])
    html += f'<p><a href="{escape(link)}">Открыть инцидент</a></p>'
    payload = {"kind": "immediate", "incident": _public(row)}
    return subject, "\n".join(lines) + "\n", _page(subject, html), payload


def _digest(recipient: Recipient, new: list[dict[str, Any]], late: list[dict[str, Any]],
            changes: list[dict[str, Any]], today: datetime, zone: ZoneInfo,
            base_url: str | None) -> Composed:
    subject = (f"painmap: сводка за {today:%d.%m.%Y} — новых инцидентов {len(new)}, "
               f"просроченных {len(late) + sum(r['overdue'] for r in new)}")
    top = sorted((c for c in changes if _delta(c) is not None), key=lambda c: -abs(_delta(c) or 0))[:5]
    sections: list[tuple[str, list[str]]] = [
        (f"Новые инциденты ({len(new)})", [_line(r, zone) for r in new]),
        (f"Просроченные ({len(late)})", [_line(r, zone) for r in late]),
        ("Главные изменения Куд", [_change(c) for c in top]),
    ]
    text = [f"Здравствуйте, {recipient.name}!", "", f"Итоги ночного прогона painmap {today:%d.%m.%Y}.", ""]
    html = [f"<p>Здравствуйте, {escape(recipient.name)}!</p>",
            f"<p>Итоги ночного прогона painmap {today:%d.%m.%Y}.</p>"]
    for title, lines in sections:
        if not lines:
            continue
        text += [title + ":", *(f"  {x}" for x in lines), ""]
        html += [f"<h2>{escape(title)}</h2>", "<ul>", *(f"<li>{escape(x)}</li>" for x in lines), "</ul>"]
    link = _link(base_url, "/incidents")
    text.append(f"Все инциденты: {link}")
    html.append(f'<p><a href="{escape(link)}">Все инциденты</a></p>')
    payload = {"kind": "digest", "date": today.date().isoformat(), "new": [_public(r) for r in new],
               "overdue": [_public(r) for r in late], "changes": top}
    return subject, "\n".join(text) + "\n", _page(subject, "\n".join(html)), payload


def _delta(change: dict[str, Any]) -> float | None:
    before, after = change.get("before"), change.get("after")
    if not before or not after or before[0] is None or after[0] is None:
        return None
    return float(after[0]) - float(before[0])


def _change(change: dict[str, Any]) -> str:
    channel = CHANNEL_NAMES.get(change["channel"], "общий")
    return (f"{change['org']}, {channel}, {change['period']}: {number(change['before'][0])} → "
            f"{number(change['after'][0])}")


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body>{body}</body></html>")


# --- delivering -------------------------------------------------------------------------------

def email_of(message: Notification, config: NotifyConfig, recipient: Recipient) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config.smtp_from
    mail["To"] = recipient.email or recipient.name
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=delivery_id(message)[:16])
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


def webhook_body(message: Notification) -> bytes:
    data = {"key": message.key, "recipient": message.recipient, "subject": message.subject,
            "text": message.body_text, **message.payload}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def delivery_id(message: Notification) -> str:
    """The same for every retry of a message, so that a receiver can drop a repeat (headers
    are ASCII; the key holds the recipient's name)."""
    return hashlib.sha256(message.key.encode("utf-8")).hexdigest()[:32]


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _send_email(message: Notification, config: NotifyConfig, recipient: Recipient) -> None:
    import smtplib
    import ssl

    assert config.smtp_host is not None
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout) as smtp:
        if config.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        user, password = os.environ.get(config.smtp_user_env), os.environ.get(config.smtp_password_env)
        if user:
            smtp.login(user, password or "")
        smtp.send_message(email_of(message, config, recipient))


def _send_webhook(message: Notification, config: NotifyConfig, recipient: Recipient) -> None:
    import httpx

    secret = os.environ.get(config.webhook_secret_env)
    if not secret:
        raise RuntimeError("не задан секрет подписи webhook "
                           f"(переменная окружения {config.webhook_secret_env})")
    body = webhook_body(message)
    headers = {"Content-Type": "application/json; charset=utf-8",
               SIGNATURE_HEADER: signature(body, secret), "X-Painmap-Delivery": delivery_id(message)}
    response = httpx.post(recipient.webhook or "", content=body, headers=headers,
                          timeout=config.webhook_timeout)
    if response.status_code >= 300:
        raise RuntimeError(f"webhook ответил {response.status_code}")


def _write_outbox(message: Notification, config: NotifyConfig, recipient: Recipient, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", message.key, flags=re.UNICODE).strip("_")
    (root / f"{name}.eml").write_bytes(bytes(email_of(message, config, recipient)))


def deliver(session: Session, config: AppConfig, sleep: Callable[[float], None] = time.sleep) -> Delivered:
    """Send what is due (see the contract); commits after every transport that worked."""
    notify = config.notify
    people = {r.name: r for r in notify.recipients}
    due = session.execute(select(Notification).where(col(Notification.status).in_(("pending", "failed")),
                                                     col(Notification.attempts) < notify.max_attempts)
                          .order_by(col(Notification.id))).scalars().all()
    done = Delivered(planned=len(due))
    for message in due:
        recipient = people.get(message.recipient)
        if recipient is None:  # removed from the config since: nobody to send it to
            message.status, message.error = "failed", "получатель удалён из конфигурации"
            message.attempts = notify.max_attempts
            session.commit()
            continue
        errors = []
        for transport in transports(notify, recipient):
            if transport in message.deliveries:
                continue
            error = _try(transport, message, config, recipient, sleep)
            if error is None:
                message.deliveries = {**message.deliveries, transport: datetime.now(UTC).isoformat()}
                session.commit()
            else:
                errors.append(f"{transport}: {error}")
                log.warning("Сообщение «%s» для «%s» не доставлено (%s): %s", message.subject, recipient.name,
                            transport, error)
        message.attempts += 1
        message.status = "failed" if errors else "sent"
        message.error = "; ".join(errors)[:ERROR_MAX] or None
        message.sent_at = None if errors else datetime.now(UTC)
        session.commit()
        if errors:
            done.failed += 1
            done.errors += errors
        else:
            done.sent += 1
    return done


def _send(transport: str, message: Notification, config: AppConfig, recipient: Recipient) -> None:
    if transport == "outbox":
        _write_outbox(message, config.notify, recipient, config.resolve(config.notify.outbox or "outbox"))
    elif transport == "email":
        _send_email(message, config.notify, recipient)
    else:
        _send_webhook(message, config.notify, recipient)


def _try(transport: str, message: Notification, config: AppConfig, recipient: Recipient,
         sleep: Callable[[float], None]) -> str | None:
    """One transport with up to `retries` retries (1, 2, 4… s apart); the last error or None."""
    error = ""
    for attempt in range(config.notify.retries + 1):
        try:
            _send(transport, message, config, recipient)
            return None
        except Exception as exc:  # any failure of a transport is the message's, not the run's
            error = str(exc) or type(exc).__name__
            if attempt < config.notify.retries:
                sleep(2.0 ** attempt)
    return error[:ERROR_MAX]


def send_notifications(config: AppConfig, urgent: list[int], changes: list[dict[str, Any]],
                       now: datetime | None = None) -> dict[str, Any]:
    """The nightly step: plan tonight's messages, then deliver every one that is due."""
    from models.db import session_scope

    with session_scope() as session:
        planned = plan(session, config, urgent, changes, now)
    with session_scope() as session:
        done = deliver(session, config)
    used = sorted({t for r in config.notify.recipients for t in transports(config.notify, r)})
    return {**done.as_dict(), "new": planned, "transports": used,
            "outbox": str(config.resolve(config.notify.outbox)) if config.notify.outbox else None}
