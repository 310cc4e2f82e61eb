"""Writes for applications and enrolment."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coachprog.accounts.models import Directorate, User
from cohorts.models import (
    Application,
    Cohort,
    Enrolment,
)


def application_submit(
    *,
    cohort: Cohort,
    applicant: User,
    directorate: Directorate,
    role_title: str,
    line_manager_name: str,
    line_manager_email: str,
    availability_confirmed: bool,
    prerequisites_completed: list[str] | None = None,
    is_service_user_or_carer: bool = False,
    people_participation_lead: str = "",
) -> Application:
    """Record a submitted application; the cohort must be open and the applicant available."""
    if cohort.status != Cohort.Status.OPEN:
        raise ValidationError(f"{cohort} is not open for applications.")
    if cohort.applications_close_on and timezone.localdate() > cohort.applications_close_on:
        closed = f"{cohort.applications_close_on:%-d %b %Y}"
        raise ValidationError(f"Applications for {cohort} closed on {closed}.")
    if not availability_confirmed:
        raise ValidationError(
            {"availability_confirmed": "Please confirm you can attend the induction and every workshop date."}
        )
    application = Application(
        cohort=cohort,
        applicant=applicant,
        directorate=directorate,
        role_title=role_title,
        line_manager_name=line_manager_name,
        line_manager_email=line_manager_email,
        availability_confirmed=True,
        prerequisites_completed=prerequisites_completed or [],
        is_service_user_or_carer=is_service_user_or_carer,
        people_participation_lead=people_participation_lead,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_decide(
    *, application: Application, decision: str, decided_by: User, enrolled_on: date | None = None
) -> Application:
    """Accept, wait-list or decline an application; accepting enrols the applicant if there is room."""
    allowed = {Application.Status.ACCEPTED, Application.Status.WAITLISTED, Application.Status.DECLINED}
    if decision not in allowed:
        raise ValidationError(f"“{decision}” is not a decision a programme lead can make.")
    awaiting = {
        Application.Status.SUBMITTED,
        Application.Status.MANAGER_APPROVED,
        Application.Status.WAITLISTED,
    }
    if application.status not in awaiting:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}; it is not awaiting a decision."
        )
    cohort = Cohort.objects.select_for_update().get(pk=application.cohort_id)
    if decision == Application.Status.ACCEPTED:
        enrolled = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        if enrolled >= cohort.capacity:
            raise ValidationError(
                f"{cohort} is full ({cohort.capacity} places); wait-list the applicant instead."
            )
        enrolment_create(
            cohort=cohort, participant=application.applicant, application=application, enrolled_on=enrolled_on
        )
    application.status = decision
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.save(update_fields=["status", "decided_at", "decided_by"])
    return application


def enrolment_create(
    *,
    cohort: Cohort,
    participant: User,
    application: Application | None = None,
    enrolled_on: date | None = None,
) -> Enrolment:
    enrolment = Enrolment(
        cohort=cohort,
        participant=participant,
        application=application,
        enrolled_on=enrolled_on or timezone.localdate(),
    )
    enrolment.full_clean()
    enrolment.save()
    return enrolment


def enrolment_set_status(*, enrolment: Enrolment, status: str) -> Enrolment:
    enrolment.status = status
    enrolment.full_clean()
    enrolment.save(update_fields=["status"])
    return enrolment
