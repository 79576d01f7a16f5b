from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.mfa import mfa_satisfied


class PortalAdminSite(admin.AdminSite):
    """The administration: signed in through the portal's login (rate limits, MFA), staff with MFA only."""

    site_header = _("ASeT-W administration")
    site_title = _("ASeT-W administration")
    index_title = _("Portal data")

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and mfa_satisfied(request))

    def login(self, request, extra_context=None):
        return secure_admin_login(super().login)(request, extra_context)
