"""The consolidated evaluation as a workbook (one sheet per topic) and as one flat CSV file.

Both come from ``evaluation.build``, which already keeps out the names and words of members that did not
consent (art 8). Cells that start like a formula are written as text, so a member's words never run.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reporting.evaluation import Evaluation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _number(value):
    return float(value) if value is not None else None


def topics(evaluation: Evaluation) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, header, rows) for every topic of the evaluation."""
    group_rows = [[group.short_name, hospitals, elder] for group, hospitals, elder in evaluation.members_by_group]
    if evaluation.withheld:
        summary = [[_("Detailed figures withheld: too few reports, some not citable (art 8)"), ""]]
    else:
        summary = [
            [_("Reports handed in"), evaluation.reports_handed_in],
            [_("Reports expected"), evaluation.reports_total],
            [_("Actions reported"), evaluation.actions_total],
            [_("Reports counted without being cited (art 8)"), evaluation.anonymous_reports],
        ]
    summary.append([_("Members cited by name"), len(evaluation.named)])
    summary += [
        [_("Left out of the detailed figures (too few citable reports, art 8)"), group.short_name]
        for group in evaluation.left_out_groups
    ]
    return [
        (_("Summary"), [_("Figure"), _("Value")], summary),
        (_("Members"), [_("Type"), _("Members")], [[row.label, row.value] for row in evaluation.members_by_type]),
        (_("Seats"), [_("Group"), _("Hospitals"), _("Elder-care homes")], group_rows),
        (_("Reports"), [_("State"), _("Reports")], [[row.label, row.value] for row in evaluation.completion]),
        (
            _("Actions by status"),
            [_("Status"), _("Actions")],
            [[row.label, row.value] for row in evaluation.actions_by_status],
        ),
        (
            _("Actions by group"),
            [_("Group"), _("Actions")],
            [[row.label, row.value] for row in evaluation.actions_by_group],
        ),
        (
            _("Actions by lever"),
            [_("Lever"), _("Actions")],
            [[row.label, row.value] for row in evaluation.actions_by_lever],
        ),
        (
            _("Indicators"),
            [
                _("Indicator"),
                _("Unit"),
                _("Actions"),
                _("Baseline"),
                _("Reported value"),
                _("Target"),
                _("Progress (%)"),
            ],
            [
                [
                    item.name,
                    f"{item.unit} ({_('average')})" if item.averaged else item.unit,
                    item.actions,
                    _number(item.baseline),
                    _number(item.value),
                    _number(item.target),
                    item.progress_percent,
                ]
                for item in evaluation.indicators
            ],
        ),
        (_("Obstacles"), [_("Obstacle"), _("Mentions")], [[row.label, row.value] for row in evaluation.obstacles]),
        (_("Needs"), [_("Need"), _("Mentions")], [[row.label, row.value] for row in evaluation.needs]),
        (
            _("Attendance"),
            [_("Group"), _("Seats"), _("Sessions held"), _("Attendance rate (%)")],
            [
                [item.group.short_name, item.seats, item.sessions_held, item.rate_percent]
                for item in evaluation.attendance
            ],
        ),
        (
            _("Members cited"),
            [_("Member"), _("Type"), _("Action"), _("Group"), _("Status")],
            [
                [
                    member.name,
                    member.type_label,
                    entry.title,
                    entry.thematic_group.short_name if entry.thematic_group else "",
                    entry.get_status_display(),
                ]
                for member in evaluation.named
                for entry in member.actions
            ],
        ),
    ]


def evaluation_workbook(evaluation: Evaluation) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in topics(evaluation):
        sheet = book.create_sheet(title=str(title)[:31])
        sheet.append([str(cell) for cell in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(
                [_safe(str(value)) if not isinstance(value, int | float | type(None)) else value for value in row]
            )
        for index, _cell in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 18 if index > 1 else 42
        sheet.freeze_panes = "A2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int):
        # French spreadsheets read a decimal comma in a semicolon-separated file.
        return str(value).replace(".", ",") if isinstance(value, float) else str(value)
    return _safe(str(value))


def evaluation_csv(evaluation: Evaluation) -> str:
    """One line per figure: topic, item, measure, value; the layout every spreadsheet can pivot."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    writer.writerow([_("Topic"), _("Item"), _("Measure"), _("Value")])
    for title, header, rows in topics(evaluation):
        for row in rows:
            for measure, value in zip(header[1:], row[1:], strict=False):
                writer.writerow([_safe(str(title)), _csv_value(row[0]), _safe(str(measure)), _csv_value(value)])
    return "\ufeff" + output.getvalue()  # a BOM, so that Excel reads the accents right
