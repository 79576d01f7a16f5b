from allauth.account import signals as account_signals
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from accounts import security_log  # noqa: F401 - connects the security log receivers
from accounts.session_security import end_sessions, start_session_clock
from core.audit import log_action


@receiver(mfa_signals.authenticator_added)
def totp_set_up_counts_as_second_factor(sender, request, user, authenticator, **kwargs):
    """Setting up TOTP means typing a valid code: that proves the second factor for this session,
    so a new staff member is not asked for a code again right after."""
    log_action("accounts.mfa.added", actor=user, target=user, data={"type": authenticator.type})
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_authentication(request, user, "mfa", type="totp", reauthenticated=True)


@receiver(mfa_signals.authenticator_removed)
def log_second_factor_removed(sender, request, user, authenticator, **kwargs):
    log_action("accounts.mfa.removed", actor=user, target=user, data={"type": authenticator.type})


# --- Sessions -----------------------------------------------------------------------------------------


@receiver(auth_signals.user_logged_in)
def start_the_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)


@receiver(account_signals.password_changed)
@receiver(account_signals.password_reset)
def end_other_sessions_after_password_change(sender, request, user, **kwargs):
    """The new password signs out every other browser; the one that changed it stays signed in."""
    # A reset from an e-mailed link happens signed out: then every session of the account ends.
    signed_in_here = request is not None and getattr(request.user, "pk", None) == user.pk
    ended = end_sessions(user, keep_session_key=request.session.session_key if signed_in_here else None)
    if signed_in_here and ended:
        messages.info(request, _("Your other sessions have been signed out."))


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def end_sessions_of_disabled_user(sender, instance, **kwargs):
    """A disabled account (from the administration or a service) is signed out everywhere at once."""
    if not instance.is_active:
        end_sessions(instance)
