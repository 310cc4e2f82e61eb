"""Applications that follow the programme's rules (issue 12, item 7).

A place needs the line manager's approval and every prerequisite course: accepting an
application without them is an explicit override with a reason, kept with the decision and
in its history. A full cohort takes applications straight onto its wait-list, says so before
anyone applies, and keeps the wait-list in order. The applicant's own page says honestly
where each application stands.
"""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coachprog.accounts.services import programme_lead_add
from cohorts.models import Application, Cohort, Enrolment
from cohorts.services.applications import (
    application_decide,
    application_manager_respond,
    application_submit,
    application_unmet_rules,
    enrolment_withdraw,
    waitlist,
)
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    DirectorateFactory,
    EnrolmentFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 9, 1), time(10))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

ACCEPTED = Application.Status.ACCEPTED
NO_ANSWER = "No answer from the line manager (Morgan Lee)"
MISSING_ILP = "Prerequisite not completed: Improvement Leaders Programme"
NEEDS_A_REASON = (
    "Not accepted: the application does not meet the programme's rules "
    f"({NO_ANSWER}; {MISSING_ILP}). "
    "To accept it anyway, tick “Accept although it does not meet the rules” and give the reason."
)


@pytest.fixture
def cohort():
    return CohortFactory(number=11, status=Cohort.Status.OPEN, capacity=2)


@pytest.fixture
def lead(cohort):
    user = UserFactory(display_name="Lena Lead")
    cohort.leads.add(user)
    return user


def unanswered(cohort, name="Mo Khan", **extra) -> Application:
    """Mo's manager has not answered, and Mo ticked Pocket QI only."""
    return ApplicationFactory(
        cohort=cohort,
        applicant=UserFactory(display_name=name),
        line_manager_name="Morgan Lee",
        prerequisites_completed=["Pocket QI"],
        **extra,
    )


def apply(cohort, applicant=None) -> Application:
    return application_submit(
        cohort=cohort,
        applicant=applicant or UserFactory(display_name="Asha Patel", email="asha@example.org"),
        directorate=DirectorateFactory(),
        role_title="Charge nurse",
        line_manager_name="Morgan Lee",
        line_manager_email="morgan@example.org",
        availability_confirmed=True,
        prerequisites_completed=["Pocket QI", "Improvement Leaders Programme"],
    )


def page(client, application, name="cohorts:application") -> str:
    return reverse(name, args=[application.cohort_id, application.pk])


# --- the defect: accepting without the manager's answer or the prerequisites -------------------


def test_accepting_an_application_whose_line_manager_never_answered_needs_a_reason(cohort, lead):
    application = unanswered(cohort)

    with pytest.raises(ValidationError) as refused:
        application_decide(application=application, decision=ACCEPTED, decided_by=lead)

    assert refused.value.message_dict == {"override_reason": [NEEDS_A_REASON]}
    application.refresh_from_db()
    assert (application.status, application.decided_by, Enrolment.objects.count()) == (
        Application.Status.SUBMITTED,
        None,
        0,
    )


def test_accepting_an_application_missing_a_prerequisite_needs_a_reason(cohort, lead):
    application = ApplicationFactory(
        cohort=cohort, status=Application.Status.MANAGER_APPROVED, prerequisites_completed=["Pocket QI"]
    )

    with pytest.raises(ValidationError) as refused:
        application_decide(application=application, decision=ACCEPTED, decided_by=lead)

    assert refused.value.messages == [
        f"Not accepted: the application does not meet the programme's rules ({MISSING_ILP}). "
        "To accept it anyway, tick “Accept although it does not meet the rules” and give the reason."
    ]
    assert Enrolment.objects.count() == 0


def test_an_application_the_manager_declined_is_accepted_only_with_a_reason(cohort, lead):
    application = ApplicationFactory(
        cohort=cohort, status=Application.Status.MANAGER_DECLINED, line_manager_name="Morgan Lee"
    )

    assert application_unmet_rules(application) == ["Declined by the line manager (Morgan Lee, 2 Sep 2025)"]
    with pytest.raises(ValidationError):
        application_decide(application=application, decision=ACCEPTED, decided_by=lead)
    application_decide(
        application=application, decision=ACCEPTED, decided_by=lead, override_reason="Manager now agrees"
    )

    application.refresh_from_db()
    assert (application.status, application.override_reason) == (ACCEPTED, "Manager now agrees")


def test_an_application_that_meets_the_rules_is_accepted_without_a_reason(cohort, lead):
    application = ApplicationFactory(cohort=cohort, status=Application.Status.MANAGER_APPROVED)

    application_decide(
        application=application, decision=ACCEPTED, decided_by=lead, override_reason="Not needed"
    )

    application.refresh_from_db()
    assert (application.status, application.override_unmet, application.override_reason) == (ACCEPTED, "", "")


def test_accepting_with_a_reason_keeps_what_was_lacking_and_why_in_the_history(cohort, lead):
    application = unanswered(cohort)

    application_decide(
        application=application, decision=ACCEPTED, decided_by=lead, override_reason="  Confirmed by phone  "
    )

    application.refresh_from_db()
    assert (application.status, application.override_unmet_rules, application.override_reason) == (
        ACCEPTED,
        [NO_ANSWER, MISSING_ILP],
        "Confirmed by phone",
    )
    latest = application.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.override_unmet, latest.override_reason, latest.history_user) == (
        ACCEPTED,
        f"{NO_ANSWER}\n{MISSING_ILP}",
        "Confirmed by phone",
        lead,
    )
    assert Enrolment.objects.get().participant == application.applicant


def test_a_full_cohort_refuses_to_accept_even_with_a_reason(cohort, lead):
    EnrolmentFactory.create_batch(2, cohort=cohort)

    with pytest.raises(ValidationError) as refused:
        application_decide(
            application=unanswered(cohort), decision=ACCEPTED, decided_by=lead, override_reason="Yes"
        )

    assert refused.value.messages == ["Cohort 11 is full (2 places); wait-list the applicant instead."]


def test_the_history_page_shows_the_override_and_who_made_it(client, cohort, lead):
    application = unanswered(cohort)
    application_decide(
        application=application, decision=ACCEPTED, decided_by=lead, override_reason="By phone"
    )
    programme_lead_add(user=lead)
    client.force_login(lead)

    response = client.get(reverse("object_history", args=["cohorts.application", application.pk]))

    content = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Reason for accepting anyway" in content
    assert "By phone" in content
    assert "Lena Lead" in content


def test_the_database_refuses_an_override_without_a_reason(cohort):
    application = ApplicationFactory(cohort=cohort, status=ACCEPTED)

    with pytest.raises(IntegrityError, match="application_override_has_a_reason"), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(override_unmet=NO_ANSWER)


# --- the lead's page for one application -----------------------------------------------------------


def test_application_page_says_what_the_application_lacks_before_the_lead_decides(client, cohort, lead):
    application = unanswered(cohort)
    client.force_login(lead)

    response = client.get(page(client, application))

    content = response.content.decode()
    assert response.context["unmet"] == [NO_ANSWER, MISSING_ILP]
    assert f"<li>{NO_ANSWER}</li><li>{MISSING_ILP}</li>" in content
    assert "Pocket QI: completed" in content
    assert "Improvement Leaders Programme: <strong>not completed</strong>" in content
    assert 'name="override_reason"' in content


def test_application_page_shows_everything_the_applicant_wrote(client, cohort, lead):
    application = ApplicationFactory(
        cohort=cohort,
        status=Application.Status.MANAGER_APPROVED,
        applicant=UserFactory(display_name="Zoe Turner", email="zoe@example.org"),
        directorate=DirectorateFactory(name="Community Health Newham"),
        role_title="Peer support worker",
        is_service_user_or_carer=True,
        people_participation_lead="Maria Lopez",
        line_manager_name="Sam Shah",
        line_manager_email="sam@example.org",
    )
    client.force_login(lead)

    content = client.get(page(client, application)).content.decode()

    for shown in [
        "zoe@example.org",
        "Community Health Newham",
        "Peer support worker",
        "Yes (PPL: Maria Lopez)",
        "Sam Shah",
        "sam@example.org",
        "Yes: at least one induction and every workshop and action learning set",
        "1 Sep 2025, 10:00",
        "Pocket QI: completed",
        "Improvement Leaders Programme: completed",
    ]:
        assert shown in content, shown
    # It meets the rules, so no override is offered.
    assert 'id="unmet-rules"' not in content
    assert 'name="override_reason"' not in content


def test_lead_accepts_from_the_application_page_with_a_reason_and_the_page_shows_it(
    client, cohort, lead, mailoutbox, django_capture_on_commit_callbacks
):
    application = unanswered(cohort)
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page(client, application, "cohorts:application_decide"),
            {"decision": "accepted", "override": "on", "override_reason": "Manager confirmed by phone"},
            follow=True,
        )

    assert response.redirect_chain == [(page(client, application), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Mo Khan is accepted and enrolled in Cohort 11, and has been told by e-mail. "
        "The reason for accepting anyway is kept with the decision."
    ]
    content = response.content.decode()
    assert f"Without: {NO_ANSWER}; {MISSING_ILP}." in content
    assert "Reason: “Manager confirmed by phone”" in content
    assert response.context["decision_form"] is None
    assert [m.subject for m in mailoutbox] == [f"You have a place on {cohort.programme}, Cohort 11"]


def test_lead_accepting_without_a_reason_is_told_what_is_missing_and_nothing_changes(client, cohort, lead):
    application = unanswered(cohort)
    client.force_login(lead)

    response = client.post(page(client, application, "cohorts:application_decide"), {"decision": "accepted"})

    assert response.status_code == 400
    assert response.context["decision_form"].errors == {"override_reason": [NEEDS_A_REASON]}
    application.refresh_from_db()
    assert (application.status, Enrolment.objects.count()) == (Application.Status.SUBMITTED, 0)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"decision": "accepted", "override": "on", "override_reason": "  "},
            {
                "override_reason": [
                    "Please give the reason for accepting an application that does not meet the rules."
                ]
            },
        ),
        (
            {"decision": "accepted", "override_reason": "By phone"},
            {
                "override": [
                    "You gave a reason: tick “Accept although it does not meet the rules” to accept with it, "
                    "or clear the reason."
                ]
            },
        ),
        (
            {"decision": "declined", "override": "on", "override_reason": "By phone"},
            {"override": ["The override is for accepting: untick it to wait-list or decline."]},
        ),
        ({}, {"decision": ["Please choose a decision."]}),
    ],
    ids=["tick without a reason", "reason without the tick", "override to decline", "no decision"],
)
def test_the_decision_form_explains_each_override_rule(client, cohort, lead, data, errors):
    application = unanswered(cohort)
    client.force_login(lead)

    response = client.post(page(client, application, "cohorts:application_decide"), data)

    assert (response.status_code, response.context["decision_form"].errors) == (400, errors)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_a_decided_application_offers_no_decision(client, cohort, lead):
    application = ApplicationFactory(cohort=cohort, status=Application.Status.DECLINED, decided_by=lead)
    client.force_login(lead)

    response = client.post(
        page(client, application, "cohorts:application_decide"), {"decision": "accepted"}, follow=True
    )

    assert response.redirect_chain == [(page(client, application), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "This application is declined; it is not awaiting a decision."
    ]
    assert response.context["decision_form"] is None
    assert Enrolment.objects.count() == 0


# --- the applications table ----------------------------------------------------------------------


def test_applications_table_shows_missing_prerequisites_and_manager_answers_at_a_glance(client, cohort, lead):
    unanswered(cohort)
    ApplicationFactory(cohort=cohort, status=Application.Status.MANAGER_APPROVED)
    client.force_login(lead)

    response = client.get(reverse("cohorts:applications", args=[cohort.pk]))

    content = response.content.decode()
    assert [unmet for _, _, unmet in response.context["rows"]] == [[NO_ANSWER, MISSING_ILP], []]
    assert '<span class="badge text-bg-warning">Not completed</span> Improvement Leaders Programme' in content
    assert (
        '<span class="badge text-bg-warning">No answer yet</span> Awaiting an answer since 1 Sep 2025'
        in content
    )
    assert content.count("Accepting needs a reason") == 1


def test_bulk_accept_refuses_each_application_that_lacks_a_rule_and_names_it(client, cohort, lead):
    ready = ApplicationFactory(
        cohort=cohort, applicant=UserFactory(display_name="Ann"), status=Application.Status.MANAGER_APPROVED
    )
    lacking = unanswered(cohort)
    client.force_login(lead)

    response = client.post(
        reverse("cohorts:applications", args=[cohort.pk]),
        {"applications": [ready.pk, lacking.pk], "decision": "accepted"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Ann: accepted.",
        f"Mo Khan: not accepted. {NEEDS_A_REASON}",
    ]
    assert list(Enrolment.objects.values_list("participant__display_name", flat=True)) == ["Ann"]


def test_bulk_accept_with_the_override_and_a_reason_records_it_on_each(client, cohort, lead):
    first, second = unanswered(cohort, "Mo Khan"), unanswered(cohort, "Nia Jones")
    client.force_login(lead)

    response = client.post(
        reverse("cohorts:applications", args=[cohort.pk]),
        {
            "applications": [first.pk, second.pk],
            "decision": "accepted",
            "override": "on",
            "override_reason": "Managers agreed at the directorate meeting",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Mo Khan: accepted.", "Nia Jones: accepted."]
    assert list(Application.objects.values_list("status", "override_reason")) == [
        (ACCEPTED, "Managers agreed at the directorate meeting"),
        (ACCEPTED, "Managers agreed at the directorate meeting"),
    ]
    assert response.content.decode().count("Reason: “Managers agreed at the directorate meeting”") == 2


def test_bulk_override_needs_a_reason(client, cohort, lead):
    application = unanswered(cohort)
    client.force_login(lead)

    response = client.post(
        reverse("cohorts:applications", args=[cohort.pk]),
        {"applications": [application.pk], "decision": "accepted", "override": "on"},
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Please give the reason for accepting an application that does not meet the rules."
    ]
    assert Enrolment.objects.count() == 0


# --- a full cohort takes applications onto its wait-list -----------------------------------------


def test_a_full_open_cohort_is_advertised_as_full_join_the_wait_list(client, cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    CohortFactory(number=12, status=Cohort.Status.OPEN)
    client.force_login(UserFactory())

    content = client.get(reverse("cohorts:list")).content.decode()

    assert f'href="/cohorts/{cohort.pk}/apply/">Full — join the wait-list</a>' in content
    assert "all 2 places taken: new applications join the wait-list" in content
    assert content.count("Read more and apply") == 1  # Cohort 12 has places


def test_the_apply_page_of_a_full_cohort_says_the_application_joins_the_wait_list(client, cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    ApplicationFactory(cohort=cohort, status=Application.Status.WAITLISTED)
    client.force_login(UserFactory())

    response = client.get(reverse("cohorts:apply", args=[cohort.pk]))

    content = response.content.decode()
    assert (response.context["refusal"], response.context["full"], response.context["waiting"]) == (
        None,
        True,
        1,
    )
    assert (
        "<strong>Full — join the wait-list.</strong> All 2 places on Cohort 11 are taken and 1 person is on "
        "the wait-list. You can still apply: your application goes straight onto the wait-list"
    ) in content
    assert '<button type="submit" class="btn btn-primary">Join the wait-list</button>' in content


def test_applying_to_a_full_cohort_puts_the_application_on_the_wait_list_and_tells_the_applicant(
    client, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    applicant = UserFactory(display_name="Asha Patel", email="asha@example.org")
    client.force_login(applicant)
    data = {
        "directorate": DirectorateFactory().pk,
        "role_title": "Charge nurse",
        "prerequisites_completed": ["Pocket QI"],
        "line_manager_name": "Morgan Lee",
        "line_manager_email": "morgan@example.org",
        "availability_confirmed": "on",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cohorts:apply", args=[cohort.pk]), data, follow=True)

    assert response.redirect_chain == [(reverse("cohorts:my_applications"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Cohort 11 is full, so your application is on the wait-list. "
        "We have asked your line manager to approve it and sent you an e-mail saying so."
    ]
    application = Application.objects.get()
    assert (application.status, application.waitlisted_at, application.manager_times_asked) == (
        Application.Status.WAITLISTED,
        NOW,
        1,
    )
    programme = cohort.programme
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["morgan@example.org"], f"Please approve Asha Patel's application to {programme}, Cohort 11"),
        (["asha@example.org"], f"You are on the waiting list for {programme}, Cohort 11"),
    ]
    assert "so their application is on the waiting list: with your approval" in mailoutbox[0].body
    assert (
        "All 2 places are taken, so your application is on the waiting list. "
        "We have asked your line manager, Morgan Lee, to approve it."
    ) in mailoutbox[1].body


def test_the_wait_list_keeps_the_order_applications_arrived_in(cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    earlier = ApplicationFactory(
        cohort=cohort, status=Application.Status.WAITLISTED, decided_at=NOW - timedelta(days=9)
    )

    first = apply(cohort, UserFactory(display_name="First"))
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        second = apply(cohort, UserFactory(display_name="Second"))

    assert list(waitlist(cohort)) == [earlier, first, second]


def test_a_line_managers_approval_keeps_a_wait_listed_application_in_its_place(cohort, lead):
    leaving = EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort)
    application = apply(cohort)

    application_manager_respond(application=application, approve=True)
    application.refresh_from_db()
    assert (application.status, application.manager_approved) == (Application.Status.WAITLISTED, True)

    promoted = enrolment_withdraw(enrolment=leaving, withdrawn_by=lead)

    assert promoted == application
    application.refresh_from_db()
    assert application.status == ACCEPTED


def test_a_line_managers_decline_takes_an_application_off_the_wait_list(cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    application = apply(cohort)

    application_manager_respond(application=application, approve=False)

    application.refresh_from_db()
    assert (application.status, list(waitlist(cohort))) == (Application.Status.MANAGER_DECLINED, [])


def test_a_freed_place_passes_over_those_who_lack_a_rule_but_keeps_their_place(cohort, lead):
    leaving = EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort)
    oldest = unanswered(cohort, status=Application.Status.WAITLISTED, decided_at=NOW - timedelta(days=5))
    Application.objects.filter(pk=oldest.pk).update(manager_approved=None, manager_responded_at=None)
    approved = ApplicationFactory(
        cohort=cohort, status=Application.Status.WAITLISTED, decided_at=NOW - timedelta(days=2)
    )

    promoted = enrolment_withdraw(enrolment=leaving, withdrawn_by=lead)

    assert promoted == approved
    assert list(waitlist(cohort)) == [oldest]


def test_withdrawal_says_when_nobody_on_the_wait_list_could_move_up(client, cohort, lead):
    leaving = EnrolmentFactory(cohort=cohort)
    waiting = unanswered(cohort, status=Application.Status.WAITLISTED)
    Application.objects.filter(pk=waiting.pk).update(manager_approved=None, manager_responded_at=None)
    client.force_login(lead)

    response = client.post(reverse("cohorts:participant_withdraw", args=[cohort.pk, leaving.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        f"{leaving.participant} withdrawn from Cohort 11.",
        "Nobody on the wait-list moved up: each still needs their line manager's approval or a prerequisite. "
        "Accept one from the applications table, giving the reason.",
    ]
    assert Enrolment.objects.filter(status=Enrolment.Status.ENROLLED).count() == 0


def test_the_database_refuses_a_wait_listed_application_without_its_place_in_line(cohort):
    application = ApplicationFactory(cohort=cohort)

    with pytest.raises(IntegrityError, match="application_waitlisted_since_when"), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(status=Application.Status.WAITLISTED)


# --- the applicant's own page --------------------------------------------------------------------


def test_my_applications_says_honestly_where_each_application_stands(client):
    applicant = UserFactory()
    full = CohortFactory(number=11, status=Cohort.Status.OPEN)
    ApplicationFactory(cohort=full, status=Application.Status.WAITLISTED, decided_at=NOW - timedelta(days=3))
    waiting = ApplicationFactory(
        cohort=full,
        applicant=applicant,
        status=Application.Status.WAITLISTED,
        decided_at=NOW - timedelta(days=1),
    )
    Application.objects.filter(pk=waiting.pk).update(manager_approved=None, manager_responded_at=None)
    sent = ApplicationFactory(
        cohort=CohortFactory(number=12), applicant=applicant, prerequisites_completed=["Pocket QI"]
    )
    had_a_place = ApplicationFactory(cohort=CohortFactory(number=13), applicant=applicant, status=ACCEPTED)
    EnrolmentFactory(
        cohort=had_a_place.cohort,
        participant=applicant,
        application=had_a_place,
        status=Enrolment.Status.WITHDRAWN,
    )
    client.force_login(applicant)

    response = client.get(reverse("cohorts:my_applications"))

    content = " ".join(response.content.decode().split())
    assert (
        "All places are taken. You are number 2 in line on the wait-list, since 31 Aug 2025. "
        "A free place can be offered to you only once your line manager has approved."
    ) in content
    assert "Waiting for your line manager to approve it; then the programme team decides." in content
    assert "Not answered yet (asked 1 Sep 2025)" in content
    assert "Prerequisites you have not completed: Improvement Leaders Programme." in content
    assert "You had a place, and have since been withdrawn from the cohort." in content
    assert [a.pk for a, _ in response.context["rows"]] == [had_a_place.pk, sent.pk, waiting.pk]


# Session, user, the user's roles (menu), the applications with their cohort, programme, place and
# place in line.
QUERIES_FOR_MY_APPLICATIONS = 4


@pytest.mark.parametrize("size", [2, 8])
def test_my_applications_queries_do_not_grow_with_applications(client, size):
    applicant = UserFactory()
    for _ in range(size):
        ApplicationFactory(applicant=applicant, status=Application.Status.WAITLISTED)
        ApplicationFactory(applicant=applicant, status=ACCEPTED)
    for application in Application.objects.filter(status=ACCEPTED):
        EnrolmentFactory(cohort=application.cohort, participant=applicant, application=application)
    client.force_login(applicant)
    url = reverse("cohorts:my_applications")
    client.get(url)  # warm the session

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert len(response.context["rows"]) == 2 * size
    assert len(queries) == QUERIES_FOR_MY_APPLICATIONS
