"""Services around the assignment proposal: compute it, let a coordinator adjust it, validate it."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import log_action
from members.enums import OrganisationStatus
from thematic_groups import proposal as algorithm
from thematic_groups import selectors
from thematic_groups.assignments import SeatRefused, assignment_create, seats_taken, waiting_list_add
from thematic_groups.enums import AssignmentStatus, ProposalDecision
from thematic_groups.models import Assignment, Proposal, ProposalLine, ThematicGroup


def _group_states() -> list[algorithm.GroupState]:
    held: dict[int, Counter] = {}
    rows = Assignment.objects.filter(status__in=AssignmentStatus.seat_holding()).values_list(
        "thematic_group_id", "organisation__type"
    )
    for group_id, organisation_type in rows:
        held.setdefault(group_id, Counter())[organisation_type] += 1
    return [
        algorithm.GroupState(
            id=group.pk,
            number=group.number,
            name=group.name,
            eligibility=group.eligibility,
            capacity=group.capacity_max,
            held_by_type=dict(held.get(group.pk, Counter())),
        )
        for group in ThematicGroup.objects.order_by("number")
    ]


def _candidates() -> list[algorithm.Candidate]:
    held = Counter(
        Assignment.objects.filter(status__in=AssignmentStatus.seat_holding()).values_list("organisation_id", flat=True)
    )
    return [
        algorithm.Candidate(
            organisation_id=item.organisation_id,
            organisation_name=item.organisation_name,
            organisation_type=item.organisation_type,
            group_id=item.group_id,
            queued_since=item.queued_since,
            priority=item.priority,
            seats_held=held[item.organisation_id],
        )
        for item in selectors.pending_candidates()
    ]


def proposal_compute(*, actor) -> Proposal:
    """A new proposal for every pending candidate of every GT; earlier unvalidated proposals are dropped."""
    with transaction.atomic():
        Proposal.objects.filter(validated_at__isnull=True).delete()
        proposal = Proposal.objects.create(created_by=actor)
        lines = algorithm.compute(_group_states(), _candidates())
        ProposalLine.objects.bulk_create(
            ProposalLine(
                proposal=proposal,
                organisation_id=line.candidate.organisation_id,
                thematic_group_id=line.candidate.group_id,
                decision=line.decision,
                computed_decision=line.decision,
                explanation=line.explanation,
                computed_explanation=line.explanation,
                rank=line.rank,
            )
            for line in lines
        )
        summary = Counter(line.decision for line in lines)
        log_action("thematic_groups.proposal.computed", actor=actor, target=proposal, data=dict(summary))
    return proposal


def proposal_line_adjust(*, actor, line: ProposalLine, decision: str) -> ProposalLine:
    """A coordinator's adjustment: eligibility still holds, capacity is checked again at validation."""
    with transaction.atomic():
        line = (
            ProposalLine.objects.select_for_update(of=("self",))
            .select_related("proposal", "organisation", "thematic_group")
            .get(pk=line.pk)
        )
        if line.proposal.validated_at:
            raise SeatRefused(_("This proposal has already been validated."))
        if decision not in (ProposalDecision.ASSIGN, ProposalDecision.WAIT):
            raise SeatRefused(_("Choose a seat or the waiting list."))
        if not line.thematic_group.accepts(line.organisation.type):
            raise SeatRefused(
                _("%(organisation)s cannot take part in %(group)s.")
                % {"organisation": line.organisation.name, "group": line.thematic_group.name}
            )
        if decision == ProposalDecision.ASSIGN and line.decision != ProposalDecision.ASSIGN:
            planned = (
                seats_taken(line.thematic_group)
                + line.proposal.lines.filter(thematic_group=line.thematic_group, decision=ProposalDecision.ASSIGN)
                .exclude(pk=line.pk)
                .count()
            )
            if planned >= line.thematic_group.capacity_max:
                raise SeatRefused(
                    _("%(group)s would have more than %(capacity)d members: move another organisation first.")
                    % {"group": line.thematic_group.name, "capacity": line.thematic_group.capacity_max}
                )
        before = line.decision
        line.decision = decision
        line.adjusted_by = actor
        if line.decision == line.computed_decision:
            line.explanation = line.computed_explanation
        else:
            who = actor.get_full_name() or actor.email
            line.explanation = (
                _("Seat given by the coordination (%(who)s), against the computed proposal.")
                if decision == ProposalDecision.ASSIGN
                else _("Put on the waiting list by the coordination (%(who)s), against the computed proposal.")
            ) % {"who": who}
        line.save(update_fields=["decision", "adjusted_by", "explanation"])
        log_action(
            "thematic_groups.proposal.adjusted",
            actor=actor,
            target=line.proposal,
            data={
                "organisation": line.organisation.name,
                "group": line.thematic_group.slug,
                "from": before,
                "to": decision,
            },
        )
    return line


def proposal_validate(*, actor, proposal: Proposal) -> dict[str, int]:
    """Apply the (adjusted) proposal: seats and waiting places are written through the seat services,
    so every rule is checked again, and each organisation and its delegate are told."""
    result: Counter = Counter()
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.validated_at:
            raise SeatRefused(_("This proposal has already been validated."))
        lines = proposal.lines.select_related("organisation", "thematic_group").order_by(
            "thematic_group__number", "rank"
        )
        for line in lines:
            if line.decision == ProposalDecision.NOT_ELIGIBLE:
                result["not_eligible"] += 1
                continue
            current = _current_status(line)
            if line.organisation.status != OrganisationStatus.ACTIVE or current in AssignmentStatus.seat_holding():
                result["skipped"] += 1
                continue
            if line.decision == ProposalDecision.ASSIGN:
                try:
                    with transaction.atomic():
                        assignment_create(
                            actor=actor,
                            organisation=line.organisation,
                            group=line.thematic_group,
                            reason=line.explanation,
                        )
                    result["assigned"] += 1
                    continue
                except SeatRefused:
                    # Somebody took the last seat since the proposal was computed: the waiting list it is.
                    pass
            if current == AssignmentStatus.WAITING:
                result["still_waiting"] += 1  # already on the list and already told: nothing new to say
                continue
            waiting_list_add(
                actor=actor, organisation=line.organisation, group=line.thematic_group, reason=line.explanation
            )
            result["waiting"] += 1
        proposal.validated_at = timezone.now()
        proposal.validated_by = actor
        proposal.save(update_fields=["validated_at", "validated_by"])
        log_action("thematic_groups.proposal.validated", actor=actor, target=proposal, data=dict(result))
    return dict(result)


def _current_status(line: ProposalLine) -> str | None:
    return (
        Assignment.objects.filter(organisation=line.organisation, thematic_group=line.thematic_group)
        .values_list("status", flat=True)
        .first()
    )
