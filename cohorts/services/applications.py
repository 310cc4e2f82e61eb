"""Writes for applications and enrolment."""

from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coachprog.accounts.models import Directorate, User
from coachprog.emails import send_templated_email
from cohorts.models import (
    Application,
    Cohort,
    Enrolment,
)

# The line manager's approval link: signed, so it cannot be forged or pointed at another application,
# and it expires, so an old e-mail cannot approve an application months later.
MANAGER_LINK_SALT = "cohorts.application.manager-response"
MANAGER_LINK_MAX_AGE = timedelta(days=14)

AVAILABILITY_REQUIRED = "Please confirm you can attend the induction and every workshop date."
PPL_REQUIRED = (
    "Please name your People Participation Lead: service users and carers apply with their support."
)

DECISION_TEMPLATES = {
    Application.Status.ACCEPTED: "application_accepted",
    Application.Status.WAITLISTED: "application_waitlisted",
    Application.Status.DECLINED: "application_declined",
}


def cohort_enrolled_count(cohort: Cohort) -> int:
    return cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()


def cohort_closed_reason(cohort: Cohort) -> str | None:
    """Why the cohort takes no applications now (not open, or past its closing date), or None."""
    if cohort.status != Cohort.Status.OPEN:
        return f"{cohort} is not open for applications."
    if cohort.applications_close_on and timezone.localdate() > cohort.applications_close_on:
        closed = f"{cohort.applications_close_on:%-d %b %Y}"
        return f"Applications for {cohort} closed on {closed}."
    return None


def cohort_application_refusal(cohort: Cohort) -> str | None:
    """Why nobody can apply through the form now (closed, or every place taken), or None."""
    if reason := cohort_closed_reason(cohort):
        return reason
    if cohort_enrolled_count(cohort) >= cohort.capacity:
        return f"{cohort} is full: all {cohort.capacity} places are taken."
    return None


def application_manager_token(application: Application) -> str:
    return signing.dumps({"application": application.pk}, salt=MANAGER_LINK_SALT, compress=True)


def application_manager_url(application: Application) -> str:
    token = application_manager_token(application)
    return settings.SITE_URL + reverse("cohorts:application_manager_respond", args=[token])


def application_from_manager_token(token: str) -> Application:
    """The application a manager's link is for; raises signing.SignatureExpired or BadSignature."""
    payload = signing.loads(token, salt=MANAGER_LINK_SALT, max_age=MANAGER_LINK_MAX_AGE)
    try:
        return Application.objects.select_related("cohort__programme", "applicant").get(
            pk=payload["application"]
        )
    except (Application.DoesNotExist, KeyError, TypeError) as missing:
        raise signing.BadSignature("The application no longer exists.") from missing


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
    """Record a submitted application to an open cohort with a free place, and e-mail the line manager a link.

    A full cohort takes no new applications: its wait-list is made of applicants who applied
    while places were left and were wait-listed by the lead.
    """
    if refusal := cohort_application_refusal(cohort):
        raise ValidationError(refusal)
    if not availability_confirmed:
        raise ValidationError({"availability_confirmed": AVAILABILITY_REQUIRED})
    if is_service_user_or_carer and not people_participation_lead.strip():
        raise ValidationError({"people_participation_lead": PPL_REQUIRED})
    if Application.objects.filter(cohort=cohort, applicant=applicant).exists():
        raise ValidationError(f"You have already applied to {cohort}.")
    unknown = sorted(set(prerequisites_completed or []) - set(cohort.programme.prerequisite_courses))
    if unknown:
        raise ValidationError({"prerequisites_completed": f"“{unknown[0]}” is not a prerequisite course."})
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
        people_participation_lead=people_participation_lead.strip() if is_service_user_or_carer else "",
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    application.full_clean()
    application.save()
    send_templated_email(
        to=application.line_manager_email,
        template="application_manager_request",
        context={
            "application": application,
            "cohort": cohort,
            "approval_url": application_manager_url(application),
            "expires_on": timezone.localdate() + MANAGER_LINK_MAX_AGE,
        },
    )
    return application


@transaction.atomic
def application_manager_respond(*, application: Application, approve: bool) -> Application:
    """Record the line manager's answer, once, for an application still awaiting it."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}; "
            "it no longer needs a line manager's answer."
        )
    application.status = (
        Application.Status.MANAGER_APPROVED if approve else Application.Status.MANAGER_DECLINED
    )
    application.manager_responded_at = timezone.now()
    application.save(update_fields=["status", "manager_responded_at"])
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
    if decision == application.status:
        raise ValidationError(f"This application is already {application.get_status_display().lower()}.")
    cohort = Cohort.objects.select_for_update().get(pk=application.cohort_id)
    if decision == Application.Status.ACCEPTED:
        if cohort_enrolled_count(cohort) >= cohort.capacity:
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
    send_templated_email(
        to=application.applicant.email,
        template=DECISION_TEMPLATES[decision],
        context={"application": application, "cohort": cohort, "applicant": application.applicant},
    )
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


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, withdrawn_by: User) -> Application | None:
    """Withdraw an enrolled participant and give the freed place to the longest-waiting applicant.

    Returns the promoted application, or None when nobody is waiting.
    """
    cohort = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(f"{enrolment.participant} is not enrolled in {cohort}.")
    enrolment_set_status(enrolment=enrolment, status=Enrolment.Status.WITHDRAWN)
    promoted = waitlist_promote(cohort=cohort, decided_by=withdrawn_by)
    return promoted[0] if promoted else None


@transaction.atomic
def waitlist_promote(*, cohort: Cohort, decided_by: User) -> list[Application]:
    """Fill free places from the wait-list, longest-waiting first; each one promoted is told by e-mail."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    free = cohort.capacity - cohort_enrolled_count(cohort)
    if free <= 0:
        return []
    waiting = (
        Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED)
        .exclude(applicant__enrolments__cohort=cohort)
        .select_related("applicant")
        .order_by("decided_at", "pk")[:free]
    )
    return [
        application_decide(
            application=application, decision=Application.Status.ACCEPTED, decided_by=decided_by
        )
        for application in waiting
    ]
