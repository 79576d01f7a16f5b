"""Seats in the GTs: assignment, waiting list, offers of freed seats, removal (art 4bis.2, annex 1 §1 and §4).

The hard rules live here, whatever the entry point (board, admin, shell, task): an organisation only sits in a
group it is eligible for, holds at most one place per group (a database constraint too), and a group never has
more seats taken than its capacity. Capacity is checked under a lock on the group's row, then re-counted, then
written, so concurrent requests on PostgreSQL cannot overfill a group.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import log_action
from members.enums import OrganisationStatus
from members.models import Organisation
from thematic_groups import notifications
from thematic_groups.enums import AssignmentStatus, ReleaseReason
from thematic_groups.models import Assignment, ThematicGroup


class SeatRefused(ValidationError):
    """A seat that the rules do not allow: ineligible, already placed, group full, or not a member."""


def _locked_group(group: ThematicGroup) -> ThematicGroup:
    return ThematicGroup.objects.select_for_update().get(pk=group.pk)


def seats_taken(group: ThematicGroup) -> int:
    return Assignment.objects.filter(thematic_group=group, status__in=AssignmentStatus.seat_holding()).count()


def _check_can_sit(organisation: Organisation, group: ThematicGroup) -> None:
    if organisation.status != OrganisationStatus.ACTIVE:
        raise SeatRefused(_("%(organisation)s is not an active member.") % {"organisation": organisation.name})
    if not group.accepts(organisation.type):
        raise SeatRefused(
            _("%(organisation)s cannot take part in %(group)s.")
            % {"organisation": organisation.name, "group": group.name}
        )


def _log(action: str, *, actor, assignment: Assignment, **data: Any) -> None:
    # The group is the target, so its history reads as one chain of events.
    log_action(
        f"thematic_groups.seat.{action}",
        actor=actor,
        target=assignment.thematic_group,
        data={"organisation": assignment.organisation.name, "organisation_id": assignment.organisation_id, **data},
    )


def _row_for(organisation: Organisation, group: ThematicGroup) -> Assignment | None:
    return Assignment.objects.select_for_update().filter(organisation=organisation, thematic_group=group).first()


def assignment_create(
    *,
    actor,
    organisation: Organisation,
    group: ThematicGroup,
    reason: str = "",
    notify: bool = True,
) -> Assignment:
    """Give the organisation a seat in the group, or refuse with the rule that stops it."""
    with transaction.atomic():
        group = _locked_group(group)
        organisation = Organisation.objects.get(pk=organisation.pk)
        _check_can_sit(organisation, group)
        row = _row_for(organisation, group)
        if row is not None and row.status == AssignmentStatus.ASSIGNED:
            raise SeatRefused(
                _("%(organisation)s already has a seat in %(group)s.")
                % {"organisation": organisation.name, "group": group.name}
            )
        already_counted = row is not None and row.holds_seat
        if not already_counted and seats_taken(group) >= group.capacity_max:
            raise SeatRefused(
                _("%(group)s is full: all %(capacity)d seats are taken.")
                % {"group": group.name, "capacity": group.capacity_max}
            )
        row = _save_status(row, organisation, group, AssignmentStatus.ASSIGNED, actor=actor, reason=reason)
        _log("assigned", actor=actor, assignment=row, reason=reason)
        if notify:
            _notify(row)
    return row


def waiting_list_add(*, actor, organisation: Organisation, group: ThematicGroup, reason: str = "", notify=True):
    with transaction.atomic():
        group = _locked_group(group)
        organisation = Organisation.objects.get(pk=organisation.pk)
        _check_can_sit(organisation, group)
        row = _row_for(organisation, group)
        if row is not None and row.status in AssignmentStatus.open_states():
            raise SeatRefused(
                _("%(organisation)s is already placed in %(group)s (%(status)s).")
                % {"organisation": organisation.name, "group": group.name, "status": row.get_status_display()}
            )
        row = _save_status(row, organisation, group, AssignmentStatus.WAITING, actor=actor, reason=reason)
        _log("waiting", actor=actor, assignment=row, reason=reason, position=waiting_position(row))
        if notify:
            _notify(row)
    return row


def _save_status(row, organisation, group, status: str, *, actor, reason: str) -> Assignment:
    now = timezone.now()
    if row is None:
        row = Assignment(
            organisation=organisation,
            thematic_group=group,
            queued_since=organisation.member_since or timezone.localdate(),
        )
    row.status = status
    row.reason = reason
    row.decided_at = now
    row.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    row.release_reason = ""
    row.offer_expires_on = None
    row.removal_effective_on = None
    row.removal_reason = ""
    row.save()
    return row


def _notify(row: Assignment) -> None:
    row.notified_at = timezone.now()
    row.save(update_fields=["notified_at"])
    notifications.assignment_decided(row)


def waiting_list(group: ThematicGroup):
    return (
        Assignment.objects.filter(thematic_group=group, status=AssignmentStatus.WAITING)
        .select_related("organisation")
        .order_by("-priority", "queued_since", "pk")
    )


def waiting_position(row: Assignment) -> int:
    ids = list(waiting_list(row.thematic_group).values_list("pk", flat=True))
    return ids.index(row.pk) + 1 if row.pk in ids else 0


def waiting_priority_set(*, actor, assignment: Assignment, priority: int, reason: str) -> Assignment:
    """A coordinator moves an organisation up the waiting list; the reason is recorded and shown."""
    reason = (reason or "").strip()
    if priority and not reason:
        raise SeatRefused(_("Record the reason for this priority."))
    with transaction.atomic():
        row = Assignment.objects.select_for_update().select_related("organisation", "thematic_group")
        row = row.get(pk=assignment.pk)
        if row.status != AssignmentStatus.WAITING:
            raise SeatRefused(_("Only an organisation on the waiting list can be given a priority."))
        before = {"priority": row.priority, "reason": row.priority_reason}
        row.priority = priority
        row.priority_reason = reason if priority else ""
        row.save(update_fields=["priority", "priority_reason"])
        _log("priority", actor=actor, assignment=row, before=before, priority=priority, reason=reason)
    return row


def seat_release(*, actor, assignment: Assignment, reason: str, offer_next: bool = True) -> Assignment:
    """The organisation leaves the group (withdrawal, removal, declined offer); the seat goes down the list."""
    with transaction.atomic():
        group = _locked_group(assignment.thematic_group)
        row = Assignment.objects.select_for_update().select_related("organisation").get(pk=assignment.pk)
        if row.status == AssignmentStatus.RELEASED:
            return row
        had_seat = row.holds_seat
        row.status = AssignmentStatus.RELEASED
        row.release_reason = reason
        row.decided_at = timezone.now()
        row.offer_expires_on = None
        row.save(update_fields=["status", "release_reason", "decided_at", "offer_expires_on"])
        _log("released", actor=actor, assignment=row, because=reason)
        if had_seat and offer_next:
            offer_free_seats(actor=actor, group=group)
    return row


def offer_free_seats(*, actor, group: ThematicGroup) -> list[Assignment]:
    """Offer each free seat to the next eligible organisation on the waiting list, and tell it."""
    offered: list[Assignment] = []
    with transaction.atomic():
        group = _locked_group(group)
        free = group.capacity_max - seats_taken(group)
        if free <= 0:
            return offered
        expires = timezone.localdate() + timedelta(days=settings.GT_SEAT_OFFER_DAYS)
        for row in waiting_list(group).select_for_update(of=("self",)):
            if len(offered) >= free:
                break
            if row.organisation.status != OrganisationStatus.ACTIVE or not group.accepts(row.organisation.type):
                continue
            row.status = AssignmentStatus.OFFERED
            row.offer_expires_on = expires
            row.decided_at = timezone.now()
            row.notified_at = timezone.now()
            row.save(update_fields=["status", "offer_expires_on", "decided_at", "notified_at"])
            _log("offered", actor=actor, assignment=row, until=expires.isoformat())
            notifications.seat_offered(row)
            offered.append(row)
    return offered


def offer_answer(*, actor, assignment: Assignment, accept: bool) -> Assignment:
    """The organisation (its contact point, legal representative or delegate) takes or declines an offered seat."""
    with transaction.atomic():
        _locked_group(assignment.thematic_group)
        row = Assignment.objects.select_for_update().select_related("organisation").get(pk=assignment.pk)
        if row.status != AssignmentStatus.OFFERED:
            raise SeatRefused(_("This seat is no longer on offer."))
        if not accept:
            return seat_release(actor=actor, assignment=row, reason=ReleaseReason.DECLINED)
        row.status = AssignmentStatus.ASSIGNED
        row.offer_expires_on = None
        row.decided_at = timezone.now()
        row.save(update_fields=["status", "offer_expires_on", "decided_at"])
        _log("offer_accepted", actor=actor, assignment=row)
        notifications.assignment_decided(row)
    return row


def expired_offers_release(*, today: date | None = None) -> int:
    """Periodic: an offer left unanswered goes to the next organisation on the list."""
    today = today or timezone.localdate()
    count = 0
    for row in Assignment.objects.filter(status=AssignmentStatus.OFFERED, offer_expires_on__lt=today):
        seat_release(actor=None, assignment=row, reason=ReleaseReason.OFFER_EXPIRED)
        count += 1
    return count


def removal_decide(*, actor, assignment: Assignment, effective_on: date, reason: str) -> Assignment:
    """Repeated unjustified absences (annex 1 §4): removal with a notice period, the member told ahead."""
    reason = (reason or "").strip()
    if not reason:
        raise SeatRefused(_("Give the reason for the removal; it is sent to the organisation."))
    if effective_on <= timezone.localdate():
        raise SeatRefused(_("The removal must take effect after today, so the member is told ahead."))
    with transaction.atomic():
        row = Assignment.objects.select_for_update().select_related("organisation", "thematic_group")
        row = row.get(pk=assignment.pk)
        if row.status != AssignmentStatus.ASSIGNED:
            raise SeatRefused(_("Only an organisation with a seat can be removed."))
        row.removal_effective_on = effective_on
        row.removal_reason = reason
        row.save(update_fields=["removal_effective_on", "removal_reason"])
        _log("removal_decided", actor=actor, assignment=row, effective_on=effective_on.isoformat(), reason=reason)
        notifications.removal_announced(row)
    return row


def removal_cancel(*, actor, assignment: Assignment) -> Assignment:
    """The coordination goes back on a removal before it takes effect; the organisation is told."""
    with transaction.atomic():
        row = Assignment.objects.select_for_update().select_related("organisation", "thematic_group")
        row = row.get(pk=assignment.pk)
        if row.status != AssignmentStatus.ASSIGNED or row.removal_effective_on is None:
            raise SeatRefused(_("No removal is planned for this organisation."))
        row.removal_effective_on = None
        row.removal_reason = ""
        row.save(update_fields=["removal_effective_on", "removal_reason"])
        _log("removal_cancelled", actor=actor, assignment=row)
        notifications.removal_cancelled(row)
    return row


def due_removals_apply(*, today: date | None = None) -> int:
    """Periodic: removals whose notice period has ended free their seat for the waiting list."""
    today = today or timezone.localdate()
    rows = Assignment.objects.filter(status=AssignmentStatus.ASSIGNED, removal_effective_on__lte=today)
    count = 0
    for row in rows:
        seat_release(actor=None, assignment=row, reason=ReleaseReason.REMOVAL)
        count += 1
    return count


def organisation_seats_release(*, organisation: Organisation, actor) -> int:
    """A withdrawn organisation gives up every place it had in the GTs."""
    rows = Assignment.objects.filter(organisation=organisation, status__in=AssignmentStatus.open_states())
    count = 0
    for row in rows:
        seat_release(actor=actor, assignment=row, reason=ReleaseReason.WITHDRAWAL)
        count += 1
    return count
