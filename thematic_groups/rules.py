"""Who may see and change what in the thematic groups."""

import rules

from accounts.rules import is_coordinator, is_locomotive_member, is_organisation_member, is_steering_member

# The alliance's own people see the locomotive and the members of a GT; the fiche itself is public.
rules.add_rule(
    "thematic_groups.view_members",
    is_coordinator | is_steering_member | is_locomotive_member | is_organisation_member,
)
rules.add_rule("thematic_groups.change_group", is_coordinator)
rules.add_rule("thematic_groups.manage_assignments", is_coordinator)
