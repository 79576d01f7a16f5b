"""A dataset of the alliance's size (or a multiple of it) for measuring the portal: ``manage.py seed_scale``.

Factor 1 is the realistic size (1,000 organisations, 5 GTs, 200 sessions, 6,000 attendance rows, 2,000 actions,
1,000 reports, 5,000 library resources); factor 10 ten times that. Rows are written with ``bulk_create``, not
through the services: the services audit and e-mail every change, which is right for real changes and minutes
too slow for fifty thousand rows. The states are the ones the services would have produced.

Each GT keeps the convention's shape whatever the factor: 30 seats, a waiting list, 40 sessions of 30 members,
so a page about one GT sees the same amount of data at 1x and 10x while the alliance-wide pages see ten times more.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from core import scale_words as words
from core.scale_library import BATCH, BENCH_DOMAIN, AdhesionsAndLibrary
from members.enums import FINAL_BENEFICIARY_TYPES, OrganisationRoleType, OrganisationStatus, OrganisationType
from members.models import Organisation, OrganisationRole
from reporting.enums import ActionStatus, CampaignStatus, ReportStatus
from reporting.models import Action, Indicator, Lever, Report, ReportEntry, ReportingCampaign
from reporting.questions import CURRENT_VERSION
from thematic_groups.enums import AssignmentStatus, AttendanceStatus, LocomotiveRoleType, SessionStatus
from thematic_groups.models import Assignment, Attendance, LocomotiveMember, Session, ThematicGroup

# Known to whoever runs the benchmark, printed by the command; never used outside scale data.
BENCH_PASSWORD = "bench-ASeTW-2026"
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
BENCH_CLIENTS = {"delegate": 10, "pilot": 4, "coordinator": 6}
SEATS_PER_GROUP = 30
BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass(frozen=True)
class ScalePlan:
    """How many rows of each kind: the realistic size times ``factor``."""

    factor: float
    organisations: int
    groups: int
    sessions: int
    attendance: int
    actions: int
    reports: int
    resources: int

    @classmethod
    def for_factor(cls, factor: float) -> ScalePlan:
        def times(size: int) -> int:
            return max(1, round(size * factor))

        sessions = times(200)
        return cls(
            factor=factor,
            organisations=times(1000),
            # The five GTs of annex 1 always exist; more are regional copies of them.
            groups=max(5, round(5 * factor)),
            sessions=sessions,
            attendance=sessions * SEATS_PER_GROUP,
            actions=times(2000),
            reports=times(1000),
            resources=times(5000),
        )


def bench_email(role: str, index: int) -> str:
    return f"{role}{index:02d}@{BENCH_DOMAIN}"


def is_seeded() -> bool:
    return get_user_model().objects.filter(email=bench_email("coordinator", 1)).exists()


def holds_other_data() -> bool:
    """People or organisations that are not scale data: the database is not one to fill with known passwords."""
    from members.models import Organisation

    # Seeding is one transaction: a database holding organisations but no bench account was not seeded here.
    return get_user_model().objects.exclude(email__endswith=BENCH_DOMAIN).exists() or Organisation.objects.exists()


class _Builder(AdhesionsAndLibrary):
    def __init__(self, plan: ScalePlan, seed: int):
        self.plan = plan
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.password = make_password(BENCH_PASSWORD)
        # Only the bench accounts sign in; the thousands of generated people cannot.
        self.no_password = make_password(None)
        self.bench_names = {
            f"{role}{index:02d}" for role, count in BENCH_CLIENTS.items() for index in range(1, count + 1)
        }
        self.users: list = []  # people waiting for the next bulk insert
        self.user_count = 0
        self.pending_roles: list[tuple] = []  # (person, organisation, role, group, function)
        self.indicators: dict[int, list[Indicator]] = {}  # by action id

    # --- people ------------------------------------------------------------------------------------
    def person(self, *, email: str | None = None, **extra):
        User = get_user_model()
        extra.setdefault("first_name", self.rng.choice(words.FIRST_NAMES))
        extra.setdefault("last_name", self.rng.choice(words.LAST_NAMES))
        self.user_count += 1
        name = f"{_ascii(extra['first_name'])}.{_ascii(extra['last_name'])}.{self.user_count}"
        password = self.password if email and email.split("@")[0] in self.bench_names else self.no_password
        user = User(email=email or f"{name}@membres.{BENCH_DOMAIN}", password=password, **extra)
        self.users.append(user)
        return user

    def save_people(self) -> None:
        User = get_user_model()
        User.objects.bulk_create(self.users, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in self.users],
            batch_size=BATCH,
        )
        self.users = []

    # --- groups --------------------------------------------------------------------------------------
    def groups(self) -> list[ThematicGroup]:
        base = list(ThematicGroup.objects.order_by("number")[:5])
        levers = list(Lever.objects.filter(thematic_group__in=base))
        extra = []
        for number in range(len(base) + 1, self.plan.groups + 1):
            model = base[(number - 1) % len(base)]
            region = words.REGIONS[(number - 1) // len(base) % len(words.REGIONS)]
            extra.append(
                ThematicGroup(
                    number=number,
                    slug=f"{model.slug}-{number}",
                    name=f"{model.name} — {region} {number}",
                    short_name=f"{model.short_name} {number}"[:80],
                    target_public=model.target_public,
                    eligibility=model.eligibility,
                    scope=model.scope,
                    ambitions=model.ambitions,
                    out_of_scope=model.out_of_scope,
                    first_session_start=model.first_session_start,
                    first_session_end=model.first_session_end,
                )
            )
        ThematicGroup.objects.bulk_create(extra, batch_size=BATCH)
        copies = [
            Lever(thematic_group=group, name=lever.name, position=lever.position)
            for group in extra
            for lever in levers
            if lever.thematic_group_id == base[(group.number - 1) % len(base)].pk
        ]
        Lever.objects.bulk_create(copies, batch_size=BATCH)
        return base + extra

    # --- organisations and their people --------------------------------------------------------------
    def organisations(self) -> list[Organisation]:
        rows = []
        for index in range(self.plan.organisations):
            draw = self.rng.random()
            kind = (
                OrganisationType.HOSPITAL
                if draw < 0.2
                else OrganisationType.ELDER_CARE_HOME
                if draw < 0.75
                else OrganisationType.OTHER
            )
            draw = self.rng.random()
            status = (
                OrganisationStatus.ACTIVE
                if draw < 0.86
                else OrganisationStatus.CANDIDATE
                if draw < 0.90
                else OrganisationStatus.WITHDRAWING
                if draw < 0.93
                else OrganisationStatus.WITHDRAWN
            )
            postal_code, city = self.rng.choice(words.CITIES)
            name, precision = self._organisation_name(kind, city, index)
            joined = self.today - timedelta(days=self.rng.randint(30, 230))
            rows.append(
                Organisation(
                    name=name,
                    legal_form=self.rng.choice(["ASBL", "Intercommunale", "SRL", "Association Chapitre XII"]),
                    type=kind,
                    type_precision=precision,
                    enterprise_number=_enterprise_number(index),
                    street=f"Rue {self.rng.choice(words.LAST_NAMES)} {self.rng.randint(1, 250)}",
                    postal_code=postal_code,
                    city=city,
                    website=f"https://www.org{index}.example.be" if index % 3 else "",
                    status=status,
                    member_since=None if status == OrganisationStatus.CANDIDATE else joined,
                    withdrawal_effective_on=self.today + timedelta(days=40)
                    if status == OrganisationStatus.WITHDRAWING
                    else self.today - timedelta(days=10)
                    if status == OrganisationStatus.WITHDRAWN
                    else None,
                    withdrawal_reason="Réorganisation interne." if status in _LEAVING else "",
                    withdrawal_requested_at=self.now - timedelta(days=20) if status in _LEAVING else None,
                    withdrawal_confirmed_at=self.now - timedelta(days=10)
                    if status == OrganisationStatus.WITHDRAWN
                    else None,
                    nominative_consent=index % 2 == 0,
                    created_at=self.now - timedelta(days=240),
                )
            )
        return Organisation.objects.bulk_create(rows, batch_size=BATCH)

    def _organisation_name(self, kind: str, city: str, index: int) -> tuple[str, str]:
        if kind == OrganisationType.HOSPITAL:
            pattern = self.rng.choice(["Centre hospitalier de {city}", "Clinique Saint-{saint}", "CHU {city}"])
            return pattern.format(city=city, saint=self.rng.choice(words.SAINTS)) + f" ({index})", ""
        if kind == OrganisationType.ELDER_CARE_HOME:
            return f"Résidence {self.rng.choice(words.RESIDENCES)} — {city} ({index})", ""
        prefix, precision = self.rng.choice(words.ECOSYSTEM_KINDS)
        return f"{prefix} {self.rng.choice(words.LAST_NAMES)} ({index})", precision

    def whole_roles(self, organisations: list[Organisation]) -> dict[int, object]:
        """A legal representative for every organisation; a separate contact point in most of them."""
        roles, contacts = [], {}
        for organisation in organisations:
            legal = self.person()
            roles.append((legal, organisation, OrganisationRoleType.LEGAL_REPRESENTATIVE, None, words.FUNCTIONS[0]))
            contact = legal if self.rng.random() < 0.3 else self.person()
            roles.append((contact, organisation, OrganisationRoleType.CONTACT_POINT, None, words.FUNCTIONS[3]))
            contacts[organisation.pk] = contact
        self.pending_roles += roles
        return contacts

    # --- seats -----------------------------------------------------------------------------------------
    def seats(self, groups, organisations, coordinator) -> dict[int, list[Organisation]]:
        """30 seats per group, then a waiting list; every seat or place in the queue has its delegate."""
        members = [org for org in organisations if org.status in OrganisationStatus.member_states()]
        held: dict[int, int] = {}
        seated: dict[int, list[Organisation]] = {}
        assignments = []
        for group in groups:
            eligible = [org for org in members if group.accepts(org.type)]
            self.rng.shuffle(eligible)
            eligible.sort(key=lambda org: held.get(org.pk, 0))
            chosen = eligible[: SEATS_PER_GROUP + 8]
            seated[group.pk] = chosen[:SEATS_PER_GROUP]
            for rank, organisation in enumerate(chosen):
                status = AssignmentStatus.ASSIGNED if rank < SEATS_PER_GROUP else AssignmentStatus.WAITING
                held[organisation.pk] = held.get(organisation.pk, 0) + 1
                assignments.append(
                    Assignment(
                        organisation=organisation,
                        thematic_group=group,
                        status=status,
                        queued_since=organisation.member_since,
                        decided_at=self.now - timedelta(days=250),
                        decided_by=coordinator,
                        notified_at=self.now - timedelta(days=250),
                    )
                )
                delegate = self.person()
                self.pending_roles.append(
                    (delegate, organisation, OrganisationRoleType.DELEGATE, group, self.rng.choice(words.FUNCTIONS))
                )
        Assignment.objects.bulk_create(assignments, batch_size=BATCH)
        return seated

    def save_roles(self) -> None:
        self.save_people()
        OrganisationRole.objects.bulk_create(
            [
                OrganisationRole(user=user, organisation=org, role=role, thematic_group=group, function=function)
                for user, org, role, group, function in self.pending_roles
            ],
            batch_size=BATCH,
        )

    def locomotives(self, groups) -> None:
        people = []
        for group in groups:
            for role in (LocomotiveRoleType.REFERENT, LocomotiveRoleType.PILOT, LocomotiveRoleType.FACILITATOR):
                people.append((self.person(), group, role))
        self.save_people()
        LocomotiveMember.objects.bulk_create(
            [
                LocomotiveMember(user=user, thematic_group=group, role=role, organisation_name="SPW SG DD")
                for user, group, role in people
            ],
            batch_size=BATCH,
        )

    # --- sessions and attendance ---------------------------------------------------------------------
    def sessions(self, groups, seated, coordinator) -> None:
        per_group = [self.plan.sessions // len(groups)] * len(groups)
        for index in range(self.plan.sessions % len(groups)):
            per_group[index] += 1
        sessions = []
        for group, count in zip(groups, per_group, strict=True):
            first = timezone.localtime(group.first_session_start).date()
            span = max((self.today - timedelta(days=3) - first).days, count)
            for number in range(count):
                day = first + timedelta(days=span * number // max(count, 1))
                starts = datetime.combine(day, time(9), tzinfo=BRUSSELS)
                sessions.append(
                    Session(
                        thematic_group=group,
                        title=f"Séance {number + 1} : {self.rng.choice(words.RESOURCE_TOPICS)}",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=3),
                        place="SPW, Place Joséphine-Charlotte 2, Namur",
                        agenda="1. Tour de table\n2. Retours d'expérience\n3. Tâche pour la prochaine séance",
                        status=SessionStatus.PUBLISHED,
                        published_at=starts - timedelta(days=70),
                        attendance_closed_at=starts + timedelta(hours=5),
                        attendance_closed_by=coordinator,
                        created_by=coordinator,
                    )
                )
        Session.objects.bulk_create(sessions, batch_size=BATCH)
        rows = []
        for session in sessions:
            members = seated[session.thematic_group_id]
            for organisation in members[:SEATS_PER_GROUP]:
                draw = self.rng.random()
                status = (
                    AttendanceStatus.PRESENT
                    if draw < 0.8
                    else AttendanceStatus.EXCUSED
                    if draw < 0.9
                    else AttendanceStatus.EXCEPTIONAL
                    if draw < 0.93
                    else AttendanceStatus.ABSENT
                )
                rows.append(
                    Attendance(
                        session=session,
                        organisation=organisation,
                        status=status,
                        checked_in_at=session.starts_at if status == AttendanceStatus.PRESENT else None,
                        recorded_by=coordinator,
                    )
                )
            if len(rows) >= BATCH * 5:
                Attendance.objects.bulk_create(rows, batch_size=BATCH)
                rows = []
        Attendance.objects.bulk_create(rows, batch_size=BATCH)

    # --- actions and reports -------------------------------------------------------------------------
    def actions(self, groups, organisations, seated, contacts) -> dict[int, list[Action]]:
        """Two actions per seat first (art 4bis.3), then the members' other actions, then internal ones."""
        levers: dict[int, list[Lever]] = {}
        for lever in Lever.objects.filter(thematic_group__in=groups):
            levers.setdefault(lever.thematic_group_id, []).append(lever)
        members = [org for org in organisations if org.status in OrganisationStatus.member_states()]
        beneficiaries = [org for org in members if org.type in FINAL_BENEFICIARY_TYPES]
        base_groups = groups[:5]
        slots: list[tuple[Organisation, ThematicGroup | None]] = []
        by_pk = {group.pk: group for group in groups}
        for group_pk, orgs in seated.items():
            slots += [(org, by_pk[group_pk]) for org in orgs for _ in range(2)]
        for organisation in beneficiaries:
            slots.append((organisation, self.rng.choice([g for g in base_groups if g.accepts(organisation.type)])))
        slots += [(org, None) for org in members if org.type not in FINAL_BENEFICIARY_TYPES]
        while len(slots) < self.plan.actions:
            slots += slots[: self.plan.actions - len(slots)]
        slots = slots[: self.plan.actions]
        rows = []
        for index, (organisation, group) in enumerate(slots):
            draw = self.rng.random()
            status = (
                ActionStatus.ENVISAGED
                if draw < 0.2
                else ActionStatus.PLANNED
                if draw < 0.45
                else ActionStatus.IN_PROGRESS
                if draw < 0.8
                else ActionStatus.DONE
                if draw < 0.95
                else ActionStatus.ABANDONED
            )
            starts = self.today - timedelta(days=self.rng.randint(0, 200))
            rows.append(
                Action(
                    organisation=organisation,
                    thematic_group=group,
                    title=words.ACTION_TITLES[index % len(words.ACTION_TITLES)],
                    description="Action inscrite au plan de l'établissement, suivie en comité de direction.",
                    lever=self.rng.choice(levers[group.pk]) if group is not None and levers.get(group.pk) else None,
                    status=status,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=self.rng.randint(30, 700)),
                    created_by=contacts.get(organisation.pk),
                    created_at=self.now - timedelta(days=self.rng.randint(1, 200)),
                )
            )
        Action.objects.bulk_create(rows, batch_size=BATCH)
        indicators = []
        for index, action in enumerate(rows):
            if index % 2 == 0:
                name, unit, baseline, target = words.INDICATORS[index % len(words.INDICATORS)]
                indicators.append(
                    Indicator(
                        action=action,
                        name=name,
                        unit=unit,
                        baseline=Decimal(baseline),
                        target=Decimal(target),
                        latest_value=Decimal(baseline + (target - baseline) * self.rng.randint(0, 100) // 100),
                        latest_on=self.today - timedelta(days=30),
                    )
                )
        Indicator.objects.bulk_create(indicators, batch_size=BATCH)
        for indicator in indicators:
            self.indicators.setdefault(indicator.action_id, []).append(indicator)
        by_organisation: dict[int, list[Action]] = {}
        for action in rows:
            by_organisation.setdefault(action.organisation_id, []).append(action)
        return by_organisation

    def reports(self, organisations, actions, contacts, coordinator) -> None:
        """This year's campaign for every member final beneficiary; the rest of the plan in last year's."""
        beneficiaries = [
            org
            for org in organisations
            if org.type in FINAL_BENEFICIARY_TYPES and org.status in OrganisationStatus.member_states()
        ]
        year = self.today.year
        current = ReportingCampaign.objects.create(
            year=year,
            deadline=self.today + timedelta(days=45),
            template_version=CURRENT_VERSION,
            opened_by=coordinator,
            opened_at=self.now - timedelta(days=30),
        )
        previous = ReportingCampaign.objects.create(
            year=year - 1,
            deadline=self.today - timedelta(days=300),
            template_version=CURRENT_VERSION,
            status=CampaignStatus.CLOSED,
            opened_by=coordinator,
            opened_at=self.now - timedelta(days=400),
            closed_at=self.now - timedelta(days=290),
        )
        plan = [(current, org) for org in beneficiaries[: self.plan.reports]]
        # Last year's reports: the same members first, then those that have left or not joined since.
        chosen = {org.pk for org in beneficiaries}
        pool = beneficiaries + [org for org in organisations if org.pk not in chosen]
        plan += [(previous, org) for org in pool[: self.plan.reports - len(plan)]]
        reports = []
        for campaign, organisation in plan:
            status = ReportStatus.ACCEPTED if campaign == previous else self._report_status()
            handed_in = status != ReportStatus.DRAFT
            contact = contacts.get(organisation.pk)
            reports.append(
                Report(
                    campaign=campaign,
                    organisation=organisation,
                    status=status,
                    template_version=campaign.template_version,
                    general_answers={
                        "highlights": f"Première année de travail structuré pour {organisation.name}.",
                        "lessons": "Associer tôt les équipes de terrain.",
                        "general_needs": self.rng.sample(["tools", "peer_exchange", "training", "funding"], 2),
                    },
                    nominative_consent=self.rng.random() < 0.5,
                    consent_recorded_at=self.now if handed_in else None,
                    submitted_at=self.now - timedelta(days=10) if handed_in else None,
                    submitted_by=contact if handed_in else None,
                    accepted_at=self.now - timedelta(days=5) if status == ReportStatus.ACCEPTED else None,
                    accepted_by=coordinator if status == ReportStatus.ACCEPTED else None,
                    revision=1 if handed_in else 0,
                )
            )
        Report.objects.bulk_create(reports, batch_size=BATCH)
        entries = []
        for report in reports:
            for number, action in enumerate(actions.get(report.organisation_id, [])[:4]):
                progress, tone, obstacles, needs = words.REPORT_ANSWERS[number % len(words.REPORT_ANSWERS)]
                entries.append(
                    ReportEntry(
                        report=report,
                        action=action,
                        thematic_group_id=action.thematic_group_id,
                        lever_name=action.lever.name if action.lever else "",
                        title=action.title,
                        status=action.status,
                        answers={"progress": progress, "result_tone": tone, "obstacles": obstacles, "needs": needs},
                        indicator_values={
                            str(indicator.pk): {
                                "name": indicator.name,
                                "unit": indicator.unit,
                                "baseline": str(indicator.baseline),
                                "target": str(indicator.target),
                                "value": str(indicator.latest_value),
                            }
                            for indicator in self.indicators.get(action.pk, [])
                        },
                    )
                )
            if len(entries) >= BATCH * 5:
                ReportEntry.objects.bulk_create(entries, batch_size=BATCH)
                entries = []
        ReportEntry.objects.bulk_create(entries, batch_size=BATCH)

    def _report_status(self) -> str:
        draw = self.rng.random()
        if draw < 0.25:
            return ReportStatus.DRAFT
        if draw < 0.5:
            return ReportStatus.SUBMITTED
        if draw < 0.6:
            return ReportStatus.RETURNED
        if draw < 0.65:
            return ReportStatus.RESUBMITTED
        return ReportStatus.ACCEPTED

    # --- the accounts the benchmark signs in with ----------------------------------------------------
    def bench_users(self, groups, seated) -> dict[str, list]:
        accounts = {
            "coordinator": [
                self.person(email=bench_email("coordinator", n), is_coordinator=True, is_staff=True)
                for n in range(1, BENCH_CLIENTS["coordinator"] + 1)
            ],
            "pilot": [self.person(email=bench_email("pilot", n)) for n in range(1, BENCH_CLIENTS["pilot"] + 1)],
            "delegate": [
                self.person(email=bench_email("delegate", n)) for n in range(1, BENCH_CLIENTS["delegate"] + 1)
            ],
        }
        self.save_people()
        for user in accounts["coordinator"] + accounts["pilot"]:
            TOTP.activate(user, BENCH_TOTP_SECRET)
        first = groups[0]
        LocomotiveMember.objects.bulk_create(
            [
                LocomotiveMember(user=user, thematic_group=first, role=LocomotiveRoleType.PILOT)
                for user in accounts["pilot"]
            ]
        )
        # Each bench delegate takes over the delegate role of one organisation seated in the first GT.
        for user, organisation in zip(accounts["delegate"], seated[first.pk], strict=False):
            OrganisationRole.objects.filter(
                organisation=organisation, thematic_group=first, role=OrganisationRoleType.DELEGATE
            ).update(user=user)
        return {role: [user.email for user in users] for role, users in accounts.items()}


_LEAVING = {OrganisationStatus.WITHDRAWING, OrganisationStatus.WITHDRAWN}


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def _enterprise_number(index: int) -> str:
    """Valid BCE/KBO numbers (mod-97 check digits) far from the demo's and the tests' ranges."""
    base = f"0{6_000_000 + index:07d}"
    return f"{base}{97 - int(base) % 97:02d}"


def seed_scale(*, factor: float = 10, seed: int = 2026, log=print) -> dict[str, list]:
    """Fill an empty database with ``ScalePlan.for_factor(factor)``; returns the bench accounts by role."""
    plan = ScalePlan.for_factor(factor)
    builder = _Builder(plan, seed)
    with transaction.atomic():
        log(f"Plan: {plan}")
        coordinator = builder.person(
            email=f"coordination@{BENCH_DOMAIN}", is_coordinator=True, is_staff=True, first_name="Coordination"
        )
        builder.save_people()
        groups = builder.groups()
        log(f"{len(groups)} thematic groups")
        organisations = builder.organisations()
        contacts = builder.whole_roles(organisations)
        seated = builder.seats(groups, organisations, coordinator)
        builder.save_roles()
        builder.locomotives(groups)
        log(f"{len(organisations)} organisations with their people, seats and locomotives")
        builder.sessions(groups, seated, coordinator)
        log("sessions and attendance")
        actions = builder.actions(groups, organisations, seated, contacts)
        builder.reports(organisations, actions, contacts, coordinator)
        log("actions, campaigns and reports")
        builder.adhesions(organisations, contacts, groups)
        log("adhesions and signatures")
        builder.resources(organisations, contacts)
        log("library resources (with their search vectors)")
        accounts = builder.bench_users(groups, seated)
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes the search index for a scan of every resource.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return accounts
