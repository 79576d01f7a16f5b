from __future__ import annotations

import rules
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from members.models import Organisation, OrganisationRole


def _roles_prefetch() -> Prefetch:
    return Prefetch(
        "roles",
        queryset=OrganisationRole.objects.select_related("user", "thematic_group").order_by(
            "role", "thematic_group__number"
        ),
    )


def organisations_for_user(user) -> QuerySet[Organisation]:
    """The organisations the user represents, with their people and roles, for the home page."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(roles__user=user).distinct().prefetch_related(_roles_prefetch()).order_by("name")


def organisation_get_for_user(user, pk: int) -> Organisation:
    """The organisation, or 404 when it does not exist or is outside the user's scope."""
    organisation = Organisation.objects.prefetch_related(_roles_prefetch()).filter(pk=pk).first()
    if organisation is None or not rules.test_rule("members.view_organisation", user, organisation):
        raise Http404
    return organisation
