"""Background work on personal data: the "my data" file, its expiry, and the retention schedule."""

from celery import shared_task

from accounts.privacy import services


@shared_task(name="accounts.build_data_export")
def build_data_export(*, export_id: int) -> str:
    return services.data_export_build(export_id=export_id)


@shared_task(name="accounts.data_exports_expire")
def data_exports_expire() -> int:
    return services.data_exports_expire()


@shared_task(name="accounts.retention_apply")
def retention_apply() -> int:
    return services.retention_apply()
