"""The cohort planner: a cohort and its sessions on one page, edited inline with htmx or by plain posts.

Every action works both ways: with the HX-Request header it answers with a
partial for htmx to swap in; without it, it redirects back to the planner.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coachprog.bank_holidays import nation_name
from coachprog.forms import people_picker_answer
from coachprog.permissions import Access, is_programme_lead
from cohorts.forms.planner import (
    NUMBER_MAX,
    PEOPLE_FIELDS,
    CohortCopyForm,
    CohortDetailsForm,
    CohortPlanForm,
    SessionMaterialForm,
    SessionPlanForm,
)
from cohorts.models import Cohort, Enrolment, Session, SessionMaterial
from cohorts.permissions import can_plan_cohorts, get_cohort_for_user
from cohorts.planning import contact_days, copy_plan, plan_warnings
from cohorts.services.materials import session_material_add, session_material_remove
from cohorts.services.planner import cohort_copy, cohort_update, next_cohort_number, session_revise
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


def plan_context(cohort: Cohort, *, added: Session | None = None) -> dict:
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
        "scheduled_count": sum(1 for s in sessions if s.status == Session.Status.SCHEDULED),
        "nation": nation_name(),
        "added": added,
    }


def _plan_response(
    request: HttpRequest,
    cohort: Cohort,
    *,
    status: str = "",
    level: str = "success",
    added: Session | None = None,
) -> HttpResponse:
    """The plan partial for htmx; `status` goes to the page's live region, and after an add
    a fresh form replaces the one just posted (both out of band)."""
    context = plan_context(cohort, added=added)
    context["status"] = status
    context["status_level"] = level
    if added is not None:
        context["fresh_form"] = SessionPlanForm(cohort=cohort)
    return render(request, "cohorts/planner/_plan_update.html", context)


def _when(session: Session) -> str:
    starts = timezone.localtime(session.starts_at)
    return f"{starts:%a} {starts.day} {starts:%b %Y}, {starts:%H:%M}"


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


@require_safe
def planner_people(request: HttpRequest) -> HttpResponse:
    """The type-ahead of the planner's leads and facilitators fields (htmx): at most ten matches.

    Only for those who choose these people on the planner, and they already find anyone who can
    sign in by typing; the plain form post needs none of it.
    """
    if not can_plan_cohorts(request.user):
        raise PermissionDenied("Only programme leads and cohort leads choose leads and facilitators.")
    name = request.GET.get("name", "")
    if name not in PEOPLE_FIELDS:
        return HttpResponseBadRequest("Say which of the planner's people fields: leads or facilitators.")
    return people_picker_answer(request, field=PEOPLE_FIELDS[name], name=name)


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
            added = f"“{session.title}” added: {_when(session)}."
            if request.htmx:
                return _plan_response(request, cohort, status=added, added=session)
            messages.success(request, added)
            return redirect(f"{_planner_url(cohort)}#session-{session.pk}")
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
            saved = f"“{session.title}” saved: {_when(session)}."
            if request.htmx:
                return _plan_response(request, cohort, status=saved)
            messages.success(request, saved)
            return redirect(f"{_planner_url(cohort)}#session-{session.pk}")
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
        status, level = " ".join(error.messages), "danger"
        if not request.htmx:
            messages.error(request, status)
    else:
        status, level = f"“{session.title}” cancelled.", "success"
        if not request.htmx:
            messages.success(request, status)
    if request.htmx:
        return _plan_response(request, cohort, status=status, level=level)
    return redirect(_planner_url(cohort))


@require_http_methods(["GET", "POST"])
def planner_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """New cohort from this one: pick a start date, review each copied session's date, then save."""
    source, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    sessions = list(
        Session.objects.filter(cohort=source).exclude(status=Session.Status.CANCELLED).order_by("starts_at")
    )
    suggested = {"number": min(next_cohort_number(source.programme), NUMBER_MAX)}
    form = CohortCopyForm(request.POST or None, source=source, initial=suggested)
    plan, shift = [], None
    if request.method == "POST" and form.is_valid():
        shift, plan = copy_plan(
            sessions, new_start=form.cleaned_data["new_start"], first_day=source.starts_on
        )
        if "confirm" not in request.POST:
            # The preview: each copied session's date, ready for the lead to adjust.
            form = CohortCopyForm(initial=form.cleaned_data, source=source, plan=plan)
        elif (form := CohortCopyForm(request.POST, source=source, plan=plan)).is_valid():
            try:
                copied = cohort_copy(
                    source=source,
                    programme=source.programme,
                    number=form.cleaned_data["number"],
                    name=form.cleaned_data["name"],
                    starts_on=source.starts_on + shift,
                    ends_on=source.ends_on + shift,
                    days=form.days(),
                    leads=[request.user],
                    copied_by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{copied.cohort} created from {source}, with its sessions, teaching materials "
                    "and completion rule.",
                )
                if copied.materials_missing:
                    messages.warning(
                        request,
                        "Not copied, because the file is no longer stored: "
                        f"{'; '.join(copied.materials_missing)}. Add them again on the planner.",
                    )
                return redirect(_planner_url(copied.cohort))
    return render(
        request,
        "cohorts/planner/copy.html",
        {
            "form": form,
            "source": source,
            "plan": plan,
            "previewed": shift is not None,
            "nation": nation_name(),
            "shift_weeks": shift.days // 7 if shift is not None else None,
        },
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
        return _plan_response(
            request, cohort, status=f"“{material.title}” removed from {material.session.title}."
        )
    messages.success(request, f"“{material.title}” removed from {material.session.title}.")
    return redirect(f"{_planner_url(cohort)}#session-{material.session_id}")
