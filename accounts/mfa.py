"""Whether the current session went through the second factor."""

from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_mfa(request) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def mfa_satisfied(request) -> bool:
    """True when the signed-in user has TOTP and proved it in this session."""
    user = request.user
    if not user.is_authenticated:
        return False
    cached = getattr(request, "_mfa_satisfied", None)
    if cached is None:
        cached = session_used_mfa(request) and has_totp(user)
        request._mfa_satisfied = cached
    return cached
