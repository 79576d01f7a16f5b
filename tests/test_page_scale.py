"""Pages that the benchmark at ten times the alliance's size made faster: their queries stay flat, and what they
show is still right (paged list of signatories, signatures counted per adhesion, cached evaluation figures)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adhesions.enums import AdhesionStatus, SignatoryRole, SignatureStatus
from adhesions.models import Adhesion, SignatureRequest
from members.enums import OrganisationType
from members.models import Organisation
from reporting import evaluation_page
from reporting.enums import ReportStatus
from reporting.models import Report, ReportingCampaign
from tests.factories import OrganisationFactory, enterprise_number_for
from tests.test_evaluation import member_with_report
from thematic_groups.models import ThematicGroup

pytestmark = pytest.mark.django_db


def _queries(client, url, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


# --- the public list of signatories is paged ------------------------------------------------------------


def test_the_signatories_are_paged_with_each_type_counted_over_the_whole_list(client, monkeypatch):
    monkeypatch.setattr("members.views.SIGNATORIES_PER_PAGE", 2)
    for name in ("Hôpital A", "Hôpital B", "Hôpital C"):
        OrganisationFactory(name=name, type=OrganisationType.HOSPITAL)
    OrganisationFactory(name="Résidence D", type=OrganisationType.ELDER_CARE_HOME)

    first = client.get(reverse("signatories:list")).content.decode()
    assert "Hôpital A" in first and "Hôpital B" in first and "Hôpital C" not in first
    assert "3 organisations" in first  # the heading counts every hospital, not only this page's
    assert "?page=2" in first

    second = client.get(reverse("signatories:list"), {"page": 2}).content.decode()
    assert "Hôpital C" in second and "Résidence D" in second and "Hôpital A" not in second


def test_the_signatories_page_reads_the_same_number_of_queries_for_2_or_40_members(client, monkeypatch):
    monkeypatch.setattr("members.views.SIGNATORIES_PER_PAGE", 10)
    OrganisationFactory.create_batch(2)
    with_two, _html = _queries(client, reverse("signatories:list"))
    OrganisationFactory.create_batch(38)
    with_forty, html = _queries(client, reverse("signatories:list"))
    assert with_forty == with_two
    assert "40 organisations" in html


# --- the administration's list of adhesions ----------------------------------------------------------------


def _adhesion(seed: int, *, signed: int, pending: int) -> Adhesion:
    now = timezone.now()
    adhesion = Adhesion.objects.create(
        status=AdhesionStatus.AWAITING_SIGNATURES,
        organisation_name=f"Clinique {seed}",
        organisation_type=OrganisationType.HOSPITAL,
        enterprise_number=enterprise_number_for(900 + seed),
        version=2,
        submitted_at=now - timedelta(days=seed),
    )
    states = [SignatureStatus.SIGNED] * signed + [SignatureStatus.PENDING] * pending
    for number, status in enumerate(states):
        SignatureRequest.objects.create(
            adhesion=adhesion,
            role=SignatoryRole.LEGAL_REPRESENTATIVE,
            first_name="Anne",
            last_name=f"Signataire {number}",
            email=f"signataire{seed}.{number}@example.org",
            document_version=2,
            document_sha256="0" * 64,
            expires_at=now + timedelta(days=14),
            status=status,
            signed_at=now if status == SignatureStatus.SIGNED else None,
        )
    # A signature of an older version of the form does not count any more.
    SignatureRequest.objects.create(
        adhesion=adhesion,
        role=SignatoryRole.LEGAL_REPRESENTATIVE,
        first_name="Ancienne",
        last_name="Version",
        email=f"ancienne{seed}@example.org",
        document_version=1,
        document_sha256="1" * 64,
        expires_at=now,
        status=SignatureStatus.VOID,
    )
    return adhesion


def test_the_adhesion_list_counts_current_signatures_in_the_same_queries_for_1_or_5_adhesions(
    client, coordinator, mfa_login
):
    mfa_login(client, coordinator)
    url = reverse("admin:adhesions_adhesion_changelist")
    _adhesion(1, signed=1, pending=1)
    with_one, html = _queries(client, url)
    assert ">1/2<" in html
    for seed in range(2, 6):
        _adhesion(seed, signed=seed % 3, pending=1)
    with_five, html = _queries(client, url)
    assert with_five == with_one
    assert ">2/3<" in html and ">0/1<" in html


# --- the evaluation's figures are cached until what they count changes -------------------------------------


@pytest.fixture
def campaign(db):
    return ReportingCampaign.objects.create(year=2026, deadline=date(2027, 3, 1), template_version=1)


def test_the_evaluation_figures_are_cached_and_rebuilt_when_a_report_changes(
    client,
    coordinator,
    mfa_login,
    campaign,
    groups,
):
    mfa_login(client, coordinator)
    for number in range(3):
        member_with_report(campaign, groups, name=f"Membre {number}", consent=True)
    url = reverse("reporting:evaluation")
    built, html = _queries(client, url)
    assert "3 / 3" in html
    cached, html = _queries(client, url)
    assert cached < built
    assert "3 / 3" in html and "Membre 2" in html

    # A report sent back to its member is no longer handed in: the next view counts it out at once.
    report = Report.objects.get(organisation__name="Membre 2")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RETURNED, revision=F("revision") + 1)
    _count, html = _queries(client, url)
    assert "2 / 3" in html


def test_renaming_a_cited_member_or_a_group_shows_in_the_cached_figures_at_once(
    client, coordinator, mfa_login, campaign, groups
):
    mfa_login(client, coordinator)
    for number in range(3):
        member_with_report(campaign, groups, name=f"Membre {number}", consent=True)
    url = reverse("reporting:evaluation")
    html = client.get(url).content.decode()
    assert "Membre 2" in html
    # Renamed in bulk, as a data fix would: no time stamp of the report moves.
    Organisation.objects.filter(name="Membre 2").update(name="Membre renommé")
    ThematicGroup.objects.filter(pk=groups["decarbonation"].pk).update(short_name="Climat renommé")
    figures = evaluation_page.figures(2026, None)
    # The heading of a cited member (its free text still holds the old name).
    assert "Membre renommé <small" in figures and "Membre 2 <small" not in figures
    assert "Climat renommé" in figures
    assert "Membre renommé" in client.get(url).content.decode()


def test_the_figures_key_follows_the_campaign_the_minimum_of_reports_and_the_template_version(
    campaign, settings, monkeypatch
):
    before = evaluation_page.fingerprint(2027, None)
    ReportingCampaign.objects.create(year=2027, deadline=date(2028, 3, 1), template_version=1)
    with_campaign = evaluation_page.fingerprint(2027, None)
    assert with_campaign != before
    settings.REPORTING_MIN_REPORTS += 1
    assert evaluation_page.fingerprint(2027, None) != with_campaign
    settings.REPORTING_MIN_REPORTS -= 1
    monkeypatch.setattr(evaluation_page, "FIGURES_VERSION", evaluation_page.FIGURES_VERSION + 1)
    assert evaluation_page.fingerprint(2027, None) != with_campaign
