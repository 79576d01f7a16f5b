"""The coordination's work on adhesions in the administration: reading, deciding, recording signatures."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adhesions import services
from adhesions.enums import AdhesionStatus, SignatureMethod, SignatureStatus
from adhesions.models import Adhesion, SignatureRequest
from core.models import OutboundEmail, OutboundEmailAttachment
from members.enums import OrganisationStatus
from members.models import Organisation
from tests.adhesion_data import filled_adhesion, sign_all, signing_links
from tests.factories import UserFactory, enterprise_number_for
from tests.pdf_signing import make_ca, make_signer, sign_pdf, simple_pdf

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:adhesions_adhesion_changelist"
PDF_TEXT = "Formulaire d'adhesion - Anne Lambert"


@pytest.fixture
def desk(client, coordinator, mfa_login):
    """The coordination signed in to the administration, which it reads in English here."""
    coordinator.preferred_language = "en"
    coordinator.save(update_fields=["preferred_language"])
    mfa_login(client, coordinator)
    return client


@pytest.fixture
def applicant(db):
    return UserFactory(email="marc.dubois@clinique.example.be", first_name="Marc")


@pytest.fixture
def sent(applicant, groups):
    return services.adhesion_submit(adhesion=filled_adhesion(applicant), actor=applicant)


@pytest.fixture
def signed(sent):
    legal = sent.signatures.get(role="legal_representative")
    signature_id, token = signing_links(sent)[legal.email]
    services.signature_sign(
        signature_id=signature_id,
        token=token,
        typed_name=legal.full_name,
        ip_address="203.0.113.44",
        user_agent="Mozilla/5.0 (evidence-test-agent)",
    )
    sign_all(sent)
    sent.refresh_from_db()
    assert sent.status == AdhesionStatus.SIGNED
    return sent


def _change_url(adhesion) -> str:
    return reverse("admin:adhesions_adhesion_change", args=[adhesion.pk])


def _act(client, action: str, adhesions, **data):
    url = reverse(CHANGELIST)
    return client.post(url, {"action": action, "_selected_action": [a.pk for a in adhesions], **data}, follow=True)


def _adhesion(name, number, *, status, type="hospital", days_ago=0, signatures=(), groups=()):
    """An adhesion in a given state, built directly: (signature status, …) for the current version."""
    adhesion = Adhesion.objects.create(
        organisation_name=name,
        organisation_type=type,
        enterprise_number=number,
        status=status,
        version=1,
        submitted_at=timezone.now() - timedelta(days=days_ago) if status != AdhesionStatus.DRAFT else None,
    )
    adhesion.group_preferences.set(groups)
    for index, status_of_signature in enumerate(signatures):
        SignatureRequest.objects.create(
            adhesion=adhesion,
            role="legal_representative",
            first_name="Person",
            last_name=str(index),
            email=f"p{index}@{number}.example.org",
            document_version=1,
            document_sha256="0" * 64,
            expires_at=timezone.now() + timedelta(days=14),
            status=status_of_signature,
            signed_at=timezone.now() if status_of_signature == SignatureStatus.SIGNED else None,
        )
    return adhesion


# --- The list --------------------------------------------------------------------------------------------


@pytest.fixture
def listing(groups):
    pending, signed = SignatureStatus.PENDING, SignatureStatus.SIGNED
    return {
        "alpha": _adhesion(
            "Hôpital Alpha",
            enterprise_number_for(1),
            status=AdhesionStatus.AWAITING_SIGNATURES,
            days_ago=20,
            signatures=[signed, pending],
            groups=[groups["decarbonation"]],
        ),
        "beta": _adhesion(
            "Résidence Bêta",
            enterprise_number_for(2),
            status=AdhesionStatus.SIGNED,
            type="elder_care",
            days_ago=3,
            signatures=[signed, signed, SignatureStatus.VOID],
        ),
        "gamma": _adhesion("Fédération Gamma", enterprise_number_for(3), status=AdhesionStatus.DRAFT, type="other"),
    }


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, {"alpha", "beta", "gamma"}),
        ({"status__exact": "signed"}, {"beta"}),
        ({"type": "elder_care"}, {"beta"}),
        ({"group_preferences__id__exact": "decarbonation"}, {"alpha"}),
        ({"signatures_missing": "yes"}, {"alpha"}),
        ({"signatures_missing": "no"}, {"beta", "gamma"}),
        ({"waiting": "14"}, {"alpha"}),
        ({"waiting": "30"}, set()),
    ],
)
def test_the_list_filters_adhesions(desk, listing, groups, query, shown):
    if "group_preferences__id__exact" in query:
        query = {"group_preferences__id__exact": groups[query["group_preferences__id__exact"]].pk}
    response = desk.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    page = response.content.decode()
    for key, adhesion in listing.items():
        assert (adhesion.organisation_name in page) is (key in shown), key


def test_the_list_shows_signatures_and_waiting_time_and_finds_a_typed_enterprise_number(desk, listing):
    page = desk.get(reverse(CHANGELIST)).content.decode()
    assert "1/2" in page  # alpha: one of two signed
    assert "2/2" in page  # beta: the void signature no longer counts
    assert "20 days since sent" in page
    found = desk.get(reverse(CHANGELIST), {"q": _dotted(listing["beta"].enterprise_number)})
    assert "Résidence Bêta" in found.content.decode()
    assert "Hôpital Alpha" not in found.content.decode()


def test_the_list_finds_an_adhesion_by_the_applicant_s_email(desk, sent, listing):
    page = desk.get(reverse(CHANGELIST), {"q": "marc.dubois@clinique.example.be"}).content.decode()
    assert "Clinique Saint-Luc de Namur" in page
    assert "Hôpital Alpha" not in page


def _dotted(number: str) -> str:
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    return len(queries)


def test_the_list_does_not_query_per_adhesion(desk, groups):
    def add(first, last):
        for seed in range(first, last):
            _adhesion(
                f"Org {seed}",
                enterprise_number_for(seed),
                status=AdhesionStatus.AWAITING_SIGNATURES,
                signatures=[SignatureStatus.SIGNED, SignatureStatus.PENDING],
                groups=[groups["resilience"]],
            )

    add(10, 13)
    with_three = _list_queries(desk)
    add(13, 20)
    assert _list_queries(desk) == with_three


# --- The adhesion's page -------------------------------------------------------------------------------------


def test_the_page_shows_answers_document_and_signature_evidence(desk, signed):
    page = desk.get(_change_url(signed)).content.decode()
    assert "Remplacer le desflurane" in page  # an answer
    assert reverse("adhesions:document", args=[signed.pk]) in page
    assert signed.document_sha256 in page
    assert "203.0.113.44" in page
    assert "Mozilla/5.0 (evidence-test-agent)" in page
    assert "Anne Lambert" in page and "UTC" in page
    assert "adhesions.submitted" in page  # the history
    assert reverse("admin:adhesions_adhesion_decision", args=[signed.pk, "validate"]) in page
    assert reverse("admin:adhesions_adhesion_decision", args=[signed.pk, "confirm"]) not in page
    assert 'name="_save"' not in page  # nothing is edited in place


def test_the_page_cannot_be_saved(desk, signed):
    response = desk.post(_change_url(signed), {"status": "confirmed"})
    assert response.status_code == 403
    signed.refresh_from_db()
    assert signed.status == AdhesionStatus.SIGNED


def test_adhesions_cannot_be_added_or_deleted(desk, signed):
    assert desk.get(reverse("admin:adhesions_adhesion_add")).status_code == 403
    assert desk.get(reverse("admin:adhesions_adhesion_delete", args=[signed.pk])).status_code == 403


def test_the_signature_list_never_shows_the_link_fingerprint(desk, sent):
    signature = sent.signatures.first()
    assert desk.get(reverse("admin:adhesions_signaturerequest_changelist"), {"q": signature.email}).status_code == 200
    page = desk.get(reverse("admin:adhesions_signaturerequest_change", args=[signature.pk])).content.decode()
    assert signature.email in page
    assert signature.token_hash not in page


# --- Decisions ---------------------------------------------------------------------------------------------


def test_validating_the_signatures_moves_on_and_tells_the_organisation(desk, signed):
    response = _act(desk, "validate_signatures", [signed])
    assert response.status_code == 200
    signed.refresh_from_db()
    assert signed.status == AdhesionStatus.SIGNATURES_VALIDATED
    assert OutboundEmail.objects.filter(template="adhesions/signatures_validated").exists()
    assert f"Signatures validated: {signed.reference}." in response.content.decode()


def test_confirming_receipt_creates_the_member_and_sends_the_certificate(desk, signed):
    services.adhesion_validate_signatures(adhesion=signed, actor=None)
    response = _act(desk, "confirm_receipt", [signed])
    assert response.status_code == 200
    signed.refresh_from_db()
    assert signed.status == AdhesionStatus.CONFIRMED
    organisation = Organisation.objects.get(enterprise_number=signed.enterprise_number)
    assert organisation.status == OrganisationStatus.ACTIVE
    assert organisation.member_since == timezone.localdate()
    assert signed.organisation == organisation
    mails = OutboundEmail.objects.filter(template="adhesions/confirmed")
    assert mails.exists()
    attachment = OutboundEmailAttachment.objects.get(email=mails.first())
    assert attachment.content_type == "application/pdf"
    assert bytes(attachment.content).startswith(b"%PDF")


def test_a_decision_in_the_wrong_state_is_reported_not_crashed(desk, sent):
    response = _act(desk, "confirm_receipt", [sent])
    assert response.status_code == 200
    page = response.content.decode()
    assert sent.reference in page
    assert 'class="error"' in page
    sent.refresh_from_db()
    assert sent.status == AdhesionStatus.AWAITING_SIGNATURES
    assert not Organisation.objects.exists()


def test_asking_for_corrections_shows_a_form_then_sends_the_message(desk, signed):
    page = _act(desk, "ask_for_corrections", [signed])
    assert page.status_code == 200
    assert "<textarea" in page.content.decode()
    signed.refresh_from_db()
    assert signed.status == AdhesionStatus.SIGNED  # nothing happens before the confirmation

    message = "Le numéro d'entreprise ne correspond pas à la raison sociale."
    _act(desk, "ask_for_corrections", [signed], confirm="1", text=message)
    signed.refresh_from_db()
    assert signed.status == AdhesionStatus.CORRECTIONS_REQUESTED
    assert signed.corrections_message == message
    mail = OutboundEmail.objects.filter(template="adhesions/corrections_requested").first()
    assert mail is not None and "raison sociale" in mail.body_text


def test_rejecting_needs_a_reason(desk, signed):
    url = reverse("admin:adhesions_adhesion_decision", args=[signed.pk, "reject"])
    assert "<textarea" in desk.get(url).content.decode()

    response = desk.post(url, {"confirm": "1", "text": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == AdhesionStatus.SIGNED
    assert not OutboundEmail.objects.filter(template="adhesions/rejected").exists()

    response = desk.post(url, {"confirm": "1", "text": "Hors du champ de l'initiative."})
    assert response.status_code == 302 and response.url == _change_url(signed)
    signed.refresh_from_db()
    assert signed.status == AdhesionStatus.REJECTED
    assert signed.rejection_reason == "Hors du champ de l'initiative."
    assert OutboundEmail.objects.filter(template="adhesions/rejected").exists()


def test_a_decision_page_in_the_wrong_state_reports_the_error(desk, sent):
    url = reverse("admin:adhesions_adhesion_decision", args=[sent.pk, "validate"])
    response = desk.post(url, {"confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == AdhesionStatus.AWAITING_SIGNATURES


# --- Signatures -------------------------------------------------------------------------------------------------


def test_sending_a_link_again(desk, sent):
    signature = sent.signatures.get(role="legal_representative")
    before = signature.token_hash
    url = reverse("admin:adhesions_adhesion_signature_resend", args=[sent.pk, signature.pk])
    assert desk.get(url).status_code == 405
    response = desk.post(url, follow=True)
    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.token_hash != before
    assert OutboundEmail.objects.filter(template="adhesions/signature_requested", to_email=signature.email).count() == 2


@pytest.fixture
def ca(settings, tmp_path):
    authority = make_ca()
    root = tmp_path / "root.pem"
    root.write_bytes(authority.pem)
    settings.ADHESION_TRUST_ROOTS = [str(root)]
    return authority


def _attach(client, adhesion, signature, content: bytes, **extra):
    url = reverse("admin:adhesions_adhesion_signature_attach", args=[adhesion.pk, signature.pk])
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("formulaire-signe.pdf", content, content_type="application/pdf")
    return client.post(url, {"pdf": upload, **extra}, follow=True)


def _the_form(adhesion) -> bytes:
    with adhesion.document.open("rb") as handle:
        return handle.read()


def test_a_signed_pdf_with_a_trusted_signature_counts(desk, sent, ca):
    signature = sent.signatures.get(role="legal_representative")
    signed = sign_pdf(_the_form(sent), make_signer(ca, "Anne Lambert (Signature)"))
    response = _attach(desk, sent, signature, signed)
    assert response.status_code == 200
    page = response.content.decode()
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.SIGNED
    assert signature.method == SignatureMethod.ATTACHED_PDF
    assert "Intact and trusted" in page
    assert "not trusted" not in page and "not intact" not in page
    assert signature.attached_pdf_sha256 in page
    pdf = desk.get(reverse("admin:adhesions_adhesion_signature_pdf", args=[sent.pk, signature.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_tampered_pdf_is_kept_but_does_not_count(desk, sent, ca):
    signature = sent.signatures.get(role="legal_representative")
    signed_pdf = sign_pdf(simple_pdf(PDF_TEXT), make_signer(ca))
    position = signed_pdf.index(PDF_TEXT.encode()) + len("Formulaire")
    tampered = signed_pdf[:position] + b"X" + signed_pdf[position + 1 :]
    response = _attach(desk, sent, signature, tampered)
    page = response.content.decode()
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.PENDING
    assert signature.attached_pdf
    assert "not intact" in page
    assert "kept as evidence but the signature does NOT count" in page
    sent.refresh_from_db()
    assert sent.status == AdhesionStatus.AWAITING_SIGNATURES


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (lambda sent, ca: sign_pdf(_the_form(sent), make_signer(ca, "Jan Peeters (Signature)")), "Jan Peeters"),
        (lambda sent, ca: sign_pdf(simple_pdf(PDF_TEXT), make_signer(ca, "Anne Lambert (Signature)")), "version"),
        (lambda sent, ca: simple_pdf(PDF_TEXT), "handwritten"),
    ],
    ids=["someone-else", "another-document", "scan-not-confirmed"],
)
def test_an_attached_pdf_that_is_not_this_signature_does_not_count(desk, sent, ca, content, why):
    signature = sent.signatures.get(role="legal_representative")
    page = _attach(desk, sent, signature, content(sent, ca)).content.decode()
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.PENDING
    assert why in " ".join(signature.pdf_validation["refused_because"])
    assert "does NOT count" in page


def test_a_scan_counts_once_the_handwritten_signature_is_confirmed(desk, sent):
    signature = sent.signatures.get(role="legal_representative")
    _attach(desk, sent, signature, simple_pdf(PDF_TEXT), handwritten_checked="on")
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.SIGNED
    assert signature.pdf_validation["handwritten_checked"] is True


def test_a_refused_pdf_stays_as_evidence_when_another_is_attached(desk, sent, ca):
    signature = sent.signatures.get(role="legal_representative")
    _attach(desk, sent, signature, simple_pdf(PDF_TEXT))
    first = signature.__class__.objects.get(pk=signature.pk)
    _attach(desk, sent, signature, sign_pdf(_the_form(sent), make_signer(ca, "Anne Lambert (Signature)")))
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.SIGNED
    earlier = signature.pdf_validation["earlier"]
    assert [item["sha256"] for item in earlier] == [first.attached_pdf_sha256]
    assert earlier[0]["report"]["refused_because"]
    page = desk.get(reverse("admin:adhesions_adhesion_change", args=[sent.pk])).content.decode()
    assert first.attached_pdf_sha256 in page


def test_a_file_that_is_not_a_pdf_is_refused_by_the_form(desk, sent):
    signature = sent.signatures.get(role="legal_representative")
    url = reverse("admin:adhesions_adhesion_signature_attach", args=[sent.pk, signature.pk])
    response = desk.post(url, {"pdf": SimpleUploadedFile("notes.pdf", b"just text, not a PDF")})
    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.PENDING and not signature.attached_pdf


@pytest.mark.parametrize("staff", [False, True])
def test_people_outside_the_coordination_cannot_use_the_admin_pages(client, mfa_login, sent, staff):
    outsider = UserFactory(email="outsider@example.org", is_staff=staff, with_totp=True)
    mfa_login(client, outsider)
    signature = sent.signatures.get(role="legal_representative")
    before = signature.token_hash
    for name, args in [
        ("admin:adhesions_adhesion_decision", [sent.pk, "reject"]),
        ("admin:adhesions_adhesion_signature_attach", [sent.pk, signature.pk]),
        ("admin:adhesions_adhesion_signature_pdf", [sent.pk, signature.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code in (302, 403, 404), name
    response = client.post(
        reverse("admin:adhesions_adhesion_decision", args=[sent.pk, "reject"]), {"confirm": "1", "text": "x"}
    )
    assert response.status_code in (302, 403, 404)
    response = client.post(reverse("admin:adhesions_adhesion_signature_resend", args=[sent.pk, signature.pk]))
    assert response.status_code in (302, 403, 404)
    sent.refresh_from_db()
    signature.refresh_from_db()
    assert sent.status == AdhesionStatus.AWAITING_SIGNATURES
    assert signature.token_hash == before


# --- Withdrawal ------------------------------------------------------------------------------------------------


def test_confirming_a_withdrawal(desk, organisation, other_organisation):
    Organisation.objects.filter(pk=organisation.pk).update(
        status=OrganisationStatus.WITHDRAWING, withdrawal_reason="Fusion avec un autre réseau."
    )
    page = desk.get(reverse("admin:members_organisation_change", args=[organisation.pk])).content.decode()
    assert "Fusion avec un autre réseau." in page

    url = reverse("admin:members_organisation_changelist")
    response = desk.post(
        url, {"action": "confirm_withdrawal", "_selected_action": [organisation.pk, other_organisation.pk]}, follow=True
    )
    assert response.status_code == 200
    organisation.refresh_from_db()
    other_organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.WITHDRAWN
    assert organisation.withdrawal_effective_on == timezone.localdate()
    assert other_organisation.status == OrganisationStatus.ACTIVE  # it never asked: reported, unchanged
    assert 'class="error"' in response.content.decode()
