from django.contrib import admin

from core.admin import AuditedAdminMixin, AuditEntryInline, ReadOnlyAdminMixin
from reporting.models import Action, ExportJob, Lever, Report, ReportingCampaign


@admin.register(Lever)
class LeverAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The coordination keeps each GT's list of levers; a lever no longer offered stays on past actions."""

    list_display = ("name", "thematic_group", "position", "is_active")
    list_filter = ("thematic_group", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)


@admin.register(Action)
class ActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "organisation", "thematic_group", "status", "lever", "origin", "updated_at")
    list_filter = ("status", "thematic_group", "origin")
    search_fields = ("title", "organisation__name")
    inlines = [AuditEntryInline]


@admin.register(ReportingCampaign)
class CampaignAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("year", "deadline", "status", "template_version", "opened_at")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("organisation", "campaign", "status", "nominative_consent", "submitted_at", "accepted_at")
    list_filter = ("campaign", "status", "nominative_consent")
    search_fields = ("organisation__name",)
    inlines = [AuditEntryInline]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("kind", "year", "thematic_group", "status", "progress", "requested_by", "created_at")
    list_filter = ("kind", "status")
    # The stored path is no address; the person who asked for the export downloads it from its page.
    exclude = ("file",)
