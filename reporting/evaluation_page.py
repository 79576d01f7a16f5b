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
from django.db import connection
from django.db.models import Count, Max, TextField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from members.models import Organisation
from reporting import evaluation
from reporting.models import Report, ReportEntry, ReportingCampaign
from thematic_groups.models import Attendance, Session, ThematicGroup

FIGURES_SECONDS = 600
# Part of the cache key: bump it whenever the figures' template or what they show changes.
FIGURES_VERSION = 1


def _reports_digest(year: int):
    """The year's reports with the status, revision, consent and the name and type each member is cited under,
    in one row: listing thousands of reports on every view would cost more than the figures save."""
    reports = Report.objects.filter(campaign__year=year)
    totals = {"count": Count("pk"), "consent": Max("consent_recorded_at"), "updated": Max("updated_at")}
    if connection.vendor != "postgresql":
        # The embedded setup holds a few reports: the list itself is small.
        rows = reports.order_by("pk").values_list(
            "pk", "status", "revision", "organisation__name", "organisation__type"
        )
        return reports.aggregate(**totals), list(rows)
    from django.contrib.postgres.aggregates import StringAgg

    text = TextField()
    row = Concat(
        Cast("pk", text),
        Value("|"),
        "status",
        Value("|"),
        Cast("revision", text),
        Value("|"),
        "organisation__name",
        Value("|"),
        "organisation__type",
        output_field=text,
    )
    return reports.aggregate(**totals, digest=MD5(StringAgg(row, delimiter="\n", order_by="pk")))


def fingerprint(year: int, group: ThematicGroup | None) -> str:
    parts = [
        FIGURES_VERSION,
        settings.REPORTING_MIN_REPORTS,
        year,
        group.pk if group else None,
        get_language(),
        list(ReportingCampaign.objects.filter(year=year).values_list("pk", "status")),
        _reports_digest(year),
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
