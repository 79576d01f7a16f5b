from __future__ import annotations

import unicodedata

import rules
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from members.enums import OrganisationStatus, OrganisationType
from members.models import Organisation, OrganisationRole

SIGNATORY_FIELDS = ("id", "name", "type", "type_precision", "enterprise_number", "postal_code", "city", "member_since")


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
    return (
        Organisation.objects.filter(roles__user=user)
        .exclude(status=OrganisationStatus.WITHDRAWN)
        .distinct()
        .prefetch_related(_roles_prefetch())
        .order_by("name")
    )


def organisation_get_for_user(user, pk: int) -> Organisation:
    """The organisation, or 404 when it does not exist or is outside the user's scope."""
    organisation = Organisation.objects.prefetch_related(_roles_prefetch()).filter(pk=pk).first()
    if organisation is None or not rules.test_rule("members.view_organisation", user, organisation):
        raise Http404
    return organisation


def _folded(text: str) -> str:
    """Lower case without accents, so "hopital" finds "Hôpital" on SQLite as on PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def signatories(query: str = "") -> list[Organisation]:
    """The public list of signatories (art 6.3): members, including those whose announced withdrawal
    has not taken effect yet, ordered by type then name.

    Filtered and sorted in Python: the list holds a few thousand rows at most, and accent folding
    in the database differs between SQLite and PostgreSQL. One query whatever the search.
    """
    organisations = Organisation.objects.filter(status__in=OrganisationStatus.member_states()).only(*SIGNATORY_FIELDS)
    words = _folded(query).split()
    if words:
        organisations = [
            organisation
            for organisation in organisations
            if all(word in _folded(f"{organisation.name} {organisation.city}") for word in words)
        ]
    type_order = {value: index for index, value in enumerate(OrganisationType.values)}
    return sorted(organisations, key=lambda organisation: (type_order[organisation.type], _folded(organisation.name)))
