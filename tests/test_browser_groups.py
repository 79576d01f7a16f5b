"""The thematic groups in a real browser: the coordinator's proposal, a delegate's absence and check-in,
the pilot closing the attendance list. axe-core checks every page visited (WCAG 2.1 A and AA)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils import timezone

from members.enums import OrganisationType
from tests import test_browser
from tests.factories import TEST_PASSWORD
from tests.test_assignments import candidate_org, set_capacity
from tests.test_browser import assert_no_axe_violations, expect, save_screenshot, sign_in
from tests.test_browser_adhesion import sign_in_with_totp
from thematic_groups import assignments
from thematic_groups.models import Assignment, Attendance, Session

pytestmark = test_browser.pytestmark
browser = test_browser.browser
page = test_browser.page


def check_page(page, name: str) -> None:
    save_screenshot(page, f"groups-{name}")
    assert_no_axe_violations(page)


def _session(group, *, starts_in: timedelta, hours: int = 3, **extra) -> Session:
    """A published session at a time the services would refuse to publish now (it is test data)."""
    start = timezone.now() + starts_in
    return Session.objects.create(
        thematic_group=group,
        title=extra.pop("title", "Séance plénière"),
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        place="SPW, Namur",
        status="published",
        published_at=timezone.now(),
        **extra,
    )


def test_a_coordinator_runs_the_proposal_adjusts_it_and_validates_it(page, coordinator, groups):
    group = groups["sensibilisation-aines"]
    set_capacity(group, 2)
    homes = [
        candidate_org(group, type=OrganisationType.ELDER_CARE_HOME, name=name, member_since=date(2026, 3, day))
        for day, name in enumerate(("Les Tilleuls", "Le Clos Fleuri", "La Hêtraie"), start=1)
    ]
    sign_in_with_totp(page, coordinator)

    page.goto("/gt/tableau/")
    expect(page.locator("h1")).to_be_visible()
    check_page(page, "board")
    with page.expect_navigation():
        page.locator("form[action$='/gt/tableau/proposition/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/gt/tableau/proposition/\d+/$"))
    check_page(page, "proposal")

    # The first home was proposed a seat and the third the waiting list: the coordinator swaps them.
    page.locator("select[name^=line-]").nth(0).select_option("wait")
    page.locator("select[name^=line-]").nth(2).select_option("assign")
    with page.expect_navigation():
        page.locator("button[name=validate]").click()
    expect(page).to_have_url(re.compile(r"/gt/tableau/$"))
    check_page(page, "board-after")

    statuses = {a.organisation_id: a.status for a in Assignment.objects.filter(thematic_group=group)}
    assert statuses == {homes[0].pk: "waiting", homes[1].pk: "assigned", homes[2].pk: "assigned"}

    page.goto(f"/gt/tableau/{group.slug}/")
    check_page(page, "group-board")
    expect(page.locator("main")).to_contain_text("Les Tilleuls")


def test_a_delegate_announces_an_absence_then_checks_in(page, delegate, organisation, groups):
    group = groups["decarbonation"]
    assignments.assignment_create(actor=None, organisation=organisation, group=group, notify=False)
    later = _session(group, starts_in=timedelta(days=30), title="Séance de juin")
    now = _session(group, starts_in=-timedelta(minutes=10), title="Séance du jour")
    sign_in(page, delegate.email, TEST_PASSWORD)

    page.goto(f"/gt/seances/{later.pk}/")
    check_page(page, "session")
    with page.expect_navigation():
        page.locator(f"a[href='/gt/seances/{later.pk}/absence/']").click()
    check_page(page, "absence-form")
    page.locator("#id_message").fill("Formation obligatoire ce jour-là.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/gt/seances/{later.pk}/$"))
    check_page(page, "absence-announced")
    notice = later.absences.get()
    assert notice.on_time and notice.message == "Formation obligatoire ce jour-là."

    page.goto(f"/gt/seances/{now.pk}/presence/{now.check_in_token}/")
    check_page(page, "check-in")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check_page(page, "checked-in")
    record = Attendance.objects.get(session=now)
    assert record.organisation == organisation and record.status == "present" and record.attendee == delegate


def test_a_pilot_completes_and_closes_the_attendance_list(page, pilot, groups):
    group = groups["decarbonation"]
    members = [candidate_org(group, name=name) for name in ("CHU Alpha", "Clinique Bêta")]
    for organisation in members:
        assignments.assignment_create(actor=None, organisation=organisation, group=group, notify=False)
    # The seats must predate the session for it to count: both were given before it started.
    Assignment.objects.filter(thematic_group=group).update(decided_at=timezone.now() - timedelta(days=60))
    held = _session(group, starts_in=-timedelta(hours=4), hours=3)
    sign_in_with_totp(page, pilot)

    page.goto(f"/gt/seances/{held.pk}/liste/")
    check_page(page, "attendance")
    page.locator(f"#status-{members[0].pk}").select_option("present")
    with page.expect_navigation():
        page.locator("button[name=action][value=close]").click()
    # Clinique Bêta has no line and announced nothing: closing asks to confirm its unjustified absence.
    expect(page.locator("main")).to_contain_text("absent sans justification")
    check_page(page, "attendance-confirm")
    page.locator("#confirm-unannounced").check()
    with page.expect_navigation():
        page.locator("button[name=action][value=close]").click()
    check_page(page, "attendance-closed")

    held.refresh_from_db()
    assert held.attendance_closed
    statuses = dict(Attendance.objects.filter(session=held).values_list("organisation__name", "status"))
    assert statuses == {"CHU Alpha": "present", "Clinique Bêta": "absent"}

    page.goto(f"/gt/{group.slug}/presences/")
    check_page(page, "two-thirds")
    expect(page.locator("main")).to_contain_text("CHU Alpha")
