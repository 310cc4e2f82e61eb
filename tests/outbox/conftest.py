import pytest

from coachprog.celery import app


@pytest.fixture
def fake_smtp(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.outbox.backends.FakeSmtpBackend"
    return mailoutbox


@pytest.fixture
def broker_down():
    """Celery publishes to a Redis port where nothing listens; call the fixture's value to bring it back."""
    saved = app.conf.task_always_eager, app.conf.broker_url

    def back() -> None:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _forget_connections()

    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _forget_connections()
    yield back
    back()


def _forget_connections() -> None:
    """Celery caches its connection pools; drop them so the new broker URL is used."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _test_template(settings, tmp_path):
    """A throwaway e-mail (three templates) so these tests do not depend on product wording."""
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "outbox_test_subject.txt").write_text("Hello {{ name }}")
    (emails / "outbox_test_body.txt").write_text(
        "Dear {{ name }}, this is a test."
        "{% if unsubscribe_url %} Unsubscribe: {{ unsubscribe_url }}{% endif %}"
    )
    (emails / "outbox_test_body.html").write_text("<p>Dear {{ name }}</p>")
    (emails / "outbox_broken_subject.txt").write_text("{% if %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
