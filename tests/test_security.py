"""Production hardening: deploy checks, security headers, error pages, Argon2, bandit and secrets.

The deploy checks run `manage.py check --deploy` in a fresh interpreter with a
production environment, because settings are computed once, at import.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import check_password, make_password
from django.core.checks import run_checks
from django.urls import path

import coachprog.settings as project_settings
from tests.factories import PASSWORD, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


def _minimal_environment() -> dict[str, str]:
    """Only what production cannot do without: DEBUG off, a secret key and the host name."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        # A developer's .env must not change the outcome.
        "DJANGO_READ_DOT_ENV": "false",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(45)[:60],
        "ALLOWED_HOSTS": "coachprog.example.nhs.uk",
    }


def _production_environment(**extra: str) -> dict[str, str]:
    return (
        _minimal_environment()
        | {
            "SITE_URL": "https://coachprog.example.nhs.uk",
            "SECURE_SSL_REDIRECT": "true",
            "BEHIND_PROXY": "true",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
        | extra
    )


def _check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_with_production_settings_reports_nothing():
    environment = _production_environment()
    assert len(environment["SECRET_KEY"]) == 60

    result = _check_deploy(environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_with_only_debug_off_a_secret_key_and_allowed_hosts_reports_nothing():
    """Safe by default: HTTPS redirect, HSTS, secure cookies and a shared cache need no setting."""
    result = _check_deploy(_minimal_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_with_the_https_redirect_left_to_the_proxy_reports_nothing():
    result = _check_deploy(_production_environment(SECURE_SSL_REDIRECT="false"))

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_per_process_cache_in_production_is_reported_by_the_deploy_checks(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    ids = [message.id for message in run_checks(include_deployment_checks=True)]

    assert "coachprog.W001" in ids


def test_dummy_cache_is_refused_by_the_system_checks(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    ids = [message.id for message in run_checks(tags=["security"])]

    assert "coachprog.E001" in ids


def test_csp_with_unsafe_inline_script_is_refused_by_the_deploy_checks(settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'unsafe-inline'"]}
    }

    ids = [message.id for message in run_checks(tags=["security"], include_deployment_checks=True)]

    assert "coachprog.E002" in ids


@pytest.mark.django_db
def test_security_headers_are_on_a_real_response(client):
    response = client.get("/accounts/login/", secure=True)

    assert response.status_code == 200
    policy = dict(
        (directive.split(" ", 1) + [""])[:2] for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"].startswith("accelerometer=(), autoplay=(), camera=()")
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/projects/", "/notifications/", "/cohorts/sessions/"])
def test_signed_in_pages_are_never_stored_by_a_cache(client, path):
    client.force_login(UserFactory())

    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) >= {"no-store", "private"}
    assert response["Permissions-Policy"].startswith("accelerometer=()")


@pytest.mark.django_db
def test_the_https_redirect_spares_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/accounts/login/")["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_session_cookie_is_http_only(client):
    user = UserFactory(email="lead@example.org")
    user.emailaddress_set.create(email=user.email, primary=True, verified=True)

    page = client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/", {"login": "lead@example.org", "password": PASSWORD}, secure=True
    )

    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True
    assert page.cookies["csrftoken"]["secure"] is True


def test_templates_have_no_inline_script_or_event_handlers():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for template in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = template.read_text()
        if inline_script.search(text) or handler.search(text) or "javascript:" in text.lower():
            offenders.append(str(template.relative_to(BASE_DIR)))

    assert offenders == []


@login_not_required
def _broken_view(request):
    raise RuntimeError("secret internals: SELECT * FROM accounts_user")


urlpatterns = [path("broken/", _broken_view)]


@pytest.mark.django_db
def test_errors_show_the_friendly_page_and_no_traceback_outside_debug(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.test_security"
    client.raise_request_exception = False

    response = client.get("/broken/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, something went wrong" in body
    assert "Traceback" not in body
    assert "secret internals" not in body
    assert "RuntimeError" not in body


def test_passwords_are_hashed_with_argon2_and_old_pbkdf2_hashes_still_work(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    old_hash = make_password("correct horse battery", hasher="pbkdf2_sha256")
    rehashed = []

    verified = check_password("correct horse battery", old_hash, setter=rehashed.append)

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert verified is True
    assert rehashed == ["correct horse battery"]  # upgraded to the preferred hasher at sign-in
    assert make_password("another password").startswith("argon2$")


# mark_safe() calls that bandit flags (B308, B703) and that have been reviewed: each wraps SVG
# from coachprog.charts or the driver diagram, which escape every text they draw. Adding
# `# nosec B308,B703` with the reason on those lines would let this list go; any new finding,
# anywhere, fails the test.
REVIEWED = {
    ("coaching/health.py", "B308"),
    ("coaching/health.py", "B703"),
    ("projects/charts/build.py", "B308"),
    ("projects/charts/build.py", "B703"),
    ("projects/charts/summary.py", "B308"),
    ("projects/charts/summary.py", "B703"),
    ("projects/views/drivers.py", "B308"),
    ("projects/views/drivers.py", "B703"),
}


def test_bandit_finds_no_medium_or_high_issues():
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent)) or shutil.which("bandit")
    assert bandit, "bandit is in requirements-dev.txt; install it with `make venv`"

    result = subprocess.run(
        [bandit, "-ll", "-q", "-f", "json", "-r", "coachprog", "cohorts", "projects", "coaching"]
        + ["-x", "*/migrations/*"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    report = json.loads(result.stdout)
    assert report["errors"] == []
    findings = [
        f"{issue['filename']}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}"
        for issue in report["results"]
        if (issue["filename"], issue["test_id"]) not in REVIEWED or "mark_safe(" not in issue["code"]
    ]
    assert findings == []


# Patterns for credentials that must never be committed. The development and test keys are
# deliberately fake and recognisable ("insecure-…", "tests-only-…", "test-only-…").
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Django secret key": re.compile(
        r"SECRET_KEY\s*[=:]\s*[\"'](?!insecure|tests?-only|django-insecure)[^\"'\s]{30,}[\"']"
    ),
    "password in a URL": re.compile(r"://[^/\s:@]+:(?!example-password|password|pw@|…)[^@\s/]{8,}@"),
}


def test_repository_contains_no_secrets():
    git = shutil.which("git")
    if git is None or not (BASE_DIR / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = (
        subprocess.run([git, "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    found = []
    for name in filter(None, tracked):
        file = BASE_DIR / name
        if name == ".env" or name.endswith("/.env"):
            found.append(f"{name}: a .env file")
            continue
        if not file.is_file() or file.stat().st_size > 2_000_000 or name.startswith("static/vendor/"):
            continue
        try:
            text = file.read_text()
        except UnicodeDecodeError:
            continue
        for kind, pattern in SECRET_PATTERNS.items():
            if pattern.search(text):
                found.append(f"{name}: {kind}")

    assert found == []
