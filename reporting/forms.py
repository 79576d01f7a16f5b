"""Forms of the actions, the report, and the coordination's decisions."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from reporting.models import Action, Indicator, Lever
from reporting.questions import CHOICE, MULTIPLE, TEXT, Template
from reporting.selectors import final_beneficiaries_for_linking

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def plain_decimal(value) -> Decimal | None:
    """A stored decimal without its trailing zeros, for a form field: 22, not 22.00."""
    if value in (None, ""):
        return None
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def readable_number(value) -> str:
    """A stored decimal as people write it in the current language: "22,5", not "22.50"."""
    if value in (None, ""):
        return "—"
    return floatformat(value, "-2")


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "description", "lever", "status", "starts_on", "ends_on", "partners", "final_beneficiaries"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_on": DATE,
            "ends_on": DATE,
            "final_beneficiaries": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, organisation, thematic_group, **kwargs):
        super().__init__(*args, **kwargs)
        self.thematic_group = thematic_group
        if thematic_group is None:
            self.fields.pop("lever")
            self.fields["final_beneficiaries"].queryset = final_beneficiaries_for_linking()
            self.fields["final_beneficiaries"].help_text = _(
                "Tick the final beneficiaries of the alliance the action is carried out with, if any."
            )
        else:
            self.fields.pop("final_beneficiaries")
            levers = Lever.objects.filter(thematic_group=thematic_group)
            current = self.instance.lever_id if self.instance.pk else None
            self.fields["lever"].queryset = levers.filter(is_active=True) | levers.filter(pk=current)
            self.fields["lever"].empty_label = _("— choose a lever —")

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The action cannot end before it starts."))
        return cleaned


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "baseline", "target", "latest_value", "latest_on"]
        widgets = {"latest_on": DATE}


IndicatorFormSet = inlineformset_factory(
    Action, Indicator, form=IndicatorForm, extra=1, can_delete=True, max_num=10, validate_max=True
)


def indicator_rows(formset) -> list[dict]:
    """The indicators the member kept, as rows for ``action_update``."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        row = {name: form.cleaned_data.get(name) for name in IndicatorForm.Meta.fields}
        if form.instance.pk:
            row["id"] = form.instance.pk
        rows.append(row)
    return rows


def _field_for(question, initial):
    if question.kind == MULTIPLE:
        return forms.MultipleChoiceField(
            label=question.label,
            help_text=question.help_text,
            required=False,
            choices=question.choices.choices,
            widget=forms.CheckboxSelectMultiple,
            initial=initial or [],
        )
    if question.kind == CHOICE:
        return forms.ChoiceField(
            label=question.label,
            help_text=question.help_text,
            required=False,
            choices=[("", _("— choose —")), *question.choices.choices],
            initial=initial or "",
        )
    assert question.kind == TEXT
    return forms.CharField(
        label=question.label,
        help_text=question.help_text,
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=initial or "",
    )


class ReportForm(forms.Form):
    """The harmonised template for one report: the questions per action, then the general ones."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    nominative_consent = forms.BooleanField(
        label=_("The Region may cite our organisation by name with its actions and results (art 8)"),
        help_text=_(
            "Without this consent, your answers are only published aggregated or anonymised. "
            "You can change your choice until the report is accepted."
        ),
        required=False,
    )

    def __init__(self, *args, report, template: Template, editable_groups=None, can_consent: bool = True, **kwargs):
        """``editable_groups``: the GTs whose answers this person may change (None: all of them)."""
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["revision"].initial = report.revision
        self.fields["nominative_consent"].initial = report.nominative_consent
        if not can_consent:
            self.fields["nominative_consent"].disabled = True
            self.fields["nominative_consent"].help_text = _(
                "The legal representative or the contact point decides it for the organisation."
            )
        self.entry_sections = []
        self.read_only_entries = set()
        for entry in report.entries.all():
            editable = editable_groups is None or entry.thematic_group_id in editable_groups
            if not editable:
                self.read_only_entries.add(entry.pk)
            names = []
            for question in template.action_questions:
                name = f"e{entry.pk}__{question.key}"
                self.fields[name] = _field_for(question, entry.answers.get(question.key))
                names.append(name)
            for indicator_id, values in entry.indicator_values.items():
                name = f"e{entry.pk}__indicator_{indicator_id}"
                self.fields[name] = forms.DecimalField(
                    label=_("%(indicator)s, value this year (%(unit)s)")
                    % {"indicator": values.get("name", ""), "unit": values.get("unit", "")},
                    help_text=_("Baseline %(baseline)s, target %(target)s.")
                    % {
                        "baseline": readable_number(values.get("baseline")),
                        "target": readable_number(values.get("target")),
                    },
                    required=False,
                    max_digits=16,
                    decimal_places=2,
                    initial=plain_decimal(values.get("value")),
                    localize=True,
                )
                names.append(name)
            if not editable:
                for name in names:
                    self.fields[name].disabled = True
            self.entry_sections.append((entry, names))
        self.general_names = []
        for question in template.general_questions:
            name = f"general__{question.key}"
            self.fields[name] = _field_for(question, report.general_answers.get(question.key))
            self.general_names.append(name)
        self.template = template

    def sections(self):
        """(entry, bound fields) per action, for the template."""
        return [(entry, [self[name] for name in names]) for entry, names in self.entry_sections]

    def general_fields(self):
        return [self[name] for name in self.general_names]

    def answers(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        general = {question.key: data.get(f"general__{question.key}") for question in self.template.general_questions}
        entries = {}
        for entry, _names in self.entry_sections:
            if entry.pk in self.read_only_entries:
                continue
            entries[entry.pk] = {
                "answers": {q.key: data.get(f"e{entry.pk}__{q.key}") for q in self.template.action_questions},
                "indicators": {key: data.get(f"e{entry.pk}__indicator_{key}") for key in entry.indicator_values},
            }
        return general, entries


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=_("Year reported on"), min_value=2026, max_value=2029)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the member revise? (sent to it)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class EvaluationFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    gt = forms.ChoiceField(
        label=_("Thematic group"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, years, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]
        self.fields["gt"].choices = [("", _("All groups"))] + [(group.slug, group.short_name) for group in groups]
