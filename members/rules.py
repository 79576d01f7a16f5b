"""Who may do what with organisations. Views ask these rules; outsiders get a 404."""

import rules

from accounts import roles
from accounts.rules import is_coordinator, is_steering_member
from members.lifecycle import MANAGERS


@rules.predicate
def represents(user, organisation) -> bool:
    return organisation is not None and organisation.pk in roles.member_organisation_ids(user)


@rules.predicate
def holds_manager_role(user, organisation) -> bool:
    """Legal representative or contact point: the people who speak for the organisation (art 4.1, 4.2).
    Reads the roles prefetched with the organisation, so the check costs no query."""
    return organisation is not None and any(
        role.user_id == user.pk and role.role in MANAGERS for role in organisation.roles.all()
    )


rules.add_rule("members.view_organisation", is_coordinator | is_steering_member | represents)
# A delegate sees the organisation but does not change it.
rules.add_rule("members.manage_organisation", is_coordinator | (represents & holds_manager_role))
rules.add_rule("members.manage_organisations", is_coordinator)
