"""The coordination's assignment board: seats, candidates, the proposal, the waiting list, the one-month rule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.rules import staff_view_allowed
from members.models import Organisation
from thematic_groups import assignments, deadlines, proposals, selectors, sessions
from thematic_groups.forms import PriorityForm, ProposalAdjustForm
from thematic_groups.models import Assignment, Proposal
from thematic_groups.pages import show_refusal

RULE = "thematic_groups.manage_assignments"


def _coordination_only(view):
    @login_required
    @never_cache
    def wrapped(request, *args, **kwargs):
        if not staff_view_allowed(request, RULE):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _render(request, template: str, context: dict):
    context.setdefault("nav_groups", selectors.thematic_groups_list())
    return render(request, f"thematic_groups/board/{template}", context)


@_coordination_only
def board(request):
    # Worked out once: both the seats table and the deadlines go through every candidacy.
    candidates = selectors.pending_candidates()
    return _render(
        request,
        "overview.html",
        {
            "rows": selectors.board_overview(candidates),
            "proposal": selectors.open_proposal(),
            "deadlines": [item for item in deadlines.assignment_deadlines(candidates=candidates) if item.urgent],
            "short_notice_requests": list(sessions.short_notice_requests()),
        },
    )


@_coordination_only
@require_POST
def proposal_compute(request):
    proposal = proposals.proposal_compute(actor=request.user)
    if not proposal.lines.exists():
        messages.info(request, _("No organisation is waiting for a decision: there is nothing to propose."))
        return redirect("thematic_groups:board")
    messages.success(request, _("A proposal has been computed. Check it, adjust it if needed, then validate it."))
    return redirect("thematic_groups:proposal", pk=proposal.pk)


@_coordination_only
def proposal_detail(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("created_by", "validated_by"), pk=pk)
    lines = selectors.proposal_lines(proposal)
    form = ProposalAdjustForm(request.POST or None, lines=lines)
    if request.method == "POST" and not proposal.validated_at and form.is_valid():
        refused = False
        changed = 0
        for line, decision in form.changes():
            try:
                proposals.proposal_line_adjust(actor=request.user, line=line, decision=decision)
                changed += 1
            except ValidationError as exc:
                refused = True
                show_refusal(request, exc)
        if changed:
            messages.success(request, _("Adjustments saved: %(count)d.") % {"count": changed})
        if request.POST.get("validate") and not refused:
            return _validate(request, proposal)
        return redirect("thematic_groups:proposal", pk=proposal.pk)
    groups: dict = {}
    for line in lines:
        groups.setdefault(line.thematic_group, []).append(line)
    return _render(
        request,
        "proposal.html",
        {"proposal": proposal, "groups": groups, "form": form, "overview": selectors.board_overview()},
    )


def _validate(request, proposal: Proposal):
    try:
        result = proposals.proposal_validate(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("thematic_groups:proposal", pk=proposal.pk)
    messages.success(
        request,
        _(
            "Proposal validated: %(assigned)d seats given, %(waiting)d new places on the waiting list; these "
            "organisations and their delegates are told by e-mail. %(still)d organisations stay on the waiting list."
        )
        % {
            "assigned": result.get("assigned", 0),
            "waiting": result.get("waiting", 0),
            "still": result.get("still_waiting", 0),
        },
    )
    return redirect("thematic_groups:board")


@_coordination_only
def group_board(request, slug: str):
    group = selectors.thematic_group_get(slug)
    overview = next(row for row in selectors.board_overview() if row.group.pk == group.pk)
    return _render(
        request,
        "group.html",
        {
            "group": group,
            "row": overview,
            "seats": selectors.group_seats(group),
            "waiting": selectors.group_waiting_list(group),
            "candidates": [c for c in selectors.pending_candidates(group) if not c.waiting],
            "events": selectors.group_events(group),
        },
    )


@_coordination_only
@require_POST
def group_place(request, slug: str):
    """Place one candidate by hand: a seat or the waiting list."""
    group = selectors.thematic_group_get(slug)
    organisation = get_object_or_404(Organisation, pk=request.POST.get("organisation"))
    try:
        if request.POST.get("decision") == "assign":
            assignments.assignment_create(actor=request.user, organisation=organisation, group=group)
            messages.success(request, _("%(organisation)s has a seat.") % {"organisation": organisation.name})
        else:
            assignments.waiting_list_add(actor=request.user, organisation=organisation, group=group)
            messages.success(
                request, _("%(organisation)s is on the waiting list.") % {"organisation": organisation.name}
            )
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("thematic_groups:group_board", slug=group.slug)


@_coordination_only
@require_POST
def group_offer_free_seats(request, slug: str):
    """Seats left free while organisations wait (a proposal put them on the list): offer them now."""
    group = selectors.thematic_group_get(slug)
    offered = assignments.offer_free_seats(actor=request.user, group=group)
    if offered:
        messages.success(
            request,
            ngettext(
                "%(count)d seat is offered; the organisation is told by e-mail.",
                "%(count)d seats are offered; the organisations are told by e-mail.",
                len(offered),
            )
            % {"count": len(offered)},
        )
    else:
        messages.info(request, _("No seat could be offered: the group is full or nobody eligible is waiting."))
    return redirect("thematic_groups:group_board", slug=group.slug)


@_coordination_only
def waiting_priority(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("organisation", "thematic_group"), pk=pk)
    initial = {"priority": assignment.priority, "reason": assignment.priority_reason}
    form = PriorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assignments.waiting_priority_set(
                actor=request.user,
                assignment=assignment,
                priority=form.cleaned_data["priority"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("The priority has been recorded."))
            return redirect("thematic_groups:group_board", slug=assignment.thematic_group.slug)
        except ValidationError as exc:
            form.add_error(None, exc)
    return _render(request, "priority.html", {"assignment": assignment, "form": form})


@_coordination_only
def assignment_deadlines(request):
    return _render(request, "deadlines.html", {"items": deadlines.assignment_deadlines()})
