"""An organisation's life in the alliance after its adhesion: people, identity changes, withdrawal (art 4.2, 6)."""

from __future__ import annotations

from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ConsentRecord
from accounts.privacy.consent import consent_record
from core.audit import changed_fields, log_action
from members import notifications
from members.enterprise_number import normalise_enterprise_number
from members.enums import OrganisationRoleType, OrganisationStatus
from members.models import Organisation, OrganisationRole
from members.services import organisation_create
from members.signals import organisation_withdrawn

IDENTITY_FIELDS = ("name", "legal_form", "type_precision", "street", "postal_code", "city", "website")


def person_account(person: dict[str, Any]):
    """The account of a person named in a form, created without a password when it does not exist yet.

    People set their password with "forgot password"; their e-mail was given by their organisation.
    """
    User = get_user_model()
    email = (person.get("email") or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            password=None,
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
            phone=person.get("phone", ""),
        )
        # Without a password, the only way in is the e-mailed reset link, which proves the address:
        # asking for a second confirmation after it would only be a third e-mail.
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def organisation_from_adhesion(*, adhesion, actor, member_since: date) -> Organisation:
    """Create the member organisation and its people from a confirmed adhesion's answers."""
    identity = adhesion.section("organisation")
    fields = {
        "name": identity["name"],
        "legal_form": identity.get("legal_form", ""),
        "type": identity["type"],
        "type_precision": identity.get("type_precision", ""),
        "street": identity.get("street", ""),
        "postal_code": identity.get("postal_code", ""),
        "city": identity.get("city", ""),
        "website": identity.get("website", ""),
        "status": OrganisationStatus.ACTIVE,
        "member_since": member_since,
        "nominative_consent": adhesion.nominative_consent,
        "nominative_consent_at": adhesion.nominative_consent_at,
    }
    returning = Organisation.objects.filter(
        enterprise_number=normalise_enterprise_number(identity["enterprise_number"]),
        status=OrganisationStatus.WITHDRAWN,
    ).first()
    if returning is not None:
        organisation = _rejoin(returning, actor=actor, fields=fields)
    else:
        organisation = organisation_create(actor=actor, enterprise_number=identity["enterprise_number"], **fields)
    consent_record(
        source=ConsentRecord.Source.MEMBERSHIP_CONFIRMED,
        given=adhesion.nominative_consent,
        actor=actor,
        organisation=organisation,
        adhesion=adhesion,
    )
    legal = adhesion.section("legal_representative")
    _assign(organisation, legal, OrganisationRoleType.LEGAL_REPRESENTATIVE)
    contact = adhesion.section("contact_point")
    _assign(
        organisation,
        legal if contact.get("same_as_legal_representative") else contact,
        OrganisationRoleType.CONTACT_POINT,
    )
    if organisation.is_final_beneficiary:
        from thematic_groups.models import ThematicGroup

        groups = {group.slug: group for group in ThematicGroup.objects.all()}
        delegates = adhesion.section("groups").get("delegates", {})
        for slug in adhesion.section("groups").get("choices", []):
            _assign(organisation, delegates[slug], OrganisationRoleType.DELEGATE, groups[slug])
    return organisation


def _rejoin(organisation: Organisation, *, actor, fields: dict) -> Organisation:
    """A withdrawn organisation joins again: the same record, new people and a new membership date."""
    organisation.roles.all().delete()
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.withdrawal_reason = ""
    organisation.withdrawal_effective_on = None
    organisation.withdrawal_requested_at = None
    organisation.withdrawal_confirmed_at = None
    organisation.full_clean()
    organisation.save()
    log_action(
        "members.organisation.rejoined",
        actor=actor,
        target=organisation,
        data={"member_since": fields["member_since"].isoformat()},
    )
    return organisation


def _assign(organisation, person: dict, role: str, group=None) -> OrganisationRole:
    return OrganisationRole.objects.create(
        organisation=organisation,
        user=person_account(person),
        role=role,
        thematic_group=group,
        function=person.get("function", ""),
    )


def _can_act_for(user, organisation, roles: set[str]) -> bool:
    return OrganisationRole.objects.filter(organisation=organisation, user=user, role__in=roles).exists()


MANAGERS = {OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT}


def _require_manager(actor, organisation) -> None:
    if not (getattr(actor, "is_coordinator", False) or _can_act_for(actor, organisation, MANAGERS)):
        raise ValidationError(_("Only the legal representative or the contact point can do this."))


def organisation_profile_update(*, organisation: Organisation, actor, **fields: Any) -> Organisation:
    """Identity changes by the organisation itself; the type and enterprise number stay with the coordination."""
    _require_manager(actor, organisation)
    unknown = set(fields) - set(IDENTITY_FIELDS) - {"nominative_consent"}
    if unknown:
        raise ValidationError(
            _("These details cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {name: getattr(organisation, name) for name in fields}
        for name, value in fields.items():
            setattr(organisation, name, value)
        consent_changed = (
            "nominative_consent" in fields and before["nominative_consent"] != fields["nominative_consent"]
        )
        if consent_changed:
            organisation.nominative_consent_at = timezone.now()
        organisation.full_clean()
        organisation.save()
        diff = changed_fields(before, fields)
        if diff:
            log_action("members.organisation.profile_updated", actor=actor, target=organisation, data=diff)
        if consent_changed:
            consent_record(
                source=ConsentRecord.Source.ORGANISATION_PROFILE,
                given=organisation.nominative_consent,
                actor=actor,
                organisation=organisation,
            )
    return organisation


def contact_point_change(*, organisation: Organisation, actor, person: dict[str, Any]) -> OrganisationRole:
    """A new contact point (art 4.2): the coordination is told without delay."""
    _require_manager(actor, organisation)
    with transaction.atomic():
        previous = (
            OrganisationRole.objects.select_related("user")
            .filter(organisation=organisation, role=OrganisationRoleType.CONTACT_POINT)
            .first()
        )
        user = person_account(person)
        role, _created = OrganisationRole.objects.update_or_create(
            organisation=organisation,
            role=OrganisationRoleType.CONTACT_POINT,
            thematic_group=None,
            defaults={"user": user, "function": person.get("function", "")},
        )
        log_action(
            "members.contact_point.changed",
            actor=actor,
            target=organisation,
            data={"from": previous.user.email if previous else None, "to": user.email},
        )
        notifications.contact_point_changed(organisation, new=user, previous=previous.user if previous else None)
    return role


def delegate_replacement_request(*, organisation: Organisation, actor, group, person: dict[str, Any]):
    """A new delegate for a GT signs his own acceptance (form §6.2) before taking the seat."""
    from adhesions.enums import SignatoryRole
    from adhesions.services import _request_signature

    _require_manager(actor, organisation)
    current = OrganisationRole.objects.filter(
        organisation=organisation, role=OrganisationRoleType.DELEGATE, thematic_group=group
    ).first()
    if current is None:
        raise ValidationError(_("The organisation has no delegate in this group to replace."))
    adhesion = organisation.adhesions.order_by("-decided_at").first()
    if adhesion is None:
        raise ValidationError(_("The organisation's adhesion form is not in the portal; contact the coordination."))
    from adhesions.documents import delegate_acceptance_pdf

    document = delegate_acceptance_pdf(
        organisation=organisation,
        group=group,
        person=person,
        replaces=current.user.get_full_name() or current.user.email,
        reference=adhesion.reference,
    )
    with transaction.atomic():
        from adhesions.models import SignatureRequest

        adhesion.signatures.filter(
            purpose=SignatureRequest.Purpose.DELEGATE_REPLACEMENT, thematic_group=group, status="pending"
        ).update(status="superseded", voided_at=timezone.now())
        signature = _request_signature(
            adhesion,
            {"role": SignatoryRole.DELEGATE, "group": group, **person},
            purpose=SignatureRequest.Purpose.DELEGATE_REPLACEMENT,
            replaces=current,
            own_document=document,
        )
        log_action(
            "members.delegate.replacement_requested",
            actor=actor,
            target=organisation,
            data={"group": group.slug, "from": current.user.email, "to": person.get("email")},
        )
    return signature


def delegate_replacement_complete(*, signature) -> OrganisationRole:
    """Called when the new delegate has signed: the seat changes hands."""
    adhesion = signature.adhesion
    organisation = adhesion.organisation
    person = {
        "email": signature.email,
        "first_name": signature.first_name,
        "last_name": signature.last_name,
        "phone": signature.phone,
    }
    role, _created = OrganisationRole.objects.update_or_create(
        organisation=organisation,
        role=OrganisationRoleType.DELEGATE,
        thematic_group=signature.thematic_group,
        defaults={"user": person_account(person), "function": signature.function},
    )
    log_action(
        "members.delegate.replaced",
        actor=None,
        target=organisation,
        data={"group": signature.thematic_group.slug, "to": signature.email},
    )
    notifications.delegate_replaced(organisation, role)
    return role


def withdrawal_request(*, organisation: Organisation, actor, reason: str, effective_on: date) -> Organisation:
    """Voluntary withdrawal (art 6.3), by the contact point or the legal representative."""
    _require_manager(actor, organisation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
    if effective_on < timezone.localdate():
        raise ValidationError({"effective_on": _("The withdrawal cannot take effect in the past.")})
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.status != OrganisationStatus.ACTIVE:
            raise ValidationError(_("A withdrawal is already under way for this organisation."))
        organisation.status = OrganisationStatus.WITHDRAWING
        organisation.withdrawal_reason = reason
        organisation.withdrawal_effective_on = effective_on
        organisation.withdrawal_requested_at = timezone.now()
        organisation.save(
            update_fields=["status", "withdrawal_reason", "withdrawal_effective_on", "withdrawal_requested_at"]
        )
        log_action(
            "members.withdrawal.requested",
            actor=actor,
            target=organisation,
            data={"reason": reason, "effective_on": effective_on.isoformat()},
        )
        notifications.withdrawal_requested(organisation, actor)
    return organisation


def withdrawal_confirm(*, organisation: Organisation, actor) -> Organisation:
    """The coordination accepts the withdrawal; it takes effect on the date the organisation asked for
    (or at once if that date has come), leaving it time to close its work (art 6.3)."""
    if not getattr(actor, "is_coordinator", False):
        raise ValidationError(_("Only the coordination can confirm a withdrawal."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.status != OrganisationStatus.WITHDRAWING:
            raise ValidationError(_("This organisation has not asked to withdraw."))
        if organisation.withdrawal_confirmed_at:
            raise ValidationError(_("This withdrawal has already been confirmed."))
        today = timezone.localdate()
        if not organisation.withdrawal_effective_on or organisation.withdrawal_effective_on < today:
            organisation.withdrawal_effective_on = today
        organisation.withdrawal_confirmed_at = timezone.now()
        organisation.save(update_fields=["withdrawal_effective_on", "withdrawal_confirmed_at"])
        log_action(
            "members.withdrawal.confirmed",
            actor=actor,
            target=organisation,
            data={"effective_on": organisation.withdrawal_effective_on.isoformat()},
        )
        notifications.withdrawal_confirmed(organisation)
        if organisation.withdrawal_effective_on <= today:
            _withdraw(organisation, actor=actor)
    return organisation


def _withdraw(organisation: Organisation, *, actor) -> None:
    organisation.status = OrganisationStatus.WITHDRAWN
    organisation.save(update_fields=["status"])
    log_action("members.withdrawal.effective", actor=actor, target=organisation)
    transaction.on_commit(
        lambda: organisation_withdrawn.send(sender=Organisation, organisation=organisation, actor=actor)
    )


def withdrawals_apply(*, today: date | None = None) -> int:
    """Periodic: confirmed withdrawals whose date has come take effect."""
    today = today or timezone.localdate()
    due = Organisation.objects.filter(
        status=OrganisationStatus.WITHDRAWING,
        withdrawal_confirmed_at__isnull=False,
        withdrawal_effective_on__lte=today,
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        with transaction.atomic():
            organisation = Organisation.objects.select_for_update().get(pk=pk)
            if organisation.status != OrganisationStatus.WITHDRAWING:
                continue
            _withdraw(organisation, actor=None)
        count += 1
    return count


def withdrawal_cancel(*, organisation: Organisation, actor) -> Organisation:
    """The organisation changes its mind before the withdrawal takes effect."""
    _require_manager(actor, organisation)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.status != OrganisationStatus.WITHDRAWING:
            raise ValidationError(_("There is no withdrawal under way to cancel."))
        organisation.status = OrganisationStatus.ACTIVE
        organisation.withdrawal_reason = ""
        organisation.withdrawal_effective_on = None
        organisation.withdrawal_requested_at = None
        organisation.withdrawal_confirmed_at = None
        organisation.save(
            update_fields=[
                "status",
                "withdrawal_reason",
                "withdrawal_effective_on",
                "withdrawal_requested_at",
                "withdrawal_confirmed_at",
            ]
        )
        log_action("members.withdrawal.cancelled", actor=actor, target=organisation)
        notifications.withdrawal_cancelled(organisation, actor)
    return organisation
