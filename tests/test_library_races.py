"""Two digest runs at the same time on PostgreSQL send one digest per person and period."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from community import services, watch
from community.models import Theme
from core.models import OutboundEmail
from members.enums import OrganisationRoleType
from members.models import OrganisationRole
from tests.factories import OrganisationFactory, UserFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs DATABASE_URL pointing to PostgreSQL: SQLite has no row locks"),
]


def test_two_concurrent_runs_send_one_digest():
    organisation = OrganisationFactory()
    author = UserFactory()
    OrganisationRole.objects.create(user=author, organisation=organisation, role=OrganisationRoleType.CONTACT_POINT)
    coordinator = UserFactory(is_coordinator=True)
    today = datetime(2026, 12, 2, 7, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(today - timedelta(hours=12)):
        resource = services.resource_submit(
            actor=author,
            organisation=organisation,
            themes=[Theme.objects.get(slug="transversal")],
            title="Guide",
            summary="Résumé",
            kind="guide",
            language="fr",
            origin="belgian",
            link="https://example.org",
        )
        services.resource_publish(actor=coordinator, resource=resource)
    watch.watch_update(actor=author, rhythm="daily", themes=["transversal"], kinds=[])
    start = threading.Barrier(2)

    def run(_number):
        try:
            start.wait()
            with time_machine.travel(today):
                return watch.digests_send()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(pool.map(run, range(2)))
    assert sum(sent) == 1
    assert OutboundEmail.objects.filter(template="community/digest").count() == 1
