from django.contrib import admin

from community.models import Event, Resource, ResourceFlag, Tag
from core.admin import AuditedAdminMixin, AuditEntryInline, ReadOnlyAdminMixin


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "organisation", "language", "origin", "published_at")
    list_filter = ("status", "kind", "themes", "language", "origin")
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation",)
    exclude = ("search_vector",)
    inlines = [AuditEntryInline]


@admin.register(ResourceFlag)
class ResourceFlagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("resource", "reported_by", "created_at", "handled_at")
    list_filter = ("handled_at",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Event)
class EventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The coordination plans the learning network's events here; members register from the agenda."""

    list_display = ("title", "kind", "starts_at", "capacity")
    list_filter = ("kind", "themes")
    filter_horizontal = ("themes",)
    exclude = ("reminder_sent_at",)
