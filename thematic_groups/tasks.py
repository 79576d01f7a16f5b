"""Periodic work of the GTs; each job claims its items so two workers never act twice."""

from celery import shared_task

from thematic_groups import assignments, deadlines, sessions


@shared_task(name="thematic_groups.assignment_deadline_reminders")
def assignment_deadline_reminders() -> int:
    return deadlines.assignment_deadline_reminders_send()


@shared_task(name="thematic_groups.seat_offers_expire")
def seat_offers_expire() -> int:
    return assignments.expired_offers_release()


@shared_task(name="thematic_groups.removals_apply")
def removals_apply() -> int:
    return assignments.due_removals_apply()


@shared_task(name="thematic_groups.session_reminders")
def session_reminders() -> int:
    return sessions.session_reminders_send()
