"""The real consumer (`flask --app portal jobs`) in its own process, against a local SMTP
server: it delivers what it finds queued, and a consumer killed after the server took a
message but before it was marked sent sends it again once, with the same Message-ID."""
import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from email.utils import make_msgid
from pathlib import Path

from aiosmtpd.controller import Controller

from portal.extensions import db
from portal.models import MailStatus, OutboxMessage
from tests.test_mail_delivery import free_port

FLASK = str(Path(sys.executable).with_name("flask"))


class HoldingFirst:
    """Takes every message; holds its answer to the first one until the test has acted."""

    def __init__(self):
        self.accepted = []
        self.first_taken = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append(message_from_bytes(envelope.content)["Message-ID"])
        if len(self.accepted) == 1:
            self.first_taken.set()
            await asyncio.sleep(30)   # the consumer is killed meanwhile
        return "250 Message accepted for delivery"


def consumer(instance, database_url, smtp_port):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAIL_", "REDIS_URL", "PORTAL_"))}
    env.update(PORTAL_INSTANCE_PATH=str(instance), DATABASE_URL=database_url,
               SECRET_KEY="test", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port),
               MAIL_LEASE_SECONDS="1", MAIL_TIMEOUT_SECONDS="60")
    return subprocess.Popen([FLASK, "--app", "portal", "jobs", "--workers", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def queued_message(number):
    return OutboxMessage(recipient=f"user{number}@example.org", subject=f"Message {number}",
                         text_body="Hello\n", html_body="<p>Hello</p>",
                         message_id=make_msgid(domain="portal.test"), batch="test")


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def all_sent():
    db.session.rollback()
    statuses = db.session.scalars(db.select(OutboxMessage.status)).all()
    return statuses and all(status == MailStatus.SENT for status in statuses)


def test_a_killed_consumer_sends_a_message_at_most_twice_with_one_message_id(
        app, app_context, database_url, tmp_path):
    first, second = queued_message(1), queued_message(2)
    db.session.add_all([first, second])
    db.session.commit()
    smtp_port = free_port()
    handler = HoldingFirst()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    running = consumer(tmp_path, database_url, smtp_port)
    try:
        assert handler.first_taken.wait(60), "the consumer sent nothing"
        running.send_signal(signal.SIGKILL)
        running.wait(10)
        db.session.rollback()
        assert db.session.get(OutboxMessage, first.id).status == MailStatus.QUEUED
        time.sleep(1.5)   # the killed consumer's lease runs out
        running = consumer(tmp_path, database_url, smtp_port)
        assert wait_for(all_sent), "the restarted consumer did not deliver everything"
    finally:
        running.kill()
        running.wait(10)
        controller.stop()
    assert sorted(handler.accepted) == sorted([first.message_id] * 2 + [second.message_id])
