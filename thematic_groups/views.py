import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import member_organisation_ids
from accounts.rules import staff_view_allowed
from thematic_groups import assignments, selectors, services
from thematic_groups.enums import AssignmentStatus
from thematic_groups.forms import ThematicGroupForm
from thematic_groups.models import Assignment
from thematic_groups.pages import show_refusal


def group_list(request):
    return render(request, "thematic_groups/list.html", {"groups": selectors.thematic_groups_list()})


def group_detail(request, slug: str):
    group = selectors.thematic_group_get(slug)
    context = {"group": group, "deliverables": list(group.deliverables.all())}
    if rules.test_rule("thematic_groups.view_members", request.user):
        context["locomotive"] = selectors.locomotive_of(group)
        context["members"] = selectors.group_members(group)
        manages = staff_view_allowed(request, "thematic_groups.manage_sessions", group)
        context["manages"] = manages
        context["sessions"] = selectors.group_sessions(group, with_drafts=manages)
        context["now"] = timezone.now()
        context["seated"] = Assignment.objects.filter(
            thematic_group=group,
            status=AssignmentStatus.ASSIGNED,
            organisation_id__in=member_organisation_ids(request.user),
        ).exists()
    return render(request, "thematic_groups/detail.html", context)


@login_required
@never_cache
def group_edit(request, slug: str):
    group = selectors.thematic_group_get(slug)
    if not staff_view_allowed(request, "thematic_groups.change_group", group):
        raise Http404
    form = ThematicGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.thematic_group_update(actor=request.user, group=group, **changes)
        messages.success(request, _("The thematic group has been updated."))
        return redirect(group.get_absolute_url())
    return render(request, "thematic_groups/edit.html", {"group": group, "form": form})


@login_required
@never_cache
def my_places(request):
    """Where the user's organisations stand in the GTs: seats, offers to answer, waiting list positions."""
    places = selectors.organisation_places(member_organisation_ids(request.user))
    waiting_positions = {}
    for place in places:
        if place.status == AssignmentStatus.WAITING:
            waiting_positions[place.pk] = assignments.waiting_position(place)
    return render(request, "thematic_groups/my_places.html", {"places": places, "waiting_positions": waiting_positions})


@login_required
@require_POST
def offer_answer(request, pk: int):
    place = (
        Assignment.objects.select_related("organisation", "thematic_group")
        .filter(pk=pk, organisation_id__in=member_organisation_ids(request.user))
        .first()
    )
    if place is None:
        raise Http404
    accept = request.POST.get("answer") == "accept"
    try:
        assignments.offer_answer(actor=request.user, assignment=place, accept=accept)
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("thematic_groups:my_places")
    if accept:
        messages.success(request, _("The seat in %(group)s is yours.") % {"group": place.thematic_group.name})
    else:
        messages.info(
            request,
            _("You declined the seat in %(group)s; it goes to the next organisation.")
            % {"group": place.thematic_group.name},
        )
    return redirect("thematic_groups:my_places")
