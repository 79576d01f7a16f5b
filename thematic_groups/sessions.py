"""GT sessions (annex 1 §3): planned by the locomotive, published at least two months ahead, changed or
cancelled with notice; every published version reaches the delegates' calendars with the same UID."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import changed_fields, log_action
from thematic_groups import session_notifications as notify
from thematic_groups.enums import SessionStatus
from thematic_groups.models import Session, ThematicGroup

EDITABLE = ("title", "starts_at", "ends_at", "place", "online_url", "agenda", "intersession_task")
# Changing these after publication matters to the people who planned to come.
SCHEDULE_FIELDS = {"starts_at", "ends_at", "place", "online_url"}
REMINDER_AHEAD = timedelta(days=7)


class SessionRefused(ValidationError):
    pass


def earliest_publishable_start(now: datetime | None = None):
    """The first day a session may start when published now: two months ahead (annex 1 §3)."""
    return timezone.localdate(now or timezone.now()) + relativedelta(months=2)


def is_short_notice(starts_at: datetime, now: datetime | None = None) -> bool:
    return timezone.localdate(starts_at) < earliest_publishable_start(now)


def _check_times(starts_at, ends_at) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise SessionRefused({"ends_at": _("The session must end after it starts.")})


def _check_short_notice(session: Session, actor, reason: str) -> str:
    if not is_short_notice(session.starts_at):
        return ""
    reason = (reason or "").strip()
    if not getattr(actor, "is_coordinator", False):
        raise SessionRefused(
            _(
                "A session is announced at least two months ahead (on or after %(date)s). "
                "Only the coordination can publish it sooner, with an exceptional reason."
            )
            % {"date": earliest_publishable_start().strftime("%d/%m/%Y")}
        )
    if not reason:
        raise SessionRefused(
            {
                "short_notice_reason": _(
                    "This session starts less than two months from now: record the exceptional reason."
                )
            }
        )
    return reason


def session_create(*, actor, group: ThematicGroup, **fields: Any) -> Session:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    _check_times(fields.get("starts_at"), fields.get("ends_at"))
    with transaction.atomic():
        session = Session(thematic_group=group, created_by=actor, **fields)
        session.full_clean()
        session.save()
        log_action("thematic_groups.session.created", actor=actor, target=session, data={"title": session.title})
    return session


def session_update(*, actor, session: Session, short_notice_reason: str = "", **fields: Any) -> Session:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("thematic_group").get(pk=session.pk)
        if session.status == SessionStatus.CANCELLED:
            raise SessionRefused(_("A cancelled session can no longer be changed."))
        before = {name: getattr(session, name) for name in fields}
        diff = changed_fields(before, fields)
        if not diff:
            return session
        for name, value in fields.items():
            setattr(session, name, value)
        _check_times(session.starts_at, session.ends_at)
        if session.is_published and "starts_at" in diff:
            session.short_notice_reason = _check_short_notice(session, actor, short_notice_reason) or (
                session.short_notice_reason
            )
        session.full_clean()
        if session.is_published:
            session.sequence += 1
            if "starts_at" in diff:
                session.reminder_sent_at = None
        session.save()
        log_action("thematic_groups.session.updated", actor=actor, target=session, data={"changes": diff})
        if session.is_published and SCHEDULE_FIELDS & set(diff):
            notify.session_changed(session, changes=sorted(SCHEDULE_FIELDS & set(diff)))
    return session


def session_publish(*, actor, session: Session, short_notice_reason: str = "") -> Session:
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("thematic_group").get(pk=session.pk)
        if session.status != SessionStatus.DRAFT:
            raise SessionRefused(_("Only a draft session can be published."))
        if session.starts_at <= timezone.now():
            raise SessionRefused(_("This session is in the past: change its date first."))
        reason = _check_short_notice(session, actor, short_notice_reason)
        session.status = SessionStatus.PUBLISHED
        session.published_at = timezone.now()
        session.short_notice_reason = reason
        session.short_notice_allowed_by = actor if reason else None
        session.save(update_fields=["status", "published_at", "short_notice_reason", "short_notice_allowed_by"])
        log_action(
            "thematic_groups.session.published",
            actor=actor,
            target=session,
            data={"short_notice_reason": reason} if reason else {},
        )
        notify.session_published(session)
    return session


def short_notice_request(*, actor, session: Session, reason: str) -> Session:
    """The locomotive asks the coordination to publish a session starting within two months."""
    reason = (reason or "").strip()
    if not reason:
        raise SessionRefused({"short_notice_reason": _("Explain to the coordination why the session cannot wait.")})
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("thematic_group").get(pk=session.pk)
        if session.status != SessionStatus.DRAFT or not is_short_notice(session.starts_at):
            raise SessionRefused(_("Only a draft starting within two months needs the coordination."))
        if session.starts_at <= timezone.now():
            raise SessionRefused(_("This session is in the past: change its date first."))
        first_request = session.short_notice_requested_at is None
        session.short_notice_requested_at = timezone.now()
        session.short_notice_request = reason
        session.save(update_fields=["short_notice_requested_at", "short_notice_request"])
        log_action(
            "thematic_groups.session.short_notice_requested", actor=actor, target=session, data={"reason": reason}
        )
        notify.short_notice_requested(session, requested_by=actor, repeated=not first_request)
    return session


def short_notice_requests():
    """Drafts whose locomotive asked for an exceptional publication, soonest first."""
    return (
        Session.objects.filter(
            status=SessionStatus.DRAFT, short_notice_requested_at__isnull=False, starts_at__gt=timezone.now()
        )
        .select_related("thematic_group")
        .order_by("starts_at")
    )


def session_cancel(*, actor, session: Session, reason: str) -> Session:
    reason = (reason or "").strip()
    if not reason:
        raise SessionRefused({"reason": _("Give the reason for the cancellation; it is sent to the delegates.")})
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("thematic_group").get(pk=session.pk)
        if session.status == SessionStatus.CANCELLED:
            raise SessionRefused(_("This session is already cancelled."))
        was_published = session.is_published
        session.status = SessionStatus.CANCELLED
        session.cancellation_reason = reason
        session.sequence += 1
        session.save(update_fields=["status", "cancellation_reason", "sequence"])
        log_action("thematic_groups.session.cancelled", actor=actor, target=session, data={"reason": reason})
        if was_published:
            notify.session_cancelled(session)
    return session


def session_delete(*, actor, session: Session) -> None:
    """A draft nobody was told about disappears; anything announced is cancelled instead, so people hear of it."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("thematic_group").get(pk=session.pk)
        if session.status != SessionStatus.DRAFT:
            raise SessionRefused(
                _("Only a draft can be deleted: cancel a published session so the delegates are told.")
            )
        if session.guests.exists():
            raise SessionRefused(_("Experts are invited to this draft: cancel it instead so they are told."))
        log_action(
            "thematic_groups.session.deleted",
            actor=actor,
            target=session.thematic_group,
            data={
                "session": session.pk,
                "title": session.title,
                "starts_at": session.starts_at.isoformat(),
                "ends_at": session.ends_at.isoformat(),
            },
        )
        session.delete()


def session_reminders_send(now: datetime | None = None) -> int:
    """Periodic: a reminder a week before each published session, claimed row by row so it goes out once."""
    now = now or timezone.now()
    due = Session.objects.filter(
        status=SessionStatus.PUBLISHED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_AHEAD,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Session.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if not claimed:
                continue
            notify.session_reminder(Session.objects.select_related("thematic_group").get(pk=pk))
        sent += 1
    return sent
