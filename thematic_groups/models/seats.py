from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thematic_groups.enums import AssignmentStatus, ProposalDecision, ReleaseReason
from thematic_groups.models.groups import ThematicGroup


class Assignment(models.Model):
    """An organisation's place in a GT: a seat, an offered seat, a place on the waiting list, or a released one.

    One row per organisation and group, whatever happens to it, so the history of a seat stays readable.
    """

    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="assignments"
    )
    thematic_group = models.ForeignKey(
        ThematicGroup, verbose_name=_("thematic group"), on_delete=models.CASCADE, related_name="assignments"
    )
    status = models.CharField(_("status"), max_length=20, choices=AssignmentStatus.choices)
    reason = models.TextField(_("why"), blank=True)
    queued_since = models.DateField(
        _("waiting since"), help_text=_("The date the organisation's membership was confirmed.")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    priority_reason = models.TextField(_("reason for the priority"), blank=True)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    notified_at = models.DateTimeField(_("organisation notified"), null=True, blank=True)
    offer_expires_on = models.DateField(_("offer open until"), null=True, blank=True)
    removal_effective_on = models.DateField(_("removal takes effect on"), null=True, blank=True)
    removal_reason = models.TextField(_("reason for the removal"), blank=True)
    release_reason = models.CharField(_("released because"), max_length=20, choices=ReleaseReason.choices, blank=True)

    class Meta:
        verbose_name = _("GT assignment")
        verbose_name_plural = _("GT assignments")
        ordering = ["thematic_group", "status", "-priority", "queued_since", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "thematic_group"], name="assignment_one_per_group"),
            models.CheckConstraint(
                condition=Q(priority=0) | ~Q(priority_reason=""),
                name="assignment_priority_has_reason",
                violation_error_message=_("A priority needs a recorded reason."),
            ),
        ]
        indexes = [models.Index(fields=["thematic_group", "status"], name="assignment_group_status")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.thematic_group.short_name} ({self.get_status_display()})"

    @property
    def holds_seat(self) -> bool:
        return self.status in AssignmentStatus.seat_holding()


class Proposal(models.Model):
    """A computed set of assignments for every pending candidate, adjusted and then validated by a coordinator."""

    created_at = models.DateTimeField(_("computed"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("computed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment proposal")
        verbose_name_plural = _("assignment proposals")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return _("Proposal of %(date)s") % {"date": timezone.localtime(self.created_at).strftime("%d/%m/%Y %H:%M")}


class ProposalLine(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    organisation = models.ForeignKey("members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE)
    thematic_group = models.ForeignKey(ThematicGroup, verbose_name=_("thematic group"), on_delete=models.CASCADE)
    decision = models.CharField(_("decision"), max_length=20, choices=ProposalDecision.choices)
    computed_decision = models.CharField(_("computed decision"), max_length=20, choices=ProposalDecision.choices)
    explanation = models.TextField(_("explanation"))
    computed_explanation = models.TextField(_("computed explanation"), blank=True)
    rank = models.PositiveIntegerField(_("rank"))
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["thematic_group__number", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organisation", "thematic_group"], name="proposal_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.thematic_group.short_name}: {self.get_decision_display()}"

    @property
    def adjusted(self) -> bool:
        return self.decision != self.computed_decision


class AssignmentDeadlineReminder(models.Model):
    """Claimed once per organisation, so the one-month reminder (art 4bis.2) never goes out twice."""

    organisation = models.OneToOneField("members.Organisation", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.sent_at:%Y-%m-%d}"
