from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD, TOTP_SECRET, UserFactory

COORDINATOR_PAGES = [
    reverse("admin:index"),
    reverse("thematic_groups:edit", kwargs={"slug": "decarbonation"}),
    reverse("home"),
]


@pytest.fixture
def coordinator_without_totp(db):
    return UserFactory(email="new-coordinator@example.org", is_coordinator=True, is_staff=True)


@pytest.mark.django_db
@pytest.mark.parametrize("url", COORDINATOR_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # No authenticator yet: set one up.
        ("coordinator_without_totp", "mfa_activate_totp"),
        # An authenticator, but not used in this session: type a code.
        ("coordinator", "mfa_reauthenticate"),
    ],
)
def test_coordinator_pages_need_the_second_factor_in_the_session(client, request, who, expected, url):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse(expected)


@pytest.mark.django_db
def test_member_without_staff_role_needs_no_second_factor(client, member):
    client.force_login(member)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Hôpital Alpha" in response.content.decode()


def _current_code() -> str:
    counter = int(timezone.now().timestamp()) // 30
    return format_hotp_value(hotp_value(TOTP_SECRET, counter))


@pytest.mark.django_db
def test_real_sign_in_with_password_then_totp_opens_the_admin(client, coordinator):
    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("mfa_authenticate")
    # Between the two factors the user is not signed in yet.
    assert client.get(reverse("admin:index")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # wrong code: the form is shown again
    assert client.get(reverse("admin:index")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code()})
    assert response.status_code == 302
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 200
    assert "Administration ASeT-W" in admin.content.decode()


@pytest.mark.django_db
def test_staff_cannot_switch_their_second_factor_off(client, coordinator, mfa_login):
    mfa_login(client, coordinator)
    client.post(reverse("mfa_deactivate_totp"), {})
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()


# Real transactions: allauth announces the new authenticator on commit, inside the request.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_coordinator_sets_up_totp_then_reaches_the_admin_without_typing_a_code_again(
    client, coordinator_without_totp
):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from core.models import AuditEntry

    client.post(reverse("account_login"), {"login": coordinator_without_totp.email, "password": TEST_PASSWORD})
    response = client.get(reverse("admin:index"))
    assert urlsplit(response["Location"]).path == reverse("mfa_activate_totp")
    page = client.get(response["Location"])
    assert page.status_code == 200  # no password asked again right after signing in
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=coordinator_without_totp, type=Authenticator.Type.TOTP).exists()
    assert AuditEntry.objects.filter(action="accounts.mfa.added", actor=coordinator_without_totp).exists()
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["accounts:profile", "account_email", "account_change_password", "mfa_index", "landing"]
)
def test_staff_without_second_factor_reach_no_other_page(client, coordinator_without_totp, url_name):
    client.force_login(coordinator_without_totp)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_without_second_factor_can_still_sign_out(client, coordinator_without_totp):
    client.force_login(coordinator_without_totp)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_recovery_codes_still_ask_to_reauthenticate_after_sign_in(client, coordinator):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(coordinator)
    client.post(reverse("account_login"), {"login": coordinator.email, "password": TEST_PASSWORD})
    signed_in = client.post(reverse("mfa_authenticate"), {"code": _current_code()})
    assert signed_in.status_code == 302, signed_in.content.decode()[-3000:]
    response = client.get(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
