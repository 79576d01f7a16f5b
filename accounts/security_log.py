"""The security log: sign-ins, failures, sign-outs, second-factor and password or e-mail changes, refusals.

Each event goes to the ``asetw.security`` logger (UTC time stamps, see ``LOGGING``) and to the audit log
as ``security.<event>``. Events carry the client address (allauth's trusted-proxy rules), the user or the
e-mail address typed at a failed sign-in, and a shortened user agent; never a password, code or token.
Refused requests name the URL pattern they hit, never the path: paths carry password reset keys, signing,
unsubscribe and calendar tokens.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.dispatch import receiver
from django.http import Http404
from django.urls import resolve

from core.audit import log_action, mask_secrets

logger = logging.getLogger("asetw.security")

USER_AGENT_MAX_LENGTH = 200
# Pages that show secrets once asked for: seeing them is worth a line in the log.
_SECRET_PAGES = frozenset({"mfa_view_recovery_codes", "mfa_download_recovery_codes"})
# A flood of refused requests is logged line by line but writes one audit row per client, event and page
# in this many seconds, so that it cannot fill the audit table.
REFUSAL_AUDIT_SECONDS = 60


def client_ip(request) -> str | None:
    if request is None:
        return None
    try:
        # accounts.adapter.AccountAdapter: falls back to REMOTE_ADDR when X-Forwarded-For is too short.
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def security_event(
    event: str,
    request=None,
    *,
    user=None,
    email: str | None = None,
    audit_scope: str | None = None,
    **details: Any,
) -> None:
    """Log ``event`` with who, from where, and ``details`` (secret-looking keys are masked).

    With ``audit_scope``, the audit row is written at most once per ``REFUSAL_AUDIT_SECONDS`` for the same
    event, client address and scope; the log line is always written.
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    record = {
        "event": event,
        "user_id": user.pk if user is not None else None,
        "email": user.email if user is not None else email,
        "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH] if request is not None else "",
        **mask_secrets(details),
    }
    # JSON keeps every value on one line: a crafted user agent cannot forge another log entry.
    logger.info("%s %s", event, json.dumps(record, ensure_ascii=False, default=str, sort_keys=True))
    if audit_scope is not None and not _first_in_window(event, record["ip"], audit_scope):
        return
    try:
        # A savepoint: a failed write must neither hide the event nor break the caller's transaction.
        with transaction.atomic():
            log_action(
                f"security.{event}",
                actor=user or record["email"] or "anonymous",
                target=user,
                data={key: value for key, value in record.items() if key not in {"event", "user_id"}},
            )
    except DatabaseError:
        logger.exception("Security event %s could not be written to the audit log", event)


def _first_in_window(event: str, ip: str | None, scope: str) -> bool:
    digest = hashlib.sha256(f"{event}\0{ip}\0{scope}".encode()).hexdigest()
    try:
        return cache.add(f"security:audited:{digest}", True, REFUSAL_AUDIT_SECONDS)
    except Exception:  # noqa: BLE001 - without the cache, every event is audited rather than none
        logger.warning("The cache is unavailable: security event %s is audited without a limit", event)
        return True


# --- Sign-in and sign-out ----------------------------------------------------------------------------


@receiver(auth_signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    security_event("login", request, user=user)


@receiver(auth_signals.user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    security_event("logout", request, user=user)


# Failed sign-ins are logged by the account adapter, which sees the request and the typed e-mail address.


# --- Passwords and e-mail addresses ----------------------------------------------------------------


@receiver(account_signals.password_changed)
def _password_changed(sender, request, user, **kwargs):
    security_event("password_changed", request, user=user)


@receiver(account_signals.password_set)
def _password_set(sender, request, user, **kwargs):
    security_event("password_set", request, user=user)


@receiver(account_signals.password_reset)
def _password_reset(sender, request, user, **kwargs):
    security_event("password_reset", request, user=user)


@receiver(account_signals.email_changed)
def _email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    security_event(
        "email_changed",
        request,
        user=user,
        from_email=getattr(from_email_address, "email", None),
        to_email=getattr(to_email_address, "email", None),
    )


@receiver(account_signals.email_added)
def _email_added(sender, request, user, email_address, **kwargs):
    security_event("email_added", request, user=user, added_email=email_address.email)


@receiver(account_signals.email_removed)
def _email_removed(sender, request, user, email_address, **kwargs):
    security_event("email_removed", request, user=user, removed_email=email_address.email)


# --- Second factor ---------------------------------------------------------------------------------


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender, request, user, authenticator, **kwargs):
    security_event("mfa_added", request, user=user, type=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    security_event("mfa_removed", request, user=user, type=authenticator.type)


@receiver(mfa_signals.authenticator_reset)
def _mfa_reset(sender, request, user, authenticator, **kwargs):
    security_event("mfa_reset", request, user=user, type=authenticator.type)


@receiver(mfa_signals.authentication_failed)
def _mfa_failed(sender, request, user, authenticator, **kwargs):
    security_event("mfa_failed", request, user=user, type=getattr(authenticator, "type", None))


# --- Refusals ---------------------------------------------------------------------------------------


def _route(request) -> tuple[str, str | None]:
    """The URL pattern and view name of ``request`` ("unresolved" when none matches); never the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Http404:
            return "unresolved", None
    return match.route, match.view_name


class SecurityLogMiddleware:
    """Log every refused request (403, including CSRF failures and rules' PermissionDenied), every
    request refused by a rate limit (429), and each viewing of recovery codes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status in (403, 429):
            route, view = _route(request)
            security_event(
                "access_refused" if status == 403 else "rate_limited",
                request,
                user=getattr(request, "user", None),
                audit_scope=route,
                method=request.method,
                route=route,
                view=view,
                status=status,
            )
        elif status == 200 and request.method == "GET":
            match = getattr(request, "resolver_match", None)
            if match is not None and match.url_name in _SECRET_PAGES:
                security_event("mfa_recovery_codes_viewed", request, user=request.user, page=match.url_name)
        return response
