from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import https_url_formfield
from members.enterprise_number import format_enterprise_number, normalise_enterprise_number
from members.models import Organisation


class EnterpriseNumberField(forms.CharField):
    """Accepts the number as people type it (dots, spaces, dashes) and keeps the ten digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("Ten digits, for example 0464.281.392."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_enterprise_number(value) if isinstance(value, str) and value.isdigit() else value

    def has_changed(self, initial, data) -> bool:
        digits = "".join(char for char in str(data or "") if char.isdigit())
        return (initial or "") != digits

    def clean(self, value):
        value = super().clean(value)
        return normalise_enterprise_number(value) if value else value


class OrganisationAdminForm(forms.ModelForm):
    enterprise_number = EnterpriseNumberField(label=_("enterprise number (BCE/KBO)"))

    class Meta:
        model = Organisation
        fields = (
            "name",
            "legal_form",
            "type",
            "type_precision",
            "enterprise_number",
            "street",
            "postal_code",
            "city",
            "website",
        )
        formfield_callback = https_url_formfield
