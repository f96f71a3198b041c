"""The outbox over a real SMTP server: once per row, Norwegian text, back-off, at most once."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from engine.deadlines import mail
from engine.services import outbox, timers
from engine.services.wiring import Wiring
from engine.store.models import Outbox, User
from tests.conftest import NOW
from tests.deadlines.conftest import HOUR, Inbox, all_mail, fire, free_port, start_notice

SENDER = "saksflyt <saksflyt@kommune.example>"


def _smtp(wiring: Wiring, port: int) -> mail.Send:
    return mail.transport(replace(wiring.settings, smtp_host="127.0.0.1", smtp_port=port))


def _deliver(wiring: Wiring, send: mail.Send, at: datetime, worker: str = "m1") -> int:
    return outbox.deliver_due(wiring.new_uow, send, sender=SENDER, now=at, worker=worker)


def _queue_receipts(wiring: Wiring, copy_to: str | None = "leder.asker") -> None:
    start_notice(wiring, copy_to=copy_to)
    assert fire(wiring, NOW + HOUR) == 1


def test_smtp_server_receives_each_mail_once_in_norwegian(processes: Wiring, smtp: Inbox) -> None:
    _queue_receipts(processes)
    send = _smtp(processes, smtp.port)
    assert _deliver(processes, send, NOW + HOUR) == 2
    assert _deliver(processes, send, NOW + 2 * HOUR) == 0
    received = {tuple(rcpt): message for _sender, rcpt, message in smtp.messages}
    assert set(received) == {("eva.holm@asker.example",), ("lars.aas@asker.example",)}
    to_employee = received[("eva.holm@asker.example",)]
    assert to_employee["Subject"] == "Interessen din er registrert (SAK-7)"
    assert to_employee["From"] == SENDER and to_employee["Content-Language"] == "nb"
    text = to_employee.get_content()
    assert (
        text.startswith("Hei Eva Holm,")
        and "Interessen din for oppdraget (SAK-7) er registrert" in text
    )
    copy = received[("lars.aas@asker.example",)]
    assert copy["Subject"] == "Kopi: Interessen din er registrert (SAK-7)"
    ids = {m["Message-ID"] for _s, _r, m in smtp.messages}
    assert ids == {f"<{row.id}@saksflyt>" for row in all_mail(processes)}
    assert {(row.state, row.attempts) for row in all_mail(processes)} == {("sent", 1)}


def test_english_users_get_english_text(processes: Wiring, smtp: Inbox) -> None:
    with processes.new_uow() as uow:
        uow.session.execute(update(User).where(User.username == "emp.asker").values(locale="en"))
        uow.commit()
    _queue_receipts(processes, copy_to=None)
    assert _deliver(processes, _smtp(processes, smtp.port), NOW + HOUR) == 1
    [(_sender, _rcpt, message)] = smtp.messages
    assert message["Subject"] == "Your interest is registered (SAK-7)"
    assert message.get_content().startswith("Hello Eva Holm,")


def test_a_refusing_or_absent_server_is_retried_with_back_off(
    processes: Wiring, smtp: Inbox
) -> None:
    _queue_receipts(processes, copy_to=None)
    nobody = _smtp(processes, free_port())  # nothing listens there
    assert _deliver(processes, nobody, NOW + HOUR) == 0
    [row] = all_mail(processes)
    assert (row.state, row.attempts, row.next_attempt_at) == (
        "pending",
        1,
        NOW + HOUR + timedelta(seconds=30),
    )
    smtp.refuse = True
    send = _smtp(processes, smtp.port)
    assert _deliver(processes, send, NOW + HOUR + timedelta(seconds=10)) == 0  # not due yet
    assert _deliver(processes, send, NOW + HOUR + timedelta(seconds=30)) == 0  # 451
    [row] = all_mail(processes)
    assert row.attempts == 2 and "451" in (row.last_error or "")
    assert row.next_attempt_at == NOW + HOUR + timedelta(seconds=90)  # then 60 s
    smtp.refuse = False
    assert _deliver(processes, send, NOW + 2 * HOUR) == 1
    assert len(smtp.messages) == 1 and all_mail(processes)[0].state == "sent"


def test_after_six_failures_the_mail_is_an_incident_until_an_admin_retries(
    processes: Wiring, smtp: Inbox
) -> None:
    _queue_receipts(processes, copy_to=None)
    smtp.refuse = True
    send = _smtp(processes, smtp.port)
    for hour in range(1, 8):
        _deliver(processes, send, NOW + hour * HOUR)
    [row] = all_mail(processes)
    assert (row.state, row.attempts) == ("failed", 6)
    assert timers.incidents(processes.new_uow())["mails"][0].id == row.id
    outbox.retry(processes.new_uow(), row.id, now=NOW + 9 * HOUR)
    smtp.refuse = False
    assert _deliver(processes, send, NOW + 9 * HOUR) == 1 and len(smtp.messages) == 1


def test_a_mail_left_sending_by_a_dead_process_is_not_sent_again(
    processes: Wiring, smtp: Inbox
) -> None:
    _queue_receipts(processes, copy_to=None)
    with processes.new_uow() as uow:  # a process claimed it, maybe sent it, and died
        [row] = uow.outbox.claim(NOW + HOUR, "dead:1", NOW + HOUR + timedelta(seconds=120), 10)
        uow.commit()
    send = _smtp(processes, smtp.port)
    assert _deliver(processes, send, NOW + HOUR + timedelta(seconds=60)) == 0
    assert _deliver(processes, send, NOW + HOUR + timedelta(seconds=121)) == 0
    [row] = all_mail(processes)
    assert row.state == "failed" and "at most once" in (row.last_error or "")
    assert smtp.messages == []


def test_two_senders_send_each_of_many_mails_once(processes: Wiring, smtp: Inbox) -> None:
    for number in range(15):
        start_notice(processes, business_key=f"SAK-{number}", copy_to="leder.asker")
    assert fire(processes, NOW + HOUR) == 15
    send = _smtp(processes, smtp.port)
    counts: dict[str, int] = {}

    def work(name: str) -> None:
        counts[name] = outbox.deliver_due(
            processes.new_uow, send, sender=SENDER, now=NOW + HOUR, worker=name, limit=4
        )

    senders = [threading.Thread(target=work, args=(f"m{i}",)) for i in (1, 2)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    assert sum(counts.values()) == 30 and len(smtp.messages) == 30
    assert len({m["Message-ID"] for _s, _r, m in smtp.messages}) == 30


def test_a_sender_told_to_stop_finishes_its_batch_and_leaves_the_rest(
    processes: Wiring, smtp: Inbox
) -> None:
    """Ctrl-C or SIGTERM on a worker: the batch at hand is sent, the backlog waits for the
    next sender (engine.deadlines.scheduler.Scheduler.shutdown)."""
    for number in range(5):
        start_notice(processes, business_key=f"SAK-{number}", copy_to="leder.asker")
    assert fire(processes, NOW + HOUR) == 5
    send = _smtp(processes, smtp.port)
    batches = []

    def stopping() -> bool:
        batches.append(len(smtp.messages))
        return len(batches) > 1  # stop after the first batch

    sent = outbox.deliver_due(
        processes.new_uow,
        send,
        sender=SENDER,
        now=NOW + HOUR,
        worker="m1",
        limit=4,
        stopping=stopping,
    )
    assert sent == 4 and len(smtp.messages) == 4
    assert _deliver(processes, send, NOW + HOUR, worker="m2") == 6
    assert len({m["Message-ID"] for _s, _r, m in smtp.messages}) == 10


def test_the_embedded_transport_writes_eml_files(processes: Wiring, tmp_path: Path) -> None:
    _queue_receipts(processes, copy_to=None)
    folder = tmp_path / "mail"
    send = mail.transport(replace(processes.settings, smtp_host="", mail_dir=folder))
    assert _deliver(processes, send, NOW + HOUR) == 1
    [written] = list(folder.glob("*.eml"))
    assert b"Subject: Interessen din er registrert (SAK-7)" in written.read_bytes()
    assert isinstance(all_mail(processes)[0], Outbox)
