from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import log_action
from members.enterprise_number import normalise_enterprise_number
from members.enums import OrganisationRoleType, OrganisationType
from members.models import Organisation, OrganisationRole


def _duplicate_error() -> ValidationError:
    return ValidationError(
        {
            "enterprise_number": _(
                "An organisation with this enterprise number is already registered. "
                "Contact the coordination if you need to act for it."
            )
        },
        code="duplicate",
    )


def organisation_create(*, actor: Any, **fields: Any) -> Organisation:
    """Create an organisation after normalising and checking its enterprise number."""
    fields["enterprise_number"] = normalise_enterprise_number(fields.get("enterprise_number", ""))
    if fields.get("type") != OrganisationType.OTHER:
        fields["type_precision"] = ""
    organisation = Organisation(**fields)
    organisation.full_clean(exclude=["enterprise_number"])
    if Organisation.objects.filter(enterprise_number=organisation.enterprise_number).exists():
        raise _duplicate_error()
    try:
        with transaction.atomic():
            organisation.save()
            log_action(
                "members.organisation.created",
                actor=actor,
                target=organisation,
                data={"enterprise_number": organisation.enterprise_number, "type": organisation.type},
            )
    except IntegrityError as exc:  # two submissions racing for the same number
        raise _duplicate_error() from exc
    return organisation


def organisation_role_assign(
    *, actor: Any, organisation: Organisation, user, role: str, thematic_group=None, function: str = ""
) -> OrganisationRole:
    if role != OrganisationRoleType.DELEGATE:
        thematic_group = None
    OrganisationRole(
        organisation=organisation, user=user, role=role, thematic_group=thematic_group, function=function
    ).clean()
    with transaction.atomic():
        assignment, created = OrganisationRole.objects.update_or_create(
            organisation=organisation,
            role=role,
            thematic_group=thematic_group,
            defaults={"user": user, "function": function},
        )
        log_action(
            "members.role.assigned",
            actor=actor,
            target=organisation,
            data={
                "role": role,
                "user": user.email,
                "thematic_group": getattr(thematic_group, "slug", None),
                "replaced": not created,
            },
        )
    return assignment
