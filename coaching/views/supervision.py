"""Supervision logs: the coach records them; the supervisor reads them and adds a note."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coaching.forms import SupervisionLogForm, SupervisorNoteForm
from coaching.permissions import (
    can_add_supervisor_note,
    can_read_reflection,
    get_supervision_log_for_user,
    require_role,
    visible_supervision_logs,
)
from coaching.roles import Role, roles_for
from coaching.services import supervision_log_create, supervision_log_update, supervision_note_set
from coachprog.history import field_changes
from coachprog.permissions import Access

# Never the reflection: the history does not keep it, and it is private to the coach.
SUPERVISION_HISTORY_FIELDS = ["held_on", "kind", "themes", "will_try", "supervisor_note"]


def _service_fields(form: SupervisionLogForm) -> dict:
    return {name: form.cleaned_data[name] for name in SupervisionLogForm.Meta.fields}


def _refused(form, refused: ValidationError) -> None:
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused)
        return
    for field, errors in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


LOGS_PER_PAGE = 50


@require_safe
def supervision_list(request: HttpRequest) -> HttpResponse:
    """A coach's own supervision, or a QI lead's supervisees' (reflections are on each log's page)."""
    require_role(request.user, Role.COACH, Role.QI_LEAD, Role.PROGRAMME_LEAD)
    logs = (
        visible_supervision_logs(request.user)
        .select_related("coach", "supervisor")
        .order_by("-held_on", "-pk")
    )
    page = Paginator(logs, LOGS_PER_PAGE).get_page(request.GET.get("page"))
    can_log = Role.COACH in roles_for(request.user)
    return render(
        request,
        "coaching/supervision_list.html",
        {"logs": page.object_list, "page": page, "can_log": can_log},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def supervision_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COACH)
    form = SupervisionLogForm(request.POST or None, coach=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            log = supervision_log_create(coach=request.user, **_service_fields(form))
        except ValidationError as refused:
            _refused(form, refused)
        else:
            messages.success(request, f"Supervision on {log.held_on:%-d %b %Y} logged.")
            return redirect(log)
    return render(request, "coaching/supervision_form.html", {"form": form, "log": None})


@require_http_methods(["GET", "HEAD", "POST"])
def supervision_update(request: HttpRequest, pk: int) -> HttpResponse:
    log, _ = get_supervision_log_for_user(request.user, pk, need=Access.WRITE)
    form = SupervisionLogForm(request.POST or None, instance=log, coach=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            supervision_log_update(log=log, editor=request.user, **_service_fields(form))
        except ValidationError as refused:
            _refused(form, refused)
        else:
            messages.success(request, "Supervision log updated.")
            return redirect(log)
    return render(request, "coaching/supervision_form.html", {"form": form, "log": log})


@require_safe
def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    log, access = get_supervision_log_for_user(request.user, pk)
    can_add_note = can_add_supervisor_note(request.user, log)
    return render(
        request,
        "coaching/supervision_detail.html",
        {
            "log": log,
            "can_edit": access >= Access.WRITE,
            "show_reflection": can_read_reflection(request.user, log),
            "can_add_note": can_add_note,
            "note_form": SupervisorNoteForm(initial={"supervisor_note": log.supervisor_note})
            if can_add_note
            else None,
            "changes": field_changes(log, fields=SUPERVISION_HISTORY_FIELDS),
        },
    )


@require_POST
def supervision_note(request: HttpRequest, pk: int) -> HttpResponse:
    log, _ = get_supervision_log_for_user(request.user, pk)
    if not can_add_supervisor_note(request.user, log):
        raise PermissionDenied("Only the coach's supervisor adds a note.")
    form = SupervisorNoteForm(request.POST)
    if form.is_valid():
        try:
            supervision_note_set(log=log, supervisor=request.user, note=form.cleaned_data["supervisor_note"])
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, "Your note is saved.")
    else:
        messages.error(request, "Write the note before saving it.")
    return redirect(log)
