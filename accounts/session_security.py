"""How long a sign-in lasts, and ending a person's sessions.

A session ends after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and in any case
``SESSION_ABSOLUTE_TIMEOUT`` seconds after signing in. Which sessions belong to whom comes from
allauth's ``UserSession`` table, filled at every sign-in.
"""

from __future__ import annotations

import time

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

SIGNED_IN_AT = "asetw_signed_in_at"
LAST_SEEN_AT = "asetw_last_seen_at"
# Writing the last activity on every request would save the session each time; a minute is precise enough.
_ACTIVITY_PRECISION = 60


def start_session_clock(request) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_expiry_reason(session, now: float) -> str | None:
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        return None
    if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - last_seen_at > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Sign out a session that has been idle too long or has lasted too long, with a message.

    The request then goes on as an anonymous one: protected pages send to the login form.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            if SIGNED_IN_AT not in request.session:
                # Signed in before these limits existed: the clock starts now.
                start_session_clock(request)
            reason = session_expiry_reason(request.session, now)
            if reason is not None:
                from accounts.security_log import security_event

                security_event("session_expired", request, user=request.user, reason=reason)
                logout(request)
                if reason == "idle":
                    messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                else:
                    messages.info(request, _("Your session has reached its maximum length. Please sign in again."))
            elif now - request.session[LAST_SEEN_AT] >= _ACTIVITY_PRECISION:
                request.session[LAST_SEEN_AT] = int(now)
        return self.get_response(request)


def end_sessions(user, *, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` except the one with ``keep_session_key``; return how many ended."""
    sessions = UserSession.objects.filter(user_id=user.pk)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended = 0
    for session in sessions:
        session.end()
        ended += 1
    return ended
