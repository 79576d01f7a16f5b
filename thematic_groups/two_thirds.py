"""The two-thirds rule (art 4bis.2, annex 1 §4): each member attends at least two thirds of the sessions held.

``needed`` is how many of the remaining planned sessions the member must still attend so that, once they are
held, it has attended two thirds of them all. Integer arithmetic only, so 6 of 9 is exactly two thirds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from thematic_groups.enums import AssignmentStatus, AttendanceStatus, SessionStatus, TwoThirdsStatus
from thematic_groups.models import Assignment, Attendance, Session


def sessions_to_attend(total: int) -> int:
    """The smallest whole number of sessions that is at least two thirds of ``total``."""
    return (2 * total + 2) // 3


@dataclass(frozen=True)
class TwoThirds:
    held: int
    attended: int
    remaining: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.held if self.held else None

    @property
    def needed(self) -> int:
        return max(0, sessions_to_attend(self.held + self.remaining) - self.attended)

    @property
    def status(self) -> str:
        if self.needed > self.remaining:
            return TwoThirdsStatus.CANNOT_REACH
        # On track: at two thirds so far, with room for at least one more absence (or nothing left to do).
        # Before any session is held there is nothing to judge: a newcomer is not "at risk".
        if self.held == 0 or self.needed == 0 or (self.needed < self.remaining and 3 * self.attended >= 2 * self.held):
            return TwoThirdsStatus.ON_TRACK
        return TwoThirdsStatus.AT_RISK


def two_thirds(*, held: int, attended: int, remaining: int) -> TwoThirds:
    return TwoThirds(held=held, attended=attended, remaining=remaining)


def unjustified_streaks(statuses: list[str]) -> tuple[int, int]:
    """(the current run of unjustified absences, the total), from statuses in session order."""
    in_a_row = 0
    for status in statuses:
        in_a_row = in_a_row + 1 if status in AttendanceStatus.unjustified() else 0
    total = sum(1 for status in statuses if status in AttendanceStatus.unjustified())
    return in_a_row, total


@dataclass(frozen=True)
class Standing:
    assignment: Assignment
    held: int
    attended: int
    remaining: int
    needed: int
    rate: float | None
    status: str
    unjustified_in_a_row: int
    unjustified_total: int

    @property
    def repeated_unjustified(self) -> bool:
        return (
            self.unjustified_in_a_row >= settings.GT_UNJUSTIFIED_IN_A_ROW
            or self.unjustified_total >= settings.GT_UNJUSTIFIED_TOTAL
        )

    @property
    def status_label(self) -> str:
        return TwoThirdsStatus(self.status).label

    @property
    def rate_percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


def group_standings(group, *, now=None) -> list[Standing]:
    """Every seated member of the group, in a fixed number of queries."""
    now = now or timezone.now()
    seats = list(
        Assignment.objects.filter(thematic_group=group, status=AssignmentStatus.ASSIGNED)
        .select_related("organisation", "thematic_group")
        .order_by("organisation__name")
    )
    sessions = list(
        Session.objects.filter(thematic_group=group, status=SessionStatus.PUBLISHED)
        .order_by("starts_at")
        .values("pk", "starts_at", "attendance_closed_at")
    )
    held = [s for s in sessions if s["attendance_closed_at"] is not None]
    planned = [s for s in sessions if s["attendance_closed_at"] is None and s["starts_at"] > now]
    records: dict[tuple[int, int], str] = {
        (row["organisation_id"], row["session_id"]): row["status"]
        for row in Attendance.objects.filter(session__in=[s["pk"] for s in held]).values(
            "organisation_id", "session_id", "status"
        )
    }
    standings = []
    for seat in seats:
        # A member is counted from the sessions held after it got its seat.
        since = seat.decided_at
        its_held = [s for s in held if s["starts_at"] >= since]
        statuses = [records.get((seat.organisation_id, s["pk"]), AttendanceStatus.ABSENT) for s in its_held]
        result = two_thirds(
            held=len(its_held),
            attended=sum(1 for status in statuses if status == AttendanceStatus.PRESENT),
            remaining=len(planned),
        )
        in_a_row, total = unjustified_streaks(statuses)
        standings.append(
            Standing(
                assignment=seat,
                held=result.held,
                attended=result.attended,
                remaining=result.remaining,
                needed=result.needed,
                rate=result.rate,
                status=result.status,
                unjustified_in_a_row=in_a_row,
                unjustified_total=total,
            )
        )
    return standings
