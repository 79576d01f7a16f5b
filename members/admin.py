from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdminMixin, AuditEntryInline
from members import lifecycle
from members.forms import OrganisationAdminForm
from members.models import Organisation, OrganisationRole


class OrganisationRoleInline(admin.TabularInline):
    model = OrganisationRole
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "enterprise_number", "type", "status", "city", "nominative_consent")
    list_filter = ("type", "status", "nominative_consent")
    search_fields = ("name", "enterprise_number", "city")
    # The status changes through the adhesion and withdrawal services; consent is the organisation's to give.
    readonly_fields = (
        "status",
        "member_since",
        "withdrawal_requested_at",
        "withdrawal_reason",
        "withdrawal_effective_on",
        "nominative_consent",
        "nominative_consent_at",
        "created_at",
    )
    inlines = [OrganisationRoleInline, AuditEntryInline]
    actions = ["confirm_withdrawal"]

    @admin.action(description=_("Confirm the withdrawal"), permissions=["change"])
    def confirm_withdrawal(self, request, queryset):
        done = []
        for organisation in queryset:
            try:
                lifecycle.withdrawal_confirm(organisation=organisation, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{organisation}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                done.append(organisation.name)
        if done:
            message = _("Withdrawal confirmed: %(names)s.") % {"names": ", ".join(done)}
            self.message_user(request, message, messages.SUCCESS)
