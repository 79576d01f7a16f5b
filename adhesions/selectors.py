from __future__ import annotations

import rules
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from adhesions.enums import AdhesionStatus, SignatureStatus
from adhesions.models import Adhesion, SignatureRequest
from members.enums import OrganisationStatus
from members.models import Organisation


def enterprise_number_conflict(number: str, *, exclude_adhesion: Adhesion | None = None) -> str:
    """Why this enterprise number cannot start an adhesion, or an empty string.

    One organisation, one adhesion: a member or a pending adhesion is never duplicated; the person is
    sent to the coordination instead.
    """
    # A withdrawn organisation may join again (art 6.3): its record is taken up again at confirmation.
    if Organisation.objects.filter(enterprise_number=number).exclude(status=OrganisationStatus.WITHDRAWN).exists():
        return _(
            "An organisation with this enterprise number is already registered in the alliance. "
            "Contact the coordination to act for it; do not create a second one."
        )
    pending = Adhesion.objects.filter(enterprise_number=number, status__in=AdhesionStatus.pending())
    if exclude_adhesion is not None and exclude_adhesion.pk:
        pending = pending.exclude(pk=exclude_adhesion.pk)
    if pending.exists():
        return _(
            "An adhesion for this enterprise number is already being processed. "
            "Contact the coordination if you need to take part in it."
        )
    return ""


def current_signatures(adhesion: Adhesion) -> list[SignatureRequest]:
    """The signatures asked for the current version of the document, and delegate replacements."""
    return list(
        adhesion.signatures.filter(document_version=adhesion.version)
        .exclude(status__in=[SignatureStatus.VOID, SignatureStatus.SUPERSEDED, SignatureStatus.CANCELLED])
        .select_related("thematic_group")
        .order_by("role", "thematic_group__number", "created_at")
    )


def adhesions_for_applicant(user) -> QuerySet[Adhesion]:
    if not user.is_authenticated:
        return Adhesion.objects.none()
    return Adhesion.objects.filter(applicant=user).order_by("-created_at")


def open_adhesion_for(user) -> Adhesion | None:
    """The adhesion the user is filling in or following, if any."""
    return adhesions_for_applicant(user).exclude(status__in=[AdhesionStatus.CONFIRMED, AdhesionStatus.REJECTED]).first()


def empty_draft_for(user) -> Adhesion | None:
    """A draft started but never filled in: reused rather than piling up empty forms."""
    return adhesions_for_applicant(user).filter(status=AdhesionStatus.DRAFT, completed_steps=[]).first()


def adhesion_get_for_user(user, pk: int) -> Adhesion:
    adhesion = (
        Adhesion.objects.select_related("applicant", "organisation")
        .prefetch_related(Prefetch("signatures", queryset=SignatureRequest.objects.select_related("thematic_group")))
        .filter(pk=pk)
        .first()
    )
    if adhesion is None or not rules.test_rule("adhesions.view_adhesion", user, adhesion):
        raise Http404
    return adhesion
