from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.security_log import security_event


class AccountCloseForm(forms.Form):
    """Closing an account cannot be undone: the person types their password again."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user

    def clean_password(self):
        password = self.cleaned_data["password"]
        too_many = forms.ValidationError(_("Too many attempts. Try again in a few minutes."), code="rate_limited")
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            security_event("rate_limited", self.request, user=self.user, action="reauthenticate")
            raise too_many
        try:
            # allauth's re-authentication counts a wrong password with the failed sign-ins of this client and
            # this address, logs it, and refuses once there were too many.
            correct = get_adapter(self.request).reauthenticate(self.user, password)
        except forms.ValidationError:
            raise too_many from None
        if not correct:
            raise forms.ValidationError(_("This is not your password."), code="incorrect_password")
        return password
