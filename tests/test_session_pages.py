"""The session pages through HTTP: who may see what, the check-in, the exports, the feeds, query counts."""

import io
from datetime import timedelta

import openpyxl
import pypdf
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.test_sessions import plan, seated
from thematic_groups import sessions
from thematic_groups.models import Attendance, CalendarToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(groups, pilot):
    start = timezone.now() + timedelta(days=70)
    return sessions.session_publish(actor=pilot, session=plan(groups["decarbonation"], start))


def test_a_pilot_of_another_group_gets_404_on_the_attendance(client, mfa_login, session, pilot_other_group, pilot):
    mfa_login(client, pilot_other_group)
    for name in ("thematic_groups:attendance", "thematic_groups:attendance_pdf", "thematic_groups:session_edit"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 404, name
    client.logout()
    mfa_login(client, pilot)
    assert client.get(reverse("thematic_groups:attendance", args=[session.pk])).status_code == 200


def test_a_delegate_cannot_check_in_for_another_organisation(client, session):
    (mine, delegate), (other, _) = seated(session.thematic_group, 2)
    url = reverse("thematic_groups:check_in", args=[session.pk, session.check_in_token])
    with time_machine.travel(session.starts_at + timedelta(minutes=5)):
        client.force_login(delegate)  # a sign-in does not last the 70 days until the session
        page = client.get(url).content.decode()
        assert mine.name in page and other.name not in page
        client.post(url, {"organisation": other.pk})
        assert not Attendance.objects.exists()
        client.post(url, {"organisation": mine.pk})
    assert Attendance.objects.get().organisation == mine


@pytest.mark.parametrize("count", [3, 30])
def test_the_attendance_pages_keep_the_same_number_of_queries(
    client, mfa_login, pilot, session, count, django_assert_max_num_queries
):
    seated(session.thematic_group, count)
    mfa_login(client, pilot)
    with django_assert_max_num_queries(22):
        page = client.get(reverse("thematic_groups:attendance", args=[session.pk])).content.decode()
    assert page.count('name="status-') == 0  # before the start, statuses cannot be set yet
    with time_machine.travel(session.starts_at + timedelta(minutes=1)):
        client.logout()
        mfa_login(client, pilot)
        with django_assert_max_num_queries(22):
            page = client.get(reverse("thematic_groups:attendance", args=[session.pk])).content.decode()
        assert page.count('name="status-') == count
        with django_assert_max_num_queries(20):
            overview = client.get(reverse("thematic_groups:attendance_overview", args=["decarbonation"]))
    assert overview.content.decode().count('<th scope="row">') == count


def test_the_attendance_sheet_as_pdf_and_xlsx(client, mfa_login, pilot, session):
    from members.enums import OrganisationType
    from tests.factories import OrganisationFactory
    from thematic_groups.models import SessionGuest

    members = seated(session.thematic_group, 2)
    expert = OrganisationFactory(type=OrganisationType.OTHER, type_precision="Bureau d'études", name="Bureau Énergie")
    SessionGuest.objects.create(session=session, organisation=expert, topic="Audit", status="accepted")
    mfa_login(client, pilot)
    pdf = client.get(reverse("thematic_groups:attendance_pdf", args=[session.pk])).content
    # Table cells wrap long names: compare with the whitespace evened out.
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Liste de présence" in text
    assert all(organisation.name in text for organisation, _ in members)
    xlsx = client.get(reverse("thematic_groups:attendance_xlsx", args=[session.pk])).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    names = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert {organisation.name for organisation, _ in members} <= names
    assert "Bureau Énergie" in names and "Bureau Énergie" in text  # experts are on both, without a seat


def test_the_calendar_feeds_parse_in_brussels_time_and_a_new_address_kills_the_old(client, session, pilot):
    ((_organisation, delegate),) = seated(session.thematic_group)
    cancelled = sessions.session_cancel(
        actor=pilot,
        session=plan(session.thematic_group, session.starts_at + timedelta(days=30)),
        reason="Report.",
    )
    token = CalendarToken.objects.create(user=delegate).token

    for url in (
        reverse("thematic_groups:calendar_feed", args=[token]),
        reverse("thematic_groups:calendar_group_feed", args=[token, "decarbonation"]),
    ):
        calendar = Calendar.from_ical(client.get(url).content)
        events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
        assert events[f"{session.uid}@asetw"]["DTSTART"].dt.tzinfo.key == "Europe/Brussels"
        assert str(events[f"{cancelled.uid}@asetw"]["STATUS"]) == "CANCELLED"
        assert any(component.name == "VTIMEZONE" for component in calendar.walk())

    client.force_login(delegate)
    client.post(reverse("thematic_groups:calendar_renew"))
    assert client.get(reverse("thematic_groups:calendar_feed", args=[token])).status_code == 404
    assert client.get(reverse("thematic_groups:calendar_group_feed", args=[token, "resilience"])).status_code == 404


def test_a_delegate_announces_an_absence_from_the_session_page(client, session, django_capture_on_commit_callbacks):
    ((organisation, delegate),) = seated(session.thematic_group)
    client.force_login(delegate)
    page = client.get(reverse("thematic_groups:session", args=[session.pk])).content.decode()
    assert reverse("thematic_groups:absence", args=[session.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("thematic_groups:absence", args=[session.pk]),
            {"organisation": organisation.pk, "replacement": "", "message": "Congrès à l'étranger."},
            follow=True,
        )
    assert "excus" in response.content.decode()
    assert session.absences.get().message == "Congrès à l'étranger."


def test_the_locomotive_sees_who_did_the_intersession_task_and_opens_the_file(
    client, mfa_login, pilot, groups, delegate_other_org
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from thematic_groups.contributions import intersession_mark_done

    start = timezone.now() + timedelta(days=70)
    task = sessions.session_create(
        actor=pilot,
        group=groups["decarbonation"],
        title="Séance",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Namur",
        intersession_task="Relever la consommation du bloc.",
    )
    task = sessions.session_publish(actor=pilot, session=task)
    ((organisation, delegate),) = seated(task.thematic_group)
    work = intersession_mark_done(
        actor=delegate,
        session=task,
        organisation=organisation,
        comment="Relevé fait en mai.",
        upload=SimpleUploadedFile("releve.pdf", b"%PDF-1.7 releve", content_type="application/pdf"),
    )
    file_url = reverse("thematic_groups:intersession_file", args=[task.pk, work.pk])

    mfa_login(client, pilot)
    page = client.get(reverse("thematic_groups:session", args=[task.pk])).content.decode()
    assert organisation.name in page and "Relevé fait en mai." in page and file_url in page
    assert b"".join(client.get(file_url).streaming_content).startswith(b"%PDF")
    client.logout()
    client.force_login(delegate_other_org)
    assert client.get(file_url).status_code == 404


def test_an_expert_who_accepted_finds_the_session_in_their_calendar(client, session, pilot):
    from members.enums import OrganisationRoleType, OrganisationType
    from members.models import OrganisationRole
    from tests.factories import OrganisationFactory, UserFactory
    from thematic_groups import experts

    actor = OrganisationFactory(
        type=OrganisationType.OTHER, type_precision="Association", name="Fédération des patients"
    )
    person = UserFactory()
    OrganisationRole.objects.create(organisation=actor, user=person, role=OrganisationRoleType.CONTACT_POINT)
    guest = experts.guest_invite(actor=pilot, session=session, organisation=actor, topic="Parcours patient")
    token = CalendarToken.objects.create(user=person).token
    feed = reverse("thematic_groups:calendar_feed", args=[token])
    assert not Calendar.from_ical(client.get(feed).content).walk("VEVENT")

    experts.guest_answer(actor=person, guest=guest, accept=True)

    events = Calendar.from_ical(client.get(feed).content).walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [f"{session.uid}@asetw"]
    assert str(events[0]["ORGANIZER"]).startswith("mailto:")
    from core.models import OutboundEmail

    answer = OutboundEmail.objects.get(template="thematic_groups/guest_answered")
    assert answer.to_email == pilot.email and "Fédération des patients" in answer.subject


def test_a_delegate_takes_an_absence_notice_back_and_can_announce_again(client, session, delegate_other_org):
    from core.models import AuditEntry
    from thematic_groups import attendance

    ((organisation, delegate),) = seated(session.thematic_group)
    notice = attendance.absence_announce(actor=delegate, session=session, organisation=organisation)
    withdraw = reverse("thematic_groups:absence_withdraw", args=[session.pk, notice.pk])

    client.force_login(delegate_other_org)
    assert client.post(withdraw).status_code == 404
    client.force_login(delegate)
    assert withdraw in client.get(reverse("thematic_groups:session", args=[session.pk])).content.decode()
    client.post(withdraw)

    assert not session.absences.exists()
    assert AuditEntry.objects.filter(action="thematic_groups.absence.withdrawn").exists()
    attendance.absence_announce(actor=delegate, session=session, organisation=organisation, message="Finalement non.")
    assert session.absences.get().message == "Finalement non."


def test_planning_a_session_in_the_past_is_refused_and_keeps_what_was_typed(client, mfa_login, pilot, groups):
    mfa_login(client, pilot)
    yesterday = timezone.localtime() - timedelta(days=1)
    response = client.post(
        reverse("thematic_groups:session_create", args=["decarbonation"]),
        {
            "title": "Séance oubliée",
            "starts_at": yesterday.strftime("%Y-%m-%dT09:00"),
            "ends_at": yesterday.strftime("%Y-%m-%dT12:00"),
            "place": "Namur",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez une date et une heure à venir." in page and 'value="Séance oubliée"' in page
    assert "error-summary" in page
    assert not groups["decarbonation"].sessions.exists()


def test_the_pilot_deletes_a_draft_but_a_published_session_can_only_be_cancelled(
    client, mfa_login, groups, pilot, session
):
    from core.models import AuditEntry
    from thematic_groups.models import Session

    draft = plan(groups["decarbonation"], timezone.now() + timedelta(days=90))
    mfa_login(client, pilot)
    detail = client.get(reverse("thematic_groups:session", args=[draft.pk])).content.decode()
    assert reverse("thematic_groups:session_delete", args=[draft.pk]) in detail
    response = client.post(reverse("thematic_groups:session_delete", args=[draft.pk]), follow=True)
    assert not Session.objects.filter(pk=draft.pk).exists()
    assert "Le brouillon est supprimé." in response.content.decode()
    assert AuditEntry.objects.filter(action="thematic_groups.session.deleted", data__session=draft.pk).exists()

    page = client.get(reverse("thematic_groups:session_delete", args=[session.pk])).content.decode()
    assert "Seul un brouillon peut être supprimé" in page and "Supprimer le brouillon</button>" not in page
    client.post(reverse("thematic_groups:session_delete", args=[session.pk]))
    assert Session.objects.filter(pk=session.pk, status="published").exists()


def test_the_public_pages_show_the_next_published_session_not_a_past_fiche_date(client, groups, session):
    from django.utils.formats import date_format

    expected = date_format(timezone.localtime(session.starts_at), "DATE_FORMAT")
    detail = client.get(reverse("thematic_groups:detail", args=["decarbonation"])).content.decode()
    listing = client.get(reverse("thematic_groups:list")).content.decode()
    assert "Prochaine séance" in detail and expected in detail
    assert expected in listing
    assert "avril 2026" not in detail  # the fiche's first session is over: it is no longer announced
    resilience = client.get(reverse("thematic_groups:detail", args=["resilience"])).content.decode()
    assert "date à annoncer" in resilience


def test_the_pilot_asks_the_coordination_to_publish_at_short_notice(client, mfa_login, groups, pilot, coordinator):
    from core.models import OutboundEmail

    soon = plan(groups["decarbonation"], timezone.now() + timedelta(days=20))
    url = reverse("thematic_groups:session_publish", args=[soon.pk])
    mfa_login(client, pilot)
    page = client.post(url, {"short_notice_reason": "  "}).content.decode()
    assert "Expliquez à la coordination" in page
    client.post(url, {"short_notice_reason": "La salle n'est libre qu'à cette date."})
    soon.refresh_from_db()
    assert soon.status == "draft" and soon.short_notice_requested_at is not None
    mail = OutboundEmail.objects.get(template="thematic_groups/short_notice_requested")
    assert mail.to_email == coordinator.email and "La salle n'est libre" in mail.body_text
    assert url in mail.body_text
    client.logout()

    mfa_login(client, coordinator)
    board = client.get(reverse("thematic_groups:board")).content.decode()
    assert url in board and "La salle n&#x27;est libre" in board
    publish_page = client.get(url).content.decode()
    assert "La salle n&#x27;est libre qu&#x27;à cette date.</textarea>" in publish_page
    client.post(url, {"short_notice_reason": "Salle disponible uniquement ce jour-là."})
    soon.refresh_from_db()
    assert soon.status == "published" and soon.short_notice_allowed_by == coordinator
    assert not client.get(reverse("thematic_groups:board")).content.decode().count(url)


def test_closing_a_list_with_silent_members_needs_a_confirmation(client, mfa_login, groups, pilot):
    from thematic_groups.models import Session

    start = timezone.now() - timedelta(hours=5)
    past = Session.objects.create(
        thematic_group=groups["decarbonation"],
        title="Séance passée",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Namur",
        status="published",
    )
    seated(past.thematic_group, 2)
    mfa_login(client, pilot)
    url = reverse("thematic_groups:attendance", args=[past.pk])
    page = client.post(url, {"action": "close"}, follow=True).content.decode()
    past.refresh_from_db()
    assert not past.attendance_closed and "2 membres n&#x27;ont pas de ligne" in page
    client.post(url, {"action": "close", "confirm_unannounced": "1"})
    past.refresh_from_db()
    assert past.attendance_closed and Attendance.objects.filter(session=past, status="absent").count() == 2


def test_the_list_refuses_an_excuse_nobody_announced_and_an_exception_without_reason(groups, pilot):
    from thematic_groups import attendance
    from thematic_groups.attendance import AttendanceRefused
    from thematic_groups.models import Session

    start = timezone.now() - timedelta(hours=1)
    session = Session.objects.create(
        thematic_group=groups["decarbonation"],
        title="Séance",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Namur",
        status="published",
    )
    ((organisation, _delegate),) = seated(session.thematic_group)
    with pytest.raises(AttendanceRefused):
        attendance.attendance_record(actor=pilot, session=session, organisation=organisation, status="excused")
    with pytest.raises(AttendanceRefused):
        attendance.attendance_record(actor=pilot, session=session, organisation=organisation, status="exceptional")
    record = attendance.attendance_record(
        actor=pilot, session=session, organisation=organisation, status="exceptional", note="Inondation à l'hôpital"
    )
    assert record.status == "exceptional"


def test_a_member_that_checked_in_cannot_announce_an_absence(session):
    from thematic_groups import attendance
    from thematic_groups.attendance import AttendanceRefused

    ((organisation, delegate),) = seated(session.thematic_group)
    with time_machine.travel(session.starts_at - timedelta(minutes=10)):
        attendance.attendance_check_in(
            actor=delegate, session=session, token=session.check_in_token, organisation=organisation
        )
        with pytest.raises(AttendanceRefused):
            attendance.absence_announce(actor=delegate, session=session, organisation=organisation)


def test_the_coordination_offers_seats_left_free_while_organisations_wait(client, mfa_login, groups, coordinator):
    from core.models import OutboundEmail
    from tests.test_assignments import candidate_org
    from thematic_groups import assignments

    group = groups["resilience"]
    waiting = candidate_org(group, name="Clinique en attente")
    assignments.waiting_list_add(actor=coordinator, organisation=waiting, group=group, notify=False)
    mfa_login(client, coordinator)
    board = client.get(reverse("thematic_groups:group_board", args=[group.slug])).content.decode()
    assert reverse("thematic_groups:group_offer_free_seats", args=[group.slug]) in board
    client.post(reverse("thematic_groups:group_offer_free_seats", args=[group.slug]))
    assert waiting.assignments.get(thematic_group=group).status == "offered"
    assert OutboundEmail.objects.filter(template="thematic_groups/seat_offered").exists()


def test_a_named_replacement_gets_the_invitation_and_the_reminder_instead_of_the_absent_delegate(session):
    from core.models import OutboundEmail
    from members.models import OrganisationRole
    from tests.factories import UserFactory
    from thematic_groups import attendance

    ((organisation, delegate),) = seated(session.thematic_group)
    colleague = UserFactory(email="collegue@example.org")
    OrganisationRole.objects.create(user=colleague, organisation=organisation, role="contact_point")
    attendance.absence_announce(actor=delegate, session=session, organisation=organisation, replacement=colleague)
    invitation = OutboundEmail.objects.get(template="thematic_groups/replacement_named")
    assert invitation.to_email == colleague.email and invitation.attachments.get().filename.endswith(".ics")
    with time_machine.travel(session.starts_at - timedelta(days=6)):
        sessions.session_reminders_send()
    reminded = set(
        OutboundEmail.objects.filter(template="thematic_groups/session_reminder").values_list("to_email", flat=True)
    )
    assert colleague.email in reminded and delegate.email not in reminded
