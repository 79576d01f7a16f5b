from django.db import models
from django.utils.translation import gettext_lazy as _

from members.enums import OrganisationType


class Eligibility(models.TextChoices):
    ALL = "all", _("Hospitals and elder-care homes")
    HOSPITALS = "hospitals", _("Hospitals only")
    ELDER_CARE = "elder_care", _("Elder-care homes only")

    def allows(self, organisation_type: str) -> bool:
        allowed = {
            Eligibility.ALL: {OrganisationType.HOSPITAL, OrganisationType.ELDER_CARE_HOME},
            Eligibility.HOSPITALS: {OrganisationType.HOSPITAL},
            Eligibility.ELDER_CARE: {OrganisationType.ELDER_CARE_HOME},
        }[self]
        return organisation_type in allowed


class LocomotiveRoleType(models.TextChoices):
    REFERENT = "referent", _("ASeT-W referent")
    PILOT = "pilot", _("Thematic pilot")
    FACILITATOR = "facilitator", _("Facilitator")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Member of the group")
    OFFERED = "offered", _("Seat offered")
    WAITING = "waiting", _("On the waiting list")
    RELEASED = "released", _("Seat released")

    @classmethod
    def seat_holding(cls) -> frozenset[str]:
        """States that take one of the group's seats: an offered seat is kept until it is answered."""
        return frozenset({cls.ASSIGNED, cls.OFFERED})

    @classmethod
    def open_states(cls) -> frozenset[str]:
        return frozenset({cls.ASSIGNED, cls.OFFERED, cls.WAITING})


class ProposalDecision(models.TextChoices):
    ASSIGN = "assign", _("Assign a seat")
    WAIT = "wait", _("Waiting list")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")


class ReleaseReason(models.TextChoices):
    WITHDRAWAL = "withdrawal", _("The organisation left the alliance")
    REMOVAL = "removal", _("Removed by the coordination")
    DECLINED = "declined", _("The offered seat was declined")
    OFFER_EXPIRED = "offer_expired", _("The offered seat was not answered in time")


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused (announced 24 hours ahead)")
    EXCEPTIONAL = "exceptional", _("Excused (exceptional circumstances)")
    ABSENT = "absent", _("Absent without justification")

    @classmethod
    def unjustified(cls) -> frozenset[str]:
        return frozenset({cls.ABSENT})


class GuestStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class DeliverableState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")


class TwoThirdsStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    CANNOT_REACH = "cannot_reach", _("Cannot reach two thirds any more")


class AlertKind(models.TextChoices):
    AT_RISK = "at_risk", _("Two-thirds attendance at risk")
    CANNOT_REACH = "cannot_reach", _("Two-thirds attendance out of reach")
    REPEATED_ABSENCES = "repeated_absences", _("Repeated unjustified absences")
