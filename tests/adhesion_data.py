"""Answers of realistic adhesion forms, and a shortcut to fill one in through the services."""

from __future__ import annotations

import re

from adhesions import services
from adhesions.steps import steps_for
from core.models import OutboundEmail

SIGNING_LINK = re.compile(r"/adhesion/signer/(\d+)/([A-Za-z0-9_-]+)/")


def person(first: str, last: str, email: str, function: str = "Directeur") -> dict:
    return {"first_name": first, "last_name": last, "function": function, "email": email, "phone": "081 33 44 55"}


def hospital_answers(enterprise_number: str = "0464281392", name: str = "Clinique Saint-Luc de Namur") -> dict:
    return {
        "organisation": {
            "name": name,
            "legal_form": "ASBL",
            "type": "hospital",
            "type_precision": "",
            "enterprise_number": enterprise_number,
            "street": "Rue Saint-Luc 8",
            "postal_code": "5004",
            "city": "Bouge",
            "website": "https://clinique.example.be",
        },
        "legal_representative": person("Anne", "Lambert", "anne.lambert@clinique.example.be", "Directrice générale"),
        "contact_point": {
            "same_as_legal_representative": False,
            **person("Marc", "Dubois", "marc.dubois@clinique.example.be"),
        },
        "groups": {
            "choices": ["decarbonation", "achats-durables", "resilience"],
            "delegates": {
                "decarbonation": person("Léa", "Martin", "lea.martin@clinique.example.be"),
                "achats-durables": person("Hugo", "Leroy", "hugo.leroy@clinique.example.be"),
                "resilience": person("Sarah", "Peeters", "sarah.peeters@clinique.example.be"),
            },
        },
        "actions": {
            "decarbonation": {
                "option": "1",
                "action_1": "Remplacer le desflurane par du sévoflurane au bloc opératoire",
                "action_2": "Plan de mobilité douce pour le personnel",
            },
            "achats-durables": {"option": "2", "action_1": "", "action_2": ""},
            "resilience": {"option": "2", "action_1": "", "action_2": ""},
        },
        "initiatives": {"description": "Cellule développement durable depuis 2022.", "link": "", "file_name": ""},
        "privacy": {"notice_acknowledged": True, "nominative_consent": True},
    }


def ecosystem_answers(enterprise_number: str = "0403170701") -> dict:
    answers = hospital_answers(enterprise_number, name="Fédération wallonne des soins")
    answers["organisation"].update(type="other", type_precision="Fédération")
    del answers["groups"], answers["actions"]
    answers["ecosystem"] = {
        "contributions": "Webinaires et guides pour nos membres.",
        "expertise": "Achats publics durables.",
        "expertise_themes": ["achats-durables", "transversal"],
        "internal_action": False,
        "internal_action_description": "",
        "internal_action_with_final_beneficiaries": False,
        "internal_action_partners": "",
    }
    return answers


def filled_adhesion(applicant, answers: dict | None = None):
    """An adhesion with every step saved, not yet sent."""
    answers = answers or hospital_answers()
    adhesion = services.adhesion_start(applicant=applicant)
    for step in steps_for(answers["organisation"]["type"]):
        adhesion = services.adhesion_save_step(
            adhesion=adhesion, step=step, answers=answers.get(step.section, {}), actor=applicant
        )
    return adhesion


def signing_links(adhesion) -> dict[str, tuple[int, str]]:
    """E-mail address → (signature id, token), read from the mails queued for the current version."""
    links = {}
    for email in OutboundEmail.objects.filter(template="adhesions/signature_requested").order_by("pk"):
        match = SIGNING_LINK.search(email.body_text)
        if match and adhesion.signatures.filter(pk=int(match.group(1)), document_version=adhesion.version).exists():
            links[email.to_email] = (int(match.group(1)), match.group(2))
    return links


def sign_all(adhesion) -> None:
    for signature_id, token in signing_links(adhesion).values():
        signature = adhesion.signatures.get(pk=signature_id)
        if signature.status == "pending":
            services.signature_sign(
                signature_id=signature_id,
                token=token,
                typed_name=signature.full_name,
                ip_address="192.0.2.10",
                user_agent="pytest",
            )
