import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from demo.world import demo_totp_devices


class Command(BaseCommand):
    help = "Print the current two-factor codes of the demo authority accounts (not in production)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*")

    def handle(self, *args, usernames, **options):
        if not settings.DEMO_TOTP:
            raise CommandError("Demo two-factor codes are not available in production.")
        left = 30 - int(time.time()) % 30
        for device in demo_totp_devices():
            username = device.user.username
            if usernames and username not in usernames:
                continue
            self.stdout.write(f"{username:18} {totp(device.bin_key):06d}   (valid {left} s more)")
