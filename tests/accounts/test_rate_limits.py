"""Sign-in rate limits that keep working when Redis does not, and count each real client.

The limits (settings.ACCOUNT_RATE_LIMITS: 10 failures a minute per client address, 5 in five
minutes per account) live in the default cache. Two things must not follow from that: a
Redis outage must not stop everyone signing in, and behind the production reverse proxy
one person's mistakes must not lock out everybody else, whose requests all come from the
proxy's address.
"""

import logging
import re
import socket

import pytest

from tests.factories import PASSWORD
from tests.test_compose import _environment, _service
from tests.test_settings import load_settings, production

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # every request reaches gunicorn from the reverse proxy


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on leaving: nothing listens there


@pytest.fixture
def redis_down(settings):
    """The production cache settings, with REDIS_URL naming a Redis that does not answer."""
    caches = load_settings(**production(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0"))["caches"]
    settings.CACHES = {name: {**config, "KEY_PREFIX": "redis-down"} for name, config in caches.items()}


def _sign_in(client, email: str, password: str, client_address: str | None = None):
    headers = {"REMOTE_ADDR": PROXY}
    if client_address:
        # The proxy appends the address it saw to whatever the client sent.
        headers["HTTP_X_FORWARDED_FOR"] = client_address
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def test_signing_in_works_while_redis_is_down(client, redis_down, verified_user, caplog):
    with caplog.at_level(logging.WARNING, logger="coachprog.cache"):
        wrong = _sign_in(client, verified_user.email, "not-the-password")
        right = _sign_in(client, verified_user.email, PASSWORD)

    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {
        "__all__": ["The email address and/or password you specified are not correct."]
    }
    assert right.status_code == 302
    assert "_auth_user_id" in client.session
    assert "sign-in rate limits use the 'database' cache until it does" in caplog.text


def test_the_limits_still_count_while_redis_is_down(client, redis_down, verified_user):
    for _ in range(5):
        _sign_in(client, verified_user.email, "not-the-password")

    refused = _sign_in(client, verified_user.email, PASSWORD)

    assert refused.status_code == 200
    assert refused.context["form"].errors == {"__all__": ["Too many failed login attempts. Try again later."]}


@pytest.fixture
def production_proxy_count(settings):
    """The trusted proxy count that docker-compose's web service runs with."""
    # "${TRUSTED_PROXY_COUNT:-1}": what compose runs with when the operator sets nothing.
    count = re.fullmatch(
        r"\$\{TRUSTED_PROXY_COUNT:-(\d+)\}", _environment(_service("web"))["TRUSTED_PROXY_COUNT"]
    )[1]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = load_settings(**production(TRUSTED_PROXY_COUNT=count))[
        "ALLAUTH_TRUSTED_PROXY_COUNT"
    ]
    return settings.ALLAUTH_TRUSTED_PROXY_COUNT


def test_one_clients_failures_behind_the_proxy_do_not_lock_out_another(
    client, production_proxy_count, verified_user
):
    for attempt in range(12):
        _sign_in(client, f"nobody{attempt}@nhs.net", "guess", client_address="203.0.113.7")
    guesser_again = _sign_in(client, verified_user.email, PASSWORD, client_address="203.0.113.7")

    colleague = _sign_in(client, verified_user.email, PASSWORD, client_address="198.51.100.9")

    assert production_proxy_count == 1
    # The limit still stops the client who made the failures …
    assert guesser_again.status_code == 200
    assert guesser_again.context["form"].errors == {
        "__all__": ["Too many failed login attempts. Try again later."]
    }
    # … and only that client: the colleague behind the same proxy signs in.
    assert colleague.status_code == 302


def test_a_client_cannot_dodge_the_limit_by_sending_its_own_forwarded_for(
    client, production_proxy_count, verified_user
):
    for attempt in range(12):
        # A forged first entry changes nothing: the proxy's own entry is the last one.
        _sign_in(
            client, f"nobody{attempt}@nhs.net", "guess", client_address=f"192.0.2.{attempt}, 203.0.113.7"
        )

    again = _sign_in(client, verified_user.email, PASSWORD, client_address="192.0.2.99, 203.0.113.7")

    assert production_proxy_count == 1
    assert again.context["form"].errors == {"__all__": ["Too many failed login attempts. Try again later."]}
