"""Services for the members' actions (art 4bis.3, 4ter.3): create, change, delete, and import from the adhesion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adhesions.enums import ContributionOption
from core.audit import changed_fields, log_action
from members.enums import FINAL_BENEFICIARY_TYPES, OrganisationType
from reporting.enums import ActionOrigin, ReportStatus
from reporting.models import Action, Indicator
from reporting.rules import can_edit_action, edits_all_actions, edits_group_actions
from thematic_groups.models import ThematicGroup

ACTION_FIELDS = ("title", "description", "lever", "status", "starts_on", "ends_on", "partners")
INDICATOR_FIELDS = ("name", "unit", "baseline", "target", "latest_value", "latest_on")


class ActionRefused(ValidationError):
    """The action cannot be saved or deleted as asked; the message says why."""


def _check_place(organisation, group: ThematicGroup | None) -> None:
    if organisation.type in FINAL_BENEFICIARY_TYPES:
        if group is None:
            raise ActionRefused(_("Choose the thematic group the action belongs to."))
        if not group.accepts(organisation.type):
            raise ActionRefused(_("This thematic group is not open to your type of establishment."))
    elif group is not None:
        raise ActionRefused(_("An ecosystem actor's action is not attached to a thematic group (art 4ter.3)."))


def _check_fields(fields: dict[str, Any], group: ThematicGroup | None) -> None:
    lever = fields.get("lever")
    if lever is not None and lever.thematic_group_id != getattr(group, "pk", None):
        raise ActionRefused({"lever": _("Choose a lever of the action's thematic group.")})
    starts_on, ends_on = fields.get("starts_on"), fields.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise ActionRefused({"ends_on": _("The action cannot end before it starts.")})


def _save_indicators(action: Action, indicators: list[dict[str, Any]] | None) -> list[str]:
    """Replace the action's indicators by ``indicators`` (rows with an optional ``id``); returns what changed."""
    if indicators is None:
        return []
    existing = {indicator.pk: indicator for indicator in action.indicators.all()}
    kept, changes = set(), []
    for row in indicators:
        indicator = existing.get(row.get("id")) or Indicator(action=action)
        values = {name: row.get(name) for name in INDICATOR_FIELDS}
        before = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
        for name, value in values.items():
            setattr(indicator, name, value)
        indicator.save()
        kept.add(indicator.pk)
        if indicator.pk not in existing or changed_fields(before, values):
            changes.append(indicator.name)
    removed = [indicator for pk, indicator in existing.items() if pk not in kept]
    for indicator in removed:
        changes.append(indicator.name)
        indicator.delete()
    return changes


def action_create(
    *,
    actor,
    organisation,
    thematic_group: ThematicGroup | None,
    indicators: list[dict[str, Any]] | None = None,
    final_beneficiaries=(),
    **fields: Any,
) -> Action:
    if actor is not None:
        allowed = (
            edits_group_actions(actor, organisation, thematic_group.pk)
            if thematic_group
            else edits_all_actions(actor, organisation)
        )
        if not allowed:
            raise ActionRefused(_("You cannot add actions for this organisation and thematic group."))
    _check_place(organisation, thematic_group)
    _check_fields(fields, thematic_group)
    with transaction.atomic():
        action = Action.objects.create(
            organisation=organisation,
            thematic_group=thematic_group,
            created_by=actor,
            **{name: value for name, value in fields.items() if name in ACTION_FIELDS},
        )
        if final_beneficiaries:
            action.final_beneficiaries.set(final_beneficiaries)
        _save_indicators(action, indicators)
        log_action("reporting.action.created", actor=actor, target=action, data={"title": action.title})
    return action


def action_update(
    *, actor, action: Action, indicators: list[dict[str, Any]] | None = None, final_beneficiaries=None, **fields: Any
) -> Action:
    if not can_edit_action(actor, action):
        raise ActionRefused(_("You cannot change this action."))
    _check_fields({**{name: getattr(action, name) for name in ACTION_FIELDS}, **fields}, action.thematic_group)
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        before = {name: _plain(getattr(action, name)) for name in ACTION_FIELDS}
        for name, value in fields.items():
            if name in ACTION_FIELDS:
                setattr(action, name, value)
        action.updated_at = timezone.now()
        action.save()
        if final_beneficiaries is not None:
            action.final_beneficiaries.set(final_beneficiaries)
        indicator_changes = _save_indicators(action, indicators)
        diff = changed_fields(before, {name: _plain(getattr(action, name)) for name in ACTION_FIELDS})
        log_action(
            "reporting.action.updated",
            actor=actor,
            target=action,
            data={"changes": diff, "indicators": indicator_changes},
        )
    return action


def action_delete(*, actor, action: Action) -> None:
    """Delete an action recorded by mistake; one already reported on is marked abandoned instead."""
    if not can_edit_action(actor, action):
        raise ActionRefused(_("You cannot change this action."))
    if action.report_entries.filter(report__status__in=ReportStatus.handed_in()).exists():
        raise ActionRefused(
            _("This action appears in a report already handed in: set its status to abandoned instead.")
        )
    with transaction.atomic():
        log_action(
            "reporting.action.deleted",
            actor=actor,
            target=action.organisation,
            data={"action": action.pk, "title": action.title},
        )
        action.delete()


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def actions_from_adhesion(*, organisation, adhesion, actor=None) -> list[Action]:
    """Option 1's two actions per GT, and an ecosystem actor's internal action, become actions: typed once."""
    created = []
    if organisation.type in FINAL_BENEFICIARY_TYPES:
        groups = {group.slug: group for group in ThematicGroup.objects.all()}
        for slug, answer in (adhesion.section("actions") or {}).items():
            group = groups.get(slug)
            if group is None or not isinstance(answer, dict) or answer.get("option") != ContributionOption.TWO_ACTIONS:
                continue
            for number in (1, 2):
                text = (answer.get(f"action_{number}") or "").strip()
                if text:
                    created += _import(
                        organisation, group, text, f"adhesion:{slug}:{number}", ActionOrigin.ADHESION_OPTION_1
                    )
    elif organisation.type == OrganisationType.OTHER:
        ecosystem = adhesion.section("ecosystem")
        text = (ecosystem.get("internal_action_description") or "").strip()
        if ecosystem.get("internal_action") and text:
            created += _import(
                organisation,
                None,
                text,
                "adhesion:internal",
                ActionOrigin.ADHESION_INTERNAL,
                partners=(ecosystem.get("internal_action_partners") or "").strip(),
            )
    for action in created:
        log_action("reporting.action.imported", actor=actor, target=action, data={"origin": action.origin})
    return created


def _import(organisation, group, text: str, key: str, origin: str, partners: str = "") -> list[Action]:
    if Action.objects.filter(organisation=organisation, origin_key=key).exists():
        return []  # a member that joins again keeps the actions it already has
    title, _sep, rest = text.partition("\n")
    title = title.strip()
    if len(title) > 200:
        title = title[:199].rstrip() + "…"
    return [
        Action.objects.create(
            organisation=organisation,
            thematic_group=group,
            title=title,
            description=text if (rest.strip() or len(text) > 200) else "",
            origin=origin,
            origin_key=key,
            partners=partners[:500],
        )
    ]
