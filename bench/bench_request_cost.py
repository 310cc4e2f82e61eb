"""What every signed-in request costs before its view runs: a page that renders almost nothing
against /healthz, under gunicorn on PostgreSQL with Redis, requests one after another.

    .venv/bin/python bench/bench_request_cost.py [--requests 1000]

It creates (and afterwards drops) the database `coachprog_reqcost` on the local PostgreSQL
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres names the server),
signs in a coach (who also sponsors a project, so the navigation has roles to find) and times
each page with one gunicorn worker, so the figures are latencies, not throughput. The query
counts are asserted by tests/coachprog/test_request_cost.py, not measured here.
"""

import argparse
import http.cookiejar
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DATABASE = "coachprog_reqcost"
PAGES = [
    ("/healthz", "anonymous", False),
    ("/healthz", "signed in", True),
    ("/accounts/password/change/", "signed in", True),
    ("/notifications/preferences/", "signed in", True),
]
SEED = """
import django; django.setup()
from allauth.account.models import EmailAddress
from coachprog.accounts.services import access_policy_update
from tests.factories import PASSWORD, AssignmentFactory, CoachProfileFactory, ProjectFactory, UserFactory
coach = UserFactory(email="coach@example.org")
CoachProfileFactory(coach=coach)
AssignmentFactory(coach=coach, project=ProjectFactory())
ProjectFactory(sponsor=coach)
EmailAddress.objects.create(user=coach, email=coach.email, verified=True, primary=True)
access_policy_update(by=coach, allowed_signup_domains="", require_two_factor_for_leads=True)
print(PASSWORD)
"""


def _database_url(name: str) -> str:
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(server)._replace(path=f"/{name}"))


def _psql(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(_database_url("postgres"), connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


class Browser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def get(self, path: str) -> int:
        try:
            with self.opener.open(self.base_url + path, timeout=10) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def sign_in(self, email: str, password: str) -> None:
        self.get("/accounts/login/")
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password})
        request = urllib.request.Request(
            self.base_url + "/accounts/login/", data=body.encode(), headers={"Referer": self.base_url + "/"}
        )
        try:
            self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            if error.code != 302:
                raise


def _time(browser: Browser, path: str, requests: int) -> tuple[float, float]:
    for _ in range(50):  # warm-up: connections, template caches
        assert browser.get(path) == 200, path
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        status = browser.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, path
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8078)
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "coachprog.settings"),
        "DJANGO_READ_DOT_ENV": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": _database_url(DATABASE),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
        # Production's static files storage needs collectstatic's manifest.
        "STATIC_ROOT": tempfile.mkdtemp(prefix="coachprog-reqcost-static-"),
    }
    _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DATABASE}")
    gunicorn = None
    try:
        python = str(VENV_BIN / "python")
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([python, "manage.py", *command, "-v0"], cwd=PROJECT_ROOT, env=env, check=True)
        seeded = subprocess.run(
            [python, "-c", SEED], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, text=True
        )
        password = seeded.stdout.strip().splitlines()[-1]
        gunicorn = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "coachprog.wsgi", "--bind", f"127.0.0.1:{args.port}",
             "--workers", "1", "--no-control-socket", "--log-level", "warning"],
            cwd=PROJECT_ROOT, env=env,
        )  # fmt: skip
        site = f"http://127.0.0.1:{args.port}"
        anonymous, signed_in = Browser(site), Browser(site)
        for _ in range(100):
            try:
                if anonymous.get("/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        signed_in.sign_in("coach@example.org", password)
        healthz_p50 = None
        print(f"{args.requests} sequential requests each, one gunicorn worker\n")
        print("| Page | Who | p50 | p95 | p50 × /healthz |")
        print("| --- | --- | --- | --- | --- |")
        for path, who, needs_sign_in in PAGES:
            p50, p95 = _time(signed_in if needs_sign_in else anonymous, path, args.requests)
            healthz_p50 = healthz_p50 or p50
            print(f"| `{path}` | {who} | {p50:.2f} ms | {p95:.2f} ms | {p50 / healthz_p50:.1f}× |")
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=20)
        _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
