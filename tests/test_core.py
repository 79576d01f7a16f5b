import json
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from asetw import env
from core.audit import log_action, mask_secrets
from core.models import AuditEntry
from thematic_groups.models import ThematicGroup


@pytest.mark.django_db
def test_healthz_reports_each_check(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "migrations"}
    assert body["checks"]["migrations"]["detail"] == "up to date"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch("core.health.check_database", return_value=(False, "OperationalError")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] == {"ok": False, "detail": "OperationalError"}


@pytest.mark.django_db
def test_the_five_thematic_groups_exist_with_their_rules():
    groups = {group.slug: group for group in ThematicGroup.objects.prefetch_related("deliverables")}
    assert list(groups) == [
        "decarbonation",
        "achats-durables",
        "resilience",
        "sensibilisation-aines",
        "infrastructures-durables",
    ]
    assert groups["decarbonation"].accepts("hospital") and not groups["decarbonation"].accepts("elder_care")
    aines = groups["sensibilisation-aines"]
    assert aines.accepts("elder_care") and not aines.accepts("hospital")
    assert all(
        group.accepts("hospital") and group.accepts("elder_care")
        for group in (groups["achats-durables"], groups["resilience"], groups["infrastructures-durables"])
    )
    assert not any(group.accepts("other") for group in groups.values())
    assert {(group.capacity_min, group.capacity_max) for group in groups.values()} == {(20, 30)}
    resilience = groups["resilience"]
    assert resilience.first_session_start.date().isoformat() == "2026-04-20"
    assert [d.due_label for d in resilience.deliverables.all()][:2] == ["décembre 2026", "décembre 2027"]


@pytest.mark.django_db
def test_group_fiche_is_public_but_members_only_see_the_locomotive(client, member, pilot):
    url = reverse("thematic_groups:detail", kwargs={"slug": "decarbonation"})
    public = client.get(url).content.decode()
    assert "Décarbonation" in public and "Hôpitaux uniquement" in public
    assert pilot.last_name not in public
    client.force_login(member)
    signed_in = client.get(url).content.decode()
    assert pilot.last_name in signed_in


def _post_group_edit(client, group, **changes):
    """Submit the edit form as shown, with ``changes`` typed over it."""
    url = reverse("thematic_groups:edit", kwargs={"slug": group.slug})
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    return client.post(url, data)


@pytest.mark.django_db
def test_coordinator_edit_of_a_group_is_audited(client, coordinator, mfa_login, groups):
    group = groups["achats-durables"]
    mfa_login(client, coordinator)
    response = _post_group_edit(client, group, capacity_max=25)
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.capacity_max == 25
    entry = AuditEntry.objects.get(action="thematic_groups.group.updated")
    assert entry.actor == coordinator
    assert entry.data["changes"] == {"capacity_max": {"from": 30, "to": 25}}


@pytest.mark.django_db
def test_group_edit_keeps_input_and_explains_errors(client, coordinator, mfa_login, groups):
    group = groups["resilience"]
    mfa_login(client, coordinator)
    response = _post_group_edit(client, group, capacity_min=40, capacity_max=30, scope="Nouveau périmètre tapé")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nouveau périmètre tapé" in page
    assert "Le maximum doit être au moins égal au minimum (40)." in page
    group.refresh_from_db()
    assert group.capacity_min == 20
    assert not AuditEntry.objects.filter(action="thematic_groups.group.updated").exists()


@pytest.mark.django_db
def test_audit_entry_masks_secrets_and_records_target(coordinator, groups):
    entry = log_action(
        "test.action", actor=coordinator, target=groups["resilience"], data={"password": "hunter2", "note": "ok"}
    )
    entry.refresh_from_db()
    assert entry.data == {"password": "***", "note": "ok"}
    assert entry.target == groups["resilience"]
    assert entry.actor_label == coordinator.email
    assert entry.created_at.utcoffset().total_seconds() == 0


def test_mask_secrets_goes_deep():
    assert mask_secrets({"a": [{"token": "x"}], "b": {"api_key": "y", "n": 1}}) == {
        "a": [{"token": "***"}],
        "b": {"api_key": "***", "n": 1},
    }


def test_env_helpers_fail_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env.env_bool("X_FLAG")
    monkeypatch.setenv("X_NUMBER", "12a")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("X_NUMBER", 1)
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "from-a-file"
    with pytest.raises(ImproperlyConfigured, match="scheme"):
        env.email_settings_from_url("ftp://mail", file_path=tmp_path)
    smtp = env.email_settings_from_url("smtp+tls://user:p%40ss@mail.example.org:2525", file_path=tmp_path)
    assert smtp["EMAIL_HOST"] == "mail.example.org" and smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_PASSWORD"] == "p@ss" and smtp["EMAIL_USE_TLS"] is True


@pytest.mark.django_db
def test_language_switch_changes_the_page_language(client):
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="de">' in page


@pytest.mark.django_db
def test_home_lists_roles_and_organisations(client, delegate, member):
    client.force_login(delegate)
    page = client.get(reverse("home")).content.decode()
    assert "Délégué GT" in page and "Hôpital Alpha" in page


@pytest.mark.django_db
def test_seed_demo_is_idempotent(settings, capsys):
    from django.core.management import call_command

    from accounts.models import User

    settings.DEBUG = True
    call_command("seed_demo")
    count = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == count
    out = capsys.readouterr().out
    assert "coordination@demo.asetw.be" in out and "delegue@chu-demo.be" in out


@pytest.mark.django_db
def test_accept_language_header_chooses_the_language_without_url_prefix(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9").content.decode()
    assert '<html lang="nl">' in page
    assert client.get("/nl/").status_code == 404


def _make_delegations(count, groups):
    from members.enums import OrganisationRoleType
    from members.models import OrganisationRole
    from tests.factories import OrganisationFactory, UserFactory
    from thematic_groups.enums import AssignmentStatus
    from thematic_groups.models import Assignment

    for _ in range(count):
        organisation = OrganisationFactory()
        OrganisationRole.objects.create(
            user=UserFactory(),
            organisation=organisation,
            role=OrganisationRoleType.DELEGATE,
            thematic_group=groups["decarbonation"],
        )
        Assignment.objects.create(
            organisation=organisation,
            thematic_group=groups["decarbonation"],
            status=AssignmentStatus.ASSIGNED,
            queued_since=organisation.member_since,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 4])
def test_group_page_queries_do_not_grow_with_members(client, member, groups, count, django_assert_max_num_queries):
    _make_delegations(count, groups)
    client.force_login(member)
    url = reverse("thematic_groups:detail", kwargs={"slug": "decarbonation"})
    # Fiche, locomotive, members, sessions and whether the user's organisation sits in the group.
    with django_assert_max_num_queries(10):
        page = client.get(url).content.decode()
    assert page.count("<li>Organisation ") == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_home_queries_do_not_grow_with_organisations(client, groups, count, django_assert_max_num_queries):
    from members.enums import OrganisationRoleType
    from members.models import OrganisationRole
    from tests.factories import OrganisationFactory, UserFactory

    person = UserFactory()
    for _ in range(count):
        OrganisationRole.objects.create(
            user=person, organisation=OrganisationFactory(), role=OrganisationRoleType.CONTACT_POINT
        )
    client.force_login(person)
    # One of them asks whether the library is open to the person (the steering committee has no access).
    with django_assert_max_num_queries(8):
        page = client.get(reverse("home")).content.decode()
    # Each organisation is linked twice: from the role and from the list of organisations.
    assert page.count('href="/organisations/') == 2 * count


@pytest.mark.django_db
def test_admin_change_of_an_organisation_is_audited_and_readable_on_the_object(
    client, coordinator, mfa_login, organisation
):
    mfa_login(client, coordinator)
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    data = {
        "name": "Hôpital Alpha renommé",
        "legal_form": organisation.legal_form,
        "type": organisation.type,
        "type_precision": "",
        "enterprise_number": organisation.enterprise_number_display.replace(".", " "),
        "street": organisation.street,
        "postal_code": organisation.postal_code,
        "city": organisation.city,
        "website": "",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "core-auditentry-target_type-target_id-TOTAL_FORMS": "0",
        "core-auditentry-target_type-target_id-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin.members.organisation.changed")
    assert entry.actor == coordinator and entry.target == organisation
    assert entry.data["fields"] == {"name": "Hôpital Alpha renommé"}  # the number typed with spaces is the same
    organisation.refresh_from_db()
    assert len(organisation.enterprise_number) == 10
    history = client.get(url).content.decode()
    assert "admin.members.organisation.changed" in history


def test_rich_paragraphs_escapes_and_builds_lists():
    from core.templatetags.portal_text import rich_paragraphs

    html = rich_paragraphs("Intro <b>bold</b>\n- one\n- two & three\n\nEnd")
    assert html == "<p>Intro &lt;b&gt;bold&lt;/b&gt;</p><ul><li>one</li><li>two &amp; three</li></ul><p>End</p>"


def test_page_templates_have_no_inline_script_or_style():
    """A strict Content Security Policy forbids inline code; e-mail templates are exempt (mail clients
    only read inline styles)."""
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        if "emails" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if (
            re.search(r"\sstyle=", text)
            or re.search(r"<script(?![^>]*\bsrc=)", text)
            or re.search(r"\son[a-z]+=", text)
        ):
            offenders.append(str(path))
    assert not offenders


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        ("password", True),
        ("new_password1", True),
        ("api_key", True),
        ("access_token", True),
        ("code", True),
        ("recovery_codes", True),
        ("postal_code", False),
        ("keyword", False),
        ("enterprise_number", False),
    ],
)
def test_masking_matches_whole_key_names(key, masked):
    assert (mask_secrets({key: "value"})[key] == "***") is masked


@pytest.mark.django_db
def test_language_names_are_shown_in_their_own_language(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for name in ("Français", "Nederlands", "Deutsch", "English"):
        assert f">{name}</option>" in page


@pytest.mark.django_db
def test_csrf_failure_page_is_french_and_has_no_inline_style(settings):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("set_language"), {"language": "de"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in page and "style=" not in page


def test_bad_request_and_server_error_pages_are_french():
    from django.template.loader import render_to_string

    assert "Requête incorrecte" in render_to_string("400.html")
    assert "Une erreur est survenue" in render_to_string("500.html")


@pytest.mark.django_db
def test_head_requests_are_answered(client):
    assert client.head("/").status_code == 200
    assert client.head(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_the_convention_can_be_read_with_its_articles(client):
    page = client.get(reverse("convention")).content.decode()
    assert 'id="article-6-adhesion-et-resiliation"' in page
    assert "6.3. RETRAIT VOLONTAIRE DU MEMBRE" in page
    assert '<article lang="fr"' in page
    assert 'href="#article-8-communication-et-confidentialite"' in page


@pytest.mark.django_db
def test_the_accessibility_statement_is_public_and_linked_from_every_page(client, settings):
    settings.COORDINATION_EMAIL = "accessibilite@asetw.example.be"
    with translation.override("en"):
        landing = client.get(reverse("landing"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f'href="{reverse("accessibility")}"' in landing

        response = client.get(reverse("accessibility"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "WCAG 2.1" in page and "AA" in page
    assert "partially conformant" in page
    # The known limits, honestly: uploaded documents, generated PDFs, charts, authenticator apps.
    for limit in ("not checked for accessibility", "PDF/UA", "table of its data", "authenticator app"):
        assert limit in page
    # How it was evaluated, and when.
    assert "axe-core" in page and "Keyboard-only" in page
    assert "2026" in page
    # How to report a problem, and the answer time.
    assert 'href="mailto:accessibilite@asetw.example.be"' in page
    assert "10 working days" in page
    # The enforcement procedure.
    assert "Médiateur de Wallonie et de la Fédération Wallonie-Bruxelles" in page
    assert 'href="https://www.le-mediateur.be/"' in page


@pytest.mark.django_db
def test_home_links_to_the_library_only_for_people_who_can_open_it(client, member, steering_member, mfa_login):
    library = f'href="{reverse("community:library")}"'
    client.force_login(member)
    page = client.get(reverse("home")).content.decode()
    assert library in page
    # The page title is plain text (a paragraph once slipped into the title block).
    assert "<" not in page.split("<title>", 1)[1].split("</title>", 1)[0]

    mfa_login(client, steering_member)
    page = client.get(reverse("home")).content.decode()
    assert "Comité de pilotage" in page or "Steering committee" in page
    assert library not in page
