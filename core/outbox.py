"""Outbox mail: every e-mail is a row written with the change that causes it, then sent by a task.

A row moves queued → sending → sent, or → failed after a permanent error or too many attempts.
The claim from queued to sending is one conditional UPDATE, so two workers (or a task and the sweep)
can never both send the same row.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.audit import log_action
from core.models import OutboundEmail, OutboundEmailAttachment

logger = logging.getLogger(__name__)
Status = OutboundEmail.Status


class TemporaryDeliveryError(Exception):
    def __init__(self, message: str, retry_in: int) -> None:
        super().__init__(message)
        self.retry_in = retry_in


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, context: dict[str, Any], language: str) -> RenderedEmail:
    """Render ``templates/emails/<template>/{subject.txt,body.txt,body.html}`` in ``language``."""
    full_context = {
        "site_url": settings.SITE_URL,
        "portal_name": settings.PORTAL_NAME,
        "coordination_email": settings.COORDINATION_EMAIL,
        "LANGUAGE_CODE": language,
        **context,
    }
    with translation.override(language):
        subject = render_to_string(f"emails/{template}/subject.txt", full_context)
        text = render_to_string(f"emails/{template}/body.txt", full_context)
        html = render_to_string(f"emails/{template}/body.html", full_context)
    return RenderedEmail(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)


def _queue_delivery(email_id: int) -> None:
    from core.tasks import deliver_email

    try:
        deliver_email.delay(email_id=email_id)
    except Exception:  # a broker outage must not break the request: the sweep will pick the row up
        logger.exception("Could not queue outbox row %s; the sweep will retry it", email_id)


def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    key: str | None = None,
    language: str | None = None,
    recipient: Any = None,
    sensitive: bool = False,
    attachments: list[Attachment] | None = None,
) -> OutboundEmail:
    """Write an outbox row in the current transaction and send it once that transaction commits.

    ``key`` makes the call idempotent: queuing twice with the same key returns the first row.
    """
    context = dict(context or {})
    language = language or getattr(recipient, "preferred_language", None) or settings.LANGUAGE_CODE
    key = key or f"{template}:{uuid.uuid4().hex}"
    existing = OutboundEmail.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    rendered = render_email(template, context, language)
    return _store(
        to=to,
        template=template,
        context=context,
        key=key,
        language=language,
        recipient=recipient,
        sensitive=sensitive,
        rendered=rendered,
        attachments=attachments or [],
    )


def email_queue_rendered(
    *,
    to: str,
    template: str,
    rendered: RenderedEmail,
    language: str,
    recipient: Any = None,
    sensitive: bool = False,
) -> OutboundEmail:
    """Queue a mail rendered elsewhere (the account mails rendered by allauth's own templates)."""
    return _store(
        to=to,
        template=template,
        context={},
        key=f"{template}:{uuid.uuid4().hex}",
        language=language,
        recipient=recipient,
        sensitive=sensitive,
        rendered=rendered,
    )


def _store(*, to, template, context, key, language, recipient, sensitive, rendered, attachments=()) -> OutboundEmail:
    try:
        with transaction.atomic():
            row = OutboundEmail.objects.create(
                idempotency_key=key,
                to_email=to,
                recipient=recipient if getattr(recipient, "pk", None) else None,
                language=language,
                template=template,
                context=context,
                subject=rendered.subject[:500],
                body_text=rendered.text,
                body_html=rendered.html,
                sensitive=sensitive,
                message_id=OutboundEmail.new_message_id(),
            )
            OutboundEmailAttachment.objects.bulk_create(
                OutboundEmailAttachment(
                    email=row, filename=item.filename, content_type=item.content_type, content=item.content
                )
                for item in attachments
            )
    except IntegrityError:
        # Another transaction queued the same key a moment before: that row is the mail.
        return OutboundEmail.objects.get(idempotency_key=key)
    transaction.on_commit(lambda: _queue_delivery(row.pk))
    return row


def _retry_delay(attempts: int) -> int:
    return settings.OUTBOX_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, socket.timeout, TimeoutError, ConnectionError, OSError))


def email_deliver(*, email_id: int) -> str:
    """Send one outbox row if it is due and nobody else is sending it. Returns what happened."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(pk=email_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return "skipped"
    row = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        headers={"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"},
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    for attachment in row.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row, none is lost
        return _record_failure(row, exc)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=Status.SENT, sent_at=timezone.now(), updated_at=timezone.now(), last_error=""
    )
    return "sent"


def _record_failure(row: OutboundEmail, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    if _is_temporary(exc) and row.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        delay = _retry_delay(row.attempts)
        OutboundEmail.objects.filter(pk=row.pk).update(
            status=Status.QUEUED, last_error=error, updated_at=now, next_attempt_at=now + timedelta(seconds=delay)
        )
        logger.warning("Outbox row %s: temporary error, retry in %ss: %s", row.pk, delay, error)
        raise TemporaryDeliveryError(error, retry_in=delay) from exc
    OutboundEmail.objects.filter(pk=row.pk).update(status=Status.FAILED, last_error=error, updated_at=now)
    logger.error("Outbox row %s failed for good: %s", row.pk, error)
    return "failed"


def outbox_sweep() -> int:
    """Queue again the rows nobody is working on: queued but never picked up (broker outage, crash
    between commit and queueing), or stuck in sending after a worker died. Returns how many."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    # A row stuck in "sending" is given back: its worker died mid-send. The stable Message-ID lets
    # the receiving side recognise the rare duplicate this may cause.
    OutboundEmail.objects.filter(status=Status.SENDING, updated_at__lt=now - timedelta(minutes=15)).update(
        status=Status.QUEUED, updated_at=now, next_attempt_at=now
    )
    due = list(
        OutboundEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .filter(Q(updated_at__lt=stale_before) | Q(next_attempt_at__lt=stale_before))
        .values_list("pk", flat=True)[:500]
    )
    for email_id in due:
        _queue_delivery(email_id)
    return len(due)


def outbox_requeue(*, email_ids: list[int], actor: Any) -> int:
    """Give failed rows a fresh start (the admin's resend action)."""
    count = 0
    with transaction.atomic():
        for row in OutboundEmail.objects.select_for_update().filter(pk__in=email_ids, status=Status.FAILED):
            OutboundEmail.objects.filter(pk=row.pk).update(
                status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), updated_at=timezone.now()
            )
            log_action("core.outbox.requeued", actor=actor, target=row, data={"to": row.to_email})
            transaction.on_commit(lambda pk=row.pk: _queue_delivery(pk))
            count += 1
    return count


def outbox_purge_sensitive() -> int:
    """Blank the bodies of sent mails that carried one-time links or personal details, once they are no longer
    useful; the context that rendered them holds the same links and details."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_SENSITIVE_RETENTION_DAYS)
    return (
        OutboundEmail.objects.filter(sensitive=True, status=Status.SENT, sent_at__lt=cutoff)
        .exclude(body_text="", context={})
        .update(body_text="", body_html="", context={}, updated_at=timezone.now())
    )
