"""Security headers, session lifetime, sign-in rate limits and client addresses."""

from __future__ import annotations

import re

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from accounts.session_security import LAST_SEEN_AT, SIGNED_IN_AT
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# What production sends (SECURE_COOKIES on), without the HTTPS redirect the test client cannot follow.
PRODUCTION_LIKE = {
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-asetw_session",
    "CSRF_COOKIE_NAME": "__Host-asetw_csrf",
}


def sign_in(client, user, password=TEST_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": user.email, "password": password}, **extra)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


# --- Headers ---------------------------------------------------------------------------------------


def test_pages_send_a_strict_content_security_policy_with_a_fresh_nonce(client):
    first, second = client.get(reverse("landing")), client.get(reverse("landing"))
    policy = csp_directives(first)
    assert "'unsafe-inline'" not in first["Content-Security-Policy"]
    assert "'unsafe-eval'" not in first["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "data:" in policy["img-src"]  # the authenticator set-up shows its QR code as a data: image
    nonce = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    assert len(nonce) == 1 and nonce[0] in policy["style-src"]
    assert nonce != [value for value in csp_directives(second)["script-src"] if value.startswith("'nonce-")]


def test_no_page_template_needs_unsafe_inline(client, member):
    """Inline code would be blocked: the pages of the portal have none (htmx's own style is off too)."""
    client.force_login(member)
    for url in (reverse("landing"), reverse("home"), reverse("accounts:profile"), reverse("usersessions_list")):
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page), url
        assert "<style" not in page and " style=" not in page, url
        assert '"includeIndicatorStyles":false' in page


def test_downloads_keep_their_sandbox_policy():
    from django.http import HttpResponse

    from core.security_headers import ContentSecurityPolicyMiddleware

    def download(request):
        response = HttpResponse(b"%PDF", content_type="application/pdf")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    from django.test import RequestFactory

    response = ContentSecurityPolicyMiddleware(download)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_admin_login_page_works_under_the_policy(client):
    response = client.get(reverse("admin:login"), follow=True)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response


@override_settings(**PRODUCTION_LIKE)
def test_production_headers_and_cookies(client, member):
    response = sign_in(client, member, secure=True)
    assert response.status_code == 302
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response
    session_cookie = response.cookies["__Host-asetw_session"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax" and session_cookie["path"] == "/" and not session_cookie["domain"]
    csrf_cookie = Client().get(reverse("account_login"), secure=True).cookies["__Host-asetw_csrf"]
    assert csrf_cookie["secure"] and csrf_cookie["samesite"] == "Lax"


def test_signed_in_pages_are_never_stored_but_public_ones_may_be(client, member):
    assert "no-store" not in client.get(reverse("landing")).get("Cache-Control", "")
    client.force_login(member)
    for url in (reverse("landing"), reverse("home"), reverse("thematic_groups:list")):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_static_files_are_not_marked_no_store(client, member):
    client.force_login(member)
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Sessions --------------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_id(client, member):
    client.get(reverse("account_login"))
    client.session.save()  # an anonymous session exists before signing in
    before = client.session.session_key
    assert before
    sign_in(client, member)
    after = client.session.session_key
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()


@override_settings(SESSION_IDLE_TIMEOUT=30 * 60, SESSION_ABSOLUTE_TIMEOUT=8 * 3600)
def test_idle_session_ends_with_a_message(client, member):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        sign_in(client, member)
        clock.shift(29 * 60)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(29 * 60)  # active 29 minutes ago: still signed in
        assert client.get(reverse("home")).status_code == 200
        clock.shift(31 * 60)
        response = client.get(reverse("home"), follow=True, headers={"accept-language": "en"})
        assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
        assert "inactivity" in response.content.decode()
        assert "_auth_user_id" not in client.session


@override_settings(SESSION_IDLE_TIMEOUT=30 * 60, SESSION_ABSOLUTE_TIMEOUT=8 * 3600)
def test_session_ends_after_its_absolute_length_even_when_active(client, member):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        sign_in(client, member)
        for _ in range(16):
            clock.shift(29 * 60)
            assert client.get(reverse("home")).status_code == 200
        clock.shift(20 * 60)  # 8 h 04 after signing in
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_activity_is_written_at_most_once_a_minute(client, member):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        sign_in(client, member)
        signed_in_at = client.session[SIGNED_IN_AT]
        clock.shift(20)
        client.get(reverse("home"))
        assert client.session[LAST_SEEN_AT] == signed_in_at
        clock.shift(60)
        client.get(reverse("home"))
        assert client.session[LAST_SEEN_AT] == signed_in_at + 80


def test_sign_in_is_recorded_for_the_user_and_disabling_the_account_ends_every_session(member):
    laptop, phone = Client(), Client()
    sign_in(laptop, member)
    sign_in(phone, member)
    assert UserSession.objects.filter(user=member).count() == 2
    member.is_active = False
    member.save()
    assert not UserSession.objects.filter(user=member).exists()
    assert not Session.objects.filter(session_key__in=[laptop.session.session_key, phone.session.session_key]).exists()
    assert laptop.get(reverse("home")).status_code == 302


def test_disabling_with_update_fields_also_ends_the_sessions(member):
    """The administration's change form and the services save only some fields: still signed out."""
    browser = Client()
    sign_in(browser, member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert browser.get(reverse("home")).status_code == 302
    assert not UserSession.objects.filter(user=member).exists()


def test_password_change_keeps_this_session_and_ends_the_others(member):
    here, elsewhere = Client(), Client()
    sign_in(here, member)
    sign_in(elsewhere, member)
    response = here.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "A-new-long-passphrase-42",
            "password2": "A-new-long-passphrase-42",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    home = here.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert home.status_code == 200
    with translation.override(member.preferred_language):  # messages speak the person's language
        expected = translation.gettext("Your other sessions have been signed out.")
    assert expected in [str(message) for message in home.context["messages"]]
    assert elsewhere.get(reverse("home")).status_code == 302
    assert UserSession.objects.filter(user=member).count() == 1


def test_the_email_page_offers_to_end_the_other_sessions(member):
    here = Client()
    sign_in(here, member)
    page = here.get(reverse("account_email")).content.decode()
    assert f'action="{reverse("accounts:end_other_sessions")}"' in page


def test_password_change_asks_for_the_current_password(client, member):
    sign_in(client, member)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "not-my-password",
            "password1": "A-new-long-passphrase-42",
            "password2": "A-new-long-passphrase-42",
        },
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


def test_email_change_asks_for_the_password_again_once_the_sign_in_is_old(client, member):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        sign_in(client, member)
        clock.shift(10 * 60)
        response = client.post(reverse("account_email"), {"action_add": "", "email": "new@alpha.example.org"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        from allauth.account.models import EmailAddress

        assert not EmailAddress.objects.filter(email="new@alpha.example.org").exists()


def test_profile_button_signs_out_the_other_sessions_only(member):
    here, elsewhere = Client(), Client()
    sign_in(here, member)
    sign_in(elsewhere, member)
    profile = here.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:end_other_sessions") in profile
    assert here.get(reverse("accounts:end_other_sessions")).status_code == 405
    response = here.post(reverse("accounts:end_other_sessions"))
    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302


def test_session_list_shows_the_sessions_in_the_portal_layout(member):
    here, elsewhere = Client(), Client()
    sign_in(here, member, HTTP_USER_AGENT="Firefox on the laptop")
    sign_in(elsewhere, member, HTTP_USER_AGENT="Safari on the phone")
    page = here.get(reverse("usersessions_list")).content.decode()
    assert "Firefox on the laptop" in page and "Safari on the phone" in page
    assert 'class="table"' in page and "portal-header" in page
    here.post(reverse("usersessions_list"))
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302


# --- Brute force -------------------------------------------------------------------------------------


def test_the_sixth_failed_sign_in_for_an_address_is_refused_even_with_the_right_password(client, member):
    for _ in range(5):
        response = sign_in(client, member, password="wrong-secret-typed")
        assert response.status_code == 200
    response = sign_in(client, member)
    assert response.status_code == 200  # the form again, with the "too many attempts" error
    assert "_auth_user_id" not in client.session


def test_an_address_stays_locked_for_fifteen_minutes_after_five_failures(client, member):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        for _ in range(5):
            sign_in(client, member, password="wrong-secret-typed")
        clock.shift(14 * 60)
        sign_in(client, member)
        assert "_auth_user_id" not in client.session
        clock.shift(2 * 60)
        sign_in(client, member)
        assert client.session["_auth_user_id"] == str(member.pk)


def test_failed_sign_ins_from_one_address_are_limited_whatever_the_account(client):
    users = UserFactory.create_batch(11)
    statuses = [sign_in(client, user, password="wrong-secret-typed").status_code for user in users[:10]]
    assert statuses == [200] * 10
    sign_in(client, users[10])
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_the_portal_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_posting_to_the_admin_login_does_not_sign_in_nor_bypass_the_limits(client, member):
    for _ in range(5):
        sign_in(client, member, password="wrong-secret-typed")
    response = client.post(reverse("admin:login"), {"username": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    sign_in(client, member)
    assert "_auth_user_id" not in client.session


def test_a_forged_forwarded_for_header_does_not_escape_the_limits(client):
    users = UserFactory.create_batch(11)
    for number, user in enumerate(users[:10]):
        sign_in(client, user, password="wrong-secret-typed", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    sign_in(client, users[10], HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert "_auth_user_id" not in client.session


def test_client_address_is_remote_addr_unless_proxies_are_trusted(rf):
    from allauth.account.adapter import get_adapter

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert get_adapter().get_client_ip(request) == "10.0.0.2"
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        # One proxy of ours: the address it appended, not the one the client wrote before it.
        assert get_adapter().get_client_ip(request) == "203.0.113.9"
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2):
        assert get_adapter().get_client_ip(request) == "6.6.6.6"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_limits_follow_the_real_client(client):
    users = UserFactory.create_batch(11)
    for user in users[:10]:
        sign_in(client, user, password="wrong-secret-typed", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    sign_in(client, users[10], HTTP_X_FORWARDED_FOR="198.51.100.7")  # another client: not blocked
    assert client.session["_auth_user_id"] == str(users[10].pk)
