"""Cohort pages: the cohorts a user may see, a cohort's schedule, and one session."""

import re

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from coachprog.permissions import Access, is_programme_lead
from cohorts.attendance import CompletionRule, attendance_matrix, enrolment_counts, participant_row
from cohorts.models import Application, Attendance, CohortCalendarToken, Enrolment, Session, SessionMaterial
from cohorts.permissions import get_cohort_for_user, get_session_for_user, open_cohorts, visible_cohorts
from cohorts.services.applications import cohort_is_full, with_places_taken

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
CALENDAR_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


COHORTS_PER_PAGE = 25


@require_safe
def cohort_list(request: HttpRequest) -> HttpResponse:
    """The cohorts the user may see, newest first, a page at a time (a network runs hundreds), and the
    open cohorts anyone may apply to."""
    page = Paginator(
        visible_cohorts(request.user).select_related("programme").order_by("-starts_on", "-pk"),
        COHORTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    cohorts = list(page.object_list)
    # The same places and completion figures as the cohort page and the programme page, for this page's.
    counts = enrolment_counts(cohorts)
    for cohort in cohorts:
        cohort.counts = counts[cohort.pk]
    # Open cohorts are advertised to all staff, so anyone can find one to apply to (a full one
    # says its applications join the wait-list).
    advertised = (
        with_places_taken(open_cohorts())
        .exclude(pk__in=Application.objects.filter(applicant=request.user).values("cohort_id"))
        .select_related("programme")
        .order_by("starts_on")
    )
    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "cohorts": cohorts,
            "page": page,
            "advertised": advertised,
            "perms_plan": is_programme_lead(request.user),
        },
    )


@require_safe
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, access = get_cohort_for_user(request.user, pk)
    sessions = Session.objects.filter(cohort=cohort).prefetch_related("topics").order_by("starts_at")
    enrolments = None
    counts = None
    mine = None
    my_row = None
    my_attendance = {}
    if access >= Access.WRITE:
        # Completion as the attendance matrix works it out, so both pages say the same.
        matrix = attendance_matrix(cohort)
        counts = matrix.counts
        enrolments = list(
            Enrolment.objects.filter(cohort=cohort)
            .select_related("participant__organisation_unit")
            .order_by("participant__display_name", "pk")
        )
        for enrolment in enrolments:
            enrolment.row = matrix.row_for(enrolment.pk)
    else:
        mine = (
            Enrolment.objects.filter(cohort=cohort, participant=request.user)
            .select_related("cohort", "participant")
            .first()
        )
        if mine:
            my_attendance = {a.session_id: a for a in Attendance.objects.filter(enrolment=mine)}
            if mine.status != Enrolment.Status.WITHDRAWN:
                my_row = participant_row(mine)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "sessions": [(s, my_attendance.get(s.pk)) for s in sessions],
            "enrolments": enrolments,
            "counts": counts,
            "my_row": my_row,
            "rule": CompletionRule.for_cohort(cohort),
            "can_manage": access >= Access.WRITE,
            # The cohort's subscription link, which its leads issue, replace and switch off here.
            "calendar_token": CohortCalendarToken.objects.filter(cohort=cohort).first()
            if access >= Access.WRITE
            else None,
            "full": cohort.status == cohort.Status.OPEN and access < Access.WRITE and cohort_is_full(cohort),
            "is_participant": mine is not None,
            "topics": cohort.topics.all(),
            "contact_days": sum(
                1 for s in sessions if s.kind == Session.Kind.WORKSHOP and s.status == "scheduled"
            ),
        },
    )


@require_safe
def session_detail(request: HttpRequest, cohort_pk: int, pk: int) -> HttpResponse:
    session, access = get_session_for_user(request.user, cohort_pk, pk)
    register = None
    if access >= Access.WRITE:
        register = (
            Enrolment.objects.filter(cohort=session.cohort)
            .select_related("participant")
            .prefetch_related(
                Prefetch(
                    "attendance", queryset=Attendance.objects.filter(session=session), to_attr="at_session"
                )
            )
            .order_by("participant__display_name")
        )
    return render(
        request,
        "cohorts/session_detail.html",
        {
            "session": session,
            "cohort": session.cohort,
            "facilitators": session.facilitators.all(),
            "topics": session.topics.all(),
            "materials": session.materials.all(),
            "register": register,
            "can_manage": access >= Access.WRITE,
        },
    )


# --- calendar feeds ----------------------------------------------------------------------


@require_safe
def material_open(request: HttpRequest, cohort_pk: int, session_pk: int, pk: int) -> HttpResponse:
    """A session's material, for those who may see the session: the file as a download, or the link."""
    session, _ = get_session_for_user(request.user, cohort_pk, session_pk)
    material = get_object_or_404(SessionMaterial, session=session, pk=pk)
    if material.url:
        return redirect(material.url)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("This file is no longer stored.") from missing
    # Always a download, never rendered in the browser, whatever was uploaded.
    return FileResponse(handle, as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])
