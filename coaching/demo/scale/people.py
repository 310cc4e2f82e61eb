"""Scale data's people: directorates, the demo accounts, leads, coaches, sponsors and staff."""

from __future__ import annotations

import math
from collections import Counter

from allauth.account.models import EmailAddress

from coaching.demo.common import DEMO_ACCOUNTS, slug
from coaching.demo.scale.words import DEMO_DIRECTORATES, FIRST_NAMES, LAST_NAMES, PLACES, SERVICES
from coaching.models import Assignment, CoachProfile
from coachprog.accounts.models import Directorate, ProgrammeLeadChange, User
from coachprog.accounts.services import (
    access_policy_update,
    directorate_qi_lead_add,
    programme_lead_add,
    programme_leads_group,
    user_create,
)
from projects.models import Project, TeamMembership

COHORTS_PER_PROGRAMME = 10  # each programme has run a cohort every six months for about five years
SPONSORED_EACH = 5  # projects per sponsor, about
STAFF_PER_PROJECT = 3  # people of a directorate per project there, from whom teams and applicants come


def directorate_names(count: int, rng) -> list[str]:
    """The demo's directorates first, then places and services combined; numbered once they run out."""
    combined = [f"{place} {service}" for place in PLACES for service in SERVICES]
    rng.shuffle(combined)
    names, seen = [], set()
    for name in DEMO_DIRECTORATES + combined:
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    base = list(names)
    while len(names) < count:
        names.append(f"{base[len(names) % len(base)]} {len(names) // len(base) + 1}")
    return names[:count]


class PeoplePart:
    def build_people(self) -> None:
        sizes, loads = self.sizes, self.loads
        self.directorates = self.insert(
            [Directorate(name=name) for name in directorate_names(sizes.directorates, self.rng)]
        )
        count = len(self.directorates)
        # Project i is in directorate i % count; coach i works in directorate i % count.
        self.projects_in = [sizes.projects // count + (d < sizes.projects % count) for d in range(count)]
        self.coach_directorate = [i % count for i in range(sizes.coaches)]
        self._emails: Counter[str] = Counter()
        self._new_people: list[User] = []
        self.build_demo_accounts()

        programmes = max(1, math.ceil(sizes.cohorts / COHORTS_PER_PROGRAMME))
        self.programme_leads = [self.new_person(None) for _ in range(programmes)]

        # QI leads: the demo's covers the first directorates; elsewhere one for one or two
        # directorates, and now and then a second in a directorate.
        self.qi_leads_of: list[list[User]] = [[] for _ in range(count)]
        for d in range(loads.qi_directorates):
            self.qi_leads_of[d].append(self.qilead)
        d = loads.qi_directorates
        while d < count:
            lead, span = self.new_person(self.directorates[d]), self.rng.choice([1, 1, 2])
            for covered in range(d, min(count, d + span)):
                self.qi_leads_of[covered].append(lead)
            d += span
        for d in range(loads.qi_directorates, count):
            if self.rng.random() < 0.1:
                self.qi_leads_of[d].append(self.new_person(self.directorates[d]))
        # The demo QI lead supervises 30 coaches; a colleague supervises the rest of theirs.
        in_qi_directorates = sum(1 for d in self.coach_directorate if d < loads.qi_directorates)
        self.co_qi_lead = None
        if in_qi_directorates > loads.supervisees:
            self.co_qi_lead = self.new_person(self.directorates[0])
            for d in range(loads.qi_directorates):
                self.qi_leads_of[d].append(self.co_qi_lead)

        self.coaches = [self.coach, self.coach2] + [
            self.new_person(self.directorates[self.coach_directorate[i]]) for i in range(2, sizes.coaches)
        ]
        self.sponsors_of = [
            [
                self.new_person(unit, title=self.rng.choice(["", "", "Dr "]))
                for _ in range(max(1, n // SPONSORED_EACH))
            ]
            for unit, n in zip(self.directorates, self.projects_in, strict=True)
        ]
        self.staff_of = [
            [self.new_person(unit) for _ in range(max(6, n * STAFF_PER_PROJECT))]
            for unit, n in zip(self.directorates, self.projects_in, strict=True)
        ]
        self.flush_people()

        through = Directorate.qi_leads.through
        self.insert(
            [
                through(directorate=self.directorates[d], user=lead)
                for d, leads in enumerate(self.qi_leads_of)
                for lead in leads
                if lead is not self.qilead  # named through the service, with its history
            ]
        )
        group = programme_leads_group()
        self.insert([User.groups.through(user=lead, group=group) for lead in self.programme_leads])
        self.insert(
            [
                ProgrammeLeadChange(
                    person=lead, action=ProgrammeLeadChange.Action.ADDED, changed_by=self.lead
                )
                for lead in self.programme_leads
            ]
        )

    def build_demo_accounts(self) -> None:
        """The README's accounts, through the services, as `demo_data` makes them."""
        first, second = self.directorates[0], self.directorates[min(1, len(self.directorates) - 1)]
        units = {
            "lead@example.org": None,
            "coach@example.org": first,
            "coach2@example.org": second,
            "sponsor@example.org": first,
            "sponsor2@example.org": second,
            "member@example.org": first,
            "qilead@example.org": first,
        }
        self.demo = {
            email: user_create(
                email=email,
                display_name=name,
                password_hash=self.password_hash,
                organisation_unit=units[email],
                email_verified=True,
            )
            for email, name, _ in DEMO_ACCOUNTS
        }
        self.rows[User._meta.label] += len(self.demo)
        self.rows[EmailAddress._meta.label] += len(self.demo)
        self.lead, self.qilead = self.demo["lead@example.org"], self.demo["qilead@example.org"]
        self.coach, self.coach2 = self.demo["coach@example.org"], self.demo["coach2@example.org"]
        self.sponsor, self.sponsor2 = self.demo["sponsor@example.org"], self.demo["sponsor2@example.org"]
        self.member = self.demo["member@example.org"]
        programme_lead_add(user=self.lead, admin_access=True)
        # The demo accounts share a published password and no authenticator app; a real site
        # keeps the default (two-factor required for leads and administrators).
        access_policy_update(by=self.lead, allowed_signup_domains="", require_two_factor_for_leads=False)
        for directorate in self.directorates[: self.loads.qi_directorates]:
            directorate_qi_lead_add(directorate=directorate, person=self.qilead)

    def new_person(self, unit: Directorate | None, *, title: str = "") -> User:
        """A person to be written by `flush_people`: a common name, a unique address, the demo password."""
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        base = slug(f"{first} {last}")
        self._emails[base] += 1
        seen = self._emails[base]
        person = User(
            email=f"{base}@example.org" if seen == 1 else f"{base}{seen}@example.org",
            display_name=f"{title}{first} {last}",
            password=self.password_hash,
            organisation_unit=unit,
        )
        self._new_people.append(person)
        return person

    def flush_people(self) -> None:
        people, self._new_people = self._new_people, []
        self.insert(people)
        self.insert([EmailAddress(user=p, email=p.email, primary=True, verified=True) for p in people])

    def demo_load_summary(self) -> dict[str, str]:
        """What each demo account holds, read back from the database, for the command's last lines."""
        open_teams = Assignment.objects.filter(ends_on__isnull=True)
        qi_units = Directorate.objects.filter(qi_leads=self.qilead)
        qi_projects = Project.objects.filter(directorate__in=qi_units).count()
        supervisees = CoachProfile.objects.filter(supervisor=self.qilead).count()
        teams = {c: open_teams.filter(coach=c).count() for c in (self.coach, self.coach2)}
        sponsored = {s: Project.objects.filter(sponsor=s).count() for s in (self.sponsor, self.sponsor2)}
        member_of = TeamMembership.objects.filter(person=self.member).count()
        return {
            "lead@example.org": f"programme lead of everything ({Project.objects.count():,} projects), "
            "with admin access",
            "coach@example.org": f"coach of {teams[self.coach]} teams",
            "coach2@example.org": f"coach of {teams[self.coach2]} other teams",
            "sponsor@example.org": f"sponsor of {sponsored[self.sponsor]} projects",
            "sponsor2@example.org": f"sponsor of {sponsored[self.sponsor2]} other projects",
            "member@example.org": f"team member of {member_of} projects",
            "qilead@example.org": f"QI lead of {qi_units.count()} directorates ({qi_projects:,} projects), "
            f"supervises {supervisees} coaches",
        }
