"""Actions, the yearly reporting workflow, reminders and consent (issue: reporting)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from adhesions import services as adhesion_services
from adhesions.models import Adhesion
from core.models import OutboundEmail
from members.enums import OrganisationRoleType, OrganisationType
from members.models import OrganisationRole
from reporting import actions, reports
from reporting.enums import ActionOrigin, ActionStatus, ReportStatus
from reporting.models import Action, Lever, Report, ReportReminder
from reporting.reports import ReportRefused
from tests.adhesion_data import filled_adhesion, sign_all
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 10)


def confirmed_member(applicant, coordinator):
    adhesion = adhesion_services.adhesion_submit(adhesion=filled_adhesion(applicant), actor=applicant)
    sign_all(adhesion)
    adhesion = adhesion_services.adhesion_validate_signatures(
        adhesion=Adhesion.objects.get(pk=adhesion.pk), actor=coordinator
    )
    return adhesion_services.adhesion_confirm_receipt(adhesion=adhesion, actor=coordinator).organisation


def test_option_1_actions_of_the_adhesion_become_actions_without_retyping(client, groups, coordinator):
    applicant = UserFactory(email="marc.dubois@clinique.example.be", first_name="Marc")
    organisation = confirmed_member(applicant, coordinator)

    imported = list(Action.objects.filter(organisation=organisation).order_by("pk"))
    assert [(a.thematic_group.slug, a.title, a.origin) for a in imported] == [
        (
            "decarbonation",
            "Remplacer le desflurane par du sévoflurane au bloc opératoire",
            ActionOrigin.ADHESION_OPTION_1,
        ),
        ("decarbonation", "Plan de mobilité douce pour le personnel", ActionOrigin.ADHESION_OPTION_1),
    ]
    # importing again (a member that joins again) adds nothing
    adhesion = Adhesion.objects.get(organisation=organisation)
    assert actions.actions_from_adhesion(organisation=organisation, adhesion=adhesion) == []

    client.force_login(applicant)  # the contact point sees them, with the commitment meter of each GT
    page = client.get(reverse("reporting:mine")).content.decode()
    assert "Remplacer le desflurane" in page and "Plan de mobilité douce" in page
    assert "2 actions sur les 2 promises" in page  # Décarbonation: commitment met
    assert page.count("encore 2 à définir") == 2  # Achats durables and Résilience (Option 2)


def test_a_delegate_edits_only_its_own_groups_actions(client, organisation, groups, delegate, member):
    lever = Lever.objects.get(thematic_group=groups["decarbonation"], name="Alimentation")
    own = actions.action_create(
        actor=member,
        organisation=organisation,
        thematic_group=groups["decarbonation"],
        title="Menus bas carbone",
        lever=lever,
    )
    other = actions.action_create(
        actor=member, organisation=organisation, thematic_group=groups["resilience"], title="Plan canicule"
    )
    client.force_login(delegate)
    assert client.get(reverse("reporting:action_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("reporting:action_edit", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("reporting:action_edit", args=[own.pk]),
        {
            "title": "Menus bas carbone",
            "description": "",
            "lever": lever.pk,
            "status": ActionStatus.IN_PROGRESS,
            "starts_on": "2026-09-01",
            "ends_on": "2026-08-01",
            "partners": "",
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-MIN_NUM_FORMS": "0",
            "indicators-MAX_NUM_FORMS": "10",
            "indicators-0-name": "Repas végétariens",
            "indicators-0-unit": "",
            "indicators-0-baseline": "10",
        },
    )
    page = response.content.decode()
    assert "L&#x27;action ne peut pas se terminer avant de commencer." in page
    assert "Indicateur 1" in page  # the indicator's missing unit is in the error summary
    assert 'value="Repas végétariens"' in page  # nothing typed is lost
    own.refresh_from_db()
    assert own.status == ActionStatus.ENVISAGED


def test_an_action_with_indicators_is_saved_and_the_lever_must_belong_to_the_group(organisation, groups, member):
    lever = Lever.objects.get(thematic_group=groups["resilience"], name="Gestion de l'eau")
    with pytest.raises(actions.ActionRefused):
        actions.action_create(
            actor=member, organisation=organisation, thematic_group=groups["decarbonation"], title="X", lever=lever
        )
    action = actions.action_create(
        actor=member,
        organisation=organisation,
        thematic_group=groups["decarbonation"],
        title="Isolation des toitures",
        indicators=[
            {"name": "Consommation de gaz", "unit": "MWh", "baseline": Decimal("900"), "target": Decimal("700")}
        ],
    )
    assert action.indicators.get().unit == "MWh"


def test_an_ecosystem_actor_records_its_internal_action_with_final_beneficiaries(organisation, groups):
    actor_org = OrganisationFactory(type=OrganisationType.OTHER, type_precision="Fédération")
    contact = UserFactory()
    OrganisationRole.objects.create(user=contact, organisation=actor_org, role=OrganisationRoleType.CONTACT_POINT)
    action = actions.action_create(
        actor=contact,
        organisation=actor_org,
        thematic_group=None,
        title="Formation achats",
        final_beneficiaries=[organisation],
    )
    assert list(action.final_beneficiaries.all()) == [organisation]
    with pytest.raises(actions.ActionRefused):
        actions.action_create(actor=contact, organisation=actor_org, thematic_group=groups["resilience"], title="Y")


# --- reports -----------------------------------------------------------------------------------------


@pytest.fixture
def campaign(groups, organisation, member, coordinator):
    actions.action_create(
        actor=member,
        organisation=organisation,
        thematic_group=groups["decarbonation"],
        title="Menus bas carbone",
        indicators=[
            {
                "name": "Repas végétariens",
                "unit": "%",
                "baseline": Decimal("10"),
                "target": Decimal("40"),
                "latest_value": Decimal("25"),
            }
        ],
    )
    with time_machine.travel(TODAY):
        return reports.campaign_open(actor=coordinator, year=2026, deadline=TODAY + timedelta(days=60))


def fill(report, user):
    entry = report.entries.get()
    indicator_id = next(iter(entry.indicator_values))
    return reports.report_save(
        actor=user,
        report=report,
        general={"highlights": "Un an de travail.", "lessons": "Impliquer la cuisine."},
        entries={
            entry.pk: {
                "answers": {"progress": "Menus testés.", "result_tone": "positive", "obstacles": ["budget"]},
                "indicators": {indicator_id: "30"},
            }
        },
    )


def test_opening_a_campaign_prefills_a_report_per_active_final_beneficiary(campaign, organisation, member):
    report = Report.objects.get(campaign=campaign, organisation=organisation)
    entry = report.entries.get()
    assert entry.title == "Menus bas carbone"
    assert list(entry.indicator_values.values())[0]["value"] == "25.00"
    opened = OutboundEmail.objects.filter(template="reporting/campaign_opened", to_email=member.email)
    assert opened.count() == 1 and reverse("reporting:report", args=[report.pk]) in opened.get().body_text


def test_report_workflow_return_resubmit_accept_and_locked(
    client, campaign, organisation, member, coordinator, mfa_login
):
    report = Report.objects.get(campaign=campaign, organisation=organisation)
    with pytest.raises(ReportRefused):
        reports.report_submit(actor=member, report=report)  # nothing answered yet
    report = fill(report, member)
    report = reports.report_submit(actor=member, report=report)
    assert report.status == ReportStatus.SUBMITTED

    with pytest.raises(ReportRefused):
        reports.report_accept(actor=member, report=report)  # a member never approves its own report
    with pytest.raises(ReportRefused):
        reports.report_return(actor=coordinator, report=report, comment="  ")
    report = reports.report_return(actor=coordinator, report=report, comment="Précisez les obstacles.")
    returned = OutboundEmail.objects.get(template="reporting/returned", to_email=member.email)
    assert "Précisez les obstacles." in returned.body_text

    report = reports.report_submit(actor=member, report=fill(report, member))
    assert report.status == ReportStatus.RESUBMITTED
    report = reports.report_accept(actor=coordinator, report=report)
    assert report.status == ReportStatus.ACCEPTED
    assert OutboundEmail.objects.filter(template="reporting/accepted", to_email=member.email).count() == 1
    with pytest.raises(ReportRefused):
        fill(report, member)
    with pytest.raises(ReportRefused):
        reports.report_set_consent(actor=member, report=report, consent=True)

    client.force_login(member)  # the page shows it read-only, no form to post
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "Menus testés." in page and 'name="submit"' not in page
    client.post(
        reverse("reporting:report", args=[report.pk]), {"revision": report.revision, "general__highlights": "Changé"}
    )
    report.refresh_from_db()
    assert report.general_answers["highlights"] == "Un an de travail."


def test_consent_defaults_to_no_is_time_stamped_and_can_change_until_accepted(campaign, organisation, member):
    report = Report.objects.get(campaign=campaign, organisation=organisation)
    assert report.nominative_consent is False and report.consent_recorded_at is None
    with time_machine.travel(TODAY + timedelta(days=2)):
        report = reports.report_set_consent(actor=member, report=report, consent=True)
    assert report.nominative_consent and report.consent_recorded_at.date() == TODAY + timedelta(days=2)
    report = reports.report_set_consent(actor=member, report=report, consent=False)
    assert not report.nominative_consent
    assert list(report.events.values_list("kind", flat=True)) == ["consent", "consent"]


def test_two_people_saving_the_same_report_do_not_overwrite_each_other(campaign, organisation, member):
    report = Report.objects.get(campaign=campaign, organisation=organisation)
    seen = report.revision
    reports.report_save(actor=member, report=report, general={"highlights": "A"}, entries={}, revision=seen)
    with pytest.raises(ReportRefused, match="Someone else|Quelqu'un"):
        reports.report_save(actor=member, report=report, general={"highlights": "B"}, entries={}, revision=seen)


@pytest.mark.parametrize(
    ("days_before", "kind"),
    [
        (31, None),
        (30, "d30"),
        (12, "d30"),
        (7, "d7"),
        (0, "d7"),
        (-1, "overdue-0"),
        (-7, "overdue-0"),
        (-8, "overdue-1"),
    ],
)
def test_the_reminder_due_on_each_day(campaign, organisation, days_before, kind):
    report = Report.objects.select_related("campaign").get(campaign=campaign, organisation=organisation)
    due = reports.reminder_due(report, campaign.deadline - timedelta(days=days_before))
    assert (due[0] if due else None) == kind


def test_reminders_go_out_once_even_when_the_task_runs_twice(campaign, organisation, member):
    day = campaign.deadline - timedelta(days=7)
    assert reports.report_reminders_send(day) == 1
    assert reports.report_reminders_send(day) == 0
    assert reports.report_reminders_send(day + timedelta(days=1)) == 0  # same kind, still claimed
    mails = OutboundEmail.objects.filter(template="reporting/reminder", to_email=member.email)
    assert mails.count() == 1 and "7 jours" in mails.get().subject
    assert ReportReminder.objects.filter(kind="d7").count() == 1
    for week in range(3):  # then weekly once overdue
        reports.report_reminders_send(campaign.deadline + timedelta(days=1 + 7 * week))
    assert OutboundEmail.objects.filter(template="reporting/reminder", to_email=member.email).count() == 4


def test_a_delegate_of_another_organisation_gets_404_on_a_report_and_its_pdf(
    client, campaign, organisation, delegate_other_org
):
    report = Report.objects.get(campaign=campaign, organisation=organisation)
    client.force_login(delegate_other_org)
    assert client.get(reverse("reporting:report", args=[report.pk])).status_code == 404
    assert client.get(reverse("reporting:report_pdf", args=[report.pk])).status_code == 404


def test_the_member_downloads_its_report_as_a_french_pdf(client, campaign, organisation, member):
    import io

    import pypdf

    report = fill(Report.objects.get(campaign=campaign, organisation=organisation), member)
    client.force_login(member)
    response = client.get(reverse("reporting:report_pdf", args=[report.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Rapport annuel 2026" in text and organisation.name in text and "Menus testés." in text


def test_the_member_changes_its_consent_after_submitting_until_accepted(
    client, campaign, organisation, member, coordinator
):
    report = reports.report_submit(
        actor=member, report=fill(Report.objects.get(campaign=campaign, organisation=organisation), member)
    )
    client.force_login(member)
    client.post(reverse("reporting:report_consent", args=[report.pk]), {"consent": "yes"})
    report.refresh_from_db()
    assert report.nominative_consent and report.consent_recorded_by == member
    reports.report_accept(actor=coordinator, report=report)
    client.post(reverse("reporting:report_consent", args=[report.pk]), {"consent": "no"})
    report.refresh_from_db()
    assert report.nominative_consent


def test_a_delegate_answers_for_its_own_group_and_only_the_organisation_decides_consent(
    client, campaign, organisation, groups, member, delegate
):
    actions.action_create(
        actor=member, organisation=organisation, thematic_group=groups["resilience"], title="Plan canicule"
    )
    report = Report.objects.get(campaign=campaign, organisation=organisation)
    reports.report_refresh(report)
    other = report.entries.get(thematic_group=groups["resilience"])
    with pytest.raises(ReportRefused):
        reports.report_save(
            actor=delegate, report=report, general={}, entries={other.pk: {"answers": {"progress": "X"}}}
        )
    with pytest.raises(ReportRefused):
        reports.report_set_consent(actor=delegate, report=report, consent=True)
    client.force_login(delegate)
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert f'name="e{other.pk}__progress"' in page and "disabled" in page
    assert client.post(reverse("reporting:report_consent", args=[report.pk]), {"consent": "yes"}).status_code == 404


def test_submitting_carries_the_reported_values_to_the_actions_indicators(campaign, organisation, member):
    report = reports.report_submit(
        actor=member, report=fill(Report.objects.get(campaign=campaign, organisation=organisation), member)
    )
    indicator = report.entries.get().action.indicators.get()
    assert indicator.latest_value == Decimal("30")


def test_a_member_confirmed_during_an_open_campaign_gets_its_report(groups, coordinator, campaign):
    applicant = UserFactory(email="marc.dubois@clinique.example.be", first_name="Marc")
    with time_machine.travel(TODAY + timedelta(days=1)):
        organisation = confirmed_member(applicant, coordinator)
    report = Report.objects.get(campaign=campaign, organisation=organisation)
    assert report.entries.count() == 2  # its two Option 1 actions


def test_the_campaign_page_and_my_actions_keep_the_same_number_of_queries(
    client, mfa_login, coordinator, campaign, groups, member, organisation
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    mfa_login(client, coordinator)
    campaign_url = reverse("reporting:campaign", args=[campaign.year])
    few = count(campaign_url)
    for _ in range(30):
        Report.objects.create(campaign=campaign, organisation=OrganisationFactory(), template_version=1)
    assert count(campaign_url) == few
    client.logout()
    client.force_login(member)
    mine = count(reverse("reporting:mine"))
    for number in range(10):
        actions.action_create(
            actor=member, organisation=organisation, thematic_group=groups["decarbonation"], title=f"Action {number}"
        )
    assert count(reverse("reporting:mine")) == mine
