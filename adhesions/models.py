from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adhesions.enums import AdhesionStatus, SignatoryRole, SignatureMethod, SignatureStatus
from core.uploads import generated_file_name


# Stored files never keep the name they were sent with: it is shown, never used as a path.
def document_upload_to(instance, filename: str) -> str:
    return generated_file_name("adhesions/documents", filename)


def attachment_upload_to(instance, filename: str) -> str:
    return generated_file_name("adhesions/attachments", filename)


def signed_pdf_upload_to(instance, filename: str) -> str:
    return generated_file_name("adhesions/signed", filename)


class Adhesion(models.Model):
    """An organisation's adhesion form, from the first draft to the coordination's decision.

    The answers live in ``answers`` while the form is being filled; the organisation and its people
    are created only when the coordination confirms receipt (art 6.2).
    """

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled in by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="adhesions",
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adhesions",
    )
    status = models.CharField(
        _("status"), max_length=30, choices=AdhesionStatus.choices, default=AdhesionStatus.DRAFT, db_index=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    completed_steps = models.JSONField(_("completed steps"), default=list, blank=True)
    # Copies of a few answers, for the coordination's filters and the uniqueness rule.
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    organisation_type = models.CharField(_("organisation type"), max_length=20, blank=True)
    enterprise_number = models.CharField(_("enterprise number (BCE/KBO)"), max_length=10, blank=True)
    group_preferences = models.ManyToManyField(
        "thematic_groups.ThematicGroup", verbose_name=_("GT preferences"), blank=True, related_name="adhesions"
    )
    initiatives_file = models.FileField(_("attached report"), upload_to=attachment_upload_to, blank=True)
    initiatives_file_name = models.CharField(_("attached report name"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("document version"), default=0)
    content_sha256 = models.CharField(_("answers fingerprint"), max_length=64, blank=True)
    document = models.FileField(_("signed document (PDF)"), upload_to=document_upload_to, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    nominative_consent = models.BooleanField(_("consents to be named (art 8)"), default=False)
    nominative_consent_at = models.DateTimeField(_("consent given or withdrawn on"), null=True, blank=True)
    corrections_message = models.TextField(_("corrections asked"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    signatures_completed_at = models.DateTimeField(_("all signatures received"), null=True, blank=True)
    signatures_validated_at = models.DateTimeField(_("signatures validated"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("adhesion")
        verbose_name_plural = _("adhesions")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_number"],
                condition=Q(status__in=sorted(AdhesionStatus.pending())),
                name="adhesion_one_pending_per_enterprise",
                violation_error_message=_("An adhesion is already pending for this enterprise number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.organisation_name or _('(not named yet)')}"

    @property
    def reference(self) -> str:
        return f"ADH-{self.created_at:%Y}-{self.pk or 0:05d}"

    @property
    def is_editable(self) -> bool:
        return self.status in AdhesionStatus.editable()

    @property
    def is_final_beneficiary(self) -> bool:
        from members.enums import FINAL_BENEFICIARY_TYPES

        return self.organisation_type in FINAL_BENEFICIARY_TYPES

    def section(self, name: str) -> dict:
        return dict(self.answers.get(name) or {})


class SignatureRequest(models.Model):
    """One signatory's signature on one version of the adhesion document.

    The e-mailed link carries a secret whose SHA-256 is stored here: the link is the only proof of
    identity a signer needs, so it is single-use, expires and is bound to this one request.
    """

    class Purpose(models.TextChoices):
        ADHESION = "adhesion", _("Adhesion form")
        DELEGATE_REPLACEMENT = "delegate_replacement", _("Replacement of a GT delegate")

    adhesion = models.ForeignKey(
        Adhesion, verbose_name=_("adhesion"), on_delete=models.CASCADE, related_name="signatures"
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices, default=Purpose.ADHESION)
    role = models.CharField(_("signs as"), max_length=30, choices=SignatoryRole.choices)
    thematic_group = models.ForeignKey(
        "thematic_groups.ThematicGroup",
        verbose_name=_("thematic group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    function = models.CharField(_("function"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    document_version = models.PositiveIntegerField(_("document version"))
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64)
    token_hash = models.CharField(_("link fingerprint"), max_length=64, unique=True, null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"))
    status = models.CharField(
        _("status"), max_length=20, choices=SignatureStatus.choices, default=SignatureStatus.PENDING, db_index=True
    )
    method = models.CharField(_("method"), max_length=20, choices=SignatureMethod.choices, blank=True)
    signed_at = models.DateTimeField(_("signed at (UTC)"), null=True, blank=True)
    signed_name = models.CharField(_("name typed"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("browser"), blank=True)
    attached_pdf = models.FileField(_("signed PDF"), upload_to=signed_pdf_upload_to, blank=True)
    # A delegate replacement signs its own acceptance, not the adhesion form of the past.
    own_document = models.FileField(_("document to sign"), upload_to=signed_pdf_upload_to, blank=True)
    attached_pdf_sha256 = models.CharField(_("signed PDF SHA-256"), max_length=64, blank=True)
    pdf_validation = models.JSONField(_("digital signature check"), default=dict, blank=True)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attached by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaces = models.ForeignKey(
        "members.OrganisationRole",
        verbose_name=_("replaces the delegate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["adhesion", "-document_version", "role", "thematic_group__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=SignatoryRole.DELEGATE, thematic_group__isnull=False)
                | Q(role=SignatoryRole.LEGAL_REPRESENTATIVE, thematic_group__isnull=True),
                name="signature_delegate_has_group",
            ),
            models.CheckConstraint(
                condition=~Q(status=SignatureStatus.SIGNED) | Q(signed_at__isnull=False),
                name="signature_signed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.get_role_display()}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_signed(self) -> bool:
        return self.status == SignatureStatus.SIGNED
