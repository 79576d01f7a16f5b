"""Reporting data: actions and indicators, then the yearly campaigns, reports and exports."""

from reporting.models.actions import Action, Indicator, Lever
from reporting.models.reports import (
    ExportJob,
    Report,
    ReportEntry,
    ReportEvent,
    ReportingCampaign,
    ReportReminder,
)

__all__ = [
    "Action",
    "ExportJob",
    "Indicator",
    "Lever",
    "Report",
    "ReportEntry",
    "ReportEvent",
    "ReportReminder",
    "ReportingCampaign",
]
