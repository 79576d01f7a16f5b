"""The outbox end to end: PostgreSQL, a Redis broker, a real Celery worker process and an SMTP sink.

The unit tests run the outbox in-process; these check what only real parts show: rows committed by
one process are claimed by another, SMTP outages are retried by the broker, the sweep rescues rows
whose task was never queued, and concurrent deliveries of one row send a single mail.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from asetw.celery import app as celery_app
from asetw.env import env_str
from core import outbox
from core.models import OutboundEmail
from core.tasks import deliver_email, sweep_outbox

TIMEOUT = 30.0
TEMPLATE = "accounts/role_granted"
CONTEXT = {"role_label": "Coordination", "first_name": "Claire"}
# The sweep only takes rows older than this; the worker gets it explicitly so the test does not
# depend on whatever the environment sets.
WORKER_STALE_SECONDS = 60


def _unavailable_reason() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs DATABASE_URL pointing to PostgreSQL: the worker process must share the test database"
    if not settings.REDIS_URL:
        return "needs REDIS_URL: Redis is the broker between the test and the Celery worker"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL is not reachable: {exc}"
    return None


_UNAVAILABLE = _unavailable_reason()

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(_UNAVAILABLE is not None, reason=_UNAVAILABLE or ""),
]


def wait_for(predicate: Callable[[], Any], what: str, *, timeout: float = TIMEOUT, diagnostics=None) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            details = f"\n{diagnostics()}" if diagnostics else ""
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}{details}")
        time.sleep(0.05)


def stays_true(predicate: Callable[[], bool], *, seconds: float = 1.0) -> bool:
    """Whether ``predicate`` holds for a short while: a duplicate mail would arrive within it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not predicate():
            return False
        time.sleep(0.05)
    return predicate()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP sink -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Collector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mails: list[ReceivedMail] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self._lock:
            self._mails.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def mails(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._mails)

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()


class SmtpSink:
    """An SMTP server on a fixed loopback port that can go down and come back on that same port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.collector = _Collector()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            # A fixed server_hostname avoids a reverse DNS lookup at every start.
            controller = Controller(self.collector, hostname="127.0.0.1", port=self.port, server_hostname="sink.test")
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mails(self) -> list[ReceivedMail]:
        return self.collector.mails()


# --- Celery worker -------------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path
    queue: str

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        return "--- worker log (tail) ---\n" + "\n".join(self.log().splitlines()[-lines:])

    def result_of(self, task_id: str) -> str | None:
        """The repr of what task ``task_id`` returned, as the worker logged it, or None so far."""
        found = re.search(rf"\[{re.escape(task_id)}\] succeeded in \S+: (.*)$", self.log(), re.MULTILINE)
        return found.group(1).strip() if found else None

    def wait_result(self, task_id: str) -> str:
        return wait_for(lambda: self.result_of(task_id), f"task {task_id} to finish", diagnostics=self.log_tail)

    def received_count(self, task_name: str) -> int:
        return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] received", self.log()))


def _database_url_for_worker() -> str:
    """DATABASE_URL with its database swapped for the test database pytest-django created."""
    parts = urlsplit(env_str("DATABASE_URL"))
    return urlunsplit(parts._replace(path="/" + quote(connection.settings_dict["NAME"], safe="")))


def _worker_env(*, queue: str, smtp_port: int) -> dict[str, str]:
    env = dict(os.environ)
    overrides = {
        "DJANGO_SETTINGS_MODULE": "asetw.settings_test",
        # pytest-django renamed the database; the worker must read the rows this process commits.
        "DATABASE_URL": _database_url_for_worker(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5",
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "OUTBOX_STALE_SECONDS": str(WORKER_STALE_SECONDS),
        "CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    # env.py refuses NAME together with NAME_FILE, and a separate broker would bypass REDIS_URL.
    for name in [*overrides, "CELERY_BROKER_URL"]:
        env.pop(f"{name}_FILE", None)
        env.pop(name, None)
    env.update(overrides)
    return env


@contextmanager
def _producer_routed_to(queue: str) -> Iterator[None]:
    """Make this process publish to ``queue`` on the Redis broker instead of running tasks eagerly.

    The settings were read at import time, and Celery caches the default queue and exchange on
    ``app.amqp``, so that object is dropped to take the new values (and again to restore the old).
    """
    conf = celery_app.conf
    saved = {
        "task_default_queue": conf.task_default_queue,
        "task_always_eager": conf.task_always_eager,
        "broker_url": conf.broker_url,
    }

    def apply(values: dict[str, Any]) -> None:
        for key, value in values.items():
            setattr(conf, key, value)
        celery_app.__dict__.pop("amqp", None)
        celery_app._pool = None

    apply({"task_default_queue": queue, "task_always_eager": False, "broker_url": settings.REDIS_URL})
    try:
        yield
    finally:
        apply(saved)


def _drop_queue(queue: str) -> None:
    """Remove the queue's messages and kombu's bindings for it; every such key holds the unique name."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # The worker leads its own process group: its pool children go down with it. A warm shutdown
    # lets a running task finish, so no connection is left inside the test database when it is dropped.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, smtp_sink, tmp_path_factory) -> Iterator[Worker]:
    """One worker for the module; starting one per test would cost seconds each time."""
    queue = f"outbox-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path_factory.mktemp("outbox-worker") / "worker.log"
    env = _worker_env(queue=queue, smtp_port=smtp_sink.port)
    with _producer_routed_to(queue):
        _drop_queue(queue)
        with log_path.open("w", encoding="utf-8") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "asetw",
                    "worker",
                    # Two processes, so that two deliveries of one row can really run at once.
                    "--pool=prefork",
                    "--concurrency=2",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}@%h",
                    "--loglevel=INFO",
                    # Nothing to synchronise with: skipping these makes the worker ready sooner.
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        running = Worker(process=process, log_path=log_path, queue=queue)
        try:

            def answers_ping() -> bool:
                if process.poll() is not None:
                    pytest.fail(f"the Celery worker exited with code {process.returncode}\n{running.log_tail()}")
                replies = celery_app.control.ping(timeout=0.5)
                return any(name.startswith(f"{queue}@") for reply in replies for name in reply)

            wait_for(answers_ping, "the Celery worker to answer a ping", diagnostics=running.log_tail)
            yield running
        finally:
            _stop(process)
            _drop_queue(queue)


@pytest.fixture
def sink(smtp_sink: SmtpSink, worker: Worker) -> Iterator[SmtpSink]:
    smtp_sink.start()
    smtp_sink.collector.clear()
    yield smtp_sink
    # A test that failed while the sink was down must not take the next tests with it.
    smtp_sink.start()


def _row(pk: int) -> OutboundEmail:
    return OutboundEmail.objects.get(pk=pk)


def _queue_mail(to: str, key: str | None = None) -> OutboundEmail:
    with transaction.atomic():
        return outbox.email_queue(to=to, template=TEMPLATE, context=CONTEXT, key=key, language="en")


def _store_without_task(to: str) -> OutboundEmail:
    """A committed row whose task never reached the broker, as after a crash right after the commit."""
    with mock.patch.object(outbox, "_queue_delivery"):
        return _queue_mail(to)


def test_a_committed_mail_is_delivered_once_and_its_key_is_not_queued_twice(sink, worker):
    deliveries_before = worker.received_count("core.outbox.deliver")
    row = _queue_mail("claire@example.org", key="role-granted:claire:coordination")

    wait_for(
        lambda: _row(row.pk).status == OutboundEmail.Status.SENT, "the row to be sent", diagnostics=worker.log_tail
    )
    sent = _row(row.pk)
    assert sent.attempts == 1
    assert sent.sent_at is not None
    assert sent.last_error == ""

    again = _queue_mail("claire@example.org", key="role-granted:claire:coordination")
    assert again.pk == row.pk
    assert OutboundEmail.objects.count() == 1

    assert stays_true(lambda: len(sink.mails()) == 1), [m.message["Subject"] for m in sink.mails()]
    assert worker.received_count("core.outbox.deliver") == deliveries_before + 1
    [mail] = sink.mails()
    assert mail.mail_from == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    assert mail.rcpt_tos == ["claire@example.org"]
    assert mail.message["To"] == "claire@example.org"
    assert mail.message["Subject"] == sent.subject
    assert "Coordination" in sent.subject
    assert mail.message["Message-ID"] == sent.message_id
    assert "Claire" in mail.message.get_body(preferencelist=("plain",)).get_content()


def test_a_mail_is_retried_while_smtp_is_down_and_sent_once_it_is_back(sink, worker):
    sink.stop()
    row = _queue_mail("down@example.org")

    def failed_and_requeued(min_attempts: int) -> Callable[[], bool]:
        def check() -> bool:
            current = _row(row.pk)
            return current.status == OutboundEmail.Status.QUEUED and current.attempts >= min_attempts

        return check

    wait_for(failed_and_requeued(1), "the first failed attempt", diagnostics=worker.log_tail)
    first_failure = _row(row.pk)
    assert first_failure.last_error, "a failed attempt records why"
    assert first_failure.next_attempt_at > first_failure.updated_at
    # A second failure proves the task retried itself through the broker, with no sweep involved.
    wait_for(failed_and_requeued(2), "the task to retry", diagnostics=worker.log_tail)
    assert _row(row.pk).last_error
    assert sink.mails() == []

    sink.start()
    wait_for(
        lambda: _row(row.pk).status == OutboundEmail.Status.SENT, "the row to be sent", diagnostics=worker.log_tail
    )
    sent = _row(row.pk)
    assert sent.attempts >= 3
    assert sent.last_error == ""
    assert stays_true(lambda: len(sink.mails()) == 1)
    assert sink.mails()[0].rcpt_tos == ["down@example.org"]


def test_the_sweep_delivers_a_row_whose_task_was_never_queued(sink, worker):
    deliveries_before = worker.received_count("core.outbox.deliver")
    lost = _store_without_task("lost@example.org")
    recent = _store_without_task("recent@example.org")
    long_ago = timezone.now() - timedelta(seconds=WORKER_STALE_SECONDS * 5)
    OutboundEmail.objects.filter(pk=lost.pk).update(created_at=long_ago, updated_at=long_ago, next_attempt_at=long_ago)

    assert stays_true(lambda: sink.mails() == [])
    assert worker.received_count("core.outbox.deliver") == deliveries_before
    assert _row(lost.pk).status == OutboundEmail.Status.QUEUED

    sweep = sweep_outbox.delay()
    # The recent row is left alone: its task may still be on its way to a worker.
    assert worker.wait_result(sweep.id) == "1"
    wait_for(lambda: _row(lost.pk).status == OutboundEmail.Status.SENT, "the swept row", diagnostics=worker.log_tail)
    assert _row(lost.pk).attempts == 1
    assert stays_true(lambda: len(sink.mails()) == 1)
    assert sink.mails()[0].rcpt_tos == ["lost@example.org"]
    untouched = _row(recent.pk)
    assert untouched.status == OutboundEmail.Status.QUEUED
    assert untouched.attempts == 0


def test_two_concurrent_deliveries_of_one_row_send_one_mail(sink, worker):
    row = _store_without_task("twice@example.org")

    first = deliver_email.delay(email_id=row.pk)
    second = deliver_email.delay(email_id=row.pk)

    outcomes = sorted([worker.wait_result(first.id), worker.wait_result(second.id)])
    assert outcomes == ["'sent'", "'skipped'"]
    sent = _row(row.pk)
    assert sent.status == OutboundEmail.Status.SENT
    assert sent.attempts == 1
    assert stays_true(lambda: len(sink.mails()) == 1)
    assert sink.mails()[0].rcpt_tos == ["twice@example.org"]
