from __future__ import annotations

import re
import unicodedata
from operator import attrgetter, itemgetter

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


# The combining marks that NFKD splits off accented letters, removed by one regular expression (in C): the list
# folds every member's name on each request.
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _folded(text: str) -> str:
    """Lower case without accents, so "hopital" finds "Hôpital" on SQLite as on PostgreSQL."""
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))


def _matching_in_order(rows, query: str, *, kind, name, city) -> list:
    words = _folded(query).split()
    if words:
        rows = [row for row in rows if all(word in _folded(f"{name(row)} {city(row)}") for word in words)]
    type_order = {value: index for index, value in enumerate(OrganisationType.values)}
    return sorted(rows, key=lambda row: (type_order[kind(row)], _folded(name(row))))


def _members():
    return Organisation.objects.filter(status__in=OrganisationStatus.member_states())


def signatories(query: str = "") -> list[Organisation]:
    """The public list of signatories (art 6.3): members, including those whose announced withdrawal
    has not taken effect yet, ordered by type then name.

    Filtered and sorted in Python: the list holds a few thousand rows at most, and accent folding
    in the database differs between SQLite and PostgreSQL. One query whatever the search.
    """
    return _matching_in_order(
        _members().only(*SIGNATORY_FIELDS),
        query,
        kind=attrgetter("type"),
        name=attrgetter("name"),
        city=attrgetter("city"),
    )


def signatory_index(query: str = "") -> list[tuple[int, str]]:
    """(id, type) of the signatories matching ``query``, in the order of ``signatories``: plain rows to count and
    page through, so that a page builds only the organisations it shows."""
    rows = _members().values_list("id", "type", "name", "city")
    return [
        (pk, kind)
        for pk, kind, _name, _city in _matching_in_order(
            rows, query, kind=itemgetter(1), name=itemgetter(2), city=itemgetter(3)
        )
    ]


def signatories_by_id(ids: list[int]) -> list[Organisation]:
    found = Organisation.objects.only(*SIGNATORY_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
