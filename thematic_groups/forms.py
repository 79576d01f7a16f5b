from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from thematic_groups.enums import ProposalDecision
from thematic_groups.models import ThematicGroup
from thematic_groups.services import EDITABLE_FIELDS, check_against_places


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

    def _post_clean(self):
        # The instance now carries the new values: check them against the places already given.
        super()._post_clean()
        if self.instance.pk and not self.errors:
            try:
                check_against_places(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class PriorityForm(forms.Form):
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=9,
        help_text=_("0 = no priority; a higher number comes first on the waiting list."),
    )
    reason = forms.CharField(
        label=_("Reason for the priority"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a priority: it is recorded and shown to the coordination."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("priority") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Record the reason for this priority."))
        return cleaned


class ProposalAdjustForm(forms.Form):
    """One choice per line of the proposal: a seat or the waiting list."""

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.decision != ProposalDecision.NOT_ELIGIBLE]
        for line in self.lines:
            self.fields[f"line-{line.pk}"] = forms.ChoiceField(
                label=_("Decision for %(organisation)s in %(group)s")
                % {"organisation": line.organisation.name, "group": line.thematic_group.short_name},
                choices=[(ProposalDecision.ASSIGN, _("Seat")), (ProposalDecision.WAIT, _("Waiting list"))],
                initial=line.decision,
            )

    def changes(self):
        return [
            (line, self.cleaned_data[f"line-{line.pk}"])
            for line in self.lines
            if self.cleaned_data[f"line-{line.pk}"] != line.decision
        ]
