"""A measure's data: quick entry, import with a preview, removal of a point, and export."""

from datetime import date

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coachprog.exports import FORMATS as EXPORT_FORMATS
from coachprog.exports import table_response
from coachprog.permissions import Access
from projects.forms import (
    DataImportForm,
    DataPointForm,
)
from projects.imports import ImportFileError, ImportRow, read_text, read_upload
from projects.models import (
    DataPoint,
    Measure,
    MeasurePhase,
)
from projects.periods import current_period, period_text
from projects.periods import next_period as period_after
from projects.permissions import (
    get_measure_for_user,
)
from projects.services import (
    data_point_record,
    data_point_remove,
    data_points_import,
)

# --- Data entry, import and export -----------------------------------------------------------

IMPORT_SIGNING_SALT = "projects.data-import"
IMPORT_MAX_AGE = 60 * 60  # a preview can be confirmed for an hour


def next_period(measure: Measure, latest: date | None) -> date | None:
    """The period to suggest after `latest`, the measure's most recent one (the current one if none).

    None when that period has not started yet: the form then suggests nothing.
    """
    today = timezone.localdate()
    if latest is None:
        return current_period(measure.frequency, today)
    following = period_after(latest, measure.frequency)
    return following if following is not None and following <= today else None


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


@require_http_methods(["GET", "HEAD", "POST"])
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


@require_http_methods(["GET", "HEAD", "POST"])
def data_remove(request: HttpRequest, project_pk: int, pk: int, point_pk: int) -> HttpResponse:
    """Confirm, then remove one data point (a wrong one, say); its history keeps it."""
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    point = get_object_or_404(DataPoint, measure=measure, pk=point_pk)
    if request.method == "POST":
        try:
            data_point_remove(point=point, removed_by=request.user)
        except ValidationError as error:
            messages.error(request, f"The data point was not removed. {' '.join(error.messages)}")
        else:
            messages.success(
                request,
                f"Removed {point.display_value} for {period_text(point.period)} from {measure}; "
                "its history keeps it.",
            )
        return redirect(f"{measure.get_absolute_url()}#data-heading")
    position = DataPoint.objects.filter(measure=measure, period__lt=point.period).count()
    return render(
        request,
        "projects/data_point_remove.html",
        {
            "project": measure.project,
            "measure": measure,
            "point": point,
            "period": period_text(point.period),
            "phase": MeasurePhase.objects.filter(measure=measure, starts_on=point.period).first(),
            "in_baseline": measure.baseline_points is not None and position < measure.baseline_points,
        },
    )


@require_safe
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
