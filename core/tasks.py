import logging

from celery import shared_task

from core import outbox

logger = logging.getLogger(__name__)


@shared_task(name="core.outbox.deliver", bind=True, max_retries=None, acks_late=True)
def deliver_email(self, *, email_id: int) -> str:
    try:
        return outbox.email_deliver(email_id=email_id)
    except outbox.TemporaryDeliveryError as exc:
        if self.request.is_eager:
            # In-process mode has no broker to wait on: the row stays queued for the sweep.
            return "retry-later"
        raise self.retry(countdown=exc.retry_in, exc=exc) from exc


@shared_task(name="core.outbox.sweep")
def sweep_outbox() -> int:
    return outbox.outbox_sweep()


@shared_task(name="core.outbox.purge")
def purge_sensitive_outbox() -> int:
    return outbox.outbox_purge_sensitive()
