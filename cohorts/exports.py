"""A cohort's applications and participants as table rows for CSV and Excel downloads.

The downloads are for the people who run the cohort, and hold what their pages show them:
the applications table leaves drafts out and names a People Participation Lead only for
service users and carers, as the pages do.
"""

from collections.abc import Sequence

from cohorts.models import Application, Cohort, Enrolment
from cohorts.services.applications import application_missing_prerequisites

APPLICATION_HEADERS = [
    "Applicant",
    "E-mail",
    "Directorate",
    "Job role",
    "Prerequisites completed",
    "Prerequisites not completed",
    "Service user or carer",
    "People Participation Lead",
    "Line manager",
    "Line manager's e-mail",
    "Line manager's answer",
    "Answered",
    "Can attend every date",
    "Sent",
    "Status",
    "On the wait-list since",
    "Decided by",
    "Decided",
    "Accepted without",
    "Reason for accepting anyway",
]
PARTICIPANT_HEADERS = ["Participant", "E-mail", "Directorate", "Enrolled on", "Status"]


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _manager_answer(application: Application) -> str:
    if application.manager_approved is True:
        return "Approved"
    if application.manager_approved is False:
        return "Declined"
    return "No answer"


def application_rows(cohort: Cohort, status: str = "") -> tuple[list[str], list[Sequence[object]]]:
    """Every sent application to the cohort (or those with `status`), in the order they arrived."""
    applications = (
        Application.objects.filter(cohort=cohort)
        .exclude(status=Application.Status.DRAFT)
        .select_related("applicant", "directorate", "decided_by")
        .order_by("submitted_at", "pk")
    )
    if status:
        applications = applications.filter(status=status)
    courses = cohort.programme.prerequisite_courses
    rows = []
    for application in applications:
        ticked = application.prerequisites_completed
        rows.append(
            [
                str(application.applicant),
                application.applicant.email,
                str(application.directorate),
                application.role_title,
                ", ".join(ticked) if isinstance(ticked, list) else "",
                ", ".join(application_missing_prerequisites(application, courses)),
                _yes_no(application.is_service_user_or_carer),
                application.people_participation_lead if application.is_service_user_or_carer else "",
                application.line_manager_name,
                application.line_manager_email,
                _manager_answer(application),
                application.manager_responded_at,
                _yes_no(application.availability_confirmed),
                application.submitted_at,
                application.get_status_display(),
                application.waitlisted_at if application.status == Application.Status.WAITLISTED else None,
                str(application.decided_by) if application.decided_by else "",
                application.decided_at,
                "; ".join(application.override_unmet_rules),
                application.override_reason,
            ]
        )
    return APPLICATION_HEADERS, rows


def participant_rows(cohort: Cohort) -> tuple[list[str], list[Sequence[object]]]:
    """Everyone who has had a place on the cohort, by name, with where their place stands."""
    enrolments = (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("participant__organisation_unit")
        .order_by("participant__display_name", "pk")
    )
    rows = [
        [
            str(enrolment.participant),
            enrolment.participant.email,
            str(enrolment.participant.organisation_unit or ""),
            enrolment.enrolled_on,
            enrolment.get_status_display(),
        ]
        for enrolment in enrolments
    ]
    return PARTICIPANT_HEADERS, rows
