"""The scale dataset of the benchmark: ``manage.py seed_scale`` makes the counts it promises."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from accounts.models import User
from community import search
from community.enums import ResourceStatus
from community.models import Resource
from core.scale import BENCH_CLIENTS, BENCH_PASSWORD, ScalePlan, bench_email
from members.enums import OrganisationRoleType, OrganisationStatus
from members.models import Organisation, OrganisationRole
from reporting.models import Action, Report
from thematic_groups.enums import AssignmentStatus
from thematic_groups.models import Assignment, Attendance, Session, ThematicGroup

FACTOR = 0.3


def test_plan_is_the_realistic_size_times_the_factor():
    assert ScalePlan.for_factor(10) == ScalePlan(
        factor=10,
        organisations=10_000,
        groups=50,
        sessions=2_000,
        attendance=60_000,
        actions=20_000,
        reports=10_000,
        resources=50_000,
    )
    realistic = ScalePlan.for_factor(1)
    assert (realistic.organisations, realistic.groups, realistic.attendance) == (1_000, 5, 6_000)


@pytest.mark.django_db
def test_seed_scale_makes_the_planned_counts_with_bench_accounts(capsys):
    plan = ScalePlan.for_factor(FACTOR)
    call_command("seed_scale", factor=FACTOR, force=True)

    assert Organisation.objects.count() == plan.organisations
    assert ThematicGroup.objects.count() == plan.groups
    assert Session.objects.count() == plan.sessions
    assert Attendance.objects.count() == plan.attendance
    assert Action.objects.count() == plan.actions
    assert Report.objects.count() == plan.reports
    assert Resource.objects.count() == plan.resources
    # Most organisations are members; some adhesions are pending, some members have left.
    statuses = dict.fromkeys(OrganisationStatus.values, 0)
    for status in Organisation.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses[OrganisationStatus.ACTIVE] > plan.organisations * 0.75
    assert statuses[OrganisationStatus.CANDIDATE] and statuses[OrganisationStatus.WITHDRAWN]
    # No group holds more seats than it has.
    for group in ThematicGroup.objects.all():
        seats = Assignment.objects.filter(thematic_group=group, status=AssignmentStatus.ASSIGNED).count()
        assert seats <= group.capacity_max
    # Seeded resources are found by the library's own search.
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    assert search.apply(published, "bilans carbone").exists()

    coordinator = User.objects.get(email=bench_email("coordinator", 1))
    assert coordinator.is_coordinator
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
    delegates = OrganisationRole.objects.filter(user__email__startswith="delegate", role=OrganisationRoleType.DELEGATE)
    assert delegates.count() == BENCH_CLIENTS["delegate"]
    assert "coordinator01@" in capsys.readouterr().out
    # Only the bench accounts can sign in, and no mail to anyone here can leave the machine.
    assert coordinator.check_password(BENCH_PASSWORD)
    others = User.objects.exclude(email__in=[bench_email(role, 1) for role in BENCH_CLIENTS])
    assert not others.filter(email__startswith="coordination@").get().has_usable_password()
    assert not User.objects.exclude(email__endswith=".invalid").exists()

    call_command("seed_scale", factor=FACTOR, force=True)  # a second run adds nothing
    assert Organisation.objects.count() == plan.organisations


@pytest.mark.django_db
def test_seed_scale_refuses_a_database_with_real_people_even_when_forced(member):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_scale", factor=FACTOR, force=True)
    assert not User.objects.filter(email__endswith=".invalid").exists()
