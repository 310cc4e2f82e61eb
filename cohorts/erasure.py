"""What erasing a departed person means for cohorts (registered with coachprog.privacy at start-up)."""

from cohorts.models import Application, Attendance, CalendarToken, Cohort, Enrolment

FINISHED = [Cohort.Status.COMPLETED, Cohort.Status.CANCELLED]
ERASED_TEXT = "(erased)"


def cohort_person_rows(person) -> list:
    """A participant's attendance points at their enrolment, not at them: a subject access export needs it."""
    return [Attendance.objects.filter(enrolment__participant=person)]


def cohort_erasure_blockers(person) -> list[str]:
    """A person still taking part in, or leading, a cohort that is not over cannot be erased yet."""
    reasons = [
        f"{person} is enrolled in {enrolment.cohort}: withdraw them from it first."
        for enrolment in Enrolment.objects.filter(participant=person, status=Enrolment.Status.ENROLLED)
        .exclude(cohort__status__in=FINISHED)
        .select_related("cohort")
    ]
    reasons += [
        f"{person} leads {cohort}: make someone else its lead first."
        for cohort in Cohort.objects.filter(leads=person).exclude(status__in=FINISHED)
    ]
    return reasons


def cohort_erase(person) -> None:
    """Drop the person's calendar link and the personal details in their applications and apologies.

    Enrolments and attendance stay, so a cohort's numbers and completion rates do not change.
    """
    CalendarToken.objects.filter(person=person).delete()
    details = {
        "role_title": ERASED_TEXT,
        "line_manager_name": ERASED_TEXT,
        "line_manager_email": "erased@erased.invalid",
        "people_participation_lead": "",
    }
    Application.objects.filter(applicant=person).update(**details)
    Application.history.filter(applicant_id=person.pk).update(**details)
    Attendance.objects.filter(enrolment__participant=person).update(note="")
    Attendance.history.filter(enrolment__participant=person).update(note="")
