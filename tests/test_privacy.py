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
from tests.factories import TEST_PASSWORD, TOTP_SECRET, UserFactory, enterprise_number_for

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


def _pending_signature(email, *, organisation=None, applicant=None, name="Anne Successeur"):
    adhesion = Adhesion.objects.create(
        applicant=applicant,
        organisation=organisation,
        organisation_name=organisation.name if organisation else "Nouvelle clinique",
        enterprise_number=enterprise_number_for(900 + Adhesion.objects.count()),
        status="awaiting_signatures",
        version=1,
    )
    first_name, last_name = name.split(" ", 1)
    return SignatureRequest.objects.create(
        adhesion=adhesion,
        role="legal_representative",
        first_name=first_name,
        last_name=last_name,
        email=email,
        document_version=1,
        document_sha256="b" * 64,
        token_hash=f"{adhesion.pk:064d}",
        expires_at=timezone.now() + timedelta(days=10),
    )


def _queued_mail(email, key):
    return OutboundEmail.objects.create(
        idempotency_key=key,
        to_email=email,
        language="fr",
        template="test",
        subject=f"Subject for {email}",
        body_text="Body",
        message_id=OutboundEmail.new_message_id(),
    )


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


def test_an_unverified_address_is_not_the_persons_own(member, delegate_other_org, other_organisation):
    """Anybody can add another person's address to their profile; until it is verified, it proves nothing."""
    from accounts.privacy.export import build_zip

    EmailAddress.objects.create(user=member, email=delegate_other_org.email.upper(), verified=False)
    _adhesion, signature = _signed_adhesion(other_organisation, delegate_other_org)

    archive = zipfile.ZipFile(io.BytesIO(build_zip(member)))
    assert json.loads(archive.read("organisations_and_signatures.json"))["own_signatures"] == []
    assert signature.ip_address not in "".join(archive.read(name).decode() for name in archive.namelist())
    # A verified one is.
    EmailAddress.objects.filter(user=member, verified=False).update(verified=True)
    archive = zipfile.ZipFile(io.BytesIO(build_zip(member)))
    assert len(json.loads(archive.read("organisations_and_signatures.json"))["own_signatures"]) == 1


def test_an_export_built_while_the_account_closes_leaves_no_file(
    member, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        data_export = services.data_export_request(user=member)
    real_build_zip = services.export.build_zip

    def closed_meanwhile(user, **kwargs):
        content = real_build_zip(user, **kwargs)
        services.person_anonymise(user=user, actor=user, reason="account_closed")
        return content

    monkeypatch.setattr(services.export, "build_zip", closed_meanwhile)
    assert services.data_export_build(export_id=data_export.pk) == "skipped"
    assert not DataExport.objects.filter(pk=data_export.pk).exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_an_export_that_cannot_be_recorded_deletes_its_file(
    member, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        data_export = services.data_export_request(user=member)

    def broken_outbox(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services, "email_queue", broken_outbox)
    assert services.data_export_build(export_id=data_export.pk) == "failed"
    data_export.refresh_from_db()
    assert data_export.status == DataExport.Status.FAILED and not data_export.file
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


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


def test_closing_leaves_the_records_of_an_unverified_address_alone(
    member, delegate_other_org, other_organisation, django_capture_on_commit_callbacks
):
    other_email = delegate_other_org.email
    EmailAddress.objects.create(user=member, email=other_email, verified=False)
    _adhesion, signature = _signed_adhesion(other_organisation, delegate_other_org)
    mail = _queued_mail(other_email, "test:other-person")
    entry = log_action("test.other", actor=delegate_other_org, data={"contact": other_email})

    with django_capture_on_commit_callbacks(execute=True):
        services.account_close(user=member)

    signature.refresh_from_db()
    mail.refresh_from_db()
    entry.refresh_from_db()
    assert (signature.email, signature.phone) == (other_email, "+32 81 00 00 00")
    assert mail.to_email == other_email and mail.status == OutboundEmail.Status.QUEUED and mail.body_text
    assert entry.data == {"contact": other_email}


def test_closing_leaves_a_successors_requests_on_a_shared_mailbox(
    member, organisation, other_organisation, django_capture_on_commit_callbacks
):
    """direction@hopital.be is verified by whoever holds the post; its requests for another organisation
    belong to someone else."""
    EmailAddress.objects.create(user=member, email="direction@hopital.be", verified=True)
    successors = _pending_signature("direction@hopital.be", organisation=other_organisation)
    own = _pending_signature("Direction@hopital.be", organisation=organisation)
    own_form = _pending_signature("direction@hopital.be", applicant=member)

    with django_capture_on_commit_callbacks(execute=True):
        services.account_close(user=member)

    successors.refresh_from_db()
    assert (successors.email, successors.full_name) == ("direction@hopital.be", "Anne Successeur")
    assert successors.token_hash
    for signature in (own, own_form):
        signature.refresh_from_db()
        assert signature.email.endswith("@anonymised.invalid") and signature.token_hash is None


def test_anonymisation_scrubs_whole_values_typed_addresses_and_connection_details(
    client, organisation, django_capture_on_commit_callbacks
):
    from core.models import AuditEntry, OutboundEmailAttachment

    person = UserFactory(email="jo@hopital.be", first_name="Anne", last_name="Dupont")
    OrganisationRole.objects.create(
        user=person, organisation=organisation, role=OrganisationRoleType.LEGAL_REPRESENTATIVE
    )
    typed = log_action(
        "security.login_failed",
        actor="JO@hopital.be",
        data={"email": "JO@hopital.be", "ip": "192.0.2.7", "user_agent": "Firefox/140"},
    )
    signed_in = log_action(
        "security.login",
        actor=person,
        target=person,
        data={"email": person.email, "ip": "192.0.2.8", "user_agent": "Firefox/140"},
    )
    about = log_action("test.about", actor=None, data={"contact": "Jo@Hopital.be", "signatory": "Anne Dupont"})
    others = {"email": "marie-jo@hopital.be", "name": "Marie-Anne Dupont", "first_name": "Anne"}
    other = log_action("test.other", actor="marie-jo@hopital.be", data=others)
    mail = _queued_mail(person.email, "test:with-attachment")
    OutboundEmailAttachment.objects.create(
        email=mail, filename="certificate.pdf", content_type="application/pdf", content=b"%PDF"
    )
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:account_close"), {"password": TEST_PASSWORD})

    assert response.status_code == 302
    person.refresh_from_db()
    for entry in (typed, signed_in, about, other):
        entry.refresh_from_db()
    label = f"Personne anonymisée #{person.pk}"
    assert typed.actor_label == label
    assert typed.data == {"email": person.email}
    assert signed_in.data == {"email": person.email}
    assert about.data == {"contact": person.email, "signatory": label}
    assert (other.actor_label, other.data) == ("marie-jo@hopital.be", others)
    assert not OutboundEmailAttachment.objects.filter(email=mail).exists()
    assert OutboundEmail.objects.get(template="accounts/account_closed_coordination").sensitive
    # Nothing written afterwards (the sign-out) names the person or says where they connected from.
    security = AuditEntry.objects.filter(action__startswith="security.").exclude(pk=other.pk)
    assert not [entry.data for entry in security if {"ip", "user_agent"} & set(entry.data)]
    assert not AuditEntry.objects.filter(actor_label__iexact="jo@hopital.be").exists()


def test_closing_is_rate_limited_like_a_sign_in(client, member):
    from core.models import AuditEntry

    member.preferred_language = "en"
    member.save()
    client.force_login(member)
    url = reverse("accounts:account_close")
    for _attempt in range(5):
        assert "This is not your password." in client.post(url, {"password": "wrong"}).content.decode()
    response = client.post(url, {"password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Too many attempts. Try again in a few minutes." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and member.anonymised_at is None
    assert AuditEntry.objects.filter(action="security.login_failed").count() == 5
    assert AuditEntry.objects.filter(action="security.login_rate_limited").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_closing_at_once_do_not_both_count_on_the_other(organisation, monkeypatch):
    """While one closure counts the managers left, the other manager's role cannot change."""
    import threading

    from django.db import DatabaseError, connection, transaction

    first = UserFactory()
    second = UserFactory()
    OrganisationRole.objects.create(
        user=first, organisation=organisation, role=OrganisationRoleType.LEGAL_REPRESENTATIVE
    )
    OrganisationRole.objects.create(user=second, organisation=organisation, role=OrganisationRoleType.CONTACT_POINT)
    counting, checked = threading.Event(), threading.Event()
    real_count = services.organisations_left_without_manager

    def count_then_wait(user):
        result = real_count(user)
        counting.set()
        checked.wait(timeout=10)
        return result

    monkeypatch.setattr(services, "organisations_left_without_manager", count_then_wait)

    def close_first():
        try:
            services.account_close(user=first)
        finally:
            connection.close()

    closing = threading.Thread(target=close_first)
    closing.start()
    try:
        assert counting.wait(timeout=10)
        with pytest.raises(DatabaseError), transaction.atomic():
            list(OrganisationRole.objects.select_for_update(nowait=True).filter(user=second))
    finally:
        checked.set()
        closing.join(timeout=10)
    first.refresh_from_db()
    assert first.anonymised_at is not None
    assert OrganisationRole.objects.filter(user=second).exists()


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


@override_settings(PRIVACY_RETENTION_DAYS_AFTER_WITHDRAWAL=365)
def test_retention_spares_an_applicant_and_a_person_asked_to_sign(member, delegate, organisation):
    """An organisation that applies again stays withdrawn until the new adhesion is confirmed."""
    organisation.status = OrganisationStatus.WITHDRAWN
    organisation.withdrawal_effective_on = date(2026, 1, 31)
    organisation.save()
    adhesion = Adhesion.objects.create(
        applicant=member, organisation=organisation, organisation_name=organisation.name, status="signed"
    )
    signature = _pending_signature(delegate.email.upper(), organisation=organisation)

    assert services.retention_apply(today=date(2027, 2, 1)) == 0

    adhesion.status = "confirmed"
    adhesion.save()
    signature.status = "cancelled"
    signature.save()
    assert services.retention_apply(today=date(2027, 2, 1)) == 2


@override_settings(PRIVACY_RETENTION_DAYS_AFTER_WITHDRAWAL=365)
def test_retention_checks_the_person_again_before_anonymising(member, organisation, other_organisation, monkeypatch):
    organisation.status = OrganisationStatus.WITHDRAWN
    organisation.withdrawal_effective_on = date(2026, 1, 31)
    organisation.save()
    real_list = services.people_past_retention
    listed = []

    def list_then_give_a_role(today=None):
        people = real_list(today)
        if not listed:
            listed.extend(people)
            OrganisationRole.objects.create(
                user=member, organisation=other_organisation, role=OrganisationRoleType.CONTACT_POINT
            )
            return listed
        return people

    monkeypatch.setattr(services, "people_past_retention", list_then_give_a_role)
    assert services.retention_apply(today=date(2027, 2, 1)) == 0
    assert listed == [member]
    member.refresh_from_db()
    assert member.anonymised_at is None and member.is_active


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
