"""The line manager's approval means something: the applicant cannot approve themselves, and a lead
sees who was asked, can ask again, or can ask someone else (the old links then stop working)."""

import re
from datetime import date, time, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Application, Cohort
from cohorts.services.applications import (
    MANAGER_LINK_SALT,
    application_decide,
    application_from_manager_token,
    application_manager_reassign,
    application_manager_resend,
    application_manager_respond,
    application_manager_token,
    application_submit,
    mailbox,
)
from tests.factories import ApplicationFactory, CohortFactory, DirectorateFactory, UserFactory, london

NOW = london(date(2025, 9, 1), time(10))
A_WEEK_LATER = london(date(2025, 9, 8), time(10))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

OWN_ADDRESS = (
    "Your line manager's e-mail address cannot be one of your own addresses: your line manager approves "
    "your application, so the link must go to them, not to you."
)


@pytest.fixture
def cohort():
    return CohortFactory(number=11, status=Cohort.Status.OPEN)


@pytest.fixture
def applicant():
    """Asha signs in as asha@example.org and has added her NHS address to her account too."""
    asha = UserFactory(display_name="Asha Patel", email="asha@example.org")
    EmailAddress.objects.create(user=asha, email=asha.email, primary=True, verified=True)
    EmailAddress.objects.create(user=asha, email="Asha.Patel@nhs.net", primary=False, verified=False)
    return asha


@pytest.fixture
def lead(cohort):
    user = UserFactory(display_name="Cohort lead")
    cohort.leads.add(user)
    return user


def apply_data(directorate, **overrides) -> dict:
    data = {
        "directorate": directorate.pk,
        "role_title": "Charge nurse",
        "prerequisites_completed": ["Pocket QI"],
        "line_manager_name": "Morgan Lee",
        "line_manager_email": "morgan@example.org",
        "availability_confirmed": "on",
    }
    return {**data, **overrides}


def submit(cohort, applicant, *, email="morgan@example.org", name="Morgan Lee") -> Application:
    return application_submit(
        cohort=cohort,
        applicant=applicant,
        directorate=DirectorateFactory(),
        role_title="Charge nurse",
        line_manager_name=name,
        line_manager_email=email,
        availability_confirmed=True,
    )


def link_in(message) -> str:
    """The approval link's path in an e-mail's plain text, as the line manager would click it."""
    url = re.search(rf"{re.escape(settings.SITE_URL)}(/cohorts/applications/manager/[^/\s]+/)", message.body)
    return url.group(1)


def application_url(application: Application, name: str = "cohorts:application") -> str:
    return reverse(name, args=[application.cohort_id, application.pk])


# --- the finding: an applicant named themselves as line manager --------------------------------

# Every way of writing one of Asha's own addresses: her account's, another case, a "+tag"
# sub-address (delivered to the same mailbox), and the second address on her account.
ASHAS_ADDRESSES = [
    "asha@example.org",
    "ASHA@Example.Org",
    "asha+manager@example.org",
    "asha.patel@nhs.net",
    "asha.patel+approvals@NHS.net",
]


@pytest.mark.parametrize("own", ASHAS_ADDRESSES)
def test_apply_refuses_the_applicants_own_address_as_line_manager(
    client, cohort, applicant, mailoutbox, django_capture_on_commit_callbacks, own
):
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cohorts:apply", args=[cohort.pk]),
            apply_data(DirectorateFactory(), line_manager_email=own),
        )

    assert response.status_code == 400
    assert response.context["form"].errors == {"line_manager_email": [OWN_ADDRESS]}
    assert Application.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("own", ASHAS_ADDRESSES)
def test_application_submit_refuses_the_applicants_own_address_whatever_the_form_says(
    cohort, applicant, mailoutbox, django_capture_on_commit_callbacks, own
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        submit(cohort, applicant, email=own)

    assert refused.value.message_dict == {"line_manager_email": [OWN_ADDRESS]}
    assert Application.objects.count() == 0
    assert mailoutbox == []


def test_the_form_says_the_rule_before_anyone_breaks_it(client, cohort, applicant):
    client.force_login(applicant)

    response = client.get(reverse("cohorts:apply", args=[cohort.pk]))

    assert response.context["form"].fields["line_manager_email"].help_text == (
        "We e-mail your line manager a link to approve your application. "
        "It cannot be one of your own addresses."
    )


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        (" Asha@Example.ORG ", "asha@example.org"),
        ("asha+cohort11@example.org", "asha@example.org"),
        ("asha@example.org.", "asha@example.org"),
        ("ａｓｈａ@example.org", "asha@example.org"),  # full-width letters, NFKC-equal
        ("asha@bücher.example", "asha@xn--bcher-kva.example"),
    ],
)
def test_mailbox_compares_addresses_that_reach_the_same_inbox(written, same_as):
    assert mailbox(written) == mailbox(same_as)


def test_mailbox_keeps_different_people_apart():
    assert len({mailbox(a) for a in ["asha@example.org", "asha.p@example.org", "asha@example.com"]}) == 3


# --- other applicants as line managers -------------------------------------------------------------


def test_a_line_manager_may_apply_to_the_same_cohort(cohort, applicant):
    morgan = UserFactory(display_name="Morgan Lee", email="morgan@example.org")
    submit(cohort, morgan, email="sam.director@example.org", name="Sam Director")

    asha = submit(cohort, applicant, email="Morgan@example.org")

    assert (asha.line_manager_email, asha.status) == ("Morgan@example.org", Application.Status.SUBMITTED)


def test_two_applicants_cannot_name_each_other_as_line_manager(cohort, applicant):
    morgan = UserFactory(display_name="Morgan Lee", email="morgan@example.org")
    submit(cohort, applicant, email="morgan@example.org")

    with pytest.raises(ValidationError) as refused:
        submit(cohort, morgan, email="asha.patel@nhs.net", name="Asha Patel")

    assert refused.value.message_dict == {
        "line_manager_email": [
            "Your line manager's e-mail address cannot be the address of someone who named you as their line "
            "manager in Cohort 11: two applicants cannot approve each other's applications. If their choice "
            "is a mistake, please ask the programme team to correct it."
        ]
    }


def test_naming_each_other_in_different_cohorts_is_not_refused(cohort, applicant):
    # Line managers change between one year's cohort and the next.
    morgan = UserFactory(display_name="Morgan Lee", email="morgan@example.org")
    submit(CohortFactory(number=10, status=Cohort.Status.OPEN), morgan, email="asha@example.org")

    asha = submit(cohort, applicant, email="morgan@example.org")

    assert asha.status == Application.Status.SUBMITTED


def test_a_link_to_the_applicants_own_address_sent_before_the_rule_cannot_approve(client, cohort, applicant):
    application = ApplicationFactory(
        cohort=cohort, applicant=applicant, line_manager_email="asha@example.org"
    )

    response = client.post(
        reverse("cohorts:application_manager_respond", args=[application_manager_token(application)]),
        {"decision": "approve"},
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This link cannot approve the application: the address it was sent to belongs to the applicant, or "
        "to someone whose application they approve. Nothing has been changed; the programme team will ask "
        "the applicant's line manager."
    ]
    application.refresh_from_db()
    assert (application.status, application.manager_approved) == (Application.Status.SUBMITTED, None)


def test_lead_is_warned_about_an_application_that_names_the_applicant(client, cohort, applicant, lead):
    application = ApplicationFactory(cohort=cohort, applicant=applicant, line_manager_email="asha@nhs.net")
    EmailAddress.objects.create(user=applicant, email="asha@nhs.net")
    client.force_login(lead)

    response = client.get(application_url(application))

    assert response.context["problem"] == (
        "The line manager's e-mail address cannot be one of Asha Patel's own addresses: an applicant cannot "
        "approve their own application."
    )


# --- what the lead sees ------------------------------------------------------------------------


def test_lead_sees_who_approved_and_when(
    client, cohort, applicant, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(cohort, applicant)
    with time_machine.travel(london(date(2025, 9, 3), time(14, 5)), tick=False):
        client.post(link_in(mailoutbox[0]), {"decision": "approve"})
    client.force_login(lead)

    page = client.get(application_url(application))
    table = client.get(reverse("cohorts:applications", args=[cohort.pk]))

    assert page.status_code == 200
    shown = page.context["application"]
    assert (shown.line_manager_name, shown.line_manager_email, shown.manager_approved) == (
        "Morgan Lee",
        "morgan@example.org",
        True,
    )
    assert shown.manager_responded_at == london(date(2025, 9, 3), time(14, 5))
    assert page.context["awaiting"] is False
    assert '<span class="text-success">Approved 3 Sep 2025</span>' in page.content.decode()
    assert '<span class="text-success">Approved 3 Sep 2025</span>' in table.content.decode()
    assert "Send the request again" not in page.content.decode()


def test_lead_still_sees_the_approval_after_accepting(client, cohort, lead):
    application = ApplicationFactory(cohort=cohort, status=Application.Status.MANAGER_APPROVED)

    application_decide(application=application, decision=Application.Status.ACCEPTED, decided_by=lead)
    client.force_login(lead)

    page = client.get(application_url(application))

    assert '<span class="text-success">Approved 2 Sep 2025</span>' in page.content.decode()


def test_lead_sees_a_request_still_awaiting_since_when_and_how_often(client, cohort, applicant, lead):
    application = submit(cohort, applicant)
    with time_machine.travel(A_WEEK_LATER, tick=False):
        application_manager_resend(application=application, resent_by=lead)

    with time_machine.travel(london(date(2025, 9, 10), time(9)), tick=False):
        client.force_login(lead)
        page = client.get(application_url(application))

    content = page.content.decode()
    assert (page.context["awaiting"], page.context["link_expired"]) == (True, False)
    assert "Awaiting an answer since 1 Sep 2025 · asked 2 times" in content
    assert "Sent 8 Sep 2025, 10:00; it works until 22 Sep 2025" in content
    assert "Send the request again" in content


def test_lead_sees_that_the_latest_link_has_expired(client, cohort, applicant, lead):
    application = submit(cohort, applicant)

    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        client.force_login(lead)
        page = client.get(application_url(application))

    assert page.context["link_expired"] is True
    assert "Sent 1 Sep 2025, 10:00; it expired on 15 Sep 2025" in page.content.decode()


def test_the_table_links_each_application_to_its_page(client, cohort, lead):
    application = ApplicationFactory(cohort=cohort, applicant=UserFactory(display_name="Ben Clarke"))
    client.force_login(lead)

    table = client.get(reverse("cohorts:applications", args=[cohort.pk]))

    assert f'<a href="{application_url(application)}">Ben Clarke</a>' in table.content.decode()
    assert "Awaiting an answer since 1 Sep 2025 · asked 1 time" in table.content.decode()


# --- sending the request again -------------------------------------------------------------------


def test_resend_sends_the_same_manager_a_fresh_link(
    client, cohort, applicant, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(cohort, applicant)
    first_link = link_in(mailoutbox[0])

    with time_machine.travel(A_WEEK_LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.force_login(lead)
        response = client.post(
            application_url(application, "cohorts:application_manager_resend"), follow=True
        )

    assert response.redirect_chain == [(application_url(application), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "A new link has gone to Morgan Lee (morgan@example.org)."
    ]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["morgan@example.org"], f"Please approve Asha Patel's application to {cohort.programme}, Cohort 11"),
        (
            ["morgan@example.org"],
            f"Reminder: please approve Asha Patel's application to {cohort.programme}, Cohort 11",
        ),
    ]
    reminder = mailoutbox[1]
    assert "We first wrote to you about this on 1 Sep 2025; here is a new link" in reminder.body
    assert "The link works until 22 Sep 2025." in reminder.body
    application.refresh_from_db()
    assert (
        application.manager_times_asked,
        application.manager_asked_at,
        application.manager_last_asked_at,
    ) == (
        2,
        NOW,
        A_WEEK_LATER,
    )
    latest = application.history.order_by("-history_id").first()
    assert (latest.history_user, latest.manager_times_asked) == (lead, 2)
    # Day 18: the first link has expired, the new one works.
    with time_machine.travel(NOW + timedelta(days=18), tick=False):
        assert client.get(first_link).status_code == 410
        assert client.post(link_in(reminder), {"decision": "approve"}).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.MANAGER_APPROVED


def test_links_sent_before_resending_still_work_for_the_same_manager(
    client, cohort, applicant, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(cohort, applicant)
        application_manager_resend(application=application, resent_by=lead)

    response = client.post(link_in(mailoutbox[0]), {"decision": "decline"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.manager_approved) == (Application.Status.MANAGER_DECLINED, False)


def test_resend_is_refused_once_the_manager_has_answered(
    client, cohort, lead, mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(cohort=cohort, status=Application.Status.MANAGER_APPROVED)
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            application_url(application, "cohorts:application_manager_resend"), follow=True
        )

    assert [str(m) for m in response.context["messages"]] == [
        "This application is approved by line manager; it no longer needs a line manager's answer."
    ]
    assert mailoutbox == []
    application.refresh_from_db()
    assert application.manager_times_asked == 1


# --- asking someone else -------------------------------------------------------------------------


def test_reassign_asks_the_new_manager_and_the_old_links_stop_working(
    client, cohort, applicant, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(cohort, applicant)
    old_link = link_in(mailoutbox[0])

    with time_machine.travel(A_WEEK_LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.force_login(lead)
        response = client.post(
            application_url(application, "cohorts:application_manager_reassign"),
            {"line_manager_name": "Sam Shah", "line_manager_email": "sam.shah@example.org"},
            follow=True,
        )

    assert response.redirect_chain == [(application_url(application), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Sam Shah (sam.shah@example.org) has been asked to approve the application; "
        "the links sent to Morgan Lee no longer work."
    ]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["morgan@example.org"], f"Please approve Asha Patel's application to {cohort.programme}, Cohort 11"),
        (
            ["sam.shah@example.org"],
            f"Please approve Asha Patel's application to {cohort.programme}, Cohort 11",
        ),
    ]
    assert mailoutbox[1].body.startswith("Dear Sam Shah,")
    # Morgan's link now says what happened and changes nothing.
    client.logout()
    old_page = client.get(old_link)
    old_post = client.post(old_link, {"decision": "approve"})
    assert (old_page.status_code, old_post.status_code) == (410, 410)
    assert old_page.context["replaced"] is True
    assert "This link has been replaced" in old_page.content.decode()
    assert (
        "The programme team has asked someone else to approve this application" in old_page.content.decode()
    )
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    # Sam's link works.
    assert client.post(link_in(mailoutbox[1]), {"decision": "approve"}).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.manager_approved, application.line_manager_email) == (
        Application.Status.MANAGER_APPROVED,
        True,
        "sam.shah@example.org",
    )


def test_reassign_is_kept_in_the_history_and_shown_to_the_lead(client, cohort, applicant, lead):
    application = submit(cohort, applicant)
    application_manager_resend(application=application, resent_by=lead)
    with time_machine.travel(A_WEEK_LATER, tick=False):
        application_manager_reassign(
            application=application,
            line_manager_name="Sam Shah",
            line_manager_email="sam.shah@example.org",
            reassigned_by=lead,
        )
    client.force_login(lead)

    page = client.get(application_url(application))

    history = application.history.order_by("history_id")
    assert [
        (h.history_user, h.line_manager_email, h.manager_times_asked, h.manager_reassignments)
        for h in history
    ] == [
        (None, "morgan@example.org", 1, 0),
        (lead, "morgan@example.org", 2, 0),
        (lead, "sam.shah@example.org", 1, 1),
    ]
    assert [
        (m.name, m.email, m.times_asked, m.asked_at, m.replaced_at) for m in page.context["earlier_managers"]
    ] == [("Morgan Lee", "morgan@example.org", 2, NOW, A_WEEK_LATER)]
    assert "Awaiting an answer since 8 Sep 2025 · asked 1 time" in page.content.decode()


@pytest.mark.parametrize(
    ("email", "error"),
    [
        (
            "asha.patel@nhs.net",
            "The line manager's e-mail address cannot be one of Asha Patel's own addresses: an applicant "
            "cannot approve their own application.",
        ),
        (
            "MORGAN@example.org",
            "Morgan Lee was already asked at this address: send them the request again instead.",
        ),
    ],
)
def test_reassign_refuses_what_the_applicant_could_not_choose_either(
    client, cohort, applicant, lead, mailoutbox, django_capture_on_commit_callbacks, email, error
):
    application = submit(cohort, applicant)
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            application_url(application, "cohorts:application_manager_reassign"),
            {"line_manager_name": "Someone", "line_manager_email": email},
        )

    assert response.status_code == 400
    assert response.context["form"].errors == {"line_manager_email": [error]}
    assert mailoutbox == []
    application.refresh_from_db()
    assert (application.line_manager_email, application.manager_reassignments) == ("morgan@example.org", 0)


def test_application_manager_reassign_enforces_the_rule_without_the_form(cohort, applicant, lead):
    application = submit(cohort, applicant)

    with pytest.raises(ValidationError) as refused:
        application_manager_reassign(
            application=application,
            line_manager_name="Asha",
            line_manager_email="asha+boss@example.org",
            reassigned_by=lead,
        )

    assert list(refused.value.message_dict) == ["line_manager_email"]


def test_an_answer_through_a_link_read_before_the_reassignment_does_not_count(cohort, applicant, lead):
    application = submit(cohort, applicant)

    read_by_morgan = application_from_manager_token(application_manager_token(application))
    application_manager_reassign(
        application=application,
        line_manager_name="Sam Shah",
        line_manager_email="sam.shah@example.org",
        reassigned_by=lead,
    )

    with pytest.raises(ValidationError) as refused:
        application_manager_respond(application=read_by_morgan, approve=True)

    assert refused.value.messages == [
        "This link was sent to a previous line manager: the programme team has asked someone else to "
        "approve this application. Nothing has been changed."
    ]


def test_a_link_sent_before_links_were_numbered_still_works(client, cohort):
    application = ApplicationFactory(cohort=cohort)
    token = signing.dumps({"application": application.pk}, salt=MANAGER_LINK_SALT, compress=True)

    response = client.post(
        reverse("cohorts:application_manager_respond", args=[token]), {"decision": "approve"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.MANAGER_APPROVED


# --- what the database keeps true --------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        (
            {"manager_times_asked": 0, "manager_asked_at": None, "manager_last_asked_at": None},
            "application_awaiting_manager_was_asked",
        ),
        ({"manager_last_asked_at": NOW - timedelta(days=1)}, "application_manager_requests_consistent"),
        ({"manager_last_asked_at": None}, "application_manager_requests_consistent"),
        ({"status": Application.Status.MANAGER_APPROVED}, "application_manager_answer_matches_status"),
        (
            {"status": Application.Status.MANAGER_DECLINED, "manager_approved": True},
            "application_manager_answer_matches_status",
        ),
    ],
)
def test_the_database_refuses_a_request_that_does_not_add_up(change, constraint):
    application = ApplicationFactory(submitted_at=NOW)

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(**change)


# --- who may do it -----------------------------------------------------------------------------


def test_the_applicant_cannot_see_or_change_their_own_request(
    client, cohort, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    application = submit(cohort, applicant)
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(application_url(application))
        resend = client.post(application_url(application, "cohorts:application_manager_resend"))
        reassign = client.post(
            application_url(application, "cohorts:application_manager_reassign"),
            {"line_manager_name": "Friend", "line_manager_email": "friend@example.org"},
        )

    assert (page.status_code, resend.status_code, reassign.status_code) == (403, 403, 403)
    assert mailoutbox == []


def test_an_application_of_another_cohort_is_not_found_from_this_one(client, cohort, lead):
    elsewhere = ApplicationFactory()
    client.force_login(lead)

    response = client.get(reverse("cohorts:application", args=[cohort.pk, elsewhere.pk]))

    assert response.status_code == 404


# Session, user, the user's roles, cohort, the application, the applicant's addresses and the
# cohort's other applications (the line manager's check), the history.
QUERIES_FOR_APPLICATION = 9


@pytest.mark.parametrize("size", [1, 5])
def test_application_page_queries_do_not_grow_with_requests_and_applications(
    client, cohort, applicant, lead, size
):
    application = submit(cohort, applicant)
    for n in range(size):
        application_manager_resend(application=application, resent_by=lead)
        application_manager_reassign(
            application=application,
            line_manager_name=f"Manager {n}",
            line_manager_email=f"manager{n}@example.org",
            reassigned_by=lead,
        )
        ApplicationFactory(cohort=cohort)
        EmailAddress.objects.create(user=applicant, email=f"asha{n}@example.net")
    client.force_login(lead)
    url = application_url(application)
    client.get(url)  # warm the session

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["earlier_managers"]) == size
    assert len(queries) == QUERIES_FOR_APPLICATION
