"""Base predicates on roles, combined by each app's own ``rules.py``."""

import rules

from accounts import roles
from accounts.mfa import mfa_satisfied


@rules.predicate
def is_coordinator(user) -> bool:
    return roles.is_coordinator(user)


@rules.predicate
def is_steering_member(user) -> bool:
    return roles.is_steering_member(user)


@rules.predicate
def is_locomotive_member(user) -> bool:
    return bool(roles.locomotive_group_ids(user))


@rules.predicate
def is_organisation_member(user) -> bool:
    return bool(roles.member_organisation_ids(user))


is_authenticated = rules.is_authenticated


def staff_view_allowed(request, rule_name: str, obj=None) -> bool:
    """A staff rule holds and the session passed the second factor."""
    return rules.test_rule(rule_name, request.user, obj) and mfa_satisfied(request)
