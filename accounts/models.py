from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an e-mail address; roles come from the tables that point here."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="fr"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the administration"), default=False)
    is_coordinator = models.BooleanField(_("operational coordination"), default=False)
    is_steering_member = models.BooleanField(_("steering committee member"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set when the account is closed or its retention period ends (accounts.privacy): the row stays so that
    # the records it signed or wrote keep their author, but it no longer says who that was.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


def data_export_upload_to(instance, filename: str) -> str:
    """A generated name outside any public path: the file is only served by the owner's download view."""
    return f"privacy/exports/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    """A person's request for a copy of everything the portal holds about them (GDPR art 15 and 20)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be prepared")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to=data_export_upload_to, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("prepared"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class ConsentRecord(models.Model):
    """One entry of the consent ledger (art 8): who gave or withdrew which consent, when, on which wording.

    Append-only: an entry is never changed nor deleted; a change of mind is a new entry.
    """

    class Subject(models.TextChoices):
        ADHESION = "adhesion", _("Adhesion form")
        ORGANISATION = "organisation", _("Organisation")
        REPORT = "report", _("Annual report")

    class Source(models.TextChoices):
        ADHESION_FORM = "adhesion_form", _("Adhesion form sent")
        MEMBERSHIP_CONFIRMED = "membership_confirmed", _("Carried over from the confirmed adhesion")
        ORGANISATION_PROFILE = "organisation_profile", _("Organisation details changed")
        REPORT = "report", _("Annual report")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    subject = models.CharField(_("consent of"), max_length=20, choices=Subject.choices)
    source = models.CharField(_("where"), max_length=30, choices=Source.choices)
    given = models.BooleanField(_("consent given"))
    wording_version = models.CharField(_("wording version"), max_length=50)
    wording_sha256 = models.CharField(_("wording SHA-256"), max_length=64)
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_records",
    )
    adhesion = models.ForeignKey(
        "adhesions.Adhesion",
        verbose_name=_("adhesion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report = models.ForeignKey(
        "reporting.Report", verbose_name=_("report"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The organisation's name at the time: the entry stays readable if the organisation is renamed or removed.
    subject_label = models.CharField(_("about"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_records",
    )

    class Meta:
        verbose_name = _("consent ledger entry")
        verbose_name_plural = _("consent ledger")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject_label} — {self.get_subject_display()} — {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The consent ledger is append-only: record a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The consent ledger is append-only.")
