"""Who reads the library (members, locomotives, the coordination) and who moderates a resource."""

import rules

from accounts import roles
from accounts.rules import is_coordinator, is_locomotive_member, is_organisation_member
from thematic_groups.contributions import represented_organisation_ids
from thematic_groups.enums import LocomotiveRoleType

# A withdrawn member leaves member_organisation_ids the day its withdrawal takes effect (art 6.3).
rules.add_rule("community.view_library", is_coordinator | is_locomotive_member | is_organisation_member)
rules.add_rule("community.view_contributions", is_coordinator)


def pilot_group_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_pilot_group_ids", None)
    if cached is None:
        cached = set(
            user.locomotive_roles.filter(role=LocomotiveRoleType.PILOT).values_list("thematic_group_id", flat=True)
        )
        user._pilot_group_ids = cached
    return cached


def is_moderator(user) -> bool:
    """Anybody who moderates at least one theme: the coordination and the GT pilots (annex 2 §4)."""
    return roles.is_coordinator(user) or bool(pilot_group_ids(user))


def moderates(user, resource) -> bool:
    """The coordination moderates everything; a pilot, the resources of its GT's theme."""
    if roles.is_coordinator(user):
        return True
    groups = pilot_group_ids(user)
    return bool(groups) and any(theme.thematic_group_id in groups for theme in resource.themes.all())


def contributed(user, resource) -> bool:
    """The author of the deposit, or anybody who speaks or spoke for the depositing organisation."""
    if resource.author_id is not None and resource.author_id == user.pk:
        return True
    return resource.organisation_id is not None and resource.organisation_id in represented_organisation_ids(user)


def may_decide(user, resource) -> bool:
    """Moderates the resource's themes and did not contribute it: nobody approves their own organisation's work,
    the coordination included."""
    return moderates(user, resource) and not contributed(user, resource)
