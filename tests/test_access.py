"""Every URL of the project has an access decision, checked for five kinds of users.

A new view whose URL name is missing from ``EXPECTED`` makes this test fail, so no view can be added
without deciding who may see it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ANON, MEMBER, OTHER_DELEGATE, OTHER_PILOT, COORDINATOR = (
    "anon",
    "member",
    "other_delegate",
    "other_pilot",
    "coordinator",
)
EVERYONE = {ANON, MEMBER, OTHER_DELEGATE, OTHER_PILOT, COORDINATOR}
SIGNED_IN = EVERYONE - {ANON}
POST_ONLY = frozenset({"post-only"})

# URL name → (kwargs key, who gets the page). Everyone else is sent to the login page or gets a 404.
EXPECTED = {
    "landing": (None, EVERYONE),
    "home": (None, SIGNED_IN),
    "healthz": (None, EVERYONE),
    "convention": (None, EVERYONE),
    "accessibility": (None, EVERYONE),
    "accounts:profile": (None, SIGNED_IN),
    "accounts:my_data": (None, SIGNED_IN),
    # Only its owner downloads an export, and there is none in this fixture.
    "accounts:my_data_download": ("data_export", set()),
    "accounts:account_close": (None, SIGNED_IN),
    "privacy": (None, EVERYONE),
    "accounts:end_other_sessions": (None, POST_ONLY),
    "usersessions_list": (None, SIGNED_IN),
    "members:organisation_detail": ("organisation", {MEMBER, COORDINATOR}),
    # Managing the organisation: its legal representative (MEMBER), its contact point or the coordination.
    "members:organisation_edit": ("organisation", {MEMBER, COORDINATOR}),
    "members:contact_point_change": ("organisation", {MEMBER, COORDINATOR}),
    "members:delegate_replace": ("organisation_delegate", {MEMBER, COORDINATOR}),
    "members:withdrawal_request": ("organisation", {MEMBER, COORDINATOR}),
    "members:withdrawal_cancel": ("organisation", POST_ONLY),
    "members:adhesion_document": ("organisation", set()),  # no confirmed adhesion in this fixture
    "members:membership_certificate": ("organisation", set()),
    "signatories:list": (None, EVERYONE),
    "signatories:csv": (None, EVERYONE),
    "thematic_groups:list": (None, EVERYONE),
    "thematic_groups:detail": ("group", EVERYONE),
    "thematic_groups:edit": ("group", {COORDINATOR}),
    "thematic_groups:my_places": (None, SIGNED_IN),
    "thematic_groups:offer_answer": ("assignment", POST_ONLY),
    "thematic_groups:board": (None, {COORDINATOR}),
    "thematic_groups:deadlines": (None, {COORDINATOR}),
    "thematic_groups:group_board": ("group", {COORDINATOR}),
    "thematic_groups:group_place": ("group", POST_ONLY),
    "thematic_groups:proposal_compute": (None, POST_ONLY),
    "thematic_groups:proposal": ("proposal", {COORDINATOR}),
    "thematic_groups:waiting_priority": ("assignment", {COORDINATOR}),
    "thematic_groups:removal": ("seat", {COORDINATOR}),
    "thematic_groups:removal_cancel": ("seat", POST_ONLY),
    # Sessions: every member of the alliance reads them; only the group's locomotive (OTHER_PILOT is
    # another group's pilot) or the coordination manages them; MEMBER's organisation holds a seat.
    "thematic_groups:session": ("session", SIGNED_IN),
    "thematic_groups:session_ics": ("session", SIGNED_IN),
    "thematic_groups:session_create": ("group", {COORDINATOR}),
    "thematic_groups:session_edit": ("session", {COORDINATOR}),
    "thematic_groups:session_publish": ("session", {COORDINATOR}),
    "thematic_groups:session_cancel": ("session", {COORDINATOR}),
    "thematic_groups:session_delete": ("session", {COORDINATOR}),
    "thematic_groups:guest_invite": ("session", {COORDINATOR}),
    "thematic_groups:attendance": ("session", {COORDINATOR}),
    "thematic_groups:attendance_pdf": ("session", {COORDINATOR}),
    "thematic_groups:attendance_xlsx": ("session", {COORDINATOR}),
    "thematic_groups:qr_code": ("session", {COORDINATOR}),
    "thematic_groups:absence_exceptional": ("notice", {COORDINATOR}),
    "thematic_groups:absence_withdraw": ("notice", POST_ONLY),
    "thematic_groups:attendance_overview": ("group", {COORDINATOR}),
    "thematic_groups:absence": ("session", {MEMBER}),
    "thematic_groups:intersession": ("session", {MEMBER}),
    "thematic_groups:check_in": ("check_in", SIGNED_IN),
    "thematic_groups:deliverables": ("group", {MEMBER, COORDINATOR}),
    "thematic_groups:deliverable_update": ("deliverable", {MEMBER}),
    "thematic_groups:deliverable_validate": ("progress", POST_ONLY),
    # Files: none in this fixture, so nobody gets a page (the views answer 404 without a file).
    "thematic_groups:deliverable_file": ("progress", set()),
    "thematic_groups:intersession_file": ("intersession_work", set()),
    "thematic_groups:invitations": (None, SIGNED_IN),
    "thematic_groups:invitation_answer": ("guest", POST_ONLY),
    "thematic_groups:my_calendar": (None, SIGNED_IN),
    "thematic_groups:calendar_renew": (None, POST_ONLY),
    # The secret in the address is the key, so that calendar programs can read the feed.
    "thematic_groups:calendar_feed": ("feed", EVERYONE),
    "thematic_groups:calendar_group_feed": ("group_feed", EVERYONE),
    "adhesions:start": (None, SIGNED_IN),
    "adhesions:detail": ("adhesion", {MEMBER, COORDINATOR}),
    "adhesions:signatures": ("adhesion", {MEMBER, COORDINATOR}),
    "adhesions:document": ("adhesion", {MEMBER, COORDINATOR}),
    "adhesions:initiatives_file": ("adhesion", {MEMBER, COORDINATOR}),
    # Only the person filling in the form changes it; the coordination asks for corrections instead.
    "adhesions:step": ("adhesion_step", {MEMBER}),
    "adhesions:review": ("adhesion", {MEMBER}),
    "adhesions:signature_resend": ("adhesion_signature", POST_ONLY),
    # Signing pages need the e-mailed secret: a guessed one is refused to everybody.
    "adhesions:sign": ("bad_link", set()),
    "adhesions:sign_document": ("bad_link", set()),
    "adhesions:signed": ("signature", EVERYONE),
    "admin:index": (None, {COORDINATOR}),
    "admin:core_auditentry_changelist": (None, {COORDINATOR}),
    "admin:core_outboundemail_changelist": (None, {COORDINATOR}),
    "admin:members_organisation_changelist": (None, {COORDINATOR}),
    "admin:thematic_groups_thematicgroup_changelist": (None, {COORDINATOR}),
    "admin:thematic_groups_assignment_changelist": (None, {COORDINATOR}),
    "admin:accounts_user_changelist": (None, {COORDINATOR}),
    "admin:adhesions_adhesion_changelist": (None, {COORDINATOR}),
    "admin:adhesions_signaturerequest_changelist": (None, {COORDINATOR}),
    "admin:reporting_lever_changelist": (None, {COORDINATOR}),
    "admin:reporting_report_changelist": (None, {COORDINATOR}),
    "thematic_groups:group_offer_free_seats": ("group", POST_ONLY),
    "reporting:mine": (None, SIGNED_IN),
    # The library: members, locomotives and the coordination; moderation for the pilots and the coordination.
    "community:library": (None, SIGNED_IN),
    "community:deposit": (None, {MEMBER, OTHER_DELEGATE}),
    "community:my_deposits": (None, SIGNED_IN),
    "community:moderation": (None, {OTHER_PILOT, COORDINATOR}),
    "community:watch": (None, SIGNED_IN),
    "community:contributions": (None, {COORDINATOR}),
    "community:agenda": (None, SIGNED_IN),
    "community:event": ("event", SIGNED_IN),
    "community:event_ics": ("event", SIGNED_IN),
    "community:event_register": ("event", POST_ONLY),
    "community:event_unregister": ("event", POST_ONLY),
    # The digest's link works signed out: the secret token is the proof.
    "community:unsubscribe": ("unsubscribe", EVERYONE),
    "community:resource": ("resource", SIGNED_IN),
    "community:resource_file": ("resource", SIGNED_IN),
    "community:resource_edit": ("resource", set()),
    "community:moderate": ("resource", POST_ONLY),
    "community:flag": ("resource", POST_ONLY),
    # The organisation is a hospital: its actions belong to a GT; only the legal representative adds them here.
    "reporting:action_create": ("organisation_group", {MEMBER}),
    "reporting:internal_action_create": ("organisation_actions", set()),
    "reporting:action_edit": ("action", {MEMBER}),
    "reporting:action_delete": ("action", POST_ONLY),
    "reporting:report": ("report", {MEMBER, COORDINATOR}),
    "reporting:report_pdf": ("report", {MEMBER, COORDINATOR}),
    "reporting:report_consent": ("report", POST_ONLY),
    "reporting:report_return": ("report", POST_ONLY),
    "reporting:report_accept": ("report", POST_ONLY),
    "reporting:campaigns": (None, {COORDINATOR}),
    "reporting:campaign_open": (None, {COORDINATOR}),
    "reporting:campaign": ("campaign", {COORDINATOR}),
    "reporting:campaign_close": ("campaign", POST_ONLY),
    "reporting:evaluation": (None, {COORDINATOR}),
    "reporting:evaluation_xlsx": (None, {COORDINATOR}),
    "reporting:evaluation_csv": (None, {COORDINATOR}),
    "reporting:evaluation_pdf": (None, POST_ONLY),
    "reporting:export": ("export", {COORDINATOR}),
    "reporting:export_file": ("export", {COORDINATOR}),
}
# URLs that belong to libraries with their own access rules: sign-in pages (allauth), the admin's
# generated pages (all behind the admin site's check, sampled above), and the language switch.
LIBRARY_NAMESPACES = ("admin:",)
LIBRARY_PREFIXES = ("account_", "mfa_", "set_language")


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_project_url_has_an_access_decision():
    names = set(_url_names(get_resolver().url_patterns))
    undecided = {
        name
        for name in names
        if name not in EXPECTED and not name.startswith(LIBRARY_NAMESPACES) and not name.startswith(LIBRARY_PREFIXES)
    }
    assert not undecided, f"Views without an access decision in EXPECTED: {sorted(undecided)}"
    assert set(EXPECTED) <= names, f"Stale entries: {sorted(set(EXPECTED) - names)}"


@pytest.fixture
def people(member, delegate_other_org, pilot_other_group, coordinator):
    return {
        ANON: None,
        MEMBER: member,
        OTHER_DELEGATE: delegate_other_org,
        OTHER_PILOT: pilot_other_group,
        COORDINATOR: coordinator,
    }


@pytest.fixture
def adhesion_of_member(member, organisation):
    """An adhesion sent by the ``member`` user for ``organisation``, waiting for one signature."""
    from django.core.files.base import ContentFile

    from adhesions.models import Adhesion, SignatureRequest

    adhesion = Adhesion.objects.create(
        applicant=member, organisation=organisation, status="awaiting_signatures", version=1, document_sha256="0" * 64
    )
    adhesion.document.save("form.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    adhesion.initiatives_file.save("report.pdf", ContentFile(b"%PDF-1.7 report"), save=False)
    adhesion.save()
    signature = SignatureRequest.objects.create(
        adhesion=adhesion,
        role="legal_representative",
        first_name="Anne",
        last_name="Lambert",
        email="anne@example.org",
        document_version=1,
        document_sha256="0" * 64,
        token_hash="1" * 64,
        expires_at="2099-01-01T00:00:00Z",
    )
    return adhesion, signature


@pytest.fixture
def gt_objects(organisation, other_organisation, groups, coordinator, member):
    """``organisation`` waits in one group and sits in Décarbonation, which has a published session."""
    from datetime import timedelta

    from django.utils import timezone

    from thematic_groups.models import (
        AbsenceNotice,
        Assignment,
        CalendarToken,
        DeliverableProgress,
        IntersessionWork,
        Proposal,
        Session,
        SessionGuest,
    )

    place = Assignment.objects.create(
        organisation=organisation,
        thematic_group=groups["achats-durables"],
        status="waiting",
        queued_since="2026-03-02",
    )
    seat = Assignment.objects.create(
        organisation=organisation, thematic_group=groups["decarbonation"], status="assigned", queued_since="2026-03-02"
    )
    start = timezone.now() + timedelta(days=90)
    session = Session.objects.create(
        thematic_group=groups["decarbonation"],
        title="Séance",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Namur",
        status="published",
        intersession_task="Faire le point sur les gaz anesthésiques.",
    )
    notice = AbsenceNotice.objects.create(
        session=session, organisation=organisation, announced_by=member, on_time=False
    )
    deliverable = groups["decarbonation"].deliverables.first()
    progress = DeliverableProgress.objects.create(deliverable=deliverable, organisation=organisation)
    guest = SessionGuest.objects.create(session=session, organisation=other_organisation, topic="Énergie")
    work = IntersessionWork.objects.create(session=session, organisation=organisation, done_by=member)
    reporting = _reporting_objects(organisation, groups, coordinator)
    return {
        **reporting,
        "assignment": {"pk": place.pk},
        "proposal": {"pk": Proposal.objects.create(created_by=coordinator).pk},
        "seat": {"pk": seat.pk},
        "session": {"pk": session.pk},
        "check_in": {"pk": session.pk, "token": session.check_in_token},
        "notice": {"pk": session.pk, "notice_pk": notice.pk},
        "deliverable": {"pk": deliverable.pk, "organisation_pk": organisation.pk},
        "progress": {"pk": progress.pk},
        "guest": {"pk": guest.pk},
        "intersession_work": {"pk": session.pk, "work_pk": work.pk},
        "feed": {"token": CalendarToken.objects.create(user=member).token},
        "group_feed": {"token": CalendarToken.objects.get(user=member).token, "slug": "decarbonation"},
    }


def _reporting_objects(organisation, groups, coordinator):
    from datetime import date

    from django.core.files.base import ContentFile

    from reporting.models import Action, ExportJob, Report, ReportingCampaign

    action = Action.objects.create(organisation=organisation, thematic_group=groups["decarbonation"], title="Menus")
    campaign = ReportingCampaign.objects.create(year=2026, deadline=date(2099, 3, 1), template_version=1)
    report = Report.objects.create(campaign=campaign, organisation=organisation, template_version=1)
    job = ExportJob.objects.create(kind="consolidated_pdf", year=2026, status="done", requested_by=coordinator)
    job.file.save("evaluation.pdf", ContentFile(b"%PDF-1.7 evaluation"))
    from community.models import Resource, Theme

    resource = Resource(
        title="Guide", summary="Résumé", kind="guide", origin="belgian", status="published", organisation=organisation
    )
    resource.file.save("guide", ContentFile(b"%PDF-1.7 guide"))
    resource.themes.set([Theme.objects.get(slug="decarbonation")])
    from community.models import Watch

    watch = Watch.objects.create(user=coordinator)
    from datetime import timedelta

    from django.utils import timezone

    from community.models import Event

    start = timezone.now() + timedelta(days=20)
    event = Event.objects.create(
        title="Webinaire", kind="webinar", starts_at=start, ends_at=start + timedelta(hours=1), capacity=50
    )
    return {
        "event": {"pk": event.pk},
        "resource": {"pk": resource.pk},
        "unsubscribe": {"token": watch.unsubscribe_token},
        "action": {"pk": action.pk},
        "report": {"pk": report.pk},
        "campaign": {"year": 2026},
        "export": {"pk": job.pk},
        "organisation_group": {"organisation_pk": organisation.pk, "slug": "decarbonation"},
        "organisation_actions": {"organisation_pk": organisation.pk},
    }


def _kwargs(key, organisation, adhesion_and_signature, gt_objects):
    adhesion, signature = adhesion_and_signature
    if key in gt_objects:
        return gt_objects[key]
    return {
        "organisation": {"pk": organisation.pk},
        "organisation_delegate": {"pk": organisation.pk, "group": "decarbonation"},
        "group": {"slug": "decarbonation"},
        "adhesion": {"pk": adhesion.pk},
        "adhesion_step": {"pk": adhesion.pk, "slug": "organisation"},
        "adhesion_signature": {"pk": adhesion.pk, "signature_pk": signature.pk},
        "bad_link": {"signature_id": signature.pk, "token": "guessed-token"},
        "signature": {"signature_id": signature.pk},
        "data_export": {"pk": 0},
    }.get(key, {})


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(EXPECTED))
@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_access(
    client, mfa_login, people, organisation, groups, adhesion_of_member, gt_objects, delegate, url_name, who
):
    """``delegate`` holds the organisation's Décarbonation seat, so there is a delegate to replace."""
    key, allowed = EXPECTED[url_name]
    url = reverse(url_name, kwargs=_kwargs(key, organisation, adhesion_of_member, gt_objects))
    user = people[who]
    if user is not None:
        mfa_login(client, user)
    response = client.get(url, follow=True)
    final_path = response.request["PATH_INFO"]
    if allowed is POST_ONLY:
        # Never a page on GET: "method not allowed", or refused before that (login, 404 for outsiders).
        assert response.status_code in (404, 405) or final_path == reverse("account_login")
        return
    if who in allowed:
        assert response.status_code == 200, f"{who} should see {url}"
        assert final_path == url, f"{who} was redirected away from {url} to {final_path}"
    else:
        denied = response.status_code in (403, 404) or final_path == reverse("account_login")
        assert denied, f"{who} should not see {url} (got {response.status_code} at {final_path})"
        assert final_path != url or response.status_code != 200


@pytest.mark.django_db
def test_outsider_gets_404_not_403_for_an_organisation(client, mfa_login, delegate_other_org, organisation):
    mfa_login(client, delegate_other_org)
    response = client.get(reverse("members:organisation_detail", kwargs={"pk": organisation.pk}))
    assert response.status_code == 404
    assert organisation.name not in response.content.decode()
    assert "Page introuvable" in response.content.decode()


def _admin_changelists():
    from django.contrib import admin

    return sorted(
        (f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist", model._meta.app_label)
        for model in admin.site._registry
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "app_label"), _admin_changelists())
def test_every_admin_list_is_for_the_coordination_only(client, mfa_login, people, url_name, app_label):
    """The coordination manages the portal's own data; library tables (second factors, groups,
    e-mail addresses) stay with superusers."""
    from accounts.backends import COORDINATION_APPS

    url = reverse(url_name)
    for who, user in people.items():
        client.logout()
        if user is not None:
            mfa_login(client, user)
        response = client.get(url, follow=True)
        reached = response.status_code == 200 and response.request["PATH_INFO"] == url
        if who == COORDINATOR and app_label in COORDINATION_APPS:
            assert reached, f"the coordination should see {url}"
        else:
            assert not reached, f"{who} reached {url}"
