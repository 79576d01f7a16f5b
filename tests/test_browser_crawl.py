"""Every page each role of the demo data can reach, checked with axe-core (WCAG 2.0/2.1 A and AA).

The demo data (``core.demo.seed_demo``, as ``manage.py seed_demo`` loads it) has one person per role.
For each of them the browser signs in (password, then the TOTP code for staff), follows the portal's
own links breadth-first from the home page and runs axe on every HTML page it meets. Links are reduced
to one page per kind (URL name and the shape of its arguments), so the crawl stays bounded while new
pages are picked up as soon as something links to them.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import Resolver404, resolve
from django.utils import timezone

from core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo
from tests import test_browser
from tests.test_browser import DESKTOP, MOBILE, axe_violations, expect, format_axe_violations, new_page, sign_in

pytestmark = test_browser.pytestmark
browser = test_browser.browser

# A bound on the crawl's time; the report says when a role had links left over.
MAX_PAGES_PER_ROLE = 80
# Role → demo login (None: a visitor who is not signed in). Staff pass the second factor.
ROLES = {
    "anonymous": None,
    "applicant": "candidat@demo.asetw.be",
    "legal representative": "direction@chu-demo.be",
    "delegate": "delegue@chu-demo.be",
    "pilot": "pilote@demo.asetw.be",
    "coordinator": "coordination@demo.asetw.be",
    "steering member": "copil@demo.asetw.be",
}
STAFF = {"pilote@demo.asetw.be", "coordination@demo.asetw.be", "copil@demo.asetw.be"}
# Links that change something or leave the page's language: never followed.
SKIPPED_NAMES = {"account_logout", "set_language"}
# Files rather than pages: their content type would tell, but asking the server to build them costs time.
FILE_SUFFIXES = (".pdf", ".xlsx", ".csv", ".ics", ".svg", ".txt")
FILE_NAME_PARTS = ("_file", "_feed", "qr_code", "download")
# The administration is Django's: its index, the adhesions (list and one adhesion) and a few lists.
ADMIN_PAGES = {
    "admin:index",
    "admin:adhesions_adhesion_changelist",
    "admin:adhesions_adhesion_change",
    "admin:members_organisation_changelist",
    "admin:accounts_user_changelist",
    "admin:core_outboundemail_changelist",
    "admin:core_auditentry_changelist",
}


# Pages that are the same for every role (but for the header, which every other page checks): axe runs on
# them once, for the first role that reaches them; later roles still follow their links.
SAME_FOR_EVERYONE = {"convention", "accessibility", "privacy", "signatories:list"}
# The account pages (/compte/: e-mail, password, second factor, sessions…) are the same for every
# signed-in person.
ACCOUNT_PAGES = "/compte/"

# Pages whose text argument picks another form (a step of the adhesion form), not another object.
STEP_PAGES = {"adhesions:step"}


@dataclass
class Crawl:
    role: str
    origin: str
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seen_kinds: set = field(default_factory=set)
    signed_in: bool = False
    left_over: int = 0


def page_kind(url: str) -> tuple | None:
    """What makes two links "the same page": URL name, argument names (their values only for the steps
    of a form), and whether there is a query string. None: a link not to follow."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("unknown", parts.path)
    name = match.view_name
    if name in SKIPPED_NAMES or name.startswith("account_reset_password_from_key"):
        return None
    if parts.path.endswith(FILE_SUFFIXES) or any(part in name for part in FILE_NAME_PARTS):
        return None
    # Django's administration: a few of its pages, without their sorting and filtering variants.
    if name.startswith("admin:") and (name not in ADMIN_PAGES or parts.query):
        return None
    arguments = tuple(sorted((key, value if name in STEP_PAGES else "*") for key, value in match.kwargs.items()))
    return (name, arguments, bool(parts.query))


def demo_totp_code() -> str:
    # A code typed in the last instant of its 30 s window would be refused: wait for the next one.
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(timezone.now().timestamp()) // 30))


def sign_in_demo(page, email: str) -> None:
    sign_in(page, email, DEMO_PASSWORD)
    if email in STAFF:
        code = page.locator("input[name=code]")
        expect(code).to_be_visible()
        code.fill(demo_totp_code())
        with page.expect_navigation():
            page.locator("main form button[type=submit]:not([form])").click()
        expect(page.locator("input[name=code]")).to_have_count(0)
    expect(page.locator("form[action$='/compte/logout/']")).to_have_count(1)


def links_of(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    same_origin = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        if url.startswith(origin + "/"):
            same_origin.append(url)
    return same_origin


def checked_once(crawl: Crawl, kind: tuple, path: str) -> tuple | None:
    """The key under which a page counts as checked for every role, or None if each role checks it."""
    if kind[0] in SAME_FOR_EVERYONE:
        return kind
    if crawl.signed_in and path.startswith(ACCOUNT_PAGES):
        return ("signed in", *kind)
    return None


def crawl(page, crawl: Crawl, start: list[str], checked: set) -> None:
    """Breadth-first through the links; ``checked`` holds the role-independent pages already checked."""
    queue = deque()
    for path in start:
        kind = page_kind(crawl.origin + path)
        crawl.seen_kinds.add(kind)
        queue.append(crawl.origin + path)
    while queue and len(crawl.visited) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        try:
            response = page.goto(url)
        except Exception as error:  # a download starts instead of a page: not a page to check
            if "Download is starting" in str(error):
                continue
            raise
        path = url.removeprefix(crawl.origin)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 400:
            crawl.problems.append(f"{path} answered {response.status}")
            continue
        kind = page_kind(url)
        once = checked_once(crawl, kind, path) if kind else None
        if once is not None and once in checked:
            crawl.visited.append(f"{path} (checked for an earlier role)")
        else:
            if once is not None:
                checked.add(once)
            crawl.visited.append(path)
            # axe only asks for a title; markup typed into the title block would be read out as text.
            if "<" in page.title():
                crawl.problems.append(f"{path}: the page title holds markup: {page.title()!r}")
            violations = axe_violations(page)
            if violations:
                crawl.problems.append(f"{path}:\n{format_axe_violations(violations)}")
            # WCAG 1.4.10 (reflow): on a phone, only wide tables may scroll, inside their own box.
            page.set_viewport_size(MOBILE)
            width = page.evaluate("document.documentElement.scrollWidth")
            page.set_viewport_size(DESKTOP)
            if width > MOBILE["width"]:
                crawl.problems.append(f"{path}: {width} px wide on a {MOBILE['width']} px phone screen")
        for link in links_of(page, crawl.origin):
            kind = page_kind(link)
            if kind is None or kind in crawl.seen_kinds:
                continue
            crawl.seen_kinds.add(kind)
            queue.append(link)
    crawl.left_over = len(queue)


@pytest.fixture
def demo_data(transactional_db):
    # Loaded before the browser starts: seeding runs code (signed PDF checks) that needs its own event loop.
    seed_demo()


# ``demo_data`` comes before ``browser`` so that it runs before Playwright starts.
def test_every_page_of_every_demo_role_has_no_axe_violations(demo_data, live_server, browser):
    started = time.monotonic()
    report, problems, checked = [], [], set()
    for role, email in ROLES.items():
        page = new_page(browser, live_server, viewport=DESKTOP)
        try:
            start = ["/"]
            if email:
                sign_in_demo(page, email)
                start.append("/accueil/")
            result = Crawl(role=role, origin=live_server.url, signed_in=bool(email))
            crawl(page, result, start, checked)
        finally:
            page.context.close()
        checked_here = sum(1 for path in result.visited if not path.endswith("role)"))
        left_over = f", {result.left_over} links left over" if result.left_over else ""
        report.append(
            f"{role} ({email or 'not signed in'}): {len(result.visited)} pages, {checked_here} checked with axe"
            f"{left_over}"
        )
        report.extend(f"    {path}" for path in result.visited)
        problems.extend(f"[{role}] {problem}" for problem in result.problems)
    print("\n".join(report))
    print(f"Crawl of {len(ROLES)} roles in {time.monotonic() - started:.0f} s")
    assert not problems, f"{len(problems)} page(s) with problems:\n" + "\n".join(problems)
