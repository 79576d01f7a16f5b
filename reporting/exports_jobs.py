"""The consolidated PDF is long work: a job row the page watches, filled by a Celery task."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.audit import log_action
from reporting.enums import ExportKind, ExportStatus
from reporting.models import ExportJob

logger = logging.getLogger(__name__)


def export_request(*, actor, year: int, thematic_group=None) -> ExportJob:
    """Queue the annual consolidated PDF; the task starts once the job row is committed."""
    from reporting.tasks import build_consolidated_pdf

    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=ExportKind.CONSOLIDATED_PDF,
            year=year,
            thematic_group=thematic_group,
            requested_by=actor,
            step=gettext_noop("Waiting for a worker"),
        )
        log_action("reporting.export.requested", actor=actor, target=job, data={"year": year})
        transaction.on_commit(lambda: build_consolidated_pdf.delay(job_id=job.pk))
    return job


def _progress(job_id: int, percent: int, step: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=percent, step=step)


def export_build(*, job_id: int) -> str:
    """Build the file of a queued job; claimed by one conditional update so two workers never both run it."""
    from reporting import documents, evaluation

    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, progress=5, step=gettext_noop("Gathering the reports")
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("thematic_group").get(pk=job_id)
    try:
        data = evaluation.build(job.year, job.thematic_group)
        _progress(job.pk, 25, gettext_noop("Counting actions, indicators and needs"))
        pdf = documents.consolidated_pdf(data, progress=lambda percent, step: _progress(job.pk, percent, step))
        _progress(job.pk, 90, gettext_noop("Storing the file"))
        job.file.save(f"evaluation-{job.year}.pdf", ContentFile(pdf), save=False)
        job.status = ExportStatus.DONE
        job.progress = 100
        job.step = gettext_noop("Ready")
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "progress", "step", "finished_at"])
    except Exception as exc:  # noqa: BLE001 - the page must say it failed rather than wait for ever
        logger.exception("Consolidated PDF %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=exc.__class__.__name__, finished_at=timezone.now()
        )
        return "failed"
    return "done"
