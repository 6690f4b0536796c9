from django.core.management.base import BaseCommand

from demo.bulk import seed_reports
from demo.world import demo_totp_secrets, seed_demo_world


class Command(BaseCommand):
    help = "Load reference data and the demo accounts (idempotent); --reports N adds N reports."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=0, help="add N realistic reports")

    def handle(self, *args, reports: int, **options):
        users = seed_demo_world()
        self.stdout.write(f"Reference data and {len(users)} demo accounts ready.")
        secrets = demo_totp_secrets()
        if secrets:
            self.stdout.write(
                "Two-factor keys of the demo authority accounts (add one to an authenticator "
                "app, or print the current codes with `python manage.py demo_otp`):"
            )
            for username, secret in secrets.items():
                self.stdout.write(f"  {username:18} {secret}")
        if reports:
            created = seed_reports(reports, stdout=self.stdout)
            self.stdout.write(f"Added {created} reports.")
