"""The security log: what is recorded, in UTC, and that no password ever reaches it."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from core.log_format import HideSecretsInPaths
from core.models import AuditEntry
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Wrong-Secret-Typed-By-Mistake-7"
NEW_PASSWORD = "A-new-long-passphrase-42"


@pytest.fixture
def security_log(caplog):
    """The security logger does not propagate to the root logger: listen to it directly."""
    logger = logging.getLogger("asetw.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="asetw.security")
    yield caplog
    logger.removeHandler(caplog.handler)


def events(caplog) -> list[dict]:
    return [
        json.loads(record.getMessage().split(" ", 1)[1]) for record in caplog.records if record.name == "asetw.security"
    ]


def names(caplog) -> list[str]:
    return [event["event"] for event in events(caplog)]


def assert_no_secret(caplog, *secrets):
    text = caplog.text + json.dumps(list(AuditEntry.objects.values("data", "actor_label", "target_label")), default=str)
    for secret in secrets:
        assert secret not in text


def sign_in(client, email, password, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_sign_in_failure_and_sign_out_are_logged_without_the_password(client, member, security_log):
    sign_in(client, member.email, WRONG_PASSWORD, HTTP_USER_AGENT="Firefox/140 " + "x" * 500, REMOTE_ADDR="192.0.2.8")
    sign_in(client, member.email, TEST_PASSWORD)
    client.post(reverse("account_logout"))
    assert names(security_log) == ["login_failed", "login", "logout"]
    failed, login, logout = events(security_log)
    assert failed["email"] == member.email and failed["user_id"] is None
    assert (
        failed["ip"] == "192.0.2.8"
        and failed["user_agent"].startswith("Firefox/140")
        and len(failed["user_agent"]) == 200
    )
    assert login["user_id"] == member.pk and logout["user_id"] == member.pk
    assert AuditEntry.objects.filter(action="security.login_failed", actor_label=member.email).exists()
    assert AuditEntry.objects.filter(action="security.login", actor=member).exists()
    assert_no_secret(security_log, WRONG_PASSWORD, TEST_PASSWORD)


def test_an_unknown_address_is_logged_as_typed(client, security_log):
    sign_in(client, "nobody@example.org", WRONG_PASSWORD)
    assert events(security_log)[0]["email"] == "nobody@example.org"
    assert_no_secret(security_log, WRONG_PASSWORD)


def test_refused_sign_ins_after_too_many_failures_are_logged(client, member, security_log):
    for _ in range(6):
        sign_in(client, member.email, WRONG_PASSWORD)
    assert names(security_log)[-1] == "login_rate_limited"


def test_log_lines_are_stamped_in_utc(member):
    from django.conf import settings

    from core.log_format import UTCFormatter

    assert settings.LOGGING["formatters"]["utc"]["()"] == "core.log_format.UTCFormatter"
    assert settings.LOGGING["loggers"]["asetw.security"]["handlers"] == ["security_console"]
    record = logging.LogRecord("asetw.security", logging.INFO, __file__, 1, "login", None, None)
    record.created, record.msecs = datetime(2026, 7, 1, 12, tzinfo=UTC).timestamp(), 0
    # 14:00 in Brussels (summer time) is 12:00 UTC.
    assert UTCFormatter("%(asctime)s %(message)s").format(record) == "2026-07-01T12:00:00.000Z login"


def test_password_change_is_logged_without_either_password(client, member, security_log):
    sign_in(client, member.email, TEST_PASSWORD)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "password_changed" in names(security_log)
    assert_no_secret(security_log, TEST_PASSWORD, NEW_PASSWORD)


def test_email_change_is_logged(client, member, security_log):
    from allauth.account.models import EmailAddress

    sign_in(client, member.email, TEST_PASSWORD)
    client.post(reverse("account_email"), {"action_add": "", "email": "new@alpha.example.org"})
    added = EmailAddress.objects.get(email="new@alpha.example.org")
    added.verified = True
    added.save()
    client.post(reverse("account_email"), {"action_primary": "", "email": "new@alpha.example.org"})
    logged = names(security_log)
    assert "email_added" in logged and "email_changed" in logged


def test_second_factor_changes_and_viewing_recovery_codes_are_logged(client, steering_member, mfa_login, security_log):
    from allauth.mfa import signals as mfa_signals
    from allauth.mfa.models import Authenticator

    mfa_login(client, steering_member)
    totp = Authenticator.objects.get(user=steering_member, type=Authenticator.Type.TOTP)
    request = client.get(reverse("accounts:profile")).wsgi_request
    mfa_signals.authenticator_removed.send(
        sender=Authenticator, request=request, user=steering_member, authenticator=totp
    )
    mfa_signals.authenticator_added.send(
        sender=Authenticator, request=request, user=steering_member, authenticator=totp
    )
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    recovery_codes = RecoveryCodes.activate(steering_member).instance
    mfa_signals.authenticator_reset.send(
        sender=Authenticator, request=request, user=steering_member, authenticator=recovery_codes
    )
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    assert codes_page.status_code == 200
    logged = names(security_log)
    assert {"mfa_removed", "mfa_added", "mfa_reset", "mfa_recovery_codes_viewed"} <= set(logged)
    codes = (
        Authenticator.objects.get(user=steering_member, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    assert_no_secret(security_log, *codes)


def test_refused_access_is_logged(client, member, security_log):
    client.force_login(member)
    response = client.get(reverse("reporting:campaigns"))
    assert response.status_code in (403, 404) or response.status_code == 302
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    assert csrf_client.post(reverse("accounts:profile"), {}).status_code == 403
    refusals = [event for event in events(security_log) if event["event"] == "access_refused"]
    assert refusals and refusals[-1]["view"] == "accounts:profile" and "path" not in refusals[-1]
    assert refusals[-1]["user_id"] == member.pk and refusals[-1]["status"] == 403
    assert AuditEntry.objects.filter(action="security.access_refused", actor=member).exists()


def test_rules_permission_failure_goes_through_the_403_handler(client, member, security_log):
    from django.core.exceptions import PermissionDenied
    from django.test import override_settings
    from django.urls import include, path

    def refuse(request):
        raise PermissionDenied

    urlpatterns = [path("refuse/", refuse), path("", include("asetw.urls"))]
    with override_settings(ROOT_URLCONF=type("Urls", (), {"urlpatterns": urlpatterns})):
        client.force_login(member)
        assert client.get("/refuse/").status_code == 403
    assert names(security_log)[-1] == "access_refused"


def test_session_expiry_and_ending_other_sessions_are_logged(member, security_log):
    here, elsewhere = Client(), Client()
    sign_in(here, member.email, TEST_PASSWORD)
    sign_in(elsewhere, member.email, TEST_PASSWORD)
    here.post(reverse("accounts:end_other_sessions"))
    ended = [event for event in events(security_log) if event["event"] == "other_sessions_ended"]
    assert ended and ended[0]["count"] == 1


def test_refusals_name_the_route_never_the_secret_in_the_path(client, member, security_log):
    key = default_token_generator.make_token(member)
    reset_link = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(member), "key": key})
    limits = {**settings.ACCOUNT_RATE_LIMITS, "reset_password_from_key": "1/m/ip"}
    with override_settings(ACCOUNT_RATE_LIMITS=limits):
        client.post(reset_link, {})
        assert client.post(reset_link, {}).status_code == 429
    signing_token = "a-signing-token-sent-by-e-mail"
    signing_link = reverse("adhesions:sign", args=[1, signing_token])
    assert Client(enforce_csrf_checks=True).post(signing_link, {}).status_code == 403
    [limited] = [event for event in events(security_log) if event["event"] == "rate_limited"]
    [refused] = [event for event in events(security_log) if event["event"] == "access_refused"]
    assert limited["view"] == "account_reset_password_from_key" and limited["status"] == 429
    assert refused["view"] == "adhesions:sign" and refused["route"] == "adhesion/signer/<int:signature_id>/<str:token>/"
    assert AuditEntry.objects.filter(action="security.rate_limited").exists()
    # Django's own warnings (django.request, django.security.csrf) are not the security log.
    security_lines = "\n".join(r.getMessage() for r in security_log.records if r.name == "asetw.security")
    audit_rows = json.dumps(list(AuditEntry.objects.values("data", "actor_label", "target_label")), default=str)
    for secret in (key, signing_token):
        assert secret not in security_lines and secret not in audit_rows
    # ...but they go to the same console, whose filter takes the secrets out of their paths.
    django_lines = [r.getMessage() for r in security_log.records if r.name.startswith("django.")]
    assert any("/adhesion/signer/1/…/" in line for line in django_lines)
    assert any("/compte/password/reset/key/…-…/" in line for line in django_lines)
    assert all(key not in line and signing_token not in line for line in django_lines)


def test_the_console_filter_hides_url_secrets_in_djangos_own_warnings(rf):
    request = rf.get(reverse("adhesions:sign", args=[7, "n-secret-token"]))
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Forbidden", request.path), None
    )
    record.request = request
    assert HideSecretsInPaths().filter(record) is True
    assert record.getMessage() == "Forbidden: /adhesion/signer/7/…/"
    plain = rf.get("/organisations/7/")
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Forbidden", plain.path), None
    )
    record.request = plain
    HideSecretsInPaths().filter(record)
    assert record.getMessage() == "Forbidden: /organisations/7/"


def test_an_unknown_page_is_logged_as_unresolved(member, security_log):
    from django.http import HttpResponseForbidden

    from accounts.security_log import SecurityLogMiddleware

    request = RequestFactory().get("/nothing/here/secret-token-in-path/")
    request.user = member
    SecurityLogMiddleware(lambda request: HttpResponseForbidden())(request)
    [refused] = events(security_log)
    assert refused["route"] == "unresolved" and refused["view"] is None
    assert_no_secret(security_log, "secret-token-in-path")


def test_a_flood_of_refusals_writes_one_audit_row_per_minute(security_log):
    from django.core.cache import cache

    def refused_post(ip, url_name):
        # No CSRF token: refused with a 403.
        Client(enforce_csrf_checks=True, REMOTE_ADDR=ip).post(reverse(url_name), {})

    for _ in range(5):
        refused_post("192.0.2.66", "accounts:profile")
    refused_post("192.0.2.77", "accounts:profile")
    refused_post("192.0.2.66", "account_login")
    assert names(security_log).count("access_refused") == 7
    audited = AuditEntry.objects.filter(action="security.access_refused")
    assert sorted((entry.data["ip"], entry.data["view"]) for entry in audited) == [
        ("192.0.2.66", "account_login"),
        ("192.0.2.66", "accounts:profile"),
        ("192.0.2.77", "accounts:profile"),
    ]
    cache.clear()  # The minute has passed: the cache forgot which refusals were audited.
    refused_post("192.0.2.66", "accounts:profile")
    assert AuditEntry.objects.filter(action="security.access_refused").count() == 4


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_forwarded_for_header_shorter_than_the_proxy_chain_falls_back_to_the_peer_address(
    client, member, security_log
):
    response = sign_in(client, member.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(member.pk)
    assert events(security_log)[-1]["event"] == "login" and events(security_log)[-1]["ip"] == "10.0.0.2"
