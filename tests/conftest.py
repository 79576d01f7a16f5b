import os
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

from members.enums import OrganisationRoleType, OrganisationType
from members.models import OrganisationRole
from tests.factories import OrganisationFactory, UserFactory
from thematic_groups.enums import LocomotiveRoleType
from thematic_groups.models import LocomotiveMember, ThematicGroup


def login_with_mfa(client, user) -> None:
    """Sign ``user`` in as if they had typed their password and their TOTP code."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def mfa_login():
    return login_with_mfa


@pytest.fixture
def groups(db):
    return {group.slug: group for group in ThematicGroup.objects.all()}


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Hôpital Alpha", type=OrganisationType.HOSPITAL)


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Résidence Bêta", type=OrganisationType.ELDER_CARE_HOME)


@pytest.fixture
def coordinator(db):
    return UserFactory(email="coordination@example.org", is_coordinator=True, is_staff=True, with_totp=True)


@pytest.fixture
def steering_member(db):
    return UserFactory(email="copil@example.org", is_steering_member=True, with_totp=True)


@pytest.fixture
def pilot(db, groups):
    user = UserFactory(email="pilot@example.org", with_totp=True)
    LocomotiveMember.objects.create(user=user, thematic_group=groups["decarbonation"], role=LocomotiveRoleType.PILOT)
    return user


@pytest.fixture
def pilot_other_group(db, groups):
    user = UserFactory(email="pilot-other@example.org", with_totp=True)
    LocomotiveMember.objects.create(user=user, thematic_group=groups["resilience"], role=LocomotiveRoleType.PILOT)
    return user


@pytest.fixture
def member(db, organisation):
    user = UserFactory(email="legal@alpha.example.org")
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRoleType.LEGAL_REPRESENTATIVE
    )
    return user


@pytest.fixture
def delegate(db, organisation, groups):
    user = UserFactory(email="delegate@alpha.example.org")
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRoleType.DELEGATE, thematic_group=groups["decarbonation"]
    )
    return user


@pytest.fixture
def delegate_other_org(db, other_organisation, groups):
    user = UserFactory(email="delegate@beta.example.org")
    OrganisationRole.objects.create(
        user=user,
        organisation=other_organisation,
        role=OrganisationRoleType.DELEGATE,
        thematic_group=groups["sensibilisation-aines"],
    )
    return user


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Unit tests run Celery tasks in-process even when REDIS_URL is set (as in CI); the
    integration tests that start a real worker manage the Celery configuration themselves."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from asetw.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits and used TOTP codes live in the cache: each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def default_language():
    """A request by someone whose profile says "en" leaves English active in the thread: each test starts
    in the portal's default language, as a real request would."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI the real PostgreSQL, Redis and Chromium are there: a browser or integration test that
    skips means something is missing, and that must fail the run instead of passing unnoticed."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("CI") == "true"
        and (item.get_closest_marker("integration") or item.get_closest_marker("browser"))
    ):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, where every part must be present: {report.longrepr}"
