"""The yearly report in a real browser: a delegate fills and submits it, the coordination returns it and
accepts it, then prepares the consolidated PDF while the page shows its progress. axe-core checks each page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from reporting import actions, reports
from reporting.models import Report
from tests import test_browser
from tests.factories import TEST_PASSWORD
from tests.test_browser import assert_no_axe_violations, expect, save_screenshot, sign_in
from tests.test_browser_adhesion import sign_in_with_totp

pytestmark = test_browser.pytestmark
browser = test_browser.browser
page = test_browser.page


def check_page(page, name: str) -> None:
    save_screenshot(page, f"reporting-{name}")
    assert_no_axe_violations(page)


def test_a_delegate_submits_the_report_the_coordination_returns_then_accepts_it(
    page, browser, live_server, delegate, member, organisation, groups, coordinator
):
    actions.action_create(
        actor=member,
        organisation=organisation,
        thematic_group=groups["decarbonation"],
        title="Menus bas carbone",
        indicators=[{"name": "Repas végétariens", "unit": "%", "baseline": Decimal(10), "target": Decimal(40)}],
    )
    campaign = reports.campaign_open(actor=coordinator, year=2026, deadline=date.today() + timedelta(days=40))
    report = Report.objects.get(campaign=campaign, organisation=organisation)

    sign_in(page, delegate.email, TEST_PASSWORD)
    page.goto("/rapportage/")
    check_page(page, "mine")
    page.get_by_role("link", name=re.compile("Rapport 2026")).click()
    expect(page.locator("h1")).to_contain_text("Rapport 2026")
    check_page(page, "report-form")

    # Submitting too early: the page says what is missing and keeps what was typed.
    page.locator(f"textarea[name=e{report.entries.get().pk}__progress]").fill("Menus testés en cuisine centrale.")
    with page.expect_navigation():
        page.locator("button[name=submit]").click()
    expect(page.locator("main")).to_contain_text("répondez à la question « Résultats à ce jour »")
    expect(page.locator(f"textarea[name=e{report.entries.get().pk}__progress]")).to_have_value(
        "Menus testés en cuisine centrale."
    )
    check_page(page, "report-incomplete")

    entry = report.entries.get()
    page.locator(f"select[name=e{entry.pk}__result_tone]").select_option("positive")
    page.locator(f"input[name=e{entry.pk}__indicator_{next(iter(entry.indicator_values))}]").fill("25")
    page.locator("textarea[name=general__highlights]").fill("Une première année encourageante.")
    expect(page.locator("input[name=nominative_consent]")).to_be_disabled()  # the organisation decides it
    with page.expect_navigation():
        page.locator("button[name=submit]").click()
    expect(page.locator("main")).to_contain_text("Soumis")
    check_page(page, "report-submitted")
    report.refresh_from_db()
    assert report.status == "submitted" and not report.nominative_consent
    reports.report_set_consent(actor=member, report=report, consent=True)  # the legal representative agrees

    coordination = test_browser.new_page(browser, live_server, viewport=test_browser.DESKTOP)
    sign_in_with_totp(coordination, coordinator)
    coordination.goto("/rapportage/campagnes/2026/")
    check_page(coordination, "campaign")
    coordination.get_by_role("link", name=organisation.name).click()
    coordination.locator("textarea[name=comment]").fill("Ajoutez les obstacles rencontrés.")
    with coordination.expect_navigation():
        coordination.get_by_role("button", name=re.compile("renvoyer pour révision")).click()
    expect(coordination.locator("main")).to_contain_text("Renvoyé pour révision")
    check_page(coordination, "report-returned")

    page.reload()
    expect(page.locator("main")).to_contain_text("Ajoutez les obstacles rencontrés.")
    page.locator(f"input[name=e{entry.pk}__obstacles][value=budget]").check()
    with page.expect_navigation():
        page.locator("button[name=submit]").click()
    expect(page.locator("main")).to_contain_text("Soumis à nouveau")

    coordination.reload()
    with coordination.expect_navigation():
        coordination.get_by_role("button", name=re.compile("Accepter")).click()
    expect(coordination.locator("main")).to_contain_text("verrouillé")
    report.refresh_from_db()
    assert report.status == "accepted" and report.entries.get().answers["obstacles"] == ["budget"]

    coordination.goto("/rapportage/evaluation/")
    expect(coordination.locator("main")).to_contain_text(organisation.name)  # it agreed to be cited
    check_page(coordination, "evaluation")
    with coordination.expect_navigation():
        coordination.get_by_role("button", name=re.compile("rapport annuel")).click()
    expect(coordination).to_have_url(re.compile(r"/rapportage/exports/\d+/$"))
    progress = coordination.locator("progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("value", "100")
    expect(coordination.get_by_role("link", name=re.compile("Télécharger le PDF"))).to_be_visible()
    check_page(coordination, "export")
