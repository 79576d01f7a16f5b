"""The library in a real browser: a member deposits, the pilot publishes, a member searches. axe on each page."""

from __future__ import annotations

import re

from community.models import Resource
from tests import test_browser
from tests.factories import TEST_PASSWORD
from tests.test_browser import assert_no_axe_violations, expect, save_screenshot, sign_in
from tests.test_browser_adhesion import sign_in_with_totp

pytestmark = test_browser.pytestmark
browser = test_browser.browser
page = test_browser.page


def check_page(page, name: str) -> None:
    save_screenshot(page, f"library-{name}")
    assert_no_axe_violations(page)


def test_a_member_deposits_the_pilot_publishes_and_members_find_it(
    page, browser, live_server, member, organisation, pilot, groups
):
    sign_in(page, member.email, TEST_PASSWORD)
    page.goto("/bibliotheque/")
    check_page(page, "empty")
    page.goto("/bibliotheque/deposer/")
    check_page(page, "deposit")
    page.locator("input[name=title]").fill("Réduire les gaz anesthésiques")
    page.locator("textarea[name=summary]").fill("Retour d'expérience sur la décarbonation du bloc opératoire.")
    page.locator("select[name=kind]").select_option("experience")
    page.get_by_label(re.compile("Décarbonation")).check()
    page.locator("input[name=origin][value=belgian]").check()
    page.locator("input[name=link]").fill("javascript:alert(1)")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_value("Réduire les gaz anesthésiques")
    check_page(page, "deposit-error")
    page.locator("input[name=link]").fill("https://example.org/gaz")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/bibliotheque/mes-depots/$"))
    check_page(page, "my-deposits")

    moderation = test_browser.new_page(browser, live_server, viewport=test_browser.DESKTOP)
    sign_in_with_totp(moderation, pilot)
    moderation.goto("/bibliotheque/moderation/")
    check_page(moderation, "queue")
    moderation.get_by_role("link", name="Réduire les gaz anesthésiques").click()
    check_page(moderation, "resource-pending")
    with moderation.expect_navigation():
        moderation.get_by_role("button", name="Publier").click()
    assert Resource.objects.get().status == "published"

    page.goto("/bibliotheque/?q=Décarbonations")
    expect(page.locator("main")).to_contain_text("Réduire les gaz anesthésiques")
    check_page(page, "search")

    page.goto("/bibliotheque/veille/")
    check_page(page, "watch")
    page.get_by_label(re.compile("Une fois par jour")).check()
    page.locator("input[name=themes][value=decarbonation]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Votre veille thématique est enregistrée.")
    check_page(page, "watch-saved")
    assert member.library_watch.follows.filter(value="decarbonation").exists()


def test_a_member_registers_for_an_event_from_the_agenda(page, member, organisation):
    from datetime import timedelta

    from django.utils import timezone

    from community.models import Event

    start = timezone.now() + timedelta(days=15)
    event = Event.objects.create(
        title="Atelier achats durables",
        kind="workshop",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="SPW, Namur",
        capacity=20,
    )
    sign_in(page, member.email, TEST_PASSWORD)
    page.goto("/bibliotheque/agenda/")
    check_page(page, "agenda")
    page.get_by_role("link", name="Atelier achats durables").click()
    check_page(page, "event")
    with page.expect_navigation():
        page.get_by_role("button", name="S'inscrire").click()
    expect(page.locator("main")).to_contain_text("Vous êtes inscrit")
    check_page(page, "event-registered")
    assert event.registrations.get().status == "registered"
