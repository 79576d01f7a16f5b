"""The report as read back (page and PDF) and the annual consolidated report (PDF), in French."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.pdf import render_pdf
from reporting import charts
from reporting.evaluation import Evaluation
from reporting.forms import readable_number
from reporting.questions import CHOICE, MULTIPLE, Template, template_for


@dataclass(frozen=True)
class Answer:
    label: str
    value: str


def _display(question, value) -> str:
    if question.kind == MULTIPLE:
        labels = dict(question.choices.choices)
        return ", ".join(str(labels.get(item, item)) for item in (value or []))
    if question.kind == CHOICE:
        return str(dict(question.choices.choices).get(value, "")) if value else ""
    return (value or "").strip()


def report_answers(report, template: Template | None = None) -> dict:
    """The answers with their questions' labels, per action then general, for reading back."""
    template = template or template_for(report.template_version)
    entries = []
    for entry in report.entries.all():
        answers = [Answer(str(q.label), _display(q, entry.answers.get(q.key))) for q in template.action_questions]
        indicators = [
            Answer(
                f"{values.get('name', '')} ({values.get('unit', '')})",
                readable_number(values.get("value")) if values.get("value") not in (None, "") else "",
            )
            for values in entry.indicator_values.values()
        ]
        entries.append({"entry": entry, "answers": answers, "indicators": indicators})
    general = [Answer(str(q.label), _display(q, report.general_answers.get(q.key))) for q in template.general_questions]
    return {"entries": entries, "general": general}


def report_pdf(report) -> bytes:
    title = f"Rapport annuel {report.campaign.year} – {report.organisation.name}"
    with translation.override("fr"):
        context = {
            "report": report,
            "answers": report_answers(report),
            "printed_on": date_format(timezone.localdate(), "DATE_FORMAT"),
        }
    return render_pdf("reporting/pdf/report.html", context, title=title)


def evaluation_charts(evaluation: Evaluation) -> dict:
    """The charts of the evaluation, shared by the dashboard and the PDF."""
    return {
        "members": charts.bar_chart(_("Members by type"), evaluation.members_by_type),
        "completion": charts.bar_chart(_("Reports by state"), evaluation.completion),
        "status": charts.bar_chart(_("Actions by status"), evaluation.actions_by_status),
        "groups": charts.bar_chart(_("Actions by thematic group"), evaluation.actions_by_group),
        "levers": charts.bar_chart(_("Actions by lever"), evaluation.actions_by_lever[:12]),
        "obstacles": charts.bar_chart(_("Most frequent obstacles"), evaluation.obstacles[:10]),
        "needs": charts.bar_chart(_("Most frequent needs"), evaluation.needs[:10]),
    }


def consolidated_pdf(evaluation: Evaluation, progress: Callable[[int, str], None] | None = None) -> bytes:
    progress = progress or (lambda percent, step: None)
    progress(40, gettext_noop("Drawing the charts"))
    with translation.override("fr"):
        context = {
            "evaluation": evaluation,
            "charts": evaluation_charts(evaluation),
            "printed_on": date_format(timezone.localdate(), "DATE_FORMAT"),
        }
    progress(60, gettext_noop("Laying out the PDF"))
    scope = f" – GT {evaluation.group.short_name}" if evaluation.group else ""
    return render_pdf(
        "reporting/pdf/consolidated.html",
        context,
        title=f"Évaluation annuelle consolidée {evaluation.year}{scope} – ASeT-W",
    )
