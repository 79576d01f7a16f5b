from django.contrib import admin

from core.admin import AuditedAdminMixin, AuditEntryInline
from members.forms import OrganisationAdminForm
from members.models import Organisation, OrganisationRole


class OrganisationRoleInline(admin.TabularInline):
    model = OrganisationRole
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "enterprise_number", "type", "status", "city")
    list_filter = ("type", "status")
    search_fields = ("name", "enterprise_number", "city")
    readonly_fields = ("status", "member_since", "withdrawal_effective_on", "created_at")
    inlines = [OrganisationRoleInline, AuditEntryInline]
