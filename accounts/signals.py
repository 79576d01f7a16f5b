from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.dispatch import receiver

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
