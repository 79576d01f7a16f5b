"""Runs the periodic jobs in this process, for the embedded setup that has no Celery beat.

With Redis, `celery -A asetw beat` does this job and this command is not needed.
"""

import logging
import time
from datetime import timedelta

from celery.schedules import schedule as every
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from asetw.celery import app

logger = logging.getLogger(__name__)


def _as_schedule(value):
    if isinstance(value, (int, float)):
        return every(run_every=timedelta(seconds=value))
    if isinstance(value, timedelta):
        return every(run_every=value)
    return value


class Command(BaseCommand):
    help = "Run the periodic jobs (outbox sweep, purges…) in-process; for the embedded setup."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and stop.")

    def handle(self, *args, once: bool = False, **options):
        app.loader.import_default_modules()
        jobs = {
            name: (entry["task"], _as_schedule(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        last_run = dict.fromkeys(jobs, timezone.now() - timedelta(days=365))
        self.stdout.write(f"Periodic jobs running in-process: {', '.join(sorted(jobs))}")
        while True:
            wait = 30.0
            for name, (task_name, schedule) in jobs.items():
                due, next_in = schedule.is_due(last_run[name])
                if due or once:
                    self._run(name, task_name)
                    last_run[name] = timezone.now()
                    due, next_in = schedule.is_due(last_run[name])
                wait = min(wait, max(float(next_in), 1.0))
            if once:
                return
            time.sleep(wait)

    def _run(self, name: str, task_name: str) -> None:
        try:
            result = app.tasks[task_name].apply().get(propagate=True)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("Periodic job %s failed", name)
            return
        logger.info("Periodic job %s: %s", name, result)
