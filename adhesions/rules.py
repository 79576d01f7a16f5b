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
def is_named_manager(user, adhesion) -> bool:
    """The legal representative or contact point named in the form follow it too (read only)."""
    if adhesion is None or not user.is_authenticated or not user.email:
        return False
    named = {
        (adhesion.section("legal_representative").get("email") or "").lower(),
        (adhesion.section("contact_point").get("email") or "").lower(),
    }
    return user.email.lower() in named - {""}


@rules.predicate
def is_editable(user, adhesion) -> bool:
    return adhesion is not None and adhesion.is_editable


rules.add_rule("adhesions.view_adhesion", is_coordinator | is_applicant | represents_organisation | is_named_manager)
rules.add_rule("adhesions.edit_adhesion", is_applicant & is_editable)
rules.add_rule("adhesions.manage_adhesions", is_coordinator)
