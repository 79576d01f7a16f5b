"""Background work of the library: the digests of the thematic watch."""

from celery import shared_task

from community import watch


@shared_task(name="community.send_digests")
def send_digests() -> int:
    return watch.digests_send()


@shared_task(name="community.resource_published_alerts")
def resource_published_alerts(*, resource_id: int) -> int:
    return watch.resource_published_alerts(resource_id)


@shared_task(name="community.event_reminders")
def event_reminders() -> int:
    from community import events

    return events.event_reminders_send()
