"""Invited experts (art 4ter.2, annex 1 §2): ecosystem actors invited to a session for their expertise.

They come as guests: on the attendance list, never in a seat, and never counted in the two-thirds rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import log_action
from members.enums import OrganisationRoleType, OrganisationStatus, OrganisationType
from members.models import Organisation, OrganisationRole
from thematic_groups import session_notifications as notify
from thematic_groups.enums import GuestStatus, SessionStatus
from thematic_groups.models import Session, SessionGuest

TRANSVERSAL = "transversal"


class InvitationRefused(ValidationError):
    pass


@dataclass(frozen=True)
class Expert:
    organisation: Organisation
    expertise: str
    themes: list[str]
    covers_group: bool


def experts_for(group) -> list[Expert]:
    """Active ecosystem actors, those who declared this group's theme (or a transversal one) first."""
    from adhesions.enums import AdhesionStatus
    from adhesions.models import Adhesion

    latest: dict[int, dict] = {}
    for organisation_id, answers in (
        Adhesion.objects.filter(
            status=AdhesionStatus.CONFIRMED,
            organisation__type=OrganisationType.OTHER,
            organisation__status=OrganisationStatus.ACTIVE,
        )
        .order_by("decided_at", "pk")
        .values_list("organisation_id", "answers")
    ):
        latest[organisation_id] = (answers or {}).get("ecosystem") or {}
    organisations = Organisation.objects.filter(type=OrganisationType.OTHER, status=OrganisationStatus.ACTIVE).order_by(
        "name"
    )
    experts = []
    for organisation in organisations:
        section = latest.get(organisation.pk, {})
        themes = list(section.get("expertise_themes") or [])
        experts.append(
            Expert(
                organisation=organisation,
                expertise=section.get("expertise", ""),
                themes=themes,
                covers_group=group.slug in themes or TRANSVERSAL in themes,
            )
        )
    return sorted(experts, key=lambda expert: (not expert.covers_group, expert.organisation.name.casefold()))


def guest_invite(*, actor, session: Session, organisation: Organisation, topic: str) -> SessionGuest:
    topic = (topic or "").strip()
    if not topic:
        raise InvitationRefused({"topic": _("Say what expertise you expect from the guest.")})
    if organisation.type != OrganisationType.OTHER or organisation.status != OrganisationStatus.ACTIVE:
        raise InvitationRefused(_("Only an active ecosystem actor can be invited as an expert."))
    if session.status == SessionStatus.CANCELLED or session.has_ended:
        raise InvitationRefused(_("This session is cancelled or over."))
    try:
        with transaction.atomic():
            guest = SessionGuest.objects.create(
                session=session, organisation=organisation, topic=topic, invited_by=actor
            )
            log_action(
                "thematic_groups.guest.invited",
                actor=actor,
                target=session,
                data={"organisation": organisation.name, "topic": topic},
            )
            notify.guest_invited(guest)
    except IntegrityError as exc:
        raise InvitationRefused(_("This organisation is already invited to this session.")) from exc
    return guest


def guest_answer(*, actor, guest: SessionGuest, accept: bool) -> SessionGuest:
    if not OrganisationRole.objects.filter(
        organisation=guest.organisation,
        user=actor,
        role__in=[OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT],
    ).exists():
        raise InvitationRefused(_("Only the invited organisation can answer."))
    with transaction.atomic():
        guest = SessionGuest.objects.select_for_update().select_related("session").get(pk=guest.pk)
        if guest.session.has_ended or guest.session.status == SessionStatus.CANCELLED:
            raise InvitationRefused(_("This session is cancelled or over."))
        guest.status = GuestStatus.ACCEPTED if accept else GuestStatus.DECLINED
        guest.answered_at = timezone.now()
        guest.save(update_fields=["status", "answered_at"])
        log_action(
            "thematic_groups.guest.answered",
            actor=actor,
            target=guest.session,
            data={"organisation": guest.organisation.name, "status": guest.status},
        )
        notify.guest_answered(guest)
    return guest


def guest_attended(*, actor, guest: SessionGuest, attended: bool) -> SessionGuest:
    guest.attended = attended
    guest.save(update_fields=["attended"])
    log_action(
        "thematic_groups.guest.attendance",
        actor=actor,
        target=guest.session,
        data={"organisation": guest.organisation.name, "attended": attended},
    )
    return guest
