from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdminMixin, AuditEntryInline, LabelledTabularInline
from members import lifecycle
from members.forms import OrganisationAdminForm
from members.models import Organisation, OrganisationRole


class OrganisationRoleInline(LabelledTabularInline):
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
        "withdrawal_confirmed_at",
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

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/confirm-withdrawal/",
                self.admin_site.admin_view(self.confirm_withdrawal_view),
                name="members_organisation_confirm_withdrawal",
            )
        ]
        return extra + super().get_urls()

    def confirm_withdrawal_view(self, request, pk: int):
        organisation = get_object_or_404(Organisation, pk=pk)
        if not self.has_change_permission(request, organisation):
            raise PermissionDenied
        if request.method == "POST":
            try:
                lifecycle.withdrawal_confirm(organisation=organisation, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                organisation.refresh_from_db()
                self.message_user(
                    request,
                    _("Withdrawal confirmed, with effect from %(date)s.")
                    % {"date": organisation.withdrawal_effective_on.strftime("%d/%m/%Y")},
                    messages.SUCCESS,
                )
            return redirect("admin:members_organisation_change", organisation.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "organisation": organisation,
            "title": _("Confirm the withdrawal"),
        }
        return TemplateResponse(request, "admin/members/organisation/confirm_withdrawal.html", context)
