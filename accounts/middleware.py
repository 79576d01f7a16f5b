from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.mfa import has_totp, session_used_mfa
from accounts.roles import requires_mfa

# Paths a staff member may still reach before completing the second factor: the account pages
# (to set up TOTP or sign out), the language switch, static files and the health check.
_OPEN_PREFIXES = ("/compte/", "/i18n/", "/static/", "/healthz", "/favicon.ico")


class StaffMFARequiredMiddleware:
    """Staff roles must have TOTP and have used it in this session before reaching any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and requires_mfa(user)
            and not session_used_mfa(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            if not has_totp(user):
                messages.warning(
                    request,
                    _("Your role requires two-factor authentication. Set up an authenticator app to continue."),
                )
                return redirect(f"{reverse('mfa_activate_totp')}?{query}")
            messages.info(request, _("Confirm your identity with your authenticator app to continue."))
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
