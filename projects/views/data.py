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
from django_htmx.http import HttpResponseClientRefresh

from coachprog.exports import FORMATS as EXPORT_FORMATS
from coachprog.exports import table_response
from coachprog.permissions import Access
from projects.data_rules import range_text
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
from projects.periods import current_period, period_start, period_text
from projects.periods import next_period as period_after
from projects.permissions import (
    get_measure_for_user,
)
from projects.services import (
    ReplacementUnconfirmed,
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
    # From the start of the latest's period, so a point recorded before periods had to fit
    # (a Wednesday, say) still leads to a period that fits.
    following = period_after(period_start(latest, measure.frequency), measure.frequency)
    return following if following is not None and following <= today else None


def entry_form(measure: Measure, latest: date | None, data=None) -> DataPointForm:
    """The quick-entry form for one measure; ids are prefixed so several fit on one page."""
    return DataPointForm(
        data, measure=measure, initial={"period": next_period(measure, latest)}, auto_id=f"m{measure.pk}-%s"
    )


def _entry_page(request: HttpRequest, measure: Measure) -> tuple[str, str]:
    """Which page the quick entry came from, and its address (the project page unless it says so).

    A name rather than a posted address, so the redirect can only go to one of the two pages.
    """
    page = request.POST.get("return_to")
    if page == "measure":
        return page, f"{measure.get_absolute_url()}#data-entry"
    return "project", measure.project.get_absolute_url()


@require_POST
def data_point_add(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Quick entry of one period's value, from the project page or the measure's page.

    A period that has a value is not replaced until the person confirms "Replace 33 with 30":
    htmx swaps a confirm box into the entry form's place, a plain post gets a confirm page.
    """
    measure, _ = get_measure_for_user(request.user, project_pk, pk, need=Access.WRITE)
    page, back = _entry_page(request, measure)
    form = entry_form(measure, None, request.POST)
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
                replaces=data["replaces"] or None,
            )
        except ReplacementUnconfirmed as unconfirmed:
            return _replace_confirm(request, measure, form, unconfirmed, page, back)
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, errors in by_field.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            when = period_text(point.period)
            if point.replaced is not None:
                messages.success(
                    request,
                    f"Replaced {point.replaced} with {point.display_value} for {measure} ({when}); "
                    "its history keeps the earlier value.",
                )
            else:
                messages.success(request, f"Recorded {point.display_value} for {measure} ({when}).")
            # htmx posts from the page the person is on: reloading it shows the new point. (A redirect
            # to the same page with a #fragment would only scroll, and show nothing new.)
            return HttpResponseClientRefresh() if request.htmx else redirect(back)
    if request.htmx:
        # 200 even on error: htmx swaps only successful responses, and the form shows its errors.
        return render(
            request, "projects/_data_entry.html", {"measure": measure, "form": form, "return_to": page}
        )
    for field, errors in form.errors.items():
        label = form[field].label if field in form.fields else ""
        messages.error(request, f"{measure}: {label + ': ' if label else ''}{' '.join(errors)}")
    return redirect(back)


def _replace_confirm(
    request: HttpRequest,
    measure: Measure,
    form: DataPointForm,
    unconfirmed: ReplacementUnconfirmed,
    page: str,
    back: str,
) -> HttpResponse:
    """Ask before replacing: "3 Mar 2025 already has 33. Replace 33 with 30?"."""
    data = form.cleaned_data
    posted = {
        "period": data["period"].isoformat(),
        **{name: data[name] for name in ("value", "numerator", "denominator") if data.get(name) is not None},
        "note": data["note"],
        "replaces": unconfirmed.point.display_value,
        "return_to": page,
    }
    context = {
        "project": measure.project,
        "measure": measure,
        "existing": unconfirmed.point,
        "replacement": unconfirmed.replacement,
        "period": period_text(unconfirmed.point.period),
        "posted": posted,
        # The person agreed to replace another value, which changed before they confirmed.
        "changed_from": data["replaces"],
        "back": back,
    }
    template = "projects/_data_replace.html" if request.htmx else "projects/data_point_replace.html"
    return render(request, template, context)


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
            replaces = {date.fromisoformat(day): shown for day, shown in payload["replaces"].items()}
        except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
            messages.error(
                request, "That preview has expired or was changed; please paste or upload the data again."
            )
            return redirect("projects:data_import", project_pk=measure.project_id, pk=measure.pk)
        try:
            summary = data_points_import(
                measure=measure, rows=rows, recorded_by=request.user, replaces=replaces
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("projects:data_import", project_pk=measure.project_id, pk=measure.pk)
        done = f"Imported {len(rows)} period{pluralize(len(rows))} into {measure}: {summary.created} new"
        if summary.updated:
            done += f", {summary.updated} replaced (the history keeps the earlier values)"
        messages.success(request, f"{done}.")
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
    # What each previewed row replaces ({period: "33"}): the confirmation replaces only those values.
    existing: dict[date, str] = {}
    if preview:
        existing = {
            point.period: point.display_value
            for point in DataPoint.objects.filter(
                measure=measure, period__in=[r.period for r in preview.rows]
            )
        }
        if preview.ok:
            signed_rows = signing.dumps(
                {
                    "measure": measure.pk,
                    "rows": [row.as_dict() for row in preview.rows],
                    "replaces": {day.isoformat(): shown for day, shown in existing.items()},
                },
                salt=IMPORT_SIGNING_SALT,
                compress=True,
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
            "preview_rows": [(row, existing.get(row.period)) for row in preview.rows] if preview else [],
            "signed_rows": signed_rows,
            "columns": "period, numerator, denominator, note" if proportion else "period, value, note",
            "valid_range": range_text(measure.lowest_value, measure.highest_value),
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
