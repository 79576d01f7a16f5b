"""The figures of the evaluation page, kept as rendered HTML until something they count changes.

With ten thousand members the evaluation reads every report entry of the year and the page lists every member
who may be cited: seconds of work. The cached copy is keyed by a fingerprint of what the figures read, taken
with a few aggregate queries, so an accepted report, a new consent or a closed attendance list shows at once.
What the fingerprint does not see (a renamed organisation or group) shows within ``FIGURES_SECONDS``.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from members.models import Organisation
from reporting import evaluation
from reporting.models import Report, ReportEntry
from thematic_groups.models import Assignment, Attendance, Session, ThematicGroup

FIGURES_SECONDS = 600


def fingerprint(year: int, group: ThematicGroup | None) -> str:
    reports = Report.objects.filter(campaign__year=year)
    parts = [
        year,
        group.pk if group else None,
        get_language(),
        reports.aggregate(
            count=Count("pk"),
            revisions=Sum("revision"),
            consent=Max("consent_recorded_at"),
            updated=Max("updated_at"),
        ),
        ReportEntry.objects.filter(report__campaign__year=year).aggregate(count=Count("pk"), last=Max("pk")),
        list(Organisation.objects.order_by().values_list("status", "type").annotate(count=Count("pk"))),
        list(Assignment.objects.order_by().values_list("status").annotate(count=Count("pk"), last=Max("decided_at"))),
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
