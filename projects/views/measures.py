"""A measure's page with its chart, the chart decisions (baseline, phases, notes), and measure forms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coachprog.permissions import Access
from projects.charts import date_text, measure_chart
from projects.forms import (
    BaselineFreezeForm,
    ChartNoteForm,
    MeasureForm,
    PhaseAddForm,
    chart_errors_text,
)
from projects.models import (
    DataPoint,
    Measure,
    MeasurePhase,
)
from projects.periods import period_fits, period_text
from projects.permissions import (
    get_measure_for_user,
    get_project_for_user,
)
from projects.services import (
    chart_note_add,
    measure_baseline_clear,
    measure_baseline_freeze,
    measure_phase_add,
    measure_phase_remove,
)
from projects.services import measure_create as measure_create_service
from projects.services import measure_update as measure_update_service
from projects.views.data import entry_form


@require_safe
def measure_detail(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """The measure's chart, its signals in words, the decisions about it and its data table."""
    measure, access = get_measure_for_user(request.user, project_pk, pk)
    chart = measure_chart(measure)
    periods = [point.period for point in chart.points]
    context = {
        "project": measure.project,
        "measure": measure,
        "chart": chart,
        "can_edit": access >= Access.WRITE,
        # Points recorded before periods had to fit the frequency (a Wednesday for a weekly measure).
        "misfits": [period_text(day) for day in periods if not period_fits(day, measure.frequency)],
    }
    if context["can_edit"]:
        context.update(_chart_forms(chart))
        context["entry_form"] = entry_form(measure, periods[-1] if periods else None)
    return render(request, "projects/measure_detail.html", context)


# --- Chart decisions: a frozen baseline, new phases and notes, each a person's with a reason ---------


def _chart_forms(chart) -> dict:
    """The measure page's small chart forms, offering only the choices the rules allow."""
    periods = [point.period for point in chart.points]
    starts = [row.position for row in chart.phases if row.position is not None]
    return {
        "baseline_form": BaselineFreezeForm(
            prefix="baseline", point_count=len(periods), first_phase_start=min(starts, default=None)
        ),
        "phase_form": PhaseAddForm(
            prefix="phase",
            periods=periods,
            labels=[row.label for row in chart.rows] or [date_text(p) for p in periods],
            taken=[row.phase.starts_on for row in chart.phases],
            baseline_points=chart.measure.baseline_points,
        ),
        "note_form": ChartNoteForm(prefix="note"),
    }


def _back_to_chart(measure: Measure) -> HttpResponse:
    return redirect(f"{measure.get_absolute_url()}#chart-decisions")


@require_POST
def baseline_freeze(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    points = list(
        DataPoint.objects.filter(measure=measure).values_list("period", flat=True).order_by("period")
    )
    first_phase = (
        MeasurePhase.objects.filter(measure=measure, starts_on__in=points[1:]).order_by("starts_on").first()
    )
    form = BaselineFreezeForm(
        request.POST,
        prefix="baseline",
        point_count=len(points),
        first_phase_start=points.index(first_phase.starts_on) if first_phase else None,
    )
    if not form.is_valid():
        messages.error(request, f"The baseline was not frozen. {chart_errors_text(form)}")
        return _back_to_chart(measure)
    try:
        measure_baseline_freeze(
            measure=measure,
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
            set_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, f"The baseline was not frozen. {chart_errors_text(error)}")
    else:
        count = measure.baseline_points
        last = date_text(points[count - 1])
        messages.success(request, f"Baseline frozen at the first {count} point{pluralize(count)}, to {last}.")
    return _back_to_chart(measure)


@require_POST
def baseline_clear(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    measure_baseline_clear(measure=measure)
    messages.success(request, "The baseline is no longer frozen: the centre line comes from every point.")
    return _back_to_chart(measure)


@require_POST
def phase_add(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    periods = list(
        DataPoint.objects.filter(measure=measure).values_list("period", flat=True).order_by("period")
    )
    form = PhaseAddForm(
        request.POST,
        prefix="phase",
        periods=periods,
        labels=[date_text(period) for period in periods],
        taken=list(MeasurePhase.objects.filter(measure=measure).values_list("starts_on", flat=True)),
        baseline_points=measure.baseline_points,
    )
    if not form.is_valid():
        messages.error(request, f"No new phase was started. {chart_errors_text(form)}")
        return _back_to_chart(measure)
    try:
        phase = measure_phase_add(
            measure=measure,
            starts_on=form.cleaned_data["starts_on"],
            reason=form.cleaned_data["reason"],
            created_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, f"No new phase was started. {chart_errors_text(error)}")
    else:
        messages.success(
            request, f"New phase from {date_text(phase.starts_on)}: the chart is recalculated from there."
        )
    return _back_to_chart(measure)


@require_POST
def phase_remove(request: HttpRequest, project_pk: int, pk: int, phase_pk: int) -> HttpResponse:
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    phase = get_object_or_404(MeasurePhase, measure=measure, pk=phase_pk)
    measure_phase_remove(phase=phase)
    messages.success(request, f"The phase from {date_text(phase.starts_on)} is removed.")
    return _back_to_chart(measure)


@require_POST
def note_add(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    form = ChartNoteForm(request.POST, prefix="note")
    if not form.is_valid():
        messages.error(request, f"The note was not added. {chart_errors_text(form)}")
        return _back_to_chart(measure)
    try:
        note = chart_note_add(
            measure=measure,
            on=form.cleaned_data["on"],
            text=form.cleaned_data["text"],
            created_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, f"The note was not added. {chart_errors_text(error)}")
    else:
        messages.success(request, f"Note added at {date_text(note.on)}.")
    return _back_to_chart(measure)


# --- Measures -----------------------------------------------------------------------------------


def _measure_form_page(request, project, measure, form) -> HttpResponse:
    return render(
        request, "projects/measure_form.html", {"project": project, "measure": measure, "form": form}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def measure_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project, _ = get_project_for_user(request.user, project_pk, need=Access.WRITE)
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_create_service(project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Added the measure “{measure}”.")
            return redirect(measure)
    return _measure_form_page(request, project, None, form)


@require_http_methods(["GET", "HEAD", "POST"])
def measure_update(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        try:
            measure_update_service(measure=Measure.objects.get(pk=measure.pk), **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved the measure “{measure}”.")
            return redirect(measure)
    return _measure_form_page(request, measure.project, measure, form)
