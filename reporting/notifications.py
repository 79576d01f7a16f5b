"""E-mails of the yearly reporting, through the outbox, in each recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from core.outbox import email_queue
from members.enums import OrganisationRoleType
from reporting.enums import ReportStatus


def report_people(organisation) -> list:
    """Who fills the report in: the contact point and the delegates, each once (the legal representative when
    nobody else is named)."""
    roles = list(organisation.roles.select_related("user").filter(user__is_active=True))
    chosen = [
        role.user for role in roles if role.role in (OrganisationRoleType.CONTACT_POINT, OrganisationRoleType.DELEGATE)
    ]
    if not chosen:
        chosen = [role.user for role in roles if role.role == OrganisationRoleType.LEGAL_REPRESENTATIVE]
    return list({user.pk: user for user in chosen}.values())


def _context(report) -> dict:
    return {
        "organisation_name": report.organisation.name,
        "year": report.campaign.year,
        "deadline": report.campaign.deadline,
        "report_url": settings.SITE_URL + reverse("reporting:report", args=[report.pk]),
        "return_comment": report.return_comment,
        "has_previous": report.organisation.reports.filter(campaign__year__lt=report.campaign.year).exists(),
    }


def _send(report, template: str, *, key: str | None = None, extra: dict | None = None) -> None:
    context = {**_context(report), **(extra or {})}
    for user in report_people(report.organisation):
        email_queue(
            to=user.email,
            template=f"reporting/{template}",
            context={**context, "first_name": user.first_name},
            recipient=user,
            key=f"{key}:{user.pk}" if key else None,
        )


def campaign_opened(report) -> None:
    _send(report, "campaign_opened", key=f"reporting:opened:{report.pk}")


def reminder(report, *, kind: str, days_left: int) -> None:
    _send(
        report,
        "reminder",
        key=f"reporting:reminder:{report.pk}:{kind}",
        extra={"days_left": days_left, "returned": report.status == ReportStatus.RETURNED},
    )


def returned(report) -> None:
    _send(report, "returned")


def accepted(report) -> None:
    _send(report, "accepted")
