"""Readiness checks behind /healthz."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - the health page reports any failure
        return False, type(exc).__name__
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    try:
        cache.set("healthz", "ok", 10)
        ok = cache.get("healthz") == "ok"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    return ok, "ok" if ok else "value not read back"


def check_broker() -> tuple[bool, str]:
    if settings.TASKS_IN_PROCESS:
        return True, "in-process"
    from asetw.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    return True, "reachable"


def check_migrations() -> tuple[bool, str]:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    if plan:
        return False, f"{len(plan)} pending"
    return True, "up to date"


def run_checks() -> dict[str, dict[str, object]]:
    checks = {
        "database": check_database,
        "cache": check_cache,
        "broker": check_broker,
        "migrations": check_migrations,
    }
    results = {}
    for name, check in checks.items():
        ok, detail = check()
        results[name] = {"ok": ok, "detail": detail}
    return results
