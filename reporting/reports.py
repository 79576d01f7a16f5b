"""Services of the yearly reporting (art 7): open a campaign, fill, submit, return, accept, consent, remind."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ConsentRecord
from accounts.privacy.consent import consent_record
from core.audit import log_action
from members.enums import FINAL_BENEFICIARY_TYPES, OrganisationStatus
from members.models import Organisation
from reporting import notifications as notify
from reporting.enums import ActionStatus, CampaignStatus, ReportStatus
from reporting.models import Action, Report, ReportEntry, ReportEvent, ReportingCampaign, ReportReminder
from reporting.questions import CHOICE, CURRENT_VERSION, MULTIPLE, TEMPLATES, template_for
from reporting.rules import delegate_group_ids, edits_all_actions


class ReportRefused(ValidationError):
    """The report or campaign cannot change as asked; the message says why."""


# --- campaigns -------------------------------------------------------------------------------------


def campaign_open(*, actor, year: int, deadline: date, template_version: int = CURRENT_VERSION) -> ReportingCampaign:
    """Open the year's campaign: every active final beneficiary gets a report prefilled from its actions."""
    if not getattr(actor, "is_coordinator", False):
        raise ReportRefused(_("Only the coordination opens a reporting campaign."))
    if template_version not in TEMPLATES:
        raise ReportRefused({"template_version": _("This template version does not exist.")})
    if deadline <= timezone.localdate():
        raise ReportRefused({"deadline": _("The deadline must be in the future.")})
    with transaction.atomic():
        if ReportingCampaign.objects.filter(year=year).exists():
            raise ReportRefused({"year": _("A campaign for %(year)s is already open.") % {"year": year}})
        try:
            with transaction.atomic():
                campaign = ReportingCampaign.objects.create(
                    year=year, deadline=deadline, template_version=template_version, opened_by=actor
                )
        except IntegrityError as exc:
            raise ReportRefused({"year": _("A campaign for %(year)s is already open.") % {"year": year}}) from exc
        members = Organisation.objects.filter(
            type__in=FINAL_BENEFICIARY_TYPES, status__in=OrganisationStatus.member_states()
        ).order_by("pk")
        reports = [report_create(campaign=campaign, organisation=organisation) for organisation in members]
        log_action(
            "reporting.campaign.opened",
            actor=actor,
            target=campaign,
            data={"year": year, "deadline": deadline.isoformat(), "reports": len(reports)},
        )
        for report in reports:
            notify.campaign_opened(report)
    return campaign


def campaign_close(*, actor, campaign: ReportingCampaign) -> ReportingCampaign:
    if not getattr(actor, "is_coordinator", False):
        raise ReportRefused(_("Only the coordination closes a reporting campaign."))
    with transaction.atomic():
        campaign = ReportingCampaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status == CampaignStatus.CLOSED:
            raise ReportRefused(_("This campaign is already closed."))
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["status", "closed_at"])
        log_action("reporting.campaign.closed", actor=actor, target=campaign)
    return campaign


def report_for_new_member(*, organisation) -> Report | None:
    """A final beneficiary confirmed while a campaign is open gets its report for that campaign."""
    if organisation.type not in FINAL_BENEFICIARY_TYPES:
        return None
    campaign = (
        ReportingCampaign.objects.filter(status=CampaignStatus.OPEN, deadline__gte=timezone.localdate())
        .order_by("-year")
        .first()
    )
    if campaign is None or Report.objects.filter(campaign=campaign, organisation=organisation).exists():
        return None
    report = report_create(campaign=campaign, organisation=organisation)
    notify.campaign_opened(report)
    return report


def _previous_report(organisation, year: int) -> Report | None:
    return (
        Report.objects.filter(organisation=organisation, campaign__year__lt=year)
        .order_by("-campaign__year")
        .prefetch_related("entries")
        .first()
    )


def report_create(*, campaign: ReportingCampaign, organisation) -> Report:
    """A report prefilled from the member's actions and from last year's answers."""
    previous = _previous_report(organisation, campaign.year)
    report = Report.objects.create(
        campaign=campaign,
        organisation=organisation,
        template_version=campaign.template_version,
        general_answers=dict(previous.general_answers) if previous else {},
    )
    _add_missing_entries(report, previous)
    return report


def _entry_for(report: Report, action: Action, previous_answers: dict | None) -> ReportEntry:
    return ReportEntry(
        report=report,
        action=action,
        thematic_group=action.thematic_group,
        lever_name=action.lever.name if action.lever else "",
        title=action.title,
        status=action.status,
        answers=dict(previous_answers or {}),
        indicator_values={
            str(indicator.pk): {
                "name": indicator.name,
                "unit": indicator.unit,
                "baseline": _text(indicator.baseline),
                "target": _text(indicator.target),
                "value": _text(indicator.latest_value),
            }
            for indicator in action.indicators.all()
        },
    )


def _add_missing_entries(report: Report, previous: Report | None = None) -> int:
    have = set(report.entries.values_list("action_id", flat=True))
    earlier = {entry.action_id: entry.answers for entry in previous.entries.all()} if previous else {}
    actions = (
        Action.objects.filter(organisation=report.organisation)
        .exclude(pk__in=have)
        .select_related("lever", "thematic_group")
        .prefetch_related("indicators")
    )
    # Abandoned long ago: nothing to report; abandoned this year: say why.
    entries = [
        _entry_for(report, action, earlier.get(action.pk))
        for action in actions
        if action.status != ActionStatus.ABANDONED or action.updated_at.year >= report.campaign.year
    ]
    ReportEntry.objects.bulk_create(entries)
    return len(entries)


def report_refresh(report: Report) -> int:
    """Bring in the actions recorded since the report was prepared, while the member can still edit it."""
    if not report.is_editable:
        return 0
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        return _add_missing_entries(report, _previous_report(report.organisation, report.campaign.year))


# --- filling in --------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def _clean_answers(questions, raw: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for question in questions:
        value = raw.get(question.key)
        if question.kind == MULTIPLE:
            allowed = set(question.choices.values)
            cleaned[question.key] = [item for item in (value or []) if item in allowed]
        elif question.kind == CHOICE:
            cleaned[question.key] = value if value in set(question.choices.values) else ""
        else:
            cleaned[question.key] = (value or "").strip()
    return cleaned


def _clean_number(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError) as exc:
        raise ReportRefused(_("An indicator value must be a number.")) from exc


def _locked_editable(report: Report, actor, revision: int | None) -> Report:
    report = Report.objects.select_for_update().select_related("campaign", "organisation").get(pk=report.pk)
    if not report.is_editable:
        raise ReportRefused(
            _("This report is %(status)s: it can no longer be changed.") % {"status": report.get_status_display()}
        )
    if revision is not None and revision != report.revision:
        raise ReportRefused(
            _("Someone else saved this report in the meantime. Your changes were not saved: reload the page.")
        )
    return report


def report_save(
    *,
    actor,
    report: Report,
    general: dict[str, Any],
    entries: dict[int, dict[str, Any]],
    consent: bool | None = None,
    revision: int | None = None,
) -> Report:
    """Save the answers as they are (a draft may be incomplete). ``entries`` maps entry ids to
    ``{"answers": {...}, "indicators": {indicator id: value}}``."""
    template = template_for(report.template_version)
    with transaction.atomic():
        report = _locked_editable(report, actor, revision)
        whole = edits_all_actions(actor, report.organisation)
        if consent is not None and consent != report.nominative_consent and not whole:
            raise ReportRefused(_("The legal representative or the contact point decides about being cited by name."))
        report.general_answers = _clean_answers(template.general_questions, general)
        for entry in report.entries.all():
            submitted = entries.get(entry.pk)
            if submitted is None:
                continue
            if not whole and entry.thematic_group_id not in delegate_group_ids(actor, report.organisation):
                raise ReportRefused(
                    _("You answer for your own thematic group; %(action)s is another delegate's.")
                    % {"action": entry.title}
                )
            entry.answers = _clean_answers(template.action_questions, submitted.get("answers") or {})
            values = dict(entry.indicator_values)
            for key, value in (submitted.get("indicators") or {}).items():
                if str(key) in values:
                    values[str(key)] = {**values[str(key)], "value": _clean_number(value)}
            entry.indicator_values = values
            entry.save(update_fields=["answers", "indicator_values"])
        report.revision += 1
        report.updated_at = timezone.now()
        report.save(update_fields=["general_answers", "revision", "updated_at"])
        if consent is not None and consent != report.nominative_consent:
            _record_consent(report, actor, consent)
        log_action("reporting.report.saved", actor=actor, target=report)
    return report


def missing_answers(report: Report) -> list[str]:
    """What the member must still answer before submitting, in words."""
    template = template_for(report.template_version)
    missing = []
    for entry in report.entries.all():
        for key in ("progress", "result_tone"):
            if not entry.answers.get(key):
                missing.append(
                    _("%(action)s: answer “%(question)s”.")
                    % {"action": entry.title, "question": template.question(key).label}
                )
    if not (report.general_answers.get("highlights") or "").strip():
        missing.append(_("Answer “%(question)s”.") % {"question": template.question("highlights").label})
    return missing


def report_submit(*, actor, report: Report, revision: int | None = None) -> Report:
    with transaction.atomic():
        report = _locked_editable(report, actor, revision)
        missing = missing_answers(report)
        if missing:
            raise ReportRefused(missing)
        resubmission = report.status == ReportStatus.RETURNED
        report.status = ReportStatus.RESUBMITTED if resubmission else ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        report.revision += 1
        report.save(update_fields=["status", "submitted_at", "submitted_by", "revision"])
        _carry_indicator_values(report)
        kind = ReportEvent.Kind.RESUBMITTED if resubmission else ReportEvent.Kind.SUBMITTED
        ReportEvent.objects.create(report=report, kind=kind, actor=actor)
        log_action(f"reporting.report.{kind}", actor=actor, target=report)
    return report


def _carry_indicator_values(report: Report) -> None:
    """The values reported become the actions' latest values, so next year's report starts from them."""
    from reporting.models import Indicator

    today = timezone.localdate()
    for entry in report.entries.all():
        for key, values in entry.indicator_values.items():
            if values.get("value") not in (None, "") and str(key).isdigit():
                Indicator.objects.filter(pk=int(key), action__organisation=report.organisation).update(
                    latest_value=Decimal(values["value"]), latest_on=today
                )


def _locked_for_review(report: Report, actor) -> Report:
    if not getattr(actor, "is_coordinator", False):
        raise ReportRefused(_("Only the coordination reviews reports."))
    report = Report.objects.select_for_update().select_related("campaign", "organisation").get(pk=report.pk)
    if report.status not in ReportStatus.awaiting_review():
        raise ReportRefused(
            _("This report is %(status)s: there is nothing to review.") % {"status": report.get_status_display()}
        )
    return report


def report_return(*, actor, report: Report, comment: str) -> Report:
    comment = (comment or "").strip()
    if not comment:
        raise ReportRefused({"comment": _("Say what the member should revise; the comment is sent to it.")})
    with transaction.atomic():
        report = _locked_for_review(report, actor)
        report.status = ReportStatus.RETURNED
        report.return_comment = comment
        report.revision += 1
        report.save(update_fields=["status", "return_comment", "revision"])
        ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.RETURNED, comment=comment, actor=actor)
        log_action("reporting.report.returned", actor=actor, target=report, data={"comment": comment})
        notify.returned(report)
    return report


def report_accept(*, actor, report: Report) -> Report:
    with transaction.atomic():
        report = _locked_for_review(report, actor)
        report.status = ReportStatus.ACCEPTED
        report.accepted_at = timezone.now()
        report.accepted_by = actor
        report.revision += 1
        report.save(update_fields=["status", "accepted_at", "accepted_by", "revision"])
        ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.ACCEPTED, actor=actor)
        log_action("reporting.report.accepted", actor=actor, target=report)
        notify.accepted(report)
    return report


def _record_consent(report: Report, actor, consent: bool) -> None:
    report.nominative_consent = consent
    report.consent_recorded_at = timezone.now()
    report.consent_recorded_by = actor
    report.save(update_fields=["nominative_consent", "consent_recorded_at", "consent_recorded_by"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.CONSENT,
        actor=actor,
        comment=_("May be cited by name") if consent else _("May not be cited by name"),
    )
    log_action("reporting.report.consent", actor=actor, target=report, data={"nominative_consent": consent})
    consent_record(source=ConsentRecord.Source.REPORT, given=consent, actor=actor, report=report)


def report_set_consent(*, actor, report: Report, consent: bool) -> Report:
    """Art 8: the member's choice, time-stamped, open to change until the report is accepted."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("organisation").get(pk=report.pk)
        if not edits_all_actions(actor, report.organisation):
            raise ReportRefused(_("The legal representative or the contact point decides about being cited by name."))
        if report.status == ReportStatus.ACCEPTED:
            raise ReportRefused(_("The report is accepted: its consent choice can no longer change."))
        if consent != report.nominative_consent or report.consent_recorded_at is None:
            _record_consent(report, actor, consent)
    return report


# --- reminders ---------------------------------------------------------------------------------------

AHEAD = ((30, "d30"), (7, "d7"))


def reminder_due(report: Report, today: date) -> tuple[str, int] | None:
    """The reminder this report should get today, if any: 30 and 7 days before, then weekly while overdue."""
    campaign = report.campaign
    days_left = (campaign.deadline - today).days
    if days_left < 0:
        return f"overdue-{(-days_left - 1) // 7}", days_left
    for ahead, kind in reversed(AHEAD):
        # Only a campaign that was already open on that day owes the reminder.
        if days_left <= ahead and timezone.localtime(campaign.opened_at).date() <= campaign.deadline - timedelta(ahead):
            return kind, days_left
    return None


def report_reminders_send(today: date | None = None) -> int:
    """Periodic: claim each due reminder by inserting its unique row, then queue its mails, once."""
    today = today or timezone.localdate()
    sent = 0
    reports = Report.objects.filter(
        campaign__status=CampaignStatus.OPEN, status__in=ReportStatus.editable()
    ).select_related("campaign", "organisation")
    for report in reports:
        due = reminder_due(report, today)
        if due is None:
            continue
        kind, days_left = due
        try:
            with transaction.atomic():
                ReportReminder.objects.create(report=report, kind=kind)
                notify.reminder(report, kind=kind, days_left=days_left)
        except IntegrityError:
            continue  # another run claimed it
        sent += 1
    return sent
