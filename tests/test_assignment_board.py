"""The coordination's assignment board and the members' "my places" page, through HTTP."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.enums import OrganisationType
from members.models import OrganisationRole
from tests.test_assignments import candidate_org, set_capacity
from thematic_groups import assignments, deadlines
from thematic_groups.enums import AssignmentStatus
from thematic_groups.models import Assignment, Proposal

pytestmark = pytest.mark.django_db


def _seat(group, count, type=OrganisationType.HOSPITAL):
    for _ in range(count):
        assignments.assignment_create(
            actor=None, organisation=candidate_org(group, type=type), group=group, notify=False
        )


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_keeps_the_same_number_of_queries(
    client, mfa_login, coordinator, groups, count, django_assert_max_num_queries
):
    group = groups["achats-durables"]
    _seat(group, min(count, 30) // 2)
    _seat(group, count - count // 2, type=OrganisationType.ELDER_CARE_HOME)
    for _ in range(count):
        candidate_org(groups["resilience"])
    mfa_login(client, coordinator)

    with django_assert_max_num_queries(14):
        overview = client.get(reverse("thematic_groups:board")).content.decode()
    with django_assert_max_num_queries(20):
        page = client.get(reverse("thematic_groups:group_board", args=["achats-durables"])).content.decode()

    assert f"{count} / 30" in overview
    assert page.count('<th scope="row">Organisation') == count


def test_the_board_flags_groups_under_their_minimum(client, mfa_login, coordinator, groups):
    _seat(groups["resilience"], 3)
    mfa_login(client, coordinator)
    page = client.get(reverse("thematic_groups:board")).content.decode()
    assert page.count("minimum de 20") >= 5  # all five groups are under 20 here
    assert "3 / 30" in page


def test_a_coordinator_computes_adjusts_and_validates(
    client, mfa_login, coordinator, groups, django_capture_on_commit_callbacks
):
    group = groups["sensibilisation-aines"]
    set_capacity(group, 2)
    homes = [
        candidate_org(
            group, type=OrganisationType.ELDER_CARE_HOME, name=f"Maison {day}", member_since=date(2026, 3, day)
        )
        for day in (1, 2, 3)
    ]
    mfa_login(client, coordinator)

    response = client.post(reverse("thematic_groups:proposal_compute"), follow=True)
    proposal = Proposal.objects.get()
    page = response.content.decode()
    assert "Maison 3" in page and "attente" in page
    lines = {line.organisation_id: line for line in proposal.lines.all()}

    # Swap the first and the third home, and validate in one go.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("thematic_groups:proposal", args=[proposal.pk]),
            {
                f"line-{lines[homes[0].pk].pk}": "wait",
                f"line-{lines[homes[1].pk].pk}": "assign",
                f"line-{lines[homes[2].pk].pk}": "assign",
                "validate": "1",
            },
            follow=True,
        )

    assert response.redirect_chain[-1][0] == reverse("thematic_groups:board")
    statuses = {a.organisation_id: a.status for a in Assignment.objects.all()}
    assert statuses == {homes[0].pk: "waiting", homes[1].pk: "assigned", homes[2].pk: "assigned"}
    subjects = {message.subject for message in mail.outbox}
    assert any("attente" in subject.lower() for subject in subjects)
    assert any("place" in subject.lower() for subject in subjects)


def test_an_adjustment_over_capacity_is_refused_with_a_message(client, mfa_login, coordinator, groups):
    group = groups["resilience"]
    set_capacity(group, 1)
    first, second = (
        candidate_org(group, member_since=date(2026, 3, 1)),
        candidate_org(group, member_since=date(2026, 3, 2)),
    )
    mfa_login(client, coordinator)
    client.post(reverse("thematic_groups:proposal_compute"))
    proposal = Proposal.objects.get()
    lines = {line.organisation_id: line for line in proposal.lines.all()}

    response = client.post(
        reverse("thematic_groups:proposal", args=[proposal.pk]),
        {f"line-{lines[first.pk].pk}": "assign", f"line-{lines[second.pk].pk}": "assign", "validate": "1"},
        follow=True,
    )

    assert "plus de 1" in response.content.decode()
    assert not Assignment.objects.exists()  # nothing validated while the proposal is inconsistent


def test_a_priority_without_a_reason_is_refused_and_keeps_the_number(client, mfa_login, coordinator, groups):
    place = assignments.waiting_list_add(
        actor=coordinator, organisation=candidate_org(groups["resilience"]), group=groups["resilience"]
    )
    mfa_login(client, coordinator)
    response = client.post(
        reverse("thematic_groups:waiting_priority", args=[place.pk]), {"priority": "3", "reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page and 'value="3"' in page
    place.refresh_from_db()
    assert place.priority == 0


def test_a_member_accepts_an_offered_seat(client, groups, coordinator):
    group = groups["resilience"]
    set_capacity(group, 1)
    _seat(group, 1)
    offered_org = candidate_org(group)
    manager = OrganisationRole.objects.get(organisation=offered_org).user
    assignments.waiting_list_add(actor=coordinator, organisation=offered_org, group=group)
    seat = Assignment.objects.get(thematic_group=group, status=AssignmentStatus.ASSIGNED)
    assignments.seat_release(actor=coordinator, assignment=seat, reason="removal")
    place = Assignment.objects.get(organisation=offered_org)
    client.force_login(manager)

    page = client.get(reverse("thematic_groups:my_places")).content.decode()
    assert "Accepter" in page
    client.post(reverse("thematic_groups:offer_answer", args=[place.pk]), {"answer": "accept"})

    place.refresh_from_db()
    assert place.status == AssignmentStatus.ASSIGNED


def test_nobody_answers_an_offer_for_another_organisation(client, groups, coordinator, delegate_other_org):
    group = groups["resilience"]
    offered_org = candidate_org(group)
    place = Assignment.objects.create(
        organisation=offered_org, thematic_group=group, status=AssignmentStatus.OFFERED, queued_since=date(2026, 3, 2)
    )
    client.force_login(delegate_other_org)
    response = client.post(reverse("thematic_groups:offer_answer", args=[place.pk]), {"answer": "decline"})
    assert response.status_code == 404
    place.refresh_from_db()
    assert place.status == AssignmentStatus.OFFERED


def test_the_one_month_rule_lists_and_reminds_once(groups, coordinator, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    late = candidate_org(groups["resilience"], name="En retard", member_since=today - timedelta(days=40))
    soon = candidate_org(groups["resilience"], name="Bientôt", member_since=today - timedelta(days=26))
    calm = candidate_org(groups["resilience"], name="Tranquille", member_since=today - timedelta(days=2))
    told = candidate_org(groups["achats-durables"], name="Déjà informé", member_since=today - timedelta(days=29))
    assignments.waiting_list_add(actor=coordinator, organisation=told, group=groups["achats-durables"])

    items = {item.organisation.name: item for item in deadlines.assignment_deadlines(today)}
    assert set(items) == {"En retard", "Bientôt", "Tranquille"}
    assert items["En retard"].overdue and items["Bientôt"].urgent and not items["Tranquille"].urgent
    assert items["Tranquille"].days_left > 7

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.assignment_deadline_reminders_send(today) == 2
        assert deadlines.assignment_deadline_reminders_send(today) == 0  # claimed once
    assert sorted(message.to[0] for message in mail.outbox) == [coordinator.email, coordinator.email]
    assert any(late.name in message.body for message in mail.outbox)
    assert any(soon.name in message.body for message in mail.outbox)
    # A week later the calm one gets its reminder too.
    with time_machine.travel(today + timedelta(days=22)), django_capture_on_commit_callbacks(execute=True):
        assert deadlines.assignment_deadline_reminders_send() == 1
    assert calm.name in mail.outbox[-1].body


def test_the_one_month_reminder_runs_as_a_celery_beat_task(settings):
    assert settings.CELERY_BEAT_SCHEDULE["gt-assignment-deadline-reminders"]["task"] == (
        "thematic_groups.assignment_deadline_reminders"
    )
    from thematic_groups.tasks import assignment_deadline_reminders

    assert assignment_deadline_reminders.name == "thematic_groups.assignment_deadline_reminders"
