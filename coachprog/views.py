"""Project-wide views that belong to no domain app: health, object history, and people's data."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from coachprog.history import tracked_model, versions
from coachprog.permissions import is_programme_lead
from coachprog.privacy import erasure_blockers, is_erased, person_data_export, person_erase

PEOPLE_PER_PAGE = 50


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: one database round trip, a tiny JSON body."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _require_programme_lead(request: HttpRequest) -> None:
    if not is_programme_lead(request.user):
        raise PermissionDenied("Only programme leads can see this page.")


@require_GET
def object_history(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """Every version of one object, with who made it and what changed (programme leads only)."""
    _require_programme_lead(request)
    model = tracked_model(label)
    if model is None:
        raise Http404("No history is kept for that kind of record.")
    found = versions(model, pk)
    current = model._default_manager.filter(pk=pk).first()
    if not found and current is None:
        raise Http404("No history for that record.")
    # A record with no versions (loaded in bulk, or made before history was kept) says so.
    return render(
        request,
        "history/object_history.html",
        {"versions": found, "object": current, "verbose_name": model._meta.verbose_name, "pk": pk},
    )


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """People, to find one whose data to export or who has left (programme leads only)."""
    _require_programme_lead(request)
    query = request.GET.get("q", "").strip()[:100]
    people = get_user_model().objects.select_related("organisation_unit").order_by("display_name", "email")
    if query:
        people = people.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "privacy/person_list.html", {"page": page, "query": query})


def _json_download(data: dict, filename: str) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A subject access request: what is stored about one person that they and the lead may both read.

    What only the person may read (their private reflections) stays out, and the file says so:
    the person downloads that themselves from My data.
    """
    _require_programme_lead(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    filename = f"coachprog-person-{person.pk}-{timezone.localdate():%Y-%m-%d}.json"
    return _json_download(person_data_export(person, reader=request.user), filename)


@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Anyone signed in: what their own data download holds, and the button to download it."""
    return render(request, "privacy/my_data.html")


@require_GET
def my_data_export(request: HttpRequest) -> HttpResponse:
    """The signed-in person's complete copy of their data, with what only they may read."""
    filename = f"coachprog-my-data-{timezone.localdate():%Y-%m-%d}.json"
    return _json_download(person_data_export(request.user), filename)


@require_http_methods(["GET", "POST"])
def person_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a person who has left: GET explains and lists what must happen first; POST erases."""
    _require_programme_lead(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    blockers = [] if is_erased(person) else erasure_blockers(person)
    if request.method == "POST":
        if request.POST.get("confirm_email", "").strip().lower() != person.email.lower():
            messages.error(request, "Type the person's e-mail address exactly to confirm the erasure.")
        else:
            name = str(person)
            try:
                person_erase(person=person, erased_by=request.user)
            except ValidationError as refused:
                for message in refused.messages:
                    messages.error(request, message)
            else:
                messages.success(request, f"{name} has been erased. Their records now show “{person}”.")
                return redirect("person_list")
    return render(
        request,
        "privacy/person_erase.html",
        {"person": person, "blockers": blockers, "erased": is_erased(person)},
        status=400 if request.method == "POST" else 200,
    )
