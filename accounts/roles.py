"""Who holds which role. Every access rule of the portal is built on these few questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.enums import OrganisationStatus


@dataclass(frozen=True)
class RoleHeld:
    label: str
    scope: str = ""
    url: str = ""


def is_coordinator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)


def is_steering_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_steering_member)


def _ids_once_per_request(user, cache_attr: str, load) -> set[int]:
    """Role lookups run once per user object: views and templates ask the same question many times."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, cache_attr, None)
    if cached is None:
        cached = set(load())
        setattr(user, cache_attr, cached)
    return cached


def locomotive_group_ids(user) -> set[int]:
    """The GTs whose locomotive (referent, pilot or facilitator) the user belongs to."""
    return _ids_once_per_request(
        user, "_locomotive_group_ids", lambda: user.locomotive_roles.values_list("thematic_group_id", flat=True)
    )


def member_organisation_ids(user) -> set[int]:
    """Member organisations the user represents (legal representative, contact point or delegate).

    Only organisations taking part in the alliance count: once a withdrawal is confirmed, its people leave
    the members' spaces (art 6.3).
    """
    return _ids_once_per_request(
        user,
        "_member_organisation_ids",
        lambda: user.organisation_roles.filter(organisation__status__in=OrganisationStatus.member_states()).values_list(
            "organisation_id", flat=True
        ),
    )


def requires_mfa(user) -> bool:
    """Every staff role must use a second factor (TOTP) to sign in."""
    if not user.is_authenticated:
        return False
    return bool(
        user.is_superuser
        or user.is_staff
        or user.is_coordinator
        or user.is_steering_member
        or locomotive_group_ids(user)
    )


def roles_held(user) -> list[RoleHeld]:
    """A readable list of the user's roles, for the member home page."""
    roles: list[RoleHeld] = []
    if not user.is_authenticated:
        return roles
    if user.is_coordinator:
        roles.append(RoleHeld(str(_("Operational coordination"))))
    if user.is_steering_member:
        roles.append(RoleHeld(str(_("Steering committee"))))
    for role in user.locomotive_roles.select_related("thematic_group").order_by("thematic_group__number"):
        roles.append(
            RoleHeld(
                str(role.get_role_display()), role.thematic_group.short_name, role.thematic_group.get_absolute_url()
            )
        )
    # A withdrawn organisation's roles have ended (art 6.3): they are no longer listed.
    for role in (
        user.organisation_roles.filter(organisation__status__in=OrganisationStatus.member_states())
        .select_related("organisation", "thematic_group")
        .order_by("organisation__name", "role")
    ):
        scope = role.organisation.name
        if role.thematic_group_id:
            scope = f"{scope} — {role.thematic_group.short_name}"
        url = reverse("members:organisation_detail", kwargs={"pk": role.organisation_id})
        roles.append(RoleHeld(str(role.get_role_display()), scope, url))
    return roles
