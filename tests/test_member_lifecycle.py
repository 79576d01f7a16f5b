"""An organisation's life in the member space: its details, its people and its withdrawal (art 4.2, 6.3, 8)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.models import AuditEntry, OutboundEmail
from members.enums import OrganisationRoleType, OrganisationStatus
from members.models import OrganisationRole

MANAGE_PAGES = [
    ("members:organisation_edit", {}),
    ("members:contact_point_change", {}),
    ("members:delegate_replace", {"group": "decarbonation"}),
    ("members:withdrawal_request", {}),
]
SIGNING_LINK = re.compile(r"/adhesion/signer/(\d+)/([^/\s]+)/")


def _url(name: str, organisation, **kwargs) -> str:
    return reverse(name, kwargs={"pk": organisation.pk, **kwargs})


def _french(message: str) -> str:
    """A message as the French page shows it, whether or not it is translated yet."""
    with translation.override("fr"):
        return translation.gettext(message)


def _emails(template: str) -> dict[str, OutboundEmail]:
    return {email.to_email: email for email in OutboundEmail.objects.filter(template=template)}


def _person(email: str) -> dict[str, str]:
    return {
        "last_name": "Dubois",
        "first_name": "Claire",
        "function": "Responsable environnement",
        "email": email,
        "phone": "081 33 44 55",
    }


@pytest.fixture
def confirmed_adhesion(organisation, member):
    """The adhesion the organisation was created from: the replacement signatures hang on it."""
    from adhesions.models import Adhesion

    return Adhesion.objects.create(
        applicant=member,
        organisation=organisation,
        organisation_name=organisation.name,
        status="confirmed",
        version=1,
        document_sha256="0" * 64,
        decided_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_legal_representative_edits_the_details_and_the_change_is_audited(client, member, organisation):
    client.force_login(member)
    url = _url("members:organisation_edit", organisation)
    page = client.get(url).content.decode()
    assert organisation.enterprise_number_display in page  # shown, not editable
    assert 'name="enterprise_number"' not in page and 'name="type"' not in page
    assert 'name="type_precision"' not in page  # a hospital has no precision

    response = client.post(
        url,
        {
            "name": "Hôpital Alpha Namur",
            "legal_form": organisation.legal_form,
            "street": "Rue Neuve 2",
            "postal_code": organisation.postal_code,
            "city": organisation.city,
            "website": "",
            "nominative_consent": "on",
        },
    )

    assert response.status_code == 302
    assert response.url == _url("members:organisation_detail", organisation)
    organisation.refresh_from_db()
    assert (organisation.name, organisation.street, organisation.nominative_consent) == (
        "Hôpital Alpha Namur",
        "Rue Neuve 2",
        True,
    )
    assert organisation.nominative_consent_at is not None
    entry = AuditEntry.objects.get(action="members.organisation.profile_updated")
    assert entry.actor == member
    # Only what changed, with the value before and after.
    assert entry.data == {
        "name": {"from": "Hôpital Alpha", "to": "Hôpital Alpha Namur"},
        "street": {"from": "Rue de la Loi 1", "to": "Rue Neuve 2"},
        "nominative_consent": {"from": False, "to": True},
    }


@pytest.mark.django_db
def test_a_delegate_sees_the_organisation_but_cannot_manage_it(client, delegate, organisation):
    client.force_login(delegate)
    page = client.get(_url("members:organisation_detail", organisation)).content.decode()
    assert organisation.name in page
    assert _url("members:organisation_edit", organisation) not in page
    assert _url("members:delegate_replace", organisation, group="decarbonation") not in page
    for name, kwargs in MANAGE_PAGES:
        url = _url(name, organisation, **kwargs)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


@pytest.mark.django_db
def test_a_delegate_of_another_organisation_gets_404_everywhere(client, delegate_other_org, organisation, delegate):
    client.force_login(delegate_other_org)
    pages = [("members:organisation_detail", {}), *MANAGE_PAGES]
    for name, kwargs in pages:
        url = _url(name, organisation, **kwargs)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


@pytest.mark.django_db
def test_contact_point_change_creates_the_account_and_tells_the_coordination(client, member, organisation, coordinator):
    assert not User.objects.filter(email="claire@alpha.example.org").exists()
    client.force_login(member)

    response = client.post(_url("members:contact_point_change", organisation), _person("Claire@Alpha.example.org"))

    assert response.status_code == 302
    role = OrganisationRole.objects.get(organisation=organisation, role=OrganisationRoleType.CONTACT_POINT)
    assert role.user.email == "claire@alpha.example.org"
    assert role.function == "Responsable environnement"
    assert not role.user.has_usable_password()  # a new account, whose password the person sets herself
    emails = _emails("members/contact_point_changed")
    assert set(emails) == {coordinator.email, "claire@alpha.example.org"}
    assert emails[coordinator.email].context["to_coordination"] is True

    # A second change replaces the role: still one contact point, now an existing account.
    existing = User.objects.create_user("bruno@alpha.example.org", password=None, first_name="Bruno")
    client.post(_url("members:contact_point_change", organisation), _person("bruno@alpha.example.org"))
    role = OrganisationRole.objects.get(organisation=organisation, role=OrganisationRoleType.CONTACT_POINT)
    assert role.user == existing


@pytest.mark.django_db
def test_a_new_delegate_takes_the_seat_once_he_has_signed(client, member, delegate, organisation, confirmed_adhesion):
    from adhesions.models import SignatureRequest
    from adhesions.services import signature_sign

    client.force_login(member)
    url = _url("members:delegate_replace", organisation, group="decarbonation")
    assert url in client.get(_url("members:organisation_detail", organisation)).content.decode()

    response = client.post(url, _person("claire@alpha.example.org"))

    assert response.status_code == 302
    signature = SignatureRequest.objects.get(adhesion=confirmed_adhesion)
    assert (signature.purpose, signature.status, signature.email) == (
        "delegate_replacement",
        "pending",
        "claire@alpha.example.org",
    )
    seat = OrganisationRole.objects.get(organisation=organisation, thematic_group__slug="decarbonation")
    assert seat.user == delegate  # the current delegate stays until the new one signs
    detail = client.get(_url("members:organisation_detail", organisation))
    assert list(detail.context["pending_replacements"]) == [signature]  # the waiting replacement is shown
    assert "Claire Dubois" in detail.content.decode()

    email = _emails("adhesions/signature_requested")["claire@alpha.example.org"]
    signature_id, token = SIGNING_LINK.search(email.body_text).groups()
    assert int(signature_id) == signature.pk
    signature_sign(
        signature_id=signature.pk, token=token, typed_name="Claire Dubois", ip_address="127.0.0.1", user_agent="pytest"
    )

    seat.refresh_from_db()
    assert seat.user.email == "claire@alpha.example.org"
    assert seat.function == "Responsable environnement"
    detail = client.get(_url("members:organisation_detail", organisation))
    assert not detail.context["pending_replacements"]  # no longer waiting
    assert member.email in _emails("members/delegate_replaced")


@pytest.mark.django_db
def test_replacing_needs_a_delegate_in_the_group(client, member, organisation, confirmed_adhesion):
    client.force_login(member)
    assert client.get(_url("members:delegate_replace", organisation, group="decarbonation")).status_code == 404


@pytest.mark.django_db
def test_withdrawal_request_then_confirmation(
    client, member, delegate, organisation, coordinator, groups, django_capture_on_commit_callbacks
):
    from members.lifecycle import withdrawal_confirm, withdrawals_apply
    from members.signals import organisation_withdrawn

    client.force_login(member)
    url = _url("members:withdrawal_request", organisation)
    default_date = (timezone.localdate() + timedelta(days=30)).isoformat()
    page = client.get(url).content.decode()
    assert 'type="date"' in page and f'value="{default_date}"' in page

    effective_on = timezone.localdate() + timedelta(days=45)
    response = client.post(
        url, {"reason": "Réorganisation interne.", "effective_on": effective_on.isoformat(), "confirm": "on"}
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.WITHDRAWING
    assert organisation.withdrawal_reason == "Réorganisation interne."
    assert organisation.withdrawal_effective_on == effective_on
    assert organisation.withdrawal_requested_at is not None
    assert coordinator.email in _emails("members/withdrawal_requested")
    page = client.get(url).content.decode()
    assert 'name="reason"' not in page  # the page says where the withdrawal stands instead
    assert effective_on.strftime("%Y") in page
    # Until the coordination confirms, the organisation is still a signatory.
    assert organisation.name in client.get(reverse("signatories:list")).content.decode()

    received = []

    def receiver(sender, organisation, actor, **kwargs):
        received.append((organisation.pk, actor))

    organisation_withdrawn.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            withdrawal_confirm(organisation=organisation, actor=coordinator)
        # Confirmed, but the organisation keeps the time it asked for to close its work (art 6.3).
        organisation.refresh_from_db()
        assert organisation.status == OrganisationStatus.WITHDRAWING
        assert organisation.withdrawal_effective_on == effective_on
        assert received == []
        assert effective_on.strftime("%Y") in _emails("members/withdrawal_confirmed")[member.email].body_text
        assert withdrawals_apply(today=effective_on - timedelta(days=1)) == 0
        with django_capture_on_commit_callbacks(execute=True):
            assert withdrawals_apply(today=effective_on) == 1
    finally:
        organisation_withdrawn.disconnect(receiver)

    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.WITHDRAWN
    assert received == [(organisation.pk, None)]
    assert organisation.name not in client.get(reverse("signatories:list")).content.decode()
    assert organisation.name not in client.get(reverse("signatories:csv")).content.decode("utf-8-sig")

    # Its people leave the members' spaces (art 6.3): no members-only GT information, no organisation page.
    for person in (member, delegate):
        client.force_login(person)
        response = client.get(reverse("thematic_groups:detail", args=["decarbonation"]))
        assert "members" not in response.context
        assert client.get(_url("members:organisation_detail", organisation)).status_code == 404


@pytest.mark.django_db
def test_a_withdrawal_in_the_past_is_refused_and_the_reason_is_kept(client, member, organisation):
    client.force_login(member)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        _url("members:withdrawal_request", organisation),
        {"reason": "Fusion avec un autre hôpital.", "effective_on": yesterday.isoformat(), "confirm": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["effective_on"] == [
        _french("The withdrawal cannot take effect in the past.")
    ]
    page = response.content.decode()
    assert "Fusion avec un autre hôpital." in page
    assert "error-summary" in page
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.ACTIVE


@pytest.mark.django_db
def test_members_see_their_organisation_before_the_withdrawal(client, member, delegate, organisation):
    """The other side of the withdrawal test: an active member's people see the GT members."""
    client.force_login(member)
    response = client.get(reverse("thematic_groups:detail", args=["decarbonation"]))
    assert "members" in response.context


@pytest.mark.django_db
def test_the_home_page_leads_to_the_adhesion_form(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("adhesions:start")}"' in page


@pytest.mark.django_db
def test_a_withdrawal_can_be_cancelled_before_it_takes_effect(client, member, organisation, coordinator):
    from members.lifecycle import withdrawal_request

    withdrawal_request(
        organisation=organisation,
        actor=member,
        reason="Réorganisation.",
        effective_on=timezone.localdate() + timedelta(days=20),
    )
    client.force_login(member)
    page = client.get(_url("members:withdrawal_request", organisation)).content.decode()
    assert _url("members:withdrawal_cancel", organisation) in page

    client.post(_url("members:withdrawal_cancel", organisation))

    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.ACTIVE
    assert organisation.withdrawal_effective_on is None
    assert coordinator.email in _emails("members/withdrawal_cancelled")


@pytest.mark.django_db
def test_a_withdrawn_organisation_can_join_again(applicant_for_rejoin, organisation, coordinator, groups):
    """Same enterprise number, same record: a new membership date and new people, its history kept."""
    from adhesions import services
    from adhesions.selectors import enterprise_number_conflict
    from tests.adhesion_data import filled_adhesion, hospital_answers, sign_all

    organisation.status = OrganisationStatus.WITHDRAWN
    organisation.save()
    answers = hospital_answers(enterprise_number=organisation.enterprise_number, name="Nouveau nom")
    assert enterprise_number_conflict(organisation.enterprise_number) == ""

    adhesion = filled_adhesion(applicant_for_rejoin, answers)
    adhesion = services.adhesion_submit(adhesion=adhesion, actor=applicant_for_rejoin)
    sign_all(adhesion)
    adhesion.refresh_from_db()
    services.adhesion_validate_signatures(adhesion=adhesion, actor=coordinator)
    services.adhesion_confirm_receipt(adhesion=adhesion, actor=coordinator)

    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.ACTIVE
    assert organisation.name == "Nouveau nom"
    assert organisation.member_since == timezone.localdate()
    assert organisation.roles.filter(user__email="anne.lambert@clinique.example.be").exists()


@pytest.fixture
def applicant_for_rejoin(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.mark.django_db
def test_members_download_their_signed_form_and_certificate(client, groups, coordinator):
    """The confirmed organisation's people get both documents from their page; outsiders get 404."""
    from adhesions import services
    from tests.adhesion_data import filled_adhesion, sign_all
    from tests.factories import UserFactory

    applicant = UserFactory()
    adhesion = services.adhesion_submit(adhesion=filled_adhesion(applicant), actor=applicant)
    sign_all(adhesion)
    adhesion.refresh_from_db()
    services.adhesion_validate_signatures(adhesion=adhesion, actor=coordinator)
    services.adhesion_confirm_receipt(adhesion=adhesion, actor=coordinator)
    adhesion.refresh_from_db()
    organisation = adhesion.organisation
    legal = organisation.roles.get(role="legal_representative").user

    client.force_login(legal)
    page = client.get(_url("members:organisation_detail", organisation)).content.decode()
    assert _url("members:adhesion_document", organisation) in page
    form = client.get(_url("members:adhesion_document", organisation))
    assert b"".join(form.streaming_content).startswith(b"%PDF")
    certificate = client.get(_url("members:membership_certificate", organisation))
    assert certificate.content.startswith(b"%PDF")

    client.force_login(UserFactory())
    assert client.get(_url("members:membership_certificate", organisation)).status_code == 404


@pytest.mark.django_db
def test_a_new_delegate_signs_an_acceptance_of_his_own(
    client, member, delegate, organisation, confirmed_adhesion, groups, django_capture_on_commit_callbacks
):
    """§6.2 for the new person, with the organisation's name of today; the seat changes hands once signed."""
    import hashlib
    import re

    from adhesions import services
    from members.lifecycle import delegate_replacement_request

    organisation.name = "Nom changé depuis l'adhésion"
    organisation.save()
    with django_capture_on_commit_callbacks(execute=True):
        signature = delegate_replacement_request(
            organisation=organisation,
            actor=member,
            group=groups["decarbonation"],
            person={**_person("nouveau.delegue@example.org"), "first_name": "Noé", "last_name": "Renard"},
        )
    mail_body = _emails("adhesions/signature_requested")["nouveau.delegue@example.org"].body_text
    assert "Nom changé depuis l'adhésion" in mail_body
    token = re.search(r"/signer/\d+/([\w-]+)/", mail_body).group(1)

    page = client.get(reverse("adhesions:sign", args=[signature.pk, token])).content.decode()
    assert "Nom changé depuis l&#x27;adhésion" in page
    document = client.get(reverse("adhesions:sign_document", args=[signature.pk, token]))
    pdf = b"".join(document.streaming_content)
    assert signature.document_sha256 == hashlib.sha256(pdf).hexdigest()
    assert signature.document_sha256 != confirmed_adhesion.document_sha256

    with django_capture_on_commit_callbacks(execute=True):
        services.signature_sign(
            signature_id=signature.pk, token=token, typed_name="Noé Renard", ip_address="127.0.0.1", user_agent="t"
        )

    role = organisation.roles.get(role="delegate", thematic_group=groups["decarbonation"])
    assert role.user.email == "nouveau.delegue@example.org"
    # The people of the organisation hear it as a delegate change, not as a new signature on the old form.
    assert not _emails("adhesions/signature_received")
