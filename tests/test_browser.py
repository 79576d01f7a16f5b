"""End-to-end checks in a real browser: sign-in, language switch, layout and WCAG 2.1 AA (axe-core).

Playwright drives Debian's Chromium (``/usr/bin/chromium``); its own browser downloads are not used.
Screenshots of every checked page go to ``test-artifacts/`` for a human look.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page, limited to the WCAG 2.0/2.1 A and AA rules."""
    if not AXE_SCRIPT.exists():
        pytest.skip(f"axe-core is not installed ({AXE_SCRIPT} is missing; run `npm install`)")
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return result["violations"]


def format_axe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    target {json.dumps(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.extend(f"        {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


def assert_no_axe_violations(page) -> None:
    """Fail with every axe violation (rule, help, offending nodes) so the report is enough to fix it."""
    violations = axe_violations(page)
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n" + format_axe_violations(
        violations
    )


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/compte/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    # The header also holds submit buttons (language, sign-out): only the one in the main form signs in.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django refuse
    # ORM calls from the test (fixtures, factories) unless this is set.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with playwright_sync.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_bootstrap_and_portal_assets_load(page, live_server):
    failed = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.url} ({response.status})"))
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("load")
    assert not failed, f"Some resources did not load: {failed}"
    # Bootstrap defines this custom property on :root; it is empty when the stylesheet is missing.
    font = page.evaluate("getComputedStyle(document.body).getPropertyValue('--bs-body-font-family')")
    assert font.strip(), "Bootstrap's stylesheet is not applied"


def test_member_signs_in_and_sees_their_organisation(page, live_server, member):
    from tests.factories import TEST_PASSWORD

    sign_in(page, live_server, member.email, TEST_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/accueil/")
    expect(page.locator("#orgs-title + ul")).to_contain_text("Hôpital Alpha")
    save_screenshot(page, "member-home")
    assert_no_axe_violations(page)


def test_language_switcher_changes_html_lang(page, live_server):
    page.goto(f"{live_server.url}/gt/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr")

    switcher = page.locator("form:has(#language-select)")
    for code in ("nl", "fr"):
        switcher.locator("#language-select").select_option(code)
        with page.expect_navigation():
            switcher.get_by_role("button").click()
        expect(html).to_have_attribute("lang", code)
        expect(switcher.locator("#language-select")).to_have_value(code)
        # The switcher sends the visitor back to the page they were reading.
        expect(page).to_have_url(f"{live_server.url}/gt/")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "landing"),
        ("/compte/login/", "login"),
        ("/gt/", "thematic-groups"),
        ("/gt/decarbonation/", "thematic-group-decarbonation"),
    ],
)
def test_public_page_has_no_axe_violations(page, live_server, path, name):
    response = page.goto(f"{live_server.url}{path}")
    assert response.ok, f"{path} answered {response.status}"
    save_screenshot(page, name)
    assert_no_axe_violations(page)


def test_login_errors_have_no_axe_violations(page, live_server, member):
    sign_in(page, live_server, member.email, "not-the-right-password")

    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    save_screenshot(page, "login-errors")
    assert_no_axe_violations(page)


def test_landing_fits_a_phone_screen(browser, live_server):
    context = browser.new_context(viewport=MOBILE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        save_screenshot(page, "landing-mobile")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"The landing page scrolls sideways by {overflow}px on a 375px wide screen"
        assert_no_axe_violations(page)
    finally:
        context.close()

