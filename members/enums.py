from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    ELDER_CARE_HOME = "elder_care", _("Elder-care home")
    OTHER = "other", _("Other ecosystem actor")


FINAL_BENEFICIARY_TYPES = frozenset({OrganisationType.HOSPITAL, OrganisationType.ELDER_CARE_HOME})


class OrganisationCategory(models.TextChoices):
    FINAL_BENEFICIARY = "final_beneficiary", _("Final beneficiary")
    ECOSYSTEM_ACTOR = "ecosystem_actor", _("Ecosystem actor")


class OrganisationStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Adhesion in progress")
    ACTIVE = "active", _("Member")
    WITHDRAWING = "withdrawing", _("Withdrawal announced")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def member_states(cls) -> frozenset[str]:
        """States in which the organisation takes part in the alliance's work."""
        return frozenset({cls.ACTIVE, cls.WITHDRAWING})


class OrganisationRoleType(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    CONTACT_POINT = "contact_point", _("Contact point")
    DELEGATE = "delegate", _("GT delegate")
