"""The GTs' data, one module per subject: the groups themselves, seats, sessions and attendance."""

from thematic_groups.models.groups import MAX_CAPACITY, Deliverable, LocomotiveMember, ThematicGroup
from thematic_groups.models.seats import Assignment, AssignmentDeadlineReminder, Proposal, ProposalLine
from thematic_groups.models.sessions import (
    AbsenceNotice,
    Attendance,
    AttendanceAlert,
    CalendarToken,
    DeliverableProgress,
    IntersessionWork,
    Session,
    SessionGuest,
)

__all__ = [
    "MAX_CAPACITY",
    "AbsenceNotice",
    "Assignment",
    "AssignmentDeadlineReminder",
    "Attendance",
    "AttendanceAlert",
    "CalendarToken",
    "Deliverable",
    "DeliverableProgress",
    "IntersessionWork",
    "LocomotiveMember",
    "Proposal",
    "ProposalLine",
    "Session",
    "SessionGuest",
    "ThematicGroup",
]
