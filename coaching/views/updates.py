"""Monthly updates: the coach drafts beside the month's facts; the sponsor reads, acknowledges, replies."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coaching.forms import MonthlyUpdateForm, MonthlyUpdateStartForm, UpdateCommentForm
from coaching.models import MonthlyUpdate, UpdateComment
from coaching.permissions import (
    can_discuss_update,
    can_write_monthly_update,
    get_monthly_update_for_user,
    get_project_for_monthly_update,
    get_update_for_comment,
    get_update_for_sponsor,
)
from coaching.reports import meeting_cadence, month_facts, pdsa_timeline, project_charts
from coaching.services import (
    monthly_update_acknowledge,
    monthly_update_draft,
    monthly_update_edit,
    monthly_update_latest_ready,
    monthly_update_mark_ready,
    update_comment_add,
)
from coachprog.permissions import Access


def _errors_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _refused(form: MonthlyUpdateForm, refused: ValidationError) -> None:
    """Put the service's reasons on the fields they are about."""
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused)
        return
    for field, errors in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_POST
def monthly_update_write(request: HttpRequest, project_pk: int) -> HttpResponse:
    """Open the month's draft (this month unless a month is posted) and go to its form."""
    project = get_project_for_monthly_update(request.user, project_pk)
    form = MonthlyUpdateStartForm(request.POST)
    month = form.cleaned_data["month"] if form.is_valid() else timezone.localdate()
    try:
        update = monthly_update_draft(project=project, month=month, author=request.user)
    except ValidationError as refused:
        messages.error(request, f"The update was not opened. {_errors_text(refused)}")
        return redirect(project)
    return redirect("coaching:monthly_update_edit", pk=update.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def monthly_update_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's form beside the month's facts; "Mark ready" saves, then locks it for the sponsor."""
    # Only a draft is writable: a ready update answers 403 (it is locked; open a new version).
    update, _ = get_monthly_update_for_user(request.user, pk, need=Access.WRITE)
    form = MonthlyUpdateForm(request.POST or None, update=update)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                monthly_update_edit(update=update, **form.cleaned_data)
                if request.POST.get("action") == "ready":
                    monthly_update_mark_ready(update=update)
        except ValidationError as refused:
            update.refresh_from_db()  # the rolled-back save: show the stored draft's state
            _refused(form, refused)
        else:
            if update.status == MonthlyUpdate.Status.READY:
                messages.success(request, "Update marked ready: the sponsor can read it now.")
                return redirect(update)
            messages.success(request, "Draft saved.")
            return redirect("coaching:monthly_update_edit", pk=update.pk)
    return render(
        request,
        "coaching/monthly_update_form.html",
        {"update": update, "form": form, "facts": month_facts(update.project, update.month)},
    )


@require_safe
def monthly_update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report: narrative, ask, the month's facts, charts, PDSA timeline, meeting dates, comments."""
    update, access = get_monthly_update_for_user(request.user, pk)
    project = update.project
    charts = project_charts(project)
    discuss = can_discuss_update(request.user, update)
    latest = monthly_update_latest_ready(project=project, month=update.month)
    return render(
        request,
        "coaching/monthly_update_detail.html",
        {
            "update": update,
            "can_edit": access >= Access.WRITE,
            # A ready update is locked; its coaches change it by opening a new version.
            "can_version": update.status == MonthlyUpdate.Status.READY
            and can_write_monthly_update(request.user, project),
            "facts": month_facts(project, update.month, charts=charts),
            "charts": charts,
            "cadence": meeting_cadence(project, update.month),
            "cycles": pdsa_timeline(project),
            "newer": latest if latest and latest.version > update.version else None,
            "can_acknowledge": update.status == MonthlyUpdate.Status.READY
            and project.sponsor_id == request.user.pk
            and update.acknowledged_at is None
            and not project.is_archived,
            "can_discuss": discuss,
            "comments": UpdateComment.objects.filter(update=update).select_related("author")
            if discuss
            else [],
            # An archived project's conversation is kept, and closed.
            "comment_form": UpdateCommentForm() if discuss and not project.is_archived else None,
        },
    )


@require_POST
def monthly_update_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    update = get_update_for_sponsor(request.user, pk)
    monthly_update_acknowledge(update=update, sponsor=request.user)
    messages.success(request, "Thank you: the coach can see you have read the update.")
    return redirect(update)


@require_POST
def monthly_update_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply on the update; the coaches hear of it by e-mail."""
    update = get_update_for_comment(request.user, pk)
    form = UpdateCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The comment was not sent. Write your comment before sending it.")
        return redirect(f"{update.get_absolute_url()}#comments")
    try:
        comment = update_comment_add(update=update, author=request.user, body=form.cleaned_data["body"])
    except ValidationError as refused:
        messages.error(request, f"The comment was not sent. {_errors_text(refused)}")
        return redirect(f"{update.get_absolute_url()}#comments")
    messages.success(request, "Comment sent to the coach.")
    return redirect(comment.get_absolute_url())
