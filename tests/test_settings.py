"""coachprog/settings.py: defaults, parsing of each variable, and refusal of bad values.

Settings are read once, at import, so every case imports them in a fresh Python
process whose environment holds PATH, HOME and the case's variables only: nothing
leaks in from the test run (DATABASE_URL, REDIS_URL, SECRET_KEY) or from a
developer's .env, which the child is told not to read.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
STRONG_KEY = "test-only-" + "k" * 50

# settings.py reads BASE_DIR/.env; the child replaces django-environ's reader with a
# no-op first, so a developer's .env cannot change the outcome of these tests.
_PRELUDE = """
import json, os
import environ
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
os.environ["DJANGO_SETTINGS_MODULE"] = "coachprog.settings"
from django.conf import settings
"""

_DUMP = """
database = settings.DATABASES["default"]
cache = settings.CACHES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "uses_development_key": settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "database": {key: database.get(key) for key in (
        "ENGINE", "NAME", "USER", "HOST", "PORT", "OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS",
        "DISABLE_SERVER_SIDE_CURSORS",
    )},
    "cache": {"BACKEND": cache["BACKEND"], "LOCATION": cache.get("LOCATION", "")},
    "caches": settings.CACHES,
    "ALLAUTH_TRUSTED_PROXY_COUNT": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
    "SILENCED_SYSTEM_CHECKS": settings.SILENCED_SYSTEM_CHECKS,
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "email": {key: getattr(settings, key) for key in (
        "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS", "EMAIL_USE_SSL"
    )},
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "X_FRAME_OPTIONS": settings.X_FRAME_OPTIONS,
    "staticfiles_backend": settings.STORAGES["staticfiles"]["BACKEND"],
    "default_storage": settings.STORAGES["default"],
    "MEDIA_ROOT": settings.MEDIA_ROOT,
}, default=str))
"""


def _run_settings(environment: dict[str, str]) -> subprocess.CompletedProcess:
    child_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")} | environment
    return subprocess.run(
        [sys.executable, "-c", _PRELUDE + _DUMP],
        cwd=BASE_DIR,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def load_settings(**environment: str) -> dict:
    """The settings a fresh process computes from exactly this environment."""
    result = _run_settings(environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_error(**environment: str) -> str:
    """The ImproperlyConfigured message a fresh process stops with, from this environment."""
    result = _run_settings(environment)
    assert result.returncode != 0, f"settings loaded, but should have refused: {result.stdout}"
    match = re.search(r"^django\.core\.exceptions\.ImproperlyConfigured: (.*)$", result.stderr, re.MULTILINE)
    assert match, result.stderr
    return match.group(1)


def production(**environment: str) -> dict[str, str]:
    """A minimal production environment: DEBUG unset, a strong key, plus these variables."""
    return {"SECRET_KEY": STRONG_KEY} | environment


def test_settings_with_only_debug_run_locally_without_services():
    loaded = load_settings(DEBUG="true")

    assert loaded["DEBUG"] is True
    assert loaded["uses_development_key"] is True
    assert loaded["database"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["database"]["NAME"] == str(BASE_DIR / "db.sqlite3")
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True
    assert loaded["CELERY_BROKER_URL"] == "memory://"
    assert loaded["email"]["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0


def _import_in_fresh_process(module: str, **environment: str) -> subprocess.CompletedProcess:
    child_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")} | environment
    code = _PRELUDE + f"import {module}\nprint('started')"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=child_env, capture_output=True, text=True, timeout=60
    )


def test_the_web_app_without_secret_key_in_production_refuses_to_start():
    result = _import_in_fresh_process("coachprog.wsgi")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in result.stderr


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_a_celery_worker_or_beat_without_secret_key_in_production_refuses_to_start(process):
    child_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_READ_DOT_ENV": "false",
    }
    extra = ["--pool=solo"] if process == "worker" else ["--schedule=/tmp/coachprog-test-beat-schedule"]

    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "coachprog.celery", process, "--loglevel=WARNING", *extra],
        cwd=BASE_DIR,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set." in result.stderr


def test_importing_the_celery_app_needs_no_secret_key():
    # Management commands import every task module through the apps; only serving needs the key.
    result = _import_in_fresh_process("coachprog.celery")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["coachprog.wsgi", "coachprog.celery"])
def test_serving_with_a_real_secret_key_starts(module):
    result = _import_in_fresh_process(module, SECRET_KEY=STRONG_KEY, REDIS_URL="redis://127.0.0.1:6379/0")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_the_web_app_without_redis_in_production_refuses_to_start():
    result = _import_in_fresh_process("coachprog.wsgi", SECRET_KEY=STRONG_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured: REDIS_URL is not set." in result.stderr
    assert "no scheduled e-mail" in result.stderr


def test_the_web_app_without_redis_starts_when_in_process_tasks_are_asked_for():
    result = _import_in_fresh_process("coachprog.wsgi", SECRET_KEY=STRONG_KEY, TASKS_IN_PROCESS="true")

    assert result.returncode == 0, result.stderr
    assert load_settings(**production(TASKS_IN_PROCESS="true"))["CELERY_TASK_ALWAYS_EAGER"] is True


def test_management_commands_need_no_secret_key(tmp_path):
    series = tmp_path / "series.csv"
    series.write_text("period,value\n1,5\n2,6\n")
    child_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_READ_DOT_ENV": "false",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "runchart", str(series), "--rules", "spc", "--json"],
        cwd=BASE_DIR,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["centre"] == 5.5


@pytest.mark.parametrize(
    "weak_key",
    ["short-key", "insecure-development-key-do-not-use-in-production", "django-insecure-" + "x" * 50],
)
def test_settings_with_weak_secret_key_in_production_refuse_to_start(weak_key):
    message = settings_error(SECRET_KEY=weak_key)

    assert message == "SECRET_KEY is too weak for production: use 50 or more random characters."


def test_settings_with_unclear_debug_refuse_to_start():
    message = settings_error(DEBUG="maybe")

    assert message == "DEBUG must be true or false, not 'maybe'."


def test_settings_with_an_unknown_bank_holiday_nation_refuse_to_start():
    message = settings_error(DEBUG="true", BANK_HOLIDAYS_NATION="wales")

    assert message == (
        "BANK_HOLIDAYS_NATION must be england-and-wales, scotland or northern-ireland, not 'wales'."
    )


def test_settings_production_defaults_are_secure():
    loaded = load_settings(**production())

    assert loaded["DEBUG"] is False
    assert loaded["uses_development_key"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert loaded["X_FRAME_OPTIONS"] == "DENY"
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SILENCED_SYSTEM_CHECKS"] == []
    assert loaded["SECURE_PROXY_SSL_HEADER"] is None
    assert loaded["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0  # X-Forwarded-For is not trusted
    # No Redis: the cache is the database's, shared by every web worker.
    assert loaded["cache"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "coachprog_cache",
    }
    assert loaded["staticfiles_backend"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_settings_https_redirect_turned_off_for_a_proxy_that_redirects_itself():
    loaded = load_settings(**production(SECURE_SSL_REDIRECT="false"))

    assert loaded["SECURE_SSL_REDIRECT"] is False
    # The operator has answered the deploy check's question, so it is not asked again.
    assert loaded["SILENCED_SYSTEM_CHECKS"] == ["security.W008"]


def test_settings_development_does_not_redirect_to_https():
    loaded = load_settings(DEBUG="true")

    assert (loaded["SECURE_SSL_REDIRECT"], loaded["SILENCED_SYSTEM_CHECKS"]) == (False, [])


def test_settings_trusted_proxy_count_sets_how_clients_are_told_apart():
    assert load_settings(**production(TRUSTED_PROXY_COUNT="1"))["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1


@pytest.mark.parametrize("count", ["-1", "9", "two"])
def test_settings_with_a_wrong_trusted_proxy_count_refuse_to_start(count):
    message = settings_error(**production(TRUSTED_PROXY_COUNT=count))

    assert message == f"TRUSTED_PROXY_COUNT must be a whole number from 0 to 5, not '{count}'."


def test_settings_behind_proxy_trust_forwarded_proto():
    loaded = load_settings(**production(BEHIND_PROXY="true", SECURE_SSL_REDIRECT="true"))

    assert loaded["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["SECURE_SSL_REDIRECT"] is True


def test_settings_with_unclear_behind_proxy_refuse_to_start():
    message = settings_error(**production(BEHIND_PROXY="maybe"))

    assert message == "BEHIND_PROXY must be true or false, not 'maybe'."


def test_settings_postgres_database_url_configures_postgresql():
    loaded = load_settings(**production(DATABASE_URL="postgres://u:p@h:5432/d"))

    assert loaded["database"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "d",
        "USER": "u",
        "HOST": "h",
        "PORT": 5432,
        "OPTIONS": {"connect_timeout": 5},
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": False,
    }


def test_settings_for_a_transaction_pooler_turn_off_server_side_cursors():
    loaded = load_settings(
        **production(DATABASE_URL="postgres://u:p@pgbouncer:6432/d", DISABLE_SERVER_SIDE_CURSORS="true")
    )

    assert loaded["database"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert loaded["database"]["PORT"] == 6432


def test_settings_redis_url_configures_broker_and_cache():
    loaded = load_settings(**production(REDIS_URL="redis://h:6379/1"))

    assert loaded["CELERY_BROKER_URL"] == "redis://h:6379/1"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False
    assert loaded["cache"] == {
        "BACKEND": "coachprog.cache.FallbackRedisCache",
        "LOCATION": "redis://h:6379/1",
    }
    # While Redis is down, the cache (and the sign-in rate limits) use the database's.
    assert loaded["caches"]["default"]["OPTIONS"]["FALLBACK"] == "database"
    assert loaded["caches"]["database"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_settings_with_non_redis_url_refuse_to_start():
    message = settings_error(**production(REDIS_URL="http://x"))

    assert message == "REDIS_URL must be a redis:// URL, not 'http://x'."


def test_settings_with_unix_socket_redis_url_refuse_to_start():
    message = settings_error(**production(REDIS_URL="unix:///run/redis.sock"))

    assert message == "REDIS_URL must be a redis:// URL, not 'unix:///run/redis.sock'."


def test_settings_smtp_tls_email_url_configures_smtp():
    loaded = load_settings(**production(EMAIL_URL="smtp+tls://user:pw@mail.example.org:587"))

    assert loaded["email"] == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "user",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_settings_smtp_email_url_with_tls_option_uses_tls():
    loaded = load_settings(**production(EMAIL_URL="smtp://user:pw@mail.example.org:587/?tls=True"))

    assert loaded["email"]["EMAIL_USE_TLS"] is True


def test_settings_allowed_hosts_default_to_local_names():
    loaded = load_settings(**production())

    assert loaded["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]", "testserver"]


def test_settings_allowed_hosts_parse_comma_separated_list():
    loaded = load_settings(**production(ALLOWED_HOSTS="coachprog.example.nhs.uk,127.0.0.1"))

    assert loaded["ALLOWED_HOSTS"] == ["coachprog.example.nhs.uk", "127.0.0.1"]


def test_settings_allowed_hosts_ignore_spaces_after_commas():
    loaded = load_settings(**production(ALLOWED_HOSTS="a.example.org, b.example.org"))

    assert loaded["ALLOWED_HOSTS"] == ["a.example.org", "b.example.org"]


def test_settings_load_with_every_example_value_from_env_example():
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    examples = dict(
        match.groups() for line in lines if (match := re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$", line))
    )
    environment = {name: value for name, value in examples.items() if value} | {
        "DEBUG": "false",
        "SECRET_KEY": STRONG_KEY,
    }

    loaded = load_settings(**environment)

    assert loaded["database"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["CELERY_BROKER_URL"] == examples["REDIS_URL"]
    assert loaded["email"]["EMAIL_USE_TLS"] is True
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_settings_uploads_go_to_media_root_without_a_bucket():
    loaded = load_settings(**production(MEDIA_ROOT="/srv/coachprog-media"))

    assert loaded["default_storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert loaded["MEDIA_ROOT"] == "/srv/coachprog-media"


def test_settings_bucket_name_puts_uploads_in_s3_compatible_storage():
    loaded = load_settings(
        **production(
            AWS_STORAGE_BUCKET_NAME="coachprog-uploads",
            AWS_S3_ENDPOINT_URL="https://s3.example.org",
            AWS_S3_REGION_NAME="eu-west-2",
            AWS_ACCESS_KEY_ID="example-access-key",
            AWS_SECRET_ACCESS_KEY="example-secret-key",
        )
    )

    assert loaded["default_storage"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "coachprog-uploads",
            "endpoint_url": "https://s3.example.org",
            "region_name": "eu-west-2",
            "access_key": "example-access-key",
            "secret_key": "example-secret-key",
            "default_acl": None,
            "file_overwrite": False,
        },
    }


def test_settings_bucket_without_keys_leaves_credentials_to_boto3():
    loaded = load_settings(**production(AWS_STORAGE_BUCKET_NAME="coachprog-uploads"))

    options = loaded["default_storage"]["OPTIONS"]
    assert (options["endpoint_url"], options["region_name"]) == (None, None)
    assert (options["access_key"], options["secret_key"]) == (None, None)


def test_settings_s3_storage_is_built_from_the_settings_without_connecting():
    # django-storages refuses an option it does not know, so building the storage checks them all;
    # it connects only when a file is read or written, so no bucket is needed here.
    environment = production(
        AWS_STORAGE_BUCKET_NAME="coachprog-uploads", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9"
    )
    child_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")} | environment
    code = """
import django
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps([type(storage).__name__, storage.bucket_name, storage.endpoint_url, storage.file_overwrite]))
"""
    result = subprocess.run(
        [sys.executable, "-c", _PRELUDE + code],
        cwd=BASE_DIR,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["S3Storage", "coachprog-uploads", "http://127.0.0.1:9", False]


def test_settings_with_an_endpoint_url_but_no_bucket_refuse_to_start():
    message = settings_error(**production(AWS_S3_ENDPOINT_URL="https://s3.example.org"))

    assert message == "AWS_S3_ENDPOINT_URL is set, but AWS_STORAGE_BUCKET_NAME is not."


def test_settings_with_an_endpoint_that_is_not_a_url_refuse_to_start():
    message = settings_error(**production(AWS_STORAGE_BUCKET_NAME="b", AWS_S3_ENDPOINT_URL="s3.example.org"))

    assert message == "AWS_S3_ENDPOINT_URL must be an https:// (or http://) URL, not 's3.example.org'."
