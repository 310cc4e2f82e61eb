"""The real stack: gunicorn on PostgreSQL, a Celery worker and beat on Redis, and an SMTP server.

One test walks through the issue's story end to end:

1. beat triggers the monthly sponsor run and the session reminder scan (the stack settings
   make both fire every few seconds; see tests/stack/settings.py);
2. the worker is killed with SIGKILL while the SMTP server is accepting a monthly e-mail,
   then restarted while beat keeps ticking: every sponsor still has exactly one e-mail,
   with the right projects, and the reminder arrives once per person with a valid .ics;
   the message the worker died on is marked "delivery unknown" and is not sent again;
3. Redis is stopped; a programme lead still signs in (the rate limits fall back to the
   database cache) and cancels a session through gunicorn (the request succeeds), Redis
   is started again, and the cancellation notice arrives;
4. the lead, told on the outbox page that the interrupted message may have been
   delivered, chooses to send it again, and it arrives a second time (only then).

The test starts its own `redis-server` on a free port (so it can stop and start it without
touching the machine's Redis) and creates and drops its own PostgreSQL database,
`coachprog_stack`, on the server named by STACK_DATABASE_URL or DATABASE_URL. Without
PostgreSQL or redis-server it skips, or fails when CI is set (tests/backing_services.py).
"""

import asyncio
import contextlib
import email
import email.policy
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.backing_services import service_missing

pytestmark = pytest.mark.services

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
STACK_DB = "coachprog_stack"
INTERRUPTED_PREFIX = "The worker stopped while sending this message"


# --- the outside world: an SMTP server that records what it accepts -------------------------


class SmtpSink:
    """aiosmtpd handler: records each message when its data arrives, then (optionally) waits
    before saying 250, so a test can kill the client between "delivered" and "marked sent"."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def received(self, kind_prefix: str = "") -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m in self.messages if str(m["X-Coachprog-Message"]).strip().startswith(kind_prefix)]


# --- helpers ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(what: str, check, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.")


def _postgres_server_url() -> str:
    url = os.environ.get("STACK_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        service_missing(
            "The stack test needs PostgreSQL: set STACK_DATABASE_URL (or DATABASE_URL) to a "
            "postgres:// URL; it creates and drops its own database, coachprog_stack"
        )
    return url


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


class Processes:
    """Every process the test starts, each in its own process group, all stopped at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


class Browser:
    """A programme lead's browser: cookies, CSRF tokens, no redirects followed."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def _csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def request(self, path: str, data: dict | None = None, timeout: float = 20) -> tuple[int, str]:
        body = None
        headers = {}
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self._csrf(), **data}).encode()
            headers = {"Referer": self.base_url + path, "X-CSRFToken": self._csrf()}
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture
def stack_database():
    import psycopg2

    server = _postgres_server_url()
    admin_url = _with_database(server, "postgres")
    try:
        admin = psycopg2.connect(admin_url, connect_timeout=5)
    except psycopg2.OperationalError as error:
        service_missing(f"PostgreSQL at {server} does not answer: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {STACK_DB} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {STACK_DB}")
    url = _with_database(server, STACK_DB)
    yield url
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {STACK_DB} WITH (FORCE)")
    admin.close()


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def processes(tmp_path):
    running = Processes(tmp_path)
    yield running
    running.stop_all()


def _outbox(database_url: str) -> list[tuple[str, str, str, int]]:
    import psycopg2

    with psycopg2.connect(database_url, connect_timeout=5) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT key, status, last_error, id FROM outbox_message ORDER BY key")
        rows = cursor.fetchall()
    connection.close()
    return rows


def test_stack_sends_each_message_once_through_kills_and_a_redis_outage(
    stack_database, smtp_sink, processes, tmp_path
):
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        service_missing("The stack test needs the redis-server program (apt-get install redis-server)")
    sink, smtp_port = smtp_sink
    redis_port, web_port = _free_port(), _free_port()
    site = f"http://127.0.0.1:{web_port}"
    env = {
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "tests.stack.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": stack_database,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": site,
        "SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "INFO",
    }
    python = str(VENV_BIN / "python")
    redis_command = [
        redis_server,
        "--port",
        str(redis_port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    worker_command = [str(VENV_BIN / "celery"), "-A", "coachprog", "worker", "--loglevel", "INFO",
                      "--concurrency", "1", "--without-gossip", "--without-mingle",
                      "--without-heartbeat"]  # fmt: skip

    def redis_up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", redis_port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def worker_ready() -> bool:
        return processes.log("worker").count(" ready.") >= worker_starts

    # Database and data first, then the processes.
    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    seeded = subprocess.run([python, "-m", "tests.stack.scenario"], cwd=BASE_DIR, env=env, check=True,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    scenario = json.loads(seeded.stdout.strip().splitlines()[-1])

    processes.start("redis", redis_command, env)
    _wait_for("Redis", redis_up, timeout=10)
    processes.start(
        "web",
        [str(VENV_BIN / "gunicorn"), "coachprog.wsgi", "--bind", f"127.0.0.1:{web_port}", "--workers", "2",
         "--timeout", "30", "--no-control-socket"],
        env,
    )  # fmt: skip
    # Each message takes a second to be accepted: time enough to kill the worker mid-send.
    sink.delay = 1.0
    worker_starts = 1
    processes.start("worker", worker_command, env)
    _wait_for("the worker", worker_ready, timeout=30)
    processes.start("beat", [str(VENV_BIN / "celery"), "-A", "coachprog", "beat", "--loglevel", "INFO",
                             "--schedule", str(tmp_path / "beat-schedule")], env)  # fmt: skip

    # 1. Beat's monthly run reaches the SMTP server; kill the worker while it waits for the 250.
    _wait_for(
        "the first monthly e-mail", lambda: sink.received("sponsor-monthly:"), timeout=40, interval=0.05
    )
    processes.kill("worker")
    sink.delay = 0.0
    worker_starts = 2
    processes.start("worker", worker_command, env)
    _wait_for("the restarted worker", worker_ready, timeout=30)

    # 2. Beat keeps ticking (monthly run and reminder scan again); the sweep sends what is left.
    def settled():
        rows = _outbox(stack_database)
        expected = len(scenario["sponsors"]) + len(scenario["reminder"]["recipients"])
        done = [row for row in rows if row[1] in {"sent", "failed", "unknown"}]
        return rows if len(rows) == expected and len(done) == expected else None

    rows = _wait_for("every message to be sent or given up", settled, timeout=45, interval=0.5)
    time.sleep(4)  # two more beat ticks and sweeps: still nothing new

    monthly = sink.received("sponsor-monthly:")
    assert sorted(m["To"] for m in monthly) == sorted(scenario["sponsors"])  # exactly one each
    for message in monthly:
        body = message.get_body(("plain",)).get_content()
        listed = re.findall(r"^\* (.+?) \(", body, flags=re.MULTILINE)
        assert sorted(listed) == sorted(scenario["sponsors"][message["To"]])
        assert "Draft only" not in body
        assert str(message["List-Unsubscribe"]).strip().startswith(f"<{site}/notifications/unsubscribe/")
    # The message the worker died on was delivered but never marked sent: its delivery is
    # recorded as unknown, and it is not sent again.
    interrupted = [row for row in rows if row[1] == "unknown"]
    assert [row[0].split(":")[0] for row in interrupted] == ["sponsor-monthly"]
    assert interrupted[0][2].startswith(INTERRUPTED_PREFIX)
    assert not [row for row in rows if row[1] == "failed"]

    reminders = sink.received("session-reminder:7d:")
    assert sorted(m["To"] for m in reminders) == scenario["reminder"]["recipients"]
    for message in reminders:
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        (event,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
        assert str(event["uid"]) == scenario["reminder"]["uid"]
        assert event.decoded("dtstart") == datetime.fromisoformat(scenario["reminder"]["starts_at"])

    # 3. Redis goes down; the lead cancels a session through the web app; Redis comes back.
    browser = Browser(site)
    _wait_for("gunicorn", lambda: browser.request("/healthz")[0] == 200, timeout=20)
    browser.request("/accounts/login/")
    status, _ = browser.request("/accounts/login/", {"login": scenario["lead"]["email"],
                                                     "password": scenario["lead"]["password"]})  # fmt: skip
    assert status == 302, processes.log("web")[-3000:]
    processes.kill("redis")
    assert not redis_up()

    # Signing in still works: the rate limits count in the database cache, and the log says so.
    started = time.monotonic()
    second_browser = Browser(site)
    second_browser.request("/accounts/login/")
    credentials = {"login": scenario["lead"]["email"], "password": scenario["lead"]["password"]}
    status, _ = second_browser.request("/accounts/login/", credentials)
    assert status == 302, processes.log("web")[-3000:]
    assert time.monotonic() - started < 10
    assert second_browser.request("/outbox/")[0] == 200
    assert "sign-in rate limits use the 'database' cache" in processes.log("web")

    started = time.monotonic()
    status, _ = browser.request(scenario["cancel_path"], {})
    assert status == 302, processes.log("web")[-3000:]  # the lead's request succeeds, and quickly
    assert time.monotonic() - started < 5
    change_rows = [row for row in _outbox(stack_database) if row[0].startswith("session-change:")]
    assert [row[1] for row in change_rows] == ["pending"]

    processes.start("redis", redis_command, env)
    _wait_for("Redis again", redis_up, timeout=10)
    notices = _wait_for("the cancellation notice", lambda: sink.received("session-change:"), timeout=45)
    assert [m["To"] for m in notices] == [scenario["cancel_recipient"]]
    assert notices[0]["Subject"].startswith("Cancelled: Workshop Day 3")
    time.sleep(3)
    assert len(sink.received("session-change:")) == 1

    # 4. The outbox page tells the lead; the lead chooses to send the interrupted message again.
    status, page = browser.request("/outbox/")
    assert status == 200
    assert "1 message may have been delivered." in page
    interrupted_key, _, _, interrupted_id = interrupted[0]
    status, _ = browser.request(f"/outbox/{interrupted_id}/resend/", {})
    assert status == 302
    _wait_for(
        "the message sent again",
        lambda: [row for row in _outbox(stack_database) if row[0] == interrupted_key and row[1] == "sent"],
        timeout=30,
    )
    sent = Counter(str(m["X-Coachprog-Message"]).strip() for m in sink.received())
    assert sent.pop(interrupted_key) == 2  # once when the worker died, once when the lead chose
    assert set(sent.values()) == {1}
