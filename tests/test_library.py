"""The members' library: deposit and moderation, flags, uploads, access, French search, flat queries."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from community.enums import ResourceStatus
from community.models import Resource, Theme
from core.models import OutboundEmail
from members.enums import OrganisationStatus
from tests.test_uploads import small_pdf

pytestmark = pytest.mark.django_db


def form_data(**extra):
    theme = Theme.objects.get(slug="decarbonation")
    data = {
        "title": "Guide de la décarbonation du bloc opératoire",
        "summary": "Étapes pour réduire les gaz anesthésiques et l'énergie du bloc.",
        "kind": "guide",
        "themes": [theme.pk],
        "tags": "bloc, énergie",
        "language": "fr",
        "origin": "belgian",
        "link": "",
    }
    data.update(extra)
    return data


def deposit(client, user, organisation, **extra):
    data = form_data(organisation=str(organisation.pk), **extra)
    return client.post(reverse("community:deposit"), data)


def test_moderation_journey_each_step_emails_the_right_person_once(
    client, mfa_login, groups, member, organisation, pilot
):
    client.force_login(member)
    pdf = SimpleUploadedFile("guide.pdf", small_pdf(), content_type="application/pdf")
    response = deposit(client, member, organisation, file=pdf)
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.status == ResourceStatus.PENDING and resource.file_name == "guide.pdf"
    assert not resource.file.name.endswith("guide.pdf")  # stored under a generated name
    to_moderate = OutboundEmail.objects.filter(template="community/to_moderate")
    assert list(to_moderate.values_list("to_email", flat=True)) == [pilot.email]

    services.resource_request_changes(actor=pilot, resource=resource, comment="Ajoutez la source des chiffres.")
    asked = OutboundEmail.objects.get(template="community/changes_requested")
    assert asked.to_email == member.email and "Ajoutez la source" in asked.body_text

    client.post(
        reverse("community:resource_edit", args=[resource.pk]),
        form_data(organisation=str(organisation.pk), summary="Avec les sources."),
    )
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PENDING and resource.summary == "Avec les sources."
    assert to_moderate.count() == 2  # the pilot hears of the resubmission, once

    resource = services.resource_publish(actor=pilot, resource=resource)
    assert OutboundEmail.objects.filter(template="community/published", to_email=member.email).count() == 1
    client.logout()

    mfa_login(client, pilot)  # a member flags it, the pilot hides it
    services.resource_flag(actor=member, resource=resource, reason="Chiffres périmés.")
    assert "Chiffres périmés." in client.get(reverse("community:moderation")).content.decode()
    client.post(reverse("community:moderate", args=[resource.pk]), {"decision": "hide", "message": "Données de 2015."})
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.HIDDEN and not resource.flags.filter(handled_at__isnull=True).exists()
    hidden = OutboundEmail.objects.get(template="community/hidden")
    assert hidden.to_email == member.email and "Données de 2015." in hidden.body_text


def test_a_rejection_needs_a_reason_that_reaches_the_author(groups, member, organisation, pilot, pilot_other_group):
    resource = services.resource_submit(
        actor=member,
        organisation=organisation,
        themes=[Theme.objects.get(slug="decarbonation")],
        title="Note",
        summary="Résumé",
        kind="study",
        language="fr",
        origin="belgian",
        link="https://example.org/note",
    )
    with pytest.raises(services.LibraryRefused):
        services.resource_reject(actor=pilot, resource=resource, reason=" ")
    with pytest.raises(services.LibraryRefused):  # not its theme
        services.resource_reject(actor=pilot_other_group, resource=resource, reason="Hors sujet.")
    services.resource_reject(actor=pilot, resource=resource, reason="Hors sujet.")
    assert "Hors sujet." in OutboundEmail.objects.get(template="community/rejected").body_text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("guide.pdf", b"<!DOCTYPE html><html><body>x</body></html>", "page web"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        ("outil.pdf", b"MZ\x90\x00" + b"\x00" * 64, "exécutables"),
    ],
)
def test_dangerous_files_are_refused_with_a_clear_message(client, groups, member, organisation, name, content, message):
    client.force_login(member)
    page = deposit(client, member, organisation, file=SimpleUploadedFile(name, content)).content.decode()
    assert message in page and not Resource.objects.exists()
    assert "Guide de la décarbonation du bloc opératoire" in page  # what was typed is kept


def test_a_file_over_the_limit_and_a_javascript_link_are_refused(client, groups, member, organisation, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(member)
    big = SimpleUploadedFile("gros.pdf", small_pdf() + b"%" * 2048)
    form = reverse("community:deposit")
    assert "1 Ko maximum" in client.get(form).content.decode()  # the limit is stated on the form
    assert "la limite est de" in deposit(client, member, organisation, file=big).content.decode()
    page = deposit(client, member, organisation, link="javascript:alert(1)").content.decode()
    assert "URL valide" in page and not Resource.objects.exists()


@pytest.fixture
def private_file_resource(groups, member, organisation):
    return services.resource_submit(
        actor=member,
        organisation=organisation,
        themes=[Theme.objects.get(slug="decarbonation")],
        title="Fiche",
        summary="Résumé",
        kind="tool",
        language="fr",
        origin="belgian",
        upload=_checked(SimpleUploadedFile("fiche.pdf", small_pdf())),
    )


def _checked(upload):
    from core.uploads import validate_upload

    upload.detected_type = validate_upload(upload, kinds={"pdf"}, max_bytes=settings.UPLOAD_MAX_BYTES)
    return upload


def test_nobody_outside_gets_a_file(client, private_file_resource, member, organisation, delegate_other_org, pilot):
    url = reverse("community:resource_file", args=[private_file_resource.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(delegate_other_org)  # a member guessing the URL of a deposit still in moderation
    assert client.get(url).status_code == 404
    services.resource_publish(actor=pilot, resource=private_file_resource)
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    organisation.status = OrganisationStatus.WITHDRAWN
    organisation.save()
    client.force_login(member)  # its withdrawal took effect: no more library
    assert client.get(url).status_code == 404
    assert client.get(reverse("community:library")).status_code == 404


def _published(member, organisation, title, summary="Résumé."):
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.filter(is_coordinator=True).first()
    resource = services.resource_submit(
        actor=member,
        organisation=organisation,
        themes=[Theme.objects.get(slug="transversal")],
        title=title,
        summary=summary,
        kind="study",
        language="fr",
        origin="belgian",
        link="https://example.org",
    )
    return services.resource_publish(actor=coordinator, resource=resource)


@pytest.mark.parametrize("query", ["décarbonation", "decarbonation", "Décarbonations"])
def test_french_search_ignores_accents_and_plurals(client, coordinator, member, organisation, query):
    found = _published(member, organisation, "La décarbonation des hôpitaux")
    _published(member, organisation, "Achats de gants en nitrile")
    client.force_login(member)
    page = client.get(reverse("community:library"), {"q": query}).content.decode()
    assert found.title in page and "Achats de gants" not in page
    assert ("postgresql" in connection.vendor) == (settings.DATABASES["default"]["ENGINE"].endswith("postgresql"))


def _library_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("community:library")).status_code == 200
    return len(queries)


def test_the_library_keeps_the_same_number_of_queries_with_3_or_50_resources(client, coordinator, member, organisation):
    client.force_login(member)
    for number in range(3):
        _published(member, organisation, f"Ressource {number}")
    with_three = _library_queries(client)
    for number in range(3, 50):
        _published(member, organisation, f"Ressource {number}")
    assert _library_queries(client) == with_three


# --- thematic watch ---------------------------------------------------------------------------------


def test_weekly_digest_of_followed_themes_and_a_one_click_unsubscribe_signed_out(
    client, coordinator, member, organisation
):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine

    from community import watch

    watch.watch_update(actor=member, rhythm="weekly", themes=["transversal"], kinds=[])
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(monday - timedelta(days=3)):
        _published(member, organisation, "Feuille de route santé durable")
    with time_machine.travel(monday):
        assert watch.digests_send() == 1
        assert watch.digests_send() == 0  # the same week is claimed once
    digest = OutboundEmail.objects.get(template="community/digest")
    assert digest.to_email == member.email and "Feuille de route santé durable" in digest.body_text
    link = next(line for line in digest.body_text.split() if "/veille/desabonner/" in line)
    client.logout()
    path = link.replace("http://testserver", "").split("testserver")[-1]
    response = client.get(path)
    assert response.status_code == 200 and '<form method="post">' in response.content.decode()
    member.library_watch.refresh_from_db()
    assert member.library_watch.rhythm == "weekly"  # opening the link (or a mail scanner) changes nothing
    response = client.post(path)
    assert response.status_code == 200 and "désabonné" in response.content.decode()
    member.library_watch.refresh_from_db()
    assert member.library_watch.rhythm == "never"


def test_people_who_follow_each_time_hear_of_each_new_resource_once(
    coordinator, member, organisation, django_capture_on_commit_callbacks
):
    from community import watch

    watch.watch_update(actor=member, rhythm="immediate", themes=[], kinds=["study"])
    with django_capture_on_commit_callbacks(execute=True):
        resource = _published(member, organisation, "Étude sur les déchets de soins")
    assert watch.resource_published_alerts(resource.pk) == 0  # already sent by the task, not twice
    assert OutboundEmail.objects.filter(template="community/digest", to_email=member.email).count() == 1


def test_contributions_show_on_the_members_page_and_for_the_coordination(
    client, mfa_login, coordinator, member, organisation
):
    _published(member, organisation, "Outil de calcul des émissions")
    client.force_login(member)
    page = client.get(reverse("members:organisation_detail", args=[organisation.pk])).content.decode()
    assert "Outil de calcul des émissions" in page and "Contributions à la bibliothèque" in page
    client.logout()
    mfa_login(client, coordinator)
    table = client.get(reverse("community:contributions")).content.decode()
    row = table[table.index(organisation.name) :]
    assert '<td class="text-end">1</td>' in row[:300]


# --- events -------------------------------------------------------------------------------------------


def _event(kind="webinar", capacity=1, days=10):
    from datetime import timedelta

    from django.utils import timezone

    from community.models import Event

    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        title="Webinaire énergie",
        kind=kind,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        online_url="https://visio.example.org/energie",
    )


def test_registration_fills_the_places_then_the_waiting_list_and_a_cancellation_promotes(
    member, delegate, organisation
):
    from icalendar import Calendar

    from community import events

    event = _event(capacity=1)
    first = events.event_register(actor=member, event=event)
    second = events.event_register(actor=delegate, event=event)
    assert (first.status, second.status) == ("registered", "waiting")
    with pytest.raises(events.RegistrationRefused):
        events.event_register(actor=member, event=event)
    invitation = OutboundEmail.objects.get(template="community/event_registered", to_email=member.email)
    calendar = Calendar.from_ical(bytes(invitation.attachments.get().content))
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"{event.uid}@asetw-agenda"
    events.registration_cancel(actor=member, registration=first)
    second.refresh_from_db()
    assert second.status == "registered"
    cancellation = OutboundEmail.objects.get(template="community/event_unregistered", to_email=member.email)
    assert Calendar.from_ical(bytes(cancellation.attachments.get().content))["METHOD"] == "CANCEL"
    assert OutboundEmail.objects.filter(template="community/event_registered", to_email=delegate.email).count() == 1


def test_the_annual_event_registers_each_organisation_once(member, delegate, organisation, other_organisation):
    from community import events

    event = _event(kind="annual", capacity=50)
    events.event_register(actor=member, event=event, organisation=organisation)
    with pytest.raises(events.RegistrationRefused):  # a colleague of the same organisation
        events.event_register(actor=delegate, event=event, organisation=organisation)
    with pytest.raises(events.RegistrationRefused):  # an organisation it does not represent
        events.event_register(actor=delegate, event=event, organisation=other_organisation)


def test_the_reminder_goes_out_once_the_day_before(member):
    from datetime import timedelta

    import time_machine

    from community import events

    event = _event(capacity=5, days=3)
    events.event_register(actor=member, event=event)
    with time_machine.travel(event.starts_at - timedelta(hours=20)):
        assert events.event_reminders_send() == 1
        assert events.event_reminders_send() == 0
    assert OutboundEmail.objects.filter(template="community/event_reminder").count() == 1


def test_the_digest_announces_new_events_of_followed_themes(member, organisation):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine

    from community import watch

    watch.watch_update(actor=member, rhythm="daily", themes=["decarbonation"], kinds=[])
    morning = datetime(2026, 12, 2, 7, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(morning - timedelta(hours=10)):
        event = _event(days=20)
    with time_machine.travel(morning):
        assert watch.digests_send() == 1
    digest = OutboundEmail.objects.get(template="community/digest")
    assert event.title in digest.body_text and "agenda" in digest.subject.lower()


def test_the_queue_lists_only_flagged_resources_and_a_member_flags_once(
    client, mfa_login, coordinator, member, organisation
):
    flagged = _published(member, organisation, "Ressource signalée")
    _published(member, organisation, "Ressource tranquille")
    services.resource_flag(actor=member, resource=flagged, reason="Lien mort.")
    with pytest.raises(services.LibraryRefused):
        services.resource_flag(actor=member, resource=flagged, reason="Lien mort.")
    mfa_login(client, coordinator)
    page = client.get(reverse("community:moderation")).content.decode()
    assert "Ressource signalée" in page and "Ressource tranquille" not in page


@pytest.mark.parametrize("query", ["l'hôpital", "hôpitaux", "HOPITAL"])
def test_search_handles_elisions_and_plurals_in_aux(client, coordinator, member, organisation, query):
    _published(member, organisation, "Les hôpitaux et la chaleur")
    client.force_login(member)
    assert "Les hôpitaux et la chaleur" in client.get(reverse("community:library"), {"q": query}).content.decode()


def test_a_wrong_filter_value_keeps_the_other_filters(client, coordinator, member, organisation):
    _published(member, organisation, "Chaleur urbaine")
    _published(member, organisation, "Gants en nitrile")
    client.force_login(member)
    page = client.get(reverse("community:library"), {"q": "chaleur", "theme": "inconnu"}).content.decode()
    assert "Chaleur urbaine" in page and "Gants en nitrile" not in page


def test_a_javascript_link_gets_one_clear_error(client, groups, member, organisation):
    client.force_login(member)
    page = deposit(client, member, organisation, link="javascript:alert(1)").content.decode()
    assert page.count("Saisissez une URL valide.") == 2  # in the summary and at the field, once each
    assert "Joignez un fichier ou indiquez un lien." not in page


def test_a_withdrawal_frees_the_members_event_places_for_the_waiting_list(
    member, delegate_other_org, other_organisation
):
    from community import events
    from members.signals import organisation_withdrawn

    event = _event(capacity=1)
    seated = events.event_register(actor=delegate_other_org, event=event)
    waiting = events.event_register(actor=member, event=event)
    other_organisation.status = OrganisationStatus.WITHDRAWN
    other_organisation.save()
    organisation_withdrawn.send(sender=None, organisation=other_organisation, actor=None)
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == ("cancelled", "registered")


def test_the_deposit_link_is_only_shown_to_people_who_can_deposit(client, pilot, member, mfa_login):
    deposit_link = f'href="{reverse("community:deposit")}"'
    pages = ("community:agenda", "community:watch", "community:my_deposits")
    # A pilot reads the library but deposits nothing: no organisation to deposit for.
    mfa_login(client, pilot)
    for name in pages:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert deposit_link not in response.content.decode(), name
    assert client.get(reverse("community:deposit")).status_code == 404

    client.force_login(member)
    for name in pages:
        assert deposit_link in client.get(reverse(name)).content.decode(), name


def test_the_organisation_page_offers_the_deposit_to_its_people_not_to_the_coordination(
    client, member, coordinator, organisation, mfa_login
):
    deposit_link = f'href="{reverse("community:deposit")}"'
    page_url = reverse("members:organisation_detail", kwargs={"pk": organisation.pk})
    client.force_login(member)
    assert deposit_link in client.get(page_url).content.decode()

    mfa_login(client, coordinator)
    response = client.get(page_url)
    assert response.status_code == 200
    assert deposit_link not in response.content.decode()


def test_the_moderation_page_title_is_plain_text(client, pilot, mfa_login):
    mfa_login(client, pilot)
    page = client.get(reverse("community:moderation")).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title
    assert page.count('id="waiting-author-title"') == 1
