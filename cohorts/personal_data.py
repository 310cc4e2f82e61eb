"""Who may read cohorts' free text in a person's data export: the rules the cohort pages use
(registered with coachprog.privacy at start-up)."""

from coachprog.permissions import Access, is_programme_lead
from coachprog.privacy import Confidential, PersonalData
from cohorts.models import (
    Application,
    Attendance,
    CalendarToken,
    Cohort,
    CohortCalendarToken,
    CurriculumTopic,
    Programme,
    Session,
    SessionMaterial,
)
from cohorts.permissions import application_access, can_manage_cohort, session_access


def _reads_session(person, session: Session) -> bool:
    return session_access(person, session) >= Access.READ


def _reads_session_notes(person, session: Session) -> bool:
    # No page shows a session's notes but its History, which is for programme leads.
    return is_programme_lead(person)


def _reads_material(person, material: SessionMaterial) -> bool:
    return _reads_session(person, material.session)


def _reads_application(person, application: Application) -> bool:
    # The cohort's leads see an application once it is sent: their list leaves drafts out.
    if application.status == Application.Status.DRAFT and application.applicant_id != person.pk:
        return False
    return application_access(person, application) >= Access.READ


def _names_participation_lead(application: Application) -> bool:
    # The applications list names a People Participation Lead for service users and carers only.
    return application.is_service_user_or_carer


def _runs_applications_cohort(person, application: Application) -> bool:
    # A lead's reason for accepting against the rules is on the pages of the people who run the cohort.
    return can_manage_cohort(person, application.cohort)


def _was_accepted_with_a_reason(application: Application) -> bool:
    return bool(application.override_unmet)


def _runs_calendars_cohort(person, token: CohortCalendarToken) -> bool:
    return can_manage_cohort(person, token.cohort)


def _takes_register(person, attendance: Attendance) -> bool:
    # The notes are on the session's register, which needs write access to the session.
    return session_access(person, attendance.session) >= Access.WRITE


def _owns_calendar_link(person, token: CalendarToken) -> bool:
    return token.person_id == person.pk


APPLICATION = "An application is for the applicant, and for the cohort's leads once it is sent."
SESSION = "A session's details are for the people in its cohort, its facilitators and its leads."

COHORTS_PERSONAL_DATA = (
    # What a cohort's advert shows to everyone.
    PersonalData(Programme, open_text=("name", "description", "prerequisite_courses")),
    PersonalData(CurriculumTopic, open_text=("name", "description")),
    PersonalData(Cohort, open_text=("name",)),
    PersonalData(
        Session,
        confidential=(
            Confidential(("title", "venue_name", "venue_address", "online_url"), _reads_session, why=SESSION),
            Confidential(("notes",), _reads_session_notes, why="A session's notes are for programme leads."),
        ),
    ),
    PersonalData(
        SessionMaterial,
        confidential=(Confidential(("title", "url"), _reads_material, why=SESSION, writer="added_by"),),
    ),
    PersonalData(
        Application,
        confidential=(
            Confidential(
                ("role_title", "prerequisites_completed", "line_manager_name", "line_manager_email"),
                _reads_application,
                why=APPLICATION,
                writer="applicant",
            ),
            Confidential(
                ("people_participation_lead",),
                _reads_application,
                why=APPLICATION,
                writer="applicant",
                shown_when=_names_participation_lead,
            ),
            Confidential(
                ("override_unmet", "override_reason"),
                _runs_applications_cohort,
                why="Why an application was accepted without meeting the rules is for the cohort's leads.",
                writer="decided_by",
                shown_when=_was_accepted_with_a_reason,
            ),
        ),
    ),
    PersonalData(
        Attendance,
        confidential=(
            Confidential(
                ("note",),
                _takes_register,
                why="Attendance notes are for the people who take the register; a participant's export "
                "has the notes they wrote themselves (with their apologies).",
                writer="recorded_by",
            ),
        ),
    ),
    PersonalData(
        CalendarToken,
        confidential=(
            Confidential(
                ("token",), _owns_calendar_link, why="A calendar link's secret is for its owner alone."
            ),
        ),
    ),
    PersonalData(
        CohortCalendarToken,
        confidential=(
            Confidential(
                ("token",),
                _runs_calendars_cohort,
                why="A cohort's calendar link is for the people who run the cohort, who share it.",
            ),
        ),
    ),
)
