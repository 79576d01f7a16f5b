"""Who may do what with organisations. Views ask these rules; outsiders get a 404."""

import rules

from accounts import roles
from accounts.rules import is_coordinator, is_steering_member


@rules.predicate
def represents(user, organisation) -> bool:
    return organisation is not None and organisation.pk in roles.member_organisation_ids(user)


rules.add_rule("members.view_organisation", is_coordinator | is_steering_member | represents)
rules.add_rule("members.manage_organisations", is_coordinator)
