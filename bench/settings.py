"""Settings for `bench/submissions.py`: the portal as deployed, plus one bare endpoint."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
