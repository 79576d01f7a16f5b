from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from community.models import Event, Resource, ResourceFlag, Tag
from core.admin import AuditedAdminMixin, AuditEntryInline, ReadOnlyAdminMixin


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "organisation", "language", "origin", "published_at")
    list_filter = ("status", "kind", "themes", "language", "origin")
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation",)
    # The stored path is no address: the file is reached through the view that checks access.
    exclude = ("search_vector", "file")
    readonly_fields = ("download",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as in the deposit form
    inlines = [AuditEntryInline]

    @admin.display(description=_("file"))
    def download(self, resource):
        if not resource.file:
            return "—"
        url = reverse("community:resource_file", args=[resource.pk])
        return format_html('<a href="{}">{}</a>', url, resource.file_name or _("Download"))


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
