from .base import *  # noqa: F403
from .base import env

# `make run` serves the portal as users see it: the portal's own error pages, not Django's
# debug pages. Set DJANGO_DEBUG=1 for the debug pages.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Static files through WhiteNoise straight from the source folders (no collectstatic step),
# with debug on or off.
WHITENOISE_USE_FINDERS = True
# `seed_demo` gives the demo authority accounts a ready authenticator (`demo_otp`).
DEMO_TOTP = env.bool("DEMO_TOTP", default=True)
