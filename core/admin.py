from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import outbox
from core.audit import log_action
from core.models import AuditEntry, OutboundEmail


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose fields carry their column's name, which the admin's table cells lack
    for screen readers (the header is not tied to the inputs)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name))
        return field


class AuditedAdminMixin:
    """Changes made in the administration land in the audit log like those made in the portal."""

    # Addresses typed without a scheme are taken as https, the behaviour Django adopts in 6.0.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        action = "changed" if change else "created"
        log_action(f"admin.{_label(obj)}.{action}", actor=request.user, target=obj, data={"fields": changes})

    def delete_model(self, request, obj):
        log_action(f"admin.{_label(obj)}.deleted", actor=request.user, target=obj, data={"label": str(obj)})
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        parent = form.instance
        for obj in formset.new_objects:
            log_action(f"admin.{_label(obj)}.created", actor=request.user, target=parent, data={"item": str(obj)})
        for obj, fields in formset.changed_objects:
            log_action(
                f"admin.{_label(obj)}.changed",
                actor=request.user,
                target=parent,
                data={"item": str(obj), "fields": fields},
            )
        for obj in formset.deleted_objects:
            log_action(f"admin.{_label(obj)}.deleted", actor=request.user, target=parent, data={"item": str(obj)})


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditEntryInline(ReadOnlyAdminMixin, GenericTabularInline):
    """The history of one object, shown at the bottom of its admin page."""

    model = AuditEntry
    ct_field = "target_type"
    ct_fk_field = "target_id"
    fields = ("created_at", "actor_label", "action", "data")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("history")
    ordering = ("-created_at",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "target_label", "actor_label")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_label", "actor_label")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "to_email", "subject", "template", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "template", "language", "sensitive")
    search_fields = ("to_email", "subject", "idempotency_key")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
    actions = ["resend_failed"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_actions(self, request):
        # The read-only mixin hides actions that need change rights; this one is a service call.
        actions = super().get_actions(request)
        actions["resend_failed"] = self.get_action("resend_failed")
        return actions

    @admin.action(description=_("Send the selected failed e-mails again"))
    def resend_failed(self, request, queryset):
        count = outbox.outbox_requeue(email_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", count) % {"count": count},
            messages.SUCCESS,
        )
