"""The adhesion's e-mails. Each goes through the outbox, in the recipient's language when we know it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.outbox import Attachment, email_queue


def _account_for(email: str):
    return get_user_model().objects.filter(email__iexact=email).first() if email else None


def _send(email: str, template: str, context: dict, *, key: str | None = None, sensitive=False, attachments=None):
    if not email:
        return None
    account = _account_for(email)
    return email_queue(
        to=email,
        template=f"adhesions/{template}",
        context=context,
        key=key,
        recipient=account,
        sensitive=sensitive,
        attachments=attachments,
    )


def _adhesion_context(adhesion) -> dict:
    return {
        "organisation_name": adhesion.organisation_name,
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
        _send(email, "submitted", {**_adhesion_context(adhesion), "first_name": first_name, "new_version": new_version})


def signature_requested(signature, url: str) -> None:
    adhesion = signature.adhesion
    _send(
        signature.email,
        "signature_requested",
        {
            **_adhesion_context(adhesion),
            "first_name": signature.first_name,
            "role": signature.get_role_display(),
            "is_delegate": signature.role == "delegate",
            "group_name": signature.thematic_group.name if signature.thematic_group_id else "",
            "is_replacement": signature.purpose == "delegate_replacement",
            "new_version": signature.purpose == "adhesion" and adhesion.version > 1,
            "version": adhesion.version,
            "signing_url": url,
            "expires_at": signature.expires_at,
        },
        sensitive=True,
    )


def signature_received(signature) -> None:
    adhesion = signature.adhesion
    context = {
        **_adhesion_context(adhesion),
        "signer_name": signature.full_name,
        "role": signature.get_role_display(),
        "group_name": signature.thematic_group.name if signature.thematic_group_id else "",
        "signed_at": signature.signed_at,
    }
    for email, first_name in _organisation_people(adhesion):
        _send(
            email,
            "signature_received",
            {**context, "first_name": first_name},
            key=f"sig-received:{signature.pk}:{email}",
        )
    _send(
        signature.email,
        "signature_receipt",
        {**context, "first_name": signature.first_name, "document_sha256": signature.document_sha256},
        key=f"sig-receipt:{signature.pk}",
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
        _send(email, "signatures_validated", {**_adhesion_context(adhesion), "first_name": first_name})


def corrections_requested(adhesion) -> None:
    for email, first_name in _organisation_people(adhesion):
        _send(
            email,
            "corrections_requested",
            {**_adhesion_context(adhesion), "first_name": first_name, "message": adhesion.corrections_message},
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
    for email, first_name in recipients.items():
        _send(
            email,
            "confirmed",
            {
                **_adhesion_context(adhesion),
                "first_name": first_name,
                "member_since": organisation.member_since,
                "organisation_url": settings.SITE_URL + reverse("members:organisation_detail", args=[organisation.pk]),
            },
            key=f"confirmed:{adhesion.pk}:{email}",
            attachments=[attachment],
        )


def rejected(adhesion) -> None:
    for email, first_name in _organisation_people(adhesion):
        _send(
            email,
            "rejected",
            {**_adhesion_context(adhesion), "first_name": first_name, "reason": adhesion.rejection_reason},
            key=f"rejected:{adhesion.pk}:{email}",
        )
