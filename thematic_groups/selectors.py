from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from members.enums import OrganisationRoleType, OrganisationStatus
from members.models import OrganisationRole
from thematic_groups.models import LocomotiveMember, ThematicGroup


def thematic_groups_list() -> QuerySet[ThematicGroup]:
    return ThematicGroup.objects.order_by("number")


def thematic_group_get(slug: str) -> ThematicGroup:
    return get_object_or_404(ThematicGroup.objects.prefetch_related("deliverables"), slug=slug)


def locomotive_of(group: ThematicGroup) -> list[LocomotiveMember]:
    return list(group.locomotive.select_related("user").order_by("role", "user__last_name"))


def member_delegations_of(group: ThematicGroup) -> list[OrganisationRole]:
    """The member organisations that have a delegate in the group, with that delegate."""
    return list(
        OrganisationRole.objects.filter(
            thematic_group=group,
            role=OrganisationRoleType.DELEGATE,
            organisation__status__in=OrganisationStatus.member_states(),
        )
        .select_related("organisation", "user")
        .order_by("organisation__name")
    )


def thematic_groups_with_locomotive() -> QuerySet[ThematicGroup]:
    return ThematicGroup.objects.prefetch_related(
        Prefetch("locomotive", queryset=LocomotiveMember.objects.select_related("user"))
    ).order_by("number")
