"""Attendance pages: a session's register, the cohort's matrix and export, and a participant's own view."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coachprog.exports import table_response
from coachprog.permissions import Access
from cohorts.attendance import (
    CompletionRule,
    active_enrolments,
    attendance_matrix,
    cell_for,
    export_rows,
    participant_row,
    register_enrolments,
    register_row_prepare,
    session_started,
)
from cohorts.forms.attendance import ApologiesForm, AttendanceForm
from cohorts.models import Attendance, Enrolment, Session
from cohorts.permissions import can_manage_cohort, get_cohort_for_user, get_session_for_user
from cohorts.services.attendance import (
    apologies_send,
    attendance_record,
    attendance_record_all_present,
    register_closed_reason,
)


def _register_url(session: Session) -> str:
    return reverse("cohorts:register", args=[session.cohort_id, session.pk])


def register_statuses(session: Session) -> list[tuple[str, str]]:
    """The buttons a register row offers: every status once the session has started, else apologies."""
    if session_started(session):
        return Attendance.Status.choices
    return [(Attendance.Status.APOLOGIES.value, Attendance.Status.APOLOGIES.label)]


@require_safe
def register(request: HttpRequest, cohort_pk: int, pk: int) -> HttpResponse:
    session, _ = get_session_for_user(request.user, cohort_pk, pk, need=Access.WRITE)
    return render(
        request,
        "cohorts/attendance/register.html",
        {
            "session": session,
            "cohort": session.cohort,
            "enrolments": register_enrolments(session),
            "statuses": register_statuses(session),
            "not_open": register_closed_reason(session),
            # Facilitators take their session's register; the cohort's matrix is for its leads.
            "can_manage_cohort": can_manage_cohort(request.user, session.cohort),
        },
    )


@require_POST
def register_record(request: HttpRequest, cohort_pk: int, pk: int, enrolment_pk: int) -> HttpResponse:
    session, _ = get_session_for_user(request.user, cohort_pk, pk, need=Access.WRITE)
    enrolment = get_object_or_404(active_enrolments(session.cohort), pk=enrolment_pk)
    form = AttendanceForm(request.POST)
    error = ""
    if session.status == Session.Status.CANCELLED:
        error = "This session was cancelled, so it has no register."
    elif not form.is_valid():
        error = "Choose one of the attendance statuses."
    else:
        try:
            attendance_record(
                session=session,
                enrolment=enrolment,
                status=form.cleaned_data["status"],
                recorded_by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
    if request.htmx:
        enrolment.at_session = list(
            Attendance.objects.filter(session=session, enrolment=enrolment).select_related("recorded_by")
        )
        register_row_prepare(enrolment, session)
        return render(
            request,
            "cohorts/attendance/_register_row.html",
            {
                "session": session,
                "cohort": session.cohort,
                "e": enrolment,
                "statuses": register_statuses(session),
                "error": error,
            },
        )  # 200 even on error: htmx swaps only successful responses, and the row shows the error
    if error:
        messages.error(request, error)
    else:
        label = Attendance.Status(form.cleaned_data["status"]).label
        messages.success(request, f"Saved: {enrolment.participant} – {label}.")
    return redirect(_register_url(session))


@require_POST
def register_all_present(request: HttpRequest, cohort_pk: int, pk: int) -> HttpResponse:
    session, _ = get_session_for_user(request.user, cohort_pk, pk, need=Access.WRITE)
    try:
        marked = attendance_record_all_present(session=session, recorded_by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Marked {marked} participant{'s' if marked != 1 else ''} present.")
    return redirect(_register_url(session))


@require_safe
def matrix(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    return render(
        request,
        "cohorts/attendance/matrix.html",
        {"cohort": cohort, "matrix": attendance_matrix(cohort)},
    )


@require_safe
def matrix_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    if fmt not in {"csv", "xlsx"}:
        raise Http404("Unknown export format.")
    headers, rows = export_rows(attendance_matrix(cohort))
    return table_response(
        headers=headers,
        rows=rows,
        filename=f"cohort-{cohort.number}-attendance",
        fmt=fmt,
        sheet="Attendance",
    )


def _own_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    cohort, _ = get_cohort_for_user(request.user, pk)
    enrolment = (
        Enrolment.objects.filter(cohort=cohort, participant=request.user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("cohort__programme", "participant")
        .first()
    )
    if enrolment is None:
        raise Http404("You are not enrolled in this cohort.")
    return enrolment


@require_safe
def my_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _own_enrolment(request, pk)
    now = timezone.now()
    completion_row = participant_row(enrolment, now=now)  # as the lead's matrix shows it
    sessions = enrolment.cohort.sessions.prefetch_related("materials").order_by("starts_at")
    records = {a.session_id: a for a in Attendance.objects.filter(enrolment=enrolment)}
    rows = []
    for session in sessions:
        cancelled = session.status == Session.Status.CANCELLED
        cell = None if cancelled else cell_for(session, enrolment, records.get(session.pk), now)
        can_apologise = (
            not cancelled
            and session.starts_at > now
            and enrolment.status == Enrolment.Status.ENROLLED
            and not (cell and cell.attendance and cell.attendance.status == Attendance.Status.APOLOGIES)
        )
        rows.append({"session": session, "cell": cell, "can_apologise": can_apologise})
    return render(
        request,
        "cohorts/attendance/my_attendance.html",
        {
            "cohort": enrolment.cohort,
            "enrolment": enrolment,
            "rows": rows,
            "form": ApologiesForm(),
            "completion": completion_row,
            "rule": CompletionRule.for_cohort(enrolment.cohort),
        },
    )


@require_POST
def apologies(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    enrolment = _own_enrolment(request, pk)
    session = get_object_or_404(Session, cohort=enrolment.cohort, pk=session_pk)
    form = ApologiesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your message is too long: at most 300 characters.")
    else:
        try:
            apologies_send(session=session, participant=request.user, note=form.cleaned_data["note"])
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, f"Apologies sent for {session.title}. The programme lead can see them.")
    return redirect("cohorts:my_attendance", pk=enrolment.cohort_id)
