import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.models import AuditEntry, OutboundEmail

Status = OutboundEmail.Status
CONTEXT = {"role_label": "Coordination opérationnelle", "first_name": "Claire"}


def _queue(**overrides):
    arguments = {"to": "claire@example.org", "template": "accounts/role_granted", "context": CONTEXT}
    arguments.update(overrides)
    return outbox.email_queue(**arguments)


@pytest.mark.django_db
def test_row_is_written_in_the_transaction_and_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        row = _queue(key="k-1")
        assert len(mail.outbox) == 0  # nothing leaves before the change commits
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire@example.org"]
    assert "Coordination opérationnelle" in message.subject
    assert message.extra_headers["Message-ID"] == row.message_id
    html = message.alternatives[0][0]
    assert 'lang="fr"' in html and "Bonjour Claire" in html


@pytest.mark.django_db
def test_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _queue(key="k-rollback")
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert not OutboundEmail.objects.exists()
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_same_key_twice_gives_one_row_and_one_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(key="same")
        second = _queue(key="same")
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_mail_is_rendered_in_the_recipient_language(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue(language="nl", key="nl")
    assert row.language == "nl"
    assert "Hallo Claire" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_sent_row_is_never_sent_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue(key="once")
    assert outbox.email_deliver(email_id=row.pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_temporary_smtp_error_keeps_the_row_queued_with_backoff(settings):
    row = _queue(key="temp")
    down = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("down"))
    with down, pytest.raises(outbox.TemporaryDeliveryError) as caught:
        outbox.email_deliver(email_id=row.pk)
    row.refresh_from_db()
    assert row.status == Status.QUEUED
    assert row.attempts == 1
    assert "down" in row.last_error
    assert caught.value.retry_in == settings.OUTBOX_RETRY_BASE_SECONDS
    assert row.next_attempt_at > timezone.now()
    # Not due yet: a second attempt right away does nothing.
    assert outbox.email_deliver(email_id=row.pk) == "skipped"


@pytest.mark.django_db
def test_permanent_smtp_error_marks_the_row_failed():
    row = _queue(key="perm")
    error = smtplib.SMTPRecipientsRefused({"claire@example.org": (550, b"no such user")})
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=error):
        assert outbox.email_deliver(email_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "550" in row.last_error


@pytest.mark.django_db
def test_too_many_temporary_errors_end_in_failed(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    row = _queue(key="many")
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=TimeoutError("slow")):
        with pytest.raises(outbox.TemporaryDeliveryError):
            outbox.email_deliver(email_id=row.pk)
        OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert outbox.email_deliver(email_id=row.pk) == "failed"


@pytest.mark.django_db
def test_sweep_sends_rows_that_were_never_queued(settings, django_capture_on_commit_callbacks):
    # The process dies between the commit and the queueing.
    with mock.patch.object(outbox, "_queue_delivery"), django_capture_on_commit_callbacks(execute=True):
        row = _queue(key="lost")
    assert len(mail.outbox) == 0
    assert outbox.outbox_sweep() == 0  # too recent: a worker may still be about to take it
    stale = timezone.now() - timedelta(seconds=settings.OUTBOX_STALE_SECONDS + 1)
    OutboundEmail.objects.filter(pk=row.pk).update(updated_at=stale, next_attempt_at=stale)
    assert outbox.outbox_sweep() == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_admin_resend_action_requeues_failed_rows(client, coordinator, mfa_login, django_capture_on_commit_callbacks):
    row = _queue(key="failed")
    OutboundEmail.objects.filter(pk=row.pk).update(status=Status.FAILED, attempts=8, last_error="550")
    mfa_login(client, coordinator)
    url = reverse("admin:core_outboundemail_changelist")
    listing = client.get(url, {"status__exact": "failed"})
    assert "claire@example.org" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "resend_failed", "_selected_action": [row.pk]}, follow=True)
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="core.outbox.requeued", actor=coordinator).count() == 1


@pytest.mark.django_db
def test_sign_up_mail_goes_through_the_outbox_and_is_purged_after_sending(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new@example.org",
                "password1": "a-long-test-password-2026",
                "password2": "a-long-test-password-2026",
            },
        )
    assert response.status_code == 302
    row = OutboundEmail.objects.get(to_email="new@example.org")
    assert row.template.startswith("allauth:account/email/email_confirmation")
    assert row.sensitive and row.status == Status.SENT
    message = mail.outbox[0]
    assert "/compte/confirm-email/" in message.body
    assert message.body.startswith("Bonjour,") and "La coordination de l'ASeT-W" in message.body
    assert message.subject.startswith("[ASeT-W] ")
    html = message.alternatives[0][0]
    assert (
        'lang="fr"' in html
        and '<a href="https://testserver/compte/confirm-email/' in html
        and "/compte/confirm-email/" in html
    )
    # The portal's own mails keep the link in their context as well.
    OutboundEmail.objects.filter(pk=row.pk).update(
        sent_at=timezone.now() - timedelta(days=30), context={"url": "https://testserver/compte/confirm-email/x/"}
    )
    assert outbox.outbox_purge_sensitive() == 1
    row.refresh_from_db()
    assert row.body_text == "" and row.context == {} and row.status == Status.SENT
    assert outbox.outbox_purge_sensitive() == 0


@pytest.mark.django_db
def test_a_key_taken_between_the_check_and_the_insert_returns_the_existing_row(django_capture_on_commit_callbacks):
    first = _queue(key="raced")
    with mock.patch.object(OutboundEmail.objects, "filter", wraps=OutboundEmail.objects.filter) as lookup:
        # The first lookup misses, as it would for a transaction that checked before the other committed.
        lookup.return_value.first.return_value = None
        lookup.side_effect = None
        again = _queue(key="raced")
    assert again.pk == first.pk
    assert OutboundEmail.objects.filter(idempotency_key="raced").count() == 1


@pytest.mark.django_db
def test_periodic_jobs_run_in_process_without_beat(settings, capsys):
    from django.core.management import call_command

    with mock.patch.object(outbox, "_queue_delivery"):
        row = _queue(key="embedded")
    stale = timezone.now() - timedelta(seconds=settings.OUTBOX_STALE_SECONDS + 1)
    OutboundEmail.objects.filter(pk=row.pk).update(updated_at=stale, next_attempt_at=stale)
    call_command("run_periodic_tasks", "--once")
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(mail.outbox) == 1
    assert "outbox-sweep" in capsys.readouterr().out
