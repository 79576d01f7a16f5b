"""Demo data for the GTs: enough confirmed members for the assignment board to have real work to do.

Décarbonation gets a few more hospitals than its minimum, Sensibilisation aînés more elder-care homes than it has
seats (so the proposal puts some on the waiting list), and the three open groups a mix of both. A few members
joined almost a month ago, so the one-month rule has something to show.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from members import services as member_services
from members.enums import OrganisationRoleType, OrganisationStatus, OrganisationType
from members.models import Organisation
from thematic_groups import assignments
from thematic_groups.models import Assignment, ThematicGroup

CITIES = [
    ("5000", "Namur"),
    ("4000", "Liège"),
    ("6000", "Charleroi"),
    ("7000", "Mons"),
    ("1300", "Wavre"),
    ("6700", "Arlon"),
    ("7500", "Tournai"),
    ("4800", "Verviers"),
]
# (how many, type, the groups they ask for)
COHORTS = [
    (22, OrganisationType.HOSPITAL, ["decarbonation", "achats-durables"]),
    (6, OrganisationType.HOSPITAL, ["resilience", "infrastructures-durables"]),
    (34, OrganisationType.ELDER_CARE_HOME, ["sensibilisation-aines"]),
    (12, OrganisationType.ELDER_CARE_HOME, ["achats-durables", "resilience"]),
]


def _enterprise_number(seed: int) -> str:
    base = f"0{(700000 + seed * 7919) % 10_000_000:07d}"
    return f"{base}{97 - int(base) % 97:02d}"


def _delegate(index: int, slug: str):
    User = get_user_model()
    email = f"delegue.{slug}.{index}@membres-demo.be"
    user, _created = User.objects.get_or_create(
        email=email, defaults={"first_name": "Délégué", "last_name": f"Démo {index}"}
    )
    return user


def seed_demo_groups(*, coordinator, seated: list[tuple[Organisation, str]]) -> None:
    groups = {group.slug: group for group in ThematicGroup.objects.all()}
    today = timezone.localdate()
    for organisation, slug in seated:
        if not Assignment.objects.filter(organisation=organisation, thematic_group=groups[slug]).exists():
            assignments.assignment_create(
                actor=coordinator, organisation=organisation, group=groups[slug], reason="", notify=False
            )
    index = 0
    for count, kind, slugs in COHORTS:
        for _ in range(count):
            index += 1
            label = "Hôpital démo" if kind == OrganisationType.HOSPITAL else "Maison de repos démo"
            name = f"{label} n° {index}"
            if Organisation.objects.filter(name=name).exists():
                continue
            postal_code, city = CITIES[index % len(CITIES)]
            organisation = member_services.organisation_create(
                actor=None,
                name=name,
                legal_form="ASBL",
                type=kind,
                enterprise_number=_enterprise_number(index),
                street=f"Rue de la Démo {index}",
                postal_code=postal_code,
                city=city,
            )
            organisation.status = OrganisationStatus.ACTIVE
            # Spread over the last weeks; every seventh joined 25 days ago, close to the one-month deadline.
            organisation.member_since = today - timedelta(days=25 if index % 7 == 0 else index % 20)
            organisation.save(update_fields=["status", "member_since"])
            for slug in slugs:
                member_services.organisation_role_assign(
                    actor=None,
                    organisation=organisation,
                    user=_delegate(index, slug),
                    role=OrganisationRoleType.DELEGATE,
                    thematic_group=groups[slug],
                    function="Référent durabilité",
                )


def seed_demo_sessions(*, coordinator) -> None:
    """Décarbonation, the demo pilot's group: members, two sessions held, one announced, one in draft."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from thematic_groups.enums import AttendanceStatus, SessionStatus
    from thematic_groups.models import Attendance, Session

    group = ThematicGroup.objects.get(slug="decarbonation")
    if Session.objects.filter(thematic_group=group).exists():
        return
    brussels = ZoneInfo("Europe/Brussels")
    today = timezone.localdate()
    hospitals = Organisation.objects.filter(name__startswith="Hôpital démo", status=OrganisationStatus.ACTIVE)
    for organisation in hospitals.order_by("pk")[:8]:
        if not Assignment.objects.filter(organisation=organisation, thematic_group=group).exists():
            assignments.assignment_create(actor=coordinator, organisation=organisation, group=group, notify=False)
    # Seats given before the first session held, so that the two-thirds rule counts it.
    Assignment.objects.filter(thematic_group=group).update(decided_at=timezone.now() - timedelta(days=90))

    def at(days: int, hour: int) -> datetime:
        day = today + timedelta(days=days)
        while day.weekday() >= 5:  # sessions are held on working days
            day += timedelta(days=1)
        return datetime.combine(day, time(hour), tzinfo=brussels)

    plans = [
        (-60, "Lancement : état des lieux énergétique", SessionStatus.PUBLISHED),
        (-20, "Gaz anesthésiques et plan de réduction", SessionStatus.PUBLISHED),
        (75, "Mobilité du personnel et des patients", SessionStatus.PUBLISHED),
        (110, "Bilan carbone : premiers résultats", SessionStatus.DRAFT),
    ]
    members = [
        seat.organisation for seat in Assignment.objects.filter(thematic_group=group).select_related("organisation")
    ]
    for days, title, status in plans:
        session = Session.objects.create(
            thematic_group=group,
            title=title,
            starts_at=at(days, 9),
            ends_at=at(days, 12),
            place="SPW, Place Joséphine-Charlotte 2, Namur",
            agenda="1. Tour de table\n2. Retours d'expérience\n3. Tâche pour la prochaine séance",
            intersession_task="Relever la consommation d'énergie du bloc opératoire sur un mois." if days < 0 else "",
            status=status,
            published_at=timezone.now() - timedelta(days=120) if status == SessionStatus.PUBLISHED else None,
            created_by=coordinator,
        )
        if days < 0:
            for index, organisation in enumerate(members):
                # Most attend; one member keeps missing without notice, to show the alerts.
                status_of = AttendanceStatus.ABSENT if index == 1 else AttendanceStatus.PRESENT
                if index == 2 and days == -20:
                    status_of = AttendanceStatus.EXCUSED
                Attendance.objects.create(session=session, organisation=organisation, status=status_of)
            session.attendance_closed_at = session.ends_at + timedelta(hours=2)
            session.attendance_closed_by = coordinator
            session.save(update_fields=["attendance_closed_at", "attendance_closed_by"])
