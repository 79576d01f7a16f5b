"""The six themes of the library, and on PostgreSQL the French accent-free search configuration."""

from django.db import migrations

THEMES = [
    ("decarbonation", 1),
    ("achats-durables", 2),
    ("resilience", 3),
    ("sensibilisation-aines", 4),
    ("infrastructures-durables", 5),
]


def add_themes(apps, schema_editor):
    ThematicGroup = apps.get_model("thematic_groups", "ThematicGroup")
    Theme = apps.get_model("community", "Theme")
    for slug, position in THEMES:
        group = ThematicGroup.objects.filter(slug=slug).first()
        if group is not None:
            Theme.objects.get_or_create(
                slug=slug, defaults={"name": group.name, "thematic_group": group, "position": position}
            )
    Theme.objects.get_or_create(slug="transversal", defaults={"name": "Transversal", "position": 6})


SEARCH_SQL = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS community_resource_search_vector ON community_resource USING gin (search_vector);
"""


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_library"),
        ("thematic_groups", "0002_five_thematic_groups"),
    ]

    operations = [
        migrations.RunPython(add_themes, migrations.RunPython.noop),
        migrations.RunPython(add_search, migrations.RunPython.noop),
    ]
