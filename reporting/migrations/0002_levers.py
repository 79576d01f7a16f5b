"""The starting levers of each GT, from the scopes of annex 1; coordinators keep the lists up to date."""

from django.db import migrations

LEVERS = {
    "decarbonation": [
        "Écoconception des soins",
        "Alimentation",
        "Mobilité des patients, visiteurs et personnel",
        "Bâtiments et énergie",
        "Équipements et dispositifs médicaux",
        "Médicaments et gaz anesthésiques",
        "Déchets",
        "Numérique",
    ],
    "achats-durables": [
        "Politique d'achats",
        "Clauses et critères des cahiers des charges",
        "Dialogue avec les fournisseurs",
        "Achats circulaires et réemploi",
        "Alimentation durable",
        "Achats groupés",
    ],
    "resilience": [
        "Analyse des risques climatiques",
        "Plan canicule et confort thermique",
        "Gestion de l'eau",
        "Inondations et événements extrêmes",
        "Continuité des soins et des approvisionnements",
        "Végétalisation et îlots de fraîcheur",
    ],
    "sensibilisation-aines": [
        "Sensibilisation des résidents et des familles",
        "Formation du personnel",
        "Alimentation et gaspillage",
        "Sobriété énergétique",
        "Nature et jardins",
        "Déchets et réemploi",
    ],
    "infrastructures-durables": [
        "Rénovation énergétique",
        "Énergies renouvelables",
        "Gestion de l'eau",
        "Matériaux et construction circulaire",
        "Espaces verts et biodiversité",
        "Mobilité et accès au site",
    ],
}


def add_levers(apps, schema_editor):
    ThematicGroup = apps.get_model("thematic_groups", "ThematicGroup")
    Lever = apps.get_model("reporting", "Lever")
    for group in ThematicGroup.objects.filter(slug__in=LEVERS):
        for position, name in enumerate(LEVERS[group.slug], start=1):
            Lever.objects.get_or_create(thematic_group=group, name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_actions_and_reports"),
        ("thematic_groups", "0002_five_thematic_groups"),
    ]

    operations = [migrations.RunPython(add_levers, migrations.RunPython.noop)]
