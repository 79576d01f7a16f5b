from django import forms
from django.utils.translation import gettext_lazy as _

from thematic_groups.models import ThematicGroup
from thematic_groups.services import EDITABLE_FIELDS


class ThematicGroupForm(forms.ModelForm):
    class Meta:
        model = ThematicGroup
        fields = EDITABLE_FIELDS
        widgets = {
            "first_session_start": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "first_session_end": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "target_public": forms.Textarea(attrs={"rows": 3}),
            "scope": forms.Textarea(attrs={"rows": 6}),
            "ambitions": forms.Textarea(attrs={"rows": 6}),
            "out_of_scope": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        minimum, maximum = cleaned.get("capacity_min"), cleaned.get("capacity_max")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("capacity_max", _("The maximum must be at least the minimum (%(min)s).") % {"min": minimum})
        start, end = cleaned.get("first_session_start"), cleaned.get("first_session_end")
        if start and end and end <= start:
            self.add_error("first_session_end", _("The session must end after it starts."))
        return cleaned
