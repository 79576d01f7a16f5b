"""Seed the five thematic groups (GT) of the ASeT-W convention 2026-2029.

Texts are taken from annex 1 of the convention (section 1 for the names and
eligibility, section 2 for the fiches and the first sessions). The convention
is the reference: wording, including its spelling, is kept as written.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

BRUSSELS = ZoneInfo("Europe/Brussels")

# The convention only says "matin" / "après-midi"; these are the agreed default slots.
MORNING = (datetime.time(9, 30), datetime.time(12, 30))
AFTERNOON = (datetime.time(13, 30), datetime.time(16, 30))


def _session(day, slot):
    start, end = slot
    return (
        datetime.datetime.combine(day, start, tzinfo=BRUSSELS),
        datetime.datetime.combine(day, end, tzinfo=BRUSSELS),
    )


THEMATIC_GROUPS = [
    {
        "number": 1,
        "slug": "decarbonation",
        "name": "Décarbonation",
        "short_name": "Décarbonation",
        # Section 1 and form §3.1 say "réservé aux hôpitaux"; the fiche says "en priorité".
        "eligibility": "hospitals",
        "target_public": "En priorité les hôpitaux",
        "scope": (
            "Feuille de route de décarbonation commune reprenant les grands leviers de "
            "décarbonation et les actions prioritaires à mettre en place."
        ),
        "ambitions": (
            "Permettre aux hôpitaux d’être plus efficaces dans la réduction des émissions de gaz "
            "à effet de serre grâce à l’élaboration d’une feuille de route « décarbonation » "
            "propre à chaque structure mais ayant les mêmes axes de travail et priorités. "
            "Celle-ci définit les actions prioritaires à mettre en place et précise ce sur quoi "
            "les hôpitaux ont la maîtrise ou non.\n"
            "\n"
            "Permettre aux hôpitaux participants d’adresser d’une seule voix aux parties "
            "prenantes (autorités régionales, fédérales, organes de financement, législatifs, "
            "etc.) leurs recommandations pour permettre la décarbonation des institutions "
            "hospitalières."
        ),
        "out_of_scope": (
            "- Accompagnement à la mise en place opérationnelle des actions.\n"
            "- Réalisation du bilan carbone des hôpitaux.\n"
            "- Mise en place d’un outil de calcul ou plateforme de récolte de données."
        ),
        "first_session": _session(datetime.date(2026, 4, 20), AFTERNOON),
        "deliverables": [
            {
                "title": (
                    "Feuille de route de décarbonation des hôpitaux wallons sur 25 ans basée "
                    "sur les leviers qu’ils ont entre leurs mains."
                ),
                "due_label": "",
                "due_date": None,
            },
            {
                "title": (
                    "Synthèse des actions prioritaires par levier et clé de succès "
                    "(éco-conception des soins, alimentation, mobilité, bâtiments, "
                    "équipements, etc.)"
                ),
                "due_label": "",
                "due_date": None,
            },
            {
                "title": (
                    "Mémorandum adressé aux parties prenantes reprenant les soutiens "
                    "nécessaires à la mise en œuvre de la feuille de route."
                ),
                "due_label": "",
                "due_date": None,
            },
        ],
    },
    {
        "number": 2,
        "slug": "achats-durables",
        "name": "Achats durables",
        "short_name": "Achats durables",
        "eligibility": "all",
        "target_public": "Hôpitaux et établissements pour ainés",
        "scope": (
            "Développer des méthodologies (standardisé et opérationnelle) permettant aux "
            "acheteurs d’évaluer les achats selon des critères de durabilité pour certains "
            "segments d'achats propres au secteur de la santé"
        ),
        "ambitions": (
            "Permettre aux acheteurs du secteur de la santé de pouvoir évaluer et identifier de "
            "manière fiable et harmonisée leurs achats sur base de critères de durabilité exigés "
            "(environnementaux, sociaux et sanitaires) tout en garantissant une sécurité "
            "juridique complète dans le cadre des marchés publics."
        ),
        # The parenthesis is left unclosed in the convention itself.
        "out_of_scope": (
            "Dans le processus d’achat, l’utilisation (aussi importante soit elle n’est pas "
            "prise en compte dans ce GT. En effet, ce volet sera davantage abordé dans le GT "
            "décarbonation. Toutefois, des liens ne manqueront pas d’être fait."
        ),
        "first_session": _session(datetime.date(2026, 4, 21), MORNING),
        "deliverables": [
            {
                "title": (
                    "Des outils d’aide à la décision pour les acheteurs permettant de comparer "
                    "(certains) achats et sélectionner ceux qui répondent le mieux aux "
                    "exigences de durabilité"
                ),
                "due_label": "",
                "due_date": None,
            },
        ],
    },
    {
        "number": 3,
        "slug": "resilience",
        "name": "Résilience aux effets du dérèglement climatique",
        "short_name": "Résilience",
        "eligibility": "all",
        "target_public": "Hôpitaux et établissements pour aînés",
        "scope": (
            "Analyse de risques, analyse de vulnérabilité, aléas climatiques, résilience, "
            "sensibilisation des décideurs et du personnel des établissements à ces enjeux."
        ),
        "ambitions": (
            "Mettre chaque participant en capacité de développer son plan de résilience sur "
            "base l’analyse de risques de sa structure, et amorcer son opérationnalisation.\n"
            "\n"
            "Le GT vise à soutenir les participants par (1) un appui méthodologique, "
            "(2) l'identification des synergies entre participants et (3) des besoins à "
            "remonter pour encourager la résilience à l’échelle du système de santé et du "
            "territoire."
        ),
        "out_of_scope": (
            "Le GT propose une approche visant à renforcer les capacités des bénéficiaires : "
            "Il dote les bénéficiaires finaux de ressources, méthodes et outils nécessaires pour "
            "avancer en autonomie, sans prendre en charge à leur place la conduite de leurs "
            "projets."
        ),
        "first_session": _session(datetime.date(2026, 4, 20), MORNING),
        # The convention abbreviates "déc."; due dates are moved out of the titles.
        "deliverables": [
            {
                "title": "Analyse des risques de chaque établissement",
                "due_label": "décembre 2026",
                "due_date": datetime.date(2026, 12, 31),
            },
            {
                "title": "Plan de résilience",
                "due_label": "décembre 2027",
                "due_date": datetime.date(2027, 12, 31),
            },
            {
                "title": "Recommandations sur les moyens nécessaires à la mise en œuvre",
                "due_label": "",
                "due_date": None,
            },
        ],
    },
    {
        "number": 4,
        "slug": "sensibilisation-aines",
        "name": "Sensibilisation des établissements pour aînés",
        "short_name": "Sensibilisation aînés",
        "eligibility": "elder_care",
        "target_public": "Établissements pour ainés",
        "scope": (
            "Les leviers humains, comportementaux et organisationnels qui permettent aux "
            "établissements pour aînés de progresser dans leur transition durable.\n"
            "\n"
            "Son périmètre couvre la sensibilisation des professionnels, résidents et familles, "
            "l’identification et la compréhension des freins à l’action, la mise en lumière des "
            "mécanismes d’inaction, ainsi que l’utilisation et le développement d’outils de "
            "sensibilisation adaptés aux réalités du terrain.\n"
            "\n"
            "Il s’appuie sur une démarche structurée de gestion du changement pour soutenir la "
            "motivation des équipes et créer les conditions nécessaires à une mobilisation "
            "progressive et cohérente dans chaque institution."
        ),
        "ambitions": (
            "Permettre aux établissements participants de comprendre et de dépasser les freins "
            "à l’action en s’appuyant sur un parcours commun d’analyse, d’expérimentation et de "
            "mise en œuvre d’outils de sensibilisation. L’objectif est de renforcer la "
            "motivation des équipes, d’introduire des pratiques durables de manière progressive "
            "et réaliste, et de favoriser l’appropriation des changements par l’ensemble des "
            "parties prenantes internes.\n"
            "\n"
            "Permettre aux institutions d’exprimer ensemble les leviers humains et "
            "organisationnels nécessaires pour soutenir la transition, tout en développant des "
            "outils concrets, applicables et réplicables, capables d’ancrer la durabilité dans "
            "le fonctionnement quotidien des établissements pour aînés"
        ),
        "out_of_scope": (
            "Le GT n’a pas vocation à réaliser les démarches de sensibilisation ou de gestion du "
            "changement à la place des institutions. Son rôle n’est pas d’exécuter des actions "
            "pour les institutions, mais bien de renforcer leurs capacités internes en leur "
            "fournissant des ressources, des méthodes, des outils et un accompagnement "
            "permettant de les rendre autonomes dans leurs démarches. Le GT se concentre sur "
            "l’outillage et la montée en compétence, et non sur la substitution ou la prise en "
            "charge opérationnelle des projets dans les structures.\n"
            "\n"
            "Le périmètre du GT ne couvre pas non plus les autres acteurs du système de santé "
            "qui ne relèvent pas du secteur des aînés."
        ),
        "first_session": _session(datetime.date(2026, 4, 21), AFTERNOON),
        # A bare year is read as "by the end of that year".
        "deliverables": [
            {
                "title": (
                    "Réalisation d’un diagnostic partagé : autoévaluation de chaque "
                    "établissements, cartographie des parties prenantes internes et de leurs "
                    "rôles et indentification des freins à l’action"
                ),
                "due_label": "2026",
                "due_date": datetime.date(2026, 12, 31),
            },
            {
                "title": ("Recensement et partage d’outils de sensibilisation existants ou développés"),
                "due_label": "2027",
                "due_date": datetime.date(2027, 12, 31),
            },
            {
                "title": ("Test d’au moins un outil de sensibilisation dans chaque institution participante"),
                "due_label": "2027",
                "due_date": datetime.date(2027, 12, 31),
            },
            {
                "title": (
                    "Déploiement complet d’au moins un outil de sensibilisation et retours "
                    "d’expérience structuré sur les leviers d’amélioration au sein de chaque "
                    "structure"
                ),
                "due_label": "2028",
                "due_date": datetime.date(2028, 12, 31),
            },
            {
                "title": "Mise à disposition d’outils adaptés à l’ensemble du secteur",
                "due_label": "2029",
                "due_date": datetime.date(2029, 12, 31),
            },
        ],
    },
    {
        "number": 5,
        "slug": "infrastructures-durables",
        "name": "Infrastructures durables",
        "short_name": "Infrastructures durables",
        "eligibility": "all",
        "target_public": "Hôpitaux et établissements pour ainés",
        "scope": (
            "Exploitation et gestion durable des infrastructures existantes, y compris\n"
            "- optimisation et performance de l’existant\n"
            "- monitoring des consommations incluant confort des patients/résidents et "
            "continuité des soins\n"
            "- sobriété, gestion énergétique (URE)\n"
            "- résilience climatique des bâtiments\n"
            "\n"
            "Rénovations et nouvelles conceptions durables, y compris\n"
            "- espaces verts durables\n"
            "- outils « bâtiments bas carbone »\n"
            "- Impact des matériaux et leur cycle de vie sur le climat et la qualité de l’air "
            "intérieur\n"
            "- accompagnement au changement, sensibilisation et outiller la mise en action"
        ),
        "ambitions": (
            "Mettre en capacité les participants d’agir en tout autonomie dans leurs projets et "
            "démarches à travers trois axes :\n"
            "- Développer une compréhension partagée, concrète et opérationnelle des composantes "
            "d’une infrastructure durable et de ses espaces verts dans les secteurs hospitaliers "
            "et des établissements pour ainés ;\n"
            "- Mise en perspective des enjeux via l’intelligence collective, des exemples "
            "concrets du terrain et outils adaptés ;\n"
            "- Créer les conditions d’un passage à l’action effectif via un parcours outillé et "
            "un référentiel d’actions, facilitant la prise de décision et de l’engagement dans "
            "des actions concrètes et opérationnelles."
        ),
        "out_of_scope": (
            "Le GT a pour vocation de renforcer l'autonomie des bénéficiaires finaux : il met à "
            "leur disposition ressources, méthodes et accompagnement pour qu'ils puissent "
            "conduire leurs démarches par eux-mêmes, et non à porter leurs projets à leur "
            "place. La création d’un outil de monitoring n’est pas couverte par le périmètre de "
            "ce GT."
        ),
        "first_session": _session(datetime.date(2026, 4, 23), MORNING),
        "deliverables": [
            {
                "title": (
                    "Priorisation commune des enjeux, permettant de cibler les axes d’action les "
                    "plus pertinents pour les organisations participantes"
                ),
                "due_label": "",
                "due_date": None,
            },
            {
                "title": (
                    "Préparation d’un livrable de référence par enjeu incluant à minima :\n"
                    "- Un référentiel d’actions concrètes et opérationnelles ;\n"
                    "- Des outils et ressources pour leur bonne appropriation ;\n"
                    "- le cadre normatif associé ;\n"
                    "- Des guides et fiches « pratiques durables exemplaires » pour illustrer "
                    "et inspirer le passage à l’action."
                ),
                "due_label": "",
                "due_date": None,
            },
        ],
    },
]

# Annex 1 §1: each GT gathers between 20 and 30 participants.
CAPACITY_MIN = 20
CAPACITY_MAX = 30


def create_thematic_groups(apps, schema_editor):
    ThematicGroup = apps.get_model("thematic_groups", "ThematicGroup")
    Deliverable = apps.get_model("thematic_groups", "Deliverable")
    for data in THEMATIC_GROUPS:
        first_session_start, first_session_end = data["first_session"]
        group, _ = ThematicGroup.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "number": data["number"],
                "name": data["name"],
                "short_name": data["short_name"],
                "target_public": data["target_public"],
                "eligibility": data["eligibility"],
                "scope": data["scope"],
                "ambitions": data["ambitions"],
                "out_of_scope": data["out_of_scope"],
                "capacity_min": CAPACITY_MIN,
                "capacity_max": CAPACITY_MAX,
                "first_session_start": first_session_start,
                "first_session_end": first_session_end,
            },
        )
        for position, deliverable in enumerate(data["deliverables"], start=1):
            Deliverable.objects.update_or_create(
                thematic_group=group,
                position=position,
                defaults={
                    "title": deliverable["title"],
                    "due_label": deliverable["due_label"],
                    "due_date": deliverable["due_date"],
                },
            )
        # A rerun after the list shrank must not leave stale trailing deliverables.
        Deliverable.objects.filter(thematic_group=group, position__gt=len(data["deliverables"])).delete()


def delete_thematic_groups(apps, schema_editor):
    ThematicGroup = apps.get_model("thematic_groups", "ThematicGroup")
    Deliverable = apps.get_model("thematic_groups", "Deliverable")
    slugs = [data["slug"] for data in THEMATIC_GROUPS]
    Deliverable.objects.filter(thematic_group__slug__in=slugs).delete()
    ThematicGroup.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("thematic_groups", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_thematic_groups, delete_thematic_groups),
    ]
