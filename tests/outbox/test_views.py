"""The notifications page, and the outbox status page for programme leads."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachprog.outbox.models import Message
from coachprog.outbox.services import INTERRUPTED
from tests.factories import MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

STATUS = Message.Status


def _queries(client, path: str) -> int:
    client.get(path)  # warm whatever the site caches per request (e.g. in Redis), then count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def test_notifications_lists_what_was_sent_to_me_newest_first(client):
    me = UserFactory()
    MessageFactory(recipient=me, subject="Older")
    MessageFactory(recipient=me, subject="Newer")
    MessageFactory(recipient=me, subject="Still queued", status=STATUS.PENDING, sent_at=None)
    client.force_login(me)

    response = client.get("/notifications/")

    assert [m.subject for m in response.context["page"].object_list] == ["Newer", "Older"]


def test_notification_shows_the_text_to_its_recipient_only(client):
    me, other = UserFactory(), UserFactory()
    message = MessageFactory(recipient=me, text="Your session is tomorrow.")

    client.force_login(me)
    assert "Your session is tomorrow." in client.get(f"/notifications/{message.pk}/").content.decode()
    client.force_login(other)
    assert client.get(f"/notifications/{message.pk}/").status_code == 404


def test_notifications_page_queries_do_not_grow_with_messages(client):
    me = UserFactory()
    client.force_login(me)
    MessageFactory(recipient=me)
    small = _queries(client, "/notifications/")
    MessageFactory.create_batch(6, recipient=me)

    assert _queries(client, "/notifications/") == small


def test_outbox_status_shows_failures_with_their_reason_to_a_lead(lead_client):
    MessageFactory(status=STATUS.FAILED, sent_at=None, last_error="SMTPRecipientsRefused: 550 No such user")
    MessageFactory(subject="Fine")

    response = lead_client.get("/outbox/?status=failed")

    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [m.last_error for m in rows] == ["SMTPRecipientsRefused: 550 No such user"]
    assert ("failed", "Failed", 1) in response.context["totals"]
    assert "550 No such user" in response.content.decode()


def test_outbox_status_tells_a_lead_which_messages_may_have_been_delivered(lead_client):
    MessageFactory(status=STATUS.UNKNOWN, sent_at=None, subject="Monthly update", last_error=INTERRUPTED)
    MessageFactory(subject="Fine")

    response = lead_client.get("/outbox/")

    page = response.content.decode()
    assert response.context["unknown_count"] == 1
    assert ("unknown", "Delivery unknown", 1) in response.context["totals"]
    assert "1 message may have been delivered." in page
    assert "May have been delivered: they may get it twice." in page
    assert page.count("Send again") == 1


def test_outbox_status_filters_by_kind(lead_client):
    MessageFactory(kind=Message.Kind.SPONSOR_UPDATE, subject="Monthly")
    MessageFactory(kind=Message.Kind.GENERAL, subject="Accepted")

    response = lead_client.get("/outbox/?kind=sponsor_update")

    assert [m.subject for m in response.context["page"].object_list] == ["Monthly"]


def test_outbox_status_is_paginated(lead_client):
    MessageFactory.create_batch(30)

    response = lead_client.get("/outbox/?page=2")

    assert len(response.context["page"].object_list) == 5


@pytest.mark.parametrize("who", ["coach", "sponsor", "qi_lead", "unrelated_user"])
def test_outbox_status_is_for_programme_leads_only(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get("/outbox/").status_code == 403
    assert (
        client.post(f"/outbox/{MessageFactory(status=STATUS.FAILED, sent_at=None).pk}/resend/").status_code
        == 403
    )


def test_outbox_status_queries_do_not_grow_with_messages(lead_client):
    MessageFactory(status=STATUS.FAILED, sent_at=None, last_error="x")
    small = _queries(lead_client, "/outbox/")
    MessageFactory.create_batch(6, status=STATUS.FAILED, sent_at=None, last_error="x")
    MessageFactory.create_batch(6, recipient=None, to_address="manager@example.org")

    assert _queries(lead_client, "/outbox/") == small


def test_lead_sends_a_failed_message_again_from_the_status_page(
    lead_client, mailoutbox, django_capture_on_commit_callbacks
):
    message = MessageFactory(status=STATUS.FAILED, sent_at=None, last_error="Timed out")

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/outbox/{message.pk}/resend/")

    assert response.status_code == 302
    assert Message.objects.get(pk=message.pk).status == STATUS.SENT
    assert [m.subject for m in mailoutbox] == [message.subject]


def test_navigation_links_to_notifications_and_for_leads_the_outbox(lead_client, client, coach):
    lead_links = [item["label"] for item in lead_client.get("/notifications/").context["nav_items"]]
    client.force_login(coach)
    coach_links = [item["label"] for item in client.get("/notifications/").context["nav_items"]]

    assert {"Notifications", "Outbox"} <= set(lead_links)
    assert "Notifications" in coach_links
    assert "Outbox" not in coach_links
