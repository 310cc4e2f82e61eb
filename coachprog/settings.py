"""coachprog settings: one module, driven by the environment (12-factor).

With nothing set, the app runs for local development on SQLite, with Celery
tasks run eagerly in-process and e-mail printed to the console. Set
DATABASE_URL, REDIS_URL and EMAIL_URL to run on PostgreSQL, a Redis broker
with separate worker and beat processes, and SMTP. `.env.example` lists every
variable. A bad value fails loudly at start-up with ImproperlyConfigured.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; the real environment wins.
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _bool(name: str, default: bool) -> bool:
    """Read a boolean, refusing values that are neither true nor false."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _count(name: str, default: int, *, most: int) -> int:
    """Read a whole number from 0 to `most`, refusing anything else."""
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) > most:
        raise ImproperlyConfigured(f"{name} must be a whole number from 0 to {most}, not {raw!r}.")
    return int(raw)


def _list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring spaces around the commas and empty items."""
    return [item.strip() for item in env.list(name, default=default) if item.strip()]


DEBUG = _bool("DEBUG", False)

# Without SECRET_KEY, a fixed development key stands in, which can never be mistaken for
# a real one: management commands (runchart, migrate, demo_data) need no secret. The
# processes that serve people — gunicorn and Celery — refuse to start on it unless
# DEBUG is on (coachprog.production.require_real_secret_key).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if (
    SECRET_KEY
    and not DEBUG
    and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("insecure", "django-insecure", "change-me")))
):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use 50 or more random characters.")
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = _list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "coachprog.accounts",
    "coachprog.outbox",
    "coachprog.figures",
    "cohorts",
    "projects",
    "coaching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (policy in the Security section below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, writing an unchanged session only when its expiry is due to move (coachprog/sessions.py).
    "coachprog.sessions.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Records who made each change in the models' history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Programme leads and administrators set up two-factor authentication first (on by default).
    "coachprog.accounts.middleware.LeadTwoFactorMiddleware",
    # Cache-Control: no-store on signed-in pages, and a Permissions-Policy on every response.
    "coachprog.headers.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "coachprog.urls"
WSGI_APPLICATION = "coachprog.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coaching.context_processors.navigation",
            ],
            # {% load history %}: the programme lead's link to an object's kept history.
            "libraries": {"history": "coachprog.history"},
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode a cursor held open across transactions (.iterator())
    # could land on another client's server connection: docs/operations.md, "Scaling out".
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = _bool("DISABLE_SERVER_SIDE_CURSORS", False)
    # A dead database must not hang a request for minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache -------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// URL, not {REDIS_URL!r}.")

# The database cache is shared by every process; its table is made by `migrate`
# (coachprog.accounts.apps runs createcachetable after migrating) and by the test runner.
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coachprog_cache"}
if REDIS_URL:
    # Sign-in rate limits live in the cache; while Redis is down they use the database cache
    # (coachprog.cache), so signing in keeps working and the limits keep counting.
    CACHES = {
        "default": {
            "BACKEND": "coachprog.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                "FALLBACK": "database",
                "RETRY_AFTER": 30,
            },
        },
        "database": DATABASE_CACHE,
    }
elif DEBUG:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "database": DATABASE_CACHE,
    }
else:
    # Production without Redis: a per-process cache would let each web worker count failed
    # sign-ins separately (coachprog.W001), so the cache is the database's.
    CACHES = {"default": DATABASE_CACHE, "database": DATABASE_CACHE}

# With no broker configured, tasks run inside the process that queues them, so the app needs
# no Redis: that is how `make demo` runs. Outside DEBUG it also means no worker and no beat,
# so no scheduled e-mail (monthly sponsor updates, reminders, retries of failed sends): the
# web app and Celery refuse to start that way unless TASKS_IN_PROCESS=true says it is meant
# (coachprog.production.require_task_queue).
TASKS_IN_PROCESS = _bool("TASKS_IN_PROCESS", False)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Never hang a web request when Redis is unreachable.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 3,
    "socket_timeout": 3,
    "max_retries": 2,
}
# Queueing a task while Redis is down gives up after about a second; the outbox sweep
# sends the message later, so the web request never waits on the broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# Periodic tasks; times are Europe/London (CELERY_TIMEZONE). Each task finds due work and
# queues outbox rows with unique keys, so a repeated tick sends nothing twice. Documented
# in docs/operations.md ("Scheduled e-mail").
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "outbox.sweep", "schedule": 60.0},
    "session-reminders": {"task": "cohorts.session_reminders", "schedule": crontab(minute="*/15")},
    # Runs on each of the first seven days; the task acts only on the first working day.
    "sponsor-monthly-updates": {
        "task": "coaching.sponsor_monthly_updates",
        "schedule": crontab(minute=0, hour=7, day_of_month="1-7"),
    },
    "coach-update-reminders": {
        "task": "coaching.coach_update_reminders",
        "schedule": crontab(minute=0, hour=9, day_of_month=25),
    },
    "coach-nudges": {
        "task": "coaching.coach_nudges",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    "weekly-digests": {
        "task": "outbox.weekly_digests",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon"),
    },
}
# A pending message gets this long to be sent by its own task before the sweep queues it
# again; a message still "sending" after OUTBOX_STUCK_AFTER lost its worker (marked failed).
OUTBOX_REQUEUE_AFTER = timedelta(minutes=3)
OUTBOX_STUCK_AFTER = timedelta(minutes=15)

# --- E-mail -------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
# django-environ files ?tls=true and ?ssl=true under OPTIONS, which Django never reads, so
# such a URL would send mail without TLS: honour those two and refuse any other option.
for _option, _value in EMAIL_CONFIG.pop("OPTIONS", {}).items():
    if _option not in {"TLS", "SSL"} or str(_value).lower() not in {"true", "false", "1", "0"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL option {_option.lower()}={_value} is not supported; use tls=true or ssl=true."
        )
    EMAIL_CONFIG[f"EMAIL_USE_{_option}"] = str(_value).lower() in {"true", "1"}
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = bool(EMAIL_CONFIG.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(EMAIL_CONFIG.get("EMAIL_USE_SSL", False))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="coachprog <coachprog@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- Accounts (django-allauth) ------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[coachprog] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# The rate limits count per client address. Behind reverse proxies, every request comes from
# the proxy, so one person's mistakes would lock everybody out: say how many proxies you run
# (each appends to X-Forwarded-For), and the client is the address the outermost one saw.
# 0 trusts no X-Forwarded-For at all (the app is reached directly).
ALLAUTH_TRUSTED_PROXY_COUNT = _count("TRUSTED_PROXY_COUNT", 0, most=5)
# Sign-up only for invited people or e-mail domains a programme lead allows (coachprog.accounts.adapter).
ACCOUNT_ADAPTER = "coachprog.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "coachprog.accounts.adapter.SignupForm"}
# Optional two-factor authentication: an authenticator app (TOTP) and single-use recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "coachprog"
# Days an e-mailed invitation link stays valid.
INVITATION_MAX_AGE_DAYS = 14

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Argon2 for new and changed passwords; hashes made by the older hashers still verify and are
# upgraded to Argon2 at the person's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Sessions live in the database, which every web process on every host shares; the age counts
# from the last request (expiry after inactivity). Rather than writing the session on every request
# (SESSION_SAVE_EVERY_REQUEST), coachprog.sessions writes an unchanged one again once a hundredth of
# its age has gone, so people are signed out 99–100% of the age after their last request. Why not
# in Redis (cached_db): docs/decisions.md, "Per-request cost".
SESSION_ENGINE = "coachprog.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_REFRESH_AFTER = SESSION_COOKIE_AGE // 100
SESSION_COOKIE_HTTPONLY = True

# --- Security (production values unless DEBUG) --------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the app uses are switched off for every page (and anything framed).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)
# Django redirects HTTP to HTTPS itself, unless SECURE_SSL_REDIRECT=false says that the
# TLS-terminating proxy in front already does (then the deploy check's warning about it is
# silenced, as the operator has answered it). /healthz is exempt, below.
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT or DEBUG else ["security.W008"]
SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if _bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content Security Policy (django-csp 4): everything from our own origin, no inline script or
# style (base.html's htmx-config turns off htmx's injected indicator styles), no framing.
# img-src allows data: for the authenticator app's QR code, which allauth inlines as an SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# An upload (a session's material) is saved by one web process and read by any other, on any
# host, so none may keep it on a disk of its own: with AWS_STORAGE_BUCKET_NAME set uploads go
# to an S3-compatible bucket (django-storages), otherwise to MEDIA_ROOT, which must then be one
# volume shared by every web and worker container. Either way they are served only through the
# app's views, after the permission check, so the bucket stays private.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="").strip()
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="").strip()
if AWS_S3_ENDPOINT_URL and not AWS_S3_ENDPOINT_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"AWS_S3_ENDPOINT_URL must be an https:// (or http://) URL, not {AWS_S3_ENDPOINT_URL!r}."
    )
if AWS_S3_ENDPOINT_URL and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("AWS_S3_ENDPOINT_URL is set, but AWS_STORAGE_BUCKET_NAME is not.")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Unset for Amazon S3; the provider's address for MinIO, Ceph and the like.
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="").strip() or None,
            # Unset, boto3 looks further: ~/.aws, or the role of the host or container.
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            # Objects stay private (no ACL: the bucket's policy), and a second upload of the same
            # name gets a new name instead of replacing the first, as on the file system.
            "default_acl": None,
            "file_overwrite": False,
        },
    }
# Tests and `runserver` without collectstatic still find files in static/.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# --- Forms --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging: everything to stderr, where the process manager collects it -----
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django adds its own console handler in DEBUG; one copy of each line is enough.
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}

# --- Domain settings ----------------------------------------------------------
PROGRAMME_LEADS_GROUP = "Programme leads"

# Coaching: days since a team's last meeting after which the coach's page shows amber, then red;
# how recent supervision must be; and what counts as actively coaching (a team met this recently).
COACHING_MEETING_AMBER_DAYS = 21
COACHING_MEETING_RED_DAYS = 35
COACHING_SUPERVISION_DUE_WEEKS = 8
COACHING_ACTIVE_WEEKS = 8

# The nation whose bank holidays the cohort planner flags and the monthly e-mails skip
# (coachprog/bank_holidays.py): Scotland and Northern Ireland have their own.
BANK_HOLIDAYS_NATION = env.str("BANK_HOLIDAYS_NATION", default="england-and-wales").strip().lower()
if BANK_HOLIDAYS_NATION not in {"england-and-wales", "scotland", "northern-ireland"}:
    raise ImproperlyConfigured(
        "BANK_HOLIDAYS_NATION must be england-and-wales, scotland or northern-ireland, "
        f"not {BANK_HOLIDAYS_NATION!r}."
    )
