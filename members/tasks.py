"""Periodic work of the membership lifecycle."""

from celery import shared_task

from members import lifecycle


@shared_task(name="members.withdrawals_apply")
def withdrawals_apply() -> int:
    return lifecycle.withdrawals_apply()
