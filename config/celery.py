import os

from celery import Celery
from kombu.transport import sqlalchemy as kombu_sqlalchemy

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Embedded broker (no REDIS_URL): the SQLAlchemy transport passes its transport options to
# the engine, so its polling interval is set on the class (docs/ARCHITECTURE.md, Running).
kombu_sqlalchemy.Transport.polling_interval = 0.2

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
