# Notification, moved here from escalation: state only (the table keeps its name), and
# its content type follows it, so that permissions and admin log entries stay attached.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ('notification',):
        if not ContentType.objects.filter(app_label="notifications", model=model).exists():
            ContentType.objects.filter(app_label="escalation", model=model).update(
                app_label="notifications"
            )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('escalation', '0006_move_notification'),
        ('reports', '0008_queue_closed_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # the table stays where it is: only Django's picture of the model moves
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('report_received', 'New report received'), ('info_requested', 'Information requested'), ('info_supplied', 'Information supplied'), ('grade_changed', 'Level changed'), ('forwarded', 'Forwarded to the national tier'), ('summary_due', 'Summary report due'), ('reminder', 'Deadline reminder'), ('report_required', 'An authority requires a report')], max_length=24, verbose_name='kind')),
                        ('message', models.TextField(verbose_name='message')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('emailed_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mailed at')),
                        ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='reports.report', verbose_name='report')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'escalation_notification',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(condition=models.Q(('read_at__isnull', True)), fields=['user', 'created_at'], name='notification_unread')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
