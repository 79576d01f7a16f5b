"""Absences, check-in, the attendance list and its closing (art 4bis.2, annex 1 §4).

- An absence announced at least 24 hours before the start is excused; later it is unjustified, unless the pilot
  records exceptional circumstances with a reason.
- A representative of the member counts as attendance: a delegate may name a replacement from the same
  organisation.
- Delegates check in during the session window; the locomotive completes and closes the list afterwards;
  corrections after closing are audited with their before and after.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import log_action
from members.enums import OrganisationRoleType
from members.models import Organisation, OrganisationRole
from thematic_groups import session_notifications as notify
from thematic_groups.enums import AlertKind, AssignmentStatus, AttendanceStatus, SessionStatus
from thematic_groups.models import AbsenceNotice, Assignment, Attendance, AttendanceAlert, Session

NOTICE_AHEAD = timedelta(hours=24)
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)


class AttendanceRefused(ValidationError):
    pass


def is_on_time(announced_at: datetime, starts_at: datetime) -> bool:
    """Announced at least 24 hours before the start: 24 h 00 min is on time, 23 h 59 min is not."""
    return starts_at - announced_at >= NOTICE_AHEAD


def seated_organisations(session: Session):
    """The members expected at the session: organisations holding a seat in its group."""
    return Organisation.objects.filter(
        assignments__thematic_group_id=session.thematic_group_id,
        assignments__status=AssignmentStatus.ASSIGNED,
    ).order_by("name")


def _holds_seat(organisation: Organisation, session: Session) -> bool:
    return Assignment.objects.filter(
        organisation=organisation, thematic_group_id=session.thematic_group_id, status=AssignmentStatus.ASSIGNED
    ).exists()


def _speaks_for(user, organisation: Organisation, session: Session) -> bool:
    """The organisation's delegate for this group, its contact point or its legal representative."""
    return (
        OrganisationRole.objects.filter(organisation=organisation, user=user)
        .filter(role__in=[OrganisationRoleType.CONTACT_POINT, OrganisationRoleType.LEGAL_REPRESENTATIVE])
        .exists()
        or OrganisationRole.objects.filter(
            organisation=organisation,
            user=user,
            role=OrganisationRoleType.DELEGATE,
            thematic_group_id=session.thematic_group_id,
        ).exists()
    )


def absence_announce(
    *, actor, session: Session, organisation: Organisation, message: str = "", replacement=None, now=None
) -> AbsenceNotice:
    now = now or timezone.now()
    if not _speaks_for(actor, organisation, session):
        raise AttendanceRefused(_("Only the delegate of the organisation can announce its absence."))
    if session.status != SessionStatus.PUBLISHED:
        raise AttendanceRefused(_("This session is not (or no longer) planned."))
    if now >= session.starts_at:
        raise AttendanceRefused(_("The session has started: an absence can no longer be announced."))
    if not _holds_seat(organisation, session):
        raise AttendanceRefused(_("Your organisation has no seat in this group."))
    if Attendance.objects.filter(session=session, organisation=organisation).exists():
        raise AttendanceRefused(_("Your organisation has already checked in for this session."))
    if (
        replacement is not None
        and not OrganisationRole.objects.filter(organisation=organisation, user=replacement).exists()
    ):
        raise AttendanceRefused({"replacement": _("The replacement must be a person of the same organisation.")})
    try:
        with transaction.atomic():
            notice = AbsenceNotice.objects.create(
                session=session,
                organisation=organisation,
                announced_by=actor,
                announced_at=now,
                message=(message or "").strip(),
                replacement=replacement,
                on_time=is_on_time(now, session.starts_at),
            )
            log_action(
                "thematic_groups.absence.announced",
                actor=actor,
                target=session,
                data={
                    "organisation": organisation.name,
                    "on_time": notice.on_time,
                    "replacement": replacement.email if replacement else None,
                },
            )
            notify.absence_announced(notice)
            notify.replacement_named(notice)
    except IntegrityError as exc:
        raise AttendanceRefused(_("An absence has already been announced for this session.")) from exc
    return notice


def absence_withdraw(*, actor, notice: AbsenceNotice, now=None) -> None:
    """The organisation will attend after all: its notice is taken back before the session starts."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = AbsenceNotice.objects.select_for_update().select_related("session", "organisation").get(pk=notice.pk)
        if not _speaks_for(actor, notice.organisation, notice.session):
            raise AttendanceRefused(_("Only the delegate of the organisation can change its absence notice."))
        if now >= notice.session.starts_at:
            raise AttendanceRefused(_("The session has started: the notice can no longer be taken back."))
        log_action(
            "thematic_groups.absence.withdrawn",
            actor=actor,
            target=notice.session,
            data={"organisation": notice.organisation.name, "announced_at": notice.announced_at.isoformat()},
        )
        # The audit keeps the notice; removing the row lets the organisation announce anew if plans change again.
        notice.delete()


def absence_mark_exceptional(*, actor, notice: AbsenceNotice, reason: str) -> AbsenceNotice:
    """The pilot accepts a late notice because of exceptional, unforeseeable circumstances."""
    reason = (reason or "").strip()
    if not reason:
        raise AttendanceRefused({"reason": _("Describe the exceptional circumstances.")})
    with transaction.atomic():
        notice = AbsenceNotice.objects.select_for_update().select_related("session", "organisation").get(pk=notice.pk)
        notice.exceptional_reason = reason
        notice.exceptional_by = actor
        notice.save(update_fields=["exceptional_reason", "exceptional_by"])
        log_action(
            "thematic_groups.absence.exceptional",
            actor=actor,
            target=notice.session,
            data={"organisation": notice.organisation.name, "reason": reason},
        )
        record = Attendance.objects.filter(session=notice.session, organisation=notice.organisation).first()
        if record and record.status == AttendanceStatus.ABSENT:
            _set_status(record, AttendanceStatus.EXCEPTIONAL, actor=actor, note=reason)
    return notice


def check_in_window(session: Session) -> tuple[datetime, datetime]:
    return session.starts_at - CHECK_IN_OPENS_BEFORE, session.ends_at


def attendance_check_in(*, actor, session: Session, token: str, organisation: Organisation, now=None) -> Attendance:
    """A delegate (or a representative of the member) records their presence with the session's link or QR code."""
    now = now or timezone.now()
    if token != session.check_in_token:
        raise AttendanceRefused(_("This check-in link is not valid for this session."))
    opens, closes = check_in_window(session)
    if not (opens <= now <= closes) or session.status != SessionStatus.PUBLISHED:
        raise AttendanceRefused(_("Check-in is open only during the session."))
    if session.attendance_closed:
        raise AttendanceRefused(_("The attendance list of this session is closed."))
    if not OrganisationRole.objects.filter(organisation=organisation, user=actor).exists():
        raise AttendanceRefused(_("You can only check in for your own organisation."))
    if not _holds_seat(organisation, session):
        raise AttendanceRefused(_("Your organisation has no seat in this group."))
    with transaction.atomic():
        record, _created = Attendance.objects.select_for_update().get_or_create(
            session=session,
            organisation=organisation,
            defaults={
                "status": AttendanceStatus.PRESENT,
                "attendee": actor,
                "checked_in_at": now,
                "recorded_by": actor,
            },
        )
        if not _created:
            record.status = AttendanceStatus.PRESENT
            record.attendee = record.attendee or actor
            record.checked_in_at = record.checked_in_at or now
            record.save(update_fields=["status", "attendee", "checked_in_at"])
        log_action(
            "thematic_groups.attendance.checked_in",
            actor=actor,
            target=session,
            data={"organisation": organisation.name},
        )
    return record


def _set_status(record: Attendance, status: str, *, actor, note: str = "") -> None:
    before = record.status
    record.status = status
    record.recorded_by = actor
    if note:
        record.note = note[:300]
    if record.pk is None:
        record.save()
    else:
        record.save(update_fields=["status", "recorded_by", "note", "updated_at"])
    if record.session.attendance_closed and before != status:
        log_action(
            "thematic_groups.attendance.corrected",
            actor=actor,
            target=record.session,
            data={"organisation": record.organisation.name, "from": before, "to": status, "note": note},
        )


def attendance_record(
    *, actor, session: Session, organisation: Organisation, status: str, note: str = ""
) -> Attendance:
    """The pilot or facilitator sets one line; after closing it is a correction, audited."""
    if status not in AttendanceStatus.values:
        raise AttendanceRefused(_("Unknown attendance status."))
    if session.starts_at > timezone.now():
        raise AttendanceRefused(_("The session has not started yet."))
    if status == AttendanceStatus.EXCEPTIONAL and not (note or "").strip():
        raise AttendanceRefused(
            _("%(organisation)s: write the exceptional circumstances in the note.")
            % {"organisation": organisation.name}
        )
    if (
        status == AttendanceStatus.EXCUSED
        and not session.absences.filter(organisation=organisation, on_time=True, withdrawn_at__isnull=True).exists()
    ):
        raise AttendanceRefused(
            _(
                "%(organisation)s did not announce its absence 24 hours ahead: it is not excused, unless you record "
                "exceptional circumstances with a reason."
            )
            % {"organisation": organisation.name}
        )
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        record = (
            Attendance.objects.select_for_update()
            .select_related("session", "organisation")
            .filter(session=session, organisation=organisation)
            .first()
        )
        if record is None:
            record = Attendance(session=session, organisation=organisation, status=status)
        _set_status(record, status, actor=actor, note=note)
        if session.attendance_closed:
            evaluate_alerts(session)
    return record


def attendance_close(*, actor, session: Session) -> Session:
    """Complete the list from the absence notices (unannounced absences are unjustified) and close it."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("thematic_group").get(pk=session.pk)
        if session.attendance_closed:
            raise AttendanceRefused(_("This attendance list is already closed."))
        if not session.has_ended:
            raise AttendanceRefused(_("The list can be closed once the session has ended."))
        recorded = set(Attendance.objects.filter(session=session).values_list("organisation_id", flat=True))
        notices = {notice.organisation_id: notice for notice in session.absences.filter(withdrawn_at__isnull=True)}
        for organisation in seated_organisations(session):
            if organisation.pk in recorded:
                continue
            notice = notices.get(organisation.pk)
            Attendance.objects.create(
                session=session,
                organisation=organisation,
                status=notice.attendance_status if notice else AttendanceStatus.ABSENT,
                attendee=notice.replacement if notice else None,
                recorded_by=actor,
            )
        session.attendance_closed_at = timezone.now()
        session.attendance_closed_by = actor
        session.save(update_fields=["attendance_closed_at", "attendance_closed_by"])
        log_action("thematic_groups.attendance.closed", actor=actor, target=session)
        evaluate_alerts(session)
    return session


def evaluate_alerts(session: Session) -> int:
    """After a closed list, record each member's new alerts and send the coordination and the pilot one digest."""
    from thematic_groups.two_thirds import group_standings

    raised = []
    for standing in group_standings(session.thematic_group):
        kinds = []
        if standing.status != "on_track":
            kinds.append(AlertKind(standing.status))
        if standing.repeated_unjustified:
            kinds.append(AlertKind.REPEATED_ABSENCES)
        for kind in kinds:
            once_per_member = kind in (AlertKind.CANNOT_REACH, AlertKind.REPEATED_ABSENCES)
            if once_per_member and AttendanceAlert.objects.filter(assignment=standing.assignment, kind=kind).exists():
                continue  # already told; saying it again at every session would only be noise
            try:
                with transaction.atomic():
                    AttendanceAlert.objects.create(assignment=standing.assignment, kind=kind, session=session)
            except IntegrityError:
                continue
            raised.append((standing, kind))
    if raised:
        notify.attendance_alerts(session, raised)
    return len(raised)


def unjustified_thresholds() -> tuple[int, int]:
    return settings.GT_UNJUSTIFIED_IN_A_ROW, settings.GT_UNJUSTIFIED_TOTAL
