from datetime import timedelta

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import https_url_formfield
from members.enterprise_number import format_enterprise_number, normalise_enterprise_number
from members.enums import OrganisationType
from members.lifecycle import IDENTITY_FIELDS
from members.models import Organisation

# The default notice before a withdrawal takes effect: time to close or hand over ongoing work (art 6.3).
WITHDRAWAL_NOTICE = timedelta(days=30)


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


class OrganisationProfileForm(forms.Form):
    """The details an organisation keeps up to date itself; the type and enterprise number stay with the
    coordination. A plain form built from the model, so a refused change never touches the organisation shown."""

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        names = (*IDENTITY_FIELDS, "nominative_consent")
        super().__init__(*args, initial={name: getattr(organisation, name) for name in names}, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                Organisation,
                fields=names,
                formfield_callback=https_url_formfield,
                labels={
                    "nominative_consent": _(
                        "The organisation agrees to be named in published results about its actions (art 8)"
                    )
                },
                help_texts={
                    "nominative_consent": _(
                        "Optional, and you can withdraw it at any time. Without it, the organisation appears "
                        "only anonymised in published results."
                    )
                },
            )
        )
        # The same rule as the adhesion form: a Belgian postal code.
        self.fields["postal_code"].validators.append(
            RegexValidator(r"^[1-9][0-9]{3}$", _("Enter a Belgian postal code of four digits, for example 5000."))
        )
        if organisation.type == OrganisationType.OTHER:
            self.fields["type_precision"].required = True
        else:
            del self.fields["type_precision"]  # only "other ecosystem actor" has a precision (form §1)


class PersonForm(forms.Form):
    """A new contact point or delegate: the five details the official form asks for each person."""

    def __init__(self, *args, **kwargs) -> None:
        from adhesions.forms import person_fields  # here: adhesions.forms imports this module

        super().__init__(*args, **kwargs)
        self.fields.update(person_fields())


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Give the reason for the withdrawal.")},
    )
    effective_on = forms.DateField(
        label=_("Date the withdrawal takes effect"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave enough time to close or hand over your ongoing work in the alliance."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm that the organisation withdraws from the alliance"),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["effective_on"].initial = today + WITHDRAWAL_NOTICE
        self.fields["effective_on"].widget.attrs["min"] = today.isoformat()

    def clean_effective_on(self):
        # Also checked by the service; here too so that every mistake shows at once.
        value = self.cleaned_data["effective_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The withdrawal cannot take effect in the past."))
        return value
