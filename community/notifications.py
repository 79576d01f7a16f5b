"""E-mails of the library's moderation: the moderators hear of deposits, the author of every decision."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from community.rules import contributed
from core.outbox import email_queue
from thematic_groups.enums import LocomotiveRoleType
from thematic_groups.models import LocomotiveMember


def moderators_of(resource) -> list:
    """The GT pilots of the resource's themes and the coordination, but nobody who contributed it (see
    community.rules.may_decide): with no pilot left, the coordination alone hears of it."""
    groups = [theme.thematic_group_id for theme in resource.themes.all() if theme.thematic_group_id]
    pilots = [
        member.user
        for member in LocomotiveMember.objects.filter(
            thematic_group_id__in=groups, role=LocomotiveRoleType.PILOT, user__is_active=True
        ).select_related("user")
    ]
    coordinators = list(get_user_model().objects.filter(is_coordinator=True, is_active=True))
    moderators = {user.pk: user for user in pilots + coordinators}.values()
    return [user for user in moderators if not contributed(user, resource)]


def _context(resource) -> dict:
    return {
        "title": resource.title,
        "organisation_name": resource.organisation.name if resource.organisation else "",
        "message": resource.moderation_note,
        "resource_url": settings.SITE_URL + reverse("community:resource", args=[resource.pk]),
        "queue_url": settings.SITE_URL + reverse("community:moderation"),
        "deposits_url": settings.SITE_URL + reverse("community:my_deposits"),
    }


def to_moderators(resource, *, event_pk: int, resubmitted: bool) -> None:
    context = {**_context(resource), "resubmitted": resubmitted}
    for user in moderators_of(resource):
        email_queue(
            to=user.email,
            template="community/to_moderate",
            context={**context, "first_name": user.first_name},
            recipient=user,
            key=f"community:to-moderate:{event_pk}:{user.pk}",
        )


def to_author(resource, *, event_pk: int, decision: str) -> None:
    author = resource.author
    if author is None or not author.is_active:
        return
    email_queue(
        to=author.email,
        template=f"community/{decision}",
        context={**_context(resource), "first_name": author.first_name},
        recipient=author,
        key=f"community:{decision}:{event_pk}",
    )
