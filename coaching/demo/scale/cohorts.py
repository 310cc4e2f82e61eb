"""Scale data's cohorts: programmes on the demo's schedule, applications, enrolments and registers.

Each programme starts a cohort every six months on Cohort 10's public schedule (induction,
three two-day workshops, three action learning sets, two webinars), shifted by whole weeks
so weekdays are kept: its latest cohort opens in a few weeks, the one before is running and
the rest are completed. Completers of completed cohorts become the coaches. A completed
cohort's outcomes come from `cohorts.attendance.completion`, the one place completion is
decided, so the stored statuses agree with every page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from coaching.demo.cohorts import COHORT_10_SCHEDULE
from coaching.demo.common import PROGRAMME_NAME, local, slug
from coaching.demo.scale.words import FIRST_NAMES, JOB_ROLES, LAST_NAMES, PROGRAMME_REGIONS, VENUES
from coachprog.accounts.models import User
from cohorts.attendance import CompletionRule, cell_for, completion
from cohorts.models import (
    DEFAULT_PREREQUISITES,
    Application,
    Attendance,
    Cohort,
    CurriculumTopic,
    Enrolment,
    Programme,
    Session,
    SessionMaterial,
)
from cohorts.services.applications import application_unmet_rules

FIRST_DAY = date(2024, 9, 10)  # Cohort 10's first session, which COHORT_10_SCHEDULE's dates follow
RUN_WEEKS = 26  # a programme starts a cohort every six months
REQUIRED = {Session.Kind.WORKSHOP, Session.Kind.ACTION_LEARNING_SET}  # by the default completion rule
Status = Application.Status


@dataclass
class _Place:
    """An application, and what became of it in the cohort."""

    application: Application
    enrolment: Enrolment | None = None
    completes: bool = True  # meets the completion rule (or, while the cohort runs, is on track)
    withdraws_at: int | None = None  # the first session a withdrawn participant no longer came to


def _weighted(rng, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


ATTENDED = {Attendance.Status.PRESENT: 88, Attendance.Status.LATE: 8, Attendance.Status.LEFT_EARLY: 4}
WEBINAR = {**ATTENDED, Attendance.Status.APOLOGIES: 12, Attendance.Status.ABSENT: 8}


class CohortsPart:
    def build_cohorts(self) -> None:
        rng = self.rng
        topics = {topic.number: topic for topic in CurriculumTopic.objects.all()}
        if not topics:
            raise RuntimeError(
                "The curriculum topics are missing: run `manage.py migrate` on a new database."
            )
        programmes = self.insert([self._programme(p) for p in range(len(self.programme_leads))])
        self.insert(
            [
                Programme.leads.through(programme=programme, user=lead)
                for programme, own in zip(programmes, self.programme_leads, strict=True)
                for lead in (self.lead, own)
            ]
        )
        count, per = self.sizes.cohorts, len(programmes)
        open_weeks = (self.today + timedelta(days=21) - FIRST_DAY).days // 7 + 1
        cohorts, sessions_of = [], {}
        for p, programme in enumerate(programmes):
            n = count // per + (p < count % per)
            for k in range(1, n + 1):
                # Programmes are a week or so apart; each cohort six months after the one before.
                shift = timedelta(weeks=open_weeks + p % 4 - (n - k) * RUN_WEEKS)
                cohort = Cohort(programme=programme, number=k, capacity=rng.choice([16, 18, 20, 24]))
                sessions = self._schedule(cohort, p, k, shift, topics)
                first, last = sessions[0].starts_at, sessions[-1].ends_at
                if last < self.now:
                    cohort.status = Cohort.Status.COMPLETED
                elif first <= self.now:
                    cohort.status = Cohort.Status.RUNNING
                else:
                    # Now and then the next cohort is still being planned: no applications yet.
                    planning = p % 5 == 4 and n > 1
                    cohort.status = Cohort.Status.PLANNING if planning else Cohort.Status.OPEN
                # Sessions are made in Europe/London, so their own dates are the local ones.
                cohort.starts_on, cohort.ends_on = first.date(), last.date()
                cohort.applications_close_on = cohort.starts_on - timedelta(days=7)
                cohort.name = f"{cohort.starts_on:%B %Y} – {cohort.ends_on:%B %Y}"
                cohorts.append(cohort)
                sessions_of[id(cohort)] = sessions
        self.insert(cohorts)
        self.insert(
            [
                Cohort.leads.through(cohort=c, user=lead)
                for c in cohorts
                for lead in self._leads_of(c, programmes)
            ]
        )
        self.insert(
            [Cohort.topics.through(cohort=c, curriculumtopic=t) for c in cohorts for t in topics.values()]
        )
        sessions = self.insert([s for c in cohorts for s in sessions_of[id(c)]])
        self.insert(
            [
                Session.topics.through(session=s, curriculumtopic=topics[n])
                for s in sessions
                for n in s.topic_numbers
                if n in topics
            ]
        )
        facilitators = []
        for cohort in cohorts:
            own = self._own_lead(cohort, programmes)
            for session in sessions_of[id(cohort)]:
                facilitators.append(Session.facilitators.through(session=session, user=own))
                if session.kind == Session.Kind.WORKSHOP:
                    facilitators.append(Session.facilitators.through(session=session, user=self.lead))
        # Experienced coaches help run the next cohort: the demo coach co-facilitates an induction.
        upcoming = [c for c in cohorts if c.programme is programmes[0] and c.status == Cohort.Status.OPEN]
        if upcoming:
            induction = sessions_of[id(upcoming[0])][0]
            facilitators.append(Session.facilitators.through(session=induction, user=self.coach))
        self.insert(facilitators)
        self.insert(
            [
                SessionMaterial(
                    session=s,
                    title=f"{s.title}: slides and exercises",
                    url=f"https://qi.example.org/cohort-{s.cohort.pk}/session-{s.pk}",
                    added_by=self._own_lead(s.cohort, programmes),
                )
                for s in sessions
                if s.kind == Session.Kind.WORKSHOP
            ]
        )
        self._places_and_registers(cohorts, sessions_of, programmes)

    def _programme(self, p: int) -> Programme:
        if p == 0:
            name = PROGRAMME_NAME
        else:
            region = PROGRAMME_REGIONS[(p - 1) % len(PROGRAMME_REGIONS)]
            again = (p - 1) // len(PROGRAMME_REGIONS)
            name = f"{region} Improvement Coaching Programme{f' {again + 1}' if again else ''}"
        return Programme(
            name=name,
            description="A six-month professional development programme for QI coaches, who then support "
            "improvement teams in their directorates with about half a day a week of ring-fenced time.",
            prerequisite_courses=list(DEFAULT_PREREQUISITES),
        )

    def _own_lead(self, cohort: Cohort, programmes: list[Programme]) -> User:
        return self.programme_leads[programmes.index(cohort.programme)]

    def _leads_of(self, cohort: Cohort, programmes: list[Programme]) -> list[User]:
        return [self.lead, self._own_lead(cohort, programmes)]

    def _schedule(self, cohort: Cohort, p: int, k: int, shift: timedelta, topics) -> list[Session]:
        sessions = []
        for i, (kind, title, day, start, end, venue, numbers) in enumerate(COHORT_10_SCHEDULE):
            day += shift
            if venue is not None:
                venue = VENUES[(p + k + i // 4) % len(VENUES)]
            session = Session(
                cohort=cohort,
                kind=kind,
                title=title,
                starts_at=local(day, start),
                ends_at=local(day, end),
                venue_name=venue[0] if venue else "",
                venue_address=venue[1] if venue else "",
                online_url="" if venue else f"https://meet.example.org/programme-{p + 1}/cohort-{k}/{i + 1}",
                uid=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            )
            session.topic_numbers = numbers
            sessions.append(session)
        return sessions

    # --- applications, enrolments and registers -------------------------------------------------

    def _places_and_registers(self, cohorts: list[Cohort], sessions_of: dict, programmes) -> None:
        # The demo coaches completed the first programme's latest completed cohort, as in the demo.
        finished = [c for c in cohorts if c.status == Cohort.Status.COMPLETED]
        first_programme = [c for c in finished if c.programme is programmes[0]]
        demo_cohort = first_programme[-1] if first_programme else None
        self._coach_queue = list(self.coaches[2:])
        self.rng.shuffle(self._coach_queue)
        self.trained_coaches: set[int] = set()
        places, attendance = [], []
        for cohort in cohorts:
            sessions = sessions_of[id(cohort)]
            decider = self._own_lead(cohort, programmes)
            cohort_places = self._places(cohort, decider, demo=cohort is demo_cohort)
            attendance += self._register(cohort, sessions, cohort_places, decider)
            places += cohort_places
        self.insert([place.application for place in places])
        self.insert([place.enrolment for place in places if place.enrolment])
        self.insert(attendance)

    def _places(self, cohort: Cohort, decider: User, *, demo: bool) -> list[_Place]:
        """The cohort's applications: a full register of places, and the ones that got none."""
        rng, capacity = self.rng, cohort.capacity
        if cohort.status == Cohort.Status.PLANNING:
            return []
        if cohort.status == Cohort.Status.OPEN:
            opened = local(self.today - timedelta(days=40), time(9))
            statuses = (
                [Status.ACCEPTED] * rng.randint(capacity // 3, capacity // 2)
                + [Status.MANAGER_APPROVED] * rng.randint(1, 3)
                + [Status.SUBMITTED] * rng.randint(2, 4)
                + [Status.DRAFT] * rng.randint(0, 2)
                + [Status.DECLINED] * rng.randint(0, 1)
            )
            withdrawals = 0
        else:
            opened = local(cohort.starts_on - timedelta(weeks=10), time(9))
            withdrawals = int(rng.random() < 0.3)
            accepted = capacity if withdrawals or rng.random() < 0.6 else capacity - rng.randint(1, 3)
            # Only a full cohort keeps a wait-list: a freed place goes to the longest waiting.
            waitlisted = rng.randint(0, 2) if accepted == capacity and not withdrawals else 0
            statuses = (
                [Status.ACCEPTED] * accepted
                + [Status.WAITLISTED] * waitlisted
                + [Status.DECLINED] * rng.randint(0, 2)
                + [Status.MANAGER_DECLINED] * rng.randint(0, 1)
                + [Status.WITHDRAWN] * rng.randint(0, 1)
            )
        finished = cohort.status == Cohort.Status.COMPLETED
        taken: set[int] = set()
        result = []
        for index, status in enumerate(statuses):
            completes = status == Status.ACCEPTED and (
                rng.random() < 0.88 if finished else rng.random() < 0.9
            )
            if demo and index < 2:
                person, completes = self.coaches[index], True
            elif finished and completes and self._coach_queue:
                person = self._coach_queue.pop()
            else:
                person = self._staff_pick(taken)
            taken.add(id(person))
            if finished and completes and status == Status.ACCEPTED:
                self.trained_coaches.add(id(person))
            application = self._application(cohort, person, status, opened=opened, decider=decider)
            place = _Place(application=application, completes=completes)
            if status == Status.ACCEPTED:
                place.enrolment = Enrolment(
                    cohort=cohort,
                    participant=person,
                    application=application,
                    enrolled_on=timezone.localdate(application.decided_at),
                )
            result.append(place)
        leavers = [
            p for p in result if p.enrolment and id(p.application.applicant) not in self.trained_coaches
        ]
        if withdrawals and leavers:
            withdrawn = rng.choice(leavers)
            withdrawn.completes = False
            withdrawn.withdraws_at = -1  # which session they stopped at is chosen with the register
        return result

    def _staff_pick(self, taken: set[int]) -> User:
        while True:
            person = self.rng.choice(self.staff_of[self.rng.randrange(len(self.staff_of))])
            if id(person) not in taken:
                return person

    def _application(
        self, cohort: Cohort, person: User, status: str, *, opened: datetime, decider: User
    ) -> Application:
        """An application that reached `status` by the steps the services take, each dated."""
        rng = self.rng
        courses = list(DEFAULT_PREREQUISITES)
        carer = rng.random() < 0.03
        # One of a thousand line managers, each always with the same name and address.
        n = rng.randrange(1000)
        manager = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n * 7 % len(LAST_NAMES)]}"
        application = Application(
            cohort=cohort,
            applicant=person,
            status=status,
            directorate=person.organisation_unit,
            role_title=rng.choice(JOB_ROLES),
            prerequisites_completed=courses if rng.random() < 0.95 else courses[:1],
            is_service_user_or_carer=carer,
            people_participation_lead="Maria Lopez" if carer else "",
            line_manager_name=manager,
            line_manager_email=f"{slug(manager)}.manager@example.org",  # never an applicant's address
            availability_confirmed=status != Status.DRAFT or rng.random() < 0.5,
        )
        if status == Status.DRAFT:
            return application
        sent = opened + timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
        application.submitted_at = application.manager_asked_at = application.manager_last_asked_at = sent
        application.manager_times_asked = 1
        if rng.random() < 0.2:  # the line manager needed a reminder
            application.manager_times_asked, application.manager_last_asked_at = 2, sent + timedelta(days=7)
        if status == Status.SUBMITTED or (status == Status.WITHDRAWN and rng.random() < 0.5):
            return application
        answered = application.manager_last_asked_at + timedelta(
            days=rng.randint(1, 4), hours=rng.randint(0, 8)
        )
        application.manager_approved = status != Status.MANAGER_DECLINED
        application.manager_responded_at = answered
        if status in (Status.MANAGER_APPROVED, Status.MANAGER_DECLINED, Status.WITHDRAWN):
            return application
        application.decided_at, application.decided_by = answered + timedelta(days=rng.randint(1, 5)), decider
        if status == Status.WAITLISTED:
            application.waitlisted_at = application.decided_at
        if status == Status.ACCEPTED and (unmet := application_unmet_rules(application, courses)):
            # Accepted without a prerequisite: a lead's decision, with the reason kept.
            application.override_unmet = "\n".join(unmet)
            application.override_reason = (
                "Completing Improvement Leaders in the spring; agreed with the QI lead."
            )
        return application

    def _register(
        self, cohort: Cohort, sessions: list[Session], places: list[_Place], lead: User
    ) -> list[Attendance]:
        """Each participant's attendance at the sessions held (and apologies for some to come)."""
        rng, now = self.rng, self.now
        finished = cohort.status == Cohort.Status.COMPLETED
        held = [s for s in sessions if s.starts_at <= now]
        # A running cohort's latest register is sometimes not taken yet.
        pending = held[-1] if cohort.status == Cohort.Status.RUNNING and rng.random() < 0.25 else None
        required_held = [i for i, s in enumerate(held) if s.kind in REQUIRED]
        inductions = [s for s in sessions if s.kind == Session.Kind.INDUCTION]
        rows = []
        for place in places:
            enrolment = place.enrolment
            if enrolment is None:
                continue
            if place.withdraws_at == -1:
                place.withdraws_at = rng.randint(1, max(1, min(8, len(held))))
                enrolment.status = Enrolment.Status.WITHDRAWN
            missed: set[int] = set()
            if not place.completes and place.withdraws_at is None and required_held:
                # Did not complete (or, while the cohort runs, at risk): missed a required session or two.
                missed = set(rng.sample(required_held, k=min(len(required_held), rng.choice([1, 1, 2]))))
            came_to = rng.choice(inductions)  # one induction of the two
            own = []
            for index, session in enumerate(sessions):
                if place.withdraws_at is not None and index >= place.withdraws_at:
                    break
                if session.starts_at > now:
                    if rng.random() < 0.03:  # apologies sent ahead by the participant
                        note = rng.choice(["Clinic clash", "Annual leave", "On call that day"])
                        own.append(
                            Attendance(
                                session=session,
                                enrolment=enrolment,
                                status=Attendance.Status.APOLOGIES,
                                note=note,
                                recorded_by=enrolment.participant,
                            )
                        )
                    continue
                if session is pending or (session.kind == Session.Kind.INDUCTION and session is not came_to):
                    continue
                if index in missed:
                    status = rng.choice([Attendance.Status.ABSENT, Attendance.Status.APOLOGIES])
                elif session.kind == Session.Kind.WEBINAR:
                    status = _weighted(rng, WEBINAR)
                else:
                    status = _weighted(rng, ATTENDED)
                own.append(Attendance(session=session, enrolment=enrolment, status=status, recorded_by=lead))
            if finished and enrolment.status != Enrolment.Status.WITHDRAWN:
                enrolment.status = self._completion(cohort, sessions, enrolment, own)
            rows += own
        return rows

    def _completion(
        self, cohort: Cohort, sessions: list[Session], enrolment: Enrolment, rows: list[Attendance]
    ) -> str:
        """The outcome `cohorts.attendance` works out for the register, as closing the cohort records it."""
        by_session = {id(row.session): row for row in rows}
        cells = [cell_for(s, enrolment, by_session.get(id(s)), self.now) for s in sessions]
        state, _, _ = completion(cells, CompletionRule.for_cohort(cohort), finished=True)
        return state
