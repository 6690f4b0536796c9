"""Serious CII reports forwarded before the Ministry of Public Security was copied at
forwarding get that copy now (Art. 4), so that its liaison staff can read them."""

from django.db import migrations


def copy_to_mps(apps, schema_editor):
    Authority = apps.get_model("accounts", "Authority")
    Report = apps.get_model("reports", "Report")
    mps = Authority.objects.filter(kind="public_security", is_national=True).first()
    if mps is None:
        return
    through = Report.copied_to.through
    forwarded = Report.objects.filter(channel="cii", forwarding__isnull=False).exclude(
        copied_to=mps
    )
    ids = forwarded.values_list("pk", flat=True)
    batch = []
    for report_id in ids.iterator(chunk_size=2000):
        batch.append(through(report_id=report_id, authority_id=mps.pk))
        if len(batch) >= 2000:
            through.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    through.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_mps_authority"),
        ("reports", "0010_discovery_changed_event"),
    ]

    operations = [migrations.RunPython(copy_to_mps, migrations.RunPython.noop)]
