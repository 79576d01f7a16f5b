"""The adhesion's e-mails. Each goes through the outbox, in the recipient's language when we know it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from adhesions.enums import SignatoryRole
from core.outbox import Attachment, email_queue


def _account_for(email: str):
    return get_user_model().objects.filter(email__iexact=email).first() if email else None


def _send(
    email: str,
    template: str,
    context: dict,
    *,
    adhesion=None,
    key: str | None = None,
    sensitive=False,
    attachments=None,
):
    """Queue one mail. People without an account get it in the language the form was filled in."""
    if not email:
        return None
    account = _account_for(email)
    language = getattr(account, "preferred_language", "") or _form_language(adhesion)
    return email_queue(
        to=email,
        template=f"adhesions/{template}",
        context=context,
        key=key,
        recipient=account,
        language=language or None,
        sensitive=sensitive,
        attachments=attachments,
    )


def _form_language(adhesion) -> str:
    applicant = getattr(adhesion, "applicant", None)
    return getattr(applicant, "preferred_language", "") or ""


def _adhesion_context(adhesion) -> dict:
    # Once a member, the organisation's current name (it may have been changed since the form).
    organisation = adhesion.organisation if adhesion.organisation_id else None
    return {
        "organisation_name": organisation.name if organisation else adhesion.organisation_name,
        "reference": adhesion.reference,
        "version": adhesion.version,
        "adhesion_url": settings.SITE_URL + reverse("adhesions:detail", args=[adhesion.pk]),
    }


def contact_point_of(adhesion) -> dict:
    contact = adhesion.section("contact_point")
    if contact.get("same_as_legal_representative") or not contact.get("email"):
        return adhesion.section("legal_representative")
    return contact


def _organisation_people(adhesion) -> list[tuple[str, str]]:
    """(e-mail, first name) of the applicant and the contact point, without duplicates."""
    people: dict[str, str] = {}
    if adhesion.applicant_id:
        people[adhesion.applicant.email.lower()] = adhesion.applicant.first_name
    contact = contact_point_of(adhesion)
    if contact.get("email"):
        people.setdefault(contact["email"].lower(), contact.get("first_name", ""))
    return list(people.items())


def _coordinators() -> list:
    return list(get_user_model().objects.filter(is_coordinator=True, is_active=True).order_by("pk"))


def submitted(adhesion, *, new_version: bool) -> None:
    for email, first_name in _organisation_people(adhesion):
        _send(
            email,
            "submitted",
            {**_adhesion_context(adhesion), "first_name": first_name, "new_version": new_version},
            adhesion=adhesion,
        )


def signature_requested(signature, url: str) -> None:
    adhesion = signature.adhesion
    _send(
        signature.email,
        "signature_requested",
        {
            **_adhesion_context(adhesion),
            "first_name": signature.first_name,
            "role": SignatoryRole(signature.role).label,
            "is_delegate": signature.role == "delegate",
            "group_name": signature.thematic_group.name if signature.thematic_group_id else "",
            "is_replacement": signature.purpose == "delegate_replacement",
            "new_version": signature.purpose == "adhesion" and adhesion.version > 1,
            "version": adhesion.version,
            "signing_url": url,
            "expires_at": signature.expires_at,
        },
        adhesion=adhesion,
        sensitive=True,
    )


def signature_received(signature) -> None:
    adhesion = signature.adhesion
    context = {
        **_adhesion_context(adhesion),
        "signer_name": signature.full_name,
        "role": SignatoryRole(signature.role).label,
        "group_name": signature.thematic_group.name if signature.thematic_group_id else "",
        "signed_at": signature.signed_at,
    }
    # A delegate replacement is announced by the membership e-mails; the signer gets a receipt only once.
    people = [] if signature.purpose == "delegate_replacement" else _organisation_people(adhesion)
    for email, first_name in people:
        if email == signature.email.lower():
            continue
        _send(
            email,
            "signature_received",
            {**context, "first_name": first_name},
            key=f"sig-received:{signature.pk}:{email}",
            adhesion=adhesion,
        )
    _send(
        signature.email,
        "signature_receipt",
        {**context, "first_name": signature.first_name, "document_sha256": signature.document_sha256},
        key=f"sig-receipt:{signature.pk}",
        adhesion=adhesion,
    )


def signatures_complete(adhesion) -> None:
    admin_url = settings.SITE_URL + reverse("admin:adhesions_adhesion_change", args=[adhesion.pk])
    for coordinator in _coordinators():
        email_queue(
            to=coordinator.email,
            template="adhesions/to_check",
            context={**_adhesion_context(adhesion), "first_name": coordinator.first_name, "admin_url": admin_url},
            recipient=coordinator,
            key=f"to-check:{adhesion.pk}:{adhesion.version}:{coordinator.pk}",
        )


def signatures_validated(adhesion) -> None:
    for email, first_name in _organisation_people(adhesion):
        _send(
            email, "signatures_validated", {**_adhesion_context(adhesion), "first_name": first_name}, adhesion=adhesion
        )


def corrections_requested(adhesion) -> None:
    for email, first_name in _organisation_people(adhesion):
        _send(
            email,
            "corrections_requested",
            {**_adhesion_context(adhesion), "first_name": first_name, "message": adhesion.corrections_message},
            adhesion=adhesion,
        )


def confirmed(adhesion, certificate_pdf: bytes) -> None:
    organisation = adhesion.organisation
    recipients = dict(_organisation_people(adhesion))
    legal = adhesion.section("legal_representative")
    if legal.get("email"):
        recipients.setdefault(legal["email"].lower(), legal.get("first_name", ""))
    attachment = Attachment(
        filename=f"attestation-adhesion-{adhesion.reference}.pdf",
        content=certificate_pdf,
        content_type="application/pdf",
    )
    people_of_the_organisation = {role.user.email.lower() for role in organisation.roles.select_related("user")}
    for email, first_name in recipients.items():
        # Only its people see the organisation's page; the person who filled in the form follows the adhesion.
        if email in people_of_the_organisation:
            follow_url = settings.SITE_URL + reverse("members:organisation_detail", args=[organisation.pk])
        else:
            follow_url = settings.SITE_URL + reverse("adhesions:detail", args=[adhesion.pk])
        _send(
            email,
            "confirmed",
            {
                **_adhesion_context(adhesion),
                "first_name": first_name,
                "member_since": organisation.member_since,
                "organisation_url": follow_url,
            },
            key=f"confirmed:{adhesion.pk}:{email}",
            adhesion=adhesion,
            attachments=[attachment],
        )


def rejected(adhesion) -> None:
    for email, first_name in _organisation_people(adhesion):
        _send(
            email,
            "rejected",
            {**_adhesion_context(adhesion), "first_name": first_name, "reason": adhesion.rejection_reason},
            key=f"rejected:{adhesion.pk}:{email}",
            adhesion=adhesion,
        )
