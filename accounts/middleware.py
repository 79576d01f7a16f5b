from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.mfa import has_totp, session_used_mfa
from accounts.roles import requires_mfa

# What a staff member may still reach before completing the second factor: signing in and out,
# the second-factor pages themselves, the language switch, static files and the health check.
_OPEN_URL_NAMES = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "set_language",
        "healthz",
    }
)
_OPEN_PREFIXES = ("/static/",)


def _is_open(request) -> bool:
    if request.path.startswith(_OPEN_PREFIXES):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # the 404 page reveals nothing
    return match.url_name in _OPEN_URL_NAMES


class StaffMFARequiredMiddleware:
    """Staff roles must have TOTP and have used it in this session before reaching any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and requires_mfa(user)
            and not session_used_mfa(request)
            and not _is_open(request)
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
