from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import outbox
from core.models import AuditEntry, OutboundEmail


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
