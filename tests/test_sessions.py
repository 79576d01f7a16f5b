"""GT sessions: the two-month notice, calendars, absences and the 24-hour rule, attendance, the two-thirds rule."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from icalendar import Calendar

from core.models import OutboundEmail
from members.enums import OrganisationRoleType
from members.models import OrganisationRole
from tests.factories import UserFactory
from tests.test_assignments import candidate_org
from thematic_groups import assignments, attendance, calendars, sessions
from thematic_groups.attendance import AttendanceRefused
from thematic_groups.enums import AttendanceStatus, SessionStatus, TwoThirdsStatus
from thematic_groups.models import AbsenceNotice, Attendance, AttendanceAlert
from thematic_groups.sessions import SessionRefused
from thematic_groups.two_thirds import group_standings, two_thirds

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=BRUSSELS)


def plan(group, starts, *, actor=None, hours=3, **extra):
    return sessions.session_create(
        actor=actor,
        group=group,
        title=extra.pop("title", "Séance de travail"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        place=extra.pop("place", "SPW, Namur"),
        agenda=extra.pop("agenda", "1. Tour de table\n2. Retours d'expérience"),
        **extra,
    )


def seated(group, count=1):
    """Organisations holding a seat, each with its delegate (returned as (organisation, delegate))."""
    members = []
    for _ in range(count):
        organisation = candidate_org(group)
        assignments.assignment_create(actor=None, organisation=organisation, group=group, notify=False)
        delegate = OrganisationRole.objects.get(organisation=organisation, role=OrganisationRoleType.DELEGATE).user
        members.append((organisation, delegate))
    return members


# --- two months' notice (annex 1 §3) ------------------------------------------------------------------


@time_machine.travel(NOW)
def test_publishing_two_months_minus_one_day_ahead_needs_an_exceptional_reason(groups, pilot, coordinator):
    group = groups["decarbonation"]
    too_soon = plan(group, NOW + relativedelta(months=2) - timedelta(days=1))
    on_time = plan(group, NOW + relativedelta(months=2))

    with pytest.raises(SessionRefused, match="deux mois"):
        sessions.session_publish(actor=pilot, session=too_soon)
    with pytest.raises(SessionRefused):
        sessions.session_publish(actor=coordinator, session=too_soon)  # no reason given
    sessions.session_publish(actor=pilot, session=on_time)
    published = sessions.session_publish(
        actor=coordinator, session=too_soon, short_notice_reason="Report imposé par une grève."
    )

    assert published.status == SessionStatus.PUBLISHED
    assert published.short_notice_reason == "Report imposé par une grève."
    assert published.short_notice_allowed_by == coordinator


@time_machine.travel(NOW)
def test_publishing_notifies_the_delegates_with_an_invitation(groups, pilot, django_capture_on_commit_callbacks):
    group = groups["resilience"]
    ((_organisation, delegate),) = seated(group)
    session = plan(group, NOW + relativedelta(months=3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_publish(actor=pilot, session=session)

    message = next(m for m in mail.outbox if delegate.email in m.to)
    ics = next(a for a in message.attachments if a[0].endswith(".ics"))
    event = Calendar.from_ical(ics[1]).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{session.uid}@asetw"
    assert event["DTSTART"].dt.tzinfo.key == "Europe/Brussels"
    assert event["DTSTART"].dt.hour == 9


@time_machine.travel(NOW)
def test_a_change_keeps_the_uid_with_a_higher_sequence_and_a_cancellation_is_marked(
    groups, pilot, django_capture_on_commit_callbacks
):
    group = groups["resilience"]
    seated(group)
    session = plan(group, NOW + relativedelta(months=3))
    sessions.session_publish(actor=pilot, session=session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = sessions.session_update(actor=pilot, session=session, place="AVIQ, Charleroi")
    assert changed.sequence == 1
    assert mail.outbox and "AVIQ, Charleroi" in mail.outbox[0].body
    assert "Ce qui change : lieu" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = sessions.session_cancel(actor=pilot, session=session, reason="Pilote indisponible.")
    feed = Calendar.from_ical(calendars.calendar_for([cancelled], name="test"))
    event = feed.walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2
    assert str(event["UID"]) == f"{session.uid}@asetw"
    assert "CANCEL" in mail.outbox[-1].attachments[0][2]


def test_a_reminder_goes_out_once_a_week_before(groups, pilot, django_capture_on_commit_callbacks):
    group = groups["resilience"]
    seated(group, 2)
    with time_machine.travel(NOW):
        session = sessions.session_publish(actor=pilot, session=plan(group, NOW + relativedelta(months=3)))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert sessions.session_reminders_send(now=session.starts_at - timedelta(days=8)) == 0
        assert sessions.session_reminders_send(now=session.starts_at - timedelta(days=6)) == 1
        assert sessions.session_reminders_send(now=session.starts_at - timedelta(days=5)) == 0
    assert len(mail.outbox) == 2


# --- absences: the 24-hour rule (annex 1 §4) ---------------------------------------------------------------


@pytest.fixture
def published(groups, pilot):
    group = groups["decarbonation"]
    with time_machine.travel(NOW):
        session = plan(group, NOW + relativedelta(months=3))
        return sessions.session_publish(actor=pilot, session=session)


@pytest.mark.parametrize(
    ("before", "status"),
    [(timedelta(hours=24), AttendanceStatus.EXCUSED), (timedelta(hours=23, minutes=59), AttendanceStatus.ABSENT)],
    ids=["24h00-excused", "23h59-unjustified"],
)
def test_the_24_hour_rule(published, before, status, django_capture_on_commit_callbacks):
    ((organisation, delegate),) = seated(published.thematic_group)
    mail.outbox.clear()
    with time_machine.travel(published.starts_at - before), django_capture_on_commit_callbacks(execute=True):
        notice = attendance.absence_announce(actor=delegate, session=published, organisation=organisation)
    assert notice.attendance_status == status
    pilots = {role.user.email for role in published.thematic_group.locomotive.filter(role="pilot")}
    assert pilots and pilots <= {message.to[0] for message in mail.outbox}


def test_the_pilot_can_excuse_a_late_notice_with_a_reason(published, pilot):
    ((organisation, delegate),) = seated(published.thematic_group)
    with time_machine.travel(published.starts_at - timedelta(hours=2)):
        notice = attendance.absence_announce(actor=delegate, session=published, organisation=organisation)
    with pytest.raises(AttendanceRefused):
        attendance.absence_mark_exceptional(actor=pilot, notice=notice, reason="")
    notice = attendance.absence_mark_exceptional(actor=pilot, notice=notice, reason="Hospitalisation soudaine.")
    assert notice.attendance_status == AttendanceStatus.EXCEPTIONAL


def test_a_replacement_from_the_same_organisation_counts_as_attendance(published):
    (organisation, delegate), (other, _other_delegate) = seated(published.thematic_group, 2)
    colleague = UserFactory()
    OrganisationRole.objects.create(organisation=organisation, user=colleague, role=OrganisationRoleType.CONTACT_POINT)
    outsider = OrganisationRole.objects.get(organisation=other, role=OrganisationRoleType.DELEGATE).user
    with time_machine.travel(published.starts_at - timedelta(days=3)):
        with pytest.raises(AttendanceRefused):
            attendance.absence_announce(
                actor=delegate, session=published, organisation=organisation, replacement=outsider
            )
        notice = attendance.absence_announce(
            actor=delegate, session=published, organisation=organisation, replacement=colleague
        )
    # The replacement attends when they check in; until then the notice counts as an excused absence.
    assert notice.attendance_status == AttendanceStatus.EXCUSED
    with time_machine.travel(published.starts_at + timedelta(minutes=3)):
        record = attendance.attendance_check_in(
            actor=colleague, session=published, token=published.check_in_token, organisation=organisation
        )
    assert record.status == AttendanceStatus.PRESENT and record.attendee == colleague


def test_only_the_organisations_own_people_announce_its_absence(published):
    (organisation, _delegate), (_other, other_delegate) = seated(published.thematic_group, 2)
    with time_machine.travel(published.starts_at - timedelta(days=3)), pytest.raises(AttendanceRefused):
        attendance.absence_announce(actor=other_delegate, session=published, organisation=organisation)
    assert not AbsenceNotice.objects.exists()


# --- check-in and closing --------------------------------------------------------------------------------------


def test_a_delegate_checks_in_during_the_session_only_for_their_organisation(published):
    (organisation, delegate), (other, _) = seated(published.thematic_group, 2)
    token = published.check_in_token
    with time_machine.travel(published.starts_at - timedelta(hours=2)), pytest.raises(AttendanceRefused):
        attendance.attendance_check_in(actor=delegate, session=published, token=token, organisation=organisation)
    with time_machine.travel(published.starts_at + timedelta(minutes=10)):
        with pytest.raises(AttendanceRefused):
            attendance.attendance_check_in(actor=delegate, session=published, token=token, organisation=other)
        with pytest.raises(AttendanceRefused):
            attendance.attendance_check_in(actor=delegate, session=published, token="wrong", organisation=organisation)
        record = attendance.attendance_check_in(
            actor=delegate, session=published, token=token, organisation=organisation
        )
    assert record.status == AttendanceStatus.PRESENT and record.attendee == delegate
    assert not Attendance.objects.filter(organisation=other).exists()


def test_closing_completes_the_list_and_corrections_are_audited(published, pilot):
    from core.models import AuditEntry

    members = seated(published.thematic_group, 3)
    (present, delegate), (excused, excused_delegate), (silent, _) = members
    with time_machine.travel(published.starts_at - timedelta(days=2)):
        attendance.absence_announce(actor=excused_delegate, session=published, organisation=excused)
    with time_machine.travel(published.starts_at + timedelta(minutes=5)):
        attendance.attendance_check_in(
            actor=delegate, session=published, token=published.check_in_token, organisation=present
        )
    with time_machine.travel(published.ends_at + timedelta(hours=1)):
        attendance.attendance_close(actor=pilot, session=published)
        statuses = dict(Attendance.objects.filter(session=published).values_list("organisation_id", "status"))
        assert statuses == {present.pk: "present", excused.pk: "excused", silent.pk: "absent"}

        attendance.attendance_record(
            actor=pilot,
            session=published,
            organisation=silent,
            status=AttendanceStatus.PRESENT,
            note="Arrivé en retard",
        )
    correction = AuditEntry.objects.get(action="thematic_groups.attendance.corrected")
    assert correction.data["from"] == "absent" and correction.data["to"] == "present"


# --- the two-thirds rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "attended", "remaining", "needed", "status"),
    [
        (9, 6, 0, 0, TwoThirdsStatus.ON_TRACK),
        (9, 5, 0, 1, TwoThirdsStatus.CANNOT_REACH),
        (6, 3, 3, 3, TwoThirdsStatus.AT_RISK),
        (6, 2, 3, 4, TwoThirdsStatus.CANNOT_REACH),
        (0, 0, 9, 6, TwoThirdsStatus.ON_TRACK),
        (0, 0, 1, 1, TwoThirdsStatus.ON_TRACK),  # a newcomer: nothing held yet, nothing to flag
        (3, 3, 6, 3, TwoThirdsStatus.ON_TRACK),
        (4, 3, 1, 1, TwoThirdsStatus.AT_RISK),  # must attend the only session left
        (3, 1, 6, 5, TwoThirdsStatus.AT_RISK),  # reachable, but below two thirds so far
    ],
)
def test_two_thirds(held, attended, remaining, needed, status):
    result = two_thirds(held=held, attended=attended, remaining=remaining)
    assert (result.needed, result.status) == (needed, status)


def test_standings_and_alerts_after_repeated_unjustified_absences(groups, pilot, coordinator, settings):
    settings.GT_UNJUSTIFIED_IN_A_ROW = 2
    group = groups["decarbonation"]
    held = []
    with time_machine.travel(NOW - timedelta(days=400)):
        (faithful, faithful_delegate), (absent, _) = seated(group, 2)
        for month in range(2):
            session = plan(group, NOW - timedelta(days=300 - 30 * month))
            held.append(sessions.session_publish(actor=pilot, session=session))
    later = None
    with time_machine.travel(NOW):
        later = plan(group, NOW + relativedelta(months=3))
        sessions.session_publish(actor=pilot, session=later)
    for session in held:
        with time_machine.travel(session.starts_at + timedelta(minutes=1)):
            attendance.attendance_check_in(
                actor=faithful_delegate, session=session, token=session.check_in_token, organisation=faithful
            )
        with time_machine.travel(session.ends_at + timedelta(hours=1)):
            attendance.attendance_close(actor=pilot, session=session)

    with time_machine.travel(NOW):
        standings = {s.assignment.organisation_id: s for s in group_standings(group)}
    assert (standings[faithful.pk].held, standings[faithful.pk].attended) == (2, 2)
    assert standings[faithful.pk].status == TwoThirdsStatus.ON_TRACK
    assert standings[absent.pk].status == TwoThirdsStatus.CANNOT_REACH
    assert standings[absent.pk].unjustified_in_a_row == 2 and standings[absent.pk].repeated_unjustified
    kinds = set(AttendanceAlert.objects.filter(assignment__organisation=absent).values_list("kind", flat=True))
    assert {"repeated_absences", "cannot_reach"} <= kinds
    assert not AttendanceAlert.objects.filter(assignment__organisation=faithful).exists()
    digests = OutboundEmail.objects.filter(template="thematic_groups/attendance_alerts")
    # one digest per closed list that raised something, per person: the coordinator and the pilot
    assert sorted(digests.values_list("to_email", flat=True)) == sorted([coordinator.email, pilot.email] * 2)
    last = digests.filter(to_email=coordinator.email).order_by("pk").last()
    assert absent.name in last.body_text and faithful.name not in last.body_text
    assert "Repeated unjustified absences" in last.body_text or "répétées" in last.body_text


def test_closing_a_list_sends_one_digest_for_several_members_at_risk(groups, pilot, coordinator):
    group = groups["decarbonation"]
    with time_machine.travel(NOW - timedelta(days=400)):
        pairs = seated(group, 3)
        session = sessions.session_publish(actor=pilot, session=plan(group, NOW - timedelta(days=300)))
    with time_machine.travel(session.ends_at + timedelta(hours=1)):
        attendance.attendance_close(actor=pilot, session=session)
    digests = OutboundEmail.objects.filter(template="thematic_groups/attendance_alerts")
    assert digests.count() == 2  # the coordinator and the pilot, not one mail per member
    body = digests.get(to_email=pilot.email).body_text
    assert all(organisation.name in body for organisation, _delegate in pairs)


def test_the_locomotive_sets_a_line_nobody_checked_in_for(published, pilot):
    ((organisation, _delegate),) = seated(published.thematic_group)
    with time_machine.travel(published.starts_at + timedelta(minutes=30)):
        record = attendance.attendance_record(
            actor=pilot, session=published, organisation=organisation, status=AttendanceStatus.PRESENT
        )
    assert record.pk and record.status == AttendanceStatus.PRESENT and record.recorded_by == pilot


def test_a_closed_list_keeps_the_members_of_that_day(published, pilot):
    from thematic_groups.selectors import attendance_lines

    seated(published.thematic_group, 2)
    with time_machine.travel(published.ends_at + timedelta(hours=1)):
        closed = attendance.attendance_close(actor=pilot, session=published)
    ((newcomer, _delegate),) = seated(published.thematic_group)
    names = [line.organisation.name for line in attendance_lines(closed)]
    assert len(names) == 2 and newcomer.name not in names
