from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from thematic_groups.enums import Eligibility, LocomotiveRoleType

# Far above the convention's 30: a coordinator may widen a group, but not to an absurd size.
MAX_CAPACITY = 200


class ThematicGroup(models.Model):
    """One of the five thematic groups (GT) of annex 1, with its fiche."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80)
    target_public = models.TextField(_("target public"))
    eligibility = models.CharField(_("eligibility"), max_length=20, choices=Eligibility.choices)
    scope = models.TextField(_("scope"))
    ambitions = models.TextField(_("ambitions"))
    out_of_scope = models.TextField(_("out of scope"), blank=True)
    capacity_min = models.PositiveSmallIntegerField(
        _("minimum participants"), default=20, validators=[MaxValueValidator(MAX_CAPACITY)]
    )
    capacity_max = models.PositiveSmallIntegerField(
        _("maximum participants"), default=30, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    first_session_start = models.DateTimeField(_("first session starts"))
    first_session_end = models.DateTimeField(_("first session ends"))

    class Meta:
        verbose_name = _("thematic group")
        verbose_name_plural = _("thematic groups")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_min__lte=F("capacity_max")),
                name="gt_capacity_min_le_max",
                violation_error_message=_("The maximum must be at least the minimum."),
            ),
            models.CheckConstraint(
                condition=Q(capacity_max__gte=1),
                name="gt_capacity_positive",
                violation_error_message=_("A group needs at least one seat."),
            ),
            models.CheckConstraint(
                condition=Q(first_session_end__gt=F("first_session_start")),
                name="gt_first_session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("thematic_groups:detail", kwargs={"slug": self.slug})

    @property
    def first_session_upcoming(self) -> bool:
        from django.utils import timezone

        return self.first_session_start > timezone.now()

    def accepts(self, organisation_type: str) -> bool:
        return Eligibility(self.eligibility).allows(organisation_type)


class Deliverable(models.Model):
    thematic_group = models.ForeignKey(
        ThematicGroup, verbose_name=_("thematic group"), on_delete=models.CASCADE, related_name="deliverables"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.TextField(_("deliverable"))
    due_label = models.CharField(_("due"), max_length=100, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["thematic_group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["thematic_group", "position"], name="deliverable_position_unique")
        ]

    def __str__(self) -> str:
        return self.title[:80]


class LocomotiveMember(models.Model):
    """A member of a GT's animation team (its locomotive): referent, pilot or facilitator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="locomotive_roles"
    )
    thematic_group = models.ForeignKey(
        ThematicGroup, verbose_name=_("thematic group"), on_delete=models.CASCADE, related_name="locomotive"
    )
    role = models.CharField(_("role"), max_length=20, choices=LocomotiveRoleType.choices)
    organisation_name = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("For example the pilot's federation.")
    )

    class Meta:
        verbose_name = _("locomotive member")
        verbose_name_plural = _("locomotive members")
        ordering = ["thematic_group", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "thematic_group", "role"], name="locomotive_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.thematic_group.short_name}"
