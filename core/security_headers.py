"""Response headers that Django's SecurityMiddleware does not set: the Content Security Policy and
``Cache-Control: no-store`` on pages shown to a signed-in person."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.cache import add_never_cache_headers

CSP_HEADER = "Content-Security-Policy"
# Directives that accept the per-response nonce, for the rare <script> or <style> a page must inline.
_NONCE_DIRECTIVES = ("script-src", "style-src")


def content_security_policy(nonce: str) -> str:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    parts = []
    for name, sources in directives.items():
        values = list(sources)
        if name in _NONCE_DIRECTIVES:
            values.append(f"'nonce-{nonce}'")
        parts.append(" ".join([name, *values]) if values else name)
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Send the portal's policy on every response that has none of its own.

    Templates reach the nonce as ``{{ request.csp_nonce }}``. Downloads keep the sandbox policy that
    ``core.uploads.attachment_response`` gives them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = content_security_policy(request.csp_nonce)
        return response


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person hold personal data: no browser or proxy may keep a copy.

    Static files never get here (WhiteNoise answers them first); anonymous pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
