"""Reads of the reporting pages, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from members.enums import FINAL_BENEFICIARY_TYPES, OrganisationRoleType, OrganisationStatus
from members.models import Organisation, OrganisationRole
from reporting.enums import ReportStatus
from reporting.models import Action, Indicator, Report, ReportingCampaign
from reporting.rules import edits_all_actions
from thematic_groups.enums import AssignmentStatus
from thematic_groups.models import Assignment, ThematicGroup

COMMITMENT = 2  # actions per GT followed (art 4bis.3)


@dataclass
class GroupActions:
    group: ThematicGroup | None
    actions: list[Action]
    can_add: bool
    seated: bool

    @property
    def committed(self) -> int:
        return sum(1 for action in self.actions if action.counts_toward_commitment)

    @property
    def missing(self) -> int:
        return max(COMMITMENT - self.committed, 0)

    @property
    def meter_value(self) -> int:
        return min(self.committed, COMMITMENT)


@dataclass
class OrganisationActions:
    organisation: Organisation
    groups: list[GroupActions] = field(default_factory=list)
    can_edit_all: bool = False
    reports: list[Report] = field(default_factory=list)
    # Ecosystem actors' actions carried out with this member (art 4ter.3).
    with_partners: list[Action] = field(default_factory=list)

    @property
    def is_final_beneficiary(self) -> bool:
        return self.organisation.type in FINAL_BENEFICIARY_TYPES


def followed_group_ids(organisation) -> set[int]:
    """The GTs a member follows: those where it holds a seat and those it asked for (it named a delegate)."""
    seats = Assignment.objects.filter(
        organisation=organisation, status__in=AssignmentStatus.seat_holding()
    ).values_list("thematic_group_id", flat=True)
    asked = OrganisationRole.objects.filter(organisation=organisation, role=OrganisationRoleType.DELEGATE).values_list(
        "thematic_group_id", flat=True
    )
    return set(seats) | set(asked)


def _actions_queryset():
    return Action.objects.select_related("lever", "thematic_group").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("pk")),
        Prefetch("final_beneficiaries", queryset=Organisation.objects.order_by("name")),
    )


def my_actions(user) -> list[OrganisationActions]:
    """Each organisation the user speaks for, its actions grouped by GT followed, with the commitment meter."""
    roles = list(
        OrganisationRole.objects.filter(user=user, organisation__status__in=OrganisationStatus.member_states())
        .select_related("organisation")
        .order_by("organisation__name")
    )
    organisations = {role.organisation_id: role.organisation for role in roles}
    if not organisations:
        return []
    delegate_groups: dict[int, set[int]] = {}
    for role in roles:
        if role.role == OrganisationRoleType.DELEGATE:
            delegate_groups.setdefault(role.organisation_id, set()).add(role.thematic_group_id)
    actions = list(_actions_queryset().filter(organisation_id__in=organisations))
    seats = set(
        Assignment.objects.filter(organisation_id__in=organisations, status=AssignmentStatus.ASSIGNED).values_list(
            "organisation_id", "thematic_group_id"
        )
    )
    asked = set(
        OrganisationRole.objects.filter(
            organisation_id__in=organisations, role=OrganisationRoleType.DELEGATE
        ).values_list("organisation_id", "thematic_group_id")
    )
    groups = {group.pk: group for group in ThematicGroup.objects.order_by("number")}
    reports = list(
        Report.objects.filter(organisation_id__in=organisations).select_related("campaign").order_by("-campaign__year")
    )
    partner_actions = list(
        Action.objects.filter(final_beneficiaries__in=organisations)
        .select_related("organisation")
        .prefetch_related("final_beneficiaries")
        .distinct()
    )
    result = []
    for organisation in organisations.values():
        whole = edits_all_actions(user, organisation)
        mine = [action for action in actions if action.organisation_id == organisation.pk]
        item = OrganisationActions(
            organisation=organisation,
            can_edit_all=whole,
            reports=[report for report in reports if report.organisation_id == organisation.pk],
            with_partners=[
                action
                for action in partner_actions
                if any(partner.pk == organisation.pk for partner in action.final_beneficiaries.all())
            ],
        )
        if organisation.type in FINAL_BENEFICIARY_TYPES:
            followed = {group_id for org_id, group_id in seats | asked if org_id == organisation.pk}
            for group_id in sorted(followed, key=lambda pk: groups[pk].number):
                item.groups.append(
                    GroupActions(
                        group=groups[group_id],
                        actions=[action for action in mine if action.thematic_group_id == group_id],
                        can_add=whole or group_id in delegate_groups.get(organisation.pk, set()),
                        seated=(organisation.pk, group_id) in seats,
                    )
                )
        else:
            item.groups.append(GroupActions(group=None, actions=mine, can_add=whole, seated=False))
        result.append(item)
    return result


def action_get(pk: int) -> Action:
    return _actions_queryset().select_related("organisation").prefetch_related("final_beneficiaries").get(pk=pk)


def report_with_entries(pk: int) -> Report:
    from reporting.models import ReportEntry

    return (
        Report.objects.select_related("campaign", "organisation", "submitted_by", "accepted_by")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=ReportEntry.objects.select_related("thematic_group").order_by("thematic_group__number", "pk"),
            ),
            "events__actor",
        )
        .get(pk=pk)
    )


def campaign_reports(campaign: ReportingCampaign, *, status: str = "", group: ThematicGroup | None = None):
    reports = campaign.reports.select_related("organisation").order_by("organisation__name")
    if status:
        reports = reports.filter(status=status)
    if group is not None:
        reports = reports.filter(entries__thematic_group=group).distinct()
    return reports


def campaign_counts(campaign: ReportingCampaign) -> dict[str, int]:
    counts = {status: 0 for status in ReportStatus.values}
    for status in campaign.reports.values_list("status", flat=True):
        counts[status] += 1
    return counts


def final_beneficiaries_for_linking():
    """Active final beneficiaries an ecosystem actor may do its action with (art 4ter.3)."""
    return Organisation.objects.filter(
        type__in=FINAL_BENEFICIARY_TYPES, status__in=OrganisationStatus.member_states()
    ).order_by("name")
