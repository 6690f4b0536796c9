import os

from django.core.wsgi import get_wsgi_application

# The deployed entry point (gunicorn): production unless told otherwise, so a server started
# without DJANGO_SETTINGS_MODULE refuses to start without its secrets instead of serving
# debug pages. `make run` serves through runserver with config.settings.local.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
