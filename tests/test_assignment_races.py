"""Capacity under concurrent requests, on the real PostgreSQL: the lock, re-count, insert holds."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from members.enums import OrganisationType
from tests.factories import OrganisationFactory
from thematic_groups import assignments
from thematic_groups.assignments import SeatRefused
from thematic_groups.enums import AssignmentStatus
from thematic_groups.models import Assignment, ThematicGroup

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.integration,
    # Committed data, shared with the threads' own connections; the serialized rollback brings the migrated
    # thematic groups back for the tests that follow, like the other transactional tests of the suite.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs DATABASE_URL pointing to PostgreSQL: SQLite has no row locks"),
]

REQUESTS = 50


def test_fifty_concurrent_requests_for_the_last_three_seats_give_exactly_three(groups):
    group = ThematicGroup.objects.get(slug="resilience")
    for _ in range(group.capacity_max - 3):
        Assignment.objects.create(
            organisation=OrganisationFactory(),
            thematic_group=group,
            status=AssignmentStatus.ASSIGNED,
            queued_since=date(2026, 3, 2),
        )
    contenders = [OrganisationFactory(type=OrganisationType.ELDER_CARE_HOME) for _ in range(REQUESTS)]
    start = threading.Barrier(REQUESTS)

    def request_seat(organisation):
        try:
            start.wait()
            assignments.assignment_create(actor=None, organisation=organisation, group=group, notify=False)
            return "seat"
        except SeatRefused:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        outcomes = list(pool.map(request_seat, contenders))

    assert outcomes.count("seat") == 3
    assert outcomes.count("refused") == REQUESTS - 3
    assert assignments.seats_taken(group) == group.capacity_max == 30
