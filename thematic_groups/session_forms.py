"""Forms of the sessions, absences, attendance and contributions pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import https_url_formfield
from core.uploads import CheckedFileField
from thematic_groups.enums import AttendanceStatus, DeliverableState
from thematic_groups.models import Session

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CONTRIBUTION_KINDS = {"pdf", "office", "image"}


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        formfield_callback = https_url_formfield
        fields = ("title", "starts_at", "ends_at", "place", "online_url", "agenda", "intersession_task")
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "intersession_task": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "starts_at": _("Brussels time. A session is announced at least two months ahead."),
            "place": _("The address, or leave empty for an online session."),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The session must end after it starts."))
        if start and start <= timezone.now() and (self.instance.pk is None or "starts_at" in self.changed_data):
            self.add_error("starts_at", _("Choose a date and time to come."))
        if not cleaned.get("place") and not cleaned.get("online_url"):
            self.add_error("place", _("Give a place or an online link."))
        return cleaned


class ShortNoticeForm(forms.Form):
    short_notice_reason = forms.CharField(
        label=_("Exceptional reason for publishing less than two months ahead"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the cancellation (sent to the delegates)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConfirmForm(forms.Form):
    """A confirmation step with nothing to fill in."""


class AbsenceForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    replacement = forms.ChoiceField(
        label=_("Who replaces the delegate (optional)"),
        required=False,
        help_text=_("A representative of your organisation who attends counts as attendance."),
    )
    message = forms.CharField(
        label=_("Message to the pilot (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in organisations]
        if len(organisations) == 1:
            self.fields["organisation"].initial = str(organisations[0].pk)
            self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["replacement"].choices = [("", _("Nobody: the organisation will be absent"))] + [
            (str(user.pk), f"{user.get_full_name() or user.email} — {organisation.name}")
            for organisation, user in people
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class GuestForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Ecosystem actor"))
    topic = forms.CharField(label=_("Expertise expected at the session"), max_length=300)

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (
                str(expert.organisation.pk),
                f"{expert.organisation.name}{' ★' if expert.covers_group else ''}"
                + (f" — {expert.expertise[:80]}" if expert.expertise else ""),
            )
            for expert in experts
        ]


class IntersessionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = CheckedFileField(kinds=CONTRIBUTION_KINDS, label=_("File (optional)"), required=False)


class DeliverableForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Where your organisation stands"),
        choices=[(value, label) for value, label in DeliverableState.choices if value != DeliverableState.VALIDATED],
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = CheckedFileField(kinds=CONTRIBUTION_KINDS, label=_("File of the deliverable"), required=False)


class RemovalForm(forms.Form):
    effective_on = forms.DateField(
        label=_("Leaves the group on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave the member a reasonable time: it is told by e-mail today."),
    )
    reason = forms.CharField(label=_("Reason (sent to the organisation)"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_effective_on(self):
        value = self.cleaned_data["effective_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date after today, so the member is told ahead."))
        return value


ATTENDANCE_CHOICES = [("", "—")] + list(AttendanceStatus.choices)
