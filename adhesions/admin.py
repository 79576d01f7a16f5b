"""The coordination's desk for adhesions: read the form and the signatures' evidence, decide.

Nothing is edited in place: every change goes through ``adhesions.services`` (audited, e-mailed, in
one transaction), from the list's actions or the buttons of the adhesion's page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from adhesions import services
from adhesions.enums import AdhesionStatus, SignatureStatus
from adhesions.models import Adhesion, SignatureRequest
from adhesions.review import review_sections
from adhesions.signed_pdf import SignedPdfReport
from core.admin import AuditEntryInline, ReadOnlyAdminMixin
from core.uploads import CheckedFileField, attachment_response
from members.enterprise_number import format_enterprise_number
from members.enums import OrganisationType

Status = AdhesionStatus
ADHESION_PURPOSE = SignatureRequest.Purpose.ADHESION


def _count_of(signatures) -> Coalesce:
    """How many of ``signatures`` (filtered on ``OuterRef("pk")``) there are, as a column of each adhesion."""
    counted = signatures.order_by().values("adhesion").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted[:1]), 0)


def _type_label(value: str) -> str:
    return str(OrganisationType(value).label) if value in OrganisationType.values else value or "—"


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- List filters ------------------------------------------------------------------------------------


class OrganisationTypeFilter(admin.SimpleListFilter):
    # The field is a copy of an answer, without choices: the labels come from the organisation's types.
    title = _("organisation type")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return OrganisationType.choices

    def queryset(self, request, queryset):
        return queryset.filter(organisation_type=self.value()) if self.value() else queryset


class SignaturesMissingFilter(admin.SimpleListFilter):
    title = _("signatures missing")
    parameter_name = "signatures_missing"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        pending = SignatureRequest.objects.filter(
            adhesion=OuterRef("pk"),
            purpose=ADHESION_PURPOSE,
            document_version=OuterRef("version"),
            status=SignatureStatus.PENDING,
        )
        if self.value() == "yes":
            return queryset.filter(Exists(pending))
        if self.value() == "no":
            return queryset.filter(~Exists(pending))
        return queryset


class WaitingSinceFilter(admin.SimpleListFilter):
    """Undecided adhesions sent more than N days ago: the organisations waiting longest for an answer."""

    title = _("waiting since")
    parameter_name = "waiting"
    DAYS = (7, 14, 30)

    def lookups(self, request, model_admin):
        return [(str(days), _("more than %(days)d days") % {"days": days}) for days in self.DAYS]

    def queryset(self, request, queryset):
        if self.value() not in {str(days) for days in self.DAYS}:
            return queryset
        since = timezone.now() - timedelta(days=int(self.value()))
        return queryset.filter(status__in=Status.pending(), submitted_at__lt=since)


# --- Decisions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    title: str
    service: Callable
    done: str  # followed by the references of the adhesions concerned
    offered_in: frozenset[str]  # states in which the adhesion's page shows the button (the service decides)
    text_label: str = ""  # a decision with a label needs a text, sent to the organisation
    text_argument: str = ""  # the service's keyword for that text


DECISIONS = {
    "validate": Decision(
        _("Validate the signatures"),
        services.adhesion_validate_signatures,
        _("Signatures validated"),
        frozenset({Status.SIGNED}),
    ),
    "confirm": Decision(
        _("Confirm receipt (membership starts today)"),
        services.adhesion_confirm_receipt,
        _("Receipt confirmed, membership started"),
        frozenset({Status.SIGNATURES_VALIDATED}),
    ),
    "corrections": Decision(
        _("Ask for corrections"),
        services.adhesion_request_corrections,
        _("Corrections asked"),
        frozenset({Status.AWAITING_SIGNATURES, Status.SIGNED, Status.SIGNATURES_VALIDATED}),
        text_label=_("What must be corrected (sent to the organisation)"),
        text_argument="message",
    ),
    "reject": Decision(
        _("Reject"),
        services.adhesion_reject,
        _("Rejected"),
        Status.pending() | {Status.DRAFT},
        text_label=_("Reason for the rejection (sent to the organisation)"),
        text_argument="reason",
    ),
}


class DecisionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8, "cols": 80}))

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        if decision.text_label:
            self.fields["text"].label = decision.text_label
        else:
            del self.fields["text"]


class SignedPdfForm(forms.Form):
    pdf = CheckedFileField(kinds={"pdf"}, max_bytes=settings.UPLOAD_MAX_BYTES, label=_("Signed PDF"))
    handwritten_checked = forms.BooleanField(
        label=_("For a scan without digital signature: I checked the handwritten signature of this signatory"),
        help_text=_(
            "Tick only after reading the scan: it is this form, and it carries the signature of the person named "
            "above. Without a digital signature, this is what makes the signature count."
        ),
        required=False,
    )


# --- Adhesions -------------------------------------------------------------------------------------------


@admin.register(Adhesion)
class AdhesionAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "organisation_name",
        "type_display",
        "status",
        "submitted_at",
        "waiting",
        "signatures_display",
        "nominative_consent",
    )
    list_display_links = ("reference", "organisation_name")
    list_filter = (
        "status",
        OrganisationTypeFilter,
        "group_preferences",
        SignaturesMissingFilter,
        WaitingSinceFilter,
    )
    search_fields = ("organisation_name", "enterprise_number", "applicant__email")
    ordering = ("-submitted_at", "-created_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "status",
                    "organisation_name",
                    "type_display",
                    "enterprise_number_display",
                    "applicant",
                    "organisation",
                    "waiting",
                )
            },
        ),
        (_("Document"), {"fields": ("version", "document_link", "content_sha256", "initiatives_link")}),
        (_("Answers"), {"fields": ("answers_display",)}),
        (_("Consent to be named (art 8)"), {"fields": ("nominative_consent", "nominative_consent_at")}),
        (_("Messages sent"), {"fields": ("corrections_message", "rejection_reason")}),
        (
            _("Dates"),
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "signatures_completed_at",
                    "signatures_validated_at",
                    "decided_at",
                )
            },
        ),
    )
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]
    inlines = [AuditEntryInline]
    actions = ["validate_signatures", "confirm_receipt", "ask_for_corrections", "reject"]

    # Counted per row by a subquery rather than by joining every signature and grouping: the list then reads
    # only the page it shows, in the order of the submission-date index, however many adhesions there are.
    show_full_result_count = False

    def get_queryset(self, request):
        def current_signatures(statuses):
            # The signatures of the current version of the form (replacements of delegates come later).
            return _count_of(
                SignatureRequest.objects.filter(
                    adhesion=OuterRef("pk"),
                    purpose=ADHESION_PURPOSE,
                    document_version=OuterRef("version"),
                    status__in=statuses,
                )
            )

        return (
            super()
            .get_queryset(request)
            .annotate(
                signed_count=current_signatures([SignatureStatus.SIGNED]),
                asked_count=current_signatures([SignatureStatus.SIGNED, SignatureStatus.PENDING]),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        # Enterprise numbers are stored as ten digits but usually typed as 0464.281.392.
        if re.fullmatch(r"\s*[01]\d{3}[.\s]?\d{3}[.\s]?\d{3}\s*", search_term):
            search_term = re.sub(r"\D", "", search_term)
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False  # an adhesion is started by the organisation, in the portal

    def has_delete_permission(self, request, obj=None):
        return False  # the form and its signatures are evidence

    # --- Columns and read-only fields ---

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, adhesion):
        return adhesion.reference

    @admin.display(description=_("organisation type"), ordering="organisation_type")
    def type_display(self, adhesion):
        return _type_label(adhesion.organisation_type)

    @admin.display(description=_("enterprise number (BCE/KBO)"))
    def enterprise_number_display(self, adhesion):
        return format_enterprise_number(adhesion.enterprise_number) or "—"

    @admin.display(description=_("waiting since"), ordering="submitted_at")
    def waiting(self, adhesion):
        if adhesion.status not in Status.pending() or adhesion.submitted_at is None:
            return "—"
        # Once everything is signed, the organisation is waiting for the coordination, not for its signatories.
        if adhesion.status in {Status.SIGNED, Status.SIGNATURES_VALIDATED} and adhesion.signatures_completed_at:
            days = (timezone.now() - adhesion.signatures_completed_at).days
            return ngettext("%(days)d day since fully signed", "%(days)d days since fully signed", days) % {
                "days": days
            }
        days = (timezone.now() - adhesion.submitted_at).days
        return ngettext("%(days)d day since sent", "%(days)d days since sent", days) % {"days": days}

    @admin.display(description=_("signatures"))
    def signatures_display(self, adhesion):
        return f"{adhesion.signed_count}/{adhesion.asked_count}" if adhesion.asked_count else "—"

    @admin.display(description=_("document"))
    def document_link(self, adhesion):
        if not adhesion.document:
            return "—"
        return format_html(
            '<a href="{}">{}</a><br>SHA-256 <code>{}</code>',
            reverse("adhesions:document", args=[adhesion.pk]),
            gettext("Version %(version)d (PDF)") % {"version": adhesion.version},
            adhesion.document_sha256,
        )

    @admin.display(description=_("attached report"))
    def initiatives_link(self, adhesion):
        if not adhesion.initiatives_file:
            return "—"
        url = reverse("adhesions:initiatives_file", args=[adhesion.pk])
        return format_html('<a href="{}">{}</a>', url, adhesion.initiatives_file_name or gettext("Download"))

    @admin.display(description=_("answers"))
    def answers_display(self, adhesion):
        return render_to_string("admin/adhesions/includes/answers.html", {"sections": review_sections(adhesion)})

    # --- The adhesion's page ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            raise PermissionDenied  # nothing is saved from this page: decisions go through their own pages
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_act = obj is not None and self.has_change_permission(request, obj)
        context.update(
            show_save=False,
            show_save_and_continue=False,
            signatures=self._signatures_with_reports(obj) if obj else [],
            may_act=may_act,
            decisions=[
                (reverse("admin:adhesions_adhesion_decision", args=[obj.pk, name]), decision.title)
                for name, decision in DECISIONS.items()
                if may_act and obj.status in decision.offered_in
            ],
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _signatures_with_reports(self, adhesion) -> list[SignatureRequest]:
        signatures = list(
            # Newest version first; in each, the legal representative (no GT) before the delegates.
            adhesion.signatures.select_related("thematic_group", "attached_by").order_by(
                "-document_version", "purpose", F("thematic_group__number").asc(nulls_first=True), "created_at"
            )
        )
        for signature in signatures:
            signature.pdf_report = (
                SignedPdfReport.from_dict(signature.pdf_validation) if signature.attached_pdf else None
            )
        return signatures

    # --- Custom pages ---

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path(
                "<path:object_id>/decision/<slug:name>/", view(self.decision_view), name="adhesions_adhesion_decision"
            ),
            path(
                "<path:object_id>/signatures/<int:signature_id>/resend/",
                view(require_POST(self.signature_resend_view)),
                name="adhesions_adhesion_signature_resend",
            ),
            path(
                "<path:object_id>/signatures/<int:signature_id>/attach/",
                view(self.signature_attach_view),
                name="adhesions_adhesion_signature_attach",
            ),
            path(
                "<path:object_id>/signatures/<int:signature_id>/pdf/",
                view(self.signature_pdf_view),
                name="adhesions_adhesion_signature_pdf",
            ),
            *super().get_urls(),
        ]

    def _adhesion_to_act_on(self, request, object_id) -> Adhesion:
        adhesion = self.get_object(request, unquote(object_id))
        if adhesion is None:
            raise Http404
        if not self.has_change_permission(request, adhesion):
            raise PermissionDenied
        return adhesion

    def _signature_to_act_on(self, request, object_id, signature_id) -> SignatureRequest:
        adhesion = self._adhesion_to_act_on(request, object_id)
        signature = adhesion.signatures.select_related("thematic_group").filter(pk=signature_id).first()
        if signature is None:
            raise Http404
        return signature

    def _change_url(self, adhesion, anchor: str = "") -> str:
        return reverse("admin:adhesions_adhesion_change", args=[adhesion.pk]) + anchor

    def decision_view(self, request, object_id, name):
        adhesion = self._adhesion_to_act_on(request, object_id)
        if name not in DECISIONS:
            raise Http404
        response = self._decide(request, [adhesion], name, back_url=self._change_url(adhesion))
        return response or redirect(self._change_url(adhesion))

    def _decide(self, request, adhesions, name: str, *, back_url: str, action: str = ""):
        """The confirmation page of a decision (with its text, if it needs one), or None once applied."""
        decision = DECISIONS[name]
        form = DecisionForm(request.POST if "confirm" in request.POST else None, decision=decision)
        if form.is_valid():
            self._apply(request, adhesions, decision, form.cleaned_data.get("text", ""))
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": decision.title,
            "adhesions": adhesions,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "back_url": back_url,
        }
        return TemplateResponse(request, "admin/adhesions/adhesion/decision.html", context)

    def _apply(self, request, adhesions, decision: Decision, text: str = "") -> None:
        extra = {decision.text_argument: text} if decision.text_argument else {}
        done = []
        for adhesion in adhesions:
            try:
                decision.service(adhesion=adhesion, actor=request.user, **extra)
            except ValidationError as exc:
                self.message_user(request, f"{adhesion.reference}: {_error_text(exc)}", messages.ERROR)
            else:
                done.append(adhesion.reference)
        if done:
            self.message_user(request, f"{decision.done}: {', '.join(done)}.", messages.SUCCESS)

    def signature_resend_view(self, request, object_id, signature_id):
        signature = self._signature_to_act_on(request, object_id, signature_id)
        try:
            services.signature_resend(signature=signature, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("A new link was sent to %(email)s; the previous one no longer works.")
                % {"email": signature.email},
                messages.SUCCESS,
            )
        return redirect(self._change_url(signature.adhesion, f"#signature-{signature.pk}"))

    def signature_attach_view(self, request, object_id, signature_id):
        signature = self._signature_to_act_on(request, object_id, signature_id)
        back_url = self._change_url(signature.adhesion, f"#signature-{signature.pk}")
        form = SignedPdfForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                signature = services.signature_attach_pdf(
                    signature=signature,
                    uploaded_file=form.cleaned_data["pdf"],
                    actor=request.user,
                    handwritten_checked=form.cleaned_data["handwritten_checked"],
                )
            except ValidationError as exc:
                self.message_user(request, _error_text(exc), messages.ERROR)
            else:
                self.message_user(request, *self._attach_outcome(signature))
            return redirect(back_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Attach a signed PDF"),
            "adhesion": signature.adhesion,
            "signature": signature,
            "form": form,
            "back_url": back_url,
        }
        return TemplateResponse(request, "admin/adhesions/adhesion/attach_pdf.html", context)

    @staticmethod
    def _attach_outcome(signature) -> tuple[str, int]:
        report = SignedPdfReport.from_dict(signature.pdf_validation)
        if not signature.is_signed:
            reasons = " ".join(signature.pdf_validation.get("refused_because", []))
            return (
                gettext("The PDF was kept as evidence but the signature does NOT count.") + " " + reasons,
                messages.ERROR,
            )
        if not report.has_signatures:
            return (
                gettext(
                    "The signature is recorded. The PDF has no digital signature: "
                    "check the handwritten one on the file."
                ),
                messages.WARNING,
            )
        if not report.all_trusted:
            return (
                gettext(
                    "The signature is recorded, but the signer's certificate is not trusted: check who signed the PDF."
                ),
                messages.WARNING,
            )
        return gettext(
            "The signature is recorded: the PDF's digital signature is intact and trusted."
        ), messages.SUCCESS

    def signature_pdf_view(self, request, object_id, signature_id):
        signature = self._signature_to_act_on(request, object_id, signature_id)
        if not signature.attached_pdf:
            raise Http404
        return attachment_response(
            signature.attached_pdf,
            download_name=f"{signature.adhesion.reference}-signature-{signature.pk}.pdf",
            content_type="application/pdf",
        )

    # --- Actions on the list ---

    @admin.action(description=DECISIONS["validate"].title, permissions=["change"])
    def validate_signatures(self, request, queryset):
        self._apply(request, queryset, DECISIONS["validate"])

    @admin.action(description=DECISIONS["confirm"].title, permissions=["change"])
    def confirm_receipt(self, request, queryset):
        self._apply(request, queryset, DECISIONS["confirm"])

    @admin.action(description=DECISIONS["corrections"].title, permissions=["change"])
    def ask_for_corrections(self, request, queryset):
        return self._decide(
            request, list(queryset), "corrections", back_url=request.get_full_path(), action="ask_for_corrections"
        )

    @admin.action(description=DECISIONS["reject"].title, permissions=["change"])
    def reject(self, request, queryset):
        return self._decide(request, list(queryset), "reject", back_url=request.get_full_path(), action="reject")


# --- Signatures --------------------------------------------------------------------------------------------


@admin.register(SignatureRequest)
class SignatureRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every signature ever asked, to find one by person; the link's fingerprint is never shown."""

    list_display = (
        "person",
        "email",
        "adhesion",
        "role",
        "thematic_group",
        "document_version",
        "status",
        "method",
        "signed_at_utc",
    )
    list_filter = ("status", "method", "role", "purpose")
    search_fields = ("email", "first_name", "last_name", "adhesion__organisation_name")
    list_select_related = ("adhesion", "thematic_group")
    fields = (
        "adhesion",
        "purpose",
        "role",
        "thematic_group",
        "first_name",
        "last_name",
        "function",
        "email",
        "phone",
        "document_version",
        "document_sha256",
        "status",
        "method",
        "signed_at_utc",
        "signed_name",
        "ip_address",
        "user_agent",
        "expires_at",
        "created_at",
        "voided_at",
        "attached_pdf_link",
        "attached_pdf_sha256",
        "attached_by",
        "pdf_report",
        "replaces",
    )
    readonly_fields = fields

    @admin.display(description=_("full name"), ordering="last_name")
    def person(self, signature):
        return signature.full_name

    @admin.display(description=_("signed at (UTC)"), ordering="signed_at")
    def signed_at_utc(self, signature):
        if not signature.signed_at:
            return "—"
        return signature.signed_at.astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S")

    @admin.display(description=_("signed PDF"))
    def attached_pdf_link(self, signature):
        if not signature.attached_pdf:
            return "—"
        url = reverse("admin:adhesions_adhesion_signature_pdf", args=[signature.adhesion_id, signature.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))

    @admin.display(description=_("digital signature check"))
    def pdf_report(self, signature):
        if not signature.attached_pdf:
            return "—"
        return render_to_string(
            "admin/adhesions/includes/pdf_report.html", {"report": SignedPdfReport.from_dict(signature.pdf_validation)}
        )
