# TipOff, moved here from reports: state only (the tables keep their names), and its
# content types follow it, so that permissions and admin log entries stay attached.

import core.fields
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ('tipoff', 'historicaltipoff'):
        if not ContentType.objects.filter(app_label="tipoffs", model=model).exists():
            ContentType.objects.filter(app_label="reports", model=model).update(
                app_label="tipoffs"
            )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0003_security'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('reports', '0009_move_tipoff'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # the table stays where it is: only Django's picture of the model moves
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalTipOff',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='what happened, in a few words')),
                        ('description', core.fields.BoundedTextField(max_length=5000, verbose_name='description')),
                        ('organization_name', models.CharField(blank=True, max_length=200, verbose_name='organisation involved')),
                        ('contact', models.CharField(blank=True, max_length=200, verbose_name='how to reach you (optional)')),
                        ('submitted_at', models.DateTimeField(db_index=True, verbose_name='submitted at')),
                        ('source_hash', models.CharField(db_index=True, max_length=64, verbose_name='source (hashed address)')),
                        ('status', models.CharField(choices=[('new', 'New'), ('recorded', 'Recorded as an incident'), ('dismissed', 'Dismissed')], default='new', max_length=12, verbose_name='status')),
                        ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled at')),
                        ('handling_note', models.TextField(blank=True, verbose_name='note')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('handled_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handled by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('province', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.province', verbose_name='province')),
                        ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report', verbose_name='recorded as')),
                    ],
                    options={
                        'verbose_name': 'historical public tip-off',
                        'verbose_name_plural': 'historical public tip-offs',
                        'db_table': 'reports_historicaltipoff',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='TipOff',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='what happened, in a few words')),
                        ('description', core.fields.BoundedTextField(max_length=5000, verbose_name='description')),
                        ('organization_name', models.CharField(blank=True, max_length=200, verbose_name='organisation involved')),
                        ('contact', models.CharField(blank=True, max_length=200, verbose_name='how to reach you (optional)')),
                        ('submitted_at', models.DateTimeField(db_index=True, verbose_name='submitted at')),
                        ('source_hash', models.CharField(db_index=True, max_length=64, verbose_name='source (hashed address)')),
                        ('status', models.CharField(choices=[('new', 'New'), ('recorded', 'Recorded as an incident'), ('dismissed', 'Dismissed')], default='new', max_length=12, verbose_name='status')),
                        ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled at')),
                        ('handling_note', models.TextField(blank=True, verbose_name='note')),
                        ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handled by')),
                        ('province', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='accounts.province', verbose_name='province')),
                        ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reports.report', verbose_name='recorded as')),
                    ],
                    options={
                        'verbose_name': 'public tip-off',
                        'verbose_name_plural': 'public tip-offs',
                        'db_table': 'reports_tipoff',
                        'ordering': ['-submitted_at', '-pk'],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
