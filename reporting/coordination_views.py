"""The coordination's pages: campaigns, report review, the consolidated evaluation and its exports."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.rules import staff_view_allowed
from core.uploads import attachment_response
from reporting import evaluation as evaluation_data
from reporting import evaluation_page, exports, exports_jobs, reports, selectors
from reporting.enums import ReportStatus
from reporting.forms import CampaignForm, EvaluationFilterForm, ReturnForm
from reporting.models import ExportJob, Report, ReportingCampaign
from reporting.questions import CURRENT_VERSION
from thematic_groups.models import ThematicGroup
from thematic_groups.pages import form_page, show_refusal


def _allowed(rule: str):
    def decorator(view):
        @login_required
        @never_cache
        def wrapped(request, *args, **kwargs):
            if not staff_view_allowed(request, rule):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


coordination_only = _allowed("reporting.run_campaigns")
evaluation_readers = _allowed("reporting.view_evaluation")


@coordination_only
def campaigns(request):
    return render(
        request,
        "reporting/campaigns.html",
        {"campaigns": list(ReportingCampaign.objects.order_by("-year"))},
    )


@coordination_only
def campaign_open(request):
    today = timezone.localdate()
    taken = set(ReportingCampaign.objects.values_list("year", flat=True))
    year = today.year
    while year in taken:
        year += 1
    form = CampaignForm(request.POST or None, initial={"year": year, "deadline": today + timedelta(days=60)})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = reports.campaign_open(
                actor=request.user,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                template_version=CURRENT_VERSION,
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(
                request,
                _("The %(year)s campaign is open: %(count)s members received their report to fill in.")
                % {"year": campaign.year, "count": campaign.reports.count()},
            )
            return redirect("reporting:campaign", year=campaign.year)
    return form_page(
        request,
        form,
        title=_("Open a reporting campaign"),
        submit=_("Open the campaign and tell the members"),
        back_url=reverse("reporting:campaigns"),
        crumbs=[(_("Reporting campaigns"), reverse("reporting:campaigns"))],
        intro=[
            _(
                "Every active final beneficiary gets a report prefilled from its actions and from last year's "
                "answers (art 7.1), with the harmonised template version %(version)s. They are told by e-mail, "
                "then reminded 30 and 7 days before the deadline and every week once it has passed."
            )
            % {"version": CURRENT_VERSION}
        ],
    )


@coordination_only
def campaign_detail(request, year: int):
    campaign = get_object_or_404(ReportingCampaign, year=year)
    status = request.GET.get("etat", "")
    if status not in ReportStatus.values:
        status = ""
    return render(
        request,
        "reporting/campaign.html",
        {
            "campaign": campaign,
            "reports": list(selectors.campaign_reports(campaign, status=status)),
            "counts": selectors.campaign_counts(campaign),
            "status": status,
            "statuses": ReportStatus.choices,
            "breadcrumbs": [(_("Reporting campaigns"), reverse("reporting:campaigns"))],
        },
    )


@coordination_only
@require_POST
def campaign_close(request, year: int):
    campaign = get_object_or_404(ReportingCampaign, year=year)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the confirmation to close the campaign: it cannot be reopened."))
        return redirect("reporting:campaign", year=year)
    try:
        reports.campaign_close(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The campaign is closed: no more reminders are sent."))
    return redirect("reporting:campaign", year=year)


@coordination_only
@require_POST
def report_return(request, pk: int):
    report = get_object_or_404(Report, pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the member should revise; the comment is sent to it."))
        return redirect(reverse("reporting:report", args=[pk]) + "#review")
    try:
        reports.report_return(actor=request.user, report=report, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The report is returned to the member with your comment."))
    return redirect("reporting:report", pk=pk)


@coordination_only
@require_POST
def report_accept(request, pk: int):
    report = get_object_or_404(Report, pk=pk)
    try:
        reports.report_accept(actor=request.user, report=report)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The report is accepted and locked."))
    return redirect("reporting:report", pk=pk)


# --- consolidated evaluation ---------------------------------------------------------------------------


def _filters(request):
    years = evaluation_data.available_years()
    groups = list(ThematicGroup.objects.order_by("number"))
    default = evaluation_data.default_campaign()
    year = default.year if default else None
    form = EvaluationFilterForm(request.GET or None, years=years, groups=groups, initial={"year": year})
    group = None
    if form.is_valid():
        year = form.cleaned_data.get("year") or year
        group = next((item for item in groups if item.slug == form.cleaned_data.get("gt")), None)
    return form, year, group


@evaluation_readers
def evaluation(request):
    form, year, group = _filters(request)
    return render(
        request,
        "reporting/evaluation.html",
        {
            "form": form,
            "year": year,
            "group": group,
            "figures": evaluation_page.figures(year, group) if year else "",
            "query": request.GET.urlencode(),
            "jobs": list(ExportJob.objects.filter(requested_by=request.user).select_related("thematic_group")[:5]),
        },
    )


def _download_name(year, group, extension: str) -> str:
    scope = f"-{group.slug}" if group else ""
    return f"evaluation-asetw-{year}{scope}.{extension}"


@evaluation_readers
def evaluation_xlsx(request):
    _form, year, group = _filters(request)
    if not year:
        raise Http404
    content = exports.evaluation_workbook(evaluation_data.build(year, group))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(year, group, "xlsx")}"'
    return response


@evaluation_readers
def evaluation_csv(request):
    _form, year, group = _filters(request)
    if not year:
        raise Http404
    response = HttpResponse(exports.evaluation_csv(evaluation_data.build(year, group)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(year, group, "csv")}"'
    return response


@evaluation_readers
@require_POST
def evaluation_pdf(request):
    _form, year, group = _filters(request)
    if not year:
        raise Http404
    job = exports_jobs.export_request(actor=request.user, year=year, thematic_group=group)
    return redirect("reporting:export", pk=job.pk)


def _own_job(request, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.select_related("thematic_group"), pk=pk, requested_by=request.user)


@evaluation_readers
def export_detail(request, pk: int):
    job = _own_job(request, pk)
    template = "reporting/_export_progress.html" if request.headers.get("HX-Request") else "reporting/export.html"
    return render(request, template, {"job": job})


@evaluation_readers
def export_file(request, pk: int):
    job = _own_job(request, pk)
    if not job.file:
        raise Http404
    return attachment_response(
        job.file, download_name=_download_name(job.year, job.thematic_group, "pdf"), content_type="application/pdf"
    )
