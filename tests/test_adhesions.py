"""The adhesion form from the first step to the coordination's confirmation."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from adhesions import services
from adhesions.enums import AdhesionStatus, SignatureStatus
from adhesions.models import Adhesion
from adhesions.steps import STEPS_BY_SLUG
from core.models import AuditEntry, OutboundEmail
from members.enums import OrganisationRoleType, OrganisationStatus
from tests.adhesion_data import (
    ecosystem_answers,
    filled_adhesion,
    hospital_answers,
    person,
    sign_all,
    signing_links,
)
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(db):
    return UserFactory(email="marc.dubois@clinique.example.be", first_name="Marc")


@pytest.fixture
def sent(applicant, groups):
    adhesion = filled_adhesion(applicant)
    return services.adhesion_submit(adhesion=adhesion, actor=applicant)


def _sign(adhesion, email, *, typed_name=None, token=None):
    signature_id, real_token = signing_links(adhesion)[email]
    signature = adhesion.signatures.get(pk=signature_id)
    return services.signature_sign(
        signature_id=signature_id,
        token=token or real_token,
        typed_name=typed_name or signature.full_name,
        ip_address="198.51.100.7",
        user_agent="Mozilla/5.0 test",
    )


# --- Filling in through the pages ------------------------------------------------------------------


def _post_step(client, adhesion, slug, data):
    return client.post(reverse("adhesions:step", args=[adhesion.pk, slug]), data)


def _person_post(prefix, values):
    return {f"{prefix}{key}": value for key, value in values.items()}


def test_a_hospital_fills_in_every_step_and_sends_the_form(client, applicant, groups):
    client.force_login(applicant)
    response = client.post(reverse("adhesions:start"))
    adhesion = Adhesion.objects.get(applicant=applicant)
    assert response.url == reverse("adhesions:step", args=[adhesion.pk, "organisation"])
    answers = hospital_answers()
    organisation = {**answers["organisation"], "enterprise_number": "0464.281.392"}
    response = _post_step(client, adhesion, "organisation", organisation)
    assert response.url == reverse("adhesions:step", args=[adhesion.pk, "representant-legal"])
    _post_step(client, adhesion, "representant-legal", answers["legal_representative"])
    _post_step(client, adhesion, "point-de-contact", answers["contact_point"] | {"same_as_legal_representative": ""})
    groups_data = {}
    for slug, delegate in answers["groups"]["delegates"].items():
        groups_data[f"{slug}__chosen"] = "on"
        groups_data.update(_person_post(f"{slug}__", delegate))
    response = _post_step(client, adhesion, "groupes-thematiques", groups_data)
    assert response.url == reverse("adhesions:step", args=[adhesion.pk, "actions"])
    actions = {}
    for slug, values in answers["actions"].items():
        actions.update({f"{slug}__{key}": value for key, value in values.items()})
    response = _post_step(client, adhesion, "actions", actions)
    assert response.url == reverse("adhesions:step", args=[adhesion.pk, "initiatives"])
    _post_step(client, adhesion, "initiatives", {"description": "Cellule durable", "link": "clinique.example.be/dd"})
    response = _post_step(client, adhesion, "vie-privee", {"notice_acknowledged": "on"})
    assert response.url == reverse("adhesions:review", args=[adhesion.pk])

    review = client.get(response.url).content.decode()
    assert "Clinique Saint-Luc de Namur" in review
    assert "Remplacer le desflurane" in review
    for slug in ("organisation", "groupes-thematiques", "actions", "vie-privee"):
        assert reverse("adhesions:step", args=[adhesion.pk, slug]) in review

    response = client.post(reverse("adhesions:review", args=[adhesion.pk]), {"accept_convention": "on"})
    assert response.status_code == 302
    adhesion.refresh_from_db()
    assert adhesion.status == AdhesionStatus.AWAITING_SIGNATURES
    assert adhesion.version == 1
    assert len(adhesion.document_sha256) == 64
    assert adhesion.answers["initiatives"]["link"] == "https://clinique.example.be/dd"
    assert adhesion.nominative_consent is False
    assert sorted(adhesion.group_preferences.values_list("slug", flat=True)) == [
        "achats-durables",
        "decarbonation",
        "resilience",
    ]
    # One signature for the legal representative and one per delegate, each with its own link.
    assert set(signing_links(adhesion)) == {
        "anne.lambert@clinique.example.be",
        "lea.martin@clinique.example.be",
        "hugo.leroy@clinique.example.be",
        "sarah.peeters@clinique.example.be",
    }
    assert OutboundEmail.objects.filter(template="adhesions/submitted", to_email=applicant.email).count() == 1
    assert OutboundEmail.objects.filter(template="adhesions/signature_requested", sensitive=True).count() == 4


def test_the_draft_is_kept_after_logout(client, applicant, groups):
    client.force_login(applicant)
    client.post(reverse("adhesions:start"))
    adhesion = Adhesion.objects.get(applicant=applicant)
    data = {**hospital_answers()["organisation"], "save_and_quit": "1"}
    response = _post_step(client, adhesion, "organisation", data)
    assert response.url == reverse("adhesions:detail", args=[adhesion.pk])
    client.logout()
    client.force_login(applicant)
    assert reverse("adhesions:detail", args=[adhesion.pk]) in client.get(reverse("adhesions:start")).content.decode()
    page = client.get(reverse("adhesions:step", args=[adhesion.pk, "organisation"])).content.decode()
    assert 'value="Clinique Saint-Luc de Namur"' in page
    assert "0464.281.392" in page


def test_an_elder_care_home_cannot_choose_decarbonation_and_keeps_what_it_typed(client, applicant, groups):
    answers = hospital_answers()
    answers["organisation"]["type"] = "elder_care"
    adhesion = services.adhesion_start(applicant=applicant)
    adhesion = services.adhesion_save_step(
        adhesion=adhesion, step=STEPS_BY_SLUG["organisation"], answers=answers["organisation"], actor=applicant
    )
    client.force_login(applicant)
    data = {"decarbonation__chosen": "on", **_person_post("decarbonation__", person("Léa", "Martin", "lea@x.be"))}
    response = _post_step(client, adhesion, "groupes-thematiques", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "réservé aux hôpitaux" in page
    assert "data-error-summary" in page
    assert 'value="lea@x.be"' in page
    adhesion.refresh_from_db()
    assert "groups" not in adhesion.answers


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"achats-durables__chosen": "on"}, "achats-durables__last_name", "Désignez le délégué"),
        (
            {"achats-durables__chosen": "on", **_person_post("achats-durables__", person("A", "B", "pas-un-email"))},
            "achats-durables__email",
            "adresse e-mail",
        ),
        (
            {
                "achats-durables__chosen": "on",
                **_person_post("achats-durables__", person("A", "B", "a@b.be") | {"phone": "12"}),
            },
            "achats-durables__phone",
            "8 à 15 chiffres",
        ),
        ({}, None, "au moins un groupe"),
    ],
)
def test_group_choices_are_checked(applicant, groups, data, field, message):
    from adhesions.forms import GroupsForm

    adhesion = Adhesion.objects.create(applicant=applicant, organisation_type="hospital")
    form = GroupsForm(data, adhesion=adhesion)
    assert not form.is_valid()
    errors = form.errors.get(field or "__all__")
    assert errors and message in " ".join(errors)


def test_a_hospital_cannot_choose_the_elder_care_group_nor_an_ecosystem_actor_any_group(applicant, groups):
    from adhesions.forms import GroupsForm

    data = {
        "sensibilisation-aines__chosen": "on",
        **_person_post("sensibilisation-aines__", person("A", "B", "a@b.be")),
    }
    hospital = Adhesion.objects.create(applicant=applicant, organisation_type="hospital")
    form = GroupsForm(data, adhesion=hospital)
    assert not form.is_valid()
    assert "réservé aux établissements pour aînés" in form.errors["sensibilisation-aines__chosen"][0]
    data = {"resilience__chosen": "on", **_person_post("resilience__", person("A", "B", "a@b.be"))}
    actor = Adhesion.objects.create(applicant=applicant, organisation_type="other")
    form = GroupsForm(data, adhesion=actor)
    assert not form.is_valid()
    assert "4ter.2" in form.errors["resilience__chosen"][0]


def test_option_1_needs_two_actions_and_long_texts_are_refused(applicant, groups):
    from adhesions.forms import ActionsForm

    adhesion = Adhesion.objects.create(
        applicant=applicant, organisation_type="hospital", answers={"groups": {"choices": ["resilience"]}}
    )
    form = ActionsForm({"resilience__option": "1", "resilience__action_1": "Plan canicule"}, adhesion=adhesion)
    assert not form.is_valid()
    assert "deux actions" in form.errors["resilience__action_2"][0]
    form = ActionsForm(
        {"resilience__option": "1", "resilience__action_1": "x" * 2001, "resilience__action_2": "ok"}, adhesion=adhesion
    )
    assert not form.is_valid()
    assert "2000" in form.errors["resilience__action_1"][0]


def test_an_enterprise_number_already_member_or_pending_is_refused(applicant, groups, sent):
    from adhesions.forms import OrganisationForm

    existing = OrganisationFactory(name="Membre existant")
    other = Adhesion.objects.create(applicant=UserFactory())
    for number in (existing.enterprise_number, sent.enterprise_number):
        form = OrganisationForm({**hospital_answers()["organisation"], "enterprise_number": number}, adhesion=other)
        assert not form.is_valid()
        assert "coordination" in form.errors["enterprise_number"][0]
    # The pending adhesion itself may of course keep its number.
    form = OrganisationForm(hospital_answers()["organisation"], adhesion=sent)
    assert form.is_valid(), form.errors
    assert Adhesion.objects.filter(enterprise_number=sent.enterprise_number).count() == 1


def test_an_ecosystem_actor_has_its_own_steps(applicant, groups):
    adhesion = filled_adhesion(applicant, ecosystem_answers())
    adhesion = services.adhesion_submit(adhesion=adhesion, actor=applicant)
    assert "contribution" in adhesion.completed_steps
    assert "groupes-thematiques" not in adhesion.completed_steps
    assert list(adhesion.group_preferences.all()) == []
    # Only the legal representative signs: an ecosystem actor has no delegate.
    assert list(adhesion.signatures.values_list("role", flat=True)) == ["legal_representative"]


def test_sending_an_incomplete_form_is_refused(applicant, groups):
    adhesion = services.adhesion_start(applicant=applicant)
    with pytest.raises(ValidationError):
        services.adhesion_submit(adhesion=adhesion, actor=applicant)


# --- Signatures -----------------------------------------------------------------------------------------


def test_signing_records_the_evidence_and_the_last_signature_completes_the_form(client, sent, coordinator):
    signature_id, token = signing_links(sent)["anne.lambert@clinique.example.be"]
    page = client.get(reverse("adhesions:sign", args=[signature_id, token])).content.decode()
    assert "§6.1" in page
    assert sent.document_sha256 in page
    response = client.post(
        reverse("adhesions:sign", args=[signature_id, token]),
        {"typed_name": "anne LAMBERT", "confirm": "on"},
        HTTP_USER_AGENT="Firefox/140",
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 302
    signature = sent.signatures.get(pk=signature_id)
    assert signature.status == SignatureStatus.SIGNED
    assert signature.signed_at is not None and signature.signed_at.utcoffset() == timedelta(0)
    assert (signature.ip_address, signature.user_agent) == ("203.0.113.5", "Firefox/140")
    assert signature.document_sha256 == sent.document_sha256
    assert OutboundEmail.objects.filter(template="adhesions/signature_receipt", to_email=signature.email).count() == 1
    sign_all(sent)
    sent.refresh_from_db()
    assert sent.status == AdhesionStatus.SIGNED
    assert OutboundEmail.objects.filter(template="adhesions/to_check", to_email=coordinator.email).count() == 1


def test_a_used_link_cannot_sign_again(client, sent):
    signature_id, token = signing_links(sent)["lea.martin@clinique.example.be"]
    _sign(sent, "lea.martin@clinique.example.be")
    response = client.get(reverse("adhesions:sign", args=[signature_id, token]))
    assert response.status_code == 410
    assert "une seule fois" in response.content.decode()
    with pytest.raises(services.SignatureRefused):
        _sign(sent, "lea.martin@clinique.example.be")


def test_an_expired_link_cannot_sign(client, sent):
    signature_id, token = signing_links(sent)["lea.martin@clinique.example.be"]
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(
            reverse("adhesions:sign", args=[signature_id, token]), {"typed_name": "Léa Martin", "confirm": "on"}
        )
        assert response.status_code == 410
        assert "expiré" in response.content.decode()
    assert sent.signatures.get(pk=signature_id).status == SignatureStatus.PENDING


def test_a_link_for_one_signatory_cannot_sign_for_another(client, sent):
    links = signing_links(sent)
    lea_id, lea_token = links["lea.martin@clinique.example.be"]
    hugo_id, _hugo_token = links["hugo.leroy@clinique.example.be"]
    response = client.post(
        reverse("adhesions:sign", args=[hugo_id, lea_token]), {"typed_name": "Hugo Leroy", "confirm": "on"}
    )
    assert response.status_code == 404
    # With her own link, Léa cannot sign in Hugo's name either.
    response = client.post(
        reverse("adhesions:sign", args=[lea_id, lea_token]), {"typed_name": "Hugo Leroy", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Léa Martin" in response.content.decode()
    assert not sent.signatures.filter(status=SignatureStatus.SIGNED).exists()


def test_editing_the_form_after_a_signature_voids_it_and_asks_again(client, applicant, sent):
    _sign(sent, "anne.lambert@clinique.example.be")
    signed = sent.signatures.get(email="anne.lambert@clinique.example.be")
    old_id, old_token = signing_links(sent)["lea.martin@clinique.example.be"]
    old_hash = sent.document_sha256

    answers = hospital_answers()["actions"]
    answers["decarbonation"]["action_2"] = "Réduire les déchets du bloc"
    services.adhesion_save_step(adhesion=sent, step=STEPS_BY_SLUG["actions"], answers=answers, actor=applicant)
    signed.refresh_from_db()
    assert signed.status == SignatureStatus.VOID
    response = client.get(reverse("adhesions:sign", args=[old_id, old_token]))
    assert response.status_code in (404, 410)

    adhesion = services.adhesion_submit(adhesion=Adhesion.objects.get(pk=sent.pk), actor=applicant)
    assert adhesion.version == 2
    assert adhesion.document_sha256 != old_hash
    new = adhesion.signatures.get(email="anne.lambert@clinique.example.be", document_version=2)
    assert new.status == SignatureStatus.PENDING
    assert AuditEntry.objects.filter(action="adhesions.signatures.voided").exists()


def test_sending_again_without_change_keeps_the_signatures(applicant, sent, coordinator):
    _sign(sent, "anne.lambert@clinique.example.be")
    adhesion = services.adhesion_request_corrections(adhesion=sent, actor=coordinator, message="Le site web ?")
    adhesion = services.adhesion_submit(adhesion=adhesion, actor=applicant)
    assert adhesion.version == 1
    assert adhesion.signatures.get(email="anne.lambert@clinique.example.be").status == SignatureStatus.SIGNED


# --- Access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["adhesions:detail", "adhesions:document", "adhesions:signatures"])
def test_people_of_another_organisation_get_404(client, sent, coordinator, delegate_other_org, url_name):
    services.adhesion_validate_signatures  # noqa: B018 - the adhesion stays pending: nothing is public yet
    url = reverse(url_name, args=[sent.pk])
    client.force_login(delegate_other_org)
    assert client.get(url).status_code == 404
    contact_elsewhere = UserFactory()
    OrganisationFactory().roles.create(user=contact_elsewhere, role=OrganisationRoleType.CONTACT_POINT)
    client.force_login(contact_elsewhere)
    assert client.get(url).status_code == 404
    response = client.post(reverse("adhesions:signature_resend", args=[sent.pk, sent.signatures.first().pk]))
    assert response.status_code == 404


def test_the_applicant_downloads_the_document_as_an_attachment(client, applicant, sent):
    client.force_login(applicant)
    response = client.get(reverse("adhesions:document", args=[sent.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- The coordination's decisions ----------------------------------------------------------------------


def test_confirming_receipt_creates_the_member_with_its_people(applicant, sent, coordinator):
    sign_all(sent)
    adhesion = services.adhesion_validate_signatures(adhesion=Adhesion.objects.get(pk=sent.pk), actor=coordinator)
    adhesion = services.adhesion_confirm_receipt(adhesion=adhesion, actor=coordinator)
    organisation = adhesion.organisation
    assert organisation.status == OrganisationStatus.ACTIVE
    assert organisation.member_since == timezone.localdate()
    roles = {
        (role.role, role.thematic_group.slug if role.thematic_group else None, role.user.email)
        for role in organisation.roles.all()
    }
    assert ("legal_representative", None, "anne.lambert@clinique.example.be") in roles
    assert ("contact_point", None, "marc.dubois@clinique.example.be") in roles
    assert ("delegate", "decarbonation", "lea.martin@clinique.example.be") in roles
    mail = OutboundEmail.objects.get(template="adhesions/confirmed", to_email="marc.dubois@clinique.example.be")
    attachment = mail.attachments.get()
    assert attachment.content_type == "application/pdf" and bytes(attachment.content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="adhesions.confirmed").count() == 1


def test_decisions_follow_the_order_of_the_process(sent, coordinator):
    with pytest.raises(ValidationError):
        services.adhesion_confirm_receipt(adhesion=sent, actor=coordinator)
    with pytest.raises(ValidationError):
        services.adhesion_validate_signatures(adhesion=sent, actor=coordinator)
    with pytest.raises(ValidationError):
        services.adhesion_reject(adhesion=sent, actor=coordinator, reason="  ")


def test_asking_for_corrections_reopens_the_form_and_mails_the_contact_point(client, applicant, sent, coordinator):
    services.adhesion_request_corrections(adhesion=sent, actor=coordinator, message="Précisez la forme juridique.")
    sent.refresh_from_db()
    assert sent.status == AdhesionStatus.CORRECTIONS_REQUESTED
    mail = OutboundEmail.objects.get(template="adhesions/corrections_requested", to_email=applicant.email)
    assert "Précisez la forme juridique." in mail.body_text
    client.force_login(applicant)
    page = client.get(reverse("adhesions:step", args=[sent.pk, "organisation"])).content.decode()
    assert "Précisez la forme juridique." in page
    # Pending links stop until the corrected form is sent.
    assert not sent.signatures.filter(status=SignatureStatus.PENDING).exists()


def test_rejection_needs_a_reason_and_mails_it(applicant, sent, coordinator):
    services.adhesion_reject(adhesion=sent, actor=coordinator, reason="Organisation hors Wallonie.")
    sent.refresh_from_db()
    assert sent.status == AdhesionStatus.REJECTED
    assert (
        "hors Wallonie" in OutboundEmail.objects.get(template="adhesions/rejected", to_email=applicant.email).body_text
    )
    # The number is free again: the organisation may apply anew later.
    from adhesions.selectors import enterprise_number_conflict

    assert enterprise_number_conflict(sent.enterprise_number) == ""


def test_the_stored_document_reads_back_with_the_answers_and_matches_its_hash(sent):
    import hashlib
    import io

    from pypdf import PdfReader

    data = sent.document.read()
    assert hashlib.sha256(data).hexdigest() == sent.document_sha256
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    for expected in (
        "Clinique Saint-Luc de Namur",
        "Décarbonation",
        "Achats durables",
        "Résilience",
        "Remplacer le desflurane par du sévoflurane au bloc opératoire",
        "Plan de mobilité douce pour le personnel",
    ):
        assert expected in text


def test_a_new_type_sends_the_group_step_back_and_the_form_cannot_be_sent(applicant, groups):
    adhesion = filled_adhesion(applicant)
    identity = {**hospital_answers()["organisation"], "type": "elder_care"}

    adhesion = services.adhesion_save_step(
        adhesion=adhesion, step=STEPS_BY_SLUG["organisation"], answers=identity, actor=applicant
    )

    # Décarbonation is for hospitals only: the groups are to choose again.
    assert "groupes-thematiques" not in adhesion.completed_steps
    with pytest.raises(ValidationError, match="pas encore complétées"):
        services.adhesion_submit(adhesion=adhesion, actor=applicant)


def test_new_groups_need_their_actions_again(applicant, groups):
    adhesion = filled_adhesion(applicant)
    answers = hospital_answers()["groups"]
    answers["choices"] = ["infrastructures-durables"]
    answers["delegates"] = {"infrastructures-durables": answers["delegates"]["decarbonation"]}

    adhesion = services.adhesion_save_step(
        adhesion=adhesion, step=STEPS_BY_SLUG["groupes-thematiques"], answers=answers, actor=applicant
    )

    assert "actions" not in adhesion.completed_steps
    assert "groupes-thematiques" in adhesion.completed_steps


def test_answers_that_no_longer_fit_are_refused_at_sending(applicant, groups):
    """Even if the steps were marked done by another path, the send re-checks every answer."""
    adhesion = filled_adhesion(applicant)
    answers = dict(adhesion.answers)
    answers["groups"] = {**answers["groups"], "choices": ["infrastructures-durables"]}
    Adhesion.objects.filter(pk=adhesion.pk).update(answers=answers)
    adhesion.refresh_from_db()

    with pytest.raises(ValidationError, match="ne correspondent plus|vérifiez"):
        services.adhesion_submit(adhesion=adhesion, actor=applicant)

    adhesion.refresh_from_db()
    assert adhesion.status == AdhesionStatus.DRAFT
    assert "groupes-thematiques" not in adhesion.completed_steps or "actions" not in adhesion.completed_steps


def test_after_a_rejection_a_pending_link_says_the_adhesion_is_closed(client, sent, coordinator):
    signature_id, token = signing_links(sent)["lea.martin@clinique.example.be"]
    services.adhesion_reject(adhesion=sent, actor=coordinator, reason="Hors du champ de l'Alliance.")

    response = client.get(reverse("adhesions:sign", args=[signature_id, token]))

    assert response.status_code == 410
    assert "clôturée par la coordination" in response.content.decode()
    assert sent.signatures.get(pk=signature_id).status == SignatureStatus.CANCELLED
