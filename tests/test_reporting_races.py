"""Reminders of the yearly reporting when the periodic task runs twice at the same time, on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection

from core.models import OutboundEmail
from members.enums import OrganisationRoleType
from members.models import OrganisationRole
from reporting import reports
from reporting.models import Report, ReportingCampaign
from tests.factories import OrganisationFactory, UserFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs DATABASE_URL pointing to PostgreSQL: SQLite has no row locks"),
]

RUNS = 4


def test_two_runs_at_the_same_time_send_each_reminder_once():
    deadline = date(2027, 3, 1)
    campaign = ReportingCampaign.objects.create(year=2026, deadline=deadline, template_version=1)
    ReportingCampaign.objects.filter(pk=campaign.pk).update(opened_at="2026-12-01T09:00:00Z")
    people = []
    for number in range(5):
        organisation = OrganisationFactory(name=f"Hôpital {number}")
        person = UserFactory()
        OrganisationRole.objects.create(user=person, organisation=organisation, role=OrganisationRoleType.CONTACT_POINT)
        Report.objects.create(campaign=campaign, organisation=organisation, template_version=1)
        people.append(person)
    start = threading.Barrier(RUNS)

    def run(_number):
        try:
            start.wait()
            return reports.report_reminders_send(deadline - timedelta(days=7))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RUNS) as pool:
        sent = list(pool.map(run, range(RUNS)))

    assert sum(sent) == 5
    mails = OutboundEmail.objects.filter(template="reporting/reminder")
    assert mails.count() == 5
    assert sorted(mails.values_list("to_email", flat=True)) == sorted(person.email for person in people)
