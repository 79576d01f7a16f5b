"""The answers laid out for reading: the "check your answers" page and the signing page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from adhesions.enums import ContributionOption
from adhesions.forms import TRANSVERSAL
from adhesions.steps import steps_for
from members.enterprise_number import format_enterprise_number
from members.enums import OrganisationType
from thematic_groups.models import ThematicGroup


@dataclass
class Section:
    slug: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def _person_rows(person: dict) -> list[tuple[str, str]]:
    return [
        (_("Name"), f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()),
        (_("Function"), person.get("function", "")),
        (_("E-mail"), person.get("email", "")),
        (_("Phone"), person.get("phone", "")),
    ]


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


def review_sections(adhesion) -> list[Section]:
    answers = adhesion.answers
    groups = {group.slug: group for group in ThematicGroup.objects.order_by("number")}
    sections = []
    for step in steps_for(adhesion.organisation_type):
        section = Section(step.slug, str(step.title))
        data = answers.get(step.section) or {}
        if step.section == "organisation":
            section.rows = [
                (_("Official name"), data.get("name", "")),
                (_("Legal form"), data.get("legal_form", "")),
                (_("Type"), str(OrganisationType(data["type"]).label) if data.get("type") else ""),
                (_("Precision"), data.get("type_precision", "")),
                (_("Enterprise number"), format_enterprise_number(data.get("enterprise_number", ""))),
                (
                    _("Registered office"),
                    f"{data.get('street', '')}, {data.get('postal_code', '')} {data.get('city', '')}",
                ),
                (_("Website"), data.get("website", "")),
            ]
        elif step.section in {"legal_representative"}:
            section.rows = _person_rows(data)
        elif step.section == "contact_point":
            if data.get("same_as_legal_representative"):
                section.rows = [(_("Contact point"), _("The legal representative"))]
            else:
                section.rows = _person_rows(data)
        elif step.section == "groups":
            for slug in data.get("choices", []):
                person = data.get("delegates", {}).get(slug, {})
                name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()
                section.rows.append(
                    (
                        groups[slug].name,
                        _("Delegate: %(name)s, %(function)s, %(email)s")
                        % {"name": name, "function": person.get("function", ""), "email": person.get("email", "")},
                    )
                )
        elif step.section == "actions":
            for slug, values in data.items():
                if values.get("option") == ContributionOption.TWO_ACTIONS:
                    text = _("Option 1 — action 1: %(one)s — action 2: %(two)s") % {
                        "one": values.get("action_1", ""),
                        "two": values.get("action_2", ""),
                    }
                else:
                    text = str(ContributionOption.NOT_DEFINED.label)
                section.rows.append((groups[slug].name if slug in groups else slug, text))
        elif step.section == "ecosystem":
            themes = [
                groups[slug].name if slug in groups else _("Transversal theme")
                for slug in data.get("expertise_themes", [])
                if slug in groups or slug == TRANSVERSAL
            ]
            section.rows = [
                (_("Contributions to the learning network"), data.get("contributions", "")),
                (_("Expertise"), data.get("expertise", "")),
                (_("Themes"), ", ".join(themes)),
                (_("Internal action"), data.get("internal_action_description", "") or _yes_no(False)),
                (_("With final beneficiaries"), _yes_no(data.get("internal_action_with_final_beneficiaries"))),
            ]
        elif step.section == "initiatives":
            section.rows = [
                (_("Description"), data.get("description", "")),
                (_("Link"), data.get("link", "")),
                (_("Attached file"), data.get("file_name", "")),
            ]
        elif step.section == "privacy":
            section.rows = [
                (_("Privacy notice read"), _yes_no(data.get("notice_acknowledged"))),
                (_("Consent to be named (art 8)"), _yes_no(data.get("nominative_consent"))),
            ]
        sections.append(section)
    return sections
