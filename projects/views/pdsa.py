"""PDSA cycles: a cycle's page, the timeline of ramps, and planning and recording cycles."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from coachprog.exports import FORMATS, table_response
from coachprog.permissions import Access
from projects.forms import (
    PDSACycleForm,
)
from projects.models import (
    PDSACycle,
    Project,
)
from projects.permissions import (
    get_pdsa_cycle_for_user,
    get_project_for_user,
)
from projects.services import (
    pdsa_cycle_create,
    pdsa_cycle_update,
)


@require_safe
def pdsa_detail(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    cycle, access = get_pdsa_cycle_for_user(request.user, project_pk, pk)
    return render(
        request,
        "projects/pdsa_detail.html",
        {
            "project": cycle.project,
            "cycle": cycle,
            "measures": cycle.measures.all(),
            "can_edit": access >= Access.WRITE,
        },
    )


# --- PDSA cycles ----------------------------------------------------------------------------------


def _ramps(cycles: list[PDSACycle]) -> list[list[PDSACycle]]:
    """Cycles grouped into ramps: each ramp starts with a cycle that follows none and runs along `follows`."""
    by_pk = {cycle.pk: cycle for cycle in cycles}
    followers: dict[int, list[PDSACycle]] = {}
    for cycle in cycles:
        if cycle.follows_id in by_pk:
            followers.setdefault(cycle.follows_id, []).append(cycle)
    ramps = []
    for first in (c for c in cycles if c.follows_id not in by_pk):
        ramp, queue = [], [first]
        while queue:
            cycle = queue.pop(0)
            ramp.append(cycle)
            queue.extend(followers.get(cycle.pk, []))
        ramps.append(ramp)
    return ramps


@require_safe
def pdsa_list(request: HttpRequest, project_pk: int) -> HttpResponse:
    """The project's PDSA cycles as a timeline, grouped into ramps."""
    project, access = get_project_for_user(request.user, project_pk)
    cycles = list(
        PDSACycle.objects.filter(project=project)
        .select_related("change_idea", "follows")
        .prefetch_related("measures")
        .order_by("starts_on", "number")
    )
    return render(
        request,
        "projects/pdsa_list.html",
        {"project": project, "ramps": _ramps(cycles), "cycles": cycles, "can_edit": access >= Access.WRITE},
    )


PDSA_HEADERS = [
    "PDSA",
    "Title",
    "Change idea",
    "Follows",
    "Status",
    "Start date",
    "Completed",
    "Measures it should move",
    "Question",
    "Prediction",
    "Who",
    "What",
    "Where",
    "When",
    "Data to collect",
    "What happened",
    "Observations",
    "Results against the prediction",
    "Decision",
    "Next step",
]


@require_safe
def pdsa_export(request: HttpRequest, project_pk: int, fmt: str) -> HttpResponse:
    """The project's PDSA cycles, Plan to Act, for everyone who sees the project (CSV or Excel)."""
    project, _ = get_project_for_user(request.user, project_pk)
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    cycles = (
        PDSACycle.objects.filter(project=project)
        .select_related("change_idea", "follows")
        .prefetch_related("measures")
        .order_by("number")
    )
    rows = [
        [
            cycle.number,
            cycle.title,
            cycle.change_idea.text if cycle.change_idea else "",
            f"PDSA {cycle.follows.number}" if cycle.follows else "",
            cycle.get_status_display(),
            cycle.starts_on,
            cycle.completed_on,
            ", ".join(measure.name for measure in cycle.measures.all()),
            cycle.plan_question,
            cycle.plan_prediction,
            cycle.plan_who,
            cycle.plan_what,
            cycle.plan_where,
            cycle.plan_when,
            cycle.plan_data,
            cycle.do_what_happened,
            cycle.do_observations,
            cycle.study_results,
            cycle.get_act_decision_display(),
            cycle.act_next_step,
        ]
        for cycle in cycles
    ]
    return table_response(
        headers=PDSA_HEADERS,
        rows=rows,
        filename=f"pdsa-cycles-project-{project.pk}",
        fmt=fmt,
        sheet="PDSA cycles",
    )


def _save_pdsa(
    request: HttpRequest, project: Project, cycle: PDSACycle | None
) -> HttpResponse | PDSACycleForm:
    """Validate and save the form through the services; the bound form (with errors) if that fails."""
    form = PDSACycleForm(request.POST, instance=cycle, project=project)
    if not form.is_valid():
        return form
    data = dict(form.cleaned_data)
    measures = data.pop("measures")
    try:
        with transaction.atomic():
            if cycle is None:
                plan = {
                    name.removeprefix("plan_"): data.pop(name)
                    for name in list(data)
                    if name.startswith("plan_")
                }
                first = {name: data.pop(name) for name in ("title", "change_idea", "follows", "starts_on")}
                cycle = pdsa_cycle_create(project=project, measures=measures, **first, **plan)
                # A cycle logged after the event arrives with its Do, Study and Act too.
                cycle = pdsa_cycle_update(cycle=cycle, **data)
                messages.success(request, f"Planned {cycle}.")
            else:
                cycle = pdsa_cycle_update(cycle=cycle, measures=measures, **data)
                messages.success(request, f"Saved {cycle}.")
    except ValidationError as error:
        for field, errors in (
            error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
        ):
            form.add_error(field if field in form.fields else None, errors)
        return form
    return redirect(cycle)


@require_http_methods(["GET", "HEAD", "POST"])
def pdsa_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project, _ = get_project_for_user(request.user, project_pk, need=Access.WRITE)
    initial = {"starts_on": timezone.localdate(), "change_idea": request.GET.get("change_idea") or None}
    form = PDSACycleForm(project=project, initial=initial)
    if request.method == "POST":
        result = _save_pdsa(request, project, None)
        if isinstance(result, HttpResponse):
            return result
        form = result
    return render(request, "projects/pdsa_form.html", {"project": project, "form": form, "cycle": None})


@require_http_methods(["GET", "HEAD", "POST"])
def pdsa_update(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    cycle, _ = get_pdsa_cycle_for_user(request.user, project_pk, pk, need=Access.WRITE)
    form = PDSACycleForm(instance=cycle, project=cycle.project)
    if request.method == "POST":
        result = _save_pdsa(request, cycle.project, cycle)
        if isinstance(result, HttpResponse):
            return result
        form = result
    return render(
        request, "projects/pdsa_form.html", {"project": cycle.project, "form": form, "cycle": cycle}
    )
