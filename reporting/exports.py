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
    return [
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
                    item.unit,
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
            ]
            + [
                [
                    _("%(count)s other reports, not cited by name (art 8)") % {"count": evaluation.anonymous_reports},
                    "",
                    "",
                    "",
                    "",
                ]
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


def evaluation_csv(evaluation: Evaluation) -> str:
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    writer.writerow([_("Topic"), _("Item"), _("Detail"), _("Value")])
    for title, _header, rows in topics(evaluation):
        for row in rows:
            values = [str(value) if value is not None else "" for value in row]
            writer.writerow([_safe(str(title)), _safe(values[0]), _safe(" · ".join(values[1:-1])), _safe(values[-1])])
    return "\ufeff" + output.getvalue()  # a BOM, so that Excel reads the accents right
