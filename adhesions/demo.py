"""Demo adhesions, one in each state of the process, made through the same services as real ones."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from adhesions import services, signing
from adhesions.enums import AdhesionStatus, SignatureStatus
from adhesions.models import Adhesion
from adhesions.steps import steps_for


def _enterprise_number(seed: int) -> str:
    base = f"0{7_000_000 + seed * 104_729:07d}"[:8]
    return base + f"{97 - int(base) % 97:02d}"


def _person(first: str, last: str, domain: str, function: str) -> dict:
    email = f"{first.lower()}.{last.lower()}@{domain}".replace("é", "e").replace("è", "e")
    return {"first_name": first, "last_name": last, "function": function, "email": email, "phone": "081 00 00 00"}


def _answers(seed: int, name: str, kind: str, city: str, postal_code: str) -> dict:
    domain = f"demo{seed}.example.be"
    answers = {
        "organisation": {
            "name": name,
            "legal_form": "ASBL",
            "type": kind,
            "type_precision": "Centre de recherche" if kind == "other" else "",
            "enterprise_number": _enterprise_number(seed),
            "street": f"Rue de la Démo {seed}",
            "postal_code": postal_code,
            "city": city,
            "website": "",
        },
        "legal_representative": _person("Jeanne", "Dumont", domain, "Directrice"),
        "contact_point": {"same_as_legal_representative": True},
        "initiatives": {"description": "Un plan climat interne est en cours depuis 2024.", "link": "", "file_name": ""},
        "privacy": {"notice_acknowledged": True, "nominative_consent": seed % 2 == 0},
    }
    if kind == "other":
        answers["ecosystem"] = {
            "contributions": "Webinaires et fiches pratiques.",
            "expertise": "Analyse de cycle de vie des dispositifs médicaux.",
            "expertise_themes": ["achats-durables", "transversal"],
            "internal_action": False,
        }
        return answers
    first_group = "decarbonation" if kind == "hospital" else "sensibilisation-aines"
    answers["groups"] = {
        "choices": [first_group, "resilience"],
        "delegates": {
            first_group: _person("Karim", "Haddad", domain, "Responsable énergie"),
            "resilience": _person("Emma", "Janssens", domain, "Infirmière cheffe"),
        },
    }
    answers["actions"] = {
        first_group: {
            "option": "1",
            "action_1": "Audit énergétique des bâtiments",
            "action_2": "Covoiturage du personnel",
        },
        "resilience": {"option": "2", "action_1": "", "action_2": ""},
    }
    return answers


def _sign_pending(adhesion: Adhesion, *, keep_one: bool = False) -> None:
    pending = list(adhesion.signatures.filter(status=SignatureStatus.PENDING).order_by("pk"))
    for signature in pending[: len(pending) - 1] if keep_one else pending:
        token = signing.new_token()
        signature.token_hash = signing.token_hash(token)
        signature.save(update_fields=["token_hash"])
        services.signature_sign(
            signature_id=signature.pk,
            token=token,
            typed_name=signature.full_name,
            ip_address="192.0.2.1",
            user_agent="Démo",
        )


def _attach_scan(adhesion: Adhesion, coordinator) -> None:
    """One signatory answered by post: the coordination attached the scan and checked it by eye."""
    signature = adhesion.signatures.filter(status=SignatureStatus.PENDING).order_by("pk").last()
    with adhesion.document.open("rb") as handle:
        scan = SimpleUploadedFile("formulaire-signe-scan.pdf", handle.read(), content_type="application/pdf")
    services.signature_attach_pdf(signature=signature, uploaded_file=scan, actor=coordinator, handwritten_checked=True)


# (seed, organisation, type, city, postal code, state to reach)
DEMO_ADHESIONS = [
    (1, "Clinique du Val de Sambre", "hospital", "Charleroi", "6000", AdhesionStatus.DRAFT),
    (2, "Hôpital Saint-Remacle", "hospital", "Verviers", "4800", AdhesionStatus.AWAITING_SIGNATURES),
    (3, "Maison de repos Le Clos Fleuri", "elder_care", "Arlon", "6700", AdhesionStatus.SIGNED),
    (4, "Institut wallon de recherche en santé", "other", "Gembloux", "5030", AdhesionStatus.SIGNATURES_VALIDATED),
    (5, "Résidence La Hêtraie", "elder_care", "Mons", "7000", AdhesionStatus.CORRECTIONS_REQUESTED),
    (6, "Centre hospitalier de Famenne", "hospital", "Marche-en-Famenne", "6900", AdhesionStatus.CONFIRMED),
    (7, "Société Démo de conseil", "other", "Tournai", "7500", AdhesionStatus.REJECTED),
]


def seed_demo_adhesions(*, applicant, coordinator) -> list[Adhesion]:
    made = []
    for seed, name, kind, city, postal_code, target in DEMO_ADHESIONS:
        if Adhesion.objects.filter(organisation_name=name).exists():
            continue
        answers = _answers(seed, name, kind, city, postal_code)
        adhesion = services.adhesion_start(applicant=applicant)
        for step in steps_for(kind):
            adhesion = services.adhesion_save_step(
                adhesion=adhesion, step=step, answers=answers.get(step.section, {}), actor=applicant
            )
        if target != AdhesionStatus.DRAFT:
            adhesion = services.adhesion_submit(adhesion=adhesion, actor=applicant)
            by_post = target == AdhesionStatus.SIGNED
            _sign_pending(adhesion, keep_one=target == AdhesionStatus.AWAITING_SIGNATURES or by_post)
            if by_post:
                _attach_scan(adhesion, coordinator)
            adhesion.refresh_from_db()
            # Spread the dates so that "waiting since" has something to show.
            Adhesion.objects.filter(pk=adhesion.pk).update(submitted_at=timezone.now() - timedelta(days=6 * seed))
        if target in {AdhesionStatus.SIGNATURES_VALIDATED, AdhesionStatus.CONFIRMED}:
            adhesion = services.adhesion_validate_signatures(adhesion=adhesion, actor=coordinator)
        if target == AdhesionStatus.CONFIRMED:
            adhesion = services.adhesion_confirm_receipt(adhesion=adhesion, actor=coordinator)
        elif target == AdhesionStatus.CORRECTIONS_REQUESTED:
            adhesion = services.adhesion_request_corrections(
                adhesion=adhesion, actor=coordinator, message="Merci de préciser l'adresse complète du siège social."
            )
        elif target == AdhesionStatus.REJECTED:
            adhesion = services.adhesion_reject(
                adhesion=adhesion,
                actor=coordinator,
                reason="L'organisation n'exerce pas d'activité liée aux soins de santé en Wallonie.",
            )
        made.append(adhesion)
    return made
