"""The attendance sheet as PDF (to print and sign) and as a spreadsheet."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from adhesions.documents import french_date


def attendance_sheet_context(session, lines) -> dict:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return {
        "session": session,
        "lines": lines,
        "guests": list(session.guests.select_related("organisation").filter(status="accepted")),
        "date": french_date(start),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


def attendance_workbook(session, lines) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Présences"
    start = timezone.localtime(session.starts_at)
    sheet.append(["Groupe thématique", session.thematic_group.name])
    sheet.append(["Séance", session.title])
    sheet.append(["Date", start.strftime("%d/%m/%Y %H:%M")])
    sheet.append([])
    header = ["Organisation", "Délégué(e)", "Statut", "Personne présente", "Enregistrée à", "Note"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in lines:
        record = line.record
        sheet.append(
            [
                line.organisation.name,
                ", ".join(user.get_full_name() or user.email for user in line.delegates),
                line.status_label,
                (record.attendee.get_full_name() or record.attendee.email) if record and record.attendee else "",
                timezone.localtime(record.checked_in_at).strftime("%H:%M") if record and record.checked_in_at else "",
                record.note if record else "",
            ]
        )
    guests = list(session.guests.select_related("organisation").filter(status="accepted"))
    if guests:
        sheet.append([])
        sheet.append(["Experts invités (sans place)", "Expertise", "Présent"])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for guest in guests:
            present = {True: "Oui", False: "Non"}.get(guest.attended, "")
            sheet.append([guest.organisation.name, guest.topic, present])
    for index, width in enumerate([40, 30, 36, 28, 14, 40], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    output = BytesIO()
    book.save(output)
    return output.getvalue()
