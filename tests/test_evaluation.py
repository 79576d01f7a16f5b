"""The consolidated evaluation: consent-aware content in the dashboard, XLSX, CSV and PDF; flat queries."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.enums import OrganisationType
from reporting import evaluation
from reporting.enums import ActionStatus, ReportStatus
from reporting.models import Action, ExportJob, Report, ReportEntry, ReportingCampaign
from tests.factories import OrganisationFactory
from thematic_groups.models import Assignment

pytestmark = pytest.mark.django_db


def member_with_report(campaign, groups, *, name, consent, number=0, city="Namur", street="Rue de la Loi 1"):
    organisation = OrganisationFactory(name=name, city=city, street=street, type=OrganisationType.HOSPITAL)
    Assignment.objects.create(
        organisation=organisation, thematic_group=groups["decarbonation"], status="assigned", queued_since="2026-03-02"
    )
    action = Action.objects.create(
        organisation=organisation,
        thematic_group=groups["decarbonation"],
        title=f"Menus de {name}",
        status="in_progress",
    )
    report = Report.objects.create(
        campaign=campaign,
        organisation=organisation,
        template_version=1,
        status=ReportStatus.ACCEPTED,
        nominative_consent=consent,
        general_answers={"highlights": f"Réussite propre à {name}", "general_needs": ["training"]},
    )
    ReportEntry.objects.create(
        report=report,
        action=action,
        thematic_group=groups["decarbonation"],
        lever_name="Alimentation",
        title=f"Menus de {name}",
        status=ActionStatus.IN_PROGRESS,
        answers={"progress": f"Progrès de {name}", "obstacles": ["budget", "staff_time"], "needs": ["tools"]},
        indicator_values={
            "1": {"name": "Repas végétariens", "unit": "%", "baseline": "10", "target": "40", "value": "25"},
            "2": {"name": f"Compteur {name}", "unit": "kWh", "baseline": "", "target": "", "value": "12"},
        },
    )
    return organisation


@pytest.fixture
def campaign(db):
    return ReportingCampaign.objects.create(year=2026, deadline=date(2027, 3, 1), template_version=1)


@pytest.fixture
def two_members(campaign, groups):
    """Two members that may be cited and one that may not: enough reports for detailed figures."""
    named = member_with_report(campaign, groups, name="Clinique Consentante", consent=True)
    member_with_report(campaign, groups, name="Polyclinique Ouverte", consent=True)
    hidden = member_with_report(
        campaign, groups, name="Hôpital Discret", consent=False, city="Arlon", street="Avenue Secrète 99"
    )
    return named, hidden


def secrets_of(organisation) -> list[str]:
    return [organisation.name, organisation.enterprise_number, organisation.street, "Réussite propre à Hôpital Discret"]


def test_the_dashboard_names_only_the_consenting_member(client, mfa_login, coordinator, two_members):
    named, hidden = two_members
    mfa_login(client, coordinator)
    html = client.get(reverse("reporting:evaluation")).content.decode()
    assert named.name in html and "Réussite propre à Clinique Consentante" in html
    for secret in secrets_of(hidden):
        assert secret not in html
    assert "Compteur Hôpital Discret" not in html  # an indicator name only it typed
    assert "Autres indicateurs" in html
    assert "<svg" in html and 'role="img"' in html  # the charts, each with its data table
    assert "Budget" in html and "Formation" in html


def test_the_xlsx_and_csv_name_only_the_consenting_member(client, mfa_login, coordinator, two_members):
    named, hidden = two_members
    mfa_login(client, coordinator)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reporting:evaluation_xlsx") + "?year=2026").content))
    cells = [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert len(book.worksheets) >= 8
    assert any(named.name in cell for cell in cells)
    for secret in secrets_of(hidden) + ["Compteur Hôpital Discret"]:
        assert not any(secret in cell for cell in cells), secret
    csv_text = client.get(reverse("reporting:evaluation_csv") + "?year=2026").content.decode("utf-8-sig")
    assert named.name in csv_text
    assert not any(secret in csv_text for secret in secrets_of(hidden))


def test_the_consolidated_pdf_is_built_by_a_task_and_names_only_the_consenting_member(
    client, mfa_login, coordinator, two_members, django_capture_on_commit_callbacks
):
    named, hidden = two_members
    mfa_login(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:evaluation_pdf") + "?year=2026", follow=True)
    job = ExportJob.objects.get()
    assert job.status == "done" and job.progress == 100
    assert 'role="progressbar"' in response.content.decode() or "<progress" in response.content.decode()
    pdf = b"".join(client.get(reverse("reporting:export_file", args=[job.pk])).streaming_content)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    assert "Évaluation annuelle consolidée 2026" in text and named.name in text
    for secret in secrets_of(hidden):
        assert secret not in text
    assert "/MarkInfo" in reader.trailer["/Root"] and reader.trailer["/Root"]["/Lang"] == "fr"


def test_the_figures_add_up(two_members, groups):
    data = evaluation.build(2026)
    assert data.reports_handed_in == 3 and data.actions_total == 3
    repas = next(item for item in data.indicators if item.name == "Repas végétariens")
    # a percentage is averaged, not summed; progress counts the complete lines only
    assert (repas.actions, repas.value, repas.averaged, repas.progress_percent) == (3, Decimal("25.00"), True, 50)
    assert {(row.label, row.value) for row in data.obstacles} == {("Budget", 3), ("Temps du personnel", 3)}
    assert len(data.named) == 2 and data.anonymous_reports == 1
    kwh = [item for item in data.indicators if item.unit == "kWh"]
    # each "Compteur <name>" is typed by one member; the non-consenting one joins "other indicators"
    other = next(item for item in data.indicators if item.name == "Autres indicateurs")
    assert other.actions == 1 and other.unit == "kWh" and other.baseline is None and len(kwh) == 3


def test_a_unit_only_a_silent_member_typed_is_not_shown(campaign, groups, two_members):
    named, hidden = two_members
    entry = ReportEntry.objects.get(report__organisation=hidden)
    entry.indicator_values["3"] = {"name": "Énergie", "unit": "MWh Avenue Secrète 99", "value": "5"}
    entry.save()
    data = evaluation.build(2026)
    assert not any("Avenue Secrète" in item.unit or "Avenue Secrète" in item.name for item in data.indicators)


def test_too_few_reports_with_a_silent_member_withhold_the_detailed_figures(campaign, groups, settings):
    member_with_report(campaign, groups, name="Seul Consentant", consent=True)
    member_with_report(campaign, groups, name="Seul Discret", consent=False)
    data = evaluation.build(2026)
    assert data.withheld and data.indicators == [] and data.obstacles == [] and data.actions_by_status == []
    settings.REPORTING_MIN_REPORTS = 2
    assert not evaluation.build(2026).withheld


def test_filtering_by_group_counts_only_that_groups_reports_and_members(campaign, groups, two_members):
    elsewhere = OrganisationFactory(name="Maison Ailleurs", type=OrganisationType.ELDER_CARE_HOME)
    Report.objects.create(campaign=campaign, organisation=elsewhere, template_version=1)  # a draft, no action
    data = evaluation.build(2026, groups["resilience"])
    assert data.reports_total == 0 and data.actions_total == 0
    data = evaluation.build(2026, groups["decarbonation"])
    assert data.reports_total == 3
    assert sum(row.value for row in data.members_by_type) == 3


def _queries_for_dashboard(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reporting:evaluation")).status_code == 200
    return len(queries)


def test_the_dashboard_keeps_the_same_number_of_queries_with_10_or_300_members(
    client, mfa_login, coordinator, campaign, groups
):
    mfa_login(client, coordinator)
    for number in range(10):
        member_with_report(campaign, groups, name=f"Membre {number}", consent=number % 2 == 0)
    with_ten = _queries_for_dashboard(client)
    for number in range(10, 300):
        member_with_report(campaign, groups, name=f"Membre {number}", consent=number % 2 == 0)
    assert _queries_for_dashboard(client) == with_ten


def test_the_steering_committee_reads_the_evaluation_but_members_do_not(
    client, mfa_login, steering_member, delegate, two_members
):
    mfa_login(client, steering_member)
    assert "Clinique Consentante" in client.get(reverse("reporting:evaluation")).content.decode()
    assert client.get(reverse("reporting:campaigns")).status_code == 404  # running campaigns is the coordination's
    client.logout()
    client.force_login(delegate)
    assert client.get(reverse("reporting:evaluation")).status_code == 404


def test_a_group_too_small_to_show_stays_out_of_the_whole_alliances_detailed_figures(campaign, groups, two_members):
    """Otherwise the small group's member would be the difference between the two views."""
    lonely = member_with_report(campaign, groups, name="Maison Seule", consent=False)
    ReportEntry.objects.filter(report__organisation=lonely).update(thematic_group=groups["sensibilisation-aines"])
    assert evaluation.build(2026, groups["sensibilisation-aines"]).withheld
    whole = evaluation.build(2026)
    assert [group.slug for group in whole.left_out_groups] == ["sensibilisation-aines"]
    assert whole.actions_total == 3  # the three Décarbonation actions, not the lonely one
    assert {(row.label, row.value) for row in whole.obstacles} == {("Budget", 3), ("Temps du personnel", 3)}
    assert "Sensibilisation" not in " ".join(row.label for row in whole.actions_by_group)


def test_values_in_units_that_cannot_be_shown_are_counted_never_added(campaign, groups, two_members):
    named, hidden = two_members
    for organisation, unit, value in ((hidden, "kgSecret", "100"), (named, "", "")):
        entry = ReportEntry.objects.get(report__organisation=organisation)
        entry.indicator_values["9"] = {"name": f"Unique {organisation.pk}", "unit": unit, "value": value}
        entry.save()
    other = [item for item in evaluation.build(2026).indicators if item.count_only]
    assert len(other) == 1 and other[0].value is None and other[0].unit == ""


def test_the_evaluation_opens_on_the_newest_year_with_reports(client, mfa_login, coordinator, two_members):
    ReportingCampaign.objects.create(year=2027, deadline=date(2028, 3, 1), template_version=1)
    mfa_login(client, coordinator)
    html = client.get(reverse("reporting:evaluation")).content.decode()
    assert "Évaluation consolidée 2026" in html and "Clinique Consentante" in html
