"""The pages the benchmark measures, who reads each one, and the in-process measures (query counts, exports).

Imported by ``bench/run.py`` in subprocesses that have Django set up against one database.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time

# Requests per page timed in-process, after the measured one: the median is the page's own cost, without the
# queueing of a loaded server.
REPEAT = 5

# (name, role that reads it, URL builder over the looked-up objects)
PAGES = [
    ("home", "delegate", lambda ids: "/accueil/"),
    ("gt_page", "delegate", lambda ids: f"/gt/{ids['group_slug']}/"),
    ("library_search", "delegate", lambda ids: "/bibliotheque/?q=bilan+carbone"),
    ("signatories", "delegate", lambda ids: "/signataires/"),
    ("board", "coordinator", lambda ids: "/gt/tableau/"),
    ("group_board", "coordinator", lambda ids: f"/gt/tableau/{ids['group_slug']}/"),
    ("attendance", "pilot", lambda ids: f"/gt/seances/{ids['session']}/liste/"),
    ("evaluation", "coordinator", lambda ids: "/rapportage/evaluation/"),
    ("admin_adhesions", "coordinator", lambda ids: "/admin/adhesions/adhesion/"),
]


def lookup() -> dict:
    """The objects the pages are about: the first GT, its latest session, a bench delegate's report."""
    from core.scale import bench_email
    from reporting.models import Report
    from thematic_groups.models import Session, ThematicGroup

    group = ThematicGroup.objects.order_by("number").first()
    session = Session.objects.filter(thematic_group=group).order_by("-starts_at").first()
    report = (
        Report.objects.filter(organisation__roles__user__email=bench_email("delegate", 1))
        .order_by("-campaign__year")
        .first()
    )
    return {"group_slug": group.slug, "session": session.pk, "report": report.pk if report else None}


def urls(ids: dict) -> dict[str, dict]:
    return {name: {"role": role, "url": build(ids)} for name, role, build in PAGES}


def _signed_in_client(role: str):
    """A test client signed in as the bench account of ``role``, with the second factor recorded for staff."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from django.contrib.auth import get_user_model
    from django.test import Client

    from core.scale import bench_email

    user = get_user_model().objects.get(email=bench_email(role, 1))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def query_counts() -> dict:
    """Each page's number of SQL queries on the second request (the first fills the per-process caches), and
    the median time of the next ones."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ids = lookup()
    clients: dict = {}
    counts, timings, in_process = {}, {}, {}
    for name, page in urls(ids).items():
        if page["role"] not in clients:
            clients[page["role"]] = _signed_in_client(page["role"])
        client = clients[page["role"]]
        started = time.perf_counter()
        first = client.get(page["url"])
        timings[name] = round((time.perf_counter() - started) * 1000)
        if first.status_code != 200:
            raise SystemExit(f"{name}: {page['url']} answered {first.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(page["url"])
        counts[name] = len(queries)
        durations = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(page["url"])
            durations.append((time.perf_counter() - started) * 1000)
        in_process[name] = round(statistics.median(durations), 1)
    health = Client(HTTP_HOST="127.0.0.1")
    health.get("/healthz")
    durations = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        health.get("/healthz")
        durations.append((time.perf_counter() - started) * 1000)
    in_process["healthz"] = round(statistics.median(durations), 1)
    return {
        "ids": ids,
        "urls": urls(ids),
        "queries": counts,
        "first_request_ms": timings,
        "in_process_median_ms": in_process,
    }


def export(kind: str) -> dict:
    """Time one export in this fresh process; its peak memory is the process's maximum resident size."""
    from reporting import documents, evaluation, exports, selectors

    started = time.perf_counter()
    if kind == "member_pdf":
        report = selectors.report_with_entries(lookup()["report"])
        size = len(documents.report_pdf(report))
        # The first PDF of a process also loads WeasyPrint's fonts; a server's worker has done that already.
        first = time.perf_counter() - started
        started = time.perf_counter()
        size = len(documents.report_pdf(selectors.report_with_entries(report.pk)))
        detail = f"{report.entries.count()} actions; first PDF of the process {first:.2f} s"
    elif kind == "consolidated_pdf":
        data = evaluation.build()
        size = len(documents.consolidated_pdf(data))
        detail = f"{data.reports_total} reports, {len(data.named)} members cited"
    elif kind == "xlsx":
        data = evaluation.build()
        size = len(exports.evaluation_workbook(data))
        detail = f"{data.reports_total} reports"
    else:
        raise SystemExit(f"unknown export {kind}")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 2), "peak_mb": round(peak_mb), "bytes": size, "detail": detail}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[0] == "queries":
        print(json.dumps(query_counts()))
    elif argv[0] == "export":
        print(json.dumps(export(argv[1])))
    elif argv[0] == "seeded":
        from core.scale import is_seeded

        print(json.dumps(is_seeded()))


if __name__ == "__main__":
    main(sys.argv[1:])
