from __future__ import annotations

import time
from types import SimpleNamespace

from allauth.account import app_settings as allauth_account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import translation

from accounts.mfa import has_totp
from accounts.roles import requires_mfa
from accounts.security_log import security_event
from core.outbox import RenderedEmail, email_queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    """Account e-mails (verification, password reset, notices) go through the outbox like every other."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", None) or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            request = allauth_context.request
            base = {
                "request": request,
                "email": email,
                # allauth's texts name the site: call it by the alliance's name, not the host name.
                "current_site": SimpleNamespace(name="ASeT-W", domain=get_current_site(request).domain),
                "site_url": settings.SITE_URL,
            }
            message = self.render_mail(template_prefix, email, {**base, **context})
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        if not html:
            # allauth's account mails are plain text; give them the portal's HTML layout as well.
            html = render_to_string(
                "emails/layout/from_text.html",
                {
                    "subject": message.subject,
                    "text": message.body,
                    "site_url": settings.SITE_URL,
                    "LANGUAGE_CODE": language,
                },
            )
        email_queue_rendered(
            to=email,
            template=f"allauth:{template_prefix}",
            rendered=RenderedEmail(subject=message.subject, text=message.body, html=html),
            language=language,
            recipient=user,
            # These mails hold one-time links and codes: their bodies are purged once sent.
            sensitive=True,
        )

    def save_user(self, request, user, form, commit=True):
        # E-mails follow the language the person used to sign up, until they change it in their profile.
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        return super().save_user(request, user, form, commit=commit)

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            # Too many failed sign-ins for this address or from this client.
            security_event("login_rate_limited", request, email=_typed_email(credentials))
            raise

    def authentication_failed(self, request, **credentials) -> None:
        # Also called when a re-authentication fails. Only the typed address is kept: the credentials
        # also hold the password.
        security_event("login_failed", request, email=_typed_email(credentials))
        super().authentication_failed(request, **credentials)

    def get_client_ip(self, request) -> str:
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # X-Forwarded-For has fewer entries than TRUSTED_PROXY_COUNT: the request did not pass through
            # all of our proxies. Use the address that reached the portal rather than fail with a 500.
            ip = request.META.get("REMOTE_ADDR")
            if not ip:
                raise PermissionDenied("Unable to determine client IP address") from None
            return ip

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # On the way from the login form to the first second-factor setup, a sign-in a few minutes ago
        # is as fresh as a re-authentication. Once a factor exists, sensitive pages ask again as usual.
        request = allauth_context.request
        if request is not None and _signed_in_recently(request) and not has_totp(request.user):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _typed_email(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")[:254]


def _signed_in_recently(request) -> bool:
    if not request.user.is_authenticated:
        return False
    limit = time.time() - allauth_account_settings.REAUTHENTICATION_TIMEOUT
    return any(
        record.get("method") in {"password", "mfa"} and record.get("at", 0) >= limit
        for record in get_authentication_records(request, request.user)
    )


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        # Staff roles may not switch their second factor off; they can only replace it.
        if requires_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    def end_sessions(self, sessions) -> None:
        sessions = list(sessions)
        request = allauth_context.request
        super().end_sessions(sessions)
        if request is not None and sessions:
            security_event("other_sessions_ended", request, user=request.user, count=len(sessions))
