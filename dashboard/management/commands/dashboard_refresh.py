import time

from django.core.management.base import BaseCommand

from dashboard.models import ReportFact
from dashboard.summary import summary_refresh, summary_vacuum


class Command(BaseCommand):
    help = "Bring the dashboard's summary up to date (--full rebuilds it, e.g. after a bulk load)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild from scratch")

    def handle(self, *args, full: bool, **options):
        started = time.monotonic()
        summary_refresh(full=full)
        if full:
            summary_vacuum()
        self.stdout.write(
            f"Dashboard summary: {ReportFact.objects.count()} reports "
            f"({time.monotonic() - started:.1f} s)."
        )
