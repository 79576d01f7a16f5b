"""Who may see and change actions, reports and the consolidated evaluation."""

import rules

from accounts.rules import is_coordinator, is_steering_member
from members.enums import OrganisationRoleType, OrganisationStatus

WHOLE_ORGANISATION_ROLES = (OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT)


def _roles(user, organisation):
    if not user.is_authenticated or organisation is None:
        return []
    if organisation.status not in OrganisationStatus.member_states():
        return []
    cache = getattr(user, "_reporting_roles", None)
    if cache is None:
        cache = {}
        for role in user.organisation_roles.all():
            cache.setdefault(role.organisation_id, []).append((role.role, role.thematic_group_id))
        user._reporting_roles = cache
    return cache.get(organisation.pk, [])


def speaks_for_organisation(user, organisation) -> bool:
    """Any of the member's people: legal representative, contact point or a delegate."""
    return bool(_roles(user, organisation))


def edits_all_actions(user, organisation) -> bool:
    return any(role in WHOLE_ORGANISATION_ROLES for role, _group in _roles(user, organisation))


def edits_group_actions(user, organisation, group_id) -> bool:
    """Delegates edit their own GT's actions; the contact point and legal representative edit them all."""
    return edits_all_actions(user, organisation) or any(
        role == OrganisationRoleType.DELEGATE and group == group_id for role, group in _roles(user, organisation)
    )


def delegate_group_ids(user, organisation) -> set[int]:
    return {group for role, group in _roles(user, organisation) if role == OrganisationRoleType.DELEGATE}


@rules.predicate
def can_edit_action(user, action) -> bool:
    if action.thematic_group_id is None:
        return edits_all_actions(user, action.organisation)
    return edits_group_actions(user, action.organisation, action.thematic_group_id)


@rules.predicate
def fills_report(user, report) -> bool:
    return speaks_for_organisation(user, report.organisation)


rules.add_rule("reporting.change_action", can_edit_action)
rules.add_rule("reporting.view_report", fills_report | is_coordinator)
rules.add_rule("reporting.fill_report", fills_report)
rules.add_rule("reporting.review_report", is_coordinator)
rules.add_rule("reporting.run_campaigns", is_coordinator)
rules.add_rule("reporting.view_evaluation", is_coordinator | is_steering_member)
rules.add_rule("reporting.change_levers", is_coordinator)
