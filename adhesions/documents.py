"""The PDF documents of the adhesion: the official form as filled in, and the membership certificate.

Both are legal documents in the convention's language, so their text is French whatever the
reader's interface language.
"""

from __future__ import annotations

import datetime

from django.utils import timezone, translation
from django.utils.formats import date_format

from core.pdf import render_pdf
from members.enterprise_number import format_enterprise_number
from thematic_groups.models import ThematicGroup

FORM_TITLE = "Formulaire d’adhésion – ASeT-W (2026-2029)"
CERTIFICATE_TITLE = "Attestation d’adhésion – ASeT-W"

# The form's own labels (§1), not the portal's translated choices.
ORGANISATION_TYPES = {
    "hospital": "Hôpital (bénéficiaire final)",
    "elder_care": "Établissement pour aînés (bénéficiaire final)",
    "other": "Autre acteur de l’écosystème de santé",
}
TRANSVERSAL_THEME = "Transversal (toutes les thématiques)"
PERSON_FIELDS = {
    "last_name": "Nom",
    "first_name": "Prénom",
    "function": "Fonction",
    "email": "E-mail",
    "phone": "Téléphone",
}


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _person(value) -> dict:
    data = _dict(value)
    person = {field: str(data.get(field) or "").strip() for field in PERSON_FIELDS}
    person["full_name"] = f"{person['first_name']} {person['last_name']}".strip()
    # The templates print every person the same way, as the form's list of fields.
    person["rows"] = [(label, person[field]) for field, label in PERSON_FIELDS.items()]
    return person


def _load_groups(slugs) -> dict[str, ThematicGroup]:
    if not slugs:
        return {}
    return {group.slug: group for group in ThematicGroup.objects.filter(slug__in=set(slugs))}


def _ordered(slugs, groups: dict[str, ThematicGroup]) -> list[str]:
    """Known groups in their annex order, then any slug the database does not know (shown as is)."""
    unique = list(dict.fromkeys(slug for slug in slugs if isinstance(slug, str)))
    return sorted(unique, key=lambda slug: (groups[slug].number, "") if slug in groups else (99, slug))


def _group_name(slug: str, groups: dict[str, ThematicGroup]) -> str:
    group = groups.get(slug)
    return group.name if group else slug


def _type_label(type_code: str, precision: str = "") -> str:
    label = ORGANISATION_TYPES.get(type_code, type_code)
    return f"{label} – {precision}" if type_code == "other" and precision else label


def french_date(value: datetime.date | datetime.datetime) -> str:
    """``23 novembre 2026``; ``1er`` for the first day of the month, as French writes it."""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    with translation.override("fr"):
        month_year = date_format(value, "F Y")
    return f"{'1er' if value.day == 1 else value.day} {month_year}"


def adhesion_document_pdf(adhesion) -> bytes:
    answers = _dict(adhesion.answers)
    organisation = _dict(answers.get("organisation"))
    contact = _dict(answers.get("contact_point"))
    groups_answer = _dict(answers.get("groups"))
    actions = _dict(answers.get("actions"))
    ecosystem = _dict(answers.get("ecosystem"))
    initiatives = _dict(answers.get("initiatives"))
    privacy = _dict(answers.get("privacy"))

    is_final_beneficiary = adhesion.is_final_beneficiary
    # A type changed mid-way may leave the other category's answers behind: they are not part of this form.
    choices = _list(groups_answer.get("choices")) if is_final_beneficiary else []
    themes = [] if is_final_beneficiary else _list(ecosystem.get("expertise_themes"))
    groups = _load_groups([*choices, *themes])
    delegates = _dict(groups_answer.get("delegates"))

    chosen_groups = []
    for slug in _ordered(choices, groups):
        action = _dict(actions.get(slug))
        chosen_groups.append(
            {
                "name": _group_name(slug, groups),
                "delegate": _person(delegates.get(slug)),
                "option": str(action.get("option") or ""),
                "action_1": str(action.get("action_1") or "").strip(),
                "action_2": str(action.get("action_2") or "").strip(),
            }
        )
    theme_names = [
        TRANSVERSAL_THEME if slug == "transversal" else _group_name(slug, groups) for slug in _ordered(themes, groups)
    ]
    type_code = adhesion.organisation_type or str(organisation.get("type") or "")
    enterprise_number = str(organisation.get("enterprise_number") or "")
    link = str(initiatives.get("link") or "").strip()

    context = {
        "reference": adhesion.reference,
        "version": adhesion.version,
        "organisation": organisation,
        "organisation_type": _type_label(type_code, str(organisation.get("type_precision") or "")),
        "enterprise_number": format_enterprise_number(enterprise_number),
        "legal_representative": _person(answers.get("legal_representative")),
        "contact_same": bool(contact.get("same_as_legal_representative")),
        "contact_point": _person(contact),
        "is_final_beneficiary": is_final_beneficiary,
        "chosen_groups": chosen_groups,
        "ecosystem": ecosystem,
        "expertise_themes": theme_names,
        "initiatives": initiatives,
        "initiatives_link": link,
        # Only web addresses become clickable; anything else is shown as plain text.
        "initiatives_link_is_web": link.lower().startswith(("https://", "http://")),
        "initiatives_file_name": adhesion.initiatives_file_name or str(initiatives.get("file_name") or ""),
        "privacy": privacy,
    }
    name = str(organisation.get("name") or adhesion.organisation_name or "").strip()
    title = f"{FORM_TITLE} – {name}" if name else FORM_TITLE
    return render_pdf("adhesions/pdf/adhesion.html", context, title=title, language="fr")


def membership_certificate_pdf(organisation, *, member_since, reference: str) -> bytes:
    if organisation.type in ORGANISATION_TYPES:
        type_label = _type_label(organisation.type, organisation.type_precision)
    else:
        type_label = str(organisation.get_type_display())
    context = {
        "organisation": organisation,
        "organisation_type": type_label,
        "member_since": french_date(member_since),
        "reference": reference,
    }
    return render_pdf(
        "adhesions/pdf/certificate.html", context, title=f"{CERTIFICATE_TITLE} – {organisation.name}", language="fr"
    )


def delegate_acceptance_pdf(*, organisation, group, person: dict, replaces: str, reference: str) -> bytes:
    """What a new delegate signs (form §6.2), with the organisation's details of today."""
    context = {
        "organisation": organisation,
        "member_since": french_date(organisation.member_since) if organisation.member_since else "",
        "group_name": group.name,
        "person": person,
        "replaces": replaces,
        "reference": reference,
        "asked_on": french_date(timezone.localdate()),
    }
    return render_pdf(
        "adhesions/pdf/delegate_acceptance.html",
        context,
        title=f"Désignation d’un délégué GT – {organisation.name}",
        language="fr",
    )
