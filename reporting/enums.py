from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActionStatus(models.TextChoices):
    ENVISAGED = "envisaged", _("Envisaged")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")

    @classmethod
    def committed(cls) -> frozenset[str]:
        """The actions that count toward the "at least two actions per GT" commitment (art 4bis.3)."""
        return frozenset({cls.ENVISAGED, cls.PLANNED, cls.IN_PROGRESS, cls.DONE})


class ActionOrigin(models.TextChoices):
    MEMBER = "member", _("Recorded by the member")
    ADHESION_OPTION_1 = "adhesion_option_1", _("Adhesion form, Option 1")
    ADHESION_INTERNAL = "adhesion_internal", _("Adhesion form, internal action (art 4ter.3)")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ACCEPTED = "accepted", pgettext_lazy("report status", "Accepted")

    @classmethod
    def editable(cls) -> frozenset[str]:
        """States in which the member can still change its answers."""
        return frozenset({cls.DRAFT, cls.RETURNED})

    @classmethod
    def awaiting_review(cls) -> frozenset[str]:
        return frozenset({cls.SUBMITTED, cls.RESUBMITTED})

    @classmethod
    def handed_in(cls) -> frozenset[str]:
        return frozenset({cls.SUBMITTED, cls.RESUBMITTED, cls.ACCEPTED})


class ResultTone(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    MIXED = "mixed", _("Mixed")
    NEGATIVE = "negative", _("Negative")
    TOO_EARLY = "too_early", _("Too early to say")


class Obstacle(models.TextChoices):
    BUDGET = "budget", _("Budget")
    STAFF_TIME = "staff_time", _("Staff time")
    SKILLS = "skills", _("Skills or knowledge")
    MANAGEMENT = "management", _("Support from management")
    SUPPLIERS = "suppliers", _("Suppliers or market offer")
    REGULATION = "regulation", _("Regulation or standards")
    DATA = "data", _("Data and measurement")
    BUILDINGS = "buildings", _("Buildings or technical constraints")
    CULTURE = "culture", _("Habits and resistance to change")
    OTHER = "other", _("Other")


class Need(models.TextChoices):
    TRAINING = "training", _("Training")
    TOOLS = "tools", _("Tools and templates")
    PEER_EXCHANGE = "peer_exchange", _("Exchange with peers")
    EXPERT_SUPPORT = "expert_support", _("Expert support")
    FUNDING = "funding", _("Funding")
    DATA = "data", _("Data and indicators")
    REGULATION = "regulation", _("Regulatory clarification")
    PURCHASING = "purchasing", _("Joint purchasing")
    OTHER = "other", _("Other")


class ExportKind(models.TextChoices):
    CONSOLIDATED_PDF = "consolidated_pdf", _("Annual consolidated report (PDF)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
