"""Group-wide pages: attendance and the two-thirds rule, deliverables, calendar feeds, removal from a group."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import member_organisation_ids
from accounts.rules import staff_view_allowed
from members.enums import OrganisationStatus
from members.models import Organisation, OrganisationRole
from thematic_groups import assignments, calendars, contributions, selectors
from thematic_groups.enums import AssignmentStatus, GuestStatus, SessionStatus
from thematic_groups.models import Assignment, CalendarToken, Deliverable, DeliverableProgress, Session, ThematicGroup
from thematic_groups.pages import crumbs, form_page, show_refusal, stored_file_response
from thematic_groups.session_forms import DeliverableForm, RemovalForm
from thematic_groups.two_thirds import group_standings


@login_required
@never_cache
def attendance_overview(request, slug: str):
    """Each member's standing against the two-thirds rule; for the coordination and the group's locomotive."""
    group = selectors.thematic_group_get(slug)
    if not staff_view_allowed(request, "thematic_groups.manage_sessions", group):
        raise Http404
    standings = group_standings(group)
    return render(
        request,
        "thematic_groups/sessions/overview.html",
        {
            "group": group,
            "standings": standings,
            "sessions": selectors.group_sessions(group, with_drafts=True),
            "can_remove": staff_view_allowed(request, "thematic_groups.manage_assignments"),
        },
    )


@login_required
@never_cache
def removal_decide(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("organisation", "thematic_group"), pk=pk)
    if not staff_view_allowed(request, "thematic_groups.manage_assignments"):
        raise Http404
    form = RemovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignments.removal_decide(
                actor=request.user,
                assignment=assignment,
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The removal is decided and the organisation is told."))
            return redirect("thematic_groups:attendance_overview", slug=assignment.thematic_group.slug)
    return form_page(
        request,
        form,
        title=_("Remove %(organisation)s from %(group)s")
        % {"organisation": assignment.organisation.name, "group": assignment.thematic_group.short_name},
        submit=_("Decide the removal"),
        back_url=reverse("thematic_groups:attendance_overview", args=[assignment.thematic_group.slug]),
        crumbs=crumbs(group=assignment.thematic_group),
        intro=[
            _(
                "After repeated unjustified absences, the Region may remove a member from the group and give its "
                "seat to another (article 4bis.2). The member is told today; the seat goes to the waiting list on "
                "the date you choose."
            )
        ],
        danger=True,
    )


# --- deliverables -------------------------------------------------------------------------------------


def _deliverables_viewer(request, group) -> tuple[bool, list[Organisation]]:
    manages = staff_view_allowed(request, "thematic_groups.manage_sessions", group)
    mine = list(
        Organisation.objects.filter(
            pk__in=member_organisation_ids(request.user),
            assignments__thematic_group=group,
            assignments__status=AssignmentStatus.ASSIGNED,
        )
    )
    if not manages and not mine:
        raise Http404
    return manages, mine


@login_required
@never_cache
def deliverables(request, slug: str):
    group = selectors.thematic_group_get(slug)
    manages, mine = _deliverables_viewer(request, group)
    members = [seat.organisation for seat in selectors.group_members(group)] if manages else mine
    return render(
        request,
        "thematic_groups/sessions/deliverables.html",
        {
            "group": group,
            "members": members,
            "rows": contributions.deliverable_board(group, members),
            "manages": manages,
            "mine": mine,
            # Its own organisation's deliverables are validated by someone else, even after a withdrawal.
            "represented": contributions.represented_organisation_ids(request.user),
        },
    )


@login_required
@never_cache
def deliverable_update(request, pk: int, organisation_pk: int):
    deliverable = get_object_or_404(Deliverable.objects.select_related("thematic_group"), pk=pk)
    _manages, mine = _deliverables_viewer(request, deliverable.thematic_group)
    organisation = next((o for o in mine if o.pk == organisation_pk), None)
    if organisation is None:
        raise Http404
    progress = DeliverableProgress.objects.filter(deliverable=deliverable, organisation=organisation).first()
    initial = {"state": progress.state, "comment": progress.comment} if progress else None
    form = DeliverableForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contributions.deliverable_progress_set(
                actor=request.user,
                deliverable=deliverable,
                organisation=organisation,
                state=form.cleaned_data["state"],
                comment=form.cleaned_data["comment"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("thematic_groups:deliverables", slug=deliverable.thematic_group.slug)
    return form_page(
        request,
        form,
        title=_("Deliverable: where %(organisation)s stands") % {"organisation": organisation.name},
        submit=_("Save"),
        back_url=reverse("thematic_groups:deliverables", args=[deliverable.thematic_group.slug]),
        crumbs=crumbs(group=deliverable.thematic_group),
        intro=[deliverable.title, deliverable.due_label],
    )


@login_required
@require_POST
def deliverable_validate(request, pk: int):
    progress = get_object_or_404(DeliverableProgress.objects.select_related("deliverable__thematic_group"), pk=pk)
    group = progress.deliverable.thematic_group
    if not staff_view_allowed(request, "thematic_groups.manage_sessions", group):
        raise Http404
    try:
        contributions.deliverable_validate(actor=request.user, progress=progress)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The deliverable is validated."))
    return redirect("thematic_groups:deliverables", slug=group.slug)


# --- calendars --------------------------------------------------------------------------------------------


def _token_for(user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def _groups_of(user) -> list[ThematicGroup]:
    """The GTs a person follows: where their organisation sits, and where they belong to the locomotive."""
    organisations = OrganisationRole.objects.filter(
        user=user, organisation__status__in=OrganisationStatus.member_states()
    ).values("organisation_id")
    return list(
        ThematicGroup.objects.filter(
            Q(
                assignments__organisation_id__in=organisations,
                assignments__status__in=AssignmentStatus.seat_holding(),
            )
            | Q(locomotive__user=user)
        )
        .distinct()
        .order_by("number")
    )


@login_required
@never_cache
def my_calendar(request):
    token = _token_for(request.user)
    groups = _groups_of(request.user)
    return render(request, "thematic_groups/sessions/my_calendar.html", {"token": token, "groups": groups})


@login_required
@require_POST
def calendar_renew(request):
    CalendarToken.objects.filter(user=request.user).delete()
    _token_for(request.user)
    messages.success(request, _("New calendar addresses are made; the previous ones no longer work."))
    return redirect("thematic_groups:my_calendar")


def _feed_owner(token: str):
    owner = CalendarToken.objects.select_related("user").filter(token=token).first()
    if owner is None or not owner.user.is_active:
        raise Http404
    return owner.user


def _ics(sessions, name: str) -> HttpResponse:
    response = HttpResponse(calendars.calendar_for(sessions, name=name), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


def calendar_feed(request, token: str):
    """The person's sessions in every GT they follow; the secret in the address is the only key."""
    user = _feed_owner(token)
    organisations = OrganisationRole.objects.filter(user=user).values("organisation_id")
    sessions = (
        Session.objects.filter(
            Q(thematic_group__in=_groups_of(user))
            # Sessions the person's organisation was invited to as an expert, once it accepted.
            | Q(guests__organisation_id__in=organisations, guests__status=GuestStatus.ACCEPTED)
        )
        .distinct()
        .exclude(status=SessionStatus.DRAFT)
        .select_related("thematic_group")
        .order_by("starts_at")
    )
    return _ics(sessions, "ASeT-W")


def calendar_group_feed(request, token: str, slug: str):
    user = _feed_owner(token)
    group = next((g for g in _groups_of(user) if g.slug == slug), None)
    if group is None:
        raise Http404
    sessions = (
        Session.objects.filter(thematic_group=group)
        .exclude(status=SessionStatus.DRAFT)
        .select_related("thematic_group")
        .order_by("starts_at")
    )
    return _ics(sessions, f"ASeT-W {group.short_name}")


@login_required
@never_cache
def deliverable_file(request, pk: int):
    """A member's deliverable: for the group's locomotive, the coordination and the member itself."""
    progress = get_object_or_404(DeliverableProgress.objects.select_related("deliverable__thematic_group"), pk=pk)
    own = progress.organisation_id in member_organisation_ids(request.user)
    manages = staff_view_allowed(request, "thematic_groups.manage_sessions", progress.deliverable.thematic_group)
    if not progress.file or not (own or manages):
        raise Http404
    return stored_file_response(progress.file, progress.file_name)


@login_required
@require_POST
def removal_cancel(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("thematic_group"), pk=pk)
    if not staff_view_allowed(request, "thematic_groups.manage_assignments"):
        raise Http404
    try:
        assignments.removal_cancel(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The removal is cancelled and the organisation is told."))
    return redirect("thematic_groups:attendance_overview", slug=assignment.thematic_group.slug)
