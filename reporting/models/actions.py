"""What each member does: its actions per GT (art 4bis.3), the levers they pull and their indicators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.enums import ActionOrigin, ActionStatus


class Lever(models.Model):
    """A lever of one GT (for Décarbonation: care eco-design, food, mobility…); coordinators keep the lists."""

    thematic_group = models.ForeignKey(
        "thematic_groups.ThematicGroup",
        verbose_name=_("thematic group"),
        on_delete=models.CASCADE,
        related_name="levers",
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("offered for new actions"), default=True, help_text=_("A lever no longer offered stays on past actions.")
    )

    class Meta:
        verbose_name = _("lever")
        verbose_name_plural = _("levers")
        ordering = ["thematic_group__number", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["thematic_group", "name"], name="lever_unique_name_per_group"),
        ]

    def __str__(self) -> str:
        return self.name


class Action(models.Model):
    """A concrete action of a member: two per GT followed for a final beneficiary, one optional for an
    ecosystem actor (art 4ter.3, without a GT)."""

    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="actions"
    )
    thematic_group = models.ForeignKey(
        "thematic_groups.ThematicGroup",
        verbose_name=_("thematic group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lever = models.ForeignKey(
        Lever, verbose_name=_("lever"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.ENVISAGED)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    partners = models.CharField(
        _("partner organisations"),
        max_length=500,
        blank=True,
        help_text=_("Organisations you carry out the action with, inside or outside the alliance."),
    )
    final_beneficiaries = models.ManyToManyField(
        "members.Organisation",
        verbose_name=_("final beneficiaries involved"),
        blank=True,
        related_name="partner_actions",
    )
    origin = models.CharField(_("origin"), max_length=30, choices=ActionOrigin.choices, default=ActionOrigin.MEMBER)
    # Where an action came from outside (the adhesion form), so that importing it twice adds nothing.
    origin_key = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["thematic_group__number", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "origin_key"], condition=~Q(origin_key=""), name="action_imported_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="action_ends_after_start",
                violation_error_message=_("The action cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def counts_toward_commitment(self) -> bool:
        return self.status in ActionStatus.committed()


class Indicator(models.Model):
    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=150)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("For example: kWh, t CO2e, %, kg, number."))
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True, blank=True)
    latest_value = models.DecimalField(_("latest value"), max_digits=16, decimal_places=2, null=True, blank=True)
    latest_on = models.DateField(_("measured on"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"
