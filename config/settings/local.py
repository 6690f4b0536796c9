from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# `seed_demo` gives the demo authority accounts a ready authenticator (`demo_otp`).
DEMO_TOTP = env.bool("DEMO_TOTP", default=True)
