"""The learning network's events (art 3): registration under capacity with a waiting list, .ics and reminders.

The annual event registers members per organisation; webinars and workshops, per person. Seats are counted
under a lock on the event row, like the GT seats.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from accounts.roles import member_organisation_ids
from community.enums import RegistrationStatus
from community.models import Event, Registration
from core.audit import log_action
from core.outbox import Attachment, email_queue

BRUSSELS = ZoneInfo("Europe/Brussels")
REMINDER_AHEAD = timedelta(days=1)


class RegistrationRefused(ValidationError):
    """The registration cannot be made as asked; the message says why."""


def event_ics(event: Event, *, cancelled: bool = False) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//ASeT-W//Agenda du reseau apprenant//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    item = CalendarEvent()
    item.add("uid", f"{event.uid}@asetw-agenda")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at.astimezone(BRUSSELS))
    item.add("dtend", event.ends_at.astimezone(BRUSSELS))
    item.add("summary", f"ASeT-W — {event.title}")
    if event.place or event.online_url:
        item.add("location", event.place or event.online_url)
    url = settings.SITE_URL + reverse("community:event", args=[event.pk])
    item.add("description", "\n\n".join(part for part in (event.description.strip(), event.online_url, url) if part))
    item.add("url", url)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _attachment(event: Event, *, cancelled: bool = False) -> Attachment:
    return Attachment(
        filename="evenement-asetw.ics",
        content=event_ics(event, cancelled=cancelled),
        content_type="text/calendar; charset=utf-8",
    )


def _mail(
    registration: Registration, template: str, *, with_ics: bool, promoted: bool = False, cancelled: bool = False
) -> None:
    event = registration.event
    user = registration.user
    email_queue(
        to=user.email,
        template=f"community/{template}",
        context={
            "first_name": user.first_name,
            "title": event.title,
            "starts_at": timezone.localtime(event.starts_at),
            "ends_at": timezone.localtime(event.ends_at),
            "place": event.place,
            "online_url": event.online_url,
            "organisation_name": registration.organisation.name if registration.organisation else "",
            "event_url": settings.SITE_URL + reverse("community:event", args=[event.pk]),
            "promoted": promoted,
        },
        recipient=user,
        attachments=[_attachment(event, cancelled=cancelled)] if with_ics else None,
        key=f"community:{template}:{registration.pk}",
    )


def _taken(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def event_register(*, actor, event: Event, organisation=None) -> Registration:
    if event.starts_at <= timezone.now():
        raise RegistrationRefused(_("This event has started: registrations are closed."))
    if event.per_organisation:
        if organisation is None or organisation.pk not in member_organisation_ids(actor):
            raise RegistrationRefused(_("The annual event registers member organisations: choose yours."))
    else:
        organisation = None
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        active = event.registrations.exclude(status=RegistrationStatus.CANCELLED)
        if active.filter(user=actor).exists():
            raise RegistrationRefused(_("You are already registered for this event."))
        if organisation is not None and active.filter(organisation=organisation).exists():
            raise RegistrationRefused(
                _("%(organisation)s is already registered for this event.") % {"organisation": organisation.name}
            )
        status = RegistrationStatus.REGISTERED if _taken(event) < event.capacity else RegistrationStatus.WAITING
        registration = Registration.objects.create(event=event, user=actor, organisation=organisation, status=status)
        log_action(
            "community.event.registered",
            actor=actor,
            target=event,
            data={"status": status, "organisation": organisation.name if organisation else None},
        )
        if status == RegistrationStatus.REGISTERED:
            _mail(registration, "event_registered", with_ics=True)
        else:
            _mail(registration, "event_waiting", with_ics=False)
    return registration


def registration_cancel(*, actor, registration: Registration) -> Registration:
    if registration.user_id != actor.pk:
        raise RegistrationRefused(_("Only the person who registered can cancel it."))
    return _cancel(registration, actor=actor)


def registrations_release(*, organisation) -> int:
    """After a withdrawal: the registrations of people who lost their access to the learning network go,
    and the waiting list moves up."""
    import rules

    released = 0
    people = organisation.roles.values_list("user_id", flat=True)
    registrations = (
        Registration.objects.filter(event__starts_at__gt=timezone.now())
        .exclude(status=RegistrationStatus.CANCELLED)
        .filter(Q(organisation=organisation) | Q(user_id__in=people))
        .select_related("user")
    )
    for registration in registrations:
        still_member = registration.organisation_id != organisation.pk and rules.test_rule(
            "community.view_library", registration.user
        )
        if not still_member:
            _cancel(registration, actor=None)
            released += 1
    return released


def _cancel(registration: Registration, *, actor) -> Registration:
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        freed = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status"])
        log_action("community.event.cancelled", actor=actor, target=event, data={"user": registration.user_id})
        if freed:
            # The invitation sent earlier sits in the person's calendar: a cancellation takes it out.
            _mail(registration, "event_unregistered", with_ics=True, cancelled=True)
        if freed and event.starts_at > timezone.now():
            following = (
                event.registrations.select_for_update(of=("self",))
                .filter(status=RegistrationStatus.WAITING)
                .select_related("user", "organisation")
                .order_by("created_at", "pk")
                .first()
            )
            if following is not None:
                following.status = RegistrationStatus.REGISTERED
                following.save(update_fields=["status"])
                log_action("community.event.promoted", actor=None, target=event, data={"user": following.user_id})
                _mail(following, "event_registered", with_ics=True, promoted=True)
    return registration


def event_reminders_send(now: datetime | None = None) -> int:
    """Periodic: the day before, each registered person is reminded; the event row is claimed once."""
    now = now or timezone.now()
    sent = 0
    due = Event.objects.filter(reminder_sent_at__isnull=True, starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD)
    for event in due:
        with transaction.atomic():
            if not Event.objects.filter(pk=event.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue  # another run took it
            for registration in event.registrations.filter(status=RegistrationStatus.REGISTERED).select_related(
                "user", "organisation", "event"
            ):
                _mail(registration, "event_reminder", with_ics=True)
                sent += 1
    return sent
