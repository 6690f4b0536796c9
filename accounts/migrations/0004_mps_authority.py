"""The Ministry of Public Security (公安部) as an authority, for databases whose reference data
was loaded before it was listed: serious CII reports are copied to it at forwarding (Art. 4)."""

from django.db import migrations


def ensure_mps(apps, schema_editor):
    Authority = apps.get_model("accounts", "Authority")
    if not Authority.objects.filter(kind="public_security", is_national=True).exists():
        Authority.objects.update_or_create(
            code="mps",
            defaults={
                "kind": "public_security",
                "name": "公安部",
                "name_en": "Ministry of Public Security",
                "is_national": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_security")]

    operations = [migrations.RunPython(ensure_mps, migrations.RunPython.noop)]
