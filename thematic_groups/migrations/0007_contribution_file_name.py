from django.db import migrations, models


def name_from_stored_path(apps, schema_editor):
    """Files stored so far kept the sender's name as the last part of their path: copy it out.

    That part is the name as storage cleaned it (spaces became underscores, some punctuation went), which is
    close enough to show and to download under."""
    for model_name in ("IntersessionWork", "DeliverableProgress"):
        model = apps.get_model("thematic_groups", model_name)
        for row in model.objects.exclude(file="").filter(file_name="").only("pk", "file"):
            name = row.file.name.rsplit("/", 1)[-1][:255]
            model.objects.filter(pk=row.pk).update(file_name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("thematic_groups", "0006_session_short_notice_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="deliverableprogress",
            name="file_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="file name"),
        ),
        migrations.AddField(
            model_name="intersessionwork",
            name="file_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="file name"),
        ),
        migrations.RunPython(name_from_stored_path, migrations.RunPython.noop),
    ]
