"""The figures of the evaluation page, kept as rendered HTML until something they count changes.

With ten thousand members the evaluation reads every report entry of the year and the page lists every member
who may be cited: seconds of work. The cached copy is keyed by a fingerprint of what the figures read, taken
with a few grouped queries, so an accepted report, a new consent, a renamed member or group, or a closed
attendance list shows at once. Whatever the fingerprint may still miss shows within ``FIGURES_SECONDS``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from members.models import Organisation
from reporting import evaluation
from reporting.models import ReportEntry, ReportingCampaign
from thematic_groups.models import Attendance, Session, ThematicGroup

FIGURES_SECONDS = 600
# Part of the cache key: bump it whenever the figures' template or what they show changes.
FIGURES_VERSION = 1


def fingerprint(year: int, group: ThematicGroup | None) -> str:
    parts = [
        FIGURES_VERSION,
        settings.REPORTING_MIN_REPORTS,
        year,
        group.pk if group else None,
        get_language(),
        # The year's campaign if any, and each of its reports with the name and type its member is cited under.
        list(
            ReportingCampaign.objects.filter(year=year)
            .order_by("reports__pk")
            .values_list(
                "pk",
                "status",
                "reports__pk",
                "reports__status",
                "reports__revision",
                "reports__consent_recorded_at",
                "reports__updated_at",
                "reports__organisation__name",
                "reports__organisation__type",
            )
        ),
        ReportEntry.objects.filter(report__campaign__year=year).aggregate(count=Count("pk"), last=Max("pk")),
        list(Organisation.objects.order_by().values_list("status", "type").annotate(count=Count("pk"))),
        # Every group with its names, and its seats counted by status.
        list(
            ThematicGroup.objects.order_by("pk", "assignments__status")
            .values_list("pk", "name", "short_name", "assignments__status")
            .annotate(count=Count("assignments"), last=Max("assignments__decided_at"))
        ),
        list(
            Session.objects.order_by()
            .values_list("status")
            .annotate(count=Count("pk"), closed=Max("attendance_closed_at"))
        ),
        Attendance.objects.aggregate(count=Count("pk"), updated=Max("updated_at")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def figures(year: int, group: ThematicGroup | None) -> SafeString:
    from reporting.documents import evaluation_charts

    key = f"reporting:evaluation-figures:{fingerprint(year, group)}"
    html = cache.get(key)
    if html is None:
        data = evaluation.build(year, group)
        html = render_to_string(
            "reporting/_evaluation_figures.html", {"evaluation": data, "charts": evaluation_charts(data)}
        )
        cache.set(key, html, FIGURES_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, with autoescaping
