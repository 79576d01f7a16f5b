"""The steps of the adhesion form, and which of them apply to which type of organisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from adhesions import forms
from members.enums import FINAL_BENEFICIARY_TYPES


def _everyone(organisation_type: str) -> bool:
    return True


def _final_beneficiaries(organisation_type: str) -> bool:
    return organisation_type in FINAL_BENEFICIARY_TYPES


def _ecosystem_actors(organisation_type: str) -> bool:
    return bool(organisation_type) and organisation_type not in FINAL_BENEFICIARY_TYPES


@dataclass(frozen=True)
class Step:
    slug: str
    section: str
    title: Promise
    form_class: type[forms.StepForm]
    applies_to: Callable[[str], bool] = _everyone
    intro: Promise | str = ""


STEPS: tuple[Step, ...] = (
    Step("organisation", "organisation", _("Organisation"), forms.OrganisationForm),
    Step(
        "representant-legal",
        "legal_representative",
        _("Legal representative"),
        forms.LegalRepresentativeForm,
        intro=_("The person entitled to bind the organisation legally by signing the convention."),
    ),
    Step(
        "point-de-contact",
        "contact_point",
        _("Contact point"),
        forms.ContactPointForm,
        intro=_("The person who ensures the operational link between the organisation and the Walloon Region."),
    ),
    Step(
        "groupes-thematiques",
        "groups",
        _("Thematic groups and delegates"),
        forms.GroupsForm,
        _final_beneficiaries,
        intro=_(
            "Tick the groups you wish to join and name one delegate per group. The Region decides the final "
            "composition of the groups, taking your preferences into account where possible."
        ),
    ),
    Step(
        "actions",
        "actions",
        _("Concrete actions"),
        forms.ActionsForm,
        _final_beneficiaries,
        intro=_(
            "Each final beneficiary commits to define and carry out at least two concrete actions per thematic group "
            "followed during 2026-2029 (art 4bis.3). They can be identified progressively."
        ),
    ),
    Step(
        "contribution",
        "ecosystem",
        _("Contribution of the ecosystem actor"),
        forms.EcosystemForm,
        _ecosystem_actors,
    ),
    Step("initiatives", "initiatives", _("Existing initiatives"), forms.InitiativesForm),
    Step("vie-privee", "privacy", _("Privacy and consent"), forms.PrivacyForm),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def steps_for(organisation_type: str) -> list[Step]:
    """The steps that apply; before the type is known, the common ones."""
    return [step for step in STEPS if step.applies_to(organisation_type)]


def step_get(slug: str) -> Step | None:
    return STEPS_BY_SLUG.get(slug)


def missing_steps(adhesion) -> list[Step]:
    done = set(adhesion.completed_steps)
    return [step for step in steps_for(adhesion.organisation_type) if step.slug not in done]


def next_step(adhesion, current: Step) -> Step | None:
    steps = steps_for(adhesion.organisation_type)
    slugs = [step.slug for step in steps]
    if current.slug not in slugs:
        return None
    following = steps[slugs.index(current.slug) + 1 :]
    return following[0] if following else None


def stale_steps(adhesion, *, ignore: str = "") -> list[Step]:
    """Completed steps whose saved answers no longer pass their own checks.

    Answers depend on each other: a new organisation type can make a chosen GT ineligible, and a new GT
    needs its option and actions. Such steps must be filled in again before the form can be sent.
    """
    stale = []
    for step in steps_for(adhesion.organisation_type):
        if step.slug == ignore or step.slug not in adhesion.completed_steps:
            continue
        form = step.form_class(step.form_class.initial_from(adhesion.section(step.section)), adhesion=adhesion)
        if not form.is_valid():
            stale.append(step)
    return stale
