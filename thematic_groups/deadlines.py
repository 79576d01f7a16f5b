"""The one-month rule (art 4bis.2): a confirmed member learns its GT within one month of its membership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Organisation
from thematic_groups import notifications
from thematic_groups.models import AssignmentDeadlineReminder, ThematicGroup
from thematic_groups.selectors import pending_candidates


@dataclass(frozen=True)
class AssignmentDeadline:
    organisation: Organisation
    member_since: date
    deadline: date
    days_left: int
    groups: list[str]

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def urgent(self) -> bool:
        return self.days_left <= settings.GT_ASSIGNMENT_REMINDER_DAYS_LEFT


def assignment_deadlines(today: date | None = None, candidates=None) -> list[AssignmentDeadline]:
    """Members still waiting to hear about a GT they asked for (not counting waiting-list places, already told).

    ``candidates`` are ``pending_candidates()`` when the caller already has them.
    """
    today = today or timezone.localdate()
    groups_by_org: dict[int, list[int]] = {}
    for candidate in pending_candidates() if candidates is None else candidates:
        if not candidate.waiting:
            groups_by_org.setdefault(candidate.organisation_id, []).append(candidate.group_id)
    names = dict(ThematicGroup.objects.values_list("pk", "short_name"))
    result = []
    for organisation in Organisation.objects.filter(pk__in=groups_by_org).order_by("member_since", "name"):
        since = organisation.member_since or today
        deadline = since + relativedelta(months=1)
        result.append(
            AssignmentDeadline(
                organisation=organisation,
                member_since=since,
                deadline=deadline,
                days_left=(deadline - today).days,
                groups=[names[pk] for pk in sorted(groups_by_org[organisation.pk])],
            )
        )
    return sorted(result, key=lambda item: (item.deadline, item.organisation.name))


def assignment_deadline_reminders_send(today: date | None = None) -> int:
    """Remind the coordination once per organisation when the deadline is near (or already past)."""
    sent = 0
    for item in assignment_deadlines(today):
        if not item.urgent:
            continue
        try:
            with transaction.atomic():
                AssignmentDeadlineReminder.objects.create(organisation=item.organisation)
                notifications.assignment_deadline_near(item.organisation, deadline=item.deadline, groups=item.groups)
        except IntegrityError:
            continue  # another worker, or an earlier run, already claimed this reminder
        sent += 1
    return sent
