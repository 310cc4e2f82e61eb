"""Demo cohorts: Cohort 10 on ELFT's public schedule, Cohort 11 a few weeks from today."""

from datetime import date, time, timedelta

from coaching.demo.common import (
    APPLICANT_NAMES,
    LUTON,
    NCVO,
    PARTICIPANT_NAMES,
    PROGRAMME_NAME,
    local,
    slug,
)
from cohorts.models import Application, Attendance, Cohort, CurriculumTopic, Enrolment, Session
from cohorts.services import (
    application_decide,
    application_manager_respond,
    application_submit,
    attendance_record,
    cohort_create,
    cohort_set_status,
    programme_create,
    session_facilitators_set,
    session_schedule,
)
from cohorts.services.materials import session_material_add

# Cohort 10's schedule: (kind, title, local date, start, end, venue or None for online, topic numbers).
COHORT_10_SCHEDULE = [
    ("induction", "Induction session A", date(2024, 9, 10), time(10), time(12), None, [1]),
    ("induction", "Induction session B", date(2024, 9, 17), time(14), time(16), None, [1]),
    ("workshop", "Workshop Day 1", date(2024, 10, 1), time(9), time(17), NCVO, [1, 2]),
    ("workshop", "Workshop Day 2", date(2024, 10, 2), time(9), time(17), NCVO, [2, 4]),
    (
        "action_learning_set",
        "Virtual Action Learning Set 1",
        date(2024, 11, 4),
        time(10),
        time(12),
        None,
        [3, 5],
    ),
    (
        "webinar",
        "Learning session: measurement for improvement",
        date(2024, 11, 26),
        time(12, 30),
        time(13, 30),
        None,
        [1],
    ),
    (
        "action_learning_set",
        "Virtual Action Learning Set 2",
        date(2024, 12, 10),
        time(10),
        time(12),
        None,
        [3, 5],
    ),
    ("workshop", "Workshop Day 3", date(2025, 1, 21), time(9), time(17), LUTON, [4, 5]),
    ("workshop", "Workshop Day 4", date(2025, 1, 22), time(9), time(17), LUTON, [2, 4]),
    (
        "action_learning_set",
        "Virtual Action Learning Set 3",
        date(2025, 2, 18),
        time(10),
        time(12),
        None,
        [3, 5],
    ),
    (
        "webinar",
        "Learning session: coaching conversations",
        date(2025, 3, 4),
        time(12, 30),
        time(13, 30),
        None,
        [4],
    ),
    ("workshop", "Workshop Day 5", date(2025, 3, 18), time(9), time(17), NCVO, [1, 5]),
    ("workshop", "Workshop Day 6", date(2025, 3, 19), time(9), time(17), NCVO, [2, 3]),
]


class CohortsPart:
    def build_cohorts(self) -> None:
        self.programme = programme_create(
            name=PROGRAMME_NAME,
            description=(
                "A six-month professional development programme for QI coaches, who then support "
                "improvement teams in their directorates with about half a day a week of ring-fenced time."
            ),
            leads=[self.lead],
        )
        cohort10 = cohort_create(
            programme=self.programme,
            number=10,
            name="October 2024 – March 2025",
            starts_on=date(2024, 9, 10),
            ends_on=date(2025, 3, 19),
            capacity=16,
            status=Cohort.Status.OPEN,
            leads=[self.lead],
        )
        sessions10 = self.schedule(cohort10, shift=timedelta(0))
        units = [self.newham, self.tower_hamlets, self.specialist]
        participants = [self.people["coach@example.org"], self.people["coach2@example.org"]]
        for i, name in enumerate(PARTICIPANT_NAMES):
            participants.append(self.person(f"{slug(name)}@example.org", name, units[i % 3]))
        enrolments = []
        for participant in participants:
            application = application_submit(
                cohort=cohort10,
                applicant=participant,
                directorate=participant.organisation_unit,
                role_title=self.rng.choice(
                    [
                        "Ward manager",
                        "Occupational therapist",
                        "Clinical psychologist",
                        "Service manager",
                        "Charge nurse",
                        "Peer support worker",
                    ]
                ),
                line_manager_name="Line manager",
                line_manager_email="manager@example.org",
                availability_confirmed=True,
                prerequisites_completed=list(self.programme.prerequisite_courses),
            )
            # A place needs the line manager's approval: each one approved before the lead accepted.
            application_manager_respond(application=application, approve=True)
            application_decide(
                application=application,
                decision=Application.Status.ACCEPTED,
                decided_by=self.lead,
                enrolled_on=date(2024, 9, 2),
            )
            enrolments.append(Enrolment.objects.get(application=application))
        # A register with mixed statuses: mostly present, some late, apologies and absences.
        weights = [
            (Attendance.Status.PRESENT, 80),
            (Attendance.Status.LATE, 7),
            (Attendance.Status.LEFT_EARLY, 4),
            (Attendance.Status.APOLOGIES, 6),
            (Attendance.Status.ABSENT, 3),
        ]
        statuses, cum = zip(*weights, strict=True)
        missed = {Attendance.Status.ABSENT, Attendance.Status.APOLOGIES}
        drifted, apologised = len(enrolments) - 1, 2
        for index, session in enumerate(sessions10):
            for position, enrolment in enumerate(enrolments):
                if session.kind == Session.Kind.INDUCTION and (position + index) % 2:
                    continue  # each participant came to one of the two inductions
                status = self.rng.choices(statuses, weights=cum)[0]
                if position == drifted and index >= 7:
                    status = Attendance.Status.ABSENT  # one participant drifted away (one alert to the lead)
                elif position == apologised and session.title == "Workshop Day 3":
                    status = Attendance.Status.APOLOGIES  # and one missed a workshop day, with apologies
                elif status in missed and session.kind != Session.Kind.WEBINAR:
                    # Everyone else met the completion rule: they missed only webinars (not required).
                    status = Attendance.Status.PRESENT
                attendance_record(session=session, enrolment=enrolment, status=status, recorded_by=self.lead)
        # Completing the cohort records who completed from its rule: all but those two.
        cohort_set_status(cohort=cohort10, status=Cohort.Status.COMPLETED)

        # Cohort 11: the same shape, whole weeks later, so weekdays are kept and it starts soon.
        weeks = (self.today + timedelta(days=21) - date(2024, 9, 10)).days // 7 + 1
        shift = timedelta(weeks=weeks)
        cohort11 = cohort_create(
            programme=self.programme,
            number=11,
            starts_on=date(2024, 9, 10) + shift,
            ends_on=date(2025, 3, 19) + shift,
            capacity=3,
            status=Cohort.Status.OPEN,
            applications_close_on=date(2024, 9, 10) + shift - timedelta(days=7),
            leads=[self.lead],
        )
        sessions11 = self.schedule(cohort11, shift=shift)
        # Experienced coaches help run the next cohort: Tom co-facilitates its first induction.
        induction = next(s for s in sessions11 if s.kind == Session.Kind.INDUCTION)
        session_facilitators_set(
            session=induction, facilitators=[self.lead, self.people["coach@example.org"]]
        )
        applicants = [
            self.person(f"{slug(n)}@example.org", n, units[i % 3]) for i, n in enumerate(APPLICANT_NAMES)
        ]
        decisions = [
            Application.Status.ACCEPTED,
            Application.Status.ACCEPTED,
            Application.Status.ACCEPTED,
            Application.Status.WAITLISTED,
        ]
        # Everyone applies while places are left; the lead then fills the 3 places and wait-lists
        # the fourth, and one application still awaits a decision: its line manager has not answered
        # and a prerequisite is missing, so accepting it would need a reason. The full cohort now
        # takes new applications straight onto its wait-list.
        pending = self.person("chidi.okeke@example.org", "Chidi Okeke", self.tower_hamlets)
        applications = []
        for applicant in [*applicants, pending]:
            is_carer = applicant.display_name == "Zoe Turner"
            applications.append(
                application_submit(
                    cohort=cohort11,
                    applicant=applicant,
                    directorate=applicant.organisation_unit,
                    role_title="Consultant psychiatrist" if applicant is pending else "Team leader",
                    line_manager_name="Line manager",
                    line_manager_email="manager@example.org",
                    availability_confirmed=True,
                    prerequisites_completed=(
                        ["Pocket QI"] if applicant is pending else list(self.programme.prerequisite_courses)
                    ),
                    is_service_user_or_carer=is_carer,
                    people_participation_lead="Maria Lopez" if is_carer else "",
                )
            )
        for application, decision in zip(applications, decisions, strict=False):
            # Their line managers approved before the lead decided; Chidi's has not answered yet.
            application_manager_respond(application=application, approve=True)
            application_decide(application=application, decision=decision, decided_by=self.lead)

    def schedule(self, cohort: Cohort, shift: timedelta) -> list[Session]:
        topics = {t.number: t for t in CurriculumTopic.objects.all()}
        sessions = []
        for kind, title, day, start, end, venue, topic_numbers in COHORT_10_SCHEDULE:
            day = day + shift
            online = f"https://meet.example.org/cohort-{cohort.number}/{slug(title).replace(':', '')}"
            session = session_schedule(
                cohort=cohort,
                kind=kind,
                title=title,
                starts_at=local(day, start),
                ends_at=local(day, end),
                venue_name=venue[0] if venue else "",
                venue_address=venue[1] if venue else "",
                online_url="" if venue else online,
                facilitators=[self.lead],
                topics=[topics[n] for n in topic_numbers if n in topics],
            )
            if kind == Session.Kind.WORKSHOP:
                session_material_add(
                    session=session,
                    title=f"{title}: slides and exercises",
                    url=f"https://qi.example.org/cohort-{cohort.number}/{slug(title).replace('.', '-')}",
                    added_by=self.lead,
                )
            sessions.append(session)
        return sessions

    # --- projects -----------------------------------------------------------------
