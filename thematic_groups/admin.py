from django.contrib import admin

from core.admin import AuditedAdminMixin, AuditEntryInline, LabelledTabularInline
from thematic_groups import services
from thematic_groups.forms import ThematicGroupForm
from thematic_groups.models import Assignment, Deliverable, LocomotiveMember, ThematicGroup


class DeliverableInline(LabelledTabularInline):
    model = Deliverable
    extra = 0


class LocomotiveInline(LabelledTabularInline):
    model = LocomotiveMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(ThematicGroup)
class ThematicGroupAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ThematicGroupForm
    list_display = ("number", "name", "eligibility", "capacity_min", "capacity_max", "first_session_start")
    readonly_fields = ("number", "slug")
    inlines = [DeliverableInline, LocomotiveInline, AuditEntryInline]

    def has_add_permission(self, request):
        return False  # the five GTs come from the convention; changing the list is a steering decision

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Goes through the service so that the change is audited like any other.
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE_FIELDS}
        if changes:
            services.thematic_group_update(actor=request.user, group=obj, **changes)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Read-only here: seats change through the assignment board, whose services check every rule."""

    list_display = ("organisation", "thematic_group", "status", "priority", "queued_since", "decided_at", "notified_at")
    list_filter = ("status", "thematic_group", "organisation__type", "release_reason")
    search_fields = ("organisation__name",)
    list_select_related = ("organisation", "thematic_group")
    ordering = ("thematic_group__number", "status", "-priority", "queued_since")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
