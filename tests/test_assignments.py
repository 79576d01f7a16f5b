"""Seats in the GTs: eligibility, one place per group, capacity, waiting list, offers, the proposal."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import TestCase
from django.utils import timezone

from members.enums import OrganisationRoleType, OrganisationStatus, OrganisationType
from members.models import OrganisationRole
from tests.factories import OrganisationFactory, UserFactory
from thematic_groups import assignments, proposals, selectors
from thematic_groups import proposal as algorithm
from thematic_groups.assignments import SeatRefused
from thematic_groups.enums import AssignmentStatus, ProposalDecision, ReleaseReason
from thematic_groups.models import Assignment

pytestmark = pytest.mark.django_db


def candidate_org(group, *, type=OrganisationType.HOSPITAL, name=None, member_since=date(2026, 3, 2), delegate=True):
    """A confirmed member that asked for ``group`` (its delegate for the group is named)."""
    kwargs = {"type": type, "member_since": member_since}
    if name:
        kwargs["name"] = name
    organisation = OrganisationFactory(**kwargs)
    if delegate:
        OrganisationRole.objects.create(
            organisation=organisation,
            user=UserFactory(),
            role=OrganisationRoleType.DELEGATE,
            thematic_group=group,
        )
    return organisation


def set_capacity(group, seats: int) -> None:
    group.capacity_min = min(group.capacity_min, seats)
    group.capacity_max = seats
    group.save()


def fill(group, count, *, type=OrganisationType.HOSPITAL):
    for _ in range(count):
        assignments.assignment_create(actor=None, organisation=candidate_org(group, type=type), group=group)


# --- the hard rules ---------------------------------------------------------------------------------


def test_an_elder_care_home_never_sits_in_decarbonation(groups, coordinator):
    home = candidate_org(groups["achats-durables"], type=OrganisationType.ELDER_CARE_HOME)
    with pytest.raises(SeatRefused, match="Décarbonation|décarbonation"):
        assignments.assignment_create(actor=coordinator, organisation=home, group=groups["decarbonation"])
    assert not Assignment.objects.exists()


def test_one_seat_per_organisation_per_group(groups, coordinator):
    hospital = candidate_org(groups["resilience"])
    assignments.assignment_create(actor=coordinator, organisation=hospital, group=groups["resilience"])
    with pytest.raises(SeatRefused, match="déjà"):
        assignments.assignment_create(actor=coordinator, organisation=hospital, group=groups["resilience"])
    # The database says so too, whatever the entry point.
    with pytest.raises(IntegrityError):
        Assignment.objects.create(
            organisation=hospital,
            thematic_group=groups["resilience"],
            status=AssignmentStatus.WAITING,
            queued_since=date(2026, 3, 2),
        )


def test_a_full_group_refuses_one_more(groups, coordinator):
    group = groups["resilience"]
    set_capacity(group, 3)
    fill(group, 3)
    late = candidate_org(group)
    with pytest.raises(SeatRefused, match="3"):
        assignments.assignment_create(actor=coordinator, organisation=late, group=group)
    assert assignments.seats_taken(group) == 3


def test_a_withdrawing_organisation_gets_no_new_seat(groups, coordinator):
    leaving = candidate_org(groups["resilience"])
    leaving.status = OrganisationStatus.WITHDRAWING
    leaving.save()
    with pytest.raises(SeatRefused):
        assignments.assignment_create(actor=coordinator, organisation=leaving, group=groups["resilience"])


def test_a_priority_needs_a_reason(groups, coordinator):
    place = assignments.waiting_list_add(
        actor=coordinator, organisation=candidate_org(groups["resilience"]), group=groups["resilience"]
    )
    with pytest.raises(SeatRefused, match="raison"):
        assignments.waiting_priority_set(actor=coordinator, assignment=place, priority=2, reason=" ")
    with pytest.raises(IntegrityError):
        Assignment.objects.filter(pk=place.pk).update(priority=2, priority_reason="")


# --- the waiting list -------------------------------------------------------------------------------


def test_a_freed_seat_is_offered_to_the_next_eligible_organisation(
    groups, coordinator, django_capture_on_commit_callbacks
):
    group = groups["resilience"]
    set_capacity(group, 2)
    fill(group, 2)
    early = candidate_org(group, name="Premier en attente", member_since=date(2026, 3, 1))
    later = candidate_org(group, name="Second en attente", member_since=date(2026, 3, 5))
    gone = candidate_org(group, name="Parti entre-temps", member_since=date(2026, 2, 1))
    for organisation in (later, early, gone):
        assignments.waiting_list_add(actor=coordinator, organisation=organisation, group=group)
    gone.status = OrganisationStatus.WITHDRAWN
    gone.save()
    mail.outbox.clear()

    seat = Assignment.objects.filter(thematic_group=group, status=AssignmentStatus.ASSIGNED).first()
    with django_capture_on_commit_callbacks(execute=True):
        assignments.seat_release(actor=coordinator, assignment=seat, reason=ReleaseReason.REMOVAL)

    offered = Assignment.objects.get(thematic_group=group, status=AssignmentStatus.OFFERED)
    assert offered.organisation == early
    assert offered.offer_expires_on == timezone.localdate() + timedelta(days=14)
    assert any("Premier en attente" in message.body for message in mail.outbox)
    assert assignments.seats_taken(group) == 2  # an offered seat is kept for its answer

    # Declined: the seat goes down the list.
    assignments.offer_answer(actor=None, assignment=offered, accept=False)
    assert Assignment.objects.get(thematic_group=group, status=AssignmentStatus.OFFERED).organisation == later
    assert Assignment.objects.get(organisation=early, thematic_group=group).release_reason == ReleaseReason.DECLINED

    # The coordinator reads the whole chain in the group's history.
    actions = [event.action for event in reversed(selectors.group_events(group))]
    assert actions[-4:] == [
        "thematic_groups.seat.released",
        "thematic_groups.seat.offered",
        "thematic_groups.seat.released",
        "thematic_groups.seat.offered",
    ]


def test_priority_goes_first_on_the_waiting_list(groups, coordinator):
    group = groups["resilience"]
    first = assignments.waiting_list_add(
        actor=coordinator, organisation=candidate_org(group, member_since=date(2026, 2, 1)), group=group
    )
    urgent = assignments.waiting_list_add(
        actor=coordinator, organisation=candidate_org(group, member_since=date(2026, 4, 1)), group=group
    )
    assignments.waiting_priority_set(
        actor=coordinator, assignment=urgent, priority=1, reason="Seul établissement de sa province."
    )
    assert [place.pk for place in assignments.waiting_list(group)] == [urgent.pk, first.pk]


def test_an_unanswered_offer_expires_and_moves_on(groups, coordinator):
    group = groups["resilience"]
    set_capacity(group, 1)
    fill(group, 1)
    waiting = [candidate_org(group, member_since=date(2026, 3, day)) for day in (1, 2)]
    for organisation in waiting:
        assignments.waiting_list_add(actor=coordinator, organisation=organisation, group=group)
    seat = Assignment.objects.get(thematic_group=group, status=AssignmentStatus.ASSIGNED)
    assignments.seat_release(actor=coordinator, assignment=seat, reason=ReleaseReason.REMOVAL)

    assert assignments.expired_offers_release(today=timezone.localdate() + timedelta(days=14)) == 0
    assert assignments.expired_offers_release(today=timezone.localdate() + timedelta(days=15)) == 1
    offered = Assignment.objects.get(thematic_group=group, status=AssignmentStatus.OFFERED)
    assert offered.organisation == waiting[1]


def test_a_withdrawal_releases_the_seats_and_offers_them(groups, coordinator):
    from members.lifecycle import withdrawal_confirm

    group = groups["resilience"]
    set_capacity(group, 1)
    leaving = candidate_org(group)
    assignments.assignment_create(actor=coordinator, organisation=leaving, group=group)
    next_one = candidate_org(group)
    assignments.waiting_list_add(actor=coordinator, organisation=next_one, group=group)
    leaving.status = OrganisationStatus.WITHDRAWING
    leaving.save()

    with TestCase.captureOnCommitCallbacks(execute=True):
        withdrawal_confirm(organisation=leaving, actor=coordinator)

    assert Assignment.objects.get(organisation=leaving).release_reason == ReleaseReason.WITHDRAWAL
    assert Assignment.objects.get(organisation=next_one).status == AssignmentStatus.OFFERED


def test_a_removal_is_announced_ahead_and_applied_on_its_date(groups, coordinator, django_capture_on_commit_callbacks):
    group = groups["resilience"]
    member = candidate_org(group)
    seat = assignments.assignment_create(actor=coordinator, organisation=member, group=group)
    with pytest.raises(SeatRefused):
        assignments.removal_decide(
            actor=coordinator, assignment=seat, effective_on=timezone.localdate(), reason="Absences répétées."
        )
    mail.outbox.clear()
    effective = timezone.localdate() + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        assignments.removal_decide(actor=coordinator, assignment=seat, effective_on=effective, reason="Absences.")
    assert mail.outbox and "Absences." in mail.outbox[0].body

    assert assignments.due_removals_apply(today=effective - timedelta(days=1)) == 0
    assert assignments.due_removals_apply(today=effective) == 1
    seat.refresh_from_db()
    assert seat.status == AssignmentStatus.RELEASED
    assert seat.release_reason == ReleaseReason.REMOVAL


# --- the proposal -----------------------------------------------------------------------------------


def _state(**kwargs):
    defaults = {"id": 1, "number": 1, "name": "GT", "eligibility": "all", "capacity": 30, "held_by_type": {}}
    return algorithm.GroupState(**(defaults | kwargs))


def _candidates(count, *, group_id=1, type=OrganisationType.HOSPITAL, start=0):
    return [
        algorithm.Candidate(
            organisation_id=start + index,
            organisation_name=f"Org {start + index:03d}",
            organisation_type=type,
            group_id=group_id,
            queued_since=date(2026, 3, 1) + timedelta(days=index % 20),
        )
        for index in range(count)
    ]


def test_the_proposal_respects_eligibility_and_capacity_and_is_deterministic():
    decarbonation = _state(id=1, number=1, name="Décarbonation", eligibility="hospitals", held_by_type={"hospital": 5})
    open_group = _state(id=2, number=2, name="Achats", eligibility="all")
    candidates = (
        _candidates(30, group_id=1)
        + _candidates(4, group_id=1, type=OrganisationType.ELDER_CARE_HOME, start=100)
        + _candidates(25, group_id=2, start=200)
        + _candidates(15, group_id=2, type=OrganisationType.ELDER_CARE_HOME, start=300)
    )

    first = algorithm.compute([decarbonation, open_group], candidates)
    second = algorithm.compute([open_group, decarbonation], list(reversed(candidates)))

    as_tuples = [(line.candidate.organisation_id, line.decision, line.explanation, line.rank) for line in first]
    assert as_tuples == [
        (line.candidate.organisation_id, line.decision, line.explanation, line.rank) for line in second
    ]
    decisions = {(line.candidate.group_id, line.candidate.organisation_id): line.decision for line in first}
    # No elder-care home in Décarbonation, whatever happens.
    assert all(decisions[(1, org_id)] == ProposalDecision.NOT_ELIGIBLE for org_id in range(100, 104))
    # Never more than 30 with those already seated.
    assert sum(1 for (group, _), d in decisions.items() if group == 1 and d == ProposalDecision.ASSIGN) == 25
    assert sum(1 for (group, _), d in decisions.items() if group == 2 and d == ProposalDecision.ASSIGN) == 30
    # Everyone else waits, with a reason.
    waiting = [line for line in first if line.decision == ProposalDecision.WAIT]
    assert len(waiting) == 5 + 10
    assert all("attente" in line.explanation for line in waiting)


def test_the_proposal_keeps_the_balance_between_establishments():
    group = _state(capacity=10)
    candidates = _candidates(20) + _candidates(10, type=OrganisationType.ELDER_CARE_HOME, start=100)
    lines = algorithm.compute([group], candidates)
    seated = [line.candidate.organisation_type for line in lines if line.decision == ProposalDecision.ASSIGN]
    # Demand is two hospitals for one home: the seats follow that mix, not the order of arrival.
    assert seated.count(OrganisationType.HOSPITAL) in (6, 7)
    assert seated.count(OrganisationType.ELDER_CARE_HOME) in (3, 4)


def test_the_proposal_spreads_scarce_seats_and_honours_priorities():
    first = _state(id=1, number=1, capacity=1)
    second = _state(id=2, number=2, capacity=1)
    both = [
        algorithm.Candidate(1, "Déjà servie", "hospital", 1, date(2026, 3, 1)),
        algorithm.Candidate(1, "Déjà servie", "hospital", 2, date(2026, 3, 1)),
        algorithm.Candidate(2, "Arrivée après", "hospital", 2, date(2026, 3, 9)),
        algorithm.Candidate(3, "Prioritaire", "hospital", 1, date(2026, 4, 1), priority=1),
    ]
    lines = {
        (line.candidate.group_id, line.candidate.organisation_id): line
        for line in algorithm.compute([first, second], both)
    }
    assert lines[(1, 3)].decision == ProposalDecision.ASSIGN  # the coordinator's priority
    assert "priorité" in lines[(1, 3)].explanation.lower()
    # Organisation 1 lost group 1, so nothing is spread yet: it takes group 2 by date.
    assert lines[(2, 1)].decision == ProposalDecision.ASSIGN
    assert lines[(2, 2)].decision == ProposalDecision.WAIT


def test_compute_adjust_validate_notifies_everyone(groups, coordinator, django_capture_on_commit_callbacks):
    group = groups["sensibilisation-aines"]
    set_capacity(group, 2)
    homes = [
        candidate_org(group, type=OrganisationType.ELDER_CARE_HOME, member_since=date(2026, 3, day))
        for day in (1, 2, 3)
    ]
    proposal = proposals.proposal_compute(actor=coordinator)
    lines = {line.organisation_id: line for line in proposal.lines.filter(thematic_group=group)}
    assert [lines[home.pk].decision for home in homes] == ["assign", "assign", "wait"]

    # Adding a third seat would overfill the group: refused, with the way out.
    with pytest.raises(SeatRefused, match="2"):
        proposals.proposal_line_adjust(actor=coordinator, line=lines[homes[2].pk], decision="assign")
    proposals.proposal_line_adjust(actor=coordinator, line=lines[homes[0].pk], decision="wait")
    proposals.proposal_line_adjust(actor=coordinator, line=lines[homes[2].pk], decision="assign")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = proposals.proposal_validate(actor=coordinator, proposal=proposal)

    assert result == {"assigned": 2, "waiting": 1}
    statuses = {a.organisation_id: a.status for a in Assignment.objects.filter(thematic_group=group)}
    assert statuses == {homes[0].pk: "waiting", homes[1].pk: "assigned", homes[2].pk: "assigned"}
    delegates = {role.user.email for role in OrganisationRole.objects.filter(thematic_group=group)}
    assert delegates <= {message.to[0] for message in mail.outbox}
    with pytest.raises(SeatRefused):
        proposals.proposal_validate(actor=coordinator, proposal=proposal)


def test_validation_rechecks_capacity_taken_in_the_meantime(groups, coordinator):
    group = groups["resilience"]
    set_capacity(group, 1)
    proposed = candidate_org(group, member_since=date(2026, 3, 1))
    proposal = proposals.proposal_compute(actor=coordinator)
    # Someone else takes the last seat by hand before the validation.
    assignments.assignment_create(actor=coordinator, organisation=candidate_org(group, delegate=False), group=group)

    proposals.proposal_validate(actor=coordinator, proposal=proposal)

    assert Assignment.objects.get(organisation=proposed).status == AssignmentStatus.WAITING
    assert assignments.seats_taken(group) == 1


def test_a_groups_rules_never_contradict_the_places_given(groups, coordinator):
    from thematic_groups.forms import ThematicGroupForm
    from thematic_groups.services import thematic_group_update

    group = groups["resilience"]
    set_capacity(group, 3)
    fill(group, 2)
    fill(group, 1, type=OrganisationType.ELDER_CARE_HOME)

    with pytest.raises(ValidationError):
        thematic_group_update(actor=coordinator, group=group, capacity_max=2, capacity_min=2)
    with pytest.raises(ValidationError):
        thematic_group_update(actor=coordinator, group=group, eligibility="hospitals")
    data = {name: getattr(group, name) for name in ThematicGroupForm.Meta.fields}
    form = ThematicGroupForm({**data, "eligibility": "hospitals"}, instance=group)
    assert not form.is_valid() and "eligibility" in form.errors
    group.refresh_from_db()
    assert group.eligibility == "all" and group.capacity_max == 3


def test_seats_held_in_other_groups_count_when_seats_are_scarce():
    group = _state(capacity=1)
    already_seated = algorithm.Candidate(1, "Déjà dans un autre GT", "hospital", 1, date(2026, 3, 1), seats_held=1)
    newcomer = algorithm.Candidate(2, "Aucune place encore", "hospital", 1, date(2026, 3, 9))
    decisions = {
        line.candidate.organisation_id: line.decision for line in algorithm.compute([group], [already_seated, newcomer])
    }
    assert decisions == {1: ProposalDecision.WAIT, 2: ProposalDecision.ASSIGN}


def test_an_adjusted_line_explains_the_coordinators_decision(groups, coordinator):
    group = groups["resilience"]
    candidate_org(group)
    proposal = proposals.proposal_compute(actor=coordinator)
    line = proposal.lines.get()
    computed = line.explanation

    line = proposals.proposal_line_adjust(actor=coordinator, line=line, decision="wait")
    assert "coordination" in line.explanation and line.explanation != computed
    line = proposals.proposal_line_adjust(actor=coordinator, line=line, decision="assign")
    assert line.explanation == computed


def test_a_planned_removal_can_be_cancelled_and_the_member_is_told(
    groups, coordinator, django_capture_on_commit_callbacks
):
    group = groups["resilience"]
    seat = assignments.assignment_create(actor=coordinator, organisation=candidate_org(group), group=group)
    assignments.removal_decide(
        actor=coordinator, assignment=seat, effective_on=timezone.localdate() + timedelta(days=20), reason="Absences."
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seat = assignments.removal_cancel(actor=coordinator, assignment=seat)
    assert seat.removal_effective_on is None
    assert mail.outbox and "garde sa place" in mail.outbox[0].body
    assert assignments.due_removals_apply(today=timezone.localdate() + timedelta(days=30)) == 0
    with pytest.raises(SeatRefused):
        assignments.removal_cancel(actor=coordinator, assignment=seat)
