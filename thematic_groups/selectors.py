from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.models import AuditEntry
from members.enums import FINAL_BENEFICIARY_TYPES, OrganisationRoleType, OrganisationStatus, OrganisationType
from members.models import OrganisationRole
from thematic_groups.enums import AssignmentStatus, ReleaseReason, SessionStatus
from thematic_groups.models import Assignment, LocomotiveMember, Proposal, ProposalLine, Session, ThematicGroup


def _with_next_session(groups: QuerySet[ThematicGroup]) -> QuerySet[ThematicGroup]:
    """Annotate the start of each group's next published session, so pages never show a date already past."""
    upcoming = Session.objects.filter(
        thematic_group=OuterRef("pk"), status=SessionStatus.PUBLISHED, starts_at__gt=timezone.now()
    ).order_by("starts_at")
    return groups.annotate(next_session_start=Subquery(upcoming.values("starts_at")[:1]))


def thematic_groups_list() -> QuerySet[ThematicGroup]:
    return _with_next_session(ThematicGroup.objects.order_by("number"))


def thematic_group_get(slug: str) -> ThematicGroup:
    return get_object_or_404(_with_next_session(ThematicGroup.objects.prefetch_related("deliverables")), slug=slug)


def locomotive_of(group: ThematicGroup) -> list[LocomotiveMember]:
    return list(group.locomotive.select_related("user").order_by("role", "user__last_name"))


def thematic_groups_with_locomotive() -> QuerySet[ThematicGroup]:
    return ThematicGroup.objects.prefetch_related(
        Prefetch("locomotive", queryset=LocomotiveMember.objects.select_related("user"))
    ).order_by("number")


@dataclass(frozen=True)
class PendingCandidate:
    organisation_id: int
    organisation_name: str
    organisation_type: str
    group_id: int
    queued_since: date
    priority: int
    waiting: bool


def pending_candidates(group: ThematicGroup | None = None) -> list[PendingCandidate]:
    """Active final beneficiaries that asked for a GT (they named a delegate for it) and have no seat in it yet.

    An organisation on the waiting list is still pending; one whose place was released is not.
    """
    delegations = OrganisationRole.objects.filter(
        role=OrganisationRoleType.DELEGATE,
        organisation__status=OrganisationStatus.ACTIVE,
        organisation__type__in=FINAL_BENEFICIARY_TYPES,
    )
    rows = Assignment.objects.all()
    if group is not None:
        delegations = delegations.filter(thematic_group=group)
        rows = rows.filter(thematic_group=group)
    placed = {
        (org, grp): (status, priority, decided_at)
        for org, grp, status, priority, decided_at in rows.values_list(
            "organisation_id", "thematic_group_id", "status", "priority", "decided_at"
        )
    }
    result = []
    seen = set()
    for org_id, name, kind, member_since, group_id in delegations.values_list(
        "organisation_id", "organisation__name", "organisation__type", "organisation__member_since", "thematic_group_id"
    ).order_by("thematic_group_id", "organisation__name", "organisation_id"):
        status, priority, decided_at = placed.get((org_id, group_id), (None, 0, None))
        if status == AssignmentStatus.RELEASED and member_since and timezone.localdate(decided_at) < member_since:
            status = None  # released before the organisation joined again: a new candidacy
        if (org_id, group_id) in seen or status not in (None, AssignmentStatus.WAITING):
            continue
        seen.add((org_id, group_id))
        result.append(
            PendingCandidate(
                organisation_id=org_id,
                organisation_name=name,
                organisation_type=kind,
                group_id=group_id,
                queued_since=member_since or timezone.localdate(),
                priority=priority,
                waiting=status == AssignmentStatus.WAITING,
            )
        )
    return result


@dataclass
class GroupBoardRow:
    group: ThematicGroup
    taken: int
    hospitals: int
    elder_care: int
    offered: int
    waiting: int
    candidates: int

    @property
    def free(self) -> int:
        return max(0, self.group.capacity_max - self.taken)

    @property
    def under_minimum(self) -> bool:
        return self.taken < self.group.capacity_min

    @property
    def fill_percent(self) -> int:
        return round(100 * self.taken / self.group.capacity_max) if self.group.capacity_max else 0


def board_overview(candidates: list[PendingCandidate] | None = None) -> list[GroupBoardRow]:
    """Seats, balance, waiting list and candidates of the GTs, in a fixed number of queries.

    ``candidates`` are ``pending_candidates()`` when the caller already has them (the board also lists deadlines).
    """
    counts = (
        Assignment.objects.filter(status__in=AssignmentStatus.open_states())
        .values("thematic_group_id", "status", "organisation__type")
        .annotate(n=Count("pk"))
    )
    tally: dict[int, Counter] = {}
    for row in counts:
        tally.setdefault(row["thematic_group_id"], Counter())[(row["status"], row["organisation__type"])] += row["n"]
    if candidates is None:
        candidates = pending_candidates()
    pending = Counter(c.group_id for c in candidates if not c.waiting)
    result = []
    for group in ThematicGroup.objects.order_by("number"):
        t = tally.get(group.pk, Counter())

        def count(statuses, types=None, t=t) -> int:
            return sum(n for (status, kind), n in t.items() if status in statuses and (types is None or kind in types))

        seat = AssignmentStatus.seat_holding()
        result.append(
            GroupBoardRow(
                group=group,
                taken=count(seat),
                hospitals=count(seat, {OrganisationType.HOSPITAL}),
                elder_care=count(seat, {OrganisationType.ELDER_CARE_HOME}),
                offered=count({AssignmentStatus.OFFERED}),
                waiting=count({AssignmentStatus.WAITING}),
                candidates=pending[group.pk],
            )
        )
    return result


def group_seats(group: ThematicGroup) -> list[Assignment]:
    """Members and offered seats, with each organisation's delegate for the group."""
    return list(
        Assignment.objects.filter(thematic_group=group, status__in=AssignmentStatus.seat_holding())
        .select_related("organisation", "decided_by")
        .prefetch_related(_delegate_prefetch(group))
        .order_by("organisation__name", "pk")
    )


def group_waiting_list(group: ThematicGroup) -> list[Assignment]:
    return list(
        Assignment.objects.filter(thematic_group=group, status=AssignmentStatus.WAITING)
        .select_related("organisation")
        .prefetch_related(_delegate_prefetch(group))
        .order_by("-priority", "queued_since", "pk")
    )


def _delegate_prefetch(group: ThematicGroup) -> Prefetch:
    return Prefetch(
        "organisation__roles",
        queryset=OrganisationRole.objects.filter(
            role=OrganisationRoleType.DELEGATE, thematic_group=group
        ).select_related("user"),
        to_attr="group_delegates",
    )


def group_events(group: ThematicGroup, limit: int = 40) -> list[AuditEntry]:
    """The chain of seat events of a group (assigned, waiting, released, offered, accepted...)."""
    events = list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(ThematicGroup),
            target_id=str(group.pk),
            action__startswith="thematic_groups.seat.",
        ).order_by("-created_at", "-pk")[:limit]
    )
    reasons = dict(ReleaseReason.choices)
    for event in events:
        event.because_label = reasons.get(event.data.get("because"), event.data.get("because", ""))
        event.until_date = _iso_date(event.data.get("until"))
        event.effective_date = _iso_date(event.data.get("effective_on"))
    return events


def _iso_date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def open_proposal() -> Proposal | None:
    return Proposal.objects.filter(validated_at__isnull=True).select_related("created_by").first()


def proposal_lines(proposal: Proposal) -> list[ProposalLine]:
    return list(
        proposal.lines.select_related("organisation", "thematic_group").order_by("thematic_group__number", "rank")
    )


def organisation_places(organisation_ids) -> list[Assignment]:
    """Where the user's organisations stand in the GTs (for the member space)."""
    return list(
        Assignment.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation", "thematic_group")
        .order_by("organisation__name", "thematic_group__number")
    )


def group_members(group: ThematicGroup) -> list[Assignment]:
    """The organisations holding a seat in the group (shown to members of the alliance)."""
    return list(
        Assignment.objects.filter(
            thematic_group=group,
            status=AssignmentStatus.ASSIGNED,
            organisation__status__in=OrganisationStatus.member_states(),
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )


def group_sessions(group: ThematicGroup, *, with_drafts: bool = False) -> list:
    from thematic_groups.enums import SessionStatus
    from thematic_groups.models import Session

    sessions = Session.objects.filter(thematic_group=group)
    if not with_drafts:
        sessions = sessions.exclude(status=SessionStatus.DRAFT)
    return list(sessions.order_by("starts_at", "pk"))


@dataclass
class AttendanceLine:
    organisation: object
    delegates: list
    record: object
    notice: object

    @property
    def status(self) -> str:
        if self.record is not None:
            return self.record.status
        return self.notice.attendance_status if self.notice is not None else ""


def attendance_lines(session) -> list[AttendanceLine]:
    """The members expected at a session, with their delegate, check-in and absence notice: four queries."""
    from thematic_groups.models import AbsenceNotice, Attendance

    seats = list(
        Assignment.objects.filter(thematic_group_id=session.thematic_group_id, status=AssignmentStatus.ASSIGNED)
        .select_related("organisation")
        .prefetch_related(_delegate_prefetch(session.thematic_group))
        .order_by("organisation__name")
    )
    records = {
        record.organisation_id: record
        for record in Attendance.objects.filter(session=session).select_related("attendee", "organisation")
    }
    notices = {
        notice.organisation_id: notice
        for notice in AbsenceNotice.objects.filter(session=session, withdrawn_at__isnull=True).select_related(
            "replacement", "announced_by"
        )
    }
    if session.attendance_closed:
        # A closed list is history: the members of that day, whoever holds a seat now.
        seats = [seat for seat in seats if seat.organisation_id in records]
    lines = [
        AttendanceLine(
            organisation=seat.organisation,
            delegates=[role.user for role in seat.organisation.group_delegates],
            record=records.pop(seat.organisation_id, None),
            notice=notices.get(seat.organisation_id),
        )
        for seat in seats
    ]
    # Members who left since keep their line on a closed list.
    for record in records.values():
        lines.append(AttendanceLine(organisation=record.organisation, delegates=[], record=record, notice=None))
    return lines
