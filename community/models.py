"""The members' library (annex 2): themes, resources with their file or link, moderation and flags."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.enums import (
    DigestRhythm,
    EventKind,
    FollowKind,
    RegistrationStatus,
    ResourceKind,
    ResourceLanguage,
    ResourceOrigin,
    ResourceStatus,
)


def resource_upload_to(instance, filename: str) -> str:
    """Stored under a generated name: the name it was sent with is kept apart, for the download only."""
    return f"library/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Theme(models.Model):
    """The five GTs and a transversal theme (annex 2): how the library is organised."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    thematic_group = models.OneToOneField(
        "thematic_groups.ThematicGroup",
        verbose_name=_("thematic group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_theme",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("tag"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=3000)
    kind = models.CharField(_("type"), max_length=20, choices=ResourceKind.choices)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="resources")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="resources")
    language = models.CharField(_("language"), max_length=10, choices=ResourceLanguage.choices, default="fr")
    origin = models.CharField(_("origin"), max_length=20, choices=ResourceOrigin.choices)
    file = models.FileField(_("file"), upload_to=resource_upload_to, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_type = models.CharField(_("file type"), max_length=120, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    link = models.URLField(_("link"), max_length=500, blank=True)
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("contributing organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deposited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    status = models.CharField(_("status"), max_length=20, choices=ResourceStatus.choices, default="pending")
    moderation_note = models.TextField(_("message of the moderation"), blank=True)
    # Accent-free, lower-case words with their plural endings removed: the search on databases without
    # full-text search (the embedded SQLite), and the input of PostgreSQL's own index.
    search_text = models.TextField(editable=False, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("deposited"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""),
                name="resource_has_file_or_link",
                violation_error_message=_("Give a file or a link."),
            ),
        ]
        # The GIN index of ``search_vector`` is PostgreSQL's only: the migration creates it there.
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:resource", args=[self.pk])


class ResourceEvent(models.Model):
    """What happened to a deposit, as its author sees it: submitted, changes asked, published, rejected…"""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=ResourceStatus.choices)
    message = models.TextField(_("message"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("resource event")
        verbose_name_plural = _("resource events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} — {self.created_at:%Y-%m-%d}"


class ResourceFlag(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="flags")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="resource_flags"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.resource} — {self.created_at:%Y-%m-%d}"


def new_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class Watch(models.Model):
    """A person's thematic watch (annex 2): what they follow and how often they hear of it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_watch")
    rhythm = models.CharField(_("rhythm"), max_length=20, choices=DigestRhythm.choices, default=DigestRhythm.WEEKLY)
    # In every digest's unsubscribe link: it works without signing in, and a new one replaces it.
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("thematic watch")
        verbose_name_plural = _("thematic watches")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_rhythm_display()}"


class Follow(models.Model):
    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(_("what"), max_length=10, choices=FollowKind.choices)
    value = models.CharField(_("value"), max_length=50)

    class Meta:
        verbose_name = _("followed subject")
        verbose_name_plural = _("followed subjects")
        constraints = [models.UniqueConstraint(fields=["watch", "kind", "value"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class DigestDelivery(models.Model):
    """One digest for one person and one period: the unique row is the claim, so it goes out once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=40)
    resources = models.PositiveIntegerField(_("resources"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_once_per_period")]

    def __str__(self) -> str:
        return f"{self.user} — {self.period}"


class Event(models.Model):
    """An event of the learning network (art 3): webinars, workshops and the annual event."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="events")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), help_text=_("People, or organisations for the annual event."))
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def per_organisation(self) -> bool:
        """The annual event gathers the members: one registration per organisation (art 3)."""
        return self.kind == EventKind.ANNUAL


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations")
    organisation = models.ForeignKey(
        "members.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=~models.Q(status="cancelled"), name="registration_once_per_person"
            ),
            models.UniqueConstraint(
                fields=["event", "organisation"],
                condition=~models.Q(status="cancelled") & models.Q(organisation__isnull=False),
                name="registration_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {self.user}"
