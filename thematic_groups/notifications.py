"""E-mails about places in the GTs, through the outbox: to the organisation's managers and its delegate."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.outbox import email_queue
from members.enums import OrganisationRoleType
from thematic_groups.enums import AssignmentStatus


def _recipients(assignment) -> list:
    """Legal representative, contact point and the delegate for this group, each once."""
    roles = assignment.organisation.roles.select_related("user").filter(
        role__in=[OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT]
    ) | assignment.organisation.roles.select_related("user").filter(
        role=OrganisationRoleType.DELEGATE, thematic_group=assignment.thematic_group
    )
    return list({role.user.pk: role.user for role in roles if role.user.is_active}.values())


def _context(assignment) -> dict:
    group = assignment.thematic_group
    return {
        "organisation_name": assignment.organisation.name,
        "group_name": group.name,
        "group_url": settings.SITE_URL + group.get_absolute_url(),
        "places_url": settings.SITE_URL + reverse("thematic_groups:my_places"),
        "reason": assignment.reason,
    }


def _send_to_organisation(assignment, template: str, extra: dict | None = None) -> None:
    context = {**_context(assignment), **(extra or {})}
    for user in _recipients(assignment):
        email_queue(
            to=user.email,
            template=f"thematic_groups/{template}",
            context={**context, "first_name": user.first_name},
            recipient=user,
        )


def assignment_decided(assignment) -> None:
    """The organisation learns its place: a seat, or a position on the waiting list."""
    from thematic_groups.assignments import waiting_position

    if assignment.status == AssignmentStatus.ASSIGNED:
        _send_to_organisation(assignment, "assigned")
    elif assignment.status == AssignmentStatus.WAITING:
        _send_to_organisation(assignment, "waiting", {"position": waiting_position(assignment)})


def seat_offered(assignment) -> None:
    _send_to_organisation(assignment, "seat_offered", {"expires_on": assignment.offer_expires_on})


def removal_announced(assignment) -> None:
    _send_to_organisation(
        assignment,
        "removal_announced",
        {"effective_on": assignment.removal_effective_on, "removal_reason": assignment.removal_reason},
    )


def removal_cancelled(assignment) -> None:
    _send_to_organisation(assignment, "removal_cancelled")


def assignment_deadline_near(organisation, *, deadline, groups: list[str]) -> None:
    """To the coordination: an organisation must know its GT within one month of its membership (art 4bis.2)."""
    board_url = settings.SITE_URL + reverse("thematic_groups:board")
    for coordinator in get_user_model().objects.filter(is_coordinator=True, is_active=True).order_by("pk"):
        email_queue(
            to=coordinator.email,
            template="thematic_groups/assignment_deadline",
            context={
                "first_name": coordinator.first_name,
                "organisation_name": organisation.name,
                "deadline": deadline,
                "groups": groups,
                "board_url": board_url,
            },
            recipient=coordinator,
            key=f"gt-assignment-deadline:{organisation.pk}:{coordinator.pk}",
        )
