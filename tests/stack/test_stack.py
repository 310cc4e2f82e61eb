"""The real stack, scaled out: two gunicorn instances on PostgreSQL (as two hosts behind the
proxy would run), two Celery workers and one beat on Redis, and an SMTP server.

One test walks through the issue's story end to end, with both web instances and both
workers sharing one database and one Redis throughout:

1. beat triggers the monthly sponsor run and the session reminder scan (the stack settings
   make both fire every few seconds; see tests/stack/settings.py), and both workers send;
2. the worker that is sending a monthly e-mail is killed with SIGKILL while the SMTP server
   is accepting it, then restarted while beat keeps ticking and the other worker keeps
   sending: every sponsor still has exactly one e-mail, with the right projects, and the
   reminder arrives once per person with a valid .ics; the message the worker died on is
   marked "delivery unknown" and is not sent again;
3. a programme lead signs in on one web instance and is signed in on the other (sessions
   are in the database, not in a process); Redis is stopped; a second sign-in still works
   (the rate limits fall back to the database cache), and the lead cancels a session
   through the other instance (the request succeeds); Redis is started again, and the
   cancellation notice arrives;
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
    before saying 250, so a test can kill the client between "delivered" and "marked sent".
    It also notes the client's port for each message, to tell which process is sending it."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.client_ports: dict[str, int] = {}  # by X-Coachprog-Message, the first time it came
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append(message)
            self.client_ports.setdefault(str(message["X-Coachprog-Message"]).strip(), session.peer[1])
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


def _process_connected(local_port: int, remote_port: int) -> int:
    """The process holding the IPv4 TCP connection from local_port to remote_port, as `ss -tnp` says."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        ports = (int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16))
        if ports == (local_port, remote_port):
            inodes.add(f"socket:[{fields[9]}]")
    for descriptor in Path("/proc").glob("[0-9]*/fd/*"):
        with contextlib.suppress(OSError):  # a process or descriptor that has just gone
            if os.readlink(descriptor) in inodes:
                return int(descriptor.parts[2])
    pytest.fail(f"No process holds a TCP connection from port {local_port} to port {remote_port}.")


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

    def name_of(self, pid: int) -> str:
        """Which of the processes started here this one belongs to (each leads its own group)."""
        group = os.getpgid(pid)
        return next(name for name, process in self.running.items() if process.pid == group)

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
    """A programme lead's browser: cookies, CSRF tokens, no redirects followed. Each request
    names the web instance it goes to, as a proxy in front of several would choose; the
    cookies are the same for all of them (cookies for 127.0.0.1 do not depend on the port)."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def _csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def request(self, web: str, path: str, data: dict | None = None, timeout: float = 20) -> tuple[int, str]:
        body = None
        headers = {}
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self._csrf(), **data}).encode()
            headers = {"Referer": web + path, "X-CSRFToken": self._csrf()}
        request = urllib.request.Request(web + path, data=body, headers=headers)
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
    redis_port = _free_port()
    # Two web instances on their own ports, as on two hosts; the first one's address stands in
    # for the proxy's public address in e-mailed links.
    web_a, web_b = (f"http://127.0.0.1:{_free_port()}" for _ in range(2))
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
        "SITE_URL": web_a,
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

    def worker_command(name: str) -> list[str]:
        return [str(VENV_BIN / "celery"), "-A", "coachprog", "worker", "-n", f"{name}@%h", "--loglevel",
                "INFO", "--concurrency", "1", "--without-gossip", "--without-mingle",
                "--without-heartbeat"]  # fmt: skip

    def redis_up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", redis_port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    worker_starts = {"worker1": 1, "worker2": 1}

    def workers_ready() -> bool:
        return all(processes.log(name).count(" ready.") >= starts for name, starts in worker_starts.items())

    # Database and data first, then the processes.
    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    seeded = subprocess.run([python, "-m", "tests.stack.scenario"], cwd=BASE_DIR, env=env, check=True,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    scenario = json.loads(seeded.stdout.strip().splitlines()[-1])

    processes.start("redis", redis_command, env)
    _wait_for("Redis", redis_up, timeout=10)
    for name, web in [("web_a", web_a), ("web_b", web_b)]:
        processes.start(
            name,
            [str(VENV_BIN / "gunicorn"), "coachprog.wsgi", "--bind", web.removeprefix("http://"), "--workers",
             "2", "--timeout", "30", "--no-control-socket"],
            env,
        )  # fmt: skip
    # Each message takes a second to be accepted: time enough to kill a worker mid-send.
    sink.delay = 1.0
    for name in worker_starts:
        processes.start(name, worker_command(name), env)
    _wait_for("both workers", workers_ready, timeout=30)
    processes.start("beat", [str(VENV_BIN / "celery"), "-A", "coachprog", "beat", "--loglevel", "INFO",
                             "--schedule", str(tmp_path / "beat-schedule")], env)  # fmt: skip

    # 1. Beat's monthly run reaches the SMTP server; kill the worker that is sending that message
    # while it waits for the 250, and only that one: the other keeps sending.
    first_monthly = _wait_for(
        "the first monthly e-mail", lambda: sink.received("sponsor-monthly:"), timeout=40, interval=0.05
    )[0]
    first_key = str(first_monthly["X-Coachprog-Message"]).strip()
    killed = processes.name_of(_process_connected(sink.client_ports[first_key], smtp_port))
    assert killed in worker_starts
    processes.kill(killed)
    sink.delay = 0.0
    worker_starts[killed] += 1
    processes.start(killed, worker_command(killed), env)
    _wait_for("the restarted worker", workers_ready, timeout=30)

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
        assert str(message["List-Unsubscribe"]).strip().startswith(f"<{web_a}/notifications/unsubscribe/")
    # The message the worker died on was delivered but never marked sent: its delivery is
    # recorded as unknown, and it is not sent again.
    interrupted = [row for row in rows if row[1] == "unknown"]
    assert [row[0] for row in interrupted] == [first_key]
    assert interrupted[0][2].startswith(INTERRUPTED_PREFIX)
    assert not [row for row in rows if row[1] == "failed"]
    # Both workers took messages from the one Redis.
    for name in worker_starts:
        assert re.search(r"Task outbox\.send\[[0-9a-f-]+\] received", processes.log(name)), name

    reminders = sink.received("session-reminder:7d:")
    assert sorted(m["To"] for m in reminders) == scenario["reminder"]["recipients"]
    for message in reminders:
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        (event,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
        assert str(event["uid"]) == scenario["reminder"]["uid"]
        assert event.decoded("dtstart") == datetime.fromisoformat(scenario["reminder"]["starts_at"])

    # 3. The lead signs in on one web instance and is signed in on the other: the session is
    # in the database, which both share.
    browser = Browser()
    for web in (web_a, web_b):
        _wait_for("gunicorn", lambda web=web: browser.request(web, "/healthz")[0] == 200, timeout=20)
    credentials = {"login": scenario["lead"]["email"], "password": scenario["lead"]["password"]}
    browser.request(web_a, "/accounts/login/")
    status, _ = browser.request(web_a, "/accounts/login/", credentials)
    assert status == 302, processes.log("web_a")[-3000:]
    assert browser.request(web_b, "/outbox/")[0] == 200

    # Redis goes down; the lead cancels a session through the web app; Redis comes back.
    processes.kill("redis")
    assert not redis_up()

    # Signing in still works: the rate limits count in the database cache, and the log says so.
    started = time.monotonic()
    second_browser = Browser()
    second_browser.request(web_b, "/accounts/login/")
    status, _ = second_browser.request(web_b, "/accounts/login/", credentials)
    assert status == 302, processes.log("web_b")[-3000:]
    assert time.monotonic() - started < 10
    assert second_browser.request(web_a, "/outbox/")[0] == 200
    assert "sign-in rate limits use the 'database' cache" in processes.log("web_b")

    started = time.monotonic()
    status, _ = browser.request(web_b, scenario["cancel_path"], {})
    assert status == 302, processes.log("web_b")[-3000:]  # the lead's request succeeds, and quickly
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
    status, page = browser.request(web_a, "/outbox/")
    assert status == 200
    assert "1 message may have been delivered." in page
    interrupted_key, _, _, interrupted_id = interrupted[0]
    status, _ = browser.request(web_b, f"/outbox/{interrupted_id}/resend/", {})
    assert status == 302
    _wait_for(
        "the message sent again",
        lambda: [row for row in _outbox(stack_database) if row[0] == interrupted_key and row[1] == "sent"],
        timeout=30,
    )
    sent = Counter(str(m["X-Coachprog-Message"]).strip() for m in sink.received())
    assert sent.pop(interrupted_key) == 2  # once when the worker died, once when the lead chose
    assert set(sent.values()) == {1}
