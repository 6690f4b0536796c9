"""Complete, secure base settings. Embedded defaults: SQLite for data, and kombu's
SQLAlchemy transport on its own SQLite file as the Celery broker, when DATABASE_URL /
REDIS_URL are not set (docs/ARCHITECTURE.md, Running)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.env import BASE_DIR, env
from config.redis_urls import redis_broker, redis_cache

VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
# Evidence attachments: outside STATIC_ROOT and any media root; served only through a view
# that applies the report's visibility.
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=str(VAR_DIR / "evidence"))
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-only-secret-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = [
    h.strip() for h in env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "core",
    "accounts",
    "notifications",
    "reports",
    "escalation",
    "review",
    "tipoffs",
    "intake",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # Short OLTP queries: PostgreSQL's JIT compiler cost 600 ms on a 50 ms queue query
    # (bench/queue_page.py, a million reports), so it is off for the portal's connections.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters sent apart from the SQL (server-side binding), and each statement a
    # connection runs DATABASE_PREPARE_THRESHOLD times prepared by psycopg, so PostgreSQL
    # parses and plans it once per connection: the write path's statements are the same at
    # every request, and planning them was a third of the database's time per submission
    # (docs/ARCHITECTURE.md, "The write path"). "none" turns preparing off (a pooler in
    # transaction mode that does not keep prepared statements, PgBouncer before 1.21).
    prepare_threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    DATABASES["default"]["OPTIONS"].update(
        {
            "server_side_binding": True,
            "prepare_threshold": None
            if prepare_threshold.lower() == "none"
            else int(prepare_threshold),
        }
    )
# A PostgreSQL read replica for the dashboard, its exports and the statistics API
# (core/db.py); every write and every other read stays on DATABASE_URL.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        "TEST": {"MIRROR": "default"},
    }
READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite (embedded default) keeps NULLs distinct, and ignores the covering columns of an index
# (a speed-up for PostgreSQL only); the constraints and indexes still hold on PostgreSQL.
SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"]

# Login lockout (django-axes) runs first; argon2 hashes passwords.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the portal that append to X-Forwarded-For (core.pages.
# client_address): 0 = none, the client is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# API tokens expire this many days after they were issued (accounts/authentication.py).
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "网络安全事件报告平台"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # by role: config/landing.py
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"  # display only; storage is UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"  # never depends on Redis
SESSION_COOKIE_HTTPONLY = True
# Sessions expire after 30 minutes without a request, and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy: no inline script or style anywhere; everything from the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # the portal's page, in words
X_FRAME_OPTIONS = "DENY"

REDIS_URL = env.str("REDIS_URL", default="")
# Redis Sentinel (REDIS_URL=sentinel://host:26379;sentinel://host2:26379/0): the group's name,
# and the sentinels' own password if they have one (config/redis_urls.py).
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="mymaster")
REDIS_SENTINEL_PASSWORD = env.str("REDIS_SENTINEL_PASSWORD", default="")
# A broker that is down or frozen costs a request at most a second or two: short connect and
# read timeouts, no retry of a timed-out command (core/tasks.py). The socket timeout stays
# above kombu's 1 s BRPOP timeout used by workers.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5 * 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "retry_on_timeout": False,
}
if REDIS_URL:
    # Through Sentinel: kombu's sentinel transport, with master_name.
    CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = redis_broker(
        REDIS_URL,
        master=REDIS_SENTINEL_MASTER,
        sentinel_password=REDIS_SENTINEL_PASSWORD,
        options=REDIS_BROKER_TRANSPORT_OPTIONS,
    )
else:
    # kombu's SQLAlchemy transport, on a SQLite file of its own.
    CELERY_BROKER_URL = f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite3'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# The shared cache: only the version number of the reference tables kept in memory
# (core/refcache.py). Per process without Redis; short timeouts, and an outage is
# remembered for a few seconds, so that Redis being down never holds up a request. Through
# Sentinel when REDIS_URL is a sentinel:// URL (config/sentinel_cache.py).
if REDIS_URL:
    CACHES = {
        "default": redis_cache(
            REDIS_URL,
            master=REDIS_SENTINEL_MASTER,
            sentinel_password=REDIS_SENTINEL_PASSWORD,
            options={"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        )
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Longest a process keeps a reference table in memory when no shared cache tells it of a
# change (with Redis, a change reaches every process at once).
REFERENCE_CACHE_SECONDS = 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a request: one bounded attempt, no retry (core/tasks.py); workers and beat
# still reconnect by themselves (broker_connection_retry, broker_connection_max_retries).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
# Workers keep trying to reconnect however long the broker is away (Celery's default gives up
# after 100 attempts and exits), every second or two (config/celery.py, Consumer).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CONSUMER = "config.celery:Consumer"
# After a failed publish this process does not try again for this long (core/tasks.py).
BROKER_BACKOFF_SECONDS = 10
# Clocks first: the clock tasks (the ETA act and the sweep) have their own queue, served by
# their own worker (`-Q clocks`), so that reminders and forwards never wait behind e-mail,
# dashboard refreshes or exports (`-Q celery`). A worker started without -Q serves both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("clocks"))
CELERY_TASK_ROUTES = {
    "escalation.deadline_act": {"queue": "clocks"},
    "escalation.sweep": {"queue": "clocks"},
}

ESCALATION_SWEEP_SECONDS = env.int("ESCALATION_SWEEP_SECONDS", default=5)
# A clock's ETA task is published only when its next instant is this near: when the clock
# opens or moves, if it is near already, otherwise by the sweep whose window reaches it
# (docs/ARCHITECTURE.md, "Clocks and escalation"). Far below the Redis visibility timeout,
# well above the sweep's period.
ESCALATION_ETA_HORIZON_SECONDS = env.int("ESCALATION_ETA_HORIZON_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    "escalation-sweep": {
        "task": "escalation.sweep",
        "schedule": float(ESCALATION_SWEEP_SECONDS),
        "options": {"expires": ESCALATION_SWEEP_SECONDS},
    },
}

# The 12387 mailbox (MEASURES.md §7): messages piped to `manage.py ingest_email`, or fetched
# from an IMAP mailbox every INBOUND_IMAP_SECONDS when INBOUND_IMAP_URL is set
# (imaps://user:password@host:993/INBOX, or imap:// for a plain connection).
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=30 * 1024 * 1024)
FAX_GATEWAY_SENDERS = [
    s.strip().lower() for s in env.list("FAX_GATEWAY_SENDERS", default=[]) if s.strip()
]
INBOUND_IMAP_URL = env.str("INBOUND_IMAP_URL", default="")
INBOUND_IMAP_SECONDS = env.int("INBOUND_IMAP_SECONDS", default=60)
if INBOUND_IMAP_URL:
    CELERY_BEAT_SCHEDULE["intake-imap-poll"] = {
        "task": "intake.imap_poll",
        "schedule": float(INBOUND_IMAP_SECONDS),
        "options": {"expires": INBOUND_IMAP_SECONDS},
    }

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@portal.local")

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-password")
# Demo authority accounts get a ready authenticator: off here; local.py and test.py turn it
# on, production.py forces it off.
DEMO_TOTP = env.bool("DEMO_TOTP", default=False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenWithRolesAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.SecondFactorVerified",
    ],
    # JSON with a charset, and refusing NUL characters (core/api.py)
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cybersecurity incident reporting portal API",
    "DESCRIPTION": _(
        "Report cybersecurity incidents under the national reporting measures (in force "
        "2025-11-01). Authenticate with `Authorization: Token <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for the one severity scale (declared, suggested, reviewed, used for clocks).
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "reports.constants.Severity",
        # used by the follow-up's output and its input: name it once
        "FollowUpKindEnum": "reports.models.FollowUp.Kind",
        "FindingKindEnum": "reports.models.Finding.Kind",
        # what a caller may do on a report now (the `actions` field)
        "ReportActionEnum": "reports.api.serializers.API_ACTIONS",
        # every route, on the report; the routes staff record, on the intake's input
        "ReceivedViaEnum": "reports.constants.ReceivedVia",
        "StaffRouteEnum": "intake.api.inputs.STAFF_ROUTE_CHOICES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
