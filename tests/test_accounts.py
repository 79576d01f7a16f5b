import re

import pytest
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from tests.factories import TEST_PASSWORD


@pytest.mark.django_db
def test_failed_login_explains_the_error_and_never_echoes_the_password(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong-secret-typed"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "wrong-secret-typed" not in page
    assert f'value="{member.email}"' in page  # what was typed in the e-mail field is kept
    assert "error-summary" in page and "incorrect" in page
    assert 'class="form-control' in page


@pytest.mark.django_db
def test_login_with_mixed_case_email_works(client, member):
    response = client.post(reverse("account_login"), {"login": member.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_email_is_unique_whatever_the_case(member):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email=member.email.upper().replace("@", "@"), password="x")


@pytest.mark.django_db
def test_profile_update_keeps_input_on_error_and_audits_success(client, member):
    client.force_login(member)
    url = reverse("accounts:profile")
    response = client.post(
        url, {"first_name": "Zoé", "last_name": "Martin", "phone": "call me", "preferred_language": "fr"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Zoé"' in page and "Saisissez un numéro de téléphone valide" in page
    response = client.post(
        url, {"first_name": "Zoé", "last_name": "Martin", "phone": "+32 81 12 34 56", "preferred_language": "de"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.preferred_language) == ("Zoé", "de")
    entry = AuditEntry.objects.get(action="accounts.profile.updated")
    assert entry.data["changes"]["preferred_language"] == {"from": "fr", "to": "de"}


@pytest.mark.django_db
def test_granting_the_coordinator_role_is_audited_and_mailed_once(member, django_capture_on_commit_callbacks):
    from django.core import mail

    from accounts import services

    with django_capture_on_commit_callbacks(execute=True):
        services.global_role_grant(actor=None, user=member, role="coordinator")
        services.global_role_grant(actor=None, user=member, role="coordinator")
    member.refresh_from_db()
    assert member.is_coordinator and member.is_staff
    assert AuditEntry.objects.filter(action="accounts.role.granted", target_id=str(member.pk)).count() == 1
    assert len(mail.outbox) == 1
    assert "authentification à deux facteurs" in mail.outbox[0].body


@pytest.mark.django_db
def test_profile_language_applies_until_the_browser_picks_another(client, member):
    member.preferred_language = "de"
    member.save(update_fields=["preferred_language"])
    client.force_login(member)
    assert '<html lang="de">' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert '<html lang="nl">' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_email_change_page_has_no_inline_style_or_script(client, member):
    client.force_login(member)
    page = client.get(reverse("account_email")).content.decode()
    assert member.email in page
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"


@pytest.mark.django_db
def test_email_change_sends_a_verification_through_the_outbox(client, member, django_capture_on_commit_callbacks):
    from django.core import mail

    from core.models import OutboundEmail

    # Managing addresses needs a password typed in the last few minutes: sign in with it.
    client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"), {"action_add": "", "email": "new-address@alpha.example.org"})
    assert response.status_code == 302
    assert OutboundEmail.objects.filter(to_email="new-address@alpha.example.org", sensitive=True).count() == 1
    assert len(mail.outbox) == 1
    page = client.get(reverse("account_email")).content.decode()
    assert "new-address@alpha.example.org" in page


@pytest.mark.django_db
def test_admin_actions_give_and_remove_roles_through_the_service(client, coordinator, mfa_login, member):
    mfa_login(client, coordinator)
    url = reverse("admin:accounts_user_changelist")
    client.post(url, {"action": "grant_steering_member", "_selected_action": [member.pk]})
    member.refresh_from_db()
    assert member.is_steering_member
    client.post(url, {"action": "revoke_steering_member", "_selected_action": [member.pk]})
    member.refresh_from_db()
    assert not member.is_steering_member
    actions = list(AuditEntry.objects.filter(target_id=str(member.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["accounts.role.granted", "accounts.role.revoked"]


@pytest.mark.django_db
def test_coordinator_cannot_set_someone_elses_password_in_the_admin(client, coordinator, mfa_login, member):
    mfa_login(client, coordinator)
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    response = client.post(url, {"password1": "taken-over-2026!", "password2": "taken-over-2026!"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.check_password("taken-over-2026!")


@pytest.mark.django_db
def test_role_mail_speaks_the_recipients_language_and_comes_again_after_a_new_grant(
    member, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.utils import translation

    from accounts import services

    member.preferred_language = "nl"
    member.save(update_fields=["preferred_language"])
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        services.global_role_grant(actor=None, user=member, role="steering_member")
        services.global_role_revoke(actor=None, user=member, role="steering_member")
        services.global_role_grant(actor=None, user=member, role="steering_member")
    assert len(mail.outbox) == 2
    assert "Stuurcomité" in mail.outbox[0].subject
    assert "/compte/login/" in mail.outbox[0].body


@pytest.mark.django_db
def test_sign_up_keeps_the_page_language_for_later_mails(client):
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    client.post(
        reverse("account_signup"),
        {
            "email": "nieuw@example.org",
            "password1": "a-long-test-password-2026",
            "password2": "a-long-test-password-2026",
        },
    )
    assert User.objects.get(email="nieuw@example.org").preferred_language == "nl"
