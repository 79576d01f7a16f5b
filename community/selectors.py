"""Reads of the library, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts import roles
from community import search
from community.enums import ResourceStatus
from community.models import Resource, ResourceFlag, Tag, Theme
from community.rules import pilot_group_ids
from thematic_groups.contributions import represented_organisation_ids

SORTS = {"recent": ("-published_at", "-pk"), "title": ("title", "pk")}


def themes() -> list[Theme]:
    return list(Theme.objects.order_by("position"))


def _with_details(resources: QuerySet) -> QuerySet:
    return resources.select_related("organisation").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("position")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def library(*, query: str = "", theme: str = "", kind: str = "", language: str = "", origin: str = "", sort: str = ""):
    resources = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    if theme:
        resources = resources.filter(themes__slug=theme)
    if kind:
        resources = resources.filter(kind=kind)
    if language:
        resources = resources.filter(language=language)
    if origin:
        resources = resources.filter(origin=origin)
    resources = search.apply(resources, query)
    if sort in SORTS or not query:
        resources = resources.order_by(*SORTS.get(sort, SORTS["recent"]))
    return _with_details(resources.distinct() if theme else resources)


def resource_get(pk: int) -> Resource:
    return _with_details(Resource.objects.select_related("author")).get(pk=pk)


def my_deposits(user) -> QuerySet:
    return _with_details(Resource.objects.filter(author=user)).prefetch_related("events").order_by("-created_at")


def moderation_queue(user) -> dict:
    """Deposits waiting in the themes the user moderates, and published resources with open flags.

    A pilot does not see what they or their organisation contributed: someone else decides on it. The coordination
    sees everything, so that nothing waits unseen."""
    scope = Q()
    if not roles.is_coordinator(user):
        scope = Q(themes__thematic_group_id__in=pilot_group_ids(user)) & ~(
            Q(author=user) | Q(organisation_id__in=represented_organisation_ids(user))
        )
    pending = _with_details(
        Resource.objects.filter(scope, status=ResourceStatus.PENDING).distinct().order_by("created_at")
    )
    flagged = _with_details(
        Resource.objects.filter(
            scope, status=ResourceStatus.PUBLISHED, flags__created_at__isnull=False, flags__handled_at__isnull=True
        )
        .annotate(open_flags=Count("flags", filter=Q(flags__handled_at__isnull=True), distinct=True))
        .distinct()
        .order_by("title")
    ).prefetch_related(Prefetch("flags", queryset=ResourceFlag.objects.filter(handled_at__isnull=True)))
    waiting_author = _with_details(
        Resource.objects.filter(scope, status=ResourceStatus.CHANGES_REQUESTED).distinct().order_by("updated_at")
    )
    return {"pending": list(pending), "flagged": list(flagged), "waiting_author": list(waiting_author)}


def organisation_contributions(organisation) -> dict:
    """What one member brought to the library (art 4.4): published resources and deposits under way."""
    resources = list(
        Resource.objects.filter(organisation=organisation)
        .exclude(status__in=[ResourceStatus.REJECTED])
        .order_by("-published_at", "-created_at")
        .only("pk", "title", "status", "kind", "published_at", "created_at")
    )
    return {
        "published": [item for item in resources if item.status == ResourceStatus.PUBLISHED],
        "under_way": [item for item in resources if item.status in ResourceStatus.editable_by_author()],
    }


def contributions_by_organisation():
    """Every member organisation with its library contributions, most active first: one query."""
    from members.enums import OrganisationStatus
    from members.models import Organisation

    return (
        Organisation.objects.filter(status__in=OrganisationStatus.member_states())
        .annotate(
            published=Count("resources", filter=Q(resources__status=ResourceStatus.PUBLISHED), distinct=True),
            under_way=Count(
                "resources", filter=Q(resources__status__in=ResourceStatus.editable_by_author()), distinct=True
            ),
        )
        .order_by("-published", "-under_way", "name")
    )
