"""Project pages: the list a user may see, a project, a measure and a PDSA cycle."""

from datetime import date, timedelta

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from coachprog.exports import FORMATS as EXPORT_FORMATS
from coachprog.exports import table_response
from coachprog.permissions import Access
from projects.charts import date_text, measure_chart
from projects.driver_diagram import driver_diagram_svg, driver_tree
from projects.forms import (
    BaselineFreezeForm,
    ChartNoteForm,
    DataImportForm,
    DataPointForm,
    DriverNodeForm,
    MeasureForm,
    PDSACycleForm,
    PhaseAddForm,
    ProgressScoreForm,
    chart_errors_text,
)
from projects.imports import ImportFileError, ImportRow, read_text, read_upload
from projects.listing import (
    filter_projects,
    is_stalled,
    project_list_columns,
    project_list_filters,
    stalled_cutoff,
)
from projects.models import (
    DataPoint,
    DriverNode,
    Measure,
    MeasurePhase,
    PDSACycle,
    ProgressScoreChange,
    Project,
    TeamMembership,
)
from projects.panels import project_panels
from projects.permissions import (
    get_measure_for_user,
    get_pdsa_cycle_for_user,
    get_project_for_user,
    visible_projects,
)
from projects.services import (
    chart_note_add,
    data_point_record,
    data_points_import,
    driver_node_add,
    driver_node_remove,
    driver_node_update,
    measure_baseline_clear,
    measure_baseline_freeze,
    measure_phase_add,
    measure_phase_remove,
    pdsa_cycle_create,
    pdsa_cycle_update,
    progress_score_change,
)
from projects.services import measure_create as measure_create_service
from projects.services import measure_update as measure_update_service

PAGE_SIZE = 25


def _listed_projects(request: HttpRequest):
    """The projects the user may see, filtered by the query string, with the list's columns."""
    visible = visible_projects(request.user)
    projects = filter_projects(visible.select_related("directorate", "sponsor"), request.GET).order_by(
        "title"
    )
    filters = [
        {
            "name": f.name,
            "label": f.label,
            "choices": f.choices(request.user, visible),
            "selected": request.GET.get(f.name, ""),
        }
        for f in project_list_filters()
    ]
    return projects, filters, project_list_columns()


def _column_values(columns, projects: list[Project]) -> None:
    """Attach each extra column's text to the projects shown (one query or so per column)."""
    values = [column.values(projects) for column in columns]
    for project in projects:
        project.extra_columns = [column_values.get(project.pk, "") for column_values in values]


def project_list(request: HttpRequest) -> HttpResponse:
    projects, filters, columns = _listed_projects(request)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    _column_values(columns, list(page.object_list))
    cutoff = stalled_cutoff()
    for project in page.object_list:
        project.stalled = is_stalled(project, cutoff)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {"page": page, "filters": filters, "columns": columns, "query": query.urlencode()},
    )


def project_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered project list as CSV or Excel, every page."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown export format.")
    projects, _, columns = _listed_projects(request)
    projects = list(projects)
    _column_values(columns, projects)
    cutoff = stalled_cutoff()
    headers = [
        "Project",
        "Directorate",
        "Sponsor",
        *[c.label for c in columns],
        "Status",
        "Progress score",
        "Score since",
        "Stalled",
        "Aim",
        "Start date",
    ]
    rows = [
        [
            p.title,
            p.directorate.name,
            str(p.sponsor),
            *p.extra_columns,
            p.get_status_display(),
            p.progress_score,
            p.score_since,
            "yes" if is_stalled(p, cutoff) else "no",
            p.aim_statement,
            p.started_on,
        ]
        for p in projects
    ]
    filename = f"projects-{timezone.localdate():%Y-%m-%d}"
    return table_response(headers=headers, rows=rows, filename=filename, fmt=fmt, sheet="Projects")


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project, access = get_project_for_user(request.user, pk)
    project.score_since = (
        ProgressScoreChange.objects.filter(project=project)
        .order_by("-changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    latest_points = DataPoint.objects.order_by("-period")
    measures = list(
        Measure.objects.filter(project=project)
        .annotate(point_count=Count("data_points"))
        .prefetch_related(Prefetch("data_points", queryset=latest_points, to_attr="points_newest_first"))
    )
    if access >= Access.WRITE:
        for measure in measures:
            latest = measure.points_newest_first[0].period if measure.points_newest_first else None
            measure.entry_form = entry_form(measure, latest)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "can_edit": access >= Access.WRITE,
            "team": TeamMembership.objects.filter(project=project).select_related("person"),
            "measures": measures,
            "cycles": PDSACycle.objects.filter(project=project).select_related("change_idea", "follows"),
            "score_history": ProgressScoreChange.objects.filter(project=project)
            .select_related("changed_by")
            .order_by("-changed_at")[:10],
            "panels": project_panels(request, project, access),
            "stalled": is_stalled(project, stalled_cutoff()),
            "score_form": ProgressScoreForm(initial={"score": project.progress_score})
            if access >= Access.WRITE
            else None,
        },
    )


def measure_detail(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """The measure's chart, its signals in words, the decisions about it and its data table."""
    measure, access = get_measure_for_user(request.user, project_pk, pk)
    chart = measure_chart(measure)
    context = {
        "project": measure.project,
        "measure": measure,
        "chart": chart,
        "can_edit": access >= Access.WRITE,
    }
    if context["can_edit"]:
        context.update(_chart_forms(chart))
    return render(request, "projects/measure_detail.html", context)


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


# --- Data entry, import and export -----------------------------------------------------------

IMPORT_SIGNING_SALT = "projects.data-import"
IMPORT_MAX_AGE = 60 * 60  # a preview can be confirmed for an hour


def next_period(measure: Measure, latest: date | None) -> date:
    """The period after `latest`, the measure's most recent one (this week or month if there is none)."""
    today = timezone.localdate()
    if measure.frequency == Measure.Frequency.MONTHLY:
        if latest is None:
            return today.replace(day=1)
        return (latest.replace(day=28) + timedelta(days=4)).replace(day=1)
    if measure.frequency == Measure.Frequency.DAILY:
        return latest + timedelta(days=1) if latest else today
    return latest + timedelta(weeks=1) if latest else today - timedelta(days=today.weekday())


def entry_form(measure: Measure, latest: date | None, data=None) -> DataPointForm:
    """The quick-entry form for one measure; ids are prefixed so several fit on one page."""
    return DataPointForm(
        data, measure=measure, initial={"period": next_period(measure, latest)}, auto_id=f"m{measure.pk}-%s"
    )


@require_POST
def data_point_add(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Quick entry of one period's value from the project page."""
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    form = DataPointForm(request.POST, measure=measure)
    if form.is_valid():
        data = form.cleaned_data
        try:
            point = data_point_record(
                measure=measure,
                period=data["period"],
                recorded_by=request.user,
                value=data.get("value"),
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Recorded {point.display_value} for {measure} ({point.period:%-d %b %Y})."
            )
            return redirect(measure.project)
    for field, errors in form.errors.items():
        label = form[field].label if field in form.fields else ""
        messages.error(request, f"{measure}: {label + ': ' if label else ''}{' '.join(errors)}")
    return redirect(measure.project)


def data_import(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Paste or upload many periods, see a preview with every bad row named, then import all or nothing."""
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    form = DataImportForm()
    preview = None
    signed_rows = ""
    if request.method == "POST" and "confirm" in request.POST:
        try:
            payload = signing.loads(
                request.POST.get("rows", ""), salt=IMPORT_SIGNING_SALT, max_age=IMPORT_MAX_AGE
            )
            if payload["measure"] != measure.pk:
                raise signing.BadSignature("rows were prepared for another measure")
            rows = [ImportRow.from_dict(row) for row in payload["rows"]]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            messages.error(
                request, "That preview has expired or was changed; please paste or upload the data again."
            )
            return redirect("projects:data_import", project_pk=measure.project_id, pk=measure.pk)
        try:
            summary = data_points_import(measure=measure, rows=rows, recorded_by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("projects:data_import", project_pk=measure.project_id, pk=measure.pk)
        messages.success(
            request,
            f"Imported {len(rows)} period{pluralize(len(rows))} into {measure}: "
            f"{summary.created} new, {summary.updated} corrected.",
        )
        return redirect(measure)
    if request.method == "POST":
        form = DataImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                if upload:
                    preview = read_upload(measure, upload.name, upload.read())
                else:
                    preview = read_text(measure, form.cleaned_data["text"])
            except ImportFileError as error:
                form.add_error("file" if upload else "text", str(error))
            else:
                if preview.ok:
                    signed_rows = signing.dumps(
                        {"measure": measure.pk, "rows": [row.as_dict() for row in preview.rows]},
                        salt=IMPORT_SIGNING_SALT,
                        compress=True,
                    )
    existing = set()
    if preview:
        existing = set(
            DataPoint.objects.filter(
                measure=measure, period__in=[r.period for r in preview.rows]
            ).values_list("period", flat=True)
        )
    proportion = measure.value_type == Measure.ValueType.PROPORTION
    return render(
        request,
        "projects/data_import.html",
        {
            "project": measure.project,
            "measure": measure,
            "form": form,
            "preview": preview,
            "existing": existing,
            "signed_rows": signed_rows,
            "columns": "period, numerator, denominator, note" if proportion else "period, value, note",
        },
    )


def data_export(request: HttpRequest, project_pk: int, pk: int, fmt: str) -> HttpResponse:
    measure, _ = get_measure_for_user(request.user, project_pk, pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown export format.")
    points = DataPoint.objects.filter(measure=measure).order_by("period")
    proportion = measure.value_type == Measure.ValueType.PROPORTION
    headers = ["period", "numerator", "denominator", "note"] if proportion else ["period", "value", "note"]
    rows = (
        [(p.period, p.numerator, p.denominator, p.note) for p in points]
        if proportion
        else [(p.period, p.value, p.note) for p in points]
    )
    return table_response(
        headers=headers, rows=rows, filename=slugify(f"{measure.project} {measure}")[:80], fmt=fmt
    )


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


@require_POST
def progress_score_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the project's progress score; who, when and why go into its history."""
    project, _ = get_project_for_user(request.user, pk, need=Access.WRITE)
    form = ProgressScoreForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form[field].label}: {' '.join(errors)}")
        return redirect(project)
    change = progress_score_change(
        project=project,
        score=form.cleaned_data["score"],
        changed_by=request.user,
        reason=form.cleaned_data["reason"],
    )
    if change is None:
        messages.info(request, f"The progress score is already {project.progress_score}; nothing changed.")
    else:
        messages.success(request, f"Progress score changed from {change.previous_score} to {change.score}.")
    return redirect(project)


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


# --- Driver diagram -----------------------------------------------------------------------------

CHILD_KIND = {
    None: DriverNode.Kind.PRIMARY,
    DriverNode.Kind.PRIMARY: DriverNode.Kind.SECONDARY,
    DriverNode.Kind.SECONDARY: DriverNode.Kind.CHANGE_IDEA,
}


def driver_diagram(request: HttpRequest, project_pk: int) -> HttpResponse:
    """The driver diagram, drawn and as an editable tree; change ideas link to the cycles that test them."""
    project, access = get_project_for_user(request.user, project_pk)
    nodes = list(
        DriverNode.objects.filter(project=project).prefetch_related(
            Prefetch("pdsa_cycles", queryset=PDSACycle.objects.order_by("number"))
        )
    )
    tree = driver_tree(project, nodes)
    return render(
        request,
        "projects/driver_diagram.html",
        {
            "project": project,
            "tree": tree,
            "svg": mark_safe(driver_diagram_svg(tree)),  # noqa: S308 - every text in it is escaped
            "can_edit": access >= Access.WRITE,
        },
    )


@require_POST
def driver_node_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project, _ = get_project_for_user(request.user, project_pk, need=Access.WRITE)
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(DriverNode, project=project, pk=request.POST["parent"])
    form = DriverNodeForm(request.POST)
    if form.is_valid():
        try:
            node = driver_node_add(
                project=project,
                kind=CHILD_KIND[parent.kind if parent else None],
                text=form.cleaned_data["text"],
                parent=parent,
            )
        except (ValidationError, KeyError) as error:
            messages.error(request, " ".join(getattr(error, "messages", ["Change ideas have no children."])))
        else:
            messages.success(request, f"Added {node.get_kind_display().lower()} “{node}”.")
    else:
        messages.error(request, f"Text: {' '.join(form.errors['text'])}")
    return redirect("projects:driver_diagram", project_pk=project.pk)


@require_POST
def driver_node_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project, _ = get_project_for_user(request.user, project_pk, need=Access.WRITE)
    node = get_object_or_404(DriverNode, project=project, pk=pk)
    form = DriverNodeForm(request.POST)
    if "remove" in request.POST:
        try:
            driver_node_remove(node=node)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Removed “{node.text}”.")
    elif form.is_valid():
        driver_node_update(node=node, text=form.cleaned_data["text"])
        messages.success(request, f"Saved “{node}”.")
    else:
        messages.error(request, f"Text: {' '.join(form.errors['text'])}")
    return redirect("projects:driver_diagram", project_pk=project.pk)


# --- Measures -----------------------------------------------------------------------------------


def _measure_form_page(request, project, measure, form) -> HttpResponse:
    return render(
        request, "projects/measure_form.html", {"project": project, "measure": measure, "form": form}
    )


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
