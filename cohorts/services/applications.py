"""Writes for applications and enrolment."""

import contextlib
import unicodedata
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from coachprog.accounts.models import Directorate, User
from coachprog.emails import send_templated_email
from coachprog.figures.models import Topic
from coachprog.figures.services import data_versions_bump
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

OVERRIDE_REASON_MAX_LENGTH = 2000
OVERRIDE_LABEL = "Accept although it does not meet the rules"

DECISION_TEMPLATES = {
    Application.Status.ACCEPTED: "application_accepted",
    Application.Status.WAITLISTED: "application_waitlisted",
    Application.Status.DECLINED: "application_declined",
}


def cohort_enrolled_count(cohort: Cohort) -> int:
    """Places taken: everyone not withdrawn (enrolled, or completed or not once the cohort closed)."""
    return cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).count()


def with_places_taken(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """The cohorts, each with `places_taken` counted as `cohort_enrolled_count` counts it (for lists)."""
    return cohorts.annotate(
        places_taken=Count(
            "enrolments", filter=~Q(enrolments__status=Enrolment.Status.WITHDRAWN), distinct=True
        )
    )


def cohort_is_full(cohort: Cohort) -> bool:
    """Every place is taken: new applications go onto the wait-list."""
    return cohort_enrolled_count(cohort) >= cohort.capacity


def cohort_closed_reason(cohort: Cohort) -> str | None:
    """Why the cohort takes no applications now (not open, or past its closing date), or None."""
    if cohort.status != Cohort.Status.OPEN:
        return f"{cohort} is not open for applications."
    if cohort.applications_close_on and timezone.localdate() > cohort.applications_close_on:
        closed = f"{cohort.applications_close_on:%-d %b %Y}"
        return f"Applications for {cohort} closed on {closed}."
    return None


# --- the programme's rules for a place --------------------------------------------------


def application_missing_prerequisites(
    application: Application, courses: list[str] | None = None
) -> list[str]:
    """The programme's prerequisite courses the applicant did not tick, in the programme's order."""
    if courses is None:
        courses = application.cohort.programme.prerequisite_courses
    ticked = application.prerequisites_completed
    done = set(ticked) if isinstance(ticked, list) else set()
    return [course for course in courses or [] if course not in done]


def application_unmet_rules(application: Application, courses: list[str] | None = None) -> list[str]:
    """What a place asks for that this application lacks: the line manager's approval, prerequisites.

    Empty when a lead may accept it as it is; otherwise accepting needs a reason. `courses`
    (the programme's prerequisites) saves a query per application in a list.
    """
    unmet = []
    manager = application.line_manager_name
    if application.manager_approved is None:
        unmet.append(f"No answer from the line manager ({manager})")
    elif application.manager_approved is False:
        answered = (
            f", {application.manager_responded_at:%-d %b %Y}" if application.manager_responded_at else ""
        )
        unmet.append(f"Declined by the line manager ({manager}{answered})")
    missing = application_missing_prerequisites(application, courses)
    if missing:
        label = "Prerequisite" if len(missing) == 1 else "Prerequisites"
        unmet.append(f"{label} not completed: {', '.join(missing)}")
    return unmet


class ManagerLinkReplaced(signing.BadSignature):
    """A genuine link, sent to a line manager the request has since been passed on from."""


def application_manager_token(application: Application) -> str:
    # "manager" counts the reassignments: a link works only for the manager asked last.
    payload = {"application": application.pk, "manager": application.manager_reassignments}
    return signing.dumps(payload, salt=MANAGER_LINK_SALT, compress=True)


def application_manager_url(application: Application) -> str:
    token = application_manager_token(application)
    return settings.SITE_URL + reverse("cohorts:application_manager_respond", args=[token])


def application_from_manager_token(token: str) -> Application:
    """The application a manager's link is for.

    Raises signing.SignatureExpired, ManagerLinkReplaced (the request has gone to another
    line manager since) or signing.BadSignature.
    """
    payload = signing.loads(token, salt=MANAGER_LINK_SALT, max_age=MANAGER_LINK_MAX_AGE)
    try:
        application = Application.objects.select_related("cohort__programme", "applicant").get(
            pk=payload["application"]
        )
    except (Application.DoesNotExist, KeyError, TypeError) as missing:
        raise signing.BadSignature("The application no longer exists.") from missing
    # Links sent before reassignments existed carry no number: they went to the first manager.
    if payload.get("manager", 0) != application.manager_reassignments:
        raise ManagerLinkReplaced("The request was passed to another line manager.")
    return application


# --- who may approve -------------------------------------------------------------------


def mailbox(address: str) -> str:
    """The mailbox an address reaches, for comparing addresses.

    Case, Unicode forms, a trailing dot or an internationalised domain do not matter, nor
    does a "+tag" sub-address: mail to asha+manager@example.org reaches asha@example.org.
    """
    address = unicodedata.normalize("NFKC", address).strip().casefold()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = local.split("+", 1)[0]
    domain = domain.rstrip(".")
    with contextlib.suppress(UnicodeError):  # a domain IDNA cannot encode is compared as it is
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def person_mailboxes(person: User) -> set[str]:
    """Every address the person gave for themselves: their account's and any added in allauth."""
    addresses = [person.email, *EmailAddress.objects.filter(user=person).values_list("email", flat=True)]
    return {mailbox(address) for address in addresses if address}


def line_manager_refusal(
    *, applicant: User, cohort: Cohort, email: str, named_by_applicant: bool = True
) -> str | None:
    """Why this address cannot approve the applicant's application to the cohort, or None.

    Refused: any address of the applicant's own (they would approve themselves), and the
    address of someone in the same cohort who named the applicant as *their* line manager
    (two people cannot each manage the other, so they would approve each other). A line
    manager who applies to the same cohort, naming their own manager, is fine.
    """
    named = mailbox(email)
    own = person_mailboxes(applicant)
    if named in own:
        if named_by_applicant:
            return (
                "Your line manager's e-mail address cannot be one of your own addresses: "
                "your line manager approves your application, so the link must go to them, not to you."
            )
        return (
            f"The line manager's e-mail address cannot be one of {applicant}'s own addresses: "
            "an applicant cannot approve their own application."
        )
    # Usually nobody, or one or two people: the cohort's applicants whose manager is this applicant.
    named_you = [
        other_id
        for other_id, address in Application.objects.filter(cohort=cohort)
        .exclude(applicant=applicant)
        .values_list("applicant_id", "line_manager_email")
        if mailbox(address) in own
    ]
    for other in User.objects.filter(pk__in=named_you).order_by("pk"):
        if named in person_mailboxes(other):
            if named_by_applicant:
                return (
                    "Your line manager's e-mail address cannot be the address of someone who named you as "
                    f"their line manager in {cohort}: two applicants cannot approve each other's "
                    "applications. If their choice is a mistake, please ask the programme team to correct it."
                )
            return (
                f"The line manager's e-mail address cannot be the address of {other}, who named "
                f"{applicant} as their line manager in {cohort}: two applicants cannot approve each "
                "other's applications."
            )
    return None


def line_manager_reassign_refusal(*, application: Application, email: str) -> str | None:
    """Why a programme lead cannot pass the request to this address, or None: the applicant's rules apply."""
    if mailbox(email) == mailbox(application.line_manager_email):
        return (
            f"{application.line_manager_name} was already asked at this address: "
            "send them the request again instead."
        )
    return line_manager_refusal(
        applicant=application.applicant, cohort=application.cohort, email=email, named_by_applicant=False
    )


def _manager_request_send(application: Application) -> None:
    """E-mail the line manager a fresh approval link (one outbox row per request)."""
    send_templated_email(
        to=application.line_manager_email,
        template="application_manager_request",
        key=(
            f"application_manager_request:{application.pk}:"
            f"{application.manager_reassignments}:{application.manager_times_asked}"
        ),
        context={
            "application": application,
            "cohort": application.cohort,
            "approval_url": application_manager_url(application),
            "expires_on": timezone.localdate() + MANAGER_LINK_MAX_AGE,
            "reminder": application.manager_times_asked > 1,
        },
    )


@transaction.atomic
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
    """Record a submitted application to an open cohort, and e-mail the line manager a link.

    The line manager cannot be the applicant, by any of their addresses (`line_manager_refusal`).

    When every place is taken the application goes straight onto the wait-list, in the order
    applications arrive, and the applicant is told so by e-mail; the line manager is still asked,
    since a freed place is offered only to an application they approved.
    """
    # Locked, so two applicants sending at once see the same places left.
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if refusal := cohort_closed_reason(cohort):
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
    if refusal := line_manager_refusal(applicant=applicant, cohort=cohort, email=line_manager_email):
        raise ValidationError({"line_manager_email": refusal})
    now = timezone.now()
    full = cohort_is_full(cohort)
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
        status=Application.Status.WAITLISTED if full else Application.Status.SUBMITTED,
        waitlisted_at=now if full else None,
        submitted_at=now,
        manager_asked_at=now,
        manager_last_asked_at=now,
        manager_times_asked=1,
    )
    application.full_clean()
    application.save()
    _manager_request_send(application)
    if full:
        send_templated_email(
            user=applicant,
            template="application_waitlisted",
            key=f"application_waitlisted:{application.pk}:on_submission",
            context={
                "application": application,
                "cohort": cohort,
                "applicant": applicant,
                "on_submission": True,
            },
        )
    return application


def _awaiting_manager(application: Application) -> None:
    if not application.awaits_manager:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}; "
            "it no longer needs a line manager's answer."
        )


@transaction.atomic
def application_manager_respond(*, application: Application, approve: bool) -> Application:
    """Record the line manager's answer, once, for an application still awaiting it.

    A wait-listed application the manager approves stays on the wait-list, in its place; one
    they decline leaves it, as a sent one does.

    `application` is the one the link was read for: if the request has been passed to
    another line manager since, this answer does not count.
    """
    locked = (
        Application.objects.select_for_update().select_related("applicant", "cohort").get(pk=application.pk)
    )
    _awaiting_manager(locked)
    if locked.manager_reassignments != application.manager_reassignments:
        raise ValidationError(
            "This link was sent to a previous line manager: the programme team has asked someone else "
            "to approve this application. Nothing has been changed."
        )
    # Applications sent before the rule, or an address the applicant has added to their account since.
    if line_manager_refusal(
        applicant=locked.applicant, cohort=locked.cohort, email=locked.line_manager_email
    ):
        raise ValidationError(
            "This link cannot approve the application: the address it was sent to belongs to the applicant, "
            "or to someone whose application they approve. Nothing has been changed; "
            "the programme team will ask the applicant's line manager."
        )
    if not (approve and locked.status == Application.Status.WAITLISTED):
        # An approved wait-listed application keeps its place in the line.
        locked.status = (
            Application.Status.MANAGER_APPROVED if approve else Application.Status.MANAGER_DECLINED
        )
    locked.manager_approved = approve
    locked.manager_responded_at = timezone.now()
    locked.save(update_fields=["status", "manager_approved", "manager_responded_at"])
    return locked


@transaction.atomic
def application_manager_resend(*, application: Application, resent_by: User) -> Application:
    """Send the same line manager a fresh approval link; links sent to them before keep working."""
    application = (
        Application.objects.select_for_update().select_related("cohort__programme").get(pk=application.pk)
    )
    _awaiting_manager(application)
    application.manager_times_asked += 1
    application.manager_last_asked_at = timezone.now()
    application._history_user = resent_by  # the history names the lead, in a request or not
    application.save(update_fields=["manager_times_asked", "manager_last_asked_at"])
    _manager_request_send(application)
    return application


@transaction.atomic
def application_manager_reassign(
    *, application: Application, line_manager_name: str, line_manager_email: str, reassigned_by: User
) -> Application:
    """Ask another line manager, by the same rules as the applicant's choice; earlier links stop working."""
    application = (
        Application.objects.select_for_update()
        .select_related("cohort__programme", "applicant")
        .get(pk=application.pk)
    )
    _awaiting_manager(application)
    if refusal := line_manager_reassign_refusal(application=application, email=line_manager_email):
        raise ValidationError({"line_manager_email": refusal})
    now = timezone.now()
    application.line_manager_name = line_manager_name.strip()
    application.line_manager_email = line_manager_email.strip()
    application.manager_reassignments += 1
    application.manager_times_asked = 1
    application.manager_asked_at = now
    application.manager_last_asked_at = now
    application.full_clean()
    application._history_user = reassigned_by  # the history names the lead, in a request or not
    application.save()
    _manager_request_send(application)
    return application


DECIDABLE = {
    Application.Status.SUBMITTED,
    Application.Status.MANAGER_APPROVED,
    Application.Status.MANAGER_DECLINED,
    Application.Status.WAITLISTED,
}


@transaction.atomic
def application_decide(
    *,
    application: Application,
    decision: str,
    decided_by: User,
    enrolled_on: date | None = None,
    override_reason: str = "",
) -> Application:
    """Accept, wait-list or decline an application; accepting enrols the applicant if there is room.

    Accepting one that lacks its line manager's approval or a prerequisite
    (`application_unmet_rules`) needs `override_reason`: what it lacked and why it was accepted
    are kept on the application and in its history.
    """
    allowed = {Application.Status.ACCEPTED, Application.Status.WAITLISTED, Application.Status.DECLINED}
    if decision not in allowed:
        raise ValidationError(f"“{decision}” is not a decision a programme lead can make.")
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=application.cohort_id)
    # Read again under a lock: a list's copy may be out of date (the manager answered since).
    application = Application.objects.select_for_update().select_related("applicant").get(pk=application.pk)
    application.cohort = cohort
    if application.status not in DECIDABLE:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}; it is not awaiting a decision."
        )
    if decision == application.status:
        raise ValidationError(f"This application is already {application.get_status_display().lower()}.")
    now = timezone.now()
    fields = ["status", "decided_at", "decided_by"]
    if decision == Application.Status.ACCEPTED:
        if cohort_is_full(cohort):
            raise ValidationError(
                f"{cohort} is full ({cohort.capacity} places); wait-list the applicant instead."
            )
        if unmet := application_unmet_rules(application, cohort.programme.prerequisite_courses):
            reason = override_reason.strip()
            if not reason:
                raise ValidationError({"override_reason": override_needed(unmet)})
            if len(reason) > OVERRIDE_REASON_MAX_LENGTH:
                too_long = f"Please keep the reason to {OVERRIDE_REASON_MAX_LENGTH:,} characters."
                raise ValidationError({"override_reason": too_long})
            application.override_unmet = "\n".join(unmet)
            application.override_reason = reason
            fields += ["override_unmet", "override_reason"]
        enrolment_create(
            cohort=cohort, participant=application.applicant, application=application, enrolled_on=enrolled_on
        )
    if decision == Application.Status.WAITLISTED:
        application.waitlisted_at = now
        fields.append("waitlisted_at")
    application.status = decision
    application.decided_at = now
    application.decided_by = decided_by
    application._history_user = decided_by  # the history names the lead, in a request or not
    application.save(update_fields=fields)
    send_templated_email(
        to=application.applicant.email,
        template=DECISION_TEMPLATES[decision],
        context={"application": application, "cohort": cohort, "applicant": application.applicant},
    )
    return application


def override_needed(unmet: list[str]) -> str:
    """The refusal to accept without a reason, naming what the application lacks."""
    return (
        f"Not accepted: the application does not meet the programme's rules ({'; '.join(unmet)}). "
        f"To accept it anyway, tick “{OVERRIDE_LABEL}” and give the reason."
    )


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
    if status in {Enrolment.Status.COMPLETED, Enrolment.Status.NOT_COMPLETED}:
        # One source of truth: completing the cohort records each outcome from its rule.
        raise ValidationError(
            "Completion is recorded from the cohort's completion rule when the cohort is completed; "
            "it cannot be set by hand."
        )
    enrolment.status = status
    enrolment.full_clean()
    enrolment.save(update_fields=["status"])
    data_versions_bump(Topic.ENROLMENTS)
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


def waitlist(cohort: Cohort) -> QuerySet[Application]:
    """The cohort's wait-list in its order: longest-waiting first."""
    return (
        Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED)
        .exclude(applicant__enrolments__cohort=cohort)
        .select_related("applicant")
        .order_by("waitlisted_at", "pk")
    )


@transaction.atomic
def waitlist_promote(*, cohort: Cohort, decided_by: User) -> list[Application]:
    """Fill free places from the wait-list, longest-waiting first; each one promoted is told by e-mail.

    Only applications that meet the rules move up by themselves: one still waiting for its line
    manager, or short of a prerequisite, keeps its place until a lead accepts it with a reason.
    """
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    free = cohort.capacity - cohort_enrolled_count(cohort)
    promoted: list[Application] = []
    if free <= 0:
        return promoted
    courses = cohort.programme.prerequisite_courses
    for application in waitlist(cohort):
        if len(promoted) == free:
            break
        if not application_unmet_rules(application, courses):
            promoted.append(
                application_decide(
                    application=application, decision=Application.Status.ACCEPTED, decided_by=decided_by
                )
            )
    return promoted
