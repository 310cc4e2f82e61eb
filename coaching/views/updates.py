"""Monthly updates (drafting and the sponsor report come with the monthly-update issue)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from coaching.permissions import get_monthly_update_for_user
from coachprog.permissions import Access


@require_safe
def monthly_update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update, access = get_monthly_update_for_user(request.user, pk)
    return render(
        request,
        "coaching/monthly_update_detail.html",
        {"update": update, "can_edit": access >= Access.WRITE},
    )
