"""Demo reporting: actions with indicators, and the current year's campaign with reports in every state."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from members.enums import FINAL_BENEFICIARY_TYPES, OrganisationRoleType, OrganisationStatus
from members.models import Organisation, OrganisationRole
from reporting import actions, reports
from reporting.enums import ActionStatus
from reporting.models import Action, Lever, Report, ReportingCampaign
from reporting.rules import WHOLE_ORGANISATION_ROLES
from thematic_groups.enums import AssignmentStatus
from thematic_groups.models import Assignment

DEMO_ACTIONS = [
    (
        "Menus végétariens deux jours par semaine",
        "Alimentation",
        ActionStatus.IN_PROGRESS,
        ("Repas végétariens", "%", 10, 40, 22),
    ),
    (
        "Remplacement du desflurane au bloc opératoire",
        "Médicaments et gaz anesthésiques",
        ActionStatus.DONE,
        ("Émissions des gaz anesthésiques", "t CO2e", 120, 20, 25),
    ),
    ("Plan de mobilité du personnel", "Mobilité des patients, visiteurs et personnel", ActionStatus.PLANNED, None),
    (
        "Relamping LED des couloirs",
        "Bâtiments et énergie",
        ActionStatus.IN_PROGRESS,
        ("Consommation électrique", "MWh", 850, 700, 790),
    ),
]
ANSWERS = [
    ("Les premiers menus sont servis ; l'équipe cuisine est formée.", "positive", ["budget"], ["training"]),
    (
        "Le gaz est retiré des salles ; les anesthésistes ont validé le protocole.",
        "positive",
        ["culture"],
        ["peer_exchange"],
    ),
    ("Le diagnostic est lancé avec la commune.", "too_early", ["staff_time", "budget"], ["expert_support"]),
    ("La moitié des couloirs est équipée.", "mixed", ["suppliers"], ["funding"]),
]


def _actor_for(organisation):
    """The person who answers for the whole organisation: its contact point (or legal representative). In the
    demo's small members the delegate also acts as contact point."""
    from members import services as member_services

    whole = (
        OrganisationRole.objects.filter(organisation=organisation, role__in=WHOLE_ORGANISATION_ROLES)
        .select_related("user")
        .first()
    )
    if whole is not None:
        return whole.user
    delegate = OrganisationRole.objects.filter(organisation=organisation).select_related("user").first()
    if delegate is None:
        return None
    member_services.organisation_role_assign(
        actor=None, organisation=organisation, user=delegate.user, role=OrganisationRoleType.CONTACT_POINT
    )
    return delegate.user


def _demo_actions(organisation, group, count: int) -> None:
    if Action.objects.filter(organisation=organisation, thematic_group=group).exists():
        return
    for title, lever_name, status, indicator in DEMO_ACTIONS[:count]:
        lever = Lever.objects.filter(thematic_group=group, name=lever_name).first()
        rows = []
        if indicator:
            name, unit, baseline, target, latest = indicator
            rows = [
                {
                    "name": name,
                    "unit": unit,
                    "baseline": Decimal(baseline),
                    "target": Decimal(target),
                    "latest_value": Decimal(latest),
                }
            ]
        actions.action_create(
            actor=None,
            organisation=organisation,
            thematic_group=group,
            title=title,
            lever=lever,
            status=status,
            indicators=rows,
        )


def seed_demo_reporting(*, coordinator, keep_draft: Organisation) -> None:
    today = timezone.localdate()
    seats = (
        Assignment.objects.filter(status=AssignmentStatus.ASSIGNED, organisation__type__in=FINAL_BENEFICIARY_TYPES)
        .select_related("organisation", "thematic_group")
        .order_by("organisation__name")
    )
    for index, seat in enumerate(seats):
        _demo_actions(seat.organisation, seat.thematic_group, 4 if seat.organisation == keep_draft else 1 + index % 3)
    if ReportingCampaign.objects.filter(year=today.year).exists():
        return
    campaign = reports.campaign_open(actor=coordinator, year=today.year, deadline=today + timedelta(days=45))
    members = Organisation.objects.filter(reports__campaign=campaign, status__in=OrganisationStatus.member_states())
    for index, organisation in enumerate(members.exclude(pk=keep_draft.pk).order_by("name")):
        report = Report.objects.get(campaign=campaign, organisation=organisation)
        if index % 4 == 3 or not report.entries.exists():
            continue  # some members have not started yet
        actor = _actor_for(organisation)
        entries = {}
        for number, entry in enumerate(report.entries.all()):
            progress, tone, obstacles, needs = ANSWERS[number % len(ANSWERS)]
            entries[entry.pk] = {
                "answers": {"progress": progress, "result_tone": tone, "obstacles": obstacles, "needs": needs},
                "indicators": {key: values.get("value") for key, values in entry.indicator_values.items()},
            }
        report = reports.report_save(
            actor=actor,
            report=report,
            general={
                "highlights": f"Première année de travail structuré pour {organisation.name}.",
                "lessons": "Associer tôt les équipes de terrain.",
                "general_needs": ["tools", "peer_exchange"],
            },
            entries=entries,
            consent=index % 2 == 0,
        )
        report = reports.report_submit(actor=actor, report=report)
        if index % 4 == 0:
            reports.report_accept(actor=coordinator, report=report)
        elif index % 4 == 2:
            reports.report_return(
                actor=coordinator, report=report, comment="Pouvez-vous préciser les obstacles rencontrés ?"
            )
