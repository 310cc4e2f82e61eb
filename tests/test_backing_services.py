"""The app against real PostgreSQL and Redis, when the environment points at them.

Without DATABASE_URL/REDIS_URL these tests skip with the reason; with CI set they
fail instead (tests/backing_services.py).
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from tests.backing_services import require_postgresql, require_redis

BASE_DIR = Path(__file__).resolve().parent.parent
# A queue of its own, so a developer's running `make worker` never takes the test's task.
TEST_QUEUE = "coachprog-services-test"

pytestmark = pytest.mark.services


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture
def postgresql() -> None:
    require_postgresql()


def test_postgresql_connection_is_postgresql(postgresql, db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()

    assert connection.vendor == "postgresql"
    assert version.startswith("PostgreSQL ")


def test_redis_answers_ping(redis_url):
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)

    assert client.ping() is True


def test_redis_cache_round_trip(redis_url):
    cache = caches["default"]
    key = f"coachprog-test-{uuid.uuid4().hex}"

    cache.set(key, {"answer": 42}, timeout=30)
    try:
        value = cache.get(key)
        # Read past the fallback: the value is in Redis itself, not in the database cache.
        in_redis = RedisCache.get(cache, key)
    finally:
        cache.delete(key)

    assert type(cache).__name__ == "FallbackRedisCache"
    assert value == in_redis == {"answer": 42}


def _wait_for_worker(client: Celery, hostname: str, worker: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited early:\n{log_path.read_text()}", pytrace=False)
        if client.control.ping(destination=[hostname], timeout=1):
            return
    pytest.fail(
        f"The Celery worker did not answer a ping within 30 seconds:\n{log_path.read_text()}", pytrace=False
    )


def test_celery_worker_runs_a_task_through_redis(redis_url):
    hostname = f"services-test-{uuid.uuid4().hex[:8]}@localhost"
    token = uuid.uuid4().hex
    # The app keeps no task results; the test worker and client store this one result in Redis.
    command = [
        sys.executable, "-m", "celery", "-A", "coachprog", "--result-backend", redis_url,
        "worker", "--pool", "solo", "--hostname", hostname, "--queues", TEST_QUEUE,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    client = Celery("coachprog-services-test", broker=redis_url, backend=redis_url)

    with tempfile.TemporaryDirectory() as log_dir:
        log_path = Path(log_dir) / "worker.log"
        with log_path.open("w") as log:
            worker = subprocess.Popen(
                command, cwd=BASE_DIR, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
            )
        try:
            _wait_for_worker(client, hostname, worker, log_path)
            # celery.accumulate is built in: it returns its arguments.
            result = client.send_task(
                "celery.accumulate", args=[token], queue=TEST_QUEUE, ignore_result=False
            )
            value = result.get(timeout=30)
            result.forget()
        finally:
            worker.terminate()  # SIGTERM: a warm shutdown
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            client.close()

    assert value == [token]
    assert worker.returncode == 0
