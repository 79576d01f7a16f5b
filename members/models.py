from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.enterprise_number import format_enterprise_number, validate_enterprise_number
from members.enums import (
    FINAL_BENEFICIARY_TYPES,
    OrganisationCategory,
    OrganisationRoleType,
    OrganisationStatus,
    OrganisationType,
)


class Organisation(models.Model):
    name = models.CharField(_("official name"), max_length=255)
    legal_form = models.CharField(_("legal form"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    type_precision = models.CharField(
        _("type precision"),
        max_length=200,
        blank=True,
        help_text=_("Required for another ecosystem actor: patient association, federation, research centre…"),
    )
    enterprise_number = models.CharField(
        _("enterprise number (BCE/KBO)"),
        max_length=10,
        unique=True,
        validators=[validate_enterprise_number],
        error_messages={"unique": _("An organisation with this enterprise number is already registered.")},
    )
    street = models.CharField(_("street and number"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.CANDIDATE
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    withdrawal_effective_on = models.DateField(_("withdrawal takes effect on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawal_requested_at = models.DateTimeField(_("withdrawal asked on"), null=True, blank=True)
    withdrawal_confirmed_at = models.DateTimeField(_("withdrawal confirmed on"), null=True, blank=True)
    nominative_consent = models.BooleanField(_("consents to be named (art 8)"), default=False)
    nominative_consent_at = models.DateTimeField(_("consent given or withdrawn on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(type=OrganisationType.OTHER) | ~Q(type_precision=""),
                name="organisation_other_needs_precision",
                violation_error_message=_("Say what kind of ecosystem actor the organisation is."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def category(self) -> str:
        if self.type in FINAL_BENEFICIARY_TYPES:
            return OrganisationCategory.FINAL_BENEFICIARY
        return OrganisationCategory.ECOSYSTEM_ACTOR

    @property
    def is_final_beneficiary(self) -> bool:
        return self.category == OrganisationCategory.FINAL_BENEFICIARY

    def get_category_display(self) -> str:
        return str(OrganisationCategory(self.category).label)

    @property
    def enterprise_number_display(self) -> str:
        return format_enterprise_number(self.enterprise_number)

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"

    @property
    def is_member(self) -> bool:
        return self.status in OrganisationStatus.member_states()


class OrganisationRole(models.Model):
    """A person's role for an organisation: legal representative, contact point or GT delegate."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="organisation_roles"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=30, choices=OrganisationRoleType.choices)
    thematic_group = models.ForeignKey(
        "thematic_groups.ThematicGroup",
        verbose_name=_("thematic group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegate_roles",
    )
    function = models.CharField(_("function"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=OrganisationRoleType.DELEGATE, thematic_group__isnull=False)
                | (~Q(role=OrganisationRoleType.DELEGATE) & Q(thematic_group__isnull=True)),
                name="orgrole_delegate_has_group",
                violation_error_message=_("A delegate is always attached to a thematic group, and only a delegate."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "thematic_group"],
                condition=Q(role=OrganisationRoleType.DELEGATE),
                name="orgrole_one_delegate_per_group",
                violation_error_message=_("The organisation already has a delegate in this thematic group."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "role"],
                condition=~Q(role=OrganisationRoleType.DELEGATE),
                name="orgrole_one_representative_and_contact",
                violation_error_message=_("The organisation already has a person in this role."),
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.user} — {self.get_role_display()} — {self.organisation}"
        if self.thematic_group_id:
            label += f" ({self.thematic_group.short_name})"
        return label

    def clean(self) -> None:

        if self.role == OrganisationRoleType.DELEGATE:
            if self.thematic_group_id is None:
                raise ValidationError({"thematic_group": _("A delegate is always attached to a thematic group.")})
            if self.organisation_id and not self.thematic_group.accepts(self.organisation.type):
                raise ValidationError(
                    {
                        "thematic_group": _("%(organisation)s cannot take part in %(group)s.")
                        % {"organisation": self.organisation.name, "group": self.thematic_group.name}
                    }
                )
        elif self.thematic_group_id is not None:
            raise ValidationError({"thematic_group": _("Only a delegate is attached to a thematic group.")})
