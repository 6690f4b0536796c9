"""`manage.py ingest_email < message.eml`: one RFC 822 message on stdin (for a mail
server's pipe transport) becomes an inbox item. Exit status 0 when stored (or already
stored: the same Message-ID is one item); 65 (EX_DATAERR, a permanent failure the mail
server bounces) when refused, e.g. over INBOUND_EMAIL_MAX_BYTES."""

import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from intake.services.inbox import inbox_ingest

EX_DATAERR = 65


class Command(BaseCommand):
    help = "Read one RFC 822 message on stdin and put it in the 12387 inbox."
    stealth_options = ("stdin",)  # call_command(..., stdin=a binary stream)

    def handle(self, *args, **options):
        stream = options.get("stdin") or sys.stdin
        stream = getattr(stream, "buffer", stream)
        raw = stream.read(settings.INBOUND_EMAIL_MAX_BYTES + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        try:
            item, created = inbox_ingest(raw=raw)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=EX_DATAERR) from exc
        if not created:
            self.stdout.write(f"already received: inbox item {item.pk} ({item.key})")
        elif item.parse_error:
            self.stdout.write(f"kept raw: inbox item {item.pk} ({item.parse_error})")
        elif item.report_id:
            self.stdout.write(f"added to {item.report.reference}: inbox item {item.pk}")
        else:
            self.stdout.write(f"inbox item {item.pk}")
