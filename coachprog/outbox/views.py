"""Notifications (your own e-mail), reminder preferences, unsubscribe links and the outbox status page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachprog.outbox import services
from coachprog.outbox.forms import OutboxFilterForm, PreferencesForm
from coachprog.outbox.models import Kind, Message, Preference
from coachprog.outbox.permissions import (
    get_message_for_lead,
    get_notification_for_user,
    require_programme_lead,
    visible_notifications,
)

PAGE_SIZE = 25


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The e-mail the app has sent you, newest first."""
    page = Paginator(
        visible_notifications(request.user).only("pk", "subject", "kind", "status", "created_at", "sent_at"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "outbox/notifications.html", {"page": page})


@require_GET
def notification(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_notification_for_user(request.user, pk)
    return render(request, "outbox/notification_detail.html", {"message": message})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = dict(Preference.objects.filter(user=request.user).values_list("kind", "choice"))
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            for kind, choice in form.cleaned_data.items():
                services.preference_set(user=request.user, kind=kind, choice=choice)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your e-mail preferences are saved.")
            return redirect("outbox:preferences")
    return render(request, "outbox/preferences.html", {"form": form})


# Public: the signed token in the path is the only key. A GET only shows a button (mail
# scanners follow links); the button, or the mail client's one-click POST (RFC 8058), acts.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, kind = services.unsubscribe_token_read(token)
    except signing.SignatureExpired:
        return render(request, "outbox/unsubscribe_expired.html", status=410)
    except signing.BadSignature as error:
        raise Http404("This unsubscribe link is not valid.") from error
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    context = {"kind_label": Kind(kind).label, "to_digest": services.unsubscribe_choice(kind) == "digest"}
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        return render(request, "outbox/unsubscribed.html", context)
    return render(request, "outbox/unsubscribe.html", context)


@require_GET
def outbox_status(request: HttpRequest) -> HttpResponse:
    """For programme leads: every message, filtered by status and kind, with the reason for failures."""
    require_programme_lead(request.user)
    form = OutboxFilterForm(request.GET or None)
    rows = Message.objects.select_related("recipient").defer("text", "html", "attachments")
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
    counts = dict(Message.objects.order_by().values_list("status").annotate(n=Count("pk")))
    totals = [(value, label, counts.get(value, 0)) for value, label in Message.Status.choices]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": totals,
        "unknown_count": counts.get(Message.Status.UNKNOWN, 0),
    }
    return render(request, "outbox/status.html", context)


@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_lead(request.user, pk)
    try:
        services.message_resend(message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{message.subject}” will be sent again.")
    return redirect("outbox:status")
