"""Intersession work and deliverables (annex 1 §2): what each member does between sessions and delivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_coordinator
from core.audit import log_action
from core.uploads import original_file_name
from thematic_groups.enums import AssignmentStatus, DeliverableState
from thematic_groups.models import Assignment, Deliverable, DeliverableProgress, IntersessionWork, Session


class ContributionRefused(ValidationError):
    pass


def represented_organisation_ids(user) -> set[int]:
    """Every organisation the person holds a role for, whatever its membership status: nobody approves the work
    of an organisation they speak or spoke for, even once it has withdrawn (the library uses it too)."""
    if not user.is_authenticated:
        return set()
    return set(user.organisation_roles.values_list("organisation_id", flat=True))


def _require_seat(organisation, group) -> None:
    if not Assignment.objects.filter(
        organisation=organisation, thematic_group=group, status=AssignmentStatus.ASSIGNED
    ).exists():
        raise ContributionRefused(_("Your organisation has no seat in this group."))


def intersession_mark_done(*, actor, session: Session, organisation, comment: str = "", upload=None):
    if not session.intersession_task:
        raise ContributionRefused(_("This session has no intersession task."))
    _require_seat(organisation, session.thematic_group)
    with transaction.atomic():
        work, _created = IntersessionWork.objects.select_for_update().get_or_create(
            session=session, organisation=organisation, defaults={"done_by": actor}
        )
        work.comment = (comment or "").strip()
        work.done_by = actor
        work.done_at = timezone.now()
        if upload is not None:
            work.file.save(upload.name, ContentFile(upload.read()), save=False)
            work.file_name = original_file_name(upload)
        work.save()
        log_action(
            "thematic_groups.intersession.done",
            actor=actor,
            target=session,
            data={"organisation": organisation.name, "file": bool(work.file)},
        )
    return work


def deliverable_progress_set(*, actor, deliverable: Deliverable, organisation, state: str, comment="", upload=None):
    """A member moves its own deliverable forward; only the coordination or the locomotive validates it."""
    _require_seat(organisation, deliverable.thematic_group)
    if state not in DeliverableState.values:
        raise ContributionRefused(_("Unknown state."))
    with transaction.atomic():
        progress, _created = DeliverableProgress.objects.select_for_update().get_or_create(
            deliverable=deliverable, organisation=organisation
        )
        if state == DeliverableState.VALIDATED:
            raise ContributionRefused(_("The locomotive validates a deliverable, not the member itself."))
        if progress.state == DeliverableState.VALIDATED:
            raise ContributionRefused(_("This deliverable is already validated."))
        if upload is not None:
            progress.file.save(upload.name, ContentFile(upload.read()), save=False)
            progress.file_name = original_file_name(upload)
        if state == DeliverableState.SUBMITTED and not progress.file:
            raise ContributionRefused({"file": _("Attach the file of the deliverable to submit it.")})
        progress.state = state
        progress.comment = (comment or "").strip()
        progress.updated_at = timezone.now()
        progress.updated_by = actor
        progress.save()
        log_action(
            "thematic_groups.deliverable.progress",
            actor=actor,
            target=deliverable.thematic_group,
            data={"deliverable": deliverable.pk, "organisation": organisation.name, "state": state},
        )
    return progress


def deliverable_validate(*, actor, progress: DeliverableProgress) -> DeliverableProgress:
    with transaction.atomic():
        progress = DeliverableProgress.objects.select_for_update().select_related("deliverable").get(pk=progress.pk)
        # A pilot whose organisation also has a seat in the group would otherwise validate its own work.
        if progress.organisation_id in represented_organisation_ids(actor):
            raise ContributionRefused(
                _("Your organisation delivered this: another coordinator or locomotive member validates it.")
                if is_coordinator(actor)
                else _("Your organisation delivered this: the coordination or another locomotive member validates it.")
            )
        if progress.state != DeliverableState.SUBMITTED:
            raise ContributionRefused(_("Only a submitted deliverable can be validated."))
        progress.state = DeliverableState.VALIDATED
        progress.updated_at = timezone.now()
        progress.updated_by = actor
        progress.save(update_fields=["state", "updated_at", "updated_by"])
        log_action(
            "thematic_groups.deliverable.validated",
            actor=actor,
            target=progress.deliverable.thematic_group,
            data={"deliverable": progress.deliverable_id, "organisation": progress.organisation.name},
        )
    return progress


@dataclass(frozen=True)
class DeliverableRow:
    deliverable: Deliverable
    overdue: bool
    cells: list  # (member, its DeliverableProgress or None), in the members' order


def deliverable_board(group, members: list, today: date | None = None) -> list[DeliverableRow]:
    """Every deliverable of the group with each member's state, in two queries."""
    today = today or timezone.localdate()
    deliverables = list(group.deliverables.order_by("position"))
    progress = {
        (item.deliverable_id, item.organisation_id): item
        for item in DeliverableProgress.objects.filter(deliverable__in=deliverables)
    }
    rows = []
    for deliverable in deliverables:
        cells = [(member, progress.get((deliverable.pk, member.pk))) for member in members]
        done = all(cell is not None and cell.state == DeliverableState.VALIDATED for _member, cell in cells)
        overdue = bool(deliverable.due_date and deliverable.due_date < today and not done)
        rows.append(DeliverableRow(deliverable=deliverable, overdue=overdue, cells=cells))
    return rows
