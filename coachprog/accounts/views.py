"""Programme leads' pages for invitations, the access policy, directorates and programme leads,
and the public invitation link."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coachprog.accounts.adapter import INVITATION_SESSION_KEY
from coachprog.accounts.forms import (
    AccessPolicyForm,
    DirectorateForm,
    InvitationForm,
    ProgrammeLeadAddForm,
    QILeadAddForm,
)
from coachprog.accounts.models import AccessPolicy, Directorate, Invitation, ProgrammeLeadChange, User
from coachprog.accounts.services import (
    access_policy_update,
    directorate_create,
    directorate_qi_lead_add,
    directorate_qi_lead_remove,
    directorate_rename,
    invitation_from_token,
    invitation_revoke,
    invitation_send,
    programme_lead_add,
    programme_lead_remove,
    programme_leads,
)
from coachprog.permissions import is_programme_lead


def _require_lead(request: HttpRequest) -> None:
    if not is_programme_lead(request.user):
        raise PermissionDenied("Only programme leads can manage invitations and sign-up.")


def _invitation_page(request: HttpRequest, form: InvitationForm, status: int = 200) -> HttpResponse:
    invitations = Invitation.objects.select_related("invited_by", "accepted_by")[:200]
    return render(
        request,
        "accounts/invitation_list.html",
        {
            "form": form,
            "invitations": invitations,
            "policy": AccessPolicy.current(),
            "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    return _invitation_page(request, InvitationForm())


@require_POST
def invitation_create(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_send(email=form.cleaned_data["email"], invited_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts:invitation_list")
    return _invitation_page(request, form, status=400)


@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation_revoke(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation for {invitation.email} no longer works.")
    return redirect("accounts:invitation_list")


@require_http_methods(["GET", "HEAD", "POST"])
def access_policy(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    form = AccessPolicyForm(request.POST or None, instance=AccessPolicy.current())
    if request.method == "POST" and form.is_valid():
        try:
            access_policy_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Sign-up and two-factor settings saved.")
            return redirect("accounts:access_policy")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/access_policy.html", {"form": form}, status=status)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the signed link itself is the key. Pre-fills and pre-verifies the address on sign-up."""
    try:
        invitation = invitation_from_token(token)
    except signing.BadSignature:
        # SignatureExpired is a BadSignature too; the page explains both without saying which.
        context = {"max_age_days": settings.INVITATION_MAX_AGE_DAYS}
        return render(request, "accounts/invitation_invalid.html", context, status=404)
    if request.user.is_authenticated:
        messages.info(request, "You are already signed in, so you do not need the invitation.")
        return redirect("home")
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    # allauth marks a stashed address verified when the person signs up with it: the invitation
    # reached that inbox, so a second confirmation e-mail would prove nothing new.
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")


def _add_errors(form, refused: ValidationError) -> None:
    """A service's refusal on the form: on the field it names, or above the form."""
    if hasattr(refused, "error_dict"):
        for name, errors in refused.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refused)


# --- directorates ---------------------------------------------------------------------

DIRECTORATES_PER_PAGE = 50
PEOPLE_ORDER = ("display_name", "email", "pk")


def _directorate_list_page(request: HttpRequest, form: DirectorateForm, status: int = 200) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    directorates = (
        Directorate.objects.annotate(people_count=Count("people", distinct=True))
        .prefetch_related(Prefetch("qi_leads", queryset=User.objects.order_by(*PEOPLE_ORDER)))
        .order_by("name", "pk")
    )
    if query:
        directorates = directorates.filter(name__icontains=query)
    page = Paginator(directorates, DIRECTORATES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "accounts/directorate_list.html", {"form": form, "page": page, "query": query}, status=status
    )


@require_safe
def directorate_list(request: HttpRequest) -> HttpResponse:
    """The trust's directorates with their QI leads, and a form to add one."""
    _require_lead(request)
    return _directorate_list_page(request, DirectorateForm())


@require_POST
def directorate_create_view(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    form = DirectorateForm(request.POST)
    if form.is_valid():
        try:
            directorate = directorate_create(name=form.cleaned_data["name"])
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, f"{directorate} added. Now name its QI leads.")
            return redirect(directorate)
    return _directorate_list_page(request, form, status=400)


def _directorate_page(
    request: HttpRequest,
    directorate: Directorate,
    *,
    rename_form: DirectorateForm | None = None,
    add_form: QILeadAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/directorate_detail.html",
        {
            "directorate": directorate,
            "qi_leads": directorate.qi_leads.select_related("organisation_unit").order_by(*PEOPLE_ORDER),
            "people_count": directorate.people.count(),
            "rename_form": rename_form or DirectorateForm(initial={"name": directorate.name}),
            "add_form": add_form or QILeadAddForm(),
        },
        status=status,
    )


def _get_directorate(request: HttpRequest, pk: int) -> Directorate:
    _require_lead(request)
    return get_object_or_404(Directorate, pk=pk)


@require_safe
def directorate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One directorate: its name and its QI leads, with forms to rename it and name QI leads."""
    return _directorate_page(request, _get_directorate(request, pk))


@require_POST
def directorate_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    directorate = _get_directorate(request, pk)
    old_name = directorate.name
    form = DirectorateForm(request.POST)
    if form.is_valid():
        try:
            directorate_rename(directorate=directorate, name=form.cleaned_data["name"])
        except ValidationError as refused:
            directorate.name = old_name
            _add_errors(form, refused)
        else:
            messages.success(request, f"“{old_name}” is now called “{directorate}”.")
            return redirect(directorate)
    return _directorate_page(request, directorate, rename_form=form, status=400)


@require_POST
def directorate_qi_lead_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    directorate = _get_directorate(request, pk)
    form = QILeadAddForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            directorate_qi_lead_add(directorate=directorate, person=person)
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, f"{person} is now a QI lead of {directorate}.")
            return redirect(directorate)
    return _directorate_page(request, directorate, add_form=form, status=400)


@require_POST
def directorate_qi_lead_remove_view(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    directorate = _get_directorate(request, pk)
    person = get_object_or_404(directorate.qi_leads.all(), pk=person_pk)
    directorate_qi_lead_remove(directorate=directorate, person=person)
    messages.success(
        request,
        f"{person} is no longer a QI lead of {directorate}. Coaches they supervise keep them as their "
        "supervisor until someone chooses another on the coach's page.",
    )
    return redirect(directorate)


# --- programme leads -----------------------------------------------------------------

LEAD_CHANGES_SHOWN = 20


def _programme_leads_page(
    request: HttpRequest, form: ProgrammeLeadAddForm, status: int = 200
) -> HttpResponse:
    leads = list(programme_leads().select_related("organisation_unit").order_by(*PEOPLE_ORDER))
    changes = ProgrammeLeadChange.objects.select_related("person", "changed_by")[:LEAD_CHANGES_SHOWN]
    return render(
        request,
        "accounts/programme_leads.html",
        {"form": form, "leads": leads, "changes": changes},
        status=status,
    )


@require_safe
def programme_lead_list(request: HttpRequest) -> HttpResponse:
    """The programme leads, who made each one a lead and when, and a form to name another."""
    _require_lead(request)
    return _programme_leads_page(request, ProgrammeLeadAddForm())


@require_POST
def programme_lead_add_view(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    form = ProgrammeLeadAddForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["person"]
        if programme_lead_add(user=person, by=request.user):
            messages.success(request, f"{person} is now a programme lead.")
        else:
            messages.info(request, f"{person} was already a programme lead.")
        return redirect("accounts:programme_leads")
    return _programme_leads_page(request, form, status=400)


@require_POST
def programme_lead_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    person = get_object_or_404(User, pk=pk)
    try:
        programme_lead_remove(user=person, by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("accounts:programme_leads")
    if person.pk == request.user.pk:
        messages.success(request, "You are no longer a programme lead.")
        return redirect("home")
    messages.success(request, f"{person} is no longer a programme lead.")
    return redirect("accounts:programme_leads")
