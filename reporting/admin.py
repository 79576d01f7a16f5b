from django.contrib import admin

from core.admin import AuditedAdminMixin, AuditEntryInline
from reporting.models import Action, ExportJob, Lever, Report, ReportingCampaign


@admin.register(Lever)
class LeverAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The coordination keeps each GT's list of levers; a lever no longer offered stays on past actions."""

    list_display = ("name", "thematic_group", "position", "is_active")
    list_filter = ("thematic_group", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: these change through the portal's pages, whose services check every rule."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "thematic_group", "status", "lever", "origin", "updated_at")
    list_filter = ("status", "thematic_group", "origin")
    search_fields = ("title", "organisation__name")
    inlines = [AuditEntryInline]


@admin.register(ReportingCampaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("year", "deadline", "status", "template_version", "opened_at")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "campaign", "status", "nominative_consent", "submitted_at", "accepted_at")
    list_filter = ("campaign", "status", "nominative_consent")
    search_fields = ("organisation__name",)
    inlines = [AuditEntryInline]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("kind", "year", "thematic_group", "status", "progress", "requested_by", "created_at")
    list_filter = ("kind", "status")
