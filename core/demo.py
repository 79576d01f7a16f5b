"""Demo data: one person per role, three organisations, so every page can be tried at once."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from members import services as member_services
from members.enums import OrganisationRoleType, OrganisationStatus, OrganisationType
from members.models import Organisation
from thematic_groups import services as group_services
from thematic_groups.enums import LocomotiveRoleType
from thematic_groups.models import ThematicGroup

DEMO_PASSWORD = "demo-ASeTW-2026"
# A fixed, public secret so that demo staff accounts can pass the second factor
# (``manage.py demo_totp EMAIL`` prints the current code). Never used outside demo data.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    needs_totp: bool


DEMO_ORGANISATIONS = [
    {
        "name": "Centre Hospitalier Démo de Namur",
        "legal_form": "ASBL",
        "type": OrganisationType.HOSPITAL,
        "enterprise_number": "0464.281.392",
        "street": "Avenue de la Santé 12",
        "postal_code": "5000",
        "city": "Namur",
        "website": "https://chu-demo.example.org",
    },
    {
        "name": "Résidence Les Tilleuls",
        "legal_form": "ASBL",
        "type": OrganisationType.ELDER_CARE_HOME,
        "enterprise_number": "0411.223.382",
        "street": "Rue des Tilleuls 4",
        "postal_code": "4000",
        "city": "Liège",
    },
    {
        "name": "Fédération Démo des Patients",
        "legal_form": "ASBL",
        "type": OrganisationType.OTHER,
        "type_precision": "Association de patients",
        "enterprise_number": "0876.543.270",
        "street": "Place du Marché 1",
        "postal_code": "1300",
        "city": "Wavre",
    },
]


def _person(email: str, first_name: str, last_name: str, *, totp: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first_name, "last_name": last_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if totp and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


def _organisation(data: dict) -> Organisation:
    from members.enterprise_number import normalise_enterprise_number

    existing = Organisation.objects.filter(
        enterprise_number=normalise_enterprise_number(data["enterprise_number"])
    ).first()
    if existing:
        return existing
    organisation = member_services.organisation_create(actor=None, **data)
    # Demo organisations start as confirmed members; the adhesion journey is how real ones get there.
    organisation.status = OrganisationStatus.ACTIVE
    organisation.member_since = timezone.localdate()
    organisation.save(update_fields=["status", "member_since"])
    return organisation


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    groups = {group.slug: group for group in ThematicGroup.objects.all()}
    decarbonation, aines = groups["decarbonation"], groups["sensibilisation-aines"]
    hospital, home, federation = (_organisation(data) for data in DEMO_ORGANISATIONS)
    logins: list[DemoLogin] = []

    coordinator = _person("coordination@demo.asetw.be", "Claire", "Dupont", totp=True)
    account_services.global_role_grant(actor=None, user=coordinator, role="coordinator")
    logins.append(DemoLogin(coordinator.email, "coordination opérationnelle", True))

    steering = _person("copil@demo.asetw.be", "Marc", "Lambert", totp=True)
    account_services.global_role_grant(actor=None, user=steering, role="steering_member")
    logins.append(DemoLogin(steering.email, "comité de pilotage", True))

    for role, email, first, last, label in [
        (LocomotiveRoleType.PILOT, "pilote@demo.asetw.be", "Sophie", "Martin", "pilote thématique (Décarbonation)"),
        (
            LocomotiveRoleType.FACILITATOR,
            "facilitateur@demo.asetw.be",
            "Thomas",
            "Leroy",
            "facilitateur (Décarbonation)",
        ),
        (LocomotiveRoleType.REFERENT, "referent@demo.asetw.be", "Julie", "Renard", "référente ASeT-W (Décarbonation)"),
    ]:
        person = _person(email, first, last, totp=True)
        group_services.locomotive_member_add(actor=None, group=decarbonation, user=person, role=role)
        logins.append(DemoLogin(email, label, True))

    member_people = [
        (
            hospital,
            OrganisationRoleType.LEGAL_REPRESENTATIVE,
            None,
            "direction@chu-demo.be",
            "Anne",
            "Collard",
            "Directrice générale",
            "représentante légale",
        ),
        (
            hospital,
            OrganisationRoleType.CONTACT_POINT,
            None,
            "contact@chu-demo.be",
            "Luc",
            "Simon",
            "Coordinateur durabilité",
            "point de contact",
        ),
        (
            hospital,
            OrganisationRoleType.DELEGATE,
            decarbonation,
            "delegue@chu-demo.be",
            "Nadia",
            "Benali",
            "Responsable énergie",
            "délégué GT Décarbonation",
        ),
        (
            home,
            OrganisationRoleType.DELEGATE,
            aines,
            "delegue@tilleuls-demo.be",
            "Paul",
            "Gérard",
            "Infirmier en chef",
            "délégué GT Sensibilisation aînés (autre organisation)",
        ),
        (
            federation,
            OrganisationRoleType.LEGAL_REPRESENTATIVE,
            None,
            "direction@patients-demo.be",
            "Inès",
            "Moreau",
            "Présidente",
            "représentante légale d'un acteur de l'écosystème",
        ),
    ]
    for organisation, role, group, email, first, last, function, label in member_people:
        person = _person(email, first, last)
        member_services.organisation_role_assign(
            actor=None, organisation=organisation, user=person, role=role, thematic_group=group, function=function
        )
        logins.append(DemoLogin(email, label, False))

    from thematic_groups.demo import seed_demo_groups

    seed_demo_groups(coordinator=coordinator, seated=[(hospital, "decarbonation"), (home, "sensibilisation-aines")])
    _demo_withdrawals(coordinator)
    from thematic_groups.demo import seed_demo_sessions

    seed_demo_sessions(coordinator=coordinator)
    from reporting.demo import seed_demo_reporting

    seed_demo_reporting(coordinator=coordinator, keep_draft=hospital)
    from community.demo import seed_demo_library

    seed_demo_library(
        author=member_roles_user(hospital, OrganisationRoleType.CONTACT_POINT),
        organisation=hospital,
        moderator=coordinator,
    )

    from adhesions.demo import seed_demo_adhesions

    applicant = _person("candidat@demo.asetw.be", "Camille", "Renson")
    seed_demo_adhesions(applicant=applicant, coordinator=coordinator)
    logins.append(DemoLogin(applicant.email, "candidat : formulaires d'adhésion dans chaque état", False))
    return logins


def member_roles_user(organisation, role):
    return organisation.roles.filter(role=role).select_related("user").first().user


def _demo_withdrawals(coordinator) -> None:
    """One member on its way out (asked, not yet confirmed) and one that has left, to show both states."""
    from datetime import timedelta

    from members import lifecycle

    leaving = Organisation.objects.filter(name="Hôpital démo n° 3", status=OrganisationStatus.ACTIVE).first()
    if leaving is not None:
        lifecycle.withdrawal_request(
            organisation=leaving,
            actor=coordinator,
            reason="Fusion avec un autre réseau hospitalier au 1er janvier.",
            effective_on=timezone.localdate() + timedelta(days=40),
        )
    gone = Organisation.objects.filter(name="Hôpital démo n° 4", status=OrganisationStatus.ACTIVE).first()
    if gone is not None:
        lifecycle.withdrawal_request(
            organisation=gone,
            actor=coordinator,
            reason="Fin des activités hospitalières.",
            effective_on=timezone.localdate(),
        )
        lifecycle.withdrawal_confirm(organisation=gone, actor=coordinator)
