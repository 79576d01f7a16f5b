"""Personal data: the copy of one's data, closing an account, retention after a withdrawal, the consent ledger."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session as WebSession
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import ConsentRecord, DataExport
from accounts.privacy import services
from accounts.privacy.consent import CONSENT_WORDINGS, CURRENT_WORDING
from accounts.privacy.export import NOT_EXPORTED, SECTIONS, covered_relations
from adhesions.models import Adhesion, SignatureRequest
from community.models import Event, Registration, Watch
from core.audit import log_action
from core.models import OutboundEmail
from members import lifecycle
from members.enums import OrganisationRoleType, OrganisationStatus
from members.models import OrganisationRole
from reporting.models import Action, Report, ReportingCampaign
from tests.factories import TEST_PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db


def _signed_adhesion(organisation, person):
    adhesion = Adhesion.objects.create(
        applicant=person,
        organisation=organisation,
        organisation_name=organisation.name,
        status="confirmed",
        version=1,
        document_sha256="a" * 64,
    )
    signature = SignatureRequest.objects.create(
        adhesion=adhesion,
        role="legal_representative",
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone="+32 81 00 00 00",
        document_version=1,
        document_sha256="a" * 64,
        expires_at=timezone.now() + timedelta(days=1),
        status="signed",
        method="typed",
        signed_at=timezone.now(),
        signed_name=f"{person.first_name} {person.last_name}",
        ip_address="192.0.2.10",
        user_agent="Firefox/140",
    )
    return adhesion, signature


def _some_data(person, organisation, groups):
    Action.objects.create(
        organisation=organisation,
        thematic_group=groups["decarbonation"],
        title=f"Action of {person.email}",
        created_by=person,
    )
    start = timezone.now() + timedelta(days=10)
    event = Event.objects.create(
        title="Webinaire", kind="webinar", starts_at=start, ends_at=start + timedelta(hours=1), capacity=10
    )
    Registration.objects.create(event=event, user=person, status="registered")
    watch = Watch.objects.create(user=person)
    watch.follows.create(kind="theme", value="decarbonation")
    OutboundEmail.objects.create(
        idempotency_key=f"test:{person.pk}",
        to_email=person.email,
        recipient=person,
        language="fr",
        template="test",
        subject=f"Subject for {person.email}",
        body_text="Secret body",
        message_id=OutboundEmail.new_message_id(),
        status=OutboundEmail.Status.SENT,
    )
    log_action("test.something", actor=person, target=organisation)


def _export_files(data_export) -> dict:
    data_export.file.open("rb")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data_export.file.read()))
    finally:
        data_export.file.close()
    return {name: archive.read(name).decode() for name in archive.namelist()}


def _ready_export(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.data_export_request(user=person)
    return DataExport.objects.get(user=person)


# --- my data -------------------------------------------------------------------------------------------


def test_export_holds_the_persons_data_and_no_secret_nor_other_person(
    member, delegate_other_org, organisation, other_organisation, groups, django_capture_on_commit_callbacks
):
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    _signed_adhesion(organisation, member)
    _some_data(member, organisation, groups)
    _some_data(delegate_other_org, other_organisation, groups)
    watch_token = Watch.objects.get(user=member).unsubscribe_token

    data_export = _ready_export(member, django_capture_on_commit_callbacks)

    assert data_export.status == DataExport.Status.READY
    assert data_export.expires_at > timezone.now() + timedelta(days=6)
    files = _export_files(data_export)
    assert set(files) == {section.filename for section in SECTIONS} | {"README.txt"}
    account = json.loads(files["account.json"])
    assert account["email"] == member.email
    assert account["two_factor_authentication_set_up"] is True
    everything = "\n".join(files.values())
    assert member.first_name in everything
    assert organisation.name in json.loads(files["roles.json"])["organisation_roles"][0]["organisation__name"]
    signatures = json.loads(files["organisations_and_signatures.json"])["own_signatures"]
    assert signatures[0]["ip_address"] == "192.0.2.10"
    assert signatures[0]["user_agent"] == "Firefox/140"
    assert signatures[0]["document_sha256"] == "a" * 64
    assert f"Action of {member.email}" in files["reporting.json"]
    assert "decarbonation" in files["library_and_events.json"]
    assert f"Subject for {member.email}" in files["emails_sent_to_you.json"]
    assert "test.something" in files["audit_log.json"]
    # Nobody else's data, and no secret.
    assert delegate_other_org.email not in everything
    assert f"Action of {delegate_other_org.email}" not in everything
    assert member.password not in everything
    assert TOTP_SECRET not in everything
    assert watch_token not in everything
    assert "Secret body" not in everything
    mail = OutboundEmail.objects.get(idempotency_key=f"data-export-ready:{data_export.pk}")
    assert mail.to_email == member.email
    assert reverse("accounts:my_data") in mail.body_text


def test_a_delegate_gets_the_attendance_and_absences_of_their_group(delegate, organisation, other_organisation, groups):
    from accounts.privacy.export import build_zip
    from thematic_groups.models import AbsenceNotice, Attendance, Session

    start = timezone.now() - timedelta(days=3)
    session = Session.objects.create(
        thematic_group=groups["decarbonation"],
        title="Séance de mars",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    Attendance.objects.create(session=session, organisation=organisation, status="present", attendee=delegate)
    Attendance.objects.create(session=session, organisation=other_organisation, status="absent")
    other = Session.objects.create(
        thematic_group=groups["resilience"], title="Autre groupe", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    AbsenceNotice.objects.create(session=other, organisation=organisation, announced_by=delegate, on_time=True)

    archive = zipfile.ZipFile(io.BytesIO(build_zip(delegate)))
    groups_file = json.loads(archive.read("thematic_groups.json"))
    assert [row["session__title"] for row in groups_file["attendance_of_your_delegations"]] == ["Séance de mars"]
    assert groups_file["attendance_of_your_delegations"][0]["organisation__name"] == organisation.name
    assert groups_file["attendance_in_person"][0]["status"] == "present"
    assert groups_file["absences_announced"][0]["session__title"] == "Autre groupe"
    assert groups_file["delegations"][0]["thematic_group__name"] == groups["decarbonation"].name


def test_every_relation_to_an_account_is_exported_or_excluded_with_a_reason():
    user_model = get_user_model()
    relations = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is user_model and not field.many_to_many
    }
    missing = relations - covered_relations()
    assert not missing, f"Add these to accounts/privacy/export.py (a section or NOT_EXPORTED): {sorted(missing)}"
    assert all(reason.strip() for reason in NOT_EXPORTED.values())
    stale = covered_relations() - relations
    assert not stale, f"Relations that no longer exist: {sorted(stale)}"


def test_only_the_owner_downloads_the_export(client, member, delegate_other_org, django_capture_on_commit_callbacks):
    data_export = _ready_export(member, django_capture_on_commit_callbacks)
    url = reverse("accounts:my_data_download", kwargs={"pk": data_export.pk})

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    client.force_login(delegate_other_org)
    assert client.get(url).status_code == 404

    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_an_expired_export_is_refused_then_deleted(client, member, django_capture_on_commit_callbacks):
    data_export = _ready_export(member, django_capture_on_commit_callbacks)
    name = data_export.file.name
    storage = data_export.file.storage
    DataExport.objects.filter(pk=data_export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    client.force_login(member)
    assert client.get(reverse("accounts:my_data_download", kwargs={"pk": data_export.pk})).status_code == 404

    assert services.data_exports_expire() == 1
    data_export.refresh_from_db()
    assert data_export.status == DataExport.Status.EXPIRED
    assert not data_export.file
    assert not storage.exists(name)


def test_my_data_page_asks_and_shows_the_progress(client, member, django_capture_on_commit_callbacks):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("accounts:my_data"))
    assert response.status_code == 302
    data_export = DataExport.objects.get(user=member)
    assert data_export.status == DataExport.Status.PENDING
    # A second click while it is prepared asks for nothing more.
    client.post(reverse("accounts:my_data"))
    assert DataExport.objects.filter(user=member).count() == 1

    partial = client.get(reverse("accounts:my_data"), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 3s"' in partial
    assert "<html" not in partial
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="data-export-status"' in profile
    assert reverse("accounts:account_close") in profile

    services.data_export_build(export_id=data_export.pk)
    partial = client.get(reverse("accounts:my_data"), headers={"HX-Request": "true"}).content.decode()
    assert reverse("accounts:my_data_download", kwargs={"pk": data_export.pk}) in partial
    assert "hx-trigger" not in partial


# --- closing an account ----------------------------------------------------------------------------------


def test_closing_asks_the_password_and_explains_what_is_kept(client, member, organisation):
    member.preferred_language = "en"
    member.save()
    client.force_login(member)
    page = client.get(reverse("accounts:account_close")).content.decode()
    assert 'type="password"' in page
    assert "the name you typed, the time" in page
    assert organisation.name in page
    assert "only legal representative or contact point" in page
    response = client.post(reverse("accounts:account_close"), {"password": "wrong"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.is_active and member.anonymised_at is None


def test_closing_anonymises_and_keeps_the_signature_evidence(
    client, member, organisation, groups, django_capture_on_commit_callbacks
):
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    _adhesion, signature = _signed_adhesion(organisation, member)
    _some_data(member, organisation, groups)
    old_email = member.email
    earlier_export = _ready_export(member, django_capture_on_commit_callbacks)
    earlier_file = earlier_export.file.name
    other_browser = Client()
    other_browser.force_login(member)
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:account_close"), {"password": TEST_PASSWORD})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.get_full_name() == f"Personne anonymisée #{member.pk}"
    assert member.email.endswith("@anonymised.invalid")
    assert not member.is_active and not member.has_usable_password() and member.anonymised_at
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not Authenticator.objects.filter(user=member).exists()
    assert not OrganisationRole.objects.filter(user=member).exists()
    assert not Watch.objects.filter(user=member).exists()
    assert not Registration.objects.filter(user=member).exists()
    assert not DataExport.objects.filter(user=member).exists()
    assert not earlier_export.file.storage.exists(earlier_file)
    signature.refresh_from_db()
    assert signature.signed_name and signature.signed_at and signature.document_sha256 == "a" * 64
    assert signature.email == member.email and signature.phone == ""
    assert not OutboundEmail.objects.filter(to_email=old_email).exclude(template="accounts/account_closed_coordination")
    # The only legal representative: the coordination is told.
    mail = OutboundEmail.objects.get(template="accounts/account_closed_coordination")
    assert organisation.name in mail.body_text
    # Signed out, and no way back in.
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert other_browser.get(reverse("accounts:profile")).status_code == 302
    assert not WebSession.objects.exists()
    assert not client.login(email=old_email, password=TEST_PASSWORD)


# --- retention -------------------------------------------------------------------------------------------


@override_settings(PRIVACY_RETENTION_DAYS_AFTER_WITHDRAWAL=365)
def test_retention_anonymises_after_the_period_only(member, delegate, organisation, other_organisation):
    organisation.status = OrganisationStatus.WITHDRAWN
    organisation.withdrawal_effective_on = date(2026, 1, 31)
    organisation.save()
    # The delegate still represents another organisation, which has not left.
    OrganisationRole.objects.create(
        user=delegate, organisation=other_organisation, role=OrganisationRoleType.CONTACT_POINT
    )

    assert services.retention_apply(today=date(2027, 1, 30)) == 0
    member.refresh_from_db()
    assert member.anonymised_at is None

    assert services.retention_apply(today=date(2027, 1, 31)) == 1
    member.refresh_from_db()
    delegate.refresh_from_db()
    assert member.anonymised_at is not None and member.email.endswith(".invalid")
    assert delegate.anonymised_at is None and delegate.is_active
    # Running again changes nothing.
    assert services.retention_apply(today=date(2027, 6, 1)) == 0


def test_retention_is_in_the_periodic_schedule():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"accounts.retention_apply", "accounts.data_exports_expire"} <= tasks
    from asetw.celery import app

    app.loader.import_default_modules()
    assert "accounts.retention_apply" in app.tasks


# --- consent ledger --------------------------------------------------------------------------------------


def test_a_consent_change_on_the_organisation_page_is_recorded(member, organisation):
    lifecycle.organisation_profile_update(organisation=organisation, actor=member, nominative_consent=True)
    lifecycle.organisation_profile_update(organisation=organisation, actor=member, nominative_consent=False)
    lifecycle.organisation_profile_update(organisation=organisation, actor=member, city="Liège")

    records = list(ConsentRecord.objects.filter(organisation=organisation).order_by("pk"))
    assert [record.given for record in records] == [True, False]
    assert {record.wording_version for record in records} == {"organisation-profile-2026-1"}
    assert records[0].wording_sha256 == CONSENT_WORDINGS["organisation-profile-2026-1"].sha256
    assert records[0].actor == member
    assert records[0].subject == ConsentRecord.Subject.ORGANISATION


def test_a_report_consent_is_recorded_and_shown_to_the_organisation(client, member, organisation):
    from reporting import reports

    campaign = ReportingCampaign.objects.create(year=2026, deadline=date(2099, 3, 1), template_version=1)
    report = Report.objects.create(campaign=campaign, organisation=organisation, template_version=1)
    reports.report_set_consent(actor=member, report=report, consent=True)

    record = ConsentRecord.objects.get(report=report)
    assert record.given and record.wording_version == "report-2026-1" and record.organisation == organisation
    client.force_login(member)
    page = client.get(reverse("members:organisation_detail", kwargs={"pk": organisation.pk})).content.decode()
    assert "report-2026-1" in page


def test_the_ledger_is_append_only(member, organisation):
    from accounts.privacy.consent import consent_record

    record = consent_record(
        source=ConsentRecord.Source.ORGANISATION_PROFILE, given=True, actor=member, organisation=organisation
    )
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        record.delete()


def test_the_forms_show_the_current_wording_of_the_ledger(organisation):
    """Changing a form's consent text needs a new wording version, so older entries keep their text."""
    from adhesions.forms import PrivacyForm
    from members.forms import OrganisationProfileForm
    from reporting.forms import ReportForm

    shown = {
        ConsentRecord.Source.ADHESION_FORM: PrivacyForm.base_fields["nominative_consent"],
        ConsentRecord.Source.ORGANISATION_PROFILE: OrganisationProfileForm(organisation=organisation).fields[
            "nominative_consent"
        ],
        ConsentRecord.Source.REPORT: ReportForm.base_fields["nominative_consent"],
    }
    with translation.override("en"):
        for source, field in shown.items():
            wording = CONSENT_WORDINGS[CURRENT_WORDING[source]]
            assert (str(field.label), str(field.help_text)) == (wording.label, wording.help_text), source


# --- privacy page ----------------------------------------------------------------------------------------


def test_the_privacy_page_names_the_controller_and_the_rights(client):
    page = client.get(reverse("privacy")).content.decode()
    assert "alliancesante.durable@spw.wallonie.be" in page
    assert "Ernest Mélot" in page
    for name in ("accounts:my_data", "accounts:account_close", "accounts:profile", "convention"):
        assert f'href="{reverse(name)}"' in page
    assert f'href="{reverse("privacy")}"' in client.get(reverse("landing")).content.decode()


def test_the_adhesion_form_consent_is_recorded_then_carried_to_the_membership(
    coordinator, groups, django_capture_on_commit_callbacks
):
    from adhesions import services as adhesion_services
    from tests.adhesion_data import filled_adhesion, sign_all

    applicant = UserFactory(email="applicant@clinique.example.be")
    with django_capture_on_commit_callbacks(execute=True):
        adhesion = filled_adhesion(applicant)
        adhesion = adhesion_services.adhesion_submit(adhesion=adhesion, actor=applicant)
        sign_all(adhesion)
        adhesion.refresh_from_db()
        adhesion = adhesion_services.adhesion_validate_signatures(adhesion=adhesion, actor=coordinator)
        adhesion = adhesion_services.adhesion_confirm_receipt(adhesion=adhesion, actor=coordinator)

    records = list(ConsentRecord.objects.order_by("pk"))
    assert [(record.source, record.given, record.wording_version) for record in records] == [
        (ConsentRecord.Source.ADHESION_FORM, True, "adhesion-form-2026-1"),
        (ConsentRecord.Source.MEMBERSHIP_CONFIRMED, True, "adhesion-form-2026-1"),
    ]
    assert records[0].actor == applicant and records[0].adhesion == adhesion
    assert records[1].organisation == adhesion.organisation


def test_an_empty_file_is_not_downloadable(member):
    data_export = DataExport.objects.create(
        user=member, status=DataExport.Status.READY, expires_at=timezone.now() + timedelta(days=1)
    )
    assert not data_export.is_downloadable
    data_export.file.save("x.zip", ContentFile(b"PK"), save=True)
    assert data_export.is_downloadable
