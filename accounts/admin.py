from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User
from core.admin import AuditedAdminMixin, AuditEntryInline


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_coordinator", "is_steering_member", "is_active")
    list_filter = ("is_coordinator", "is_steering_member", "is_active", "is_staff", "preferred_language")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "preferred_language")}),
        (_("Portal roles"), {"fields": ("is_coordinator", "is_steering_member")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("is_coordinator", "is_steering_member", "last_login", "date_joined", "is_superuser")
    inlines = [AuditEntryInline]
    actions = ["grant_coordinator", "grant_steering", "revoke_coordinator", "revoke_steering"]

    @admin.action(description=_("Give the operational coordination role"))
    def grant_coordinator(self, request, queryset):
        for user in queryset:
            services.global_role_grant(actor=request.user, user=user, role="coordinator")
        self.message_user(request, _("Role given."), messages.SUCCESS)

    @admin.action(description=_("Give the steering committee role"))
    def grant_steering(self, request, queryset):
        for user in queryset:
            services.global_role_grant(actor=request.user, user=user, role="steering_member")
        self.message_user(request, _("Role given."), messages.SUCCESS)

    @admin.action(description=_("Remove the operational coordination role"))
    def revoke_coordinator(self, request, queryset):
        for user in queryset:
            services.global_role_revoke(actor=request.user, user=user, role="coordinator")
        self.message_user(request, _("Role removed."), messages.SUCCESS)

    @admin.action(description=_("Remove the steering committee role"))
    def revoke_steering(self, request, queryset):
        for user in queryset:
            services.global_role_revoke(actor=request.user, user=user, role="steering_member")
        self.message_user(request, _("Role removed."), messages.SUCCESS)
