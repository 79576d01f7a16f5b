"""One form per step of the adhesion form, in the order of the official form (form §1-5)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from adhesions.enums import ContributionOption
from adhesions.models import Adhesion
from members.enterprise_number import normalise_enterprise_number
from members.enums import OrganisationType
from members.forms import EnterpriseNumberField
from thematic_groups.models import ThematicGroup

PERSON_FIELDS = ("last_name", "first_name", "function", "email", "phone")
SHORT_TEXT = 150
ACTION_TEXT = 2000
LONG_TEXT = 5000
TRANSVERSAL = "transversal"
PHONE_PATTERN = re.compile(r"^\+?[0-9 ./()-]+$")


def phone_validator(value: str) -> None:
    digits = sum(char.isdigit() for char in value)
    if not PHONE_PATTERN.match(value) or not 8 <= digits <= 15:
        raise forms.ValidationError(
            _("Enter a phone number with 8 to 15 digits, for example 081 33 44 55 or +32 81 33 44 55."),
            code="phone",
        )


def text_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def person_fields(*, required: bool = True) -> dict[str, forms.Field]:
    """The five fields the official form asks for each person."""
    return {
        "last_name": forms.CharField(label=_("Last name"), max_length=SHORT_TEXT, required=required),
        "first_name": forms.CharField(label=_("First name"), max_length=SHORT_TEXT, required=required),
        "function": forms.CharField(label=_("Function"), max_length=SHORT_TEXT, required=required),
        "email": forms.EmailField(
            label=_("E-mail"),
            required=required,
            error_messages={"invalid": _("Enter an e-mail address such as name@organisation.be.")},
        ),
        "phone": forms.CharField(label=_("Phone"), max_length=32, required=required, validators=[phone_validator]),
    }


class StepForm(forms.Form):
    """A step's form: knows the adhesion it belongs to and turns its cleaned data into answers."""

    def __init__(self, *args, adhesion: Adhesion, **kwargs) -> None:
        self.adhesion = adhesion
        super().__init__(*args, **kwargs)

    def answers(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}

    @classmethod
    def initial_from(cls, section: dict) -> dict:
        return dict(section)


class OrganisationForm(StepForm):
    name = forms.CharField(label=_("Official name"), max_length=255)
    legal_form = forms.CharField(
        label=_("Legal form"), max_length=100, help_text=_("For example ASBL, SA, intercommunale.")
    )
    type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[
            (OrganisationType.HOSPITAL, _("Hospital (final beneficiary)")),
            (OrganisationType.ELDER_CARE_HOME, _("Elder-care home (final beneficiary)")),
            (OrganisationType.OTHER, _("Other actor of the health ecosystem")),
        ],
        widget=forms.RadioSelect,
    )
    type_precision = forms.CharField(
        label=_("Please specify"),
        max_length=200,
        required=False,
        help_text=_("For another actor: patient association, federation, research centre, company…"),
    )
    enterprise_number = EnterpriseNumberField(label=_("Enterprise number (BCE/KBO)"))
    street = forms.CharField(label=_("Registered office: street and number"), max_length=255)
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^[1-9][0-9]{3}$",
        max_length=4,
        error_messages={"invalid": _("Enter a Belgian postal code of four digits, for example 5000.")},
    )
    city = forms.CharField(label=_("City"), max_length=100)
    website = forms.URLField(label=_("Website (optional)"), required=False, assume_scheme="https", max_length=200)

    def clean_enterprise_number(self) -> str:
        from adhesions.selectors import enterprise_number_conflict

        number = self.cleaned_data["enterprise_number"]
        conflict = enterprise_number_conflict(number, exclude_adhesion=self.adhesion)
        if conflict:
            raise forms.ValidationError(conflict, code="duplicate")
        return number

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") == OrganisationType.OTHER:
            if not (cleaned.get("type_precision") or "").strip():
                self.add_error("type_precision", _("Say what kind of ecosystem actor the organisation is."))
        else:
            cleaned["type_precision"] = ""
        return cleaned

    @classmethod
    def initial_from(cls, section: dict) -> dict:
        initial = dict(section)
        if initial.get("enterprise_number"):
            initial["enterprise_number"] = normalise_enterprise_number(initial["enterprise_number"])
        return initial


class LegalRepresentativeForm(StepForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(person_fields())


class ContactPointForm(StepForm):
    same_as_legal_representative = forms.BooleanField(
        label=_("The contact point is the legal representative"), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(person_fields(required=False))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("same_as_legal_representative"):
            for name in PERSON_FIELDS:
                cleaned[name] = ""
                self.errors.pop(name, None)
            return cleaned
        for name in PERSON_FIELDS:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Fill in this field, or tick “the contact point is the legal representative”."))
        return cleaned


def _groups() -> list[ThematicGroup]:
    return list(ThematicGroup.objects.order_by("number"))


def group_not_allowed_message(group: ThematicGroup, organisation_type: str) -> str:
    if organisation_type == OrganisationType.OTHER:
        return _(
            "Ecosystem actors do not join thematic groups: "
            "they are invited to sessions for their expertise (art 4ter.2)."
        )
    if group.eligibility == "hospitals":
        return _("%(group)s is reserved to hospitals.") % {"group": group.name}
    return _("%(group)s is reserved to elder-care homes.") % {"group": group.name}


class GroupsForm(StepForm):
    """Form §3.1: the GTs wanted and, for each, its delegate. Every GT is shown, with who it is for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.groups = _groups()
        for group in self.groups:
            self.fields[f"{group.slug}__chosen"] = forms.BooleanField(label=group.name, required=False)
            for name, field in person_fields(required=False).items():
                # The error summary lists fields out of their fieldset: it needs the group's name.
                field.summary_label = f"{field.label} ({group.short_name})"
                self.fields[f"{group.slug}__{name}"] = field

    def group_rows(self) -> list[dict]:
        return [
            {
                "group": group,
                "chosen": self[f"{group.slug}__chosen"],
                "people": [self[f"{group.slug}__{name}"] for name in PERSON_FIELDS],
            }
            for group in self.groups
        ]

    def clean(self):
        cleaned = super().clean()
        organisation_type = self.adhesion.organisation_type
        chosen = [group for group in self.groups if cleaned.get(f"{group.slug}__chosen")]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one thematic group."), code="no_group")
        for group in chosen:
            if organisation_type == OrganisationType.OTHER or not group.accepts(organisation_type):
                self.add_error(f"{group.slug}__chosen", group_not_allowed_message(group, organisation_type))
                continue
            empty = [name for name in PERSON_FIELDS if not cleaned.get(f"{group.slug}__{name}")]
            if len(empty) == len(PERSON_FIELDS):
                self.add_error(
                    f"{group.slug}__{PERSON_FIELDS[0]}",
                    _("Name the delegate for %(group)s.") % {"group": group.short_name},
                )
                continue
            for name in empty:
                key = f"{group.slug}__{name}"
                if key not in self.errors:
                    self.add_error(
                        key, _("Fill in this field for the delegate of %(group)s.") % {"group": group.short_name}
                    )
        return cleaned

    def answers(self) -> dict:
        chosen = [group.slug for group in self.groups if self.cleaned_data.get(f"{group.slug}__chosen")]
        return {
            "choices": chosen,
            "delegates": {
                slug: {name: self.cleaned_data.get(f"{slug}__{name}", "") for name in PERSON_FIELDS} for slug in chosen
            },
        }

    @classmethod
    def initial_from(cls, section: dict) -> dict:
        initial = {}
        for slug in section.get("choices", []):
            initial[f"{slug}__chosen"] = True
            for name, value in (section.get("delegates", {}).get(slug) or {}).items():
                initial[f"{slug}__{name}"] = value
        return initial


class ActionsForm(StepForm):
    """Form §3.2: for each chosen GT, two actions (Option 1) or not yet defined (Option 2)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        chosen = set(self.adhesion.section("groups").get("choices", []))
        self.groups = [group for group in _groups() if group.slug in chosen]
        for group in self.groups:
            self.fields[f"{group.slug}__option"] = forms.ChoiceField(
                label=_("Your commitment for %(group)s") % {"group": group.name},
                choices=ContributionOption.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose Option 1 or Option 2 for %(group)s.") % {"group": group.short_name}
                },
            )
            for number in (1, 2):
                self.fields[f"{group.slug}__action_{number}"] = forms.CharField(
                    label=_("Action %(number)s considered") % {"number": number},
                    max_length=ACTION_TEXT,
                    required=False,
                    widget=text_area(3),
                )

    def group_rows(self) -> list[dict]:
        return [
            {
                "group": group,
                "option": self[f"{group.slug}__option"],
                "actions": [self[f"{group.slug}__action_1"], self[f"{group.slug}__action_2"]],
            }
            for group in self.groups
        ]

    def clean(self):
        cleaned = super().clean()
        for group in self.groups:
            if cleaned.get(f"{group.slug}__option") != ContributionOption.TWO_ACTIONS:
                continue
            for number in (1, 2):
                key = f"{group.slug}__action_{number}"
                if not (cleaned.get(key) or "").strip() and key not in self.errors:
                    self.add_error(
                        key,
                        _("Option 1 needs two actions: describe action %(number)s for %(group)s, or choose Option 2.")
                        % {"number": number, "group": group.short_name},
                    )
        return cleaned

    def answers(self) -> dict:
        result = {}
        for group in self.groups:
            option = self.cleaned_data.get(f"{group.slug}__option")
            two_actions = option == ContributionOption.TWO_ACTIONS
            result[group.slug] = {
                "option": option,
                "action_1": self.cleaned_data.get(f"{group.slug}__action_1", "") if two_actions else "",
                "action_2": self.cleaned_data.get(f"{group.slug}__action_2", "") if two_actions else "",
            }
        return result

    @classmethod
    def initial_from(cls, section: dict) -> dict:
        return {f"{slug}__{key}": value for slug, values in section.items() for key, value in values.items()}


def expertise_theme_choices() -> list[tuple[str, str]]:
    return [(group.slug, group.name) for group in _groups()] + [(TRANSVERSAL, _("Transversal theme"))]


class EcosystemForm(StepForm):
    """Form §4: what an ecosystem actor brings to the learning network (art 4ter)."""

    contributions = forms.CharField(
        label=_("Contributions to the learning network"),
        help_text=_("Resources you can share (tools, guides, training, events) and activities you can promote."),
        max_length=LONG_TEXT,
        widget=text_area(5),
    )
    expertise = forms.CharField(
        label=_("Expertise you can bring to a GT session, on invitation"), max_length=LONG_TEXT, widget=text_area(5)
    )
    expertise_themes = forms.MultipleChoiceField(
        label=_("Themes your expertise covers"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    internal_action = forms.BooleanField(
        label=_("We wish to carry out an action linked to the sustainable transition (optional, art 4ter.3)"),
        required=False,
    )
    internal_action_description = forms.CharField(
        label=_("Description of the action"), max_length=LONG_TEXT, required=False, widget=text_area(4)
    )
    internal_action_with_final_beneficiaries = forms.BooleanField(
        label=_("The action is a collaboration with one or more final beneficiaries of the alliance"), required=False
    )
    internal_action_partners = forms.CharField(
        label=_("Final beneficiaries involved (optional)"), max_length=SHORT_TEXT * 2, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expertise_themes"].choices = expertise_theme_choices()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("internal_action"):
            if not (cleaned.get("internal_action_description") or "").strip():
                self.add_error("internal_action_description", _("Describe the action you wish to carry out."))
        else:
            cleaned["internal_action_description"] = ""
            cleaned["internal_action_with_final_beneficiaries"] = False
            cleaned["internal_action_partners"] = ""
        return cleaned


class InitiativesForm(StepForm):
    """Form §5, for everyone: what the organisation already does."""

    description = forms.CharField(
        label=_("Existing sustainability initiatives"),
        help_text=_("Training, structured approach, reflection on a topic, optimised practices, awareness actions…"),
        max_length=LONG_TEXT,
        widget=text_area(6),
    )
    link = forms.URLField(
        label=_("Link to a web page (optional)"), required=False, assume_scheme="https", max_length=500
    )
    remove_file = forms.BooleanField(label=_("Remove the attached file"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        from core.uploads import CheckedFileField

        super().__init__(*args, **kwargs)
        self.fields["file"] = CheckedFileField(
            label=_("Attach a report or summary (optional)"),
            kinds={"pdf", "office", "image"},
            max_bytes=settings.UPLOAD_MAX_BYTES,
            required=False,
        )
        if not self.adhesion.initiatives_file:
            del self.fields["remove_file"]
        self.order_fields(["description", "link", "file", "remove_file"])

    def answers(self) -> dict:
        return {"description": self.cleaned_data["description"], "link": self.cleaned_data.get("link") or ""}


class PrivacyForm(StepForm):
    """The GDPR notice of the form, and the separate, optional consent of art 8."""

    notice_acknowledged = forms.BooleanField(
        label=_("I have read the notice on the protection of personal data"),
        error_messages={"required": _("Tick this box to confirm that you have read the notice.")},
    )
    nominative_consent = forms.BooleanField(
        label=_("The Region may name our organisation in its communication on the alliance and its results (optional)"),
        help_text=_(
            "Without this consent, results are published anonymised or aggregated. You can withdraw it at any time."
        ),
        required=False,
    )


class SubmitForm(forms.Form):
    accept_convention = forms.BooleanField(
        label=_("We have read the convention and its annexes and accept the commitments it sets out"),
        error_messages={"required": _("Tick this box to accept the convention before sending the form.")},
    )


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type your first and last name"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    confirm = forms.BooleanField(
        label=_("I confirm the attestation above and sign"),
        error_messages={"required": _("Tick this box to sign.")},
    )
