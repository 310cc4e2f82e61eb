"""Time every page each role reaches, under gunicorn on PostgreSQL, against /healthz in the same run.

    .venv/bin/python bench/bench_pages.py --preset large          # the whole run
    .venv/bin/python bench/bench_pages.py --preset large --resume # carry on after a stop

What it does, in order (each step says what it is doing; Ctrl+C stops gunicorn and keeps what
was measured, and `--resume` carries on from there):

1. Creates its own PostgreSQL database (default `coachprog_bench_<preset>`, dropped and made
   again unless `--reuse` keeps one already seeded), migrates it and fills it with
   `manage.py seed_scale --preset <preset>` (or `--seed demo_data`).
2. Collects the static files into its work folder and starts gunicorn on a free port with
   production settings (DEBUG off, a key, Redis database `--redis-db`, plain HTTP on 127.0.0.1).
3. Measures /healthz, then signs in as each role through the real sign-in form and follows the
   links of every page it reaches from its home page, as a person would: same origin, GET only,
   never signing out; at most `--visit-per-pattern` paths per URL pattern and role (the admin:
   its index, and the list, add and change page of each model, once each). Each page it can
   measure (200) gets a first visit and `--warmup` more requests, then `--requests` sequential
   requests (fewer, but at least `--min-requests`, when that would pass `--max-seconds-per-page`);
   its queries are counted by Django's test client in this process, with the same session
   cookie, on the second of two requests. /healthz is measured again at the end.
4. Stops gunicorn, times the monthly sponsor run (bench/bench_monthly_run.py) and the run-chart
   statistics (bench/bench_runchart.py), and writes the tables into docs/performance.md, replacing
   the block of the same `--label` and preset (`before` and `after` blocks live side by side).

Results are kept in the work folder (`--workdir`, default /tmp/coachprog-bench/<database>/):
results.json after every page, gunicorn.log, the collected static files.
`--compare other/results.json` (e.g. the small preset's run) lists the pages whose query
count differs between the two runs. Not part of the test suite: nothing here is asserted.
"""

import argparse
import html
import http.client
import json
import math
import os
import platform
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

# The roles, in the order of the tables: (key, label, demo account).
ROLES = [
    ("lead", "programme lead", "lead@example.org"),
    ("qi_lead", "QI lead", "qilead@example.org"),
    ("coach", "coach", "coach@example.org"),
    ("other_coach", "second coach", "coach2@example.org"),
    ("sponsor", "sponsor", "sponsor@example.org"),
    ("member", "team member", "member@example.org"),
]
ROLE_LABELS = {key: label for key, label, _ in ROLES}
# Never followed: signing out would end the crawl. Everything else a GET link reaches is a page.
SKIPPED_VIEWS = {"account_logout"}
# The admin pages the crawl visits: its index and app lists, and each model's list, add and change page
# (not delete confirmations, history, autocomplete, password change or "view on site").
ADMIN_VIEWS = re.compile(r"^admin:(index|app_list|\w+_(changelist|add|change))$")
ADMIN_SKIPPED = re.compile(r"password_change$")
# Targets from issue 13, as multiples of the /healthz p50 of the same run.
TARGET_MEDIAN, TARGET_P50, TARGET_P95, TARGET_ADMIN_P50 = 10, 20, 40, 40
SECRET_KEY = "bench-only-secret-key-" + "x" * 40  # serves nobody; long enough for production settings


class BenchError(Exception):
    pass


def say(message: str) -> None:
    print(message, flush=True)


# --- arguments and environment ----------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=["small", "large"], default="large")
    parser.add_argument("--seed", default="seed_scale", help="seed_scale (default) or demo_data")
    parser.add_argument("--database", help="default: coachprog_bench_<preset>")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it is already seeded")
    parser.add_argument(
        "--resume", action="store_true", help="keep the pages already measured in results.json"
    )
    parser.add_argument("--workdir", type=Path, help="default: /tmp/coachprog-bench/<database>")
    parser.add_argument("--redis-db", type=int, default=5, help="the Redis database this run may flush")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--workers", type=int, default=1, help="gunicorn sync workers (requests are sequential)"
    )
    parser.add_argument("--roles", default=",".join(key for key, _, _ in ROLES))
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed requests per page, the first visit included"
    )
    parser.add_argument("--min-requests", type=int, default=5)
    parser.add_argument("--max-seconds-per-page", type=float, default=30.0)
    parser.add_argument(
        "--visit-per-pattern", type=int, default=2, help="paths visited per URL pattern and role"
    )
    parser.add_argument("--measure-per-pattern", type=int, default=1, help="of those, paths timed")
    parser.add_argument("--max-pages", type=int, default=500, help="per role, a safety net")
    parser.add_argument("--sponsors", type=int, default=1000, help="for the monthly run")
    parser.add_argument("--skip-monthly-run", action="store_true")
    parser.add_argument("--skip-runchart", action="store_true")
    parser.add_argument("--label", default="after", help="which docs block to replace: before, after …")
    parser.add_argument("--docs", type=Path, default=PROJECT_ROOT / "docs" / "performance.md")
    parser.add_argument("--no-docs", action="store_true", help="print the tables only")
    parser.add_argument(
        "--compare", type=Path, help="another run's results.json: list query counts that differ"
    )
    parser.add_argument("--note", default="", help="a sentence for the docs, e.g. who else used the machine")
    args = parser.parse_args()
    args.database = args.database or f"coachprog_bench_{args.preset}"
    args.workdir = args.workdir or Path("/tmp/coachprog-bench") / args.database
    args.roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    unknown = set(args.roles) - set(ROLE_LABELS)
    if unknown:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")
    return args


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """Production settings over plain HTTP on 127.0.0.1, for gunicorn, manage.py and this process."""
    return {
        "DJANGO_SETTINGS_MODULE": "coachprog.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_ROOT": str(args.workdir / "static"),
        "LOG_LEVEL": "WARNING",
    }


# --- the database -----------------------------------------------------------------------------


def postgres_admin(args: argparse.Namespace):
    import psycopg2

    server = urllib.parse.urlsplit(args.postgres)
    connection = psycopg2.connect(
        host=server.hostname,
        port=server.port or 5432,
        user=server.username or "postgres",
        password=server.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def database_exists(args: argparse.Namespace) -> bool:
    with postgres_admin(args) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        return cursor.fetchone() is not None


def manage(args: argparse.Namespace, *command: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=PROJECT_ROOT,
        env={**os.environ, **server_environment(args)},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def prepare_database(args: argparse.Namespace, state: dict) -> None:
    seeded = state.get("seeded") or {}
    if args.reuse and database_exists(args) and seeded.get("database") == args.database:
        if seeded.get("preset") != args.preset or seeded.get("seed") != args.seed:
            raise BenchError(
                f"{args.database} was seeded with {seeded.get('seed')} --preset {seeded.get('preset')}; "
                "drop --reuse to seed it again"
            )
        say(f"Reusing {args.database} (seeded {seeded['when']} in {seeded['seconds']:.0f} s); migrating")
        manage(args, "migrate", "--noinput", "-v0")
        seeded["reused"] = True
        return
    connection = postgres_admin(args)
    with connection.cursor() as cursor:
        say(f"Creating the database {args.database}")
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{args.database}"')
    connection.close()
    say("Migrating")
    manage(args, "migrate", "--noinput", "-v0")
    command = ["seed_scale", "--preset", args.preset] if args.seed == "seed_scale" else [args.seed]
    say(f"Seeding: manage.py {' '.join(command)}")
    seconds = manage(args, *command)
    say(f"Seeded in {seconds:.1f} s")
    state["seeded"] = {
        "database": args.database,
        "preset": args.preset,
        "seed": args.seed,
        "command": "manage.py " + " ".join(command),
        "seconds": seconds,
        "when": datetime.now().isoformat(timespec="minutes"),
        "reused": False,
    }


def data_counts() -> dict[str, int]:
    from coaching.models import CoachProfile, MeetingLog, MonthlyUpdate
    from coachprog.accounts.models import Directorate, User
    from cohorts.models import Cohort, Enrolment, Session
    from projects.models import DataPoint, Measure, Project

    models = {
        "users": User,
        "directorates": Directorate,
        "coaches": CoachProfile,
        "projects": Project,
        "measures": Measure,
        "data points": DataPoint,
        "cohorts": Cohort,
        "sessions": Session,
        "enrolments": Enrolment,
        "meeting logs": MeetingLog,
        "monthly updates": MonthlyUpdate,
    }
    return {name: model.objects.count() for name, model in models.items()}


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.port = args.port or free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        log = open(self.args.workdir / "gunicorn.log", "ab")  # noqa: SIM115 - closed with the process
        command = [sys.executable, "-m", "gunicorn", "coachprog.wsgi", "--chdir", str(PROJECT_ROOT)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.args.workers)]
        command += ["--timeout", "900", "--no-control-socket", "--log-level", "warning"]
        say(f"Starting gunicorn on 127.0.0.1:{self.port} ({self.args.workers} sync worker(s))")
        self.process = subprocess.Popen(
            command, env={**os.environ, **server_environment(self.args)}, stdout=log, stderr=log
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited; see {self.args.workdir / 'gunicorn.log'}")
            try:
                if Browser(self.port).get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        raise BenchError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        say("gunicorn stopped")


# --- a browser: cookies, links and timings ----------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def is_html(self) -> bool:
        disposition = self.headers.get("Content-Disposition", "")
        return self.headers.get_content_type() == "text/html" and "attachment" not in disposition


class Browser:
    """Plain HTTP/1.1 to gunicorn, one connection per request (sync workers close them anyway)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Host": "127.0.0.1", "User-Agent": "coachprog-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, response.headers, content, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def sign_in(self, email: str, password: str) -> None:
        """Through the real sign-in form, as a person would."""
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status != 200 or token is None:
            raise BenchError(f"the sign-in page answered {page.status} without a form")
        form = {"csrfmiddlewaretoken": html.unescape(token.group(1)), "login": email, "password": password}
        answer = self.request("POST", "/accounts/login/", form)
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"signing in as {email} failed ({answer.status}): is the database seeded?")


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def page_links(base: str, body: str) -> list[str]:
    """Same-origin links of a page as paths with their query, without fragments, in page order."""
    parser = LinkParser()
    parser.feed(body)
    links = []
    for href in parser.links:
        url = urllib.parse.urlsplit(urllib.parse.urljoin("http://127.0.0.1" + base, href))
        if url.scheme != "http" or url.netloc != "127.0.0.1":
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if path not in links:
            links.append(path)
    return links


def view_name(path: str) -> str | None:
    """The URL pattern's name, or None for anything that is not a page to visit."""
    from django.urls import Resolver404, resolve

    url_path = urllib.parse.urlsplit(path).path
    if url_path.startswith(("/static/", "/media/")):
        return None
    try:
        name = resolve(url_path).view_name
    except Resolver404:
        return None
    if name in SKIPPED_VIEWS or (
        name.startswith("admin:") and (not ADMIN_VIEWS.match(name) or ADMIN_SKIPPED.search(name))
    ):
        return None
    return name


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the p95 of 20 values is the 19th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# --- measuring --------------------------------------------------------------------------------


def time_page(browser: Browser, path: str, args: argparse.Namespace, first: Response) -> dict:
    slowest = first.seconds
    for _ in range(max(0, args.warmup - 1)):
        slowest = max(slowest, browser.get(path).seconds)
    count = args.requests
    if slowest * count > args.max_seconds_per_page:
        count = max(args.min_requests, int(args.max_seconds_per_page / slowest))
    samples = []
    for _ in range(count):
        response = browser.get(path)
        if response.status != first.status:
            raise BenchError(f"{path} answered {response.status} after {first.status}")
        samples.append(response.seconds)
    return {"samples": samples, "p50": statistics.median(samples), "p95": percentile(samples, 0.95)}


def count_queries(session: str, path: str) -> int | str:
    """The second of two GETs through Django's test client, signed in with the crawl's session."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        return f"({response.status_code})"
    return len(captured)


def measure_healthz(port: int, args: argparse.Namespace) -> list[float]:
    browser = Browser(port)
    for _ in range(max(1, args.warmup)):
        browser.get("/healthz")
    return [browser.get("/healthz").seconds for _ in range(max(args.requests, 20))]


def crawl_role(role: str, email: str, port: int, args: argparse.Namespace, results: dict, save) -> None:
    from coaching.demo.common import DEMO_PASSWORD

    browser = Browser(port)
    browser.sign_in(email, DEMO_PASSWORD)
    known = {page["path"]: page for page in results["pages"].get(role, [])} if args.resume else {}
    pages: list[dict] = []
    results["pages"][role] = pages
    visited_per_name: Counter = Counter()
    timed_per_name: Counter = Counter()
    seen: set[str] = set()
    queue = deque(["/"])
    while queue and len(pages) < args.max_pages:
        path = queue.popleft()
        if path in seen:
            continue
        name = view_name(path)
        if name is None:
            continue
        admin = name.startswith("admin:")
        if visited_per_name[name] >= (1 if admin else args.visit_per_pattern):
            continue
        seen.add(path)
        visited_per_name[name] += 1
        wants_timing = timed_per_name[name] < (1 if admin else args.measure_per_pattern)
        page = known.get(path)
        if page is None or (wants_timing and page.get("kind") in {"html", "download"} and "p50" not in page):
            page = visit(browser, role, name, path, wants_timing, args)
        pages.append(page)
        save()
        if "p50" in page:
            timed_per_name[name] += 1
        if page.get("location"):
            queue.appendleft(page["location"])
        queue.extend(page.get("links", []))


def visit(browser: Browser, role: str, name: str, path: str, wants_timing: bool, args) -> dict:
    response = browser.get(path)
    page = {"path": path, "name": name, "status": response.status}
    if response.status in (301, 302, 303, 307, 308):
        location = urllib.parse.urlsplit(
            urllib.parse.urljoin("http://127.0.0.1" + path, response.headers["Location"])
        )
        page["kind"] = "redirect"
        if location.netloc == "127.0.0.1":
            page["location"] = location.path + (f"?{location.query}" if location.query else "")
        say(f"  {role:<8} {response.status} {name} {path} → {response.headers['Location']}")
        return page
    if response.status != 200:
        page["kind"] = "error"
        say(f"  {role:<8} {response.status} {name} {path}  (a link that does not open)")
        return page
    page["kind"] = "html" if response.is_html else "download"
    if response.is_html:
        page["links"] = page_links(path, response.text)
    if wants_timing:
        page.update(time_page(browser, path, args, response))
        page["queries"] = count_queries(browser.cookies["sessionid"], path)
        say(
            f"  {role:<8} {page['kind']:<8} {name:<44} {path[:60]:<60} q={page['queries']!s:>5} "
            f"p50 {page['p50'] * 1000:8.1f} ms  p95 {page['p95'] * 1000:8.1f} ms  n={len(page['samples'])}"
        )
    return page


# --- the other two benchmarks -----------------------------------------------------------------


def run_script(args: argparse.Namespace, script: str, *extra: str, database: str | None = None) -> list[str]:
    env = {**os.environ, "DJANGO_READ_DOT_ENV": "false", "SECRET_KEY": SECRET_KEY}
    if database:
        env["DATABASE_URL"] = f"{args.postgres.rstrip('/')}/{database}"
    say(f"Running bench/{script} {' '.join(extra)}")
    output = subprocess.run(
        [sys.executable, f"bench/{script}", *extra],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in output.splitlines():
        say(f"  {line}")
    return output.splitlines()


# --- reporting --------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return f"{cpu}, {os.cpu_count()} cores, {memory / 1024 / 1024:.0f} GiB"


def versions(args: argparse.Namespace) -> str:
    from importlib.metadata import version

    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    redis_version = redis.Redis.from_url(server_environment(args)["REDIS_URL"]).info("server")[
        "redis_version"
    ]
    return (
        f"Python {platform.python_version()}, PostgreSQL {postgres}, Redis {redis_version}, "
        f"gunicorn {version('gunicorn')} with {args.workers} sync worker(s)"
    )


def commit() -> str:
    def git(*command: str) -> str:
        return subprocess.run(
            ["git", *command], cwd=PROJECT_ROOT, capture_output=True, text=True
        ).stdout.strip()

    dirty = " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{git('rev-parse', '--short', 'HEAD') or 'unknown'}{dirty}"


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def ratio(value: float) -> str:
    return f"{value:,.0f}×" if value >= 100 else f"{value:.1f}×"


def rows(results: dict) -> list[dict]:
    """One row per timed page, in role order then URL name."""
    table = []
    for role, _, _ in ROLES:
        for page in results["pages"].get(role, []):
            if "p50" in page:
                table.append({**page, "role": role})
    return sorted(
        table, key=lambda row: ([key for key, _, _ in ROLES].index(row["role"]), row["name"], row["path"])
    )


def healthz_reference(results: dict) -> tuple[float, float, int]:
    samples = results["healthz"].get("start", []) + results["healthz"].get("end", [])
    return statistics.median(samples), percentile(samples, 0.95), len(samples)


def summary(results: dict, compare: dict | None) -> list[str]:
    reference, _, _ = healthz_reference(results)
    table = rows(results)
    site = [row for row in table if not row["name"].startswith("admin:")]
    html_pages = [row for row in site if row["kind"] == "html"]
    admin = [row for row in table if row["name"].startswith("admin:")]

    def names(selected: list[dict], key: str) -> str:
        worst = sorted(selected, key=lambda row: -row[key])
        shown = ", ".join(
            f"`{row['path']}` ({ROLE_LABELS[row['role']]}, {ratio(row[key] / reference)})"
            for row in worst[:12]
        )
        return shown + (f" and {len(worst) - 12} more" if len(worst) > 12 else "")

    lines = []
    if html_pages:
        median = statistics.median(row["p50"] / reference for row in html_pages)
        lines.append(
            f"- Median page (the {len(html_pages)} non-admin HTML pages): **{ratio(median)}** the "
            f"/healthz p50 (target ≤ {TARGET_MEDIAN}×)."
        )
    slow = [row for row in site if row["p50"] > TARGET_P50 * reference]
    lines.append(
        f"- Non-admin pages (downloads included) over {TARGET_P50}× in p50: **{len(slow)} of {len(site)}**"
        + (f": {names(slow, 'p50')}." if slow else ".")
    )
    jumpy = [row for row in site if row["p95"] > TARGET_P95 * reference]
    lines.append(
        f"- Non-admin pages over {TARGET_P95}× the /healthz p50 in p95: **{len(jumpy)} of {len(site)}**"
        + (f": {names(jumpy, 'p95')}." if jumpy else ".")
    )
    if admin:
        slow_admin = [row for row in admin if row["p50"] > TARGET_ADMIN_P50 * reference]
        lines.append(
            f"- Admin pages over {TARGET_ADMIN_P50}× in p50: **{len(slow_admin)} of {len(admin)}**"
            + (f": {names(slow_admin, 'p50')}." if slow_admin else ".")
        )
    within = [row for row in site if row["p50"] <= 10 * reference]
    lines.append(f"- Non-admin pages within 10× of /healthz: {len(within)} of {len(site)}.")
    broken = [
        page for role in results["pages"] for page in results["pages"][role] if page.get("kind") == "error"
    ]
    if broken:
        lines.append(
            "- Links that did not open (not timed): "
            + ", ".join(f"`{page['path']}` ({page['status']})" for page in broken[:10])
            + "."
        )
    if compare:
        theirs = {(row["role"], row["name"]): row for row in rows(compare)}
        grew = [
            (row, theirs[(row["role"], row["name"])])
            for row in table
            if (row["role"], row["name"]) in theirs
            and theirs[(row["role"], row["name"])]["queries"] != row["queries"]
        ]
        preset = compare.get("meta", {}).get("preset", "other")
        lines.append(
            f"- Query counts that differ from the {preset} preset's run: **{len(grew)}**"
            + (
                ": "
                + ", ".join(
                    f"`{row['name']}` ({ROLE_LABELS[row['role']]}, {old['queries']} → {row['queries']})"
                    for row, old in grew
                )
                + "."
                if grew
                else "."
            )
        )
    return lines


def markdown(results: dict, args: argparse.Namespace, compare: dict | None) -> str:
    meta = results["meta"]
    reference, reference_p95, samples = healthz_reference(results)
    seeded = results.get("seeded", {})
    counts = ", ".join(f"{value:,} {name}" for name, value in meta["counts"].items())
    how = "reused from an earlier run" if seeded.get("reused") else f"in {seeded.get('seconds', 0):.0f} s"
    lines = [
        f"### {args.label.capitalize()}: {args.preset} preset, {meta['date']}",
        "",
        f"`{meta['command']}` at {meta['commit']}. {meta['machine']}; {meta['versions']}. "
        f"Load average {meta['load_start']} at the start and {meta.get('load_end', '?')} at the end"
        + (f"; {args.note}" if args.note else "")
        + ".",
        "",
        f"Data: {counts} (`{seeded.get('command', '?')}`, {how}).",
        "",
        f"`/healthz`: p50 {ms(reference)}, p95 {ms(reference_p95)} ({samples} requests, half at the "
        "start and half at the end). Each page: a first visit and "
        f"{args.warmup - 1} more untimed request(s), then {args.requests} timed sequential requests "
        f"(n: fewer for a page slower than {args.max_seconds_per_page:.0f} s in total); queries counted "
        "on the second of two requests through Django's test client with the same session. "
        "×: p50 over the /healthz p50.",
        "",
        *summary(results, compare),
    ]
    for title, selected in (
        ("Pages", [row for row in rows(results) if not row["name"].startswith("admin:")]),
        ("Admin pages (programme lead)", [row for row in rows(results) if row["name"].startswith("admin:")]),
    ):
        if not selected:
            continue
        lines += ["", f"{title}:", "", "| Page | Example | Role | Queries | p50 | p95 | × /healthz | n |"]
        lines.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for row in selected:
            page = f"`{row['name']}`" + (" (download)" if row["kind"] == "download" else "")
            lines.append(
                f"| {page} | `{row['path']}` | {ROLE_LABELS[row['role']]} | {row['queries']} | "
                f"{ms(row['p50'])} | {ms(row['p95'])} | {ratio(row['p50'] / reference)} | "
                f"{len(row['samples'])} |"
            )
    for key, title in (("monthly_run", "The monthly sponsor run"), ("runchart", "Run-chart statistics")):
        if results.get(key):
            lines += [
                "",
                f"{title} (`{results[key]['command']}`, the same machine, gunicorn stopped):",
                "",
                "```",
            ]
            lines += results[key]["output"]
            lines.append("```")
    return "\n".join(lines) + "\n"


SECTION = "## Every page, under gunicorn on PostgreSQL"
SECTION_INTRO = """`.venv/bin/python bench/bench_pages.py --preset large` (under an hour at the large preset;
add `--resume` to carry on after a stop, `--reuse` to keep a database already seeded, `--help` for the
rest) seeds its own database with `seed_scale`, serves it with gunicorn and production settings,
signs in as each demo role through the sign-in form and follows every link from the role's
home page (one or two paths per URL pattern; the admin's lists, add and change pages once), and
times each page against `/healthz` in the same run. It rewrites the block below of its `--label`
and preset; the issue's targets are in multiples of the `/healthz` p50: the median page ≤ 10×,
every non-admin page ≤ 20× in p50 and ≤ 40× in p95, every admin page ≤ 40×. The query counts
are pinned by `tests/coachprog/test_query_budgets.py`.
"""


def write_docs(path: Path, label: str, preset: str, block: str) -> None:
    begin, end = f"<!-- bench_pages {label} {preset} begin -->", f"<!-- bench_pages {label} {preset} end -->"
    text = path.read_text()
    wrapped = f"{begin}\n{block}{end}\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + wrapped + rest.split(end, 1)[1].lstrip("\n")
    else:
        if SECTION not in text:
            text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{SECTION_INTRO}"
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        cut = len(text) if following == -1 else following + 1
        text = text[:cut].rstrip("\n") + "\n\n" + wrapped + ("\n" + text[cut:] if following != -1 else "")
    path.write_text(text)


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(server_environment(args))
    results_path = args.workdir / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    if not args.resume:
        results = {"seeded": results.get("seeded")} if args.reuse else {}
    results.setdefault("pages", {})
    results.setdefault("healthz", {})

    def save() -> None:
        scratch = results_path.with_suffix(".tmp")
        scratch.write_text(json.dumps(results, indent=1))
        scratch.replace(results_path)

    compare = json.loads(args.compare.read_text()) if args.compare else None
    if not (args.resume and results.get("seeded")):
        prepare_database(args, results)
    save()

    import django

    django.setup()
    import redis

    results["meta"] = {
        **results.get("meta", {}),
        "preset": args.preset,
        "label": args.label,
        "date": datetime.now().strftime("%-d %b %Y"),
        "command": shlex.join([".venv/bin/python", "bench/bench_pages.py", *sys.argv[1:]]),
        "commit": commit(),
        "machine": machine(),
        "versions": versions(args),
        "counts": data_counts(),
        "load_start": results.get("meta", {}).get("load_start") or f"{os.getloadavg()[0]:.2f}",
    }
    say(f"Data: {results['meta']['counts']}")
    manage(args, "collectstatic", "--noinput", "-v0")
    redis.Redis.from_url(server_environment(args)["REDIS_URL"]).flushdb()  # no cache left from another run
    save()
    try:
        with Gunicorn(args) as server:
            if not results["healthz"].get("start"):
                results["healthz"]["start"] = measure_healthz(server.port, args)
                save()
            say(f"/healthz p50 {ms(statistics.median(results['healthz']['start']))}")
            for role, _, email in ROLES:
                if role in args.roles:
                    say(f"Signing in as the {ROLE_LABELS[role]} ({email}) and following links")
                    crawl_role(role, email, server.port, args, results, save)
            results["healthz"]["end"] = measure_healthz(server.port, args)
            results["meta"]["load_end"] = f"{os.getloadavg()[0]:.2f}"
            save()
    except KeyboardInterrupt:
        save()
        say(f"Stopped; what was measured is in {results_path} (carry on with --resume)")
        return 130
    if not args.skip_monthly_run and not (args.resume and results.get("monthly_run")):
        extra = ["--sponsors", str(args.sponsors)]
        results["monthly_run"] = {
            "command": shlex.join(["python", "bench/bench_monthly_run.py", *extra]) + " on PostgreSQL",
            "output": run_script(args, "bench_monthly_run.py", *extra, database=f"{args.database}_monthly"),
        }
        save()
    if not args.skip_runchart and not (args.resume and results.get("runchart")):
        results["runchart"] = {
            "command": "python bench/bench_runchart.py",
            "output": run_script(args, "bench_runchart.py"),
        }
        save()
    block = markdown(results, args, compare)
    say("")
    say(block)
    if not args.no_docs:
        write_docs(args.docs, args.label, args.preset, block)
        say(f"Written to {args.docs} (block '{args.label} {args.preset}'); results in {results_path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        say(f"bench_pages: {error}")
        sys.exit(1)
