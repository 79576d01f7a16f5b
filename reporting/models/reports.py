"""The yearly reporting (art 7): a campaign per year, one report per final beneficiary, the reminders,
and the consolidated files built from them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reporting.enums import ActionStatus, CampaignStatus, ExportKind, ExportStatus, ReportStatus


def export_upload_to(instance, filename: str) -> str:
    return f"reporting/exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class ReportingCampaign(models.Model):
    year = models.PositiveSmallIntegerField(_("year reported on"), unique=True)
    deadline = models.DateField(_("deadline"))
    template_version = models.PositiveSmallIntegerField(_("template version"))
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting campaign")
        verbose_name_plural = _("reporting campaigns")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(_("Reporting %(year)s") % {"year": self.year})


class Report(models.Model):
    """A member's report for one year; locked once the coordination accepts it."""

    campaign = models.ForeignKey(
        ReportingCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="reports"
    )
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    template_version = models.PositiveSmallIntegerField(_("template version"))
    general_answers = models.JSONField(_("general answers"), default=dict, blank=True)
    nominative_consent = models.BooleanField(_("may be cited by name (art 8)"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent choice recorded"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_comment = models.TextField(_("comment of the coordination"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised at every save of the answers, so two people editing at once cannot overwrite each other unseen.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-campaign__year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="report_one_per_member_and_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.campaign.year}"

    @property
    def is_editable(self) -> bool:
        return self.status in ReportStatus.editable()

    @property
    def is_overdue(self) -> bool:
        return self.status in ReportStatus.editable() and timezone.localdate() > self.campaign.deadline


class ReportEntry(models.Model):
    """The report's answers on one action; keeps the action's title and GT as they were that year."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="entries")
    action = models.ForeignKey(
        "reporting.Action",
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_entries",
    )
    thematic_group = models.ForeignKey(
        "thematic_groups.ThematicGroup",
        verbose_name=_("thematic group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lever_name = models.CharField(_("lever"), max_length=150, blank=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # {indicator id: {"name", "unit", "baseline", "target", "value"}}: the values reported that year.
    indicator_values = models.JSONField(_("indicator values"), default=dict, blank=True)

    class Meta:
        verbose_name = _("report entry")
        verbose_name_plural = _("report entries")
        ordering = ["thematic_group__number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "action"], name="report_entry_once_per_action"),
        ]

    def __str__(self) -> str:
        return self.title


class ReportEvent(models.Model):
    """The report's history as the member sees it: submitted, returned with a comment, accepted, consent."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        ACCEPTED = "accepted", pgettext_lazy("report status", "Accepted")
        CONSENT = "consent", _("Consent changed")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.created_at:%Y-%m-%d %H:%M}"


class ReportReminder(models.Model):
    """One reminder of one kind for one report: the unique row is the claim, so it is never sent twice."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("reminder"), max_length=30)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="report_reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} — {self.sent_at:%Y-%m-%d}"


class ExportJob(models.Model):
    """A file built in the background (the consolidated PDF), with its progress for the page that waits."""

    kind = models.CharField(_("kind"), max_length=30, choices=ExportKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    thematic_group = models.ForeignKey(
        "thematic_groups.ThematicGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"
