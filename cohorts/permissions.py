"""Who may see and change cohorts, sessions, applications and attendance."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from coachprog.permissions import Access, is_programme_lead, require
from cohorts.models import Application, Cohort, Enrolment, Programme, Session


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def visible_cohorts(user) -> QuerySet[Cohort]:
    """Leads see every cohort; others those they lead, applied to, joined or facilitate."""
    if not _active(user):
        return Cohort.objects.none()
    if is_programme_lead(user):
        return Cohort.objects.all()
    # A UNION of the user's own rows, each an indexed lookup: an OR across a join and a DISTINCT would
    # read every cohort.
    ids = (
        Enrolment.objects.filter(participant=user)
        .order_by()
        .values("cohort_id")
        .union(
            Application.objects.filter(applicant=user).order_by().values("cohort_id"),
            Session.objects.filter(facilitators=user).order_by().values("cohort_id"),
            Cohort.leads.through.objects.filter(user=user).order_by().values("cohort_id"),
        )
    )
    return Cohort.objects.filter(pk__in=ids)


def open_cohorts() -> QuerySet[Cohort]:
    """Cohorts any signed-in member of staff may see advertised and apply to."""
    return Cohort.objects.filter(status=Cohort.Status.OPEN)


def get_cohort_for_applicant(user, pk: int) -> Cohort:
    """The cohort someone applies to: an open one, one they applied to, or one they run (to preview).

    Cohorts still being planned, or long finished, are not advertised: for anyone else they are 404.
    """
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    if not _active(user):
        raise Http404
    if (
        cohort.status == Cohort.Status.OPEN
        or Application.objects.filter(cohort=cohort, applicant=user).exists()
        or can_manage_cohort(user, cohort)
    ):
        return cohort
    raise Http404


def can_manage_cohort(user, cohort: Cohort) -> bool:
    """Programme leads and the cohort's own leads run it."""
    return _active(user) and (is_programme_lead(user) or cohort.leads.filter(pk=user.pk).exists())


def can_plan_cohorts(user) -> bool:
    """Programme leads, and the leads of any cohort: the people who choose cohort leads and facilitators."""
    return _active(user) and (is_programme_lead(user) or Cohort.objects.filter(leads=user).exists())


def cohort_access(user, cohort: Cohort) -> Access:
    if can_manage_cohort(user, cohort):
        return Access.WRITE
    if visible_cohorts(user).filter(pk=cohort.pk).exists():
        return Access.READ
    return Access.NONE


def get_cohort_for_user(user, pk: int, need: Access = Access.READ) -> tuple[Cohort, Access]:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    return cohort, require(cohort_access(user, cohort), need)


def session_access(user, session: Session) -> Access:
    access = cohort_access(user, session.cohort)
    if access < Access.WRITE and _active(user) and session.facilitators.filter(pk=user.pk).exists():
        return Access.WRITE  # facilitators take the register for their own session
    return access


def get_session_for_user(user, cohort_pk: int, pk: int, need: Access = Access.READ) -> tuple[Session, Access]:
    session = get_object_or_404(
        Session.objects.select_related("cohort__programme"), cohort_id=cohort_pk, pk=pk
    )
    return session, require(session_access(user, session), need)


def application_access(user, application: Application) -> Access:
    if can_manage_cohort(user, application.cohort):
        return Access.WRITE
    if _active(user) and application.applicant_id == user.pk:
        # Applicants may edit until they submit; afterwards the lead decides.
        return Access.WRITE if application.status == Application.Status.DRAFT else Access.READ
    return Access.NONE


def enrolment_access(user, enrolment: Enrolment) -> Access:
    """Attendance follows the enrolment: the participant reads their own, the cohort's leads write."""
    if can_manage_cohort(user, enrolment.cohort):
        return Access.WRITE
    if _active(user) and enrolment.participant_id == user.pk:
        return Access.READ
    return Access.NONE


def visible_enrolments(user) -> QuerySet[Enrolment]:
    """Enrolments a user may read (as `enrolment_access`): all for programme leads, their cohorts'
    for a cohort's own leads, and their own."""
    if not _active(user):
        return Enrolment.objects.none()
    if is_programme_lead(user):
        return Enrolment.objects.all()
    return Enrolment.objects.filter(Q(participant=user) | Q(cohort__in=Cohort.objects.filter(leads=user)))


def programme_access(user, programme: Programme) -> Access:
    """Programme leads add and change programmes; everyone signed in sees their names on cohort pages."""
    if not _active(user):
        return Access.NONE
    return Access.WRITE if is_programme_lead(user) else Access.SUMMARY


def get_programme_for_user(user, pk: int, need: Access = Access.READ) -> tuple[Programme, Access]:
    programme = get_object_or_404(Programme, pk=pk)
    return programme, require(programme_access(user, programme), need)
