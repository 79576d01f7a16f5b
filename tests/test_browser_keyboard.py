"""The whole adhesion form with the keyboard only: Tab and Shift+Tab, Space, arrow keys, typing and Enter.

At every tab stop the focused element must show a focus indicator (an outline or a box shadow). A
submission with errors must put the focus on the error summary, whose links move it to the fields.
"""

from __future__ import annotations

import re

from adhesions.enums import AdhesionStatus
from adhesions.models import Adhesion
from tests import test_browser
from tests.adhesion_data import hospital_answers
from tests.factories import TEST_PASSWORD
from tests.test_browser import assert_no_axe_violations, expect
from tests.test_browser_adhesion import PERSON_FIELDS, applicant  # noqa: F401 (fixture)

pytestmark = test_browser.pytestmark
browser = test_browser.browser
page = test_browser.page


MAX_TAB_STOPS = 120
FOCUS_STATE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return {describe: "nothing", visible: false};
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const describe = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + (element.name ? `[name=${element.name}]` : "")
    + (element.type === "radio" ? `=${element.value}` : "");
  return {describe, visible: outline || shadow};
}"""


class Keyboard:
    """Moves through a page with Tab like a keyboard user, checking the focus indicator at each stop."""

    def __init__(self, page):
        self.page = page
        self.stops: list[str] = []
        self.invisible: list[str] = []

    def _check_focus(self) -> dict:
        state = self.page.evaluate(FOCUS_STATE)
        self.stops.append(state["describe"])
        if not state["visible"]:
            self.invisible.append(f"{self.page.url}: {state['describe']}")
        return state

    def focused_matches(self, selector: str) -> bool:
        return self.page.evaluate("selector => document.activeElement.matches(selector)", selector)

    def tab_to(self, selector: str, *, backwards: bool = False) -> None:
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MAX_TAB_STOPS):
            self.page.keyboard.press(key)
            self._check_focus()
            if self.focused_matches(selector):
                return
        raise AssertionError(f"{key} never reached {selector}; stops: {self.stops[-MAX_TAB_STOPS:]}")

    def type_into(self, selector: str, text: str, *, backwards: bool = False) -> None:
        self.tab_to(selector, backwards=backwards)
        # Replace what is there (a prefilled answer) as a keyboard user would.
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def tick(self, selector: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Space")
        expect(self.page.locator(selector)).to_be_checked()

    def choose_radio(self, name: str, value: str) -> None:
        """Tab into the radio group, then arrow down to the value (arrows also select)."""
        self.tab_to(f"input[type=radio][name='{name}']")
        target = f"input[type=radio][name='{name}'][value='{value}']"
        if self.focused_matches(target):
            self.page.keyboard.press("Space")
        for _ in range(10):
            if self.focused_matches(target):
                break
            self.page.keyboard.press("ArrowDown")
            self._check_focus()
        expect(self.page.locator(target)).to_be_checked()

    def submit(self, selector: str = "main form button[type=submit]:not([name])") -> None:
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def fill_person(self, values: dict, prefix: str = "") -> None:
        for name in PERSON_FIELDS:
            self.type_into(f"#id_{prefix}{name}", values[name])


def test_the_adhesion_form_can_be_filled_and_sent_with_the_keyboard_only(applicant, page):  # noqa: F811
    answers = hospital_answers()
    keys = Keyboard(page)

    # Sign in.
    page.goto("/compte/login/")
    keys.type_into("input[name=login]", applicant.email)
    keys.type_into("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accueil/(#.*)?$"))

    # The skip link first, then the start button.
    page.goto("/adhesion/")
    keys.tab_to(".skip-link")
    keys.submit("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/adhesion/\d+/etape/organisation/(#.*)?$"))
    pk = int(re.search(r"/adhesion/(\d+)/", page.url).group(1))

    # Organisation, first without its name: the error summary takes the focus.
    organisation = answers["organisation"]
    keys.type_into("#id_legal_form", organisation["legal_form"])
    keys.choose_radio("type", organisation["type"])
    keys.type_into("#id_enterprise_number", organisation["enterprise_number"])
    keys.type_into("#id_street", organisation["street"])
    keys.type_into("#id_postal_code", organisation["postal_code"])
    keys.type_into("#id_city", organisation["city"])
    keys.type_into("#id_website", organisation["website"])
    # Back up with Shift+Tab to correct the street.
    keys.type_into("#id_street", organisation["street"], backwards=True)
    keys.submit()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert_no_axe_violations(page)
    keys.tab_to("[data-error-summary] a[href='#id_name']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_name")).to_be_focused()
    page.keyboard.type(organisation["name"])
    # What was typed before the error is still there.
    expect(page.locator("#id_city")).to_have_value(organisation["city"])
    expect(page.locator("input[name=type][value=hospital]")).to_be_checked()
    keys.submit()

    # Legal representative, then contact point (another person).
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/etape/representant-legal/(#.*)?$"))
    keys.fill_person(answers["legal_representative"])
    keys.submit()
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/etape/point-de-contact/(#.*)?$"))
    keys.fill_person(answers["contact_point"])
    keys.submit()

    # Thematic groups: ticking a group with Space reveals its delegate's fields.
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/etape/groupes-thematiques/(#.*)?$"))
    for slug, delegate in answers["groups"]["delegates"].items():
        keys.tick(f"#id_{slug}__chosen")
        expect(page.locator(f"#id_{slug}__last_name")).to_be_visible()
        keys.fill_person(delegate, prefix=f"{slug}__")
    keys.submit()

    # Actions: Option 1 with two actions for Décarbonation, Option 2 (arrow key) for the others.
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/etape/actions/(#.*)?$"))
    decarbonation = answers["actions"]["decarbonation"]
    keys.choose_radio("decarbonation__option", "1")
    keys.type_into("#id_decarbonation__action_1", decarbonation["action_1"])
    keys.type_into("#id_decarbonation__action_2", decarbonation["action_2"])
    for slug in ("achats-durables", "resilience"):
        keys.choose_radio(f"{slug}__option", "2")
    keys.submit()

    # Existing initiatives, privacy.
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/etape/initiatives/(#.*)?$"))
    keys.type_into("#id_description", answers["initiatives"]["description"])
    keys.submit()
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/etape/vie-privee/(#.*)?$"))
    keys.tick("#id_notice_acknowledged")
    keys.submit()

    # Check your answers: send without accepting the convention first, then accept it from the summary.
    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/verifier/(#.*)?$"))
    keys.submit("main form button[type=submit]")
    expect(summary).to_be_focused()
    keys.tab_to("[data-error-summary] a[href='#id_accept_convention']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_accept_convention")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#id_accept_convention")).to_be_checked()
    keys.submit("main form button[type=submit]")

    expect(page).to_have_url(re.compile(rf"/adhesion/{pk}/(#.*)?$"))
    assert Adhesion.objects.get(pk=pk).status == AdhesionStatus.AWAITING_SIGNATURES
    assert not keys.invisible, "Focus not visible at:\n" + "\n".join(keys.invisible)
    assert len(keys.stops) > 50
