"""The stack test's data, written into the stack's own database by a separate process.

Run as `python -m tests.stack.scenario` with the stack's environment; prints what the
test needs to know (as JSON) on the last line of its output.
"""

import json
from datetime import date, timedelta

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.utils import timezone  # noqa: E402

from coachprog.accounts.services import access_policy_update, programme_lead_add  # noqa: E402
from tests.factories import (  # noqa: E402
    PASSWORD,
    CohortFactory,
    EnrolmentFactory,
    MonthlyUpdateFactory,
    ProjectFactory,
    SessionFactory,
    UserFactory,
)

REPORTED_MONTH = date(2026, 11, 1)  # the stack settings run the monthly job for 1 Dec 2026


def seed() -> dict:
    sponsors = {}
    for n, titles in enumerate(
        [["Fewer falls", "Shorter waits"], ["Safer discharge"], ["Quicker referrals"]]
    ):
        sponsor = UserFactory(email=f"sponsor{n}@example.org", display_name=f"Sponsor {n}")
        for title in titles:
            MonthlyUpdateFactory(
                project=ProjectFactory(title=title, sponsor=sponsor), month=REPORTED_MONTH, ready=True
            )
        sponsors[sponsor.email] = titles
    # A draft is not sent.
    MonthlyUpdateFactory(project=ProjectFactory(title="Draft only"), month=REPORTED_MONTH)

    now = timezone.now().replace(second=0, microsecond=0)
    cohort = CohortFactory(starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=90))
    soon = SessionFactory(
        cohort=cohort,
        title="Workshop Day 1",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=7),
    )
    later = SessionFactory(
        cohort=cohort,
        title="Workshop Day 3",
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=7),
    )
    participant = EnrolmentFactory(
        cohort=cohort, participant=UserFactory(email="participant@example.org")
    ).participant
    facilitator = UserFactory(email="facilitator@example.org")
    soon.facilitators.add(facilitator)

    lead = UserFactory(email="lead@example.org", display_name="Programme lead")
    programme_lead_add(user=lead)
    EmailAddress.objects.create(user=lead, email=lead.email, verified=True, primary=True)
    # The lead signs in with a password only (the test drives no authenticator app).
    access_policy_update(by=lead, allowed_signup_domains="", require_two_factor_for_leads=False)
    return {
        "sponsors": sponsors,
        "reminder": {
            "uid": f"{soon.uid}@coachprog",
            "starts_at": soon.starts_at.isoformat(),
            "recipients": sorted([participant.email, facilitator.email]),
        },
        "cancel_path": f"/cohorts/{cohort.pk}/planner/sessions/{later.pk}/cancel/",
        "cancel_recipient": participant.email,
        "lead": {"email": lead.email, "password": PASSWORD},
    }


if __name__ == "__main__":
    print(json.dumps(seed()))
