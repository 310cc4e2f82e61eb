"""The people page, one person's record, and making someone a coach or changing their coach profile."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from coaching.forms import CoachCreateForm, CoachProfileForm, PeopleFilterForm
from coaching.models import CoachProfile
from coaching.people import label_roles, people_directorates, people_list, people_page, person_record
from coaching.permissions import (
    get_coach_profile_for_user,
    get_person_for_making_coach,
    get_person_for_user,
    require_role,
)
from coaching.roles import Role
from coaching.services import coach_profile_create, coach_profile_update
from coachprog.accounts.models import User
from coachprog.permissions import Access


def _add_errors(form, refused: ValidationError) -> None:
    """A service's refusal on the form: on the field it names, or above the form."""
    if hasattr(refused, "error_dict"):
        for name, errors in refused.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refused)


@require_safe
def people(request: HttpRequest) -> HttpResponse:
    """Everyone the user may see, with their roles, searchable by name or e-mail, role and directorate."""
    require_role(request.user, Role.PROGRAMME_LEAD, Role.QI_LEAD)
    form = PeopleFilterForm(request.GET or None, directorates=people_directorates(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    found = people_list(
        request.user,
        query=filters.get("q", "").strip(),
        role=filters.get("role", ""),
        directorate=filters.get("directorate"),
    )
    page = people_page(found, request.GET.get("page"))
    label_roles(page.object_list)
    return render(
        request, "coaching/people/list.html", {"form": form, "page": page, "filtered": any(filters.values())}
    )


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person: their roles, cohorts, teams coached, projects sponsored and supervisees, with the
    coach actions the reader may take."""
    person = get_person_for_user(request.user, pk)
    return render(request, "coaching/people/detail.html", {"record": person_record(request.user, person)})


def _suggested_supervisor(person: User) -> User | None:
    """The QI lead of the person's directorate, when it has exactly one."""
    if person.organisation_unit_id is None:
        return None
    leads = list(
        User.objects.filter(qi_lead_directorates=person.organisation_unit_id, is_active=True).exclude(
            pk=person.pk
        )[:2]
    )
    return leads[0] if len(leads) == 1 else None


@require_http_methods(["GET", "HEAD", "POST"])
def coach_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Make someone a coach, with their hours a week and supervisor (a QI lead)."""
    person = get_person_for_making_coach(request.user, pk)
    existing = CoachProfile.objects.filter(coach=person).first()
    if existing is not None:
        messages.info(request, f"{person} is already a coach; change their details here.")
        return redirect("coaching:coach_update", pk=existing.pk)
    if request.method == "POST":
        form = CoachCreateForm(request.POST)
        if form.is_valid():
            try:
                coach_profile_create(coach=person, **form.cleaned_data)
            except ValidationError as refused:
                _add_errors(form, refused)
            else:
                messages.success(
                    request, f"{person} is now a coach. Assign them a team from the team's coaches page."
                )
                return redirect("coaching:person", pk=person.pk)
    else:
        form = CoachCreateForm(initial={"supervisor": _suggested_supervisor(person)})
    status = 400 if request.method == "POST" else 200
    return render(request, "coaching/people/coach_form.html", {"form": form, "person": person}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def coach_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a coach's capacity or supervisor, or mark them as no longer coaching."""
    profile, _ = get_coach_profile_for_user(request.user, pk, need=Access.WRITE)
    initial = {
        "hours_per_week": profile.hours_per_week,
        "supervisor": profile.supervisor,
        "is_active": profile.is_active,
    }
    form = CoachProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            coach_profile_update(profile=profile, **form.cleaned_data)
        except ValidationError as refused:
            profile.refresh_from_db()
            _add_errors(form, refused)
        else:
            messages.success(request, f"{profile.coach}'s coach profile is saved.")
            return redirect("coaching:person", pk=profile.coach_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "coaching/people/coach_form.html",
        {"form": form, "person": profile.coach, "profile": profile},
        status=status,
    )
