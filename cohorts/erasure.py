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
    """Drop the person's calendar link, the personal details in their applications and apologies, and
    their name and address where an applicant named them as line manager.

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
    # A lead's reason for accepting them can name their circumstances; what was lacking stays.
    Application.objects.filter(applicant=person).exclude(override_reason="").update(
        override_reason=ERASED_TEXT
    )
    Application.history.filter(applicant_id=person.pk).exclude(override_reason="").update(
        override_reason=ERASED_TEXT
    )
    # Someone else's application naming them as line manager: their name and address are theirs.
    manager = {"line_manager_name": ERASED_TEXT, "line_manager_email": "erased@erased.invalid"}
    for address in {person.email, *person.emailaddress_set.values_list("email", flat=True)}:
        Application.objects.filter(line_manager_email__iexact=address).update(**manager)
        Application.history.filter(line_manager_email__iexact=address).update(**manager)
    Attendance.objects.filter(enrolment__participant=person).update(note="")
    Attendance.history.filter(enrolment__participant=person).update(note="")
