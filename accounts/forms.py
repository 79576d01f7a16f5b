import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

_PHONE = re.compile(r"^\+?[0-9 ./()-]{6,20}$")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "phone", "preferred_language")
        help_texts = {
            "preferred_language": _("The language of the e-mails you receive from the portal."),
            "phone": _("For example +32 81 12 34 56."),
        }

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError(_("Enter a valid phone number, for example +32 81 12 34 56."))
        return phone
