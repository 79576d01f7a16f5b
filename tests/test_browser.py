"""End-to-end checks in a real browser: sign-in, language switch, layout and WCAG 2.1 AA (axe-core).

Playwright drives Debian's Chromium (``/usr/bin/chromium``); its own browser downloads are not used.
Screenshots of every checked page go to ``test-artifacts/`` for a human look.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.factories import TEST_PASSWORD

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
    # The server thread needs committed data; serialized_rollback brings back the thematic groups
    # that the data migration created and that each transactional flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # WhiteNoise only notes that collectstatic has not run: the live server serves static files from
    # the finders (including Bootstrap from node_modules).
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page, limited to the WCAG 2.0/2.1 A and AA rules."""
    if not AXE_SCRIPT.exists():
        pytest.skip(f"axe-core is not installed ({AXE_SCRIPT} is missing; run `npm install`)")
    # Evaluated through the DevTools protocol: a <script> tag with the code inline would break the
    # portal's Content Security Policy.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        # Only violations are read: axe skips the details of the rules that pass, which saves time.
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
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
    report = format_axe_violations(violations)
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{report}"


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, email: str, password: str) -> None:
    page.goto("/compte/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    # The header also holds submit buttons (language, sign-out): only the one in the main form signs in.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django refuses ORM calls
    # from the test body unless told otherwise.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # One Playwright per test, not per module: while its loop runs, Django keys database connections
    # by async context instead of by thread, so the transactional test set-up and flush (which
    # restore the migrated thematic groups) must run before it starts and after it stops.
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Connections opened from the test body belong to the loop's context; left open, they
            # would keep PostgreSQL from dropping the test database.
            connections.close_all()


def record_csp_violations(page) -> list[str]:
    """Chromium reports every blocked script, style or resource on the console; collect those lines."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="fr-BE", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = record_csp_violations(page)
    return page


@pytest.fixture
def page(live_server, browser):
    page = new_page(browser, live_server, viewport=DESKTOP)
    yield page
    page.context.close()
    assert not page.csp_violations, "The Content Security Policy blocked something:\n" + "\n".join(page.csp_violations)


def test_bootstrap_and_portal_assets_load(page):
    failures = []

    def record_error(response):
        if response.status >= 400:
            failures.append(f"{response.url} ({response.status})")

    page.on("response", record_error)
    page.on("requestfailed", lambda request: failures.append(f"{request.url} ({request.failure})"))
    page.goto("/", wait_until="load")

    assert not failures, f"Some resources did not load: {failures}"
    # Bootstrap defines this custom property on :root; it is empty when its stylesheet is missing.
    font = page.evaluate("getComputedStyle(document.body).getPropertyValue('--bs-body-font-family')")
    assert font.strip(), "Bootstrap's stylesheet is not applied"


# Fixtures that write to the database come before ``page`` so they run before Playwright starts.
def test_key_pages_raise_no_content_security_policy_violation(member, page):
    """The policy is the production one (no inline code): pages, htmx and the forms must live with it."""
    for path in ("/", "/compte/login/", "/gt/"):
        page.goto(path, wait_until="load")
    sign_in(page, member.email, TEST_PASSWORD)
    for path in ("/accueil/", "/compte/profil/", "/compte/sessions/", "/compte/email/"):
        response = page.goto(path, wait_until="load")
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    # htmx has loaded with the portal's configuration: no <style> of its own, no eval.
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert not page.csp_violations, "\n".join(page.csp_violations)


def test_administration_raises_no_content_security_policy_violation(coordinator, member, page):
    from tests.test_browser_adhesion import sign_in_with_totp  # that module imports this one

    sign_in_with_totp(page, coordinator)
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{member.pk}/change/",
        "/admin/members/organisation/add/",
    ):
        response = page.goto(path, wait_until="load")
        assert response.ok, f"{path} answered {response.status}"
    assert not page.csp_violations, "\n".join(page.csp_violations)


def test_member_signs_in_and_sees_their_organisation(member, page):
    sign_in(page, member.email, TEST_PASSWORD)

    expect(page).to_have_url(re.compile(r"/accueil/$"))
    expect(page.locator("#orgs-title + ul")).to_contain_text("Hôpital Alpha")
    save_screenshot(page, "member-home")
    assert_no_axe_violations(page)


def test_language_switcher_changes_html_lang(page):
    page.goto("/gt/")
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
        expect(page).to_have_url(re.compile(r"/gt/$"))


def test_skip_link_is_the_first_tab_stop_and_reaches_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.locator(".skip-link")
    expect(skip_link).to_be_focused()
    # Hidden, it is clipped to a 1 px box, which Playwright would still call visible.
    box = skip_link.bounding_box()
    assert box["width"] > 20 and box["height"] > 10, f"The focused skip link is not shown: {box}"

    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "landing"),
        ("/compte/login/", "login"),
        ("/gt/", "thematic-groups"),
        ("/gt/decarbonation/", "thematic-group-decarbonation"),
    ],
)
def test_public_page_has_no_axe_violations(page, path, name):
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    save_screenshot(page, name)
    assert_no_axe_violations(page)


def test_login_errors_have_no_axe_violations(member, page):
    sign_in(page, member.email, "not-the-right-password")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    save_screenshot(page, "login-errors")
    assert_no_axe_violations(page)


def test_landing_fits_a_phone_screen(live_server, browser):
    page = new_page(browser, live_server, viewport=MOBILE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page.goto("/")
        save_screenshot(page, "landing-mobile")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"The landing page scrolls sideways by {overflow}px on a 375 px wide screen"
        assert_no_axe_violations(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("code", ["nl", "de", "en"])
def test_signed_in_member_switches_language_and_pages_stay_accessible(member, page, code):
    sign_in(page, member.email, TEST_PASSWORD)
    switcher = page.locator("form:has(#language-select)")
    switcher.locator("#language-select").select_option(code)
    with page.expect_navigation():
        switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    expect(page.locator("#orgs-title + ul")).to_contain_text("Hôpital Alpha")
    assert_no_axe_violations(page)
    for path in ("/", "/compte/profil/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", code)
        assert_no_axe_violations(page)
