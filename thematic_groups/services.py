from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import changed_fields, log_action
from thematic_groups.models import LocomotiveMember, ThematicGroup

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "target_public",
    "eligibility",
    "scope",
    "ambitions",
    "out_of_scope",
    "capacity_min",
    "capacity_max",
    "first_session_start",
    "first_session_end",
)


def thematic_group_update(*, actor: Any, group: ThematicGroup, **changes: Any) -> ThematicGroup:
    """Change a GT's fiche or rules; every change is audited with its before and after values."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = ThematicGroup.objects.select_for_update().get(pk=group.pk)
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        check_against_places(locked)
        diff = changed_fields(before, changes)
        if not diff:
            return locked
        locked.save(update_fields=list(diff))
        log_action("thematic_groups.group.updated", actor=actor, target=locked, data={"changes": diff})
    return locked


def check_against_places(group: ThematicGroup) -> None:
    """The rules of a group never contradict the places already given in it."""
    from members.models import Organisation
    from thematic_groups.enums import AssignmentStatus
    from thematic_groups.models import Assignment

    taken = Assignment.objects.filter(thematic_group=group, status__in=AssignmentStatus.seat_holding()).count()
    if group.capacity_max < taken:
        raise ValidationError(
            {
                "capacity_max": _(
                    "%(taken)d organisations already hold a seat: the maximum cannot go below that number."
                )
                % {"taken": taken}
            }
        )
    placed_types = set(
        Organisation.objects.filter(
            assignments__thematic_group=group, assignments__status__in=AssignmentStatus.open_states()
        ).values_list("type", flat=True)
    )
    if any(not group.accepts(kind) for kind in placed_types):
        raise ValidationError(
            {
                "eligibility": _(
                    "Organisations of another type are members or on the waiting list of this group: "
                    "release their places before changing who the group is open to."
                )
            }
        )


def locomotive_member_add(*, actor: Any, group: ThematicGroup, user, role: str, organisation_name: str = ""):
    with transaction.atomic():
        member, created = LocomotiveMember.objects.get_or_create(
            user=user, thematic_group=group, role=role, defaults={"organisation_name": organisation_name}
        )
        if created:
            log_action(
                "thematic_groups.locomotive.added",
                actor=actor,
                target=group,
                data={"user": user.email, "role": role},
            )
    return member
