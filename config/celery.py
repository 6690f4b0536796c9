import os

from celery import Celery
from kombu.transport import sqlalchemy as kombu_sqlalchemy

# Workers and beat are deployed next to gunicorn: production unless told otherwise (the
# Procfile says config.settings.local, tests/workers.py config.settings.test). Importing the
# `config` package runs this line, so it is the default of every process that does.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# Embedded broker (no REDIS_URL): the SQLAlchemy transport passes its transport options to
# the engine, so its polling interval is set on the class (docs/ARCHITECTURE.md, Running).
kombu_sqlalchemy.Transport.polling_interval = 0.2

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
