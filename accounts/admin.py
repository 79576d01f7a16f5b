from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import ConsentRecord, User
from accounts.privacy.consent import wording_of
from accounts.roles import requires_mfa
from core.admin import AuditedAdminMixin, AuditEntryInline, ReadOnlyAdminMixin


def _role_action(role: str, *, grant: bool, description):
    """An admin action that gives or removes a portal-wide role through the service (audited, mailed)."""
    change = services.global_role_grant if grant else services.global_role_revoke
    done = _("Role given.") if grant else _("Role removed.")

    def action(modeladmin, request, queryset):
        for user in queryset:
            change(actor=request.user, user=user, role=role)
        modeladmin.message_user(request, done, messages.SUCCESS)

    action.__name__ = f"{'grant' if grant else 'revoke'}_{role}"
    return admin.action(description=description)(action)


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
    actions = [
        _role_action("coordinator", grant=True, description=_("Give the operational coordination role")),
        _role_action("steering_member", grant=True, description=_("Give the steering committee role")),
        _role_action("coordinator", grant=False, description=_("Remove the operational coordination role")),
        _role_action("steering_member", grant=False, description=_("Remove the steering committee role")),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Staff status follows the coordination role, and an e-mail address changes only through
            # the person's own verified change: otherwise a reset link could be sent elsewhere.
            fields += ["is_staff", "email"]
        return fields

    def has_change_permission(self, request, obj=None):
        # Accounts with staff roles are changed by superusers only; coordinators use the role actions.
        if obj is not None and not request.user.is_superuser and requires_mfa(obj) and obj != request.user:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone else's password would let a coordinator take over an account:
        # people reset their own password by e-mail.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The consent ledger (art 8): read-only, entries are only ever added by the services."""

    list_display = ("created_at", "subject_label", "subject", "given", "source", "wording_version", "actor")
    list_filter = ("subject", "given", "source", "wording_version")
    search_fields = ("subject_label",)
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    fields = (
        "created_at",
        "subject",
        "subject_label",
        "organisation",
        "adhesion",
        "report",
        "given",
        "source",
        "wording_version",
        "wording_sha256",
        "wording_text",
        "actor",
    )
    readonly_fields = fields

    @admin.display(description=_("wording shown"))
    def wording_text(self, obj):
        wording = wording_of(obj)
        return wording.text if wording else "—"
