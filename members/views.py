from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from members.selectors import organisation_get_for_user


@login_required
@never_cache
def organisation_detail(request, pk: int):
    organisation = organisation_get_for_user(request.user, pk)
    return render(request, "members/organisation_detail.html", {"organisation": organisation})
