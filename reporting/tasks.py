"""Background work of the reporting: reminders (periodic) and the consolidated PDF."""

from celery import shared_task

from reporting import exports_jobs, reports


@shared_task(name="reporting.report_reminders")
def report_reminders() -> int:
    return reports.report_reminders_send()


@shared_task(name="reporting.build_consolidated_pdf")
def build_consolidated_pdf(*, job_id: int) -> str:
    return exports_jobs.export_build(job_id=job_id)
