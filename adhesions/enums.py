from django.db import models
from django.utils.translation import gettext_lazy as _


class AdhesionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    SIGNED = "signed", _("Signed, to be checked")
    SIGNATURES_VALIDATED = "signatures_validated", _("Signatures validated")
    CORRECTIONS_REQUESTED = "corrections_requested", _("Corrections requested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")

    @classmethod
    def editable(cls) -> frozenset[str]:
        """States in which the applicant may change the answers."""
        return frozenset({cls.DRAFT, cls.CORRECTIONS_REQUESTED, cls.AWAITING_SIGNATURES, cls.SIGNED})

    @classmethod
    def pending(cls) -> frozenset[str]:
        """Submitted and not yet decided: the enterprise number is taken by this adhesion."""
        return frozenset({cls.AWAITING_SIGNATURES, cls.SIGNED, cls.SIGNATURES_VALIDATED, cls.CORRECTIONS_REQUESTED})


class SignatoryRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative (form §6.1)")
    DELEGATE = "delegate", _("GT delegate (form §6.2)")


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the signature")
    SIGNED = "signed", _("Signed")
    VOID = "void", _("Void: the form changed")
    SUPERSEDED = "superseded", _("Replaced by a newer request")
    CANCELLED = "cancelled", _("No longer needed: the adhesion was closed")


class SignatureMethod(models.TextChoices):
    ONLINE = "online", _("Signed online")
    ATTACHED_PDF = "attached_pdf", _("Signed PDF attached by the coordination")


class ContributionOption(models.TextChoices):
    TWO_ACTIONS = "1", _("Option 1 — two actions identified")
    NOT_DEFINED = "2", _("Option 2 — actions not defined yet")
