from celery import shared_task


@shared_task(name="escalation.sweep", ignore_result=True)
def escalation_sweep_task():
    from .services import deadlines_sweep

    deadlines_sweep()
