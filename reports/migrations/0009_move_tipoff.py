# TipOff moved to the tipoffs app (state only; the tables keep their names).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0008_queue_closed_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # the table stays where it is: only Django's picture of the model moves
            state_operations=[
                migrations.RemoveField(
                    model_name='tipoff',
                    name='handled_by',
                ),
                migrations.RemoveField(
                    model_name='tipoff',
                    name='province',
                ),
                migrations.RemoveField(
                    model_name='tipoff',
                    name='report',
                ),
                migrations.DeleteModel(
                    name='HistoricalTipOff',
                ),
                migrations.DeleteModel(
                    name='TipOff',
                ),
            ],
        ),
    ]
