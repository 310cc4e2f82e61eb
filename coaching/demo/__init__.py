"""A realistic demo programme, built through the same services the views use.

Cohort 10 follows the public schedule of ELFT's Improvement Coaching
Programme (October 2024 to March 2025); Cohort 11 repeats its shape a few
weeks from today, so there is always something upcoming. Project data,
meetings and updates are dated relative to today, so the demo never looks
stale. Everything is deterministic: the same day gives the same data.
"""

import random
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coaching.demo.coaching import CoachingPart
from coaching.demo.cohorts import CohortsPart
from coaching.demo.common import DEMO_ACCOUNTS, DEMO_PASSWORD, PROGRAMME_NAME
from coaching.demo.projects import ProjectsPart
from coaching.models import Assignment
from coachprog.accounts.models import Directorate, User
from coachprog.accounts.services import (
    access_policy_update,
    directorate_get_or_create,
    directorate_qi_lead_add,
    programme_lead_add,
    user_create,
)
from cohorts.models import Programme
from projects.models import Project


@dataclass
class DemoResult:
    created: bool
    message: str


class _Builder(CohortsPart, ProjectsPart, CoachingPart):
    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(20241001)
        self.people: dict[str, User] = {}
        # Hashing is deliberately slow; the demo accounts share one password, so hash it once.
        self.password_hash = make_password(DEMO_PASSWORD)

    # --- people ---------------------------------------------------------------
    def person(self, email: str, name: str, unit: Directorate | None, *, can_sign_in: bool = False) -> User:
        user = user_create(
            email=email,
            display_name=name,
            password_hash=self.password_hash if can_sign_in else None,
            organisation_unit=unit,
            email_verified=True,
        )
        self.people[email] = user
        return user

    def build(self) -> None:
        self.newham = directorate_get_or_create(name="Newham Community Health")
        self.tower_hamlets = directorate_get_or_create(name="Tower Hamlets Mental Health")
        self.specialist = directorate_get_or_create(name="Specialist Services")
        units = {
            "lead@example.org": None,
            "coach@example.org": self.newham,
            "coach2@example.org": self.tower_hamlets,
            "sponsor@example.org": self.newham,
            "sponsor2@example.org": self.tower_hamlets,
            "member@example.org": self.newham,
            "qilead@example.org": self.newham,
        }
        for email, name, _ in DEMO_ACCOUNTS:
            self.person(email, name, units[email], can_sign_in=True)
        self.lead = self.people["lead@example.org"]
        programme_lead_add(user=self.lead, admin_access=True)
        # The demo accounts share a published password and no authenticator app; a real site
        # keeps the default (two-factor required for leads and administrators).
        access_policy_update(by=self.lead, allowed_signup_domains="", require_two_factor_for_leads=False)
        self.qilead = self.people["qilead@example.org"]
        directorate_qi_lead_add(directorate=self.newham, person=self.qilead)
        directorate_qi_lead_add(directorate=self.tower_hamlets, person=self.qilead)

        self.build_cohorts()
        self.build_projects()
        self.build_coaching()

    # --- cohorts ----------------------------------------------------------------


@transaction.atomic
def demo_data_load(*, today: date | None = None) -> DemoResult:
    """Build the demo programme once; running again changes nothing but the demo passwords."""
    today = today or timezone.localdate()
    if Programme.objects.filter(name=PROGRAMME_NAME).exists():
        User.objects.filter(email__in=[email for email, _, _ in DEMO_ACCOUNTS]).update(
            password=make_password(DEMO_PASSWORD)
        )
        return DemoResult(
            created=False, message="The demo data is already loaded; demo passwords were reset."
        )
    _Builder(today).build()
    open_assignments = Assignment.objects.filter(ends_on__isnull=True).count()
    return DemoResult(
        created=True,
        message=f"Demo data loaded: 2 cohorts, {Project.objects.count()} projects, "
        f"{open_assignments} coaching assignments. "
        f"Sign in with any demo account and the password “{DEMO_PASSWORD}”.",
    )
