"""Forms of the library: deposit, filters, moderation decisions and flags."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from community.enums import ResourceKind, ResourceLanguage, ResourceOrigin
from community.models import Theme
from core.uploads import CheckedFileField, describe_kinds

LIBRARY_KINDS = {"pdf", "office", "image", "csv"}


class WebAddressField(forms.URLField):
    """A web page's address: http or https only, so no javascript:, data: or file: link reaches a page."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))
    kind = forms.ChoiceField(label=_("Type"), choices=ResourceKind.choices)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.order_by("position"), widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(
        label=_("Tags (optional)"),
        required=False,
        max_length=300,
        help_text=_("Separate them with commas, for example: energy, operating theatre."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=ResourceLanguage.choices, initial="fr")
    origin = forms.ChoiceField(label=_("Origin"), choices=ResourceOrigin.choices, widget=forms.RadioSelect)
    file = CheckedFileField(kinds=LIBRARY_KINDS, label=_("File"), required=False)
    link = WebAddressField(
        label=_("Or a link (web page)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("An address starting with https:// or http://."),
    )
    organisation = forms.ChoiceField(label=_("In the name of"))

    def __init__(self, *args, organisations, has_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file
        # The limit is read when the form is built, so that a changed setting shows and applies at once.
        limit = settings.UPLOAD_MAX_BYTES
        self.fields["file"].max_bytes = limit
        self.fields["file"].help_text = describe_kinds(LIBRARY_KINDS, limit)
        self.fields["organisation"].choices = [(str(org.pk), org.name) for org in organisations]
        if len(organisations) == 1:
            self.fields["organisation"].initial = str(organisations[0].pk)

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()][:10]

    def clean(self):
        cleaned = super().clean()
        nothing_given = not cleaned.get("file") and not cleaned.get("link") and not self.has_file
        if nothing_given and not self.errors.get("file") and not self.errors.get("link"):
            self.add_error("file", _("Give a file or a link."))
        return cleaned


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *ResourceKind.choices])
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *ResourceLanguage.choices]
    )
    origin = forms.ChoiceField(
        label=_("Origin"), required=False, choices=[("", _("Belgian and international")), *ResourceOrigin.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("", _("Relevance, then most recent")), ("recent", _("Most recent")), ("title", _("Title"))],
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes"))] + [(theme.slug, theme.name) for theme in themes]
        for field in self.fields.values():
            css = "form-control" if isinstance(field.widget, forms.TextInput) else "form-select"
            field.widget.attrs["class"] = css


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the author (required to ask for changes or to reject)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this resource?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WatchForm(forms.Form):
    rhythm = forms.ChoiceField(label=_("How often do you want to hear of new resources?"), widget=forms.RadioSelect)
    themes = forms.MultipleChoiceField(
        label=_("Themes and thematic groups I follow"), required=False, widget=forms.CheckboxSelectMultiple
    )
    kinds = forms.MultipleChoiceField(
        label=_("Types of resources I follow"),
        required=False,
        choices=ResourceKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, themes, **kwargs):
        from community.enums import DigestRhythm

        super().__init__(*args, **kwargs)
        self.fields["rhythm"].choices = DigestRhythm.choices
        self.fields["themes"].choices = [(theme.slug, theme.name) for theme in themes]
