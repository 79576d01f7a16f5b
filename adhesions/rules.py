"""Who may see or change an adhesion. Everybody else gets a 404."""

import rules

from accounts import roles
from accounts.rules import is_coordinator


@rules.predicate
def is_applicant(user, adhesion) -> bool:
    return adhesion is not None and user.is_authenticated and adhesion.applicant_id == user.pk


@rules.predicate
def represents_organisation(user, adhesion) -> bool:
    return adhesion is not None and adhesion.organisation_id in roles.member_organisation_ids(user)


@rules.predicate
def is_editable(user, adhesion) -> bool:
    return adhesion is not None and adhesion.is_editable


rules.add_rule("adhesions.view_adhesion", is_coordinator | is_applicant | represents_organisation)
rules.add_rule("adhesions.edit_adhesion", is_applicant & is_editable)
rules.add_rule("adhesions.manage_adhesions", is_coordinator)
