"""Every model is in the admin, and each list and change page opens on demo-like data."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection, models, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from coaching.models import UpdateComment
from coachprog.accounts.models import AccessPolicy, User
from coachprog.accounts.services import invitation_send, programme_lead_add
from coachprog.admin import TypedFilter
from coachprog.outbox.models import Message, Preference
from cohorts.models import SessionMaterial
from cohorts.services import calendar_token_issue, cohort_calendar_token_issue
from projects.models import ChartNote, MeasurePhase, ProgressScoreChange
from tests.coachprog.conftest import FAST_HASHERS
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AttendanceFactory,
    CoachProfileFactory,
    CohortFactory,
    DataPointFactory,
    DirectorateFactory,
    DriverNodeFactory,
    EnrolmentFactory,
    MeasureFactory,
    MeetingLogFactory,
    MessageFactory,
    MonthlyUpdateFactory,
    NextStepFactory,
    PDSACycleFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
    TeamMembershipFactory,
    UserFactory,
)

DOMAIN_APPS = {"accounts", "cohorts", "projects", "coaching"}


def test_every_domain_model_is_registered_in_the_admin():
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in DOMAIN_APPS
        and not m._meta.auto_created
        # A history table is read through its tracked model's admin ("History" button).
        and not hasattr(m, "instance_type")
    ]

    assert [m.__name__ for m in models if m not in admin.site._registry] == []


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label in DOMAIN_APPS], ids=lambda m: m.__name__
)
def test_admin_list_and_change_pages_open(client, demo_db, model):
    client.force_login(User.objects.create_superuser(email="admin@example.org", password="x"))
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    assert client.get(base).status_code == 200
    assert client.get(base + "?q=a").status_code == 200
    first = model.objects.order_by("pk").first()
    if first is not None:
        assert client.get(f"{base}{first.pk}/change/").status_code == 200


# --- the admin at scale: the same queries at two sizes, and no list of every row ----------------------

# Few enough to read, far fewer than the rows the grown data has of each table that grows.
MOST_OPTIONS = 25
# Selects over Django's permissions list the code's models and actions, which no data grows.
CODE_DEFINED_SELECTS = {"user_permissions", "permissions", "permissions_old"}
GROWTH = MOST_OPTIONS + 5


def _admin_world() -> dict:
    """One of each record, the programme lead who reads them, and the rows whose change pages grow."""
    AccessPolicy.objects.update_or_create(  # as tests/conftest.py: leads sign in without two-factor here
        pk=AccessPolicy.SINGLETON_PK, defaults={"require_two_factor_for_leads": False}
    )
    lead = UserFactory(display_name="Admin Lead")
    programme_lead_add(user=lead, admin_access=True)
    superuser = User.objects.create_superuser(email="admin.superuser@example.org", password="x")
    cohort = CohortFactory()
    session = SessionFactory(cohort=cohort)
    enrolment = EnrolmentFactory(cohort=cohort, application=ApplicationFactory(cohort=cohort))
    measure = MeasureFactory()
    meeting = MeetingLogFactory(project=measure.project)
    world = {"lead": lead, "superuser": superuser, "programme": cohort.programme, "cohort": cohort}
    world.update(session=session, enrolment=enrolment, project=measure.project, measure=measure)
    world.update(meeting=meeting, qi_lead=UserFactory())
    _grow(world)
    return world


def _grow(world: dict) -> None:
    """One more of everything each admin lists, and more rows in the anchors' inlines."""
    directorate = DirectorateFactory()
    person = UserFactory(organisation_unit=directorate)
    directorate.qi_leads.add(person)
    project = ProjectFactory(directorate=directorate, sponsor=person)
    TeamMembershipFactory(project=world["project"])
    n = ProgressScoreChange.objects.count()
    ProgressScoreChange.objects.create(
        project=world["project"],
        score=Decimal("1.0"),
        changed_by=person,
        changed_at=timezone.now(),
        reason=f"{n}",
    )
    MeasureFactory(project=project)
    DataPointFactory(measure=world["measure"], recorded_by=person)
    MeasurePhase.objects.create(
        measure=world["measure"],
        starts_on=date(2025, 1, 6) + timedelta(weeks=n),
        reason="New rota",
        created_by=person,
    )
    ChartNote.objects.create(measure=world["measure"], on=date(2025, 1, 6), text="Rota", created_by=person)
    DriverNodeFactory(project=project)
    PDSACycleFactory(project=project)
    coach = CoachProfileFactory(supervisor=world["qi_lead"]).coach
    AssignmentFactory(coach=coach, project=project, assigned_by=world["lead"])
    meeting = MeetingLogFactory(coach=coach, project=project)
    meeting.attendees.add(person)
    NextStepFactory(meeting=world["meeting"])
    SupervisionLogFactory(coach=coach, supervisor=world["qi_lead"])
    update = MonthlyUpdateFactory(project=project, author=coach)
    UpdateComment.objects.create(update=update, author=person, body="Thank you")
    cohort = CohortFactory(programme=world["programme"])
    cohort.leads.add(person)
    cohort_calendar_token_issue(cohort=cohort, issued_by=world["lead"])
    calendar_token_issue(person=person)
    session = SessionFactory(cohort=world["cohort"])
    session.facilitators.add(person)
    AttendanceFactory(session=session, enrolment=world["enrolment"], recorded_by=person)
    SessionMaterial.objects.create(
        session=world["session"], title=f"Slides {n}", url="https://example.org/s", added_by=person
    )
    application = ApplicationFactory(cohort=cohort, directorate=directorate)
    EnrolmentFactory(cohort=cohort, participant=application.applicant, application=application)
    invitation_send(email=f"invited{n}@example.org", invited_by=world["lead"])
    programme_lead_add(user=UserFactory(), by=world["lead"])
    MessageFactory(recipient=person)
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    Preference.objects.create(
        user=person, kind=Message.Kind.SESSION_REMINDER, choice=Preference.Choice.DIGEST
    )


def _admin_urls(world: dict) -> list[str]:
    """Every registered model's list (searched, and filtered by each typed filter), add page, and one
    row's change page, history and latest version: the anchors' for the records with inlines."""
    anchors = {type(obj): obj for obj in world.values() if isinstance(obj, models.Model)}
    urls = []
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{info}_changelist")
        urls += [changelist, f"{changelist}?q=a", reverse(f"{info}_add")]
        urls += [
            f"{changelist}?{spec.parameter_name}=1"
            for spec in model_admin.list_filter
            if isinstance(spec, type) and issubclass(spec, TypedFilter)
        ]
        obj = anchors.get(model) or model._default_manager.order_by("-pk").first()
        if obj is None:
            continue
        urls.append(reverse(f"{info}_change", args=[obj.pk]))
        if isinstance(model_admin, SimpleHistoryAdmin):
            urls.append(reverse(f"{info}_history", args=[obj.pk]))
            version = obj.history.order_by("-history_id").first()
            urls.append(reverse(f"{info}_simple_history", args=[obj.pk, version.history_id]))
    return urls


def _read(client, urls: list[str]) -> dict[str, tuple[int, int, str]]:
    pages = {}
    for url in urls:
        client.get(url)  # a warm-up: one-off work (content types, the session) is not the page's
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        pages[url] = (response.status_code, len(captured), response.content.decode())
    return pages


@pytest.fixture(scope="module")
def admin_at_two_sizes(django_db_setup, django_db_blocker) -> dict:
    """Every admin page read by a superuser and by a programme lead with admin access, at one size and
    again after GROWTH more of everything (in a transaction rolled back afterwards)."""
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, STORAGES=plain_static),  # as the conftest files'
        transaction.atomic(),
    ):
        world = _admin_world()
        urls = _admin_urls(world)
        clients = {}
        for role in ("superuser", "lead"):
            clients[role] = Client()
            clients[role].force_login(world[role])
        small = {role: _read(client, urls) for role, client in clients.items()}
        for _ in range(GROWTH):
            _grow(world)
        grown = {role: _read(client, urls) for role, client in clients.items()}
        transaction.set_rollback(True)
    return {"small": small, "grown": grown}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["superuser", "lead"])
def test_every_admin_page_runs_the_same_queries_at_two_sizes(admin_at_two_sizes, role):
    small, grown = admin_at_two_sizes["small"][role], admin_at_two_sizes["grown"][role]

    grew = {url: (small[url][:2], grown[url][:2]) for url in small if small[url][:2] != grown[url][:2]}

    assert grew == {}
    assert sorted({status for status, _, _ in grown.values()}) == [200, 403]  # read-only ones add nothing


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["superuser", "lead"])
def test_no_admin_page_lists_every_row_of_a_table_that_grows(admin_at_two_sizes, role):
    """No select, and no list filter, offers more than MOST_OPTIONS choices when every table has more rows."""
    too_many = []
    for url, (_, _, html) in admin_at_two_sizes["grown"][role].items():
        for name, body in re.findall(r'<select[^>]*?\sname="([^"]*)"[^>]*>(.*?)</select>', html, re.S):
            if name not in CODE_DEFINED_SELECTS and body.count("<option") > MOST_OPTIONS:
                too_many.append((url, name, body.count("<option")))
        sidebar = re.search(r'<nav id="changelist-filter".*?</nav>', html, re.S)
        for title, choices in re.findall(
            r'data-filter-title="([^"]*)".*?</summary>(.*?)</details>', sidebar[0] if sidebar else "", re.S
        ):
            if choices.count("<li") > MOST_OPTIONS:
                too_many.append((url, title, choices.count("<li")))

    assert too_many == []
