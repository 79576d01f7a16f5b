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
