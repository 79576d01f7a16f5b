"""E-mails of an organisation's life in the alliance, through the outbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.outbox import email_queue
from members.enums import OrganisationRoleType


def _coordinators():
    return get_user_model().objects.filter(is_coordinator=True, is_active=True).order_by("pk")


def _managers(organisation):
    """The legal representative and the contact point."""
    roles = organisation.roles.select_related("user").filter(
        role__in=[OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT]
    )
    return list({role.user.pk: role.user for role in roles}.values())


def _context(organisation) -> dict:
    return {
        "organisation_name": organisation.name,
        "organisation_url": settings.SITE_URL + reverse("members:organisation_detail", args=[organisation.pk]),
        "admin_url": settings.SITE_URL + reverse("admin:members_organisation_change", args=[organisation.pk]),
    }


def _send(user, template: str, context: dict) -> None:
    email_queue(
        to=user.email,
        template=f"members/{template}",
        context={**context, "first_name": user.first_name},
        recipient=user,
    )


def contact_point_changed(organisation, *, new, previous) -> None:
    context = {**_context(organisation), "new_name": new.get_full_name() or new.email, "new_email": new.email}
    for coordinator in _coordinators():
        _send(coordinator, "contact_point_changed", {**context, "to_coordination": True})
    for user in {new.pk: new, **({previous.pk: previous} if previous else {})}.values():
        _send(user, "contact_point_changed", {**context, "to_coordination": False})


def delegate_replaced(organisation, role) -> None:
    context = {
        **_context(organisation),
        "group_name": role.thematic_group.name,
        "new_name": role.user.get_full_name() or role.user.email,
    }
    for user in _managers(organisation):
        _send(user, "delegate_replaced", context)


def withdrawal_requested(organisation, actor) -> None:
    context = {
        **_context(organisation),
        "reason": organisation.withdrawal_reason,
        "effective_on": organisation.withdrawal_effective_on,
        "requested_by": actor.get_full_name() or actor.email,
    }
    for coordinator in _coordinators():
        _send(coordinator, "withdrawal_requested", {**context, "to_coordination": True})
    for user in _managers(organisation):
        _send(user, "withdrawal_requested", {**context, "to_coordination": False})


def withdrawal_cancelled(organisation, actor) -> None:
    context = {**_context(organisation), "requested_by": actor.get_full_name() or actor.email}
    for coordinator in _coordinators():
        _send(coordinator, "withdrawal_cancelled", {**context, "to_coordination": True})
    for user in _managers(organisation):
        _send(user, "withdrawal_cancelled", {**context, "to_coordination": False})


def withdrawal_confirmed(organisation) -> None:
    context = {**_context(organisation), "effective_on": organisation.withdrawal_effective_on}
    for user in _managers(organisation):
        _send(user, "withdrawal_confirmed", context)
