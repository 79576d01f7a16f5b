"""The assignment proposal (art 4bis.2, annex 1 §1): who gets a seat in which GT, and why.

A pure computation over plain values, so it can be read, tested and explained on its own:
- eligibility and capacity are never broken;
- every eligible candidate gets a seat while seats are left, so as many preferences as possible are met;
- when a group has fewer seats than candidates, seats go first to coordinator priorities, then to the
  organisations that hold the fewest seats so far, then by confirmation date, while the mix of hospitals
  and elder-care homes stays as close as possible to the mix of those who asked for the group;
- the same input always gives the same output (every ordering ends on the organisation's id).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.enums import OrganisationType
from thematic_groups.enums import Eligibility, ProposalDecision


@dataclass(frozen=True)
class GroupState:
    id: int
    number: int
    name: str
    eligibility: str
    capacity: int
    held_by_type: dict[str, int]

    @property
    def held(self) -> int:
        return sum(self.held_by_type.values())


@dataclass(frozen=True)
class Candidate:
    organisation_id: int
    organisation_name: str
    organisation_type: str
    group_id: int
    queued_since: date
    priority: int = 0
    seats_held: int = 0  # seats the organisation already holds in other groups


@dataclass
class Line:
    candidate: Candidate
    decision: str
    explanation: str
    rank: int = 0


@dataclass
class _Pick:
    chosen: list[Candidate] = field(default_factory=list)
    by_type: Counter = field(default_factory=Counter)


def _type_label(organisation_type: str) -> str:
    labels = {
        OrganisationType.HOSPITAL: _("hospitals"),
        OrganisationType.ELDER_CARE_HOME: _("elder-care homes"),
    }
    return labels.get(organisation_type, organisation_type)


def waiting_order(candidate: Candidate) -> tuple:
    """The waiting list's order: coordinator priority, then confirmation date (art 6.1: first come, first served)."""
    name = candidate.organisation_name.casefold()
    return (-candidate.priority, candidate.queued_since, name, candidate.organisation_id)


def compute(groups: list[GroupState], candidates: list[Candidate]) -> list[Line]:
    """Decide every candidate of every group; the result is ordered by group number, then rank."""
    by_group: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_group.setdefault(candidate.group_id, []).append(candidate)
    # Seats already held elsewhere count, so scarce seats go first to those who have fewer.
    seats_so_far: Counter = Counter({c.organisation_id: c.seats_held for c in candidates})
    lines: list[Line] = []
    for group in sorted(groups, key=lambda g: g.number):
        lines.extend(_decide_group(group, by_group.get(group.id, []), seats_so_far))
    return lines


def _decide_group(group: GroupState, candidates: list[Candidate], seats_so_far: Counter) -> list[Line]:
    eligibility = Eligibility(group.eligibility)
    eligible = sorted((c for c in candidates if eligibility.allows(c.organisation_type)), key=waiting_order)
    refused = sorted((c for c in candidates if not eligibility.allows(c.organisation_type)), key=waiting_order)
    free = max(0, group.capacity - group.held)
    pick = _pick_seats(group, eligible, free, seats_so_far)
    chosen_ids = {c.organisation_id for c in pick.chosen}
    final_by_type = Counter(group.held_by_type) + pick.by_type

    lines: list[Line] = []
    for seat_number, candidate in enumerate(pick.chosen, start=group.held + 1):
        seats_so_far[candidate.organisation_id] += 1
        lines.append(
            Line(
                candidate,
                ProposalDecision.ASSIGN,
                _assigned_because(group, candidate, seat_number, len(eligible) <= free, final_by_type),
            )
        )
    waiting = [c for c in eligible if c.organisation_id not in chosen_ids]
    for position, candidate in enumerate(waiting, start=1):
        lines.append(Line(candidate, ProposalDecision.WAIT, _waiting_because(group, candidate, position, free)))
    for candidate in refused:
        lines.append(
            Line(
                candidate,
                ProposalDecision.NOT_ELIGIBLE,
                _("Not eligible for %(group)s (%(eligibility)s).")
                % {"group": group.name, "eligibility": Eligibility(group.eligibility).label},
            )
        )
    for rank, line in enumerate(lines, start=1):
        line.rank = rank
    return lines


def _pick_seats(group: GroupState, eligible: list[Candidate], free: int, seats_so_far: Counter) -> _Pick:
    pick = _Pick()
    if free <= 0 or not eligible:
        return pick
    if len(eligible) <= free:
        pick.chosen = list(eligible)
        pick.by_type = Counter(c.organisation_type for c in eligible)
        return pick

    # Scarce seats: one queue per establishment type, each in priority / fewest seats / date order.
    def seat_order(candidate: Candidate) -> tuple:
        return (-candidate.priority, seats_so_far[candidate.organisation_id], *waiting_order(candidate)[1:])

    queues: dict[str, list[Candidate]] = {}
    for candidate in sorted(eligible, key=seat_order):
        queues.setdefault(candidate.organisation_type, []).append(candidate)
    demand = Counter(group.held_by_type) + Counter(c.organisation_type for c in eligible)
    total_demand = sum(demand.values())
    held = Counter(group.held_by_type)

    while len(pick.chosen) < free:
        open_types = [kind for kind, queue in queues.items() if queue]
        if not open_types:
            break
        # A priority always goes first; otherwise the type furthest below its share of the demand.
        prioritised = [kind for kind in open_types if queues[kind][0].priority > 0]
        pool = prioritised or open_types
        seated = sum(held.values()) + len(pick.chosen) + 1

        def shortfall(kind: str, seated: int = seated) -> tuple:
            share_now = (held[kind] + pick.by_type[kind]) / seated
            return (share_now - demand[kind] / total_demand, seat_order(queues[kind][0]))

        kind = min(pool, key=shortfall)
        candidate = queues[kind].pop(0)
        pick.chosen.append(candidate)
        pick.by_type[kind] += 1
    return pick


def _balance(final_by_type: Counter) -> str:
    parts = [
        f"{_type_label(kind)} {count}"
        for kind, count in sorted(final_by_type.items())
        if kind in (OrganisationType.HOSPITAL, OrganisationType.ELDER_CARE_HOME)
    ]
    return " / ".join(parts)


def _assigned_because(group: GroupState, candidate: Candidate, seat: int, enough: bool, final_by_type) -> str:
    if candidate.priority:
        why = _("Coordinator priority.")
    elif enough:
        why = _("A seat was left for every eligible candidate.")
    else:
        why = _("Chosen in order of seats already held, confirmation date and balance between establishments.")
    return _("Seat %(seat)d of %(capacity)d. %(why)s Balance after the proposal: %(balance)s.") % {
        "seat": seat,
        "capacity": group.capacity,
        "why": why,
        "balance": _balance(final_by_type),
    }


def _waiting_because(group: GroupState, candidate: Candidate, position: int, free: int) -> str:
    if free <= 0:
        why = _("The group is full (%(capacity)d seats).") % {"capacity": group.capacity}
    else:
        why = ngettext(
            "The seat left went to a candidate ahead in the order.",
            "The %(free)d seats left went to candidates ahead in the order.",
            free,
        ) % {"free": free}
    return _("%(why)s Position %(position)d on the waiting list (membership confirmed on %(date)s).") % {
        "why": why,
        "position": position,
        "date": date_format(candidate.queued_since, "SHORT_DATE_FORMAT"),
    }
