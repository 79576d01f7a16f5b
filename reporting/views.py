"""Member pages: the organisation's actions per GT, its yearly reports and their PDFs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.enums import FINAL_BENEFICIARY_TYPES
from members.models import Organisation
from reporting import actions as action_services
from reporting import documents, reports, selectors
from reporting.forms import ActionForm, IndicatorFormSet, ReportForm, indicator_rows
from reporting.models import Action, Report
from reporting.questions import template_for
from reporting.rules import (
    can_edit_action,
    delegate_group_ids,
    edits_all_actions,
    edits_group_actions,
    speaks_for_organisation,
)
from thematic_groups.models import ThematicGroup
from thematic_groups.pages import show_refusal


def _crumbs(*extra) -> list[tuple[str, str]]:
    return [(_("Actions and reports"), reverse("reporting:mine")), *extra]


@login_required
@never_cache
def my_actions(request):
    return render(request, "reporting/mine.html", {"organisations": selectors.my_actions(request.user)})


def _report_formset_errors(form, formset) -> None:
    """The indicators' errors join the page's error summary, each naming its indicator and field."""
    for error in formset.non_form_errors():
        form.add_error(None, error)
    for number, subform in enumerate(formset.forms, start=1):
        for name, errors in subform.errors.items():
            label = subform.fields[name].label if name in subform.fields else ""
            for error in errors:
                form.add_error(
                    None,
                    _("Indicator %(number)s, %(field)s: %(error)s")
                    % {"number": number, "field": label, "error": error},
                )


def _action_page(request, form, formset, *, title, organisation, group, action=None):
    if form.is_bound and not formset.is_valid():
        _report_formset_errors(form, formset)
    return render(
        request,
        "reporting/action_form.html",
        {
            "form": form,
            "formset": formset,
            "title": title,
            "organisation": organisation,
            "group": group,
            "action": action,
            "breadcrumbs": _crumbs(),
        },
    )


@login_required
@never_cache
def action_create(request, organisation_pk: int, slug: str = ""):
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    if not speaks_for_organisation(request.user, organisation):
        raise Http404
    group = None
    if organisation.type in FINAL_BENEFICIARY_TYPES:
        group = get_object_or_404(ThematicGroup, slug=slug)
        if not edits_group_actions(request.user, organisation, group.pk):
            raise Http404
    elif slug or not edits_all_actions(request.user, organisation):
        raise Http404
    form = ActionForm(request.POST or None, organisation=organisation, thematic_group=group)
    formset = IndicatorFormSet(request.POST or None, instance=Action(organisation=organisation), prefix="indicators")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "final_beneficiaries"}
        try:
            action = action_services.action_create(
                actor=request.user,
                organisation=organisation,
                thematic_group=group,
                indicators=indicator_rows(formset),
                final_beneficiaries=form.cleaned_data.get("final_beneficiaries") or (),
                **fields,
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The action “%(title)s” is recorded.") % {"title": action.title})
            return redirect(reverse("reporting:mine") + f"#organisation-{organisation.pk}")
    title = _("New action — %(group)s") % {"group": group.short_name} if group else _("New action")
    return _action_page(request, form, formset, title=title, organisation=organisation, group=group)


def _editable_action(request, pk: int) -> Action:
    try:
        action = selectors.action_get(pk)
    except Action.DoesNotExist as exc:
        raise Http404 from exc
    if not can_edit_action(request.user, action):
        raise Http404
    return action


@login_required
@never_cache
def action_edit(request, pk: int):
    action = _editable_action(request, pk)
    form = ActionForm(
        request.POST or None, instance=action, organisation=action.organisation, thematic_group=action.thematic_group
    )
    formset = IndicatorFormSet(request.POST or None, instance=action, prefix="indicators")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "final_beneficiaries"}
        linked = form.cleaned_data.get("final_beneficiaries") if "final_beneficiaries" in form.fields else None
        try:
            action_services.action_update(
                actor=request.user,
                action=action,
                indicators=indicator_rows(formset),
                final_beneficiaries=linked,
                **fields,
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The action is saved."))
            return redirect(reverse("reporting:mine") + f"#organisation-{action.organisation_id}")
    return _action_page(
        request,
        form,
        formset,
        title=_("Action: %(title)s") % {"title": action.title},
        organisation=action.organisation,
        group=action.thematic_group,
        action=action,
    )


@login_required
@require_POST
def action_delete(request, pk: int):
    action = _editable_action(request, pk)
    try:
        action_services.action_delete(actor=request.user, action=action)
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("reporting:action_edit", pk=action.pk)
    messages.success(request, _("The action is deleted."))
    return redirect(reverse("reporting:mine") + f"#organisation-{action.organisation_id}")


# --- reports ---------------------------------------------------------------------------------------------


def _visible_report(request, pk: int) -> Report:
    """The member's own report, or any report for the coordination; 404 for everybody else."""
    report = Report.objects.select_related("organisation", "campaign").filter(pk=pk).first()
    if report is None:
        raise Http404
    if speaks_for_organisation(request.user, report.organisation):
        return report
    if getattr(request.user, "is_coordinator", False):
        from accounts.mfa import mfa_satisfied

        if mfa_satisfied(request):
            return report
    raise Http404


@login_required
@never_cache
def report_detail(request, pk: int):
    report = _visible_report(request, pk)
    fills = speaks_for_organisation(request.user, report.organisation)
    if fills and report.is_editable:
        reports.report_refresh(report)
    report = selectors.report_with_entries(pk)
    template = template_for(report.template_version)
    form = None
    if fills and report.is_editable:
        whole = edits_all_actions(request.user, report.organisation)
        form = ReportForm(
            request.POST or None,
            report=report,
            template=template,
            editable_groups=None if whole else delegate_group_ids(request.user, report.organisation),
            can_consent=whole,
        )
        if request.method == "POST":
            response = _report_post(request, report, form)
            if response is not None:
                return response
    from reporting.forms import ReturnForm

    return render(
        request,
        "reporting/report.html",
        {
            "report": report,
            "template": template,
            "form": form,
            "fills": fills,
            "reviews": getattr(request.user, "is_coordinator", False) and not fills,
            "return_form": ReturnForm(),
            "answers": documents.report_answers(report, template),
            "missing": reports.missing_answers(report) if form is not None else [],
            "has_previous": Report.objects.filter(
                organisation=report.organisation, campaign__year__lt=report.campaign.year
            ).exists(),
            "breadcrumbs": _crumbs() if fills else [(_("Reporting campaigns"), reverse("reporting:campaigns"))],
        },
    )


def _report_post(request, report: Report, form: ReportForm):
    if not form.is_valid():
        messages.error(request, _("The report is not saved: correct the fields marked below."))
        return None
    general, entries = form.answers()
    submit = "submit" in request.POST
    try:
        saved = reports.report_save(
            actor=request.user,
            report=report,
            general=general,
            entries=entries,
            consent=form.cleaned_data["nominative_consent"] if not form.fields["nominative_consent"].disabled else None,
            revision=form.cleaned_data["revision"],
        )
        if submit:
            reports.report_submit(actor=request.user, report=saved)
    except ValidationError as exc:
        if submit and report.revision != Report.objects.get(pk=report.pk).revision:
            # The answers were saved; only the submission was refused.
            for message in exc.messages:
                messages.error(request, message)
            return redirect("reporting:report", pk=report.pk)
        show_refusal(request, exc, form)
        return None
    if submit:
        messages.success(request, _("The report is submitted to the coordination. Thank you."))
    else:
        messages.success(request, _("The draft is saved. You can come back to it until the deadline."))
    return redirect("reporting:report", pk=report.pk)


@login_required
@never_cache
def report_pdf(request, pk: int):
    report = _visible_report(request, pk)
    report = selectors.report_with_entries(report.pk)
    pdf = documents.report_pdf(report)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"rapport-{report.campaign.year}-{report.organisation.enterprise_number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def report_consent(request, pk: int):
    """Art 8: the member may change its choice after submitting, until the report is accepted."""
    report = get_object_or_404(Report.objects.select_related("organisation"), pk=pk)
    if not edits_all_actions(request.user, report.organisation):
        raise Http404
    try:
        reports.report_set_consent(actor=request.user, report=report, consent=request.POST.get("consent") == "yes")
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Your choice about being cited by name is recorded."))
    return redirect("reporting:report", pk=pk)
