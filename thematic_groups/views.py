import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.rules import staff_view_allowed
from thematic_groups import selectors, services
from thematic_groups.forms import ThematicGroupForm


def group_list(request):
    return render(request, "thematic_groups/list.html", {"groups": selectors.thematic_groups_list()})


def group_detail(request, slug: str):
    group = selectors.thematic_group_get(slug)
    context = {"group": group, "deliverables": list(group.deliverables.all())}
    if rules.test_rule("thematic_groups.view_members", request.user):
        context["locomotive"] = selectors.locomotive_of(group)
        context["delegations"] = selectors.member_delegations_of(group)
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
