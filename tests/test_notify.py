"""Notifications against real receivers on loopback: an SMTP server (aiosmtpd) and a webhook
receiver. One digest per recipient, one immediate message per «Плохо», bodies signed with
HMAC, nothing sent twice, a failed delivery retried later without repeating what worked."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from models.config import AppConfig, NotifyConfig, OrganisationConfig, Recipient
from models.db import session_scope
from models.tables import Notification
from service.incidents import gather, record
from service.notify import SIGNATURE_HEADER, deliver, plan, send_notifications
from tests.test_incidents import NOW, add

SECRET = "проверочный-секрет"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


class Hook:
    """A webhook receiver that can be told to fail its next requests."""

    def __init__(self) -> None:
        self.bodies: list[tuple[bytes, dict[str, str]]] = []
        self.fail_next = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.fail_next > 0:
                    hook.fail_next -= 1
                    self.send_response(503)
                else:
                    hook.bodies.append((body, dict(self.headers)))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/painmap"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.server.shutdown()


def config_for(port: int, hook_url: str, outbox: Path | None = None) -> AppConfig:
    return AppConfig(
        organisations=[OrganisationConfig(code="zags", name="ЗАГС"),
                       OrganisationConfig(code="szn", name="Соцзащита")],
        notify=NotifyConfig(
            smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, retries=1, base_url="http://painmap.local",
            outbox=str(outbox) if outbox else None,
            recipients=[Recipient(name="Мониторинг", email="monitoring@example.ru", webhook=hook_url),
                        Recipient(name="Начальник ЗАГС", email="zags@example.ru", orgs=["zags"]),
                        Recipient(name="Только сводка", email="digest@example.ru", immediate=False,
                                  signals=["spike", "new_pain"])]))


def night(config: AppConfig, now: datetime = NOW) -> list[int]:
    with session_scope() as session:
        return record(session, gather(session, config.alerts, now, "Europe/Moscow"), config, now).urgent


@pytest.fixture
def incidents(store: str) -> dict[str, int]:
    ids = {"plokho": add("zags", "terminal", "t1", 1, 1, text="Очередь два часа, [ФИО] нахамила"),
           "plokho2": add("zags", "terminal", "t2", 2, 1),
           "szn_one_star": add("szn", "yandex", "y1", 1, 1, reply="ответ")}
    for i in range(5):
        add("zags", "terminal", f"q{i}", 1 + i % 4, 5, categories=("queue",))
    return ids


def verified(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER], expected)
    data: dict[str, Any] = json.loads(body)
    return data


def test_digests_and_immediate_messages_arrive_once(incidents: dict[str, int], smtp: tuple[Mailbox, int],
                                                    hook: Hook, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINMAP_WEBHOOK_SECRET", SECRET)
    box, port = smtp
    config = config_for(port, hook.url, tmp_path / "outbox")
    urgent = night(config)
    assert len(urgent) == 3  # two «Плохо» and a one-star review
    moved = {"org": "zags", "channel": "terminal", "period": "2026", "before": (90.0, None, None),
             "after": (84.5, None, None)}
    sent = send_notifications(config, urgent, [moved], NOW)
    assert sent["failed"] == 0 and sent["errors"] == []
    assert sent["transports"] == ["email", "outbox", "webhook"]
    by_person: dict[str, list[EmailMessage]] = {}
    for message in box.messages:
        by_person.setdefault(str(message["To"]), []).append(message)
    # Мониторинг: 3 immediate + 1 digest; Начальник ЗАГС: 2 immediate (his office) + 1 digest;
    # «Только сводка»: no immediate, a digest of the new pain (queues, never seen before) only.
    assert sorted((k, len(v)) for k, v in by_person.items()) == [
        ("digest@example.ru", 1), ("monitoring@example.ru", 4), ("zags@example.ru", 3)]
    digest = next(m for m in by_person["digest@example.ru"])
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "сводка" in str(digest["Subject"]) and "Новая боль" in text and "«Плохо»" not in text
    html = digest.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<h2>Новые инциденты (1)</h2>" in html and 'href="http://painmap.local/incidents"' in html
    zags_digest = next(m for m in by_person["zags@example.ru"] if "сводка" in str(m["Subject"]))
    zags_text = zags_digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Главные изменения Куд" in zags_text and "90,00 → 84,50" in zags_text
    immediate = [m for m in by_person["zags@example.ru"] if "сводка" not in str(m["Subject"])]
    texts = [(str(m["Subject"]), m.get_body(("plain",)).get_content()) for m in immediate]  # type: ignore[union-attr]
    subject, body = next(t for t in texts if "нахамила" in t[1])
    assert "«Плохо» на терминале оценки" in subject and "[ФИО]" in body

    bodies = [verified(body, headers) for body, headers in hook.bodies]
    assert sorted(b["kind"] for b in bodies) == ["digest", "immediate", "immediate", "immediate"]
    assert {b["incident"]["signal"] for b in bodies if b["kind"] == "immediate"} == {"bad_rating"}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 4 + 3 + 1

    # The same night again: the incidents exist, the keys exist — nothing is sent twice.
    urgent_again = night(config, NOW + timedelta(minutes=20))
    again = send_notifications(config, urgent_again, [], NOW + timedelta(minutes=20))
    assert urgent_again == [] and again["new"] == 0 and again["sent"] == 0
    assert len(box.messages) == 8 and len(hook.bodies) == 4


def test_a_failed_webhook_is_retried_without_resending_the_mail(incidents: dict[str, int],
                                                                 smtp: tuple[Mailbox, int], hook: Hook,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINMAP_WEBHOOK_SECRET", SECRET)
    box, port = smtp
    config = config_for(port, hook.url)
    config.notify.recipients = config.notify.recipients[:1]
    urgent = night(config)
    hook.fail_next = 1  # the first try fails, the retry within the run gets through
    with session_scope() as session:
        plan(session, config, urgent, [], NOW)
    with session_scope() as session:
        done = deliver(session, config, sleep=lambda _: None)
    assert done.sent == 4 and done.failed == 0 and len(hook.bodies) == 4

    # A receiver down for the whole run: the message is kept as failed, the run goes on.
    hook.fail_next = 10 ** 6
    with session_scope() as session:
        plan(session, config, [], [], NOW + timedelta(days=1, hours=1))  # tomorrow's digest (overdue ones)
    with session_scope() as session:
        down = deliver(session, config, sleep=lambda _: None)
    assert down.sent == 0 and down.failed == 1 and "503" in down.errors[0]
    mails = len(box.messages)
    hook.fail_next = 0
    with session_scope() as session:
        later = deliver(session, config, sleep=lambda _: None)
        message = session.execute(select(Notification).where(Notification.key.startswith("digest:")  # type: ignore[attr-defined]
                                                              ).order_by(Notification.id.desc())).scalars().first()  # type: ignore[union-attr]
    assert later.sent == 1 and len(box.messages) == mails  # the e-mail had gone: only the webhook is sent
    assert message is not None and message.status == "sent" and message.attempts == 2
    assert set(message.deliveries) == {"email", "webhook"}


def test_no_secret_no_unsigned_webhook(incidents: dict[str, int], smtp: tuple[Mailbox, int], hook: Hook,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAINMAP_WEBHOOK_SECRET", raising=False)
    _, port = smtp
    config = config_for(port, hook.url)
    config.notify.recipients = config.notify.recipients[:1]
    config.notify.retries = 0
    sent = send_notifications(config, night(config), [], NOW)
    assert sent["failed"] == 4 and hook.bodies == []
    assert "PAINMAP_WEBHOOK_SECRET" in sent["errors"][0]


def test_an_smtp_server_that_is_down_never_raises(incidents: dict[str, int], tmp_path: Path) -> None:
    config = config_for(free_port(), "http://127.0.0.1:9/nowhere", tmp_path / "outbox")
    config.notify.retries = 0
    sent = send_notifications(config, night(config), [], NOW)
    assert sent["sent"] == 0 and sent["failed"] > 0
    # the outbox copy was written once and is not written again by the retry
    copies = sorted(p.name for p in (tmp_path / "outbox").glob("*.eml"))
    assert copies
    again = send_notifications(config, [], [], NOW)
    assert again["new"] == 0 and sorted(p.name for p in (tmp_path / "outbox").glob("*.eml")) == copies
    with session_scope() as session:
        statuses = {m.status for m in session.execute(select(Notification)).scalars()}
    assert statuses == {"failed"}
