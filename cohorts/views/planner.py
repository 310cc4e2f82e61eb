"""The cohort planner: a cohort and its sessions on one page, edited inline with htmx or by plain posts.

Every action works both ways: with the HX-Request header it answers with a
partial for htmx to swap in; without it, it redirects back to the planner.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coachprog.permissions import Access, is_programme_lead
from cohorts.forms.planner import (
    CohortCopyForm,
    CohortDetailsForm,
    CohortPlanForm,
    SessionMaterialForm,
    SessionPlanForm,
)
from cohorts.models import Cohort, Enrolment, Session, SessionMaterial
from cohorts.permissions import get_cohort_for_user
from cohorts.planning import contact_days, copy_plan, plan_warnings
from cohorts.services.materials import session_material_add, session_material_remove
from cohorts.services.planner import cohort_copy, cohort_update, session_revise
from cohorts.services.schedule import cohort_create, session_cancel, session_schedule


def _planner_url(cohort: Cohort) -> str:
    return reverse("cohorts:planner", args=[cohort.pk])


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the named field where the form has it, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def plan_context(cohort: Cohort) -> dict:
    """Everything the plan partial shows, in a fixed number of queries."""
    sessions = list(
        Session.objects.filter(cohort=cohort)
        .prefetch_related("facilitators", "topics", "materials")
        .order_by("starts_at", "pk")
    )
    enrolled = Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED).values(
        "participant_id"
    )
    other_enrolments = list(
        Enrolment.objects.filter(participant_id__in=enrolled, status=Enrolment.Status.ENROLLED)
        .exclude(cohort=cohort)
        .select_related("participant")
    )
    other_sessions = list(
        Session.objects.filter(cohort_id__in={e.cohort_id for e in other_enrolments})
        .exclude(status=Session.Status.CANCELLED)
        .select_related("cohort")
    )
    topics = list(cohort.topics.all())
    return {
        "cohort": cohort,
        "sessions": sessions,
        "warnings": plan_warnings(
            cohort=cohort,
            sessions=sessions,
            topics=topics,
            other_enrolments=other_enrolments,
            other_sessions=other_sessions,
        ),
        "contact_days": contact_days(sessions),
        "topics": topics,
    }


def _plan_response(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    return render(request, "cohorts/planner/_plan.html", plan_context(cohort))


def _form_response(request: HttpRequest, form, *, cohort: Cohort, session=None, target: str) -> HttpResponse:
    """The session form partial with its errors, swapped in place of the form that was posted."""
    response = render(
        request, "cohorts/planner/_session_form.html", {"form": form, "cohort": cohort, "session": session}
    )
    response["HX-Retarget"] = target
    response["HX-Reswap"] = "outerHTML"
    return response


@require_http_methods(["GET", "POST"])
def planner_create(request: HttpRequest) -> HttpResponse:
    if not is_programme_lead(request.user):
        raise PermissionDenied("Only programme leads can create cohorts.")
    form = CohortPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = cohort_create(**form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{cohort} created. Now add its sessions.")
            return redirect(_planner_url(cohort))
    return render(request, "cohorts/planner/cohort_form.html", {"form": form})


@require_safe
def planner(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    context = plan_context(cohort)
    context["form"] = SessionPlanForm(cohort=cohort)
    return render(request, "cohorts/planner/planner.html", context)


@require_http_methods(["GET", "POST"])
def planner_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    form = SessionPlanForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_schedule(
                cohort=cohort,
                facilitators=data["facilitators"],
                topics=data["topics"],
                **form.session_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                return _plan_response(request, cohort)
            messages.success(request, f"“{session.title}” added.")
            return redirect(_planner_url(cohort))
    if request.htmx:
        return _form_response(request, form, cohort=cohort, target="#session-add")
    return render(request, "cohorts/planner/session_form.html", {"form": form, "cohort": cohort})


@require_http_methods(["GET", "POST"])
def planner_details(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort's own details: dates, capacity, status, leads, topics and completion rule."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    form = CohortDetailsForm(request.POST or None, initial=CohortDetailsForm.initial_for(cohort))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        leads, topics = fields.pop("leads"), fields.pop("topics")
        try:
            cohort = cohort_update(
                cohort=cohort, updated_by=request.user, leads=leads, topics=topics, **fields
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{cohort} saved.")
            return redirect(_planner_url(cohort))
    return render(request, "cohorts/planner/details_form.html", {"form": form, "cohort": cohort})


def _get_session(cohort: Cohort, session_pk: int) -> Session:
    return get_object_or_404(Session, cohort=cohort, pk=session_pk)


@require_http_methods(["GET", "POST"])
def planner_session_edit(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Edit or move a session (a move is a change of date or times)."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    session = _get_session(cohort, session_pk)
    form = SessionPlanForm(request.POST or None, cohort=cohort, initial=SessionPlanForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session_revise(
                session=session,
                facilitators=data["facilitators"],
                topics=data["topics"],
                **form.session_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                return _plan_response(request, cohort)
            messages.success(request, f"“{session.title}” saved.")
            return redirect(_planner_url(cohort))
    if request.htmx:
        return _form_response(request, form, cohort=cohort, session=session, target=f"#session-{session.pk}")
    return render(
        request, "cohorts/planner/session_form.html", {"form": form, "cohort": cohort, "session": session}
    )


@require_POST
def planner_session_cancel(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    session = _get_session(cohort, session_pk)
    try:
        session_cancel(session=session)
    except ValidationError as error:
        if not request.htmx:
            messages.error(request, " ".join(error.messages))
    else:
        if not request.htmx:
            messages.success(request, f"“{session.title}” cancelled.")
    if request.htmx:
        return _plan_response(request, cohort)
    return redirect(_planner_url(cohort))


@require_http_methods(["GET", "POST"])
def planner_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """New cohort from this one: pick a start date, review each copied session's date, then save."""
    source, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    sessions = list(
        Session.objects.filter(cohort=source).exclude(status=Session.Status.CANCELLED).order_by("starts_at")
    )
    form = CohortCopyForm(request.POST or None, source=source)
    plan, shift = [], None
    if request.method == "POST" and form.is_valid():
        shift, plan = copy_plan(sessions, new_start=form.cleaned_data["new_start"])
        if "confirm" not in request.POST:
            # The preview: each copied session's date, ready for the lead to adjust.
            form = CohortCopyForm(initial=form.cleaned_data, source=source, plan=plan)
        elif (form := CohortCopyForm(request.POST, source=source, plan=plan)).is_valid():
            try:
                cohort = cohort_copy(
                    source=source,
                    programme=source.programme,
                    number=form.cleaned_data["number"],
                    name=form.cleaned_data["name"],
                    starts_on=source.starts_on + shift,
                    ends_on=source.ends_on + shift,
                    days=form.days(),
                    leads=[request.user],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"{cohort} created from {source}.")
                return redirect(_planner_url(cohort))
    return render(
        request,
        "cohorts/planner/copy.html",
        {"form": form, "source": source, "plan": plan, "shift_weeks": shift.days // 7 if shift else None},
    )


@require_http_methods(["GET", "POST"])
def planner_material_add(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Attach a file or a link to a session (a plain multipart post: it works without JavaScript)."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    session = _get_session(cohort, session_pk)
    form = SessionMaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            material = session_material_add(session=session, added_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{material.title}” added to {session.title}.")
            return redirect(f"{_planner_url(cohort)}#session-{session.pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cohorts/planner/material_form.html",
        {"form": form, "cohort": cohort, "session": session},
        status=status,
    )


@require_POST
def planner_material_remove(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    material = get_object_or_404(
        SessionMaterial.objects.select_related("session"), session__cohort=cohort, pk=material_pk
    )
    session_material_remove(material=material)
    if request.htmx:
        return _plan_response(request, cohort)
    messages.success(request, f"“{material.title}” removed from {material.session.title}.")
    return redirect(f"{_planner_url(cohort)}#session-{material.session_id}")
