"""Applying to a cohort, the applicant's own applications, the lead's table and page for one
application (with the line manager's request), and the line manager's link."""

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coachprog.exports import FORMATS, table_response
from coachprog.permissions import Access
from cohorts.exports import application_rows, participant_rows
from cohorts.forms.applications import (
    ApplicationDecisionForm,
    ApplicationForm,
    BulkDecisionForm,
    ManagerReassignForm,
    ManagerResponseForm,
)
from cohorts.models import Application, Cohort, Enrolment, Session
from cohorts.participant_actions import attach_participant_actions
from cohorts.permissions import get_cohort_for_applicant, get_cohort_for_user
from cohorts.services.applications import (
    DECIDABLE,
    MANAGER_LINK_MAX_AGE,
    ManagerLinkReplaced,
    application_decide,
    application_from_manager_token,
    application_manager_reassign,
    application_manager_resend,
    application_manager_respond,
    application_missing_prerequisites,
    application_submit,
    application_unmet_rules,
    cohort_closed_reason,
    cohort_enrolled_count,
    enrolment_withdraw,
    line_manager_refusal,
    waitlist,
)

APPLICATIONS_PER_PAGE = 50
ATTENDANCE_KINDS = [Session.Kind.INDUCTION, Session.Kind.WORKSHOP, Session.Kind.ACTION_LEARNING_SET]


@require_http_methods(["GET", "HEAD", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    # Any signed-in member of staff may apply to an open cohort; the page shows only what an
    # advert would: the programme, dates and session dates.
    cohort = get_cohort_for_applicant(request.user, pk)
    existing = Application.objects.filter(cohort=cohort, applicant=request.user).first()
    refusal = None if existing else cohort_closed_reason(cohort)
    # A full cohort still takes applications, onto its wait-list: the page says so before anyone applies.
    enrolled = cohort_enrolled_count(cohort)
    form = ApplicationForm(request.POST or None, cohort=cohort, applicant=request.user)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            application = application_submit(cohort=cohort, applicant=request.user, **form.cleaned_data)
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                form.add_error(None, refused)
            else:
                refusal = " ".join(refused.messages)
        else:
            if application.status == Application.Status.WAITLISTED:
                messages.success(
                    request,
                    f"{cohort} is full, so your application is on the wait-list. "
                    "We have asked your line manager to approve it and sent you an e-mail saying so.",
                )
            else:
                messages.success(
                    request,
                    f"Your application to {cohort} has been sent. "
                    "We have asked your line manager to approve it.",
                )
            return redirect("cohorts:my_applications")
    sessions = Session.objects.filter(
        cohort=cohort, kind__in=ATTENDANCE_KINDS, status=Session.Status.SCHEDULED
    ).order_by("starts_at")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cohorts/applications/apply.html",
        {
            "cohort": cohort,
            "form": form,
            "refusal": refusal,
            "existing": existing,
            "sessions": sessions,
            "full": enrolled >= cohort.capacity,
            "waiting": waitlist(cohort).count() if enrolled >= cohort.capacity else 0,
        },
        status=status,
    )


def _waiting_ahead(cohort, since, pk) -> Q:
    """Wait-listed applications to the cohort ahead of one in the line: waited longer, or as long
    and sent first. The arguments are values, or OuterRefs to ask it of every row of a query."""
    return Q(cohort=cohort, status=Application.Status.WAITLISTED) & (
        Q(waitlisted_at__lt=since) | Q(waitlisted_at=since, pk__lt=pk)
    )


@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    """The applicant's own applications, each with where it honestly stands and what it waits for."""
    # How many wait ahead of each wait-listed application, counted in the query for every row at once.
    ahead = (
        Application.objects.filter(
            _waiting_ahead(OuterRef("cohort"), OuterRef("waitlisted_at"), OuterRef("pk"))
        )
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    applications = (
        Application.objects.filter(applicant=request.user)
        .select_related("cohort__programme", "enrolment")
        .annotate(waiting_ahead=Coalesce(Subquery(ahead), 0))
        .order_by("-created_at", "-pk")
    )
    rows = [
        (
            application,
            application_missing_prerequisites(application) if application.status in DECIDABLE else [],
        )
        for application in applications
    ]
    return render(request, "cohorts/applications/mine.html", {"rows": rows})


@require_http_methods(["GET", "HEAD", "POST"])
def application_list(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    form = BulkDecisionForm(request.POST or None, cohort=cohort)
    if request.method == "POST":
        if form.is_valid():
            _decide_in_bulk(request, form)
            return redirect(request.get_full_path())
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    chosen = _status_filter(request)
    applications = Application.objects.filter(cohort=cohort).exclude(status=Application.Status.DRAFT)
    counts = dict(applications.values_list("status").annotate(n=Count("pk")).order_by())
    if chosen:
        applications = applications.filter(status=chosen)
    applications = applications.select_related("applicant", "directorate", "decided_by").order_by(
        "submitted_at", "pk"
    )
    filters = [
        (value, label, counts.get(value, 0))
        for value, label in Application.Status.choices
        if value != Application.Status.DRAFT
    ]
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    courses = cohort.programme.prerequisite_courses
    # What each one lacks, at a glance: only decisions still to make can be overridden.
    rows = [
        (
            application,
            application_missing_prerequisites(application, courses),
            application_unmet_rules(application, courses) if application.status in DECIDABLE else [],
        )
        for application in page.object_list
    ]
    return render(
        request,
        "cohorts/applications/list.html",
        {
            "cohort": cohort,
            "page": page,
            "rows": rows,
            "filters": filters,
            "chosen": chosen,
            "total": sum(counts.values()),
            "enrolled": cohort_enrolled_count(cohort),
            "decisions": BulkDecisionForm.DECISIONS,
            "form": form,
        },
    )


def _status_filter(request: HttpRequest) -> str:
    chosen = request.GET.get("status", "")
    return chosen if chosen in Application.Status.values and chosen != Application.Status.DRAFT else ""


@require_safe
def applications_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The applications table as CSV or Excel, for the people who run the cohort (with the page's filter)."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    headers, rows = application_rows(cohort, status=_status_filter(request))
    return table_response(
        headers=headers,
        rows=rows,
        filename=f"cohort-{cohort.number}-applications",
        fmt=fmt,
        sheet="Applications",
    )


@require_safe
def participants_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The participants as CSV or Excel, for the people who run the cohort."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    headers, rows = participant_rows(cohort)
    return table_response(
        headers=headers,
        rows=rows,
        filename=f"cohort-{cohort.number}-participants",
        fmt=fmt,
        sheet="Participants",
    )


@dataclass
class EarlierManager:
    name: str
    email: str
    asked_at: datetime
    times_asked: int
    replaced_at: datetime


def _earlier_managers(application: Application) -> list[EarlierManager]:
    """The line managers asked before the current one, oldest first, read from the kept history."""
    rounds: dict[int, EarlierManager] = {}
    records = application.history.order_by("history_date", "history_id").values_list(
        "manager_reassignments",
        "line_manager_name",
        "line_manager_email",
        "manager_asked_at",
        "manager_times_asked",
        "history_date",
    )
    for number, name, email, asked_at, times_asked, when in records:
        if number in rounds:
            earlier = rounds[number]
            earlier.name, earlier.email = name, email
            earlier.times_asked = max(earlier.times_asked, times_asked)
        else:
            # Versions from before requests were counted have no time or count: the version's date, once.
            rounds[number] = EarlierManager(name, email, asked_at or when, max(times_asked, 1), when)
    numbers = sorted(rounds)
    earlier = []
    for number, following in pairwise(numbers):
        if number < application.manager_reassignments:
            manager = rounds[number]
            manager.replaced_at = rounds[following].asked_at
            earlier.append(manager)
    return earlier


def _application_page(
    request: HttpRequest,
    cohort: Cohort,
    application: Application,
    form: ManagerReassignForm,
    status: int = 200,
    decision_form: ApplicationDecisionForm | None = None,
) -> HttpResponse:
    awaiting = application.awaits_manager
    expires_at = (
        application.manager_last_asked_at + MANAGER_LINK_MAX_AGE
        if application.manager_last_asked_at
        else None
    )
    problem = None
    if awaiting:
        # Applications sent before the rule may still name the applicant: say so, and offer the fix.
        problem = line_manager_refusal(
            applicant=application.applicant,
            cohort=cohort,
            email=application.line_manager_email,
            named_by_applicant=False,
        )
    courses = cohort.programme.prerequisite_courses or []
    ticked = (
        application.prerequisites_completed if isinstance(application.prerequisites_completed, list) else []
    )
    decidable = application.status in DECIDABLE
    position = None
    if application.status == Application.Status.WAITLISTED:
        position = (
            Application.objects.filter(
                _waiting_ahead(application.cohort_id, application.waitlisted_at, application.pk)
            ).count()
            + 1
        )
    return render(
        request,
        "cohorts/applications/detail.html",
        {
            "cohort": cohort,
            "application": application,
            # Each of the programme's courses, ticked or not, then anything else the applicant ticked.
            "prerequisites": [(course, course in ticked) for course in courses],
            "other_courses": [course for course in ticked if course not in courses],
            "unmet": application_unmet_rules(application, courses) if decidable else [],
            "decision_form": (decision_form or ApplicationDecisionForm()) if decidable else None,
            "waitlist_position": position,
            "awaiting": awaiting,
            "link_expires_at": expires_at,
            "link_expired": bool(expires_at and timezone.now() > expires_at),
            "problem": problem,
            "earlier_managers": _earlier_managers(application),
            "form": form,
        },
        status=status,
    )


def _lead_application(request: HttpRequest, pk: int, application_pk: int) -> tuple[Cohort, Application]:
    """An application in a cohort the user runs (404 for outsiders, 403 for others who see the cohort)."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    application = get_object_or_404(
        Application.objects.select_related("applicant", "directorate", "decided_by").exclude(
            status=Application.Status.DRAFT
        ),
        cohort=cohort,
        pk=application_pk,
    )
    application.cohort = cohort
    return cohort, application


@require_safe
def application_detail(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """One application, for the cohort's leads: its answers, and who was asked to approve it and when."""
    cohort, application = _lead_application(request, pk, application_pk)
    return _application_page(request, cohort, application, ManagerReassignForm(application=application))


@require_POST
def application_decide_view(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """A lead's decision on one application, from its page; against the rules only with a reason."""
    cohort, application = _lead_application(request, pk, application_pk)
    if application.status not in DECIDABLE:  # decided already, or withdrawn: nothing to decide
        messages.error(
            request,
            f"This application is {application.get_status_display().lower()}; it is not awaiting a decision.",
        )
        return redirect("cohorts:application", pk=cohort.pk, application_pk=application.pk)
    form = ApplicationDecisionForm(request.POST)
    if form.is_valid():
        try:
            application = application_decide(
                application=application,
                decision=form.cleaned_data["decision"],
                decided_by=request.user,
                override_reason=form.reason_to_record(),
            )
        except ValidationError as refused:
            form.add_error(None, refused)  # the missing reason lands on its field
        else:
            messages.success(request, _decided_message(application))
            return redirect("cohorts:application", pk=cohort.pk, application_pk=application.pk)
    return _application_page(
        request, cohort, application, ManagerReassignForm(application=application), 400, decision_form=form
    )


def _decided_message(application: Application) -> str:
    applicant, cohort = application.applicant, application.cohort
    if application.status == Application.Status.ACCEPTED:
        told = f"{applicant} is accepted and enrolled in {cohort}, and has been told by e-mail."
        return (
            f"{told} The reason for accepting anyway is kept with the decision."
            if application.override_reason
            else told
        )
    if application.status == Application.Status.WAITLISTED:
        return f"{applicant} is on the wait-list for {cohort}, and has been told by e-mail."
    return f"{applicant}'s application is declined, and they have been told by e-mail."


@require_POST
def application_manager_resend_view(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """Send the line manager a fresh link; they are probably busy, not gone."""
    cohort, application = _lead_application(request, pk, application_pk)
    try:
        application = application_manager_resend(application=application, resent_by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            f"A new link has gone to {application.line_manager_name} ({application.line_manager_email}).",
        )
    return redirect("cohorts:application", pk=cohort.pk, application_pk=application.pk)


@require_POST
def application_manager_reassign_view(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """Ask someone else to approve: the links sent to the line manager asked until now stop working."""
    cohort, application = _lead_application(request, pk, application_pk)
    form = ManagerReassignForm(request.POST, application=application)
    if form.is_valid():
        previous = application.line_manager_name
        try:
            application = application_manager_reassign(
                application=application, reassigned_by=request.user, **form.cleaned_data
            )
        except ValidationError as refused:
            if not hasattr(refused, "error_dict"):  # no longer awaiting: nothing to reassign
                messages.error(request, " ".join(refused.messages))
                return redirect("cohorts:application", pk=cohort.pk, application_pk=application.pk)
            form.add_error(None, refused)  # each refusal lands on its field
        else:
            messages.success(
                request,
                f"{application.line_manager_name} ({application.line_manager_email}) has been asked to "
                f"approve the application; the links sent to {previous} no longer work.",
            )
            return redirect("cohorts:application", pk=cohort.pk, application_pk=application.pk)
    return _application_page(request, cohort, application, form, status=400)


@require_safe
def participant_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort's participants, enrolled first, with a withdraw button for each enrolled one."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .select_related("participant__organisation_unit", "application")
        .order_by("participant__display_name", "pk")
    )
    enrolled = [e for e in enrolments if e.status == Enrolment.Status.ENROLLED]
    others = [e for e in enrolments if e.status != Enrolment.Status.ENROLLED]
    attach_participant_actions(request.user, cohort, others)  # "Make coach" for those who completed
    waiting = Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED).count()
    # Places taken as every page counts them: everyone not withdrawn (cohort_enrolled_count).
    places_taken = sum(1 for e in enrolments if e.status != Enrolment.Status.WITHDRAWN)
    return render(
        request,
        "cohorts/applications/participants.html",
        {
            "cohort": cohort,
            "enrolled": enrolled,
            "others": others,
            "waiting": waiting,
            "places_taken": places_taken,
        },
    )


@require_POST
def participant_withdraw(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    """Withdraw a participant; the freed place goes to the longest-waiting applicant."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("participant"), cohort=cohort, pk=enrolment_pk
    )
    try:
        promoted = enrolment_withdraw(enrolment=enrolment, withdrawn_by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"{enrolment.participant} withdrawn from {cohort}.")
        if promoted is not None:
            messages.info(request, f"{promoted.applicant} moved up from the wait-list and is now enrolled.")
        elif waitlist(cohort).exists():
            # Nobody waiting meets the rules: a lead decides, with a reason.
            messages.warning(
                request,
                "Nobody on the wait-list moved up: each still needs their line manager's approval or a "
                "prerequisite. Accept one from the applications table, giving the reason.",
            )
    return redirect("cohorts:participants", pk=cohort.pk)


def _decide_in_bulk(request: HttpRequest, form: BulkDecisionForm) -> None:
    """Decide each application on its own, so one refusal (a full cohort, a rule not met without a
    reason) does not undo the others."""
    decision = form.cleaned_data["decision"]
    label = {
        Application.Status.ACCEPTED: "accepted",
        Application.Status.WAITLISTED: "wait-listed",
        Application.Status.DECLINED: "declined",
    }[decision]
    for application in form.cleaned_data["applications"]:
        try:
            application = application_decide(
                application=application,
                decision=decision,
                decided_by=request.user,
                override_reason=form.reason_to_record(),
            )
        except ValidationError as refused:
            messages.error(request, f"{application.applicant}: not {label}. {' '.join(refused.messages)}")
        else:
            messages.success(request, f"{application.applicant}: {application.get_status_display().lower()}.")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_manager_respond_view(request: HttpRequest, token: str) -> HttpResponse:
    """The line manager's link: no account, the signed token is the only key; GET shows, POST answers."""
    try:
        application = application_from_manager_token(token)
    except signing.SignatureExpired:
        return _manager_link_problem(request, expired=True)
    except ManagerLinkReplaced:
        return _manager_link_problem(request, expired=False, replaced=True)
    except signing.BadSignature:
        return _manager_link_problem(request, expired=False)
    form = ManagerResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_manager_respond(
                application=application, approve=form.cleaned_data["decision"] == "approve"
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Thank you: your answer has been recorded.")
            return redirect(reverse("cohorts:application_manager_respond", args=[token]))
    response = render(
        request,
        "cohorts/applications/manager_respond.html",
        {
            "application": application,
            "cohort": application.cohort,
            "form": form,
            "awaiting": application.awaits_manager,
        },
        status=400 if form.errors else 200,
    )
    _no_index(response)
    return response


def _manager_link_problem(request: HttpRequest, *, expired: bool, replaced: bool = False) -> HttpResponse:
    status = 410 if expired or replaced else 400
    response = render(
        request,
        "cohorts/applications/manager_link_invalid.html",
        {"expired": expired, "replaced": replaced},
        status=status,
    )
    _no_index(response)
    return response


def _no_index(response: HttpResponse) -> None:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
