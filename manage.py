#!/usr/bin/env python
import os
import sys


def main():
    # The developer's tool: local settings (debug off unless DJANGO_DEBUG=1) unless
    # DJANGO_SETTINGS_MODULE says otherwise. config.wsgi and the Celery app default to
    # production instead.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
