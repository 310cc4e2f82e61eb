"""Programmes: a programme lead adds and changes them (name, description, prerequisite courses)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from coachprog.permissions import Access, is_programme_lead
from cohorts.forms.programmes import ProgrammeForm
from cohorts.models import Programme
from cohorts.permissions import get_programme_for_user
from cohorts.services import programme_create, programme_update

PROGRAMMES_PER_PAGE = 25


def _require_lead(request: HttpRequest) -> None:
    if not is_programme_lead(request.user):
        raise PermissionDenied("Only programme leads add and change programmes.")


def _add_errors(form: ProgrammeForm, refused: ValidationError) -> None:
    if hasattr(refused, "error_dict"):
        for name, errors in refused.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refused)


@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    """Every programme with its cohorts' count and latest cohort, for programme leads."""
    _require_lead(request)
    programmes = Programme.objects.annotate(
        cohort_count=Count("cohorts", distinct=True), latest_cohort=Max("cohorts__number")
    ).order_by("name", "pk")
    page = Paginator(programmes, PROGRAMMES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cohorts/programmes/list.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
def programme_create_view(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(**form.cleaned_data)
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, f"{programme} added. Now plan its first cohort.")
            return redirect("cohorts:programme_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "cohorts/programmes/form.html", {"form": form, "programme": None}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def programme_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme, _ = get_programme_for_user(request.user, pk, need=Access.WRITE)
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_for(programme))
    if request.method == "POST" and form.is_valid():
        try:
            programme_update(programme=programme, **form.cleaned_data)
        except ValidationError as refused:
            programme.refresh_from_db()
            _add_errors(form, refused)
        else:
            messages.success(request, f"{programme} saved.")
            return redirect("cohorts:programme_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cohorts/programmes/form.html", {"form": form, "programme": programme}, status=status
    )
