from datetime import date

import rules
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.roles import roles_held
from core import health
from core.convention import convention_with_anchors
from members.selectors import organisations_for_user
from thematic_groups.selectors import thematic_groups_list


@require_safe
def landing(request):
    return render(request, "core/landing.html", {"thematic_groups": thematic_groups_list()})


@login_required
@never_cache
def home(request):
    return render(
        request,
        "core/home.html",
        {
            "roles": roles_held(request.user),
            "organisations": organisations_for_user(request.user),
            # The steering committee holds a role but does not read the library: no link to a page it cannot open.
            "can_read_library": rules.test_rule("community.view_library", request.user),
        },
    )


@require_safe
@never_cache
def healthz(request):
    results = health.run_checks()
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503)


@require_safe
def convention(request):
    """The convention the applicant and the legal representative attest having read (form §6.1)."""
    body, headings = convention_with_anchors()
    return render(request, "core/convention.html", {"body": body, "headings": headings})


# When the portal was last evaluated for the accessibility statement (automated axe-core checks of every
# page per role, keyboard-only journeys); update it with each new evaluation.
ACCESSIBILITY_EVALUATED_ON = date(2026, 12, 7)
# The answer time the coordination commits to for an accessibility problem reported by a visitor.
ACCESSIBILITY_ANSWER_WORKING_DAYS = 10


@require_safe
def accessibility(request):
    """The accessibility statement required of public-sector websites (EU directive 2016/2102)."""
    return render(
        request,
        "core/accessibility.html",
        {
            "evaluated_on": ACCESSIBILITY_EVALUATED_ON,
            "answer_days": ACCESSIBILITY_ANSWER_WORKING_DAYS,
            "coordination_email": settings.COORDINATION_EMAIL,
        },
    )
