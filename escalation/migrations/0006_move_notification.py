# Notification moved to the notifications app (state only; the table keeps its name).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('escalation', '0005_queue_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # the table stays where it is: only Django's picture of the model moves
            state_operations=[
                migrations.DeleteModel(
                    name='Notification',
                ),
            ],
        ),
    ]
