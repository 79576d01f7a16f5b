from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    TOOL = "tool", _("Operational tool")
    GUIDE = "guide", _("Practical guide")
    STUDY = "study", _("Study")
    PUBLICATION = "publication", _("Scientific publication")
    EXPERIENCE = "experience", _("Experience feedback")
    GOOD_PRACTICE = "good_practice", _("Good practice")
    TRAINING = "training", _("Training, workshop or webinar")


class ResourceOrigin(models.TextChoices):
    BELGIAN = "belgian", _("Belgian")
    INTERNATIONAL = "international", _("International")


class ResourceLanguage(models.TextChoices):
    FR = "fr", _("French")
    NL = "nl", _("Dutch")
    DE = "de", _("German")
    EN = "en", _("English")
    OTHER = "other", _("Other language")


class ResourceStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden after a flag")

    @classmethod
    def in_moderation(cls) -> frozenset[str]:
        return frozenset({cls.PENDING})

    @classmethod
    def editable_by_author(cls) -> frozenset[str]:
        return frozenset({cls.PENDING, cls.CHANGES_REQUESTED})


class DigestRhythm(models.TextChoices):
    IMMEDIATE = "immediate", _("Each time a resource is published")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week (Monday)")
    NEVER = "never", _("Never")


class FollowKind(models.TextChoices):
    THEME = "theme", _("Theme")
    RESOURCE_KIND = "kind", _("Type of resource")


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    WORKSHOP = "workshop", _("Workshop")
    ANNUAL = "annual", _("Annual event of the alliance")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
