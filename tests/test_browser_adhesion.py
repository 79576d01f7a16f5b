"""The adhesion form in a real browser, from the first step to the list of signatories.

Every page the journeys visit is checked with axe-core (WCAG 2.1 A and AA). Elements are found by
id, name or role rather than by their French text, so the journeys hold while the translations of
these pages are being written. Shared helpers and the browser set-up come from ``tests/test_browser.py``.
"""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone

from adhesions import services
from adhesions.enums import AdhesionStatus, SignatureStatus
from adhesions.models import Adhesion
from core.models import OutboundEmail
from members.models import Organisation
from tests import test_browser
from tests.adhesion_data import SIGNING_LINK, ecosystem_answers, filled_adhesion, hospital_answers, person
from tests.factories import TEST_PASSWORD, TOTP_SECRET, UserFactory
from tests.test_browser import (
    DESKTOP,
    assert_no_axe_violations,
    expect,
    new_page,
    save_screenshot,
    sign_in,
)

# The browser set-up of tests/test_browser.py: its marks (transactional database, Chromium present)
# and its fixtures.
pytestmark = test_browser.pytestmark
browser = test_browser.browser
page = test_browser.page

PERSON_FIELDS = ("last_name", "first_name", "function", "email", "phone")
# A fragment (from a link of the error summary) survives the post and its redirect.
STEP_URL = r"/adhesion/(\d+)/etape/{slug}/(#.*)?$"


# --- Helpers --------------------------------------------------------------------------------------------


def check_page(page, name: str) -> None:
    """A screenshot for a human look, then axe on the page as it is now."""
    save_screenshot(page, f"adhesion-{name}")
    assert_no_axe_violations(page)


def expect_step(page, slug: str, pk: int | None = None) -> int:
    pattern = (
        STEP_URL.format(slug=re.escape(slug)) if pk is None else rf"/adhesion/{pk}/etape/{re.escape(slug)}/(#.*)?$"
    )
    expect(page).to_have_url(re.compile(pattern))
    return int(re.search(r"/adhesion/(\d+)/", page.url).group(1))


def save_and_continue(page) -> None:
    # The step's main button has no name; "save and finish later" has one, the header's forms are outside <main>.
    page.locator("main form button[type=submit]:not([name])").click()


def fill_person(page, values: dict, prefix: str = "") -> None:
    for name in PERSON_FIELDS:
        page.locator(f"#id_{prefix}{name}").fill(values[name])


def start_form(page, *, check: bool = False) -> int:
    page.goto("/adhesion/")
    expect(page.locator("h1")).to_be_visible()
    if check:
        check_page(page, "start")
    page.locator("main form button[type=submit]").click()
    return expect_step(page, "organisation")


def fill_organisation(page, answers: dict, enterprise_number: str) -> None:
    page.locator("#id_name").fill(answers["name"])
    page.locator("#id_legal_form").fill(answers["legal_form"])
    page.locator(f"input[name=type][value={answers['type']}]").check()
    if answers.get("type_precision"):
        page.locator("#id_type_precision").fill(answers["type_precision"])
    page.locator("#id_enterprise_number").fill(enterprise_number)
    page.locator("#id_street").fill(answers["street"])
    page.locator("#id_postal_code").fill(answers["postal_code"])
    page.locator("#id_city").fill(answers["city"])
    page.locator("#id_website").fill(answers["website"])


def signing_paths() -> dict[str, str]:
    """E-mail address → path of the signing link, as read in the queued e-mails."""
    paths = {}
    for email in OutboundEmail.objects.filter(template="adhesions/signature_requested").order_by("pk"):
        match = SIGNING_LINK.search(email.body_text)
        if match:
            paths[email.to_email] = match.group(0)
    return paths


def sign_from_link(
    page, path: str, typed_name: str, name: str, *, read_answers: bool = False, check_signed: bool = True
) -> None:
    page.goto(path)
    expect(page.locator("#id_typed_name")).to_be_visible()
    if read_answers:
        # The answers are folded in a <details>: open it so that axe checks them too.
        page.locator("main details summary").click()
        expect(page.locator("main details dl").first).to_be_visible()
    check_page(page, f"sign-{name}")
    page.locator("#id_typed_name").fill(typed_name)
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/adhesion/signature-enregistree/\d+/$"))
    expect(page.locator("h1")).to_be_visible()
    if check_signed:
        check_page(page, f"signed-{name}")


def totp_code() -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, int(timezone.now().timestamp()) // 30))


def sign_in_with_totp(page, user) -> None:
    """The real sign-in of a coordinator: password, then the code of their authenticator app."""
    sign_in(page, user.email, TEST_PASSWORD)
    code = page.locator("input[name=code]")
    expect(code).to_be_visible()
    check_page(page, "coordinator-totp")
    # A code typed in the last instant of its 30 s window would be refused: wait for the next one.
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.1)
    code.fill(totp_code())
    # The other submit button of the page ("cancel") belongs to another form, named by its form attribute.
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("input[name=code]")).to_have_count(0)


@pytest.fixture
def applicant(db):
    return UserFactory(email="marc.dubois@clinique.example.be", first_name="Marc", last_name="Dubois")


# --- 1. A hospital, from the first step to the list of signatories ----------------------------------------


# Fixtures that write to the database come before ``page`` so they run before Playwright starts.
def test_a_hospital_joins_and_appears_among_the_signatories(applicant, coordinator, live_server, browser, page):
    answers = hospital_answers()
    sign_in(page, applicant.email, TEST_PASSWORD)
    pk = start_form(page, check=True)

    # Organisation.
    check_page(page, "hospital-1-organisation")
    fill_organisation(page, answers["organisation"], "0464.281.392")
    save_and_continue(page)

    # Legal representative.
    expect_step(page, "representant-legal", pk)
    check_page(page, "hospital-2-legal-representative")
    fill_person(page, answers["legal_representative"])
    save_and_continue(page)

    # Contact point, another person.
    expect_step(page, "point-de-contact", pk)
    check_page(page, "hospital-3-contact-point")
    expect(page.locator("#id_same_as_legal_representative")).not_to_be_checked()
    fill_person(page, answers["contact_point"])
    save_and_continue(page)

    # Thematic groups: a group's delegate fields show once the group is ticked.
    expect_step(page, "groupes-thematiques", pk)
    expect(page.locator("#id_decarbonation__last_name")).to_be_hidden()
    check_page(page, "hospital-4-groups")
    for slug, delegate in answers["groups"]["delegates"].items():
        page.locator(f"#id_{slug}__chosen").check()
        expect(page.locator(f"#id_{slug}__last_name")).to_be_visible()
        fill_person(page, delegate, prefix=f"{slug}__")
    expect(page.locator("#id_infrastructures-durables__last_name")).to_be_hidden()
    check_page(page, "hospital-4-groups-filled")  # the revealed delegate fields
    save_and_continue(page)

    # Actions: Option 1 with two actions for Décarbonation, Option 2 for the two others.
    expect_step(page, "actions", pk)
    expect(page.locator("main form > fieldset")).to_have_count(3)
    expect(page.locator("#id_decarbonation__action_1")).to_be_hidden()
    check_page(page, "hospital-5-actions")
    page.locator("input[name=decarbonation__option][value='1']").check()
    expect(page.locator("#id_decarbonation__action_1")).to_be_visible()
    page.locator("#id_decarbonation__action_1").fill(answers["actions"]["decarbonation"]["action_1"])
    page.locator("#id_decarbonation__action_2").fill(answers["actions"]["decarbonation"]["action_2"])
    for slug in ("achats-durables", "resilience"):
        page.locator(f"input[name='{slug}__option'][value='2']").check()
        expect(page.locator(f"#id_{slug}__action_1")).to_be_hidden()
    check_page(page, "hospital-5-actions-filled")  # the revealed action fields
    save_and_continue(page)

    # Existing initiatives.
    expect_step(page, "initiatives", pk)
    check_page(page, "hospital-6-initiatives")
    page.locator("#id_description").fill(answers["initiatives"]["description"])
    page.locator("#id_link").fill("clinique.example.be/developpement-durable")
    save_and_continue(page)

    # Privacy: the notice must be acknowledged; the nominative consent is optional.
    expect_step(page, "vie-privee", pk)
    check_page(page, "hospital-7-privacy")
    page.locator("#id_notice_acknowledged").check()
    save_and_continue(page)

    # Check your answers: everything typed is there, with a "change" link to each step.
    review_url = re.compile(rf"/adhesion/{pk}/verifier/$")
    expect(page).to_have_url(review_url)
    main = page.locator("main")
    for text in (
        "Clinique Saint-Luc de Namur",
        "0464.281.392",
        "Anne Lambert",
        "Marc Dubois",
        "Léa Martin",
        "Hugo Leroy",
        "Sarah Peeters",
        "Remplacer le desflurane",
        "Plan de mobilité douce",
        "https://clinique.example.be/developpement-durable",
    ):
        expect(main).to_contain_text(text)
    slugs = [
        "organisation",
        "representant-legal",
        "point-de-contact",
        "groupes-thematiques",
        "actions",
        "initiatives",
        "vie-privee",
    ]
    for slug in slugs:
        expect(main.locator(f"section a[href='/adhesion/{pk}/etape/{slug}/']")).to_have_count(1)
    check_page(page, "hospital-8-review")

    # Follow "change" to the organisation: the answers are there; come back through the steps' list.
    main.locator(f"section a[href='/adhesion/{pk}/etape/organisation/']").click()
    expect_step(page, "organisation", pk)
    expect(page.locator("#id_name")).to_have_value("Clinique Saint-Luc de Namur")
    expect(page.locator("#id_enterprise_number")).to_have_value("0464.281.392")
    expect(page.locator("input[name=type][value=hospital]")).to_be_checked()
    page.locator(f"nav a[href='/adhesion/{pk}/verifier/']").click()
    expect(page).to_have_url(review_url)

    # "Change" on the last step leads back to the review once saved.
    main.locator(f"section a[href='/adhesion/{pk}/etape/vie-privee/']").click()
    expect_step(page, "vie-privee", pk)
    expect(page.locator("#id_notice_acknowledged")).to_be_checked()
    save_and_continue(page)
    expect(page).to_have_url(review_url)

    # Accept the convention and send.
    page.locator("#id_accept_convention").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/$"))
    expect(page.locator("main table tbody tr")).to_have_count(4)
    check_page(page, "hospital-9-sent")
    assert Adhesion.objects.get(pk=pk).status == AdhesionStatus.AWAITING_SIGNATURES

    # Every signatory signs from the link in their e-mail; none of them has an account.
    signatories = {
        "anne.lambert@clinique.example.be": "Anne Lambert",
        "lea.martin@clinique.example.be": "Léa Martin",
        "hugo.leroy@clinique.example.be": "LEROY Hugo",
        "sarah.peeters@clinique.example.be": "sarah peeters",
    }
    paths = signing_paths()
    assert set(paths) == set(signatories)
    signer = new_page(browser, live_server, viewport=DESKTOP)
    try:
        for number, (email, typed_name) in enumerate(signatories.items()):
            # The answers are read (and checked) once, and the thank-you page, the same for all, once.
            first = number == 0
            sign_from_link(
                signer, paths[email], typed_name, f"hospital-{number}", read_answers=first, check_signed=first
            )
    finally:
        signer.context.close()

    adhesion = Adhesion.objects.get(pk=pk)
    assert adhesion.status == AdhesionStatus.SIGNED
    page.goto(f"/adhesion/{pk}/")
    expect(page.locator("main .badge.text-bg-success")).to_have_count(4)
    check_page(page, "hospital-10-signed")

    # The coordination validates the signatures and confirms receipt.
    coordinator_page = new_page(browser, live_server, viewport=DESKTOP)
    try:
        coordinate(coordinator_page, coordinator, adhesion)
    finally:
        coordinator_page.context.close()

    adhesion.refresh_from_db()
    assert adhesion.status == AdhesionStatus.CONFIRMED
    organisation = Organisation.objects.get(pk=adhesion.organisation_id)
    assert organisation.enterprise_number == "0464281392"

    # The organisation is now public among the signatories.
    page.goto("/signataires/")
    expect(page.locator("main")).to_contain_text("Clinique Saint-Luc de Namur")
    check_page(page, "signatories")


def coordinate(page, coordinator, adhesion) -> None:
    """Validate the signatures, then confirm receipt, with the actions of the admin's list of adhesions."""
    sign_in_with_totp(page, coordinator)
    page.goto("/admin/")
    expect(page.locator("#content")).to_be_visible()
    check_page(page, "admin-index")
    changelist = "/admin/adhesions/adhesion/"
    for action, status in (
        ("validate_signatures", AdhesionStatus.SIGNATURES_VALIDATED),
        ("confirm_receipt", AdhesionStatus.CONFIRMED),
    ):
        page.goto(changelist)
        expect(page.locator("#result_list")).to_contain_text(adhesion.reference)
        check_page(page, f"admin-changelist-{action}")
        page.locator(f"input[name=_selected_action][value='{adhesion.pk}']").check()
        page.locator("select[name=action]").select_option(action)
        page.locator("#changelist-form [type=submit][name=index]").click()
        expect(page).to_have_url(re.compile(rf"{changelist}(\?.*)?$"))
        expect(page.locator(".messagelist .success")).to_contain_text(adhesion.reference)
        check_page(page, f"admin-done-{action}")
        assert Adhesion.objects.get(pk=adhesion.pk).status == status
    # The adhesion's own page, with the signatures' evidence.
    page.goto(f"{changelist}{adhesion.pk}/change/")
    expect(page.locator("#signatures-heading")).to_be_visible()
    check_page(page, "admin-adhesion")


# --- 2. An elder-care home cannot choose Décarbonation ----------------------------------------------------


def test_an_elder_care_home_is_told_decarbonation_is_for_hospitals(applicant, page):
    answers = hospital_answers(name="Résidence Les Tilleuls")
    answers["organisation"]["type"] = "elder_care"
    sign_in(page, applicant.email, TEST_PASSWORD)
    pk = start_form(page)
    fill_organisation(page, answers["organisation"], "0403.170.701")
    save_and_continue(page)
    expect_step(page, "representant-legal", pk)
    fill_person(page, answers["legal_representative"])
    save_and_continue(page)
    expect_step(page, "point-de-contact", pk)
    page.locator("#id_same_as_legal_representative").check()
    save_and_continue(page)

    expect_step(page, "groupes-thematiques", pk)
    delegate = person("Léa", "Martin", "lea.martin@tilleuls.example.be")
    page.locator("#id_decarbonation__chosen").check()
    fill_person(page, delegate, prefix="decarbonation__")
    save_and_continue(page)

    # The same step again, with the error summary first (and focused) and the message by the field.
    expect_step(page, "groupes-thematiques", pk)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#id_decarbonation__chosen']")).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^(Erreur|Error)\s?:"))
    checkbox = page.locator("#id_decarbonation__chosen")
    expect(checkbox).to_have_class(re.compile(r"\bis-invalid\b"))
    feedback = page.locator("main form > fieldset").filter(has=checkbox).locator(".invalid-feedback")
    expect(feedback).to_be_visible()
    expect(feedback).not_to_have_text("")
    # What was typed is kept.
    expect(checkbox).to_be_checked()
    for name in PERSON_FIELDS:
        expect(page.locator(f"#id_decarbonation__{name}")).to_have_value(delegate[name])
    check_page(page, "elder-care-groups-error")

    # Following the summary's link reaches the field.
    summary.locator("a[href='#id_decarbonation__chosen']").click()
    expect(page).to_have_url(re.compile(r"#id_decarbonation__chosen$"))

    # Untick it, choose the group for elder-care homes instead and go on.
    checkbox.uncheck()
    expect(page.locator("#id_decarbonation__last_name")).to_be_hidden()
    page.locator("#id_sensibilisation-aines__chosen").check()
    fill_person(page, delegate, prefix="sensibilisation-aines__")
    save_and_continue(page)

    expect_step(page, "actions", pk)
    expect(page.locator("main form > fieldset")).to_have_count(1)
    expect(page.locator("input[name='sensibilisation-aines__option']")).to_have_count(2)
    check_page(page, "elder-care-actions")
    adhesion = Adhesion.objects.get(pk=pk)
    assert adhesion.section("groups")["choices"] == ["sensibilisation-aines"]


# --- 3. An ecosystem actor: no thematic group, only the legal representative signs -------------------------


def test_an_ecosystem_actor_fills_its_own_steps_and_its_legal_representative_signs(applicant, page):
    answers = ecosystem_answers()
    sign_in(page, applicant.email, TEST_PASSWORD)
    pk = start_form(page)
    fill_organisation(page, answers["organisation"], "0403.170.701")
    expect(page.locator("#id_type_precision")).to_have_value("Fédération")
    save_and_continue(page)

    expect_step(page, "representant-legal", pk)
    # Now that the type is known, the steps are those of an ecosystem actor: no thematic groups.
    progress = page.locator("main nav ol li")
    expect(progress).to_have_count(7)
    expected = ["organisation", "representant-legal", "point-de-contact", "contribution", "initiatives", "vie-privee"]
    check_page(page, "ecosystem-2-legal-representative")
    fill_person(page, answers["legal_representative"])
    save_and_continue(page)

    expect_step(page, "point-de-contact", pk)
    check_page(page, "ecosystem-3-contact-point")
    page.locator("#id_same_as_legal_representative").check()
    save_and_continue(page)

    expect_step(page, "contribution", pk)
    check_page(page, "ecosystem-4-contribution")
    page.locator("#id_contributions").fill(answers["ecosystem"]["contributions"])
    page.locator("#id_expertise").fill(answers["ecosystem"]["expertise"])
    for theme in answers["ecosystem"]["expertise_themes"]:
        page.locator(f"input[name=expertise_themes][value='{theme}']").check()
    save_and_continue(page)

    expect_step(page, "initiatives", pk)
    page.locator("#id_description").fill(answers["initiatives"]["description"])
    save_and_continue(page)

    expect_step(page, "vie-privee", pk)
    page.locator("#id_notice_acknowledged").check()
    page.locator("#id_nominative_consent").check()
    save_and_continue(page)

    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/verifier/$"))
    main = page.locator("main")
    hrefs = main.locator("section a[href*='/etape/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"/adhesion/{pk}/etape/{slug}/" for slug in expected]
    expect(main).to_contain_text("Fédération wallonne des soins")
    expect(main).to_contain_text("Webinaires et guides pour nos membres.")
    check_page(page, "ecosystem-8-review")
    page.locator("#id_accept_convention").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/$"))
    expect(page.locator("main table tbody tr")).to_have_count(1)
    check_page(page, "ecosystem-9-sent")

    paths = signing_paths()
    assert list(paths) == ["anne.lambert@clinique.example.be"]
    sign_from_link(page, paths["anne.lambert@clinique.example.be"], "Anne Lambert", "ecosystem-legal-representative")
    adhesion = Adhesion.objects.get(pk=pk)
    assert adhesion.status == AdhesionStatus.SIGNED
    assert adhesion.group_preferences.count() == 0


# --- 4. A signing link works once ---------------------------------------------------------------------


@pytest.fixture
def used_link(applicant, groups):
    """The path of a signing link that has already been used."""
    adhesion = services.adhesion_submit(adhesion=filled_adhesion(applicant), actor=applicant)
    path = signing_paths()["lea.martin@clinique.example.be"]
    signature_id, token = SIGNING_LINK.search(path).groups()
    services.signature_sign(
        signature_id=int(signature_id),
        token=token,
        typed_name="Léa Martin",
        ip_address="192.0.2.1",
        user_agent="pytest",
    )
    assert adhesion.signatures.get(pk=signature_id).status == SignatureStatus.SIGNED
    return path


def test_a_used_signing_link_cannot_be_used_again(used_link, page):
    response = page.goto(used_link)
    assert response.status == 410
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("#id_typed_name")).to_have_count(0)
    expect(page.locator("main a[href='/']")).to_have_count(1)
    check_page(page, "link-used")
