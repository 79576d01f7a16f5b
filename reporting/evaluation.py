"""The consolidated evaluation of a year (art 7.2), for the dashboard, the exports and the annual PDF.

Art 8: everything here may leave the coordination's hands, so a member is named, and its free text shown,
only when its report for that year says it may be cited. The others are counted, never named, quoted or
located. Built in a fixed number of queries whatever the number of members.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from members.enums import FINAL_BENEFICIARY_TYPES, OrganisationStatus, OrganisationType
from members.models import Organisation
from reporting.enums import ActionStatus, Need, Obstacle, ReportStatus
from reporting.models import Report, ReportEntry, ReportingCampaign
from reporting.questions import template_for
from thematic_groups.enums import AssignmentStatus, AttendanceStatus, SessionStatus
from thematic_groups.models import Assignment, Attendance, Session, ThematicGroup

OTHER_INDICATORS = gettext_lazy("Other indicators")


@dataclass(frozen=True)
class Row:
    label: str
    value: float


@dataclass
class IndicatorTotal:
    """One indicator summed over the actions that report it; a percentage is averaged instead, since adding
    percentages means nothing. Only complete lines (baseline, value and target given) count toward progress."""

    name: str
    unit: str
    actions: int = 0
    values: list = field(default_factory=list)
    baselines: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    complete: list = field(default_factory=list)  # (baseline, value, target) where all three are given
    count_only: bool = False  # values in units that cannot be shown are counted, never added up

    @property
    def averaged(self) -> bool:
        return self.unit.strip() == "%"

    def _total(self, numbers: list) -> Decimal | None:
        if not numbers:
            return None
        total = sum(numbers, Decimal(0))
        return (total / len(numbers)).quantize(Decimal("0.01")) if self.averaged else total

    @property
    def baseline(self) -> Decimal | None:
        return self._total(self.baselines)

    @property
    def value(self) -> Decimal | None:
        return self._total(self.values)

    @property
    def target(self) -> Decimal | None:
        return self._total(self.targets)

    @property
    def progress_percent(self) -> int | None:
        """How far the reported values went from the baselines toward the targets, over complete lines."""
        gap = sum((target - baseline for baseline, _value, target in self.complete), Decimal(0))
        if not gap:
            return None
        done = sum((value - baseline for baseline, value, _target in self.complete), Decimal(0))
        return round(100 * done / gap)


@dataclass
class GroupAttendance:
    group: ThematicGroup
    seats: int
    sessions_held: int
    present: int
    expected: int

    @property
    def rate_percent(self) -> int | None:
        return round(100 * self.present / self.expected) if self.expected else None


@dataclass
class NamedMember:
    """A member that agreed to be cited: its name and what it wrote."""

    name: str
    type_label: str
    actions: list[ReportEntry]
    highlights: str
    lessons: str


@dataclass
class Evaluation:
    year: int | None
    group: ThematicGroup | None
    campaign: ReportingCampaign | None
    groups: list[ThematicGroup]
    members_by_type: list[Row] = field(default_factory=list)
    members_by_group: list[tuple[ThematicGroup, int, int]] = field(default_factory=list)
    completion: list[Row] = field(default_factory=list)
    reports_total: int = 0
    reports_handed_in: int = 0
    actions_by_status: list[Row] = field(default_factory=list)
    actions_by_group: list[Row] = field(default_factory=list)
    actions_by_lever: list[Row] = field(default_factory=list)
    indicators: list[IndicatorTotal] = field(default_factory=list)
    obstacles: list[Row] = field(default_factory=list)
    needs: list[Row] = field(default_factory=list)
    attendance: list[GroupAttendance] = field(default_factory=list)
    named: list[NamedMember] = field(default_factory=list)
    anonymous_reports: int = 0
    # Too few reports, some not cited: the detailed figures could point at a member, so they are withheld.
    withheld: bool = False
    min_reports: int = 0
    left_out_groups: list = field(default_factory=list)
    generated_at: object = None

    @property
    def completion_percent(self) -> int | None:
        return round(100 * self.reports_handed_in / self.reports_total) if self.reports_total else None

    @property
    def actions_total(self) -> int:
        return int(sum(row.value for row in self.actions_by_status))


def _rows(counter: Counter, labels: dict[str, str], *, keep_order: bool = False) -> list[Row]:
    keys = list(labels) if keep_order else [key for key, _count in counter.most_common()]
    return [Row(str(labels.get(key, key)), counter.get(key, 0)) for key in keys if keep_order or counter.get(key)]


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def default_campaign() -> ReportingCampaign | None:
    """The newest year with reports handed in; before any, the newest campaign."""
    with_reports = (
        ReportingCampaign.objects.filter(reports__status__in=ReportStatus.handed_in()).order_by("-year").first()
    )
    return with_reports or ReportingCampaign.objects.order_by("-year").first()


def available_years() -> list[int]:
    return list(ReportingCampaign.objects.order_by("-year").values_list("year", flat=True))


def build(year: int | None = None, group: ThematicGroup | None = None) -> Evaluation:
    groups = list(ThematicGroup.objects.order_by("number"))
    campaign = None
    if year is None:
        campaign = default_campaign()
        year = campaign.year if campaign else None
    elif year:
        campaign = ReportingCampaign.objects.filter(year=year).first()
    evaluation = Evaluation(year=year, group=group, campaign=campaign, groups=groups, generated_at=timezone.now())
    _members(evaluation, group)
    _attendance(evaluation, groups if group is None else [group], year)
    if campaign is not None:
        _reports(evaluation, campaign, group)
    return evaluation


def _members(evaluation: Evaluation, group: ThematicGroup | None) -> None:
    members = Organisation.objects.filter(status__in=OrganisationStatus.member_states())
    if group is not None:
        members = members.filter(
            assignments__thematic_group=group, assignments__status=AssignmentStatus.ASSIGNED
        ).distinct()
    types = Counter(dict(members.order_by().values_list("type").annotate(count=Count("pk", distinct=True))))
    evaluation.members_by_type = _rows(types, dict(OrganisationType.choices), keep_order=True)
    seats = Assignment.objects.filter(status=AssignmentStatus.ASSIGNED)
    if group is not None:
        seats = seats.filter(thematic_group=group)
    per_group = defaultdict(Counter)
    for group_id, organisation_type, count in seats.values_list("thematic_group_id", "organisation__type").annotate(
        count=Count("pk")
    ):
        per_group[group_id][organisation_type] += count
    evaluation.members_by_group = [
        (item, per_group[item.pk][OrganisationType.HOSPITAL], per_group[item.pk][OrganisationType.ELDER_CARE_HOME])
        for item in evaluation.groups
        if group is None or item.pk == group.pk
    ]


def _attendance(evaluation: Evaluation, groups: list[ThematicGroup], year: int | None) -> None:
    sessions = Session.objects.filter(status=SessionStatus.PUBLISHED, attendance_closed_at__isnull=False)
    if year:
        sessions = sessions.filter(starts_at__year=year)
    held = Counter(dict(sessions.values_list("thematic_group_id").annotate(count=Count("pk"))))
    records = Counter()
    present = Counter()
    for group_id, status, count in (
        Attendance.objects.filter(session__in=sessions)
        .values_list("session__thematic_group_id", "status")
        .annotate(count=Count("pk"))
    ):
        records[group_id] += count
        if status == AttendanceStatus.PRESENT:
            present[group_id] += count
    seats = Counter(
        dict(
            Assignment.objects.filter(status=AssignmentStatus.ASSIGNED)
            .values_list("thematic_group_id")
            .annotate(count=Count("pk"))
        )
    )
    evaluation.attendance = [
        GroupAttendance(
            group=group,
            seats=seats[group.pk],
            sessions_held=held[group.pk],
            present=present[group.pk],
            expected=records[group.pk],
        )
        for group in groups
    ]


def _reports(evaluation: Evaluation, campaign: ReportingCampaign, group: ThematicGroup | None) -> None:
    reports = list(
        Report.objects.filter(campaign=campaign, organisation__type__in=FINAL_BENEFICIARY_TYPES).select_related(
            "organisation"
        )
    )
    entries = list(
        ReportEntry.objects.filter(report__campaign=campaign, report__status__in=ReportStatus.handed_in())
        .select_related("thematic_group")
        .order_by("thematic_group__number", "pk")
    )
    if group is not None:
        # A report belongs to the group's figures when it has an action in the group, whatever its state.
        in_group = set(
            ReportEntry.objects.filter(report__campaign=campaign, thematic_group=group).values_list(
                "report_id", flat=True
            )
        )
        entries = [entry for entry in entries if entry.thematic_group_id == group.pk]
        reports = [report for report in reports if report.pk in in_group]
    consenting_ids = {report.pk for report in reports if report.nominative_consent}
    handed_in_ids = {report.pk for report in reports if report.status in ReportStatus.handed_in()}
    if group is None:
        # A group whose own view is withheld stays out of the detailed figures of the whole alliance too,
        # otherwise its member's answers are the difference between this view and the other groups'.
        small = _small_groups(entries, handed_in_ids, consenting_ids)
        evaluation.left_out_groups = [item for item in evaluation.groups if item.pk in small]
        entries = [entry for entry in entries if entry.thematic_group_id not in small]
    statuses = Counter(report.status for report in reports)
    evaluation.completion = _rows(statuses, dict(ReportStatus.choices), keep_order=True)
    evaluation.reports_total = len(reports)
    handed_in = [report for report in reports if report.status in ReportStatus.handed_in()]
    evaluation.reports_handed_in = len(handed_in)

    evaluation.actions_by_status = _rows(
        Counter(entry.status for entry in entries), dict(ActionStatus.choices), keep_order=True
    )
    # Counted in one pass: going through every entry once per group grows with groups times entries.
    per_group = Counter(entry.thematic_group_id for entry in entries)
    evaluation.actions_by_group = [
        Row(item.short_name, per_group[item.pk])
        for item in evaluation.groups
        if (group is None or item.pk == group.pk) and item not in evaluation.left_out_groups
    ]
    evaluation.actions_by_lever = _rows(Counter(entry.lever_name for entry in entries if entry.lever_name), {})

    evaluation.indicators = _indicator_totals(entries, {report.pk for report in handed_in if report.nominative_consent})

    obstacles, needs = Counter(), Counter()
    for entry in entries:
        obstacles.update(set(entry.answers.get("obstacles") or []))
        needs.update(set(entry.answers.get("needs") or []))
    if group is None:
        for report in handed_in:
            needs.update(set(report.general_answers.get("general_needs") or []))
    evaluation.obstacles = _rows(obstacles, dict(Obstacle.choices))
    evaluation.needs = _rows(needs, dict(Need.choices))

    by_report = defaultdict(list)
    for entry in entries:
        by_report[entry.report_id].append(entry)
    consenting = [report for report in handed_in if report.nominative_consent]
    evaluation.anonymous_reports = len(handed_in) - len(consenting)
    evaluation.named = [
        NamedMember(
            name=report.organisation.name,
            type_label=report.organisation.get_type_display(),
            actions=by_report[report.pk],
            highlights=(report.general_answers.get("highlights") or "").strip(),
            lessons=(report.general_answers.get("lessons") or "").strip(),
        )
        for report in sorted(consenting, key=lambda report: report.organisation.name.casefold())
    ]
    _withhold_small_groups(evaluation)


def _small_groups(entries: list[ReportEntry], handed_in: set[int], consenting: set[int]) -> set[int]:
    """The GTs with too few reports handed in, some of them not citable, for figures of their own."""
    reporters: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.thematic_group_id is not None and entry.report_id in handed_in:
            reporters[entry.thematic_group_id].add(entry.report_id)
    minimum = settings.REPORTING_MIN_REPORTS
    return {group_id for group_id, reports in reporters.items() if len(reports) < minimum and reports - consenting}


def _withhold_small_groups(evaluation: Evaluation) -> None:
    minimum = settings.REPORTING_MIN_REPORTS
    evaluation.min_reports = minimum
    if evaluation.anonymous_reports and evaluation.reports_handed_in < minimum:
        evaluation.withheld = True
        for name in (
            "actions_by_status",
            "actions_by_group",
            "actions_by_lever",
            "indicators",
            "obstacles",
            "needs",
            "completion",
        ):
            setattr(evaluation, name, [])
        evaluation.anonymous_reports = 0
        evaluation.reports_handed_in = 0


def _indicator_totals(entries: list[ReportEntry], consenting: set[int]) -> list[IndicatorTotal]:
    """Gather the indicators reported under the same name and unit. A name or unit that a single member who
    did not consent typed could identify it (units are free text too): such values join an "other indicators"
    line, under a unit shown only when several members use it."""
    rows = []
    by_name: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_unit: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        for values in entry.indicator_values.values():
            name, unit = (values.get("name") or "").strip(), (values.get("unit") or "").strip()
            if name:
                key = (name.casefold(), unit.casefold())
                by_name[key].add(entry.report_id)
                by_unit[unit.casefold()].add(entry.report_id)
                rows.append((key, name, unit, entry.report_id, values))
    totals: dict[tuple[str, str], IndicatorTotal] = {}
    for key, name, unit, report_id, values in rows:
        if len(by_name[key]) > 1 or report_id in consenting:
            total_key, label, shown_unit = key, name, unit
        elif len(by_unit[key[1]]) > 1:
            total_key, label, shown_unit = ("", key[1]), str(OTHER_INDICATORS), unit
        else:
            # Neither its name nor its unit can be shown, and values in unknown units cannot be added up.
            total = totals.setdefault(("", None), IndicatorTotal(name=str(OTHER_INDICATORS), unit="", count_only=True))
            total.actions += 1
            continue
        total = totals.setdefault(total_key, IndicatorTotal(name=label, unit=shown_unit))
        total.actions += 1
        baseline, value, target = (_number(values.get(name)) for name in ("baseline", "value", "target"))
        for number, bucket in ((baseline, total.baselines), (value, total.values), (target, total.targets)):
            if number is not None:
                bucket.append(number)
        if None not in (baseline, value, target):
            total.complete.append((baseline, value, target))
    return sorted(
        totals.values(),
        key=lambda item: (item.name == str(OTHER_INDICATORS), item.count_only, -item.actions, item.name),
    )


def question_label(version: int, key: str) -> str:
    return str(template_for(version).question(key).label)
