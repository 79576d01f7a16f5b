from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import generated_file_name
from thematic_groups.enums import (
    AlertKind,
    AttendanceStatus,
    DeliverableState,
    GuestStatus,
    SessionStatus,
)
from thematic_groups.models.groups import Deliverable, ThematicGroup


def new_secret() -> str:
    return secrets.token_urlsafe(24)


# Stored under a generated name; the name the file was sent with is kept in ``file_name``.
def intersession_upload_to(instance, filename: str) -> str:
    return generated_file_name(f"gt/intersession/{instance.session_id}", filename)


def deliverable_upload_to(instance, filename: str) -> str:
    return generated_file_name(f"gt/deliverables/{instance.deliverable_id}", filename)


class Session(models.Model):
    """A GT session planned by the locomotive (annex 1 §3): announced at least two months ahead."""

    thematic_group = models.ForeignKey(
        ThematicGroup, verbose_name=_("thematic group"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    intersession_task = models.TextField(
        _("intersession task"),
        blank=True,
        help_text=_("A short task each member does before the next session (update, analysis, feedback)."),
    )
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.DRAFT)
    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    short_notice_reason = models.TextField(_("reason for publishing less than two months ahead"), blank=True)
    short_notice_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    short_notice_requested_at = models.DateTimeField(_("exceptional publication asked for"), null=True, blank=True)
    short_notice_request = models.TextField(_("why the locomotive asks for an exceptional publication"), blank=True)
    cancellation_reason = models.TextField(_("reason for the cancellation"), blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    check_in_token = models.CharField(max_length=64, default=new_secret, unique=True, editable=False)
    attendance_closed_at = models.DateTimeField(_("attendance list closed"), null=True, blank=True)
    attendance_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["thematic_group", "status", "starts_at"], name="session_group_status")]

    def __str__(self) -> str:
        return f"{self.thematic_group.short_name} — {self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    @property
    def is_published(self) -> bool:
        return self.status == SessionStatus.PUBLISHED

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def attendance_closed(self) -> bool:
        return self.attendance_closed_at is not None


class AbsenceNotice(models.Model):
    """A delegate announces that the organisation will miss a session (annex 1 §4)."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="absences")
    organisation = models.ForeignKey("members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("announced by"), on_delete=models.PROTECT, related_name="+"
    )
    announced_at = models.DateTimeField(_("announced"), default=timezone.now)
    message = models.TextField(_("message to the pilot"), blank=True)
    replacement = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_time = models.BooleanField(_("announced at least 24 hours ahead"))
    exceptional_reason = models.TextField(_("exceptional circumstances"), blank=True)
    exceptional_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence notice")
        verbose_name_plural = _("absence notices")
        ordering = ["session", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "organisation"], name="absence_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.session}"

    @property
    def attendance_status(self) -> str:
        """What the absence counts as, unless somebody from the organisation attends anyway.

        A named replacement is present once they check in (or the locomotive records them): naming one
        does not make the organisation present by itself.
        """
        if self.exceptional_reason:
            return AttendanceStatus.EXCEPTIONAL
        return AttendanceStatus.EXCUSED if self.on_time else AttendanceStatus.ABSENT


class Attendance(models.Model):
    """One organisation's attendance at one session: checked in, then completed and closed by the locomotive."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey("members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE)
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    attendee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attended in person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "organisation"], name="attendance_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.session}: {self.get_status_display()}"


class SessionGuest(models.Model):
    """An ecosystem actor invited for its expertise (art 4ter.2): on the attendance list, never in a seat."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="guests")
    organisation = models.ForeignKey("members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE)
    topic = models.CharField(_("expertise asked for"), max_length=300)
    status = models.CharField(_("answer"), max_length=20, choices=GuestStatus.choices, default=GuestStatus.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("invited expert")
        verbose_name_plural = _("invited experts")
        ordering = ["session", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["session", "organisation"], name="guest_once_per_session")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.session}"


class IntersessionWork(models.Model):
    """A member marks the session's intersession task done, with an optional comment or file."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="intersession_work")
    organisation = models.ForeignKey("members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE)
    done_at = models.DateTimeField(_("done"), default=timezone.now)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    file = models.FileField(_("file"), upload_to=intersession_upload_to, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("intersession work")
        verbose_name_plural = _("intersession work")
        constraints = [
            models.UniqueConstraint(fields=["session", "organisation"], name="intersession_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.session}"


class DeliverableProgress(models.Model):
    """Where one member stands on one of its GT's deliverables."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="progress")
    organisation = models.ForeignKey("members.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE)
    state = models.CharField(
        _("state"), max_length=20, choices=DeliverableState.choices, default=DeliverableState.NOT_STARTED
    )
    file = models.FileField(_("file"), upload_to=deliverable_upload_to, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("deliverable progress")
        verbose_name_plural = _("deliverable progress")
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "organisation"], name="deliverable_progress_once"),
            models.CheckConstraint(
                condition=~Q(state="submitted") | ~Q(file=""),
                name="deliverable_submitted_has_file",
                violation_error_message=_("A submitted deliverable comes with its file."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.deliverable}: {self.get_state_display()}"


class CalendarToken(models.Model):
    """The secret in a person's calendar feed URL; renewing it cuts off every copy of the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_secret)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user}"


class AttendanceAlert(models.Model):
    """Claimed once per member, kind and session, so the coordination and the pilot are alerted once."""

    assignment = models.ForeignKey("thematic_groups.Assignment", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "session"], name="attendance_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} — {self.kind}"
