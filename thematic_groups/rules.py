"""Who may see and change what in the thematic groups."""

import rules

from accounts import roles
from accounts.rules import is_coordinator, is_locomotive_member, is_organisation_member, is_steering_member
from thematic_groups.enums import LocomotiveRoleType

# The alliance's own people see the locomotive and the members of a GT; the fiche itself is public.
rules.add_rule(
    "thematic_groups.view_members",
    is_coordinator | is_steering_member | is_locomotive_member | is_organisation_member,
)
rules.add_rule("thematic_groups.change_group", is_coordinator)
rules.add_rule("thematic_groups.manage_assignments", is_coordinator)


@rules.predicate
def in_group_locomotive(user, group) -> bool:
    return group is not None and group.pk in roles.locomotive_group_ids(user)


@rules.predicate
def is_group_pilot(user, group) -> bool:
    return (
        group is not None
        and user.is_authenticated
        and user.locomotive_roles.filter(thematic_group=group, role=LocomotiveRoleType.PILOT).exists()
    )


# The locomotive plans its own group's sessions and keeps its attendance; the coordination every group's.
rules.add_rule("thematic_groups.manage_sessions", is_coordinator | in_group_locomotive)
# Exceptional circumstances for a late absence notice are the pilot's to accept (annex 1 §4).
rules.add_rule("thematic_groups.excuse_absences", is_coordinator | is_group_pilot)
rules.add_rule(
    "thematic_groups.view_sessions", is_coordinator | is_steering_member | is_locomotive_member | is_organisation_member
)
